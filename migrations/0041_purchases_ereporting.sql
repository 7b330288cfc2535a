CREATE TABLE `purchase_events` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`purchase_id` text NOT NULL,
	`code` integer NOT NULL,
	`direction` text NOT NULL,
	`reason_code` text,
	`reason` text,
	`amount_cents` integer,
	`at` integer NOT NULL,
	`flow_id` text,
	`file_key` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `purchase_events_flow` ON `purchase_events` (`account_id`,`flow_id`) WHERE flow_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `purchase_events_purchase` ON `purchase_events` (`account_id`,`purchase_id`,`at`);--> statement-breakpoint
CREATE TABLE `purchase_sync` (
	`account_id` text PRIMARY KEY NOT NULL,
	`cursor` text,
	`last_poll_at` integer,
	`webhook_ids` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `purchases` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`source` text NOT NULL,
	`flow_id` text,
	`supplier_name` text NOT NULL,
	`supplier_siren` text,
	`supplier_vat_number` text,
	`supplier_country` text,
	`number` text NOT NULL,
	`type_code` text DEFAULT '380' NOT NULL,
	`issue_date` text NOT NULL,
	`due_date` text,
	`currency` text DEFAULT 'EUR' NOT NULL,
	`tax_exclusive_cents` integer NOT NULL,
	`vat_cents` integer NOT NULL,
	`tax_inclusive_cents` integer NOT NULL,
	`vat_breakdown` text DEFAULT '[]' NOT NULL,
	`lines` text DEFAULT '[]' NOT NULL,
	`iban` text,
	`category` text DEFAULT 'services' NOT NULL,
	`dedup_key` text NOT NULL,
	`file_key` text,
	`file_sha256` text,
	`file_name` text,
	`file_type` text,
	`status_code` integer,
	`status_at` integer,
	`paid_on` text,
	`paid_cents` integer,
	`payment_method` text,
	`received_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `purchases_dedup` ON `purchases` (`account_id`,`dedup_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `purchases_flow` ON `purchases` (`account_id`,`flow_id`) WHERE flow_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `purchases_account_received` ON `purchases` (`account_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `purchases_account_issue` ON `purchases` (`account_id`,`issue_date`,`id`);--> statement-breakpoint
CREATE TABLE `ereports` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`kind` text NOT NULL,
	`type_code` text NOT NULL,
	`data_hash` text NOT NULL,
	`file_key` text NOT NULL,
	`file_sha256` text NOT NULL,
	`flow_id` text,
	`state` text NOT NULL,
	`ack_reason` text,
	`submitted_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ereports_account_period` ON `ereports` (`account_id`,`period_start`,`kind`,`submitted_at`);