-- client_open_balances follows invoice_balances (kept by 0013's triggers) as open_totals does
-- (0021): every change of an invoice's outstanding amount moves the same amount, and the
-- open-invoice count, in its client's row. Rows that fall back to nothing are removed. An invoice
-- without a client counts under client_id ''. Existing balances are backfilled.
CREATE TRIGGER client_open_balances_inserted AFTER INSERT ON invoice_balances
WHEN NEW.outstanding_cents > 0
BEGIN
  INSERT INTO client_open_balances (account_id, client_id, outstanding_cents, open_invoices)
  VALUES (NEW.account_id, COALESCE(NEW.client_id, ''), NEW.outstanding_cents, 1)
  ON CONFLICT (account_id, client_id) DO UPDATE SET outstanding_cents = outstanding_cents + excluded.outstanding_cents, open_invoices = open_invoices + 1;
END;
--> statement-breakpoint
CREATE TRIGGER client_open_balances_updated AFTER UPDATE OF outstanding_cents ON invoice_balances
WHEN NEW.outstanding_cents != OLD.outstanding_cents
BEGIN
  INSERT INTO client_open_balances (account_id, client_id, outstanding_cents, open_invoices)
  VALUES (NEW.account_id, COALESCE(NEW.client_id, ''), NEW.outstanding_cents - OLD.outstanding_cents, (NEW.outstanding_cents > 0) - (OLD.outstanding_cents > 0))
  ON CONFLICT (account_id, client_id) DO UPDATE SET outstanding_cents = outstanding_cents + excluded.outstanding_cents, open_invoices = open_invoices + excluded.open_invoices;
  DELETE FROM client_open_balances WHERE account_id = NEW.account_id AND client_id = COALESCE(NEW.client_id, '') AND open_invoices = 0 AND outstanding_cents = 0;
END;
--> statement-breakpoint
CREATE TRIGGER client_open_balances_deleted AFTER DELETE ON invoice_balances
WHEN OLD.outstanding_cents > 0
BEGIN
  UPDATE client_open_balances SET outstanding_cents = outstanding_cents - OLD.outstanding_cents, open_invoices = open_invoices - 1
  WHERE account_id = OLD.account_id AND client_id = COALESCE(OLD.client_id, '');
  DELETE FROM client_open_balances WHERE account_id = OLD.account_id AND client_id = COALESCE(OLD.client_id, '') AND open_invoices = 0 AND outstanding_cents = 0;
END;
--> statement-breakpoint
INSERT INTO client_open_balances (account_id, client_id, outstanding_cents, open_invoices)
SELECT account_id, COALESCE(client_id, ''), SUM(outstanding_cents), COUNT(*) FROM invoice_balances WHERE outstanding_cents > 0 GROUP BY account_id, COALESCE(client_id, '');
