-- The quote chain's limits, held by the database under concurrency (features/documents/quotes.ts
-- checks first and explains; these refuse whatever races past that check): a quote has one final
-- invoice that is not cancelled, one draft of each type at a time, and deposits that add up to at
-- most 100 % of it (documents.deposit_bp, basis points). Triggers, not unique indexes: accounts
-- converted twice before this migration keep their history.
UPDATE documents SET deposit_bp = (
  SELECT CASE WHEN q.tax_exclusive_cents > 0 THEN MIN(10000, CAST(ROUND(documents.tax_exclusive_cents * 10000.0 / q.tax_exclusive_cents) AS INTEGER)) END
  FROM documents q WHERE q.id = documents.source_quote_id AND q.account_id = documents.account_id
) WHERE type = 'deposit_invoice' AND source_quote_id IS NOT NULL AND deposit_bp IS NULL;
--> statement-breakpoint
CREATE TRIGGER documents_quote_final_once BEFORE INSERT ON documents
WHEN NEW.type = 'invoice' AND NEW.source_quote_id IS NOT NULL AND EXISTS (
  SELECT 1 FROM documents WHERE account_id = NEW.account_id AND source_quote_id = NEW.source_quote_id AND type = 'invoice' AND status != 'cancelled')
BEGIN SELECT RAISE(ABORT, 'quote_final_invoice_exists'); END;
--> statement-breakpoint
CREATE TRIGGER documents_quote_draft_once BEFORE INSERT ON documents
WHEN NEW.source_quote_id IS NOT NULL AND NEW.status = 'draft' AND EXISTS (
  SELECT 1 FROM documents WHERE account_id = NEW.account_id AND source_quote_id = NEW.source_quote_id AND type = NEW.type AND status = 'draft')
BEGIN SELECT RAISE(ABORT, 'quote_draft_exists'); END;
--> statement-breakpoint
CREATE TRIGGER documents_quote_deposits_within BEFORE INSERT ON documents
WHEN NEW.type = 'deposit_invoice' AND NEW.source_quote_id IS NOT NULL AND COALESCE(NEW.deposit_bp, 0) + (
  SELECT COALESCE(SUM(deposit_bp), 0) FROM documents WHERE account_id = NEW.account_id AND source_quote_id = NEW.source_quote_id
    AND type = 'deposit_invoice' AND status != 'cancelled') > 10000
BEGIN SELECT RAISE(ABORT, 'quote_deposits_exceed_total'); END;
