CREATE TABLE `client_open_balances` (
	`account_id` text NOT NULL,
	`client_id` text NOT NULL,
	`outstanding_cents` integer DEFAULT 0 NOT NULL,
	`open_invoices` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `client_id`)
);
--> statement-breakpoint
CREATE INDEX `client_open_balances_rank` ON `client_open_balances` (`account_id`,"outstanding_cents" DESC,`client_id`);--> statement-breakpoint
CREATE INDEX `invoice_balances_client_open` ON `invoice_balances` (`account_id`,`client_id`,`due_date`) WHERE outstanding_cents > 0;