import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Totals of the document lists (count, signed total TTC, amount still due) per account, type and
 * list state (documents.list_state), kept by triggers on documents (migrations: document_lists), so
 * a list's totals read a handful of rows whatever the history.
 *
 * States that today splits (open invoices by due date, sent quotes by validity) are stored as a
 * dyadic tree over the day number d (days since 1970-01-01): for each level L in 0..16 the row
 * bucket = L·65536 + (d >> L) holds the documents whose d falls in that node. "Before today" is
 * then the sum of at most 16 nodes, and level 16 (bucket 1 048 576) holds every document of the
 * state. Other states only have the level-16 row.
 */
export const documentTallies = sqliteTable(
  "document_tallies",
  {
    accountId: text("account_id").notNull(),
    type: text("type").notNull(),
    state: text("state").notNull(),
    bucket: integer("bucket").notNull(),
    documents: integer("documents").notNull().default(0),
    /** Credit notes count negative: they give money back. */
    taxInclusiveCents: integer("tax_inclusive_cents").notNull().default(0),
    outstandingCents: integer("outstanding_cents").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.type, t.state, t.bucket] })],
);
