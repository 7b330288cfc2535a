DROP INDEX `documents_account_client`;--> statement-breakpoint
CREATE INDEX `documents_account_client_type_created` ON `documents` (`account_id`,`client_id`,`type`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `payments_account_client_created` ON `payments` (`account_id`,`client_id`,`created_at`,`id`);