import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/** The sensitive actions the account owner can review (privacy policy §8). */
export const ACCESS_ACTIONS = [
  "login",
  "document_downloaded",
  "export_requested",
  "export_downloaded",
  "import_requested",
  "import_completed",
  "import_failed",
  "import_rolled_back",
  "profile_changed",
  "bank_details_changed",
  "password_changed",
  "email_changed",
  "email_change_undone",
  "two_factor_enabled",
  "two_factor_disabled",
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/**
 * Who did what sensitive thing on the account, and when: account data, read by its owner, purged
 * with the connection logs after 12 months. No IP here (the connection log keeps it for sign-ins).
 */
export const accessLog = sqliteTable(
  "access_log",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    userId: text("user_id"),
    action: text("action", { enum: ACCESS_ACTIONS }).notNull(),
    /** What was touched: a document number, an export id; never a secret nor personal data beyond ids. */
    target: text("target"),
    at: timestamp("at").notNull(),
  },
  (t) => [index("access_log_account_at").on(t.accountId, t.at, t.id), index("access_log_at").on(t.at)],
);
