-- Books (features/books): the receipts book, the URSSAF declaration and the FEC read one period's
-- payments and one year's issued documents, never the whole history.
CREATE INDEX IF NOT EXISTS `payments_account_received` ON `payments` (`account_id`, `received_on`, `created_at`, `id`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `documents_account_issue_date` ON `documents` (`account_id`, `issue_date`) WHERE issue_date IS NOT NULL AND status != 'draft';
