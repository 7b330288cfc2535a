CREATE TABLE `pa_connections` (
	`account_id` text PRIMARY KEY NOT NULL,
	`mode` text NOT NULL,
	`token_url` text,
	`flow_url` text,
	`directory_url` text,
	`client_id` text,
	`client_secret_sealed` text,
	`transmit` integer DEFAULT false NOT NULL,
	`mandate_by` text,
	`mandate_at` integer,
	`webhook_id` text,
	`cursor` text,
	`last_poll_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pa_submissions` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`document_id` text NOT NULL,
	`kind` text NOT NULL,
	`code` integer,
	`state` text NOT NULL,
	`flow_id` text,
	`sha256` text NOT NULL,
	`file_key` text NOT NULL,
	`file_name` text NOT NULL,
	`buyer_address` text,
	`status_code` integer,
	`ack_reason` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pa_submissions_due` ON `pa_submissions` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `pa_submissions_document` ON `pa_submissions` (`account_id`,`document_id`);--> statement-breakpoint
CREATE TABLE `transmission_events` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`document_id` text NOT NULL,
	`code` integer NOT NULL,
	`reason_code` text,
	`reason` text,
	`at` integer NOT NULL,
	`flow_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transmission_events_flow` ON `transmission_events` (`account_id`,`flow_id`);--> statement-breakpoint
CREATE INDEX `transmission_events_document` ON `transmission_events` (`account_id`,`document_id`,`at`);