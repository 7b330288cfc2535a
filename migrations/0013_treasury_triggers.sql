-- Treasury aggregates kept by the database itself (features/home dashboard, features/reminders):
-- invoice_balances (what each issued invoice still owes) and client_window_totals (per client, the
-- 12-month windows each amount falls in). Triggers on documents and payments cover every write
-- path (issue, reconciler, cancel, payments, corrections, imports); existing rows are backfilled.
-- window_offsets lists the 12 windows a month belongs to: its own and the 11 that follow
-- (triggers cannot use a WITH clause).
CREATE TABLE `window_offsets` (`n` integer PRIMARY KEY NOT NULL);
--> statement-breakpoint
INSERT INTO window_offsets (n) VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11);
--> statement-breakpoint
CREATE TRIGGER treasury_document_issued AFTER UPDATE OF status ON documents
WHEN OLD.status = 'draft' AND NEW.status != 'draft' AND NEW.type != 'quote'
BEGIN
  INSERT INTO invoice_balances (document_id, account_id, client_id, due_date, due_cents, credited_cents, paid_cents, outstanding_cents, cancelled)
  SELECT NEW.id, NEW.account_id, NEW.client_id, NEW.due_date, NEW.due_cents, 0, 0, MAX(0, NEW.due_cents), 0
  WHERE NEW.type IN ('invoice', 'deposit_invoice')
  ON CONFLICT (document_id) DO NOTHING;
  UPDATE invoice_balances SET credited_cents = credited_cents + NEW.due_cents,
    outstanding_cents = CASE WHEN cancelled THEN 0 ELSE MAX(0, MAX(0, due_cents - (credited_cents + NEW.due_cents)) - paid_cents) END
  WHERE NEW.type = 'credit_note' AND document_id = NEW.preceding_document_id AND account_id = NEW.account_id;
  INSERT INTO client_window_totals (account_id, window_end, client_id, invoiced_cents, received_cents)
  SELECT NEW.account_id, strftime('%Y-%m', NEW.issue_date, 'start of month', '+' || n || ' months'), NEW.client_id,
    CASE WHEN NEW.type = 'credit_note' THEN -NEW.due_cents ELSE NEW.due_cents END, 0
  FROM window_offsets WHERE NEW.client_id IS NOT NULL AND NEW.issue_date IS NOT NULL AND NEW.due_cents != 0
  ON CONFLICT (account_id, window_end, client_id) DO UPDATE SET invoiced_cents = invoiced_cents + excluded.invoiced_cents;
END;
--> statement-breakpoint
CREATE TRIGGER treasury_document_inserted_issued AFTER INSERT ON documents
WHEN NEW.status != 'draft' AND NEW.type != 'quote'
BEGIN
  INSERT INTO invoice_balances (document_id, account_id, client_id, due_date, due_cents, credited_cents, paid_cents, outstanding_cents, cancelled)
  SELECT NEW.id, NEW.account_id, NEW.client_id, NEW.due_date, NEW.due_cents, 0, 0, CASE WHEN NEW.status = 'cancelled' THEN 0 ELSE MAX(0, NEW.due_cents) END, NEW.status = 'cancelled'
  WHERE NEW.type IN ('invoice', 'deposit_invoice')
  ON CONFLICT (document_id) DO NOTHING;
  UPDATE invoice_balances SET credited_cents = credited_cents + NEW.due_cents,
    outstanding_cents = CASE WHEN cancelled THEN 0 ELSE MAX(0, MAX(0, due_cents - (credited_cents + NEW.due_cents)) - paid_cents) END
  WHERE NEW.type = 'credit_note' AND document_id = NEW.preceding_document_id AND account_id = NEW.account_id;
  INSERT INTO client_window_totals (account_id, window_end, client_id, invoiced_cents, received_cents)
  SELECT NEW.account_id, strftime('%Y-%m', NEW.issue_date, 'start of month', '+' || n || ' months'), NEW.client_id,
    CASE WHEN NEW.type = 'credit_note' THEN -NEW.due_cents ELSE NEW.due_cents END, 0
  FROM window_offsets WHERE NEW.client_id IS NOT NULL AND NEW.issue_date IS NOT NULL AND NEW.due_cents != 0
  ON CONFLICT (account_id, window_end, client_id) DO UPDATE SET invoiced_cents = invoiced_cents + excluded.invoiced_cents;
