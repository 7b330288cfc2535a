CREATE TABLE `access_log` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`user_id` text,
	`action` text NOT NULL,
	`target` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `access_log_account_at` ON `access_log` (`account_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `access_log_at` ON `access_log` (`at`);--> statement-breakpoint
ALTER TABLE `documents` ADD `paid_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `documents` ADD `credited_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `documents` ADD `list_state` text GENERATED ALWAYS AS (CASE WHEN status = 'issued' AND type IN ('invoice', 'deposit_invoice') THEN CASE WHEN paid_cents >= MAX(0, due_cents - credited_cents) THEN 'paid' WHEN paid_cents > 0 THEN 'partial' ELSE 'open' END ELSE status END) VIRTUAL;--> statement-breakpoint
ALTER TABLE `documents` ADD `date_key` text GENERATED ALWAYS AS (CASE WHEN list_state IN ('open', 'partial') THEN COALESCE(due_date, '9999-12-31') WHEN list_state = 'sent' AND type = 'quote' THEN COALESCE(valid_until, '9999-12-31') END) VIRTUAL;--> statement-breakpoint
CREATE INDEX `documents_list_state` ON `documents` (`account_id`,`type`,`list_state`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `documents_list_due` ON `documents` (`account_id`,`type`,`list_state`,`date_key`,`created_at`,`id`);