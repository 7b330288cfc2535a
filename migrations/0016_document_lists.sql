CREATE TABLE `document_tallies` (
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`state` text NOT NULL,
	`bucket` integer NOT NULL,
	`documents` integer DEFAULT 0 NOT NULL,
	`tax_inclusive_cents` integer DEFAULT 0 NOT NULL,
	`outstanding_cents` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `type`, `state`, `bucket`)
);
