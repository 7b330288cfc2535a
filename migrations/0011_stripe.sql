CREATE TABLE `stripe_account_map` (
	`stripe_account_hash` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stripe_connections` (
	`account_id` text PRIMARY KEY NOT NULL,
	`stripe_account_sealed` text NOT NULL,
	`stripe_account_hash` text NOT NULL,
	`charges_enabled` integer DEFAULT false NOT NULL,
	`allow_partial` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stripe_payments` (
	`account_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`document_id` text,
	`amount_cents` integer,
	`payment_id` text,
	`claimed_at` integer,
	`refunded_seen_cents` integer DEFAULT 0 NOT NULL,
	`refunded_applied_cents` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `payment_intent_id`)
);
