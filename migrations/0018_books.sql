CREATE TABLE `books_settings` (
	`account_id` text PRIMARY KEY NOT NULL,
	`service_category` text NOT NULL,
	`declaration_frequency` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `urssaf_reminders` (
	`account_id` text NOT NULL,
	`deadline` text NOT NULL,
	`period` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `deadline`)
);
--> statement-breakpoint
DROP INDEX `client_window_totals_rank`;--> statement-breakpoint
CREATE INDEX `client_window_totals_rank` ON `client_window_totals` (`account_id`,`window_end`,`invoiced_cents`,`client_id`);