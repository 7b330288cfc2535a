CREATE TABLE `client_window_totals` (
	`account_id` text NOT NULL,
	`window_end` text NOT NULL,
	`client_id` text NOT NULL,
	`invoiced_cents` integer DEFAULT 0 NOT NULL,
	`received_cents` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `window_end`, `client_id`)
);
--> statement-breakpoint
CREATE INDEX `client_window_totals_rank` ON `client_window_totals` (`account_id`,`window_end`,`invoiced_cents`);--> statement-breakpoint
CREATE TABLE `invoice_balances` (
	`document_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`client_id` text,
	`due_date` text,
	`due_cents` integer NOT NULL,
	`credited_cents` integer DEFAULT 0 NOT NULL,
	`paid_cents` integer DEFAULT 0 NOT NULL,
	`outstanding_cents` integer NOT NULL,
	`cancelled` integer DEFAULT false NOT NULL,
	`reminders_paused_at` integer
);
--> statement-breakpoint
CREATE INDEX `invoice_balances_open` ON `invoice_balances` (`account_id`,`due_date`) WHERE outstanding_cents > 0;--> statement-breakpoint
CREATE INDEX `invoice_balances_open_due` ON `invoice_balances` (`due_date`) WHERE outstanding_cents > 0;--> statement-breakpoint
CREATE TABLE `reminder_log` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`document_id` text NOT NULL,
	`step` text NOT NULL,
	`kind` text NOT NULL,
	`offset_days` integer,
	`status` text NOT NULL,
	`reason` text,
	`mail_id` text,
	`to_address` text,
	`language` text,
	`outstanding_cents` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_log_step_once` ON `reminder_log` (`document_id`,`step`);--> statement-breakpoint
CREATE INDEX `reminder_log_account_document` ON `reminder_log` (`account_id`,`document_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `reminder_plans` (
	`account_id` text PRIMARY KEY NOT NULL,
	`offsets` text NOT NULL,
	`updated_at` integer NOT NULL
);
