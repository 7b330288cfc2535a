import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * How the micro-entrepreneur declares to URSSAF (LEGAL.md §8): the category of their services
 * (BIC for commercial or craft services, BNC for liberal professions) and the declaration
 * frequency. One row per account, written when the user confirms the settings; an account
 * without a row uses the defaults of features/books and is asked to confirm them.
 */
export const booksSettings = sqliteTable("books_settings", {
  accountId: text("account_id").primaryKey(),
  serviceCategory: text("service_category", { enum: ["bic", "bnc"] }).notNull(),
  declarationFrequency: text("declaration_frequency", { enum: ["monthly", "quarterly"] }).notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});

/**
 * URSSAF deadline reminders already sent: the primary key makes the daily job idempotent (one
 * reminder per account and deadline, whatever the number of runs).
 */
export const urssafReminders = sqliteTable(
  "urssaf_reminders",
  {
    accountId: text("account_id").notNull(),
    /** The deadline reminded of (YYYY-MM-DD). */
    deadline: text("deadline").notNull(),
    /** The declared period ("2026-03", "2026-Q3"). */
    period: text("period").notNull(),
    sentAt: timestamp("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.deadline] })],
);
