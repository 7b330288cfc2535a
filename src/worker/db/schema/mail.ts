import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * Every email sent. Bodies are kept only for the local dev outbox (provider "outbox"); with Resend
 * only the metadata stays.
 */
export const mailLog = sqliteTable(
  "mail_log",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id"),
    userId: text("user_id"),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    template: text("template").notNull(),
    provider: text("provider", { enum: ["resend", "outbox"] }).notNull(),
    providerMessageId: text("provider_message_id"),
    status: text("status", { enum: ["sent", "failed", "delivered", "bounced", "complained"] }).notNull(),
    bodyText: text("body_text"),
    bodyHtml: text("body_html"),
    /** Name, type and size of each attachment (never the bytes). */
    attachments: text("attachments", { mode: "json" }).$type<Array<{ filename: string; contentType: string; size: number }>>(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("mail_log_account").on(t.accountId, t.createdAt), index("mail_log_created").on(t.createdAt), index("mail_log_provider_message").on(t.providerMessageId)],
);
