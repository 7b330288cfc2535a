CREATE TABLE `data_import_parts` (
	`job_id` text NOT NULL,
	`account_id` text NOT NULL,
	`part_number` integer NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`job_id`, `part_number`)
);
--> statement-breakpoint
CREATE INDEX `data_import_parts_account` ON `data_import_parts` (`account_id`);--> statement-breakpoint
CREATE TABLE `data_import_uploads` (
	`job_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`upload_id` text NOT NULL,
	`size` integer NOT NULL,
	`part_size` integer NOT NULL,
	`parts` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `data_import_uploads_account` ON `data_import_uploads` (`account_id`);