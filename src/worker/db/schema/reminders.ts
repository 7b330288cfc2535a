import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * An account's reminder plan: offsets in days from the due date (−3 = three days before, 7 = a
 * week after). No row means the default plan (features/reminders/plan.ts); an empty list turns
 * automatic reminders off.
 */
export const reminderPlans = sqliteTable("reminder_plans", {
  accountId: text("account_id").primaryKey(),
  offsets: text("offsets", { mode: "json" }).$type<number[]>().notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});

/**
 * Every reminder, automatic or one-click. The row is written BEFORE the email goes out, and
 * (document_id, step) is unique: a second run of the job, or a second click the same day, finds
 * the row and sends nothing. step is "auto:<offset>" or "manual:<YYYY-MM-DD>".
 */
export const reminderLog = sqliteTable(
  "reminder_log",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    documentId: text("document_id").notNull(),
    step: text("step").notNull(),
    kind: text("kind", { enum: ["auto", "manual"] }).notNull(),
    /** Plan offset of an automatic reminder; null for a one-click one. */
    offsetDays: integer("offset_days"),
    /** pending: claimed, email not confirmed (a crash in between leaves it so, and it is never resent). */
    status: text("status", { enum: ["pending", "sent", "failed", "skipped"] }).notNull(),
    /** Why a reminder was skipped or failed: bounced, complained, no_email, provider. */
    reason: text("reason"),
    mailId: text("mail_id"),
    toAddress: text("to_address"),
    language: text("language", { enum: ["fr", "en"] }),
    outstandingCents: integer("outstanding_cents").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [uniqueIndex("reminder_log_step_once").on(t.documentId, t.step), index("reminder_log_account_document").on(t.accountId, t.documentId, t.createdAt)],
);

/**
 * One row per issued invoice or deposit invoice: what it asks, what credit notes took off, what was
 * received, and what is still owed. Maintained by triggers on documents and payments (migration
 * "treasury_triggers"), so every write path keeps it right; open invoices are found through a
 * partial index on outstanding_cents > 0, in proportion to what is owed, never to the history.
 * reminders_paused_at is the one column the application writes (pause an invoice's reminders).
 */
export const invoiceBalances = sqliteTable(
  "invoice_balances",
  {
    documentId: text("document_id").primaryKey(),
    accountId: text("account_id").notNull(),
    clientId: text("client_id"),
    dueDate: text("due_date"),
    dueCents: integer("due_cents").notNull(),
    creditedCents: integer("credited_cents").notNull().default(0),
    paidCents: integer("paid_cents").notNull().default(0),
    outstandingCents: integer("outstanding_cents").notNull(),
    cancelled: integer("cancelled", { mode: "boolean" }).notNull().default(false),
    remindersPausedAt: timestamp("reminders_paused_at"),
  },
  (t) => [
    index("invoice_balances_open").on(t.accountId, t.dueDate).where(sql`outstanding_cents > 0`),
    index("invoice_balances_open_due").on(t.dueDate).where(sql`outstanding_cents > 0`),
    // A client's open items by due date: the receivables' per-client aging reads only the shown clients' recent ones.
    index("invoice_balances_client_open").on(t.accountId, t.clientId, t.dueDate).where(sql`outstanding_cents > 0`),
  ],
);

/**
 * Per account, client and 12-month window (keyed by its last month, YYYY-MM): invoiced and
 * received in the window. Each invoice or payment adds to the 12 windows that contain its month
 * (triggers), so "top clients of the last 12 months" reads exactly the rows it shows.
 */
export const clientWindowTotals = sqliteTable(
  "client_window_totals",
  {
    accountId: text("account_id").notNull(),
    windowEnd: text("window_end").notNull(),
    clientId: text("client_id").notNull(),
    invoicedCents: integer("invoiced_cents").notNull().default(0),
    receivedCents: integer("received_cents").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.windowEnd, t.clientId] }), index("client_window_totals_rank").on(t.accountId, t.windowEnd, t.invoicedCents, t.clientId)],
);

/**
 * What is owed per account and due date (open invoices only; "9999-12-31" for invoices without a due date, so that one range from today reads both),
 * kept by triggers on invoice_balances. The dashboard reads the rows from today on (expected
 * receipts) and gets "overdue" as the account total minus those: an account with hundreds of
 * unpaid old invoices costs no more to show than one with three.
 */
export const openDueTotals = sqliteTable(
  "open_due_totals",
  {
    accountId: text("account_id").notNull(),
    dueDate: text("due_date").notNull(),
    outstandingCents: integer("outstanding_cents").notNull().default(0),
    invoices: integer("invoices").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.dueDate] })],
);

/** Per account: everything owed on open invoices, and how many they are (triggers on invoice_balances). */
export const openTotals = sqliteTable("open_totals", {
  accountId: text("account_id").primaryKey(),
  outstandingCents: integer("outstanding_cents").notNull().default(0),
  invoices: integer("invoices").notNull().default(0),
});
