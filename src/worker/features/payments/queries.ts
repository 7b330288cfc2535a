import { and, desc, eq, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { CLIENT_CREDIT_METHOD, clients, documents, payments } from "../../db/schema";
import { type AgingBucket, AGING_BUCKETS } from "../../domain/invoice-status";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { decodeCursor, encodeCursor } from "../documents/queries";

export const PAGE_SIZE = 25;

/**
 * One page of the receipts book, newest entry first, by keyset (created_at, id): page size + 1
 * rows read whatever the account's history. Money received only: a client's credit used on an
 * invoice shows on that invoice, not here.
 */
export async function listPayments(ctx: AccountVerbCtx, q: { cursor?: string; limit?: number } = {}) {
  const limit = Math.min(q.limit ?? PAGE_SIZE, 100);
  const after = q.cursor ? decodeCursor(ctx, q.cursor) : null;
  const rows = await ctx.db
    .select({
      id: payments.id,
      documentId: payments.documentId,
      receivedOn: payments.receivedOn,
      amountCents: payments.amountCents,
      method: payments.method,
      reference: payments.reference,
      correctsPaymentId: payments.correctsPaymentId,
      createdAt: payments.createdAt,
      documentNumber: documents.number,
      clientId: payments.clientId,
      clientName: clients.name,
    })
    .from(payments)
    .leftJoin(documents, and(eq(documents.id, payments.documentId), eq(documents.accountId, payments.accountId)))
    .leftJoin(clients, and(eq(clients.id, payments.clientId), eq(clients.accountId, payments.accountId)))
    .where(
      and(
        eq(payments.accountId, ctx.accountId),
        ne(payments.method, CLIENT_CREDIT_METHOD),
        after ? or(lt(payments.createdAt, after.createdAt), and(eq(payments.createdAt, after.createdAt), lt(payments.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit + 1)
    .all();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

export type Buckets = Record<AgingBucket, number>;

export interface ClientReceivable extends Buckets {
  clientId: string;
  clientName: string | null;
  totalCents: number;
  creditCents: number;
  invoices: number;
}

export interface OverdueInvoice {
  id: string;
  number: string | null;
  clientId: string;
  clientName: string | null;
  dueDate: string;
  daysLate: number;
  outstandingCents: number;
}

export interface Receivables {
  today: string;
  totals: Buckets & { totalCents: number; invoices: number };
  clients: ClientReceivable[];
  overdue: OverdueInvoice[];
}

/**
 * Open items of the account: the invoices that still ask for money, read from invoice_balances
 * (kept by triggers on documents and payments: amount due, less issued credit notes and payments)
 * through its partial index on what is still owed. Reads follow what clients owe now, not the
 * account's history; nothing but aggregates and the shown rows reaches the Worker.
 */
function openItems(accountId: string, today: string): SQL {
  return sql`WITH open AS (
      SELECT b.document_id AS id, b.client_id, b.due_date, b.outstanding_cents AS outstanding,
        CASE WHEN b.due_date IS NULL THEN 0 ELSE CAST(julianday(${today}) - julianday(b.due_date) AS INTEGER) END AS late
      FROM invoice_balances b INDEXED BY invoice_balances_open
      WHERE b.account_id = ${accountId} AND b.outstanding_cents > 0
    )`;
}

const bucketColumns = sql`COALESCE(SUM(outstanding), 0) AS totalCents, COUNT(*) AS invoices,
  COALESCE(SUM(CASE WHEN late <= 0 THEN outstanding END), 0) AS not_due,
  COALESCE(SUM(CASE WHEN late BETWEEN 1 AND 30 THEN outstanding END), 0) AS d1_30,
  COALESCE(SUM(CASE WHEN late BETWEEN 31 AND 60 THEN outstanding END), 0) AS d31_60,
  COALESCE(SUM(CASE WHEN late BETWEEN 61 AND 90 THEN outstanding END), 0) AS d61_90,
  COALESCE(SUM(CASE WHEN late > 90 THEN outstanding END), 0) AS over_90`;

type BucketRow = Record<AgingBucket | "totalCents" | "invoices", number>;

function bucketsOf(row: Partial<BucketRow> | undefined): Buckets & { totalCents: number; invoices: number } {
  const out = { totalCents: Number(row?.totalCents ?? 0), invoices: Number(row?.invoices ?? 0) } as Buckets & { totalCents: number; invoices: number };
  for (const b of AGING_BUCKETS) out[b] = Number(row?.[b] ?? 0);
  return out;
}

/**
 * What clients owe: totals by aging bucket (not due, 1–30, 31–60, 61–90, over 90 days late), the
 * same per client (largest first, with their credit), and the overdue invoices, oldest due first.
 */
export async function receivables(ctx: AccountVerbCtx, opts: { today?: string; clientLimit?: number; overdueLimit?: number } = {}): Promise<Receivables> {
  const today = opts.today ?? todayInParis(ctx.now);
  const open = openItems(ctx.accountId, today);
  // Raw statements cannot join a drizzle batch; three reads of aggregates, side by side.
  const [totals, perClient, overdue] = await Promise.all([
    ctx.db.all<BucketRow>(sql`${open} SELECT ${bucketColumns} FROM open WHERE outstanding > 0`),
    ctx.db.all<BucketRow & { clientId: string; clientName: string | null; creditCents: number }>(sql`${open}
      SELECT o.client_id AS clientId, cl.name AS clientName, ${bucketColumns},
        (SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits cc WHERE cc.account_id = ${ctx.accountId} AND cc.client_id = o.client_id) AS creditCents
      FROM open o LEFT JOIN clients cl ON cl.id = o.client_id AND cl.account_id = ${ctx.accountId}
      WHERE o.outstanding > 0 GROUP BY o.client_id ORDER BY totalCents DESC, o.client_id LIMIT ${opts.clientLimit ?? 100}`),
    ctx.db.all<OverdueInvoice>(sql`${open}
      SELECT o.id, d.number, o.client_id AS clientId, cl.name AS clientName, o.due_date AS dueDate, o.late AS daysLate, o.outstanding AS outstandingCents
      FROM open o JOIN documents d ON d.id = o.id AND d.account_id = ${ctx.accountId}
      LEFT JOIN clients cl ON cl.id = o.client_id AND cl.account_id = ${ctx.accountId}
      WHERE o.outstanding > 0 AND o.late > 0 ORDER BY o.due_date, o.id LIMIT ${opts.overdueLimit ?? 100}`),
  ]);
  return {
    today,
    totals: bucketsOf(totals[0]),
    clients: perClient.map((r) => ({ ...bucketsOf(r), clientId: r.clientId, clientName: r.clientName, creditCents: Number(r.creditCents) })),
    overdue: overdue.map((r) => ({ ...r, daysLate: Number(r.daysLate), outstandingCents: Number(r.outstandingCents) })),
  };
}
