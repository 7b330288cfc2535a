ALTER TABLE `clients` ADD `code` text;--> statement-breakpoint
-- Backfill (features/clients/code.ts): the first 8 Latin letters of the accent-free search name,
-- upper case ('CLIENT' without any), then a suffix 2, 3… by creation order where an account has
-- the same letters twice. Letters-only bases make the suffixed codes unique by construction.
UPDATE `clients` SET `code` = (
  WITH RECURSIVE walk(i, out) AS (
    SELECT 1, ''
    UNION ALL
    SELECT i + 1, out || CASE WHEN substr(`clients`.`search_name`, i, 1) BETWEEN 'a' AND 'z' THEN upper(substr(`clients`.`search_name`, i, 1)) ELSE '' END
    FROM walk WHERE i <= length(`clients`.`search_name`) AND length(out) < 8
  )
  SELECT CASE WHEN max(length(out)) > 0 THEN (SELECT out FROM walk ORDER BY length(out) DESC LIMIT 1) ELSE 'CLIENT' END FROM walk
) WHERE `code` IS NULL;--> statement-breakpoint
-- The ranks are read from a copy: an UPDATE reading its own table would see the codes it already changed.
CREATE TABLE `client_code_ranks` AS SELECT `id`, ROW_NUMBER() OVER (PARTITION BY `account_id`, `code` ORDER BY `created_at`, `id`) AS `rn` FROM `clients`;--> statement-breakpoint
UPDATE `clients` SET `code` = `code` || (SELECT `rn` FROM `client_code_ranks` r WHERE r.`id` = `clients`.`id`)
  WHERE `id` IN (SELECT `id` FROM `client_code_ranks` WHERE `rn` > 1);--> statement-breakpoint
DROP TABLE `client_code_ranks`;--> statement-breakpoint
CREATE UNIQUE INDEX `clients_account_code` ON `clients` (`account_id`,`code`);
