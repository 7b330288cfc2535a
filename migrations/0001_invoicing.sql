CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`search_name` text NOT NULL,
	`siren` text,
	`siret` text,
	`vat_number` text,
	`address_line1` text NOT NULL,
	`address_line2` text,
	`postal_code` text NOT NULL,
	`city` text NOT NULL,
	`country` text DEFAULT 'FR' NOT NULL,
	`delivery_line1` text,
	`delivery_line2` text,
	`delivery_postal_code` text,
	`delivery_city` text,
	`delivery_country` text,
	`email` text,
	`electronic_scheme` text,
	`electronic_address` text,
	`language` text DEFAULT 'fr' NOT NULL,
	`payment_terms_days` integer,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clients_account_name` ON `clients` (`account_id`,`search_name`,`id`);--> statement-breakpoint
CREATE TABLE `deposit_deductions` (
	`account_id` text NOT NULL,
	`final_document_id` text NOT NULL,
	`deposit_document_id` text NOT NULL,
	PRIMARY KEY(`final_document_id`, `deposit_document_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deposit_deducted_once` ON `deposit_deductions` (`deposit_document_id`);--> statement-breakpoint
CREATE TABLE `document_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`document_id` text NOT NULL,
	`position` integer NOT NULL,
	`product_id` text,
	`description` text NOT NULL,
	`quantity` text NOT NULL,
	`unit_code` text NOT NULL,
	`unit_price_cents` integer NOT NULL,
	`discount_kind` text,
	`discount_value` integer,
	`vat_category` text NOT NULL,
	`vat_rate_bp` integer NOT NULL,
	`exemption_code` text,
	`kind` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `document_lines_document` ON `document_lines` (`document_id`,`position`);--> statement-breakpoint
CREATE TABLE `document_series` (
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`prefix` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `type`)
);
--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`number` text,
	`series_id` text,
	`client_id` text,
	`issue_date` text,
	`delivery_date` text,
	`due_date` text,
	`valid_until` text,
	`payment_terms_days` integer,
	`purchase_order_reference` text,
	`note` text,
	`allowance_kind` text,
	`allowance_value` integer,
	`preceding_document_id` text,
	`source_quote_id` text,
	`tax_exclusive_cents` integer DEFAULT 0 NOT NULL,
	`vat_total_cents` integer DEFAULT 0 NOT NULL,
	`tax_inclusive_cents` integer DEFAULT 0 NOT NULL,
	`due_cents` integer DEFAULT 0 NOT NULL,
	`snapshot` text,
	`pdf_key` text,
	`pdf_sha256` text,
	`xml_key` text,
	`xml_sha256` text,
	`public_token_hash` text,
	`accepted_at` integer,
	`accepted_by_name` text,
	`accepted_ip` text,
	`accepted_pdf_sha256` text,
	`issue_requested_at` integer,
	`issued_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `documents_issue_pending` ON `documents` (`issue_requested_at`) WHERE status = 'draft' AND issue_requested_at IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `documents_account_type_number` ON `documents` (`account_id`,`type`,`number`) WHERE number IS NOT NULL;--> statement-breakpoint
CREATE INDEX `documents_account_type_created` ON `documents` (`account_id`,`type`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `documents_account_status` ON `documents` (`account_id`,`type`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `documents_public_token` ON `documents` (`public_token_hash`) WHERE public_token_hash IS NOT NULL;--> statement-breakpoint
CREATE TABLE `issue_log` (
	`account_id` text NOT NULL,
	`seq` integer NOT NULL,
	`document_id` text NOT NULL,
	`action` text NOT NULL,
	`at` integer NOT NULL,
	`content_hash` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`account_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issue_log_document` ON `issue_log` (`document_id`,`action`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`search_name` text NOT NULL,
	`description` text,
	`unit_code` text DEFAULT 'C62' NOT NULL,
	`unit_price_cents` integer NOT NULL,
	`vat_category` text NOT NULL,
	`vat_rate_bp` integer NOT NULL,
	`exemption_code` text,
	`kind` text NOT NULL,
	`stock_tracked` integer DEFAULT false NOT NULL,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `products_account_name` ON `products` (`account_id`,`search_name`,`id`);