CREATE TABLE `email_templates` (
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`language` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `kind`, `language`)
);
--> statement-breakpoint
ALTER TABLE `document_sends` ADD `request_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `document_sends_request` ON `document_sends` (`account_id`,`request_key`) WHERE request_key IS NOT NULL;