-- The receipts book is not modifiable after entry (LEGAL.md §8): the database refuses any change
-- to a recorded payment and its deletion; a mistake is reversed by a negative correction row.
-- The reference (free text the payer gave) may be blanked by the 13-month privacy purge.
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
WHEN NEW.id IS NOT OLD.id OR NEW.account_id IS NOT OLD.account_id OR NEW.document_id IS NOT OLD.document_id
  OR NEW.client_id IS NOT OLD.client_id OR NEW.received_on IS NOT OLD.received_on
  OR NEW.amount_cents IS NOT OLD.amount_cents OR NEW.method IS NOT OLD.method
  OR NEW.corrects_payment_id IS NOT OLD.corrects_payment_id OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.reference IS NOT OLD.reference AND NEW.reference IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'payments_append_only'); END;
--> statement-breakpoint
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments_append_only'); END;
