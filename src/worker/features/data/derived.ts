/**
 * The figures the database derives from documents and payments (triggers of migrations 0013, 0017,
 * 0021, 0026, 0027, 0034), recomputed from scratch for one account. An import writes rows whose
 * inserts fire those triggers, then puts back keyed rows whose own inserts fire them again (an
 * invoice balance re-inserted adds its amount to its client's open balance a second time): after it,
 * every derived figure must equal what the documents and payments say, so the import ends with these
 * statements, in this order, in one batch.
 *
 * The SQL follows the backfills of those migrations, restricted to one account. User state kept on
 * derived rows (an invoice's paused reminders, a product's low-stock threshold) is left as it is.
 * Not here: client_window_totals, the per-client 12-month windows, which keep what a document purged
 * after ten years once invoiced (no trigger takes it back), so they cannot be recomputed from the
 * documents left; the import puts the archive's rows back over what its inserts derived, exactly.
 */

/** What an issued invoice still owes, from its documents and payments (the 0013 rule). */
const BALANCE = `
  SELECT d.id AS document_id, d.account_id, d.client_id, d.due_date, d.due_cents,
    COALESCE(c.cents, 0) AS credited_cents, COALESCE(p.cents, 0) AS paid_cents,
    CASE WHEN d.status = 'cancelled' THEN 0 ELSE MAX(0, MAX(0, d.due_cents - COALESCE(c.cents, 0)) - COALESCE(p.cents, 0)) END AS outstanding_cents,
    d.status = 'cancelled' AS cancelled
  FROM documents d
  LEFT JOIN (SELECT preceding_document_id AS id, SUM(due_cents) AS cents FROM documents
    WHERE account_id = ?1 AND type = 'credit_note' AND status != 'draft' AND preceding_document_id IS NOT NULL GROUP BY preceding_document_id) c ON c.id = d.id
  LEFT JOIN (SELECT document_id AS id, SUM(amount_cents) AS cents FROM payments WHERE account_id = ?1 GROUP BY document_id) p ON p.id = d.id
  WHERE d.account_id = ?1 AND d.type IN ('invoice', 'deposit_invoice') AND d.status != 'draft'`;

const TALLY_KEYS = "(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16))";

