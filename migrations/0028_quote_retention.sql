-- Issued quotes of a closed account are purged 5 years after issue (domain/retention.ts
-- `issued_quotes`: a signed quote is a contract, LEGAL.md §6, kept for the commercial prescription of
-- Code de commerce L110-4; quotes are not billing records, so LEGAL.md §5's 10 years do not apply).
-- The 10-year floor of 0005 now applies to everything but quotes; a quote's purge record is refused
-- unless the document really is a quote, its account is closed, and 1825 days (under any 5 calendar
-- years) have passed since its issue.
DROP TRIGGER retention_purges_after_ten_years;
--> statement-breakpoint
CREATE TRIGGER retention_purges_after_ten_years BEFORE INSERT ON retention_purges
WHEN NEW.type != 'quote'
  AND (NEW.purged_at - coalesce((SELECT issued_at FROM documents WHERE id = NEW.document_id), NEW.issued_at) < 315360000000
    OR NEW.purged_at - NEW.issued_at < 315360000000)
BEGIN SELECT RAISE(ABORT, 'retention_not_due'); END;
--> statement-breakpoint
CREATE TRIGGER retention_purges_quotes_after_five_years BEFORE INSERT ON retention_purges
WHEN NEW.type = 'quote'
  AND (coalesce((SELECT type FROM documents WHERE id = NEW.document_id), 'quote') != 'quote'
    OR NOT EXISTS (SELECT 1 FROM accounts WHERE id = NEW.account_id AND closed_at IS NOT NULL)
    OR NEW.purged_at - coalesce((SELECT issued_at FROM documents WHERE id = NEW.document_id), NEW.issued_at) < 157680000000
    OR NEW.purged_at - NEW.issued_at < 157680000000)
BEGIN SELECT RAISE(ABORT, 'retention_not_due'); END;
