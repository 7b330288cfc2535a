import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * E-reporting (Flux 10) reports sent to the PA, one row per file: a period's transactions (10.3
 * B2C per day and category, 10.1 international B2B per invoice) or payments (10.4 / 10.2). The first
 * file of a period is `IN`; when the period's data change afterwards, a replacement `RE` file
 * carries the whole period again. `data_hash` is the sha256 of the report's content without its
 * header (id, dates), so "did the period change" is one comparison.
 */
export const ereports = sqliteTable(
  "ereports",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    periodStart: text("period_start").notNull(),
    periodEnd: text("period_end").notNull(),
    kind: text("kind", { enum: ["transactions", "payments"] }).notNull(),
    typeCode: text("type_code", { enum: ["IN", "RE"] }).notNull(),
    dataHash: text("data_hash").notNull(),
    fileKey: text("file_key").notNull(),
    fileSha256: text("file_sha256").notNull(),
    flowId: text("flow_id"),
    /** sent: the PA answered 202 · acked: ack Ok · error: ack Error (ackReason). */
    state: text("state", { enum: ["sent", "acked", "error"] }).notNull(),
    ackReason: text("ack_reason"),
    submittedAt: timestamp("submitted_at").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("ereports_account_period").on(t.accountId, t.periodStart, t.kind, t.submittedAt)],
);

/**
 * E-reporting deadline reminders already emailed: one row per (account, period), claimed before the
 * email goes (INSERT … ON CONFLICT DO NOTHING), so a cron that runs twice sends once.
 */
export const ereportReminders = sqliteTable(
  "ereport_reminders",
  {
    accountId: text("account_id").notNull(),
    /** The reminded period's first day (YYYY-MM-DD). */
    periodStart: text("period_start").notNull(),
    /** Its deadline (YYYY-MM-DD). */
    deadline: text("deadline").notNull(),
    sentAt: timestamp("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.periodStart] })],
);
