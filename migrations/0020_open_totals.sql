CREATE TABLE `open_due_totals` (
	`account_id` text NOT NULL,
	`due_date` text NOT NULL,
	`outstanding_cents` integer DEFAULT 0 NOT NULL,
	`invoices` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `due_date`)
);
--> statement-breakpoint
CREATE TABLE `open_totals` (
	`account_id` text PRIMARY KEY NOT NULL,
	`outstanding_cents` integer DEFAULT 0 NOT NULL,
	`invoices` integer DEFAULT 0 NOT NULL
);
