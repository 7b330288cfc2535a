ALTER TABLE `auth_tokens` ADD `bound_email` text;--> statement-breakpoint
-- Links minted before this migration stay valid while the user's email is the same.
UPDATE `auth_tokens` SET `bound_email` = (SELECT `email` FROM `users` WHERE `users`.`id` = `auth_tokens`.`user_id`) WHERE `used_at` IS NULL;
