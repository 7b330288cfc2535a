-- Time entries billed on a draft go back to "unbilled" when that draft is deleted, whoever deletes
-- it (editor, API, account closure): no feature code has to remember it. Issued documents are
-- never deleted (0002), so an entry billed on an issued invoice stays linked.
CREATE TRIGGER time_entries_free_on_document_delete AFTER DELETE ON documents
BEGIN
  UPDATE time_entries SET document_id = NULL, document_line_id = NULL
  WHERE document_id = OLD.id AND account_id = OLD.account_id;
END;
--> statement-breakpoint
-- A saved draft replaces its lines (new ids): the entry stays billed on the document, only the
-- pointer to a line that no longer exists is cleared.
CREATE TRIGGER time_entries_line_deleted AFTER DELETE ON document_lines
BEGIN
  UPDATE time_entries SET document_line_id = NULL
  WHERE document_id = OLD.document_id AND document_line_id = OLD.id AND account_id = OLD.account_id;
END;
