CREATE TABLE `ereport_reminders` (
	`account_id` text NOT NULL,
	`period_start` text NOT NULL,
	`deadline` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `period_start`)
);
