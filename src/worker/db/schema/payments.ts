import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/** How money actually comes in: what a payment can be entered with (form, API, Stripe). */
export const RECEIVED_PAYMENT_METHODS = ["virement", "cheque", "especes", "carte", "stripe", "autre"] as const;
/**
 * Settling an invoice from the client's credit (features/payments applyClientCredit). It counts
 * toward what the invoice has been paid (status, balances, reminders) but is NOT money received: the
 * cash was counted when the client overpaid. So it stays out of the receipts book, URSSAF turnover,
 * received totals and FEC bank lines, and is never entered by hand. A negative entry with this
 * method that corrects nothing is credit taken back after a refund left it unfunded (payments verbs
 * takeBackSpentCredit): the invoice it settled owes that part again.
 */
export const CLIENT_CREDIT_METHOD = "avoir_client";
export const PAYMENT_METHODS = [...RECEIVED_PAYMENT_METHODS, CLIENT_CREDIT_METHOD] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * The receipts book (livre des recettes, LEGAL.md §8): one row per money received on an issued
 * invoice or deposit invoice. Rows are never edited nor deleted (triggers); a mistake is reversed
 * by a negative "correction" row pointing at the payment it cancels.
 */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    documentId: text("document_id").notNull(),
    clientId: text("client_id").notNull(),
    /** Day the money was received (YYYY-MM-DD); a correction carries the date of the payment it reverses. */
    receivedOn: text("received_on").notNull(),
    /** Positive for a payment, the exact opposite of the original for a correction. */
    amountCents: integer("amount_cents").notNull(),
    method: text("method", { enum: PAYMENT_METHODS }).notNull(),
    reference: text("reference"),
    correctsPaymentId: text("corrects_payment_id"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    // An invoice's payments in the order they are shown: without created_at here, SQLite sorts
    // through payments_account_created and reads every payment of the account.
    index("payments_account_document_created").on(t.accountId, t.documentId, t.createdAt, t.id),
    index("payments_account_created").on(t.accountId, t.createdAt, t.id),
    // A client's page lists its payments newest first (listPayments with a client).
    index("payments_account_client_created").on(t.accountId, t.clientId, t.createdAt, t.id),
    // A payment is reversed at most once.
    uniqueIndex("payments_corrected_once").on(t.correctsPaymentId).where(sql`corrects_payment_id IS NOT NULL`),
    // The 13-month privacy purge finds the references still held without scanning the whole book.
    index("payments_reference_held").on(t.receivedOn).where(sql`reference IS NOT NULL`),
  ],
);

/**
 * Money a client holds with the account. Per invoice, its rows always add up to
 * max(0, paid − max(0, due − credited)) − the credit spent on it (features/payments creditRecount):
 * excess payments, the part of a credit note already paid, −x per use of the credit, +x per use
 * reversed or taken back. `paymentId` is the payment that moved it, or the credit note's document
 * id when issuing a credit note did.
 */
export const clientCredits = sqliteTable(
  "client_credits",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    clientId: text("client_id").notNull(),
    documentId: text("document_id").notNull(),
    paymentId: text("payment_id").notNull(),
    amountCents: integer("amount_cents").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("client_credits_account_client").on(t.accountId, t.clientId), index("client_credits_account_document").on(t.accountId, t.documentId)],
);

/**
 * Per account and month (YYYY-MM): invoiced (issued invoices minus credit notes, amounts due) and
 * received (payments, by date received). Kept up to date in the same batch as the writes that
 * change them, so dashboards and declarations read one row per month.
 */
export const monthlyTotals = sqliteTable(
  "monthly_totals",
  {
    accountId: text("account_id").notNull(),
    month: text("month").notNull(),
    invoicedCents: integer("invoiced_cents").notNull().default(0),
    receivedCents: integer("received_cents").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.month] })],
);
