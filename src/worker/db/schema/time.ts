import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * Time spent for clients (privacy policy §3.4 "time tracking"): one row per stretch of work, or the
 * account's one running timer (`started_at` set). Once billed, `document_id` / `document_line_id`
 * point at the invoice draft and its line; deleting the draft frees the entry again (trigger,
 * migration time_entries_free_on_draft_delete).
 */
export const timeEntries = sqliteTable(
  "time_entries",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    clientId: text("client_id"),
    /** A catalogue service: its price is the hourly rate, its VAT goes on the invoice line. */
    productId: text("product_id"),
    description: text("description").notNull(),
    /** Day the work was done (YYYY-MM-DD, Paris). */
    workDate: text("work_date").notNull(),
    /** Whole minutes, 1 to 1440; 0 only while the timer runs. */
    minutes: integer("minutes").notNull(),
    /** Null: no rate, nothing to bill at a price. */
    hourlyRateCents: integer("hourly_rate_cents"),
    billable: integer("billable", { mode: "boolean" }).notNull().default(true),
    documentId: text("document_id"),
    documentLineId: text("document_line_id"),
    /** Set while the timer runs: when it was started. */
    startedAt: timestamp("started_at"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [
    // The list: keyset on (work_date, id), newest day first.
    index("time_entries_account_date").on(t.accountId, t.workDate, t.id),
    // "What is left to bill for this client": the billing page reads only those rows.
    index("time_entries_unbilled_client").on(t.accountId, t.clientId, t.workDate).where(sql`document_id IS NULL AND billable = 1`),
    // Entries billed on a document, found when the draft goes (trigger) or for the document's page.
    index("time_entries_document").on(t.documentId).where(sql`document_id IS NOT NULL`),
    // One running timer per account, enforced by the database.
    uniqueIndex("time_entries_one_timer").on(t.accountId).where(sql`started_at IS NOT NULL`),
    check("time_entries_minutes", sql`(started_at IS NOT NULL AND minutes = 0) OR (minutes BETWEEN 1 AND 1440)`),
    check("time_entries_rate", sql`hourly_rate_cents IS NULL OR hourly_rate_cents >= 0`),
  ],
);
