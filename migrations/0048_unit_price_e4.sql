ALTER TABLE `document_lines` ADD `unit_price_e4` integer;--> statement-breakpoint
ALTER TABLE `products` ADD `unit_price_e4` integer;