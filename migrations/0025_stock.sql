CREATE TABLE `stock_levels` (
	`account_id` text NOT NULL,
	`product_id` text NOT NULL,
	`on_hand_e4` integer DEFAULT 0 NOT NULL,
	`low_threshold_e4` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `product_id`)
);
--> statement-breakpoint
CREATE TABLE `stock_movements` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`product_id` text NOT NULL,
	`occurred_on` text NOT NULL,
	`quantity_e4` integer NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`document_id` text,
	`document_line_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stock_movements_account_product` ON `stock_movements` (`account_id`,`product_id`,`created_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `stock_movements_line_once` ON `stock_movements` (`account_id`,`document_line_id`) WHERE document_line_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `stock_movements_initial_once` ON `stock_movements` (`account_id`,`product_id`) WHERE reason = 'initial';