/** The statements, in order; each binds the account id as ?1. */
export const REDERIVE_SQL: readonly string[] = [
  // Documents' own list state (0017): what was paid and credited on each issued invoice.
  `UPDATE documents SET
     paid_cents = COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.account_id = ?1 AND p.document_id = documents.id), 0),
     credited_cents = COALESCE((SELECT SUM(c.due_cents) FROM documents c WHERE c.account_id = ?1 AND c.preceding_document_id = documents.id
       AND c.type = 'credit_note' AND c.status != 'draft'), 0)
   WHERE account_id = ?1 AND type IN ('invoice', 'deposit_invoice') AND status != 'draft'`,
  // Invoice balances (0013, 0027): rows kept (their paused reminders are the user's), values recomputed.
  `DELETE FROM invoice_balances WHERE account_id = ?1 AND document_id NOT IN (SELECT document_id FROM (${BALANCE}))`,
  `INSERT INTO invoice_balances (document_id, account_id, client_id, due_date, due_cents, credited_cents, paid_cents, outstanding_cents, cancelled)
   SELECT * FROM (${BALANCE}) WHERE true
   ON CONFLICT (document_id) DO UPDATE SET client_id = excluded.client_id, due_date = excluded.due_date, due_cents = excluded.due_cents,
     credited_cents = excluded.credited_cents, paid_cents = excluded.paid_cents, outstanding_cents = excluded.outstanding_cents, cancelled = excluded.cancelled`,
  // Keyed totals: every row zeroed, then the recomputed values written over them (rows keep their
  // place, so an import still reads exactly like its archive); rows the triggers delete at zero
  // (0021, 0034) are deleted at zero here too.
  "UPDATE open_due_totals SET outstanding_cents = 0, invoices = 0 WHERE account_id = ?1",
  `INSERT INTO open_due_totals (account_id, due_date, outstanding_cents, invoices)
   SELECT account_id, COALESCE(due_date, '9999-12-31'), SUM(outstanding_cents), COUNT(*) FROM invoice_balances
   WHERE account_id = ?1 AND outstanding_cents > 0 GROUP BY COALESCE(due_date, '9999-12-31')
   ON CONFLICT (account_id, due_date) DO UPDATE SET outstanding_cents = excluded.outstanding_cents, invoices = excluded.invoices`,
  "DELETE FROM open_due_totals WHERE account_id = ?1 AND outstanding_cents = 0 AND invoices = 0",
  "UPDATE open_totals SET outstanding_cents = 0, invoices = 0 WHERE account_id = ?1",
  `INSERT INTO open_totals (account_id, outstanding_cents, invoices)
   SELECT account_id, SUM(outstanding_cents), COUNT(*) FROM invoice_balances WHERE account_id = ?1 AND outstanding_cents > 0 GROUP BY account_id
   ON CONFLICT (account_id) DO UPDATE SET outstanding_cents = excluded.outstanding_cents, invoices = excluded.invoices`,
  "UPDATE client_open_balances SET outstanding_cents = 0, open_invoices = 0 WHERE account_id = ?1",
  `INSERT INTO client_open_balances (account_id, client_id, outstanding_cents, open_invoices)
   SELECT account_id, COALESCE(client_id, ''), SUM(outstanding_cents), COUNT(*) FROM invoice_balances
   WHERE account_id = ?1 AND outstanding_cents > 0 GROUP BY COALESCE(client_id, '')
   ON CONFLICT (account_id, client_id) DO UPDATE SET outstanding_cents = excluded.outstanding_cents, open_invoices = excluded.open_invoices`,
  "DELETE FROM client_open_balances WHERE account_id = ?1 AND outstanding_cents = 0 AND open_invoices = 0",
  // The lists' tallies (0017).
  "UPDATE document_tallies SET documents = 0, tax_inclusive_cents = 0, outstanding_cents = 0 WHERE account_id = ?1",
  `INSERT INTO document_tallies (account_id, type, state, bucket, documents, tax_inclusive_cents, outstanding_cents)
   SELECT d.account_id, d.type, d.list_state,
     k.column1 * 65536 + (MAX(0, MIN(65535, COALESCE(CAST(julianday(d.date_key) - 2440587.5 AS INTEGER), 65535))) >> k.column1) AS bucket,
     COUNT(*),
     SUM(CASE WHEN d.type = 'credit_note' THEN -d.tax_inclusive_cents ELSE d.tax_inclusive_cents END),
     SUM(CASE WHEN d.list_state IN ('open', 'partial') THEN MAX(0, d.due_cents - d.credited_cents) - d.paid_cents ELSE 0 END)
   FROM documents d, ${TALLY_KEYS} AS k
   WHERE d.account_id = ?1 AND (k.column1 = 16 OR d.date_key IS NOT NULL)
   GROUP BY d.type, d.list_state, bucket
   ON CONFLICT (account_id, type, state, bucket) DO UPDATE SET documents = excluded.documents,
     tax_inclusive_cents = excluded.tax_inclusive_cents, outstanding_cents = excluded.outstanding_cents`,
  // Stock on hand = Σ movements (0026); the threshold is the user's.
  `UPDATE stock_levels SET on_hand_e4 = (SELECT COALESCE(SUM(m.quantity_e4), 0) FROM stock_movements m WHERE m.account_id = ?1 AND m.product_id = stock_levels.product_id)
   WHERE account_id = ?1`,
];

/** The recomputation as prepared statements for one D1 batch (all or nothing). */
export function rederiveStatements(d1: D1Database, accountId: string): D1PreparedStatement[] {
  return REDERIVE_SQL.map((text) => d1.prepare(text).bind(accountId));
}
