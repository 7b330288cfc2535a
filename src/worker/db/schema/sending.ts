import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/** Each time an issued document was emailed to its client; the delivery status lives on the mail_log row. */
export const documentSends = sqliteTable(
  "document_sends",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    documentId: text("document_id").notNull(),
    /** mail_log.id of the email. */
    mailId: text("mail_id").notNull(),
    toAddress: text("to_address").notNull(),
    language: text("language", { enum: ["fr", "en"] }).notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("document_sends_document").on(t.accountId, t.documentId, t.createdAt), index("document_sends_mail").on(t.mailId)],
);

/**
 * Addresses that bounced or complained (Resend webhooks): no automatic email goes to them again.
 * Kept per address, not per account: a dead mailbox is dead for every sender of the platform.
 */
export const emailSuppressions = sqliteTable("email_suppressions", {
  address: text("address").primaryKey(),
  reason: text("reason", { enum: ["bounced", "complained"] }).notNull(),
  eventId: text("event_id").notNull(),
  createdAt: timestamp("created_at").notNull(),
});

/** Webhook event ids already handled: a redelivered event changes nothing. */
export const webhookEvents = sqliteTable("webhook_events", {
  id: text("id").primaryKey(),
  source: text("source", { enum: ["resend"] }).notNull(),
  type: text("type").notNull(),
  receivedAt: timestamp("received_at").notNull(),
});