END;
--> statement-breakpoint
CREATE TRIGGER treasury_invoice_cancelled AFTER UPDATE OF status ON documents
WHEN OLD.status != 'cancelled' AND NEW.status = 'cancelled'
BEGIN
  UPDATE invoice_balances SET cancelled = 1, outstanding_cents = 0 WHERE document_id = NEW.id AND account_id = NEW.account_id;
END;
--> statement-breakpoint
CREATE TRIGGER treasury_document_purged AFTER DELETE ON documents
BEGIN
  DELETE FROM invoice_balances WHERE document_id = OLD.id;
END;
--> statement-breakpoint
CREATE TRIGGER treasury_payment_recorded AFTER INSERT ON payments
BEGIN
  UPDATE invoice_balances SET paid_cents = paid_cents + NEW.amount_cents,
    outstanding_cents = CASE WHEN cancelled THEN 0 ELSE MAX(0, MAX(0, due_cents - credited_cents) - (paid_cents + NEW.amount_cents)) END
  WHERE document_id = NEW.document_id AND account_id = NEW.account_id;
  INSERT INTO client_window_totals (account_id, window_end, client_id, invoiced_cents, received_cents)
  SELECT NEW.account_id, strftime('%Y-%m', NEW.received_on, 'start of month', '+' || n || ' months'), NEW.client_id, 0, NEW.amount_cents
  FROM window_offsets WHERE NEW.amount_cents != 0
  ON CONFLICT (account_id, window_end, client_id) DO UPDATE SET received_cents = received_cents + excluded.received_cents;
END;
--> statement-breakpoint
INSERT INTO invoice_balances (document_id, account_id, client_id, due_date, due_cents, credited_cents, paid_cents, outstanding_cents, cancelled)
SELECT d.id, d.account_id, d.client_id, d.due_date, d.due_cents, COALESCE(c.cents, 0), COALESCE(p.cents, 0),
  CASE WHEN d.status = 'cancelled' THEN 0 ELSE MAX(0, MAX(0, d.due_cents - COALESCE(c.cents, 0)) - COALESCE(p.cents, 0)) END,
  d.status = 'cancelled'
FROM documents d
LEFT JOIN (SELECT preceding_document_id AS id, SUM(due_cents) AS cents FROM documents
  WHERE type = 'credit_note' AND status != 'draft' AND preceding_document_id IS NOT NULL GROUP BY preceding_document_id) c ON c.id = d.id
LEFT JOIN (SELECT document_id AS id, SUM(amount_cents) AS cents FROM payments GROUP BY document_id) p ON p.id = d.id
WHERE d.type IN ('invoice', 'deposit_invoice') AND d.status != 'draft';
--> statement-breakpoint
INSERT INTO client_window_totals (account_id, window_end, client_id, invoiced_cents, received_cents)
SELECT account_id, window_end, client_id, SUM(invoiced), SUM(received) FROM (
  SELECT d.account_id, strftime('%Y-%m', d.issue_date, 'start of month', '+' || o.n || ' months') AS window_end, d.client_id,
    CASE WHEN d.type = 'credit_note' THEN -d.due_cents ELSE d.due_cents END AS invoiced, 0 AS received
  FROM documents d, window_offsets o
  WHERE d.type != 'quote' AND d.status != 'draft' AND d.client_id IS NOT NULL AND d.issue_date IS NOT NULL
  UNION ALL
  SELECT p.account_id, strftime('%Y-%m', p.received_on, 'start of month', '+' || o.n || ' months'), p.client_id, 0, p.amount_cents
  FROM payments p, window_offsets o
) GROUP BY account_id, window_end, client_id;
