CREATE TABLE `client_search_terms` (
	`account_id` text NOT NULL,
	`client_id` text NOT NULL,
	`term` text NOT NULL,
	PRIMARY KEY(`account_id`, `term`, `client_id`),
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `client_search_terms_client` ON `client_search_terms` (`account_id`,`client_id`,`term`);--> statement-breakpoint
CREATE TABLE `product_search_terms` (
	`account_id` text NOT NULL,
	`product_id` text NOT NULL,
	`term` text NOT NULL,
	PRIMARY KEY(`account_id`, `term`, `product_id`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `product_search_terms_product` ON `product_search_terms` (`account_id`,`product_id`,`term`);--> statement-breakpoint
-- Index the names already stored, by the rule of nameTerms() in features/clients/terms.ts: a word
-- starts after a separator; each word but the first gives its tail, a line feed, the whole key.
WITH RECURSIVE pos(id, account_id, name, n) AS (
	SELECT id, account_id, search_name, 2 FROM `clients` WHERE length(search_name) >= 2
	UNION ALL SELECT id, account_id, name, n + 1 FROM pos WHERE n < length(name)
)
INSERT OR IGNORE INTO `client_search_terms` (`account_id`, `client_id`, `term`)
SELECT account_id, id, substr(name, n) || char(10) || name FROM pos
WHERE instr(' -''&/().,;:_+"«»—–·!?*#@[]{}|<>=', substr(name, n - 1, 1)) > 0 AND instr(' -''&/().,;:_+"«»—–·!?*#@[]{}|<>=', substr(name, n, 1)) = 0;
--> statement-breakpoint
-- Index the names already stored, by the rule of nameTerms() in features/clients/terms.ts: a word
-- starts after a separator; each word but the first gives its tail, a line feed, the whole key.
WITH RECURSIVE pos(id, account_id, name, n) AS (
	SELECT id, account_id, search_name, 2 FROM `products` WHERE length(search_name) >= 2
	UNION ALL SELECT id, account_id, name, n + 1 FROM pos WHERE n < length(name)
)
INSERT OR IGNORE INTO `product_search_terms` (`account_id`, `product_id`, `term`)
SELECT account_id, id, substr(name, n) || char(10) || name FROM pos
WHERE instr(' -''&/().,;:_+"«»—–·!?*#@[]{}|<>=', substr(name, n - 1, 1)) > 0 AND instr(' -''&/().,;:_+"«»—–·!?*#@[]{}|<>=', substr(name, n, 1)) = 0;
