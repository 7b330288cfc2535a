CREATE INDEX `document_lines_account_product` ON `document_lines` (`account_id`,`product_id`);--> statement-breakpoint
CREATE INDEX `documents_account_client` ON `documents` (`account_id`,`client_id`);--> statement-breakpoint
CREATE INDEX `documents_account_source_quote` ON `documents` (`account_id`,`source_quote_id`);