CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`legal_form` text DEFAULT 'ei' NOT NULL,
	`siren` text,
	`siret` text,
	`registration` text DEFAULT 'none' NOT NULL,
	`registration_city` text,
	`share_capital_cents` integer,
	`address_line1` text,
	`address_line2` text,
	`postal_code` text,
	`city` text,
	`country` text DEFAULT 'FR' NOT NULL,
	`contact_email` text,
	`phone` text,
	`vat_regime` text DEFAULT 'franchise' NOT NULL,
	`vat_number` text,
	`vat_on_debits` integer DEFAULT false NOT NULL,
	`payment_terms_days` integer DEFAULT 30 NOT NULL,
	`late_penalty_rate_bp` integer,
	`early_payment_discount` text,
	`iban_sealed` text,
	`bic_sealed` text,
	`logo_key` text,
	`logo_type` text,
	`frozen_at` integer,
	`last_activity_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `auth_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`purpose` text NOT NULL,
	`new_email` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `auth_tokens_user` ON `auth_tokens` (`user_id`);--> statement-breakpoint
CREATE INDEX `auth_tokens_expires` ON `auth_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `connection_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`user_id` text,
	`email_hash` text NOT NULL,
	`ip` text,
	`user_agent` text,
	`outcome` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `connection_log_email_at` ON `connection_log` (`email_hash`,`at`);--> statement-breakpoint
CREATE INDEX `connection_log_ip_at` ON `connection_log` (`ip`,`at`);--> statement-breakpoint
CREATE INDEX `connection_log_user_at` ON `connection_log` (`user_id`,`at`);--> statement-breakpoint
CREATE TABLE `memberships` (
	`account_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `memberships_user` ON `memberships` (`user_id`);--> statement-breakpoint
CREATE TABLE `recovery_codes` (
	`user_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`used_at` integer,
	PRIMARY KEY(`user_id`, `code_hash`)
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`ip` text,
	`user_agent` text
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`email_verified_at` integer,
	`locale` text DEFAULT 'fr' NOT NULL,
	`totp_secret_sealed` text,
	`totp_enabled_at` integer,
	`totp_last_step` integer,
	`password_changed_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `mail_log` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text,
	`user_id` text,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`template` text NOT NULL,
	`provider` text NOT NULL,
	`provider_message_id` text,
	`status` text NOT NULL,
	`body_text` text,
	`body_html` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `mail_log_account` ON `mail_log` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_log_created` ON `mail_log` (`created_at`);