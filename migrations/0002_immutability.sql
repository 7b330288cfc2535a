-- Issued documents are immutable by construction (LEGAL.md §4): the database itself refuses any
-- change to an issued document's content, its lines, or the issued-documents log. Corrections go
-- through credit notes. Application checks give the friendly message; these triggers are the floor.
CREATE TRIGGER document_lines_frozen_insert BEFORE INSERT ON document_lines
WHEN (SELECT status != 'draft' OR issue_requested_at IS NOT NULL FROM documents WHERE id = NEW.document_id)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
CREATE TRIGGER document_lines_frozen_update BEFORE UPDATE ON document_lines
WHEN (SELECT status != 'draft' OR issue_requested_at IS NOT NULL FROM documents WHERE id = OLD.document_id)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
CREATE TRIGGER document_lines_frozen_delete BEFORE DELETE ON document_lines
WHEN (SELECT status != 'draft' OR issue_requested_at IS NOT NULL FROM documents WHERE id = OLD.document_id)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
CREATE TRIGGER documents_issued_content_frozen BEFORE UPDATE ON documents
WHEN OLD.status != 'draft' AND (
  NEW.type IS NOT OLD.type OR NEW.number IS NOT OLD.number OR NEW.series_id IS NOT OLD.series_id
  OR NEW.client_id IS NOT OLD.client_id OR NEW.issue_date IS NOT OLD.issue_date
  OR NEW.delivery_date IS NOT OLD.delivery_date OR NEW.due_date IS NOT OLD.due_date
  OR NEW.tax_exclusive_cents IS NOT OLD.tax_exclusive_cents OR NEW.vat_total_cents IS NOT OLD.vat_total_cents
  OR NEW.tax_inclusive_cents IS NOT OLD.tax_inclusive_cents OR NEW.due_cents IS NOT OLD.due_cents
  OR NEW.snapshot IS NOT OLD.snapshot OR NEW.pdf_key IS NOT OLD.pdf_key OR NEW.pdf_sha256 IS NOT OLD.pdf_sha256
  OR NEW.xml_key IS NOT OLD.xml_key OR NEW.xml_sha256 IS NOT OLD.xml_sha256 OR NEW.issued_at IS NOT OLD.issued_at
  OR NEW.status = 'draft'
)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
CREATE TRIGGER documents_issued_undeletable BEFORE DELETE ON documents
WHEN OLD.status != 'draft' OR OLD.issue_requested_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
CREATE TRIGGER issue_log_no_update BEFORE UPDATE ON issue_log
BEGIN SELECT RAISE(ABORT, 'issue_log_append_only'); END;
--> statement-breakpoint
CREATE TRIGGER issue_log_no_delete BEFORE DELETE ON issue_log
BEGIN SELECT RAISE(ABORT, 'issue_log_append_only'); END;
