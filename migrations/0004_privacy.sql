CREATE TABLE `consent_proofs` (
	`id` text PRIMARY KEY NOT NULL,
	`consent_id` text NOT NULL,
	`action` text NOT NULL,
	`performance` integer NOT NULL,
	`functional` integer NOT NULL,
	`wording_version` text NOT NULL,
	`at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `consent_proofs_consent` ON `consent_proofs` (`consent_id`,`at`);--> statement-breakpoint
CREATE TABLE `inactivity_notices` (
	`account_id` text PRIMARY KEY NOT NULL,
	`last_activity_at` integer NOT NULL,
	`warned_at` integer NOT NULL,
	`erased_at` integer
);
--> statement-breakpoint
CREATE TABLE `policy_acknowledgements` (
	`user_id` text NOT NULL,
	`version` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `retention_purges` (
	`document_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`number` text,
	`issued_at` integer NOT NULL,
	`purged_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `retention_purges_account` ON `retention_purges` (`account_id`);--> statement-breakpoint
CREATE TABLE `retention_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`as_of` integer NOT NULL,
	`summary` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `retention_runs_as_of` ON `retention_runs` (`as_of`);