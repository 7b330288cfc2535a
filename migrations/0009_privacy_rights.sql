ALTER TABLE `accounts` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `marketing_opt_in_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `marketing_wording_version` text;--> statement-breakpoint
ALTER TABLE `users` ADD `analytics_opt_out_at` integer;