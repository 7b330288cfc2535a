import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Per account and client: what the client still owes on its open invoices, and how many they are,
 * kept by triggers on invoice_balances (migration "client_open_balances_triggers", like
 * open_totals). Receivables list the largest debtors first through the rank index, reading the
 * clients they show, not every open invoice. Rows that fall back to nothing are removed; an
 * invoice without a client counts under client_id ''.
 */
export const clientOpenBalances = sqliteTable(
  "client_open_balances",
  {
    accountId: text("account_id").notNull(),
    clientId: text("client_id").notNull(),
    outstandingCents: integer("outstanding_cents").notNull().default(0),
    openInvoices: integer("open_invoices").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.clientId] }),
    index("client_open_balances_rank").on(t.accountId, sql`${t.outstandingCents} DESC`, t.clientId),
  ],
);
