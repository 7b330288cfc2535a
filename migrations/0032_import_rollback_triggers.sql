-- An import that fails after its first write is rolled back (PRIVACY.md §9.5, features/data/rollback.ts):
-- its rows are deleted so the account is fresh again and the user can retry. The delete triggers that
-- guard issued documents, their lines, the issue log, the receipts book, the stock book and the purge
-- records are recreated from their latest definitions (0005, 0002, 0007, 0026) with one more exception:
-- a row of import_rollbacks for the row's own account. That is lawful because those rows are copies of
-- documents issued in the source account, whose archive the user still holds; nothing was issued in
-- this account (an import only runs on an account without documents, and issuing or recording a
-- payment is refused while it runs). The marker is written only by the job object of that import,
-- after it started writing, and deleted when the rollback ends; another account's marker opens nothing.
DROP TRIGGER documents_issued_undeletable;
--> statement-breakpoint
CREATE TRIGGER documents_issued_undeletable BEFORE DELETE ON documents
WHEN (OLD.status != 'draft' OR OLD.issue_requested_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM retention_purges WHERE document_id = OLD.id)
  AND NOT EXISTS (SELECT 1 FROM import_rollbacks r WHERE r.account_id = OLD.account_id)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
DROP TRIGGER document_lines_frozen_delete;
--> statement-breakpoint
CREATE TRIGGER document_lines_frozen_delete BEFORE DELETE ON document_lines
WHEN (SELECT status != 'draft' OR issue_requested_at IS NOT NULL FROM documents WHERE id = OLD.document_id)
  AND NOT EXISTS (SELECT 1 FROM retention_purges WHERE document_id = OLD.document_id)
  AND NOT EXISTS (SELECT 1 FROM import_rollbacks r WHERE r.account_id = OLD.account_id)
BEGIN SELECT RAISE(ABORT, 'document_frozen'); END;
--> statement-breakpoint
DROP TRIGGER issue_log_no_delete;
--> statement-breakpoint
CREATE TRIGGER issue_log_no_delete BEFORE DELETE ON issue_log
WHEN NOT EXISTS (SELECT 1 FROM import_rollbacks r WHERE r.account_id = OLD.account_id)
BEGIN SELECT RAISE(ABORT, 'issue_log_append_only'); END;
--> statement-breakpoint
DROP TRIGGER payments_no_delete;
--> statement-breakpoint
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
WHEN NOT EXISTS (SELECT 1 FROM import_rollbacks r WHERE r.account_id = OLD.account_id)
BEGIN SELECT RAISE(ABORT, 'payments_append_only'); END;
--> statement-breakpoint
DROP TRIGGER stock_movements_no_delete;
--> statement-breakpoint
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
WHEN EXISTS (SELECT 1 FROM products WHERE id = OLD.product_id AND account_id = OLD.account_id)
  AND (SELECT closed_at FROM accounts WHERE id = OLD.account_id) IS NULL
  AND NOT EXISTS (SELECT 1 FROM import_rollbacks r WHERE r.account_id = OLD.account_id)
BEGIN SELECT RAISE(ABORT, 'stock_movements_append_only'); END;
--> statement-breakpoint
DROP TRIGGER retention_purges_no_delete;
--> statement-breakpoint
CREATE TRIGGER retention_purges_no_delete BEFORE DELETE ON retention_purges
WHEN NOT EXISTS (SELECT 1 FROM import_rollbacks r WHERE r.account_id = OLD.account_id)
BEGIN SELECT RAISE(ABORT, 'retention_purges_append_only'); END;
