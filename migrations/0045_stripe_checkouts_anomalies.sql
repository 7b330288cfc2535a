CREATE TABLE `stripe_anomalies` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`document_id` text,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`kind` text NOT NULL,
	`amount_cents` integer,
	`expected_cents` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stripe_anomalies_account` ON `stripe_anomalies` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `stripe_anomalies_document` ON `stripe_anomalies` (`account_id`,`document_id`);--> statement-breakpoint
CREATE TABLE `stripe_checkouts` (
	`account_id` text NOT NULL,
	`session_id` text NOT NULL,
	`document_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `session_id`)
);
--> statement-breakpoint
CREATE INDEX `stripe_checkouts_document` ON `stripe_checkouts` (`account_id`,`document_id`);