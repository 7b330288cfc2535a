CREATE TABLE `import_rollbacks` (
	`account_id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`started_at` integer NOT NULL
);
