ALTER TABLE `documents` ADD `public_token_sealed` text;--> statement-breakpoint
ALTER TABLE `documents` ADD `sent_at` integer;--> statement-breakpoint
ALTER TABLE `documents` ADD `answered_at` integer;--> statement-breakpoint
ALTER TABLE `documents` ADD `answer_seen_at` integer;--> statement-breakpoint
CREATE INDEX `documents_answers_unseen` ON `documents` (`account_id`,`answered_at`) WHERE answered_at IS NOT NULL AND answer_seen_at IS NULL;--> statement-breakpoint
-- Quotes already shared or emailed before sent_at existed read "Envoyé", as they did.
UPDATE `documents` SET `sent_at` = `updated_at` WHERE `type` = 'quote' AND `status` != 'draft' AND (`public_token_hash` IS NOT NULL OR EXISTS (SELECT 1 FROM `document_sends` s WHERE s.`document_id` = `documents`.`id`));
