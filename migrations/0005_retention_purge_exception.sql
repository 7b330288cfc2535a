-- The narrow, documented exception to the immutability of issued documents (LEGAL.md §4, PRIVACY.md §6):
-- billing records are kept 10 years after issue, then purged. The delete triggers of
-- 0002_immutability.sql are recreated so that a document may be deleted only once the retention job
-- has recorded it in retention_purges; nothing else changes. retention_purges itself is append-only,
-- and refuses a document issued less than 3650 days before the purge (a floor under the job's
-- calendar 10 years, checked by a test against domain/retention.ts).
DROP TRIGGER documents_issued_undeletable;
--> statement-breakpoint
CREATE TRIGGER documents_issued_undeletable BEFORE DELETE ON documents
WHEN (OLD.status != 'draft' OR OLD.issue_requested_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM retention_purges WHERE document_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
DROP TRIGGER document_lines_frozen_delete;
--> statement-breakpoint
CREATE TRIGGER document_lines_frozen_delete BEFORE DELETE ON document_lines
WHEN (SELECT status != 'draft' OR issue_requested_at IS NOT NULL FROM documents WHERE id = OLD.document_id)
  AND NOT EXISTS (SELECT 1 FROM retention_purges WHERE document_id = OLD.document_id)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
CREATE TRIGGER retention_purges_after_ten_years BEFORE INSERT ON retention_purges
WHEN NEW.purged_at - coalesce((SELECT issued_at FROM documents WHERE id = NEW.document_id), NEW.issued_at) < 315360000000
  OR NEW.purged_at - NEW.issued_at < 315360000000
BEGIN SELECT RAISE(ABORT, 'retention_not_due'); END;
--> statement-breakpoint
CREATE TRIGGER retention_purges_no_update BEFORE UPDATE ON retention_purges
BEGIN SELECT RAISE(ABORT, 'retention_purges_append_only'); END;
--> statement-breakpoint
CREATE TRIGGER retention_purges_no_delete BEFORE DELETE ON retention_purges
BEGIN SELECT RAISE(ABORT, 'retention_purges_append_only'); END;
