DROP INDEX `payments_account_document`;--> statement-breakpoint
CREATE INDEX `payments_account_document_created` ON `payments` (`account_id`,`document_id`,`created_at`,`id`);