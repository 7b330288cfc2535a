-- Settling an invoice from the client's credit (payments.method 'avoir_client') is not money
-- received: the cash was counted when the client overpaid. The per-client received windows of the
-- dashboard skip those rows (and their corrections, which carry the same method); the invoice
-- balance still counts them, since they pay the invoice. Same trigger as 0013 otherwise.
DROP TRIGGER IF EXISTS treasury_payment_recorded;
--> statement-breakpoint
CREATE TRIGGER treasury_payment_recorded AFTER INSERT ON payments
BEGIN
  UPDATE invoice_balances SET paid_cents = paid_cents + NEW.amount_cents,
    outstanding_cents = CASE WHEN cancelled THEN 0 ELSE MAX(0, MAX(0, due_cents - credited_cents) - (paid_cents + NEW.amount_cents)) END
  WHERE document_id = NEW.document_id AND account_id = NEW.account_id;
  INSERT INTO client_window_totals (account_id, window_end, client_id, invoiced_cents, received_cents)
  SELECT NEW.account_id, strftime('%Y-%m', NEW.received_on, 'start of month', '+' || n || ' months'), NEW.client_id, 0, NEW.amount_cents
  FROM window_offsets WHERE NEW.amount_cents != 0 AND NEW.method != 'avoir_client'
  ON CONFLICT (account_id, window_end, client_id) DO UPDATE SET received_cents = received_cents + excluded.received_cents;
END;
