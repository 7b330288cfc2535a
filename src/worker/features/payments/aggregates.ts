import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { monthlyTotals } from "../../db/schema";

/** "2026-03-14" → "2026-03". */
export const monthOf = (isoDate: string) => isoDate.slice(0, 7);

/** Adds to one month's totals (creating the row on first use); meant for the writer's own batch. */
export function addToMonth(db: Db, accountId: string, month: string, add: { invoicedCents?: number; receivedCents?: number }) {
  const invoiced = add.invoicedCents ?? 0;
  const received = add.receivedCents ?? 0;
  return db
    .insert(monthlyTotals)
    .values({ accountId, month, invoicedCents: invoiced, receivedCents: received })
    .onConflictDoUpdate({
      target: [monthlyTotals.accountId, monthlyTotals.month],
      set: {
        invoicedCents: sql`${monthlyTotals.invoicedCents} + excluded.invoiced_cents`,
        receivedCents: sql`${monthlyTotals.receivedCents} + excluded.received_cents`,
      },
    });
}

/**
 * The statements to add to the batch that writes an issued document: what it adds to the month's
 * invoiced total (its amount due; a credit note takes its amount off). Quotes invoice nothing.
 * Guarded by the document's own issued_at, set by the same batch: if that batch's update matched
 * nothing (another request finished the issue first), the total is not counted twice.
 */
export function aggregateStatementsForIssue(
  db: Db,
  accountId: string,
  doc: { id: string; type: "quote" | "invoice" | "deposit_invoice" | "credit_note"; issueDate: string; dueCents: number; issuedAt: number },
) {
  if (doc.type === "quote" || doc.dueCents === 0) return [];
  const signed = doc.type === "credit_note" ? -doc.dueCents : doc.dueCents;
  return [
    db
      .insert(monthlyTotals)
      .select(
        sql`SELECT ${accountId}, ${monthOf(doc.issueDate)}, ${signed}, 0 WHERE EXISTS (SELECT 1 FROM documents WHERE id = ${doc.id} AND account_id = ${accountId} AND issued_at = ${doc.issuedAt})`,
      )
      .onConflictDoUpdate({
        target: [monthlyTotals.accountId, monthlyTotals.month],
        set: { invoicedCents: sql`${monthlyTotals.invoicedCents} + excluded.invoiced_cents` },
      }),
  ];
}

/**
 * Adds to one month's received total only if the payment row `paymentId` exists at that point of
 * the batch: for payments written under a guard that may have refused them.
 */
export function addToMonthIfWritten(db: Db, accountId: string, month: string, receivedCents: number, paymentId: string) {
  return db
    .insert(monthlyTotals)
    .select(sql`SELECT ${accountId}, ${month}, 0, ${receivedCents} WHERE EXISTS (SELECT 1 FROM payments WHERE id = ${paymentId} AND account_id = ${accountId})`)
    .onConflictDoUpdate({
      target: [monthlyTotals.accountId, monthlyTotals.month],
      set: { receivedCents: sql`${monthlyTotals.receivedCents} + excluded.received_cents` },
    });
}
