CREATE TABLE `time_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`client_id` text,
	`product_id` text,
	`description` text NOT NULL,
	`work_date` text NOT NULL,
	`minutes` integer NOT NULL,
	`hourly_rate_cents` integer,
	`billable` integer DEFAULT true NOT NULL,
	`document_id` text,
	`document_line_id` text,
	`started_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "time_entries_minutes" CHECK((started_at IS NOT NULL AND minutes = 0) OR (minutes BETWEEN 1 AND 1440)),
	CONSTRAINT "time_entries_rate" CHECK(hourly_rate_cents IS NULL OR hourly_rate_cents >= 0)
);
--> statement-breakpoint
CREATE INDEX `time_entries_account_date` ON `time_entries` (`account_id`,`work_date`,`id`);--> statement-breakpoint
CREATE INDEX `time_entries_unbilled_client` ON `time_entries` (`account_id`,`client_id`,`work_date`) WHERE document_id IS NULL AND billable = 1;--> statement-breakpoint
CREATE INDEX `time_entries_document` ON `time_entries` (`document_id`) WHERE document_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `time_entries_one_timer` ON `time_entries` (`account_id`) WHERE started_at IS NOT NULL;