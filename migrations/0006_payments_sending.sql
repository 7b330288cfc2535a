CREATE TABLE `client_credits` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`client_id` text NOT NULL,
	`document_id` text NOT NULL,
	`payment_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `client_credits_account_client` ON `client_credits` (`account_id`,`client_id`);--> statement-breakpoint
CREATE INDEX `client_credits_account_document` ON `client_credits` (`account_id`,`document_id`);--> statement-breakpoint
CREATE TABLE `monthly_totals` (
	`account_id` text NOT NULL,
	`month` text NOT NULL,
	`invoiced_cents` integer DEFAULT 0 NOT NULL,
	`received_cents` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `month`)
);
--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`document_id` text NOT NULL,
	`client_id` text NOT NULL,
	`received_on` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`method` text NOT NULL,
	`reference` text,
	`corrects_payment_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payments_account_document` ON `payments` (`account_id`,`document_id`);--> statement-breakpoint
CREATE INDEX `payments_account_created` ON `payments` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_corrected_once` ON `payments` (`corrects_payment_id`) WHERE corrects_payment_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `document_sends` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`document_id` text NOT NULL,
	`mail_id` text NOT NULL,
	`to_address` text NOT NULL,
	`language` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `document_sends_document` ON `document_sends` (`account_id`,`document_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `document_sends_mail` ON `document_sends` (`mail_id`);--> statement-breakpoint
CREATE TABLE `email_suppressions` (
	`address` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`event_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`type` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `mail_log` ADD `attachments` text;--> statement-breakpoint
CREATE INDEX `mail_log_provider_message` ON `mail_log` (`provider_message_id`);