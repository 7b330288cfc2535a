-- open_due_totals and open_totals follow invoice_balances (itself kept by 0013's triggers): every
-- change of an invoice's outstanding amount moves the same amount, and the open-invoice count, in
-- its due date's row and in the account's total. Rows that fall back to nothing are removed.
-- Existing balances are backfilled.
CREATE TRIGGER open_totals_balance_inserted AFTER INSERT ON invoice_balances
WHEN NEW.outstanding_cents > 0
BEGIN
  INSERT INTO open_due_totals (account_id, due_date, outstanding_cents, invoices)
  VALUES (NEW.account_id, COALESCE(NEW.due_date, '9999-12-31'), NEW.outstanding_cents, 1)
  ON CONFLICT (account_id, due_date) DO UPDATE SET outstanding_cents = outstanding_cents + excluded.outstanding_cents, invoices = invoices + 1;
  INSERT INTO open_totals (account_id, outstanding_cents, invoices) VALUES (NEW.account_id, NEW.outstanding_cents, 1)
  ON CONFLICT (account_id) DO UPDATE SET outstanding_cents = outstanding_cents + excluded.outstanding_cents, invoices = invoices + 1;
END;
--> statement-breakpoint
CREATE TRIGGER open_totals_balance_updated AFTER UPDATE OF outstanding_cents ON invoice_balances
WHEN NEW.outstanding_cents != OLD.outstanding_cents
BEGIN
  INSERT INTO open_due_totals (account_id, due_date, outstanding_cents, invoices)
  VALUES (NEW.account_id, COALESCE(NEW.due_date, '9999-12-31'), NEW.outstanding_cents - OLD.outstanding_cents, (NEW.outstanding_cents > 0) - (OLD.outstanding_cents > 0))
  ON CONFLICT (account_id, due_date) DO UPDATE SET outstanding_cents = outstanding_cents + excluded.outstanding_cents, invoices = invoices + excluded.invoices;
  INSERT INTO open_totals (account_id, outstanding_cents, invoices)
  VALUES (NEW.account_id, NEW.outstanding_cents - OLD.outstanding_cents, (NEW.outstanding_cents > 0) - (OLD.outstanding_cents > 0))
  ON CONFLICT (account_id) DO UPDATE SET outstanding_cents = outstanding_cents + excluded.outstanding_cents, invoices = invoices + excluded.invoices;
  DELETE FROM open_due_totals WHERE account_id = NEW.account_id AND due_date = COALESCE(NEW.due_date, '9999-12-31') AND invoices = 0 AND outstanding_cents = 0;
END;
--> statement-breakpoint
CREATE TRIGGER open_totals_balance_deleted AFTER DELETE ON invoice_balances
WHEN OLD.outstanding_cents > 0
BEGIN
  UPDATE open_due_totals SET outstanding_cents = outstanding_cents - OLD.outstanding_cents, invoices = invoices - 1
  WHERE account_id = OLD.account_id AND due_date = COALESCE(OLD.due_date, '9999-12-31');
  UPDATE open_totals SET outstanding_cents = outstanding_cents - OLD.outstanding_cents, invoices = invoices - 1 WHERE account_id = OLD.account_id;
  DELETE FROM open_due_totals WHERE account_id = OLD.account_id AND due_date = COALESCE(OLD.due_date, '9999-12-31') AND invoices = 0 AND outstanding_cents = 0;
END;
--> statement-breakpoint
INSERT INTO open_due_totals (account_id, due_date, outstanding_cents, invoices)
SELECT account_id, COALESCE(due_date, '9999-12-31'), SUM(outstanding_cents), COUNT(*) FROM invoice_balances WHERE outstanding_cents > 0 GROUP BY account_id, COALESCE(due_date, '9999-12-31');
--> statement-breakpoint
INSERT INTO open_totals (account_id, outstanding_cents, invoices)
SELECT account_id, SUM(outstanding_cents), COUNT(*) FROM invoice_balances WHERE outstanding_cents > 0 GROUP BY account_id;
