import { sql } from "drizzle-orm";
import { index, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
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
    /**
     * The key of the send form shown (or an API Idempotency-Key): the row is claimed with it BEFORE
     * the email leaves, so a double submit or a retried request sends once. mail_id is '' until sent.
     */
    requestKey: text("request_key"),
  },
  (t) => [
    index("document_sends_document").on(t.accountId, t.documentId, t.createdAt),
    index("document_sends_mail").on(t.mailId),
    uniqueIndex("document_sends_request").on(t.accountId, t.requestKey).where(sql`request_key IS NOT NULL`),
  ],
);

/**
 * An account's own wording of an email (features/sending/email-templates.ts), per kind and
 * language; no row means the built-in text. The placeholders ({numero}…) are checked on save.
 */
export const emailTemplates = sqliteTable(
  "email_templates",
  {
    accountId: text("account_id").notNull(),
    kind: text("kind", { enum: ["invoice", "quote", "credit_note", "reminder"] }).notNull(),
    language: text("language", { enum: ["fr", "en"] }).notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.kind, t.language] })],
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
