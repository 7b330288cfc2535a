import { and, desc, eq, lt, ne, or, sql } from "drizzle-orm";
import { CLIENT_CREDIT_METHOD, clients, documents, payments } from "../../db/schema";
import type { AgingBucket } from "../../domain/invoice-status";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { ALL_DAYS_BUCKET, bucketsFrom, decodeCursor, encodeCursor, readTallyNodes, sumTallyNodes } from "../documents/queries";
import { addDays } from "../../domain/mentions";

export const PAGE_SIZE = 25;

/**
 * One page of the receipts book, newest entry first, by keyset (created_at, id): page size + 1
 * rows read whatever the account's history. Money received only: a client's credit used on an
 * invoice shows on that invoice, not here. With `clientId`, that client's entries only.
 */
export async function listPayments(ctx: AccountVerbCtx, q: { cursor?: string | undefined; limit?: number; clientId?: string } = {}) {
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
        // One client's (its page): through payments_account_client_created, the same page size.
        q.clientId ? eq(payments.clientId, q.clientId) : undefined,
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

/** Days late at which the aging buckets split (1–30, 31–60, 61–90, over 90): "due from today − d on". */
const AGING_SPLITS = [0, 30, 60, 90] as const;

/**
 * The document_tallies buckets the aging totals read, per (type, state): the nodes of "due from
 * day x on" for x = today, today − 30, − 60, − 90, and the level-16 row (everything). Shared nodes
 * are read once.
 */
export function agingTallyBuckets(today: string): number[] {
  const all = new Set<number>([ALL_DAYS_BUCKET]);
  for (const d of AGING_SPLITS) for (const b of bucketsFrom(addDays(today, -d))) all.add(b);
  return [...all].sort((a, b) => a - b);
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

const OPEN_TYPES = ["invoice", "deposit_invoice"] as const;
const OPEN_STATES = ["open", "partial"] as const;

/**
 * The account's aging totals from document_tallies, in one read of the tree's nodes: "due from
 * day x on" (S(x)) is the sum of the nodes of bucketsFrom(x) over invoices and deposit invoices,
 * open or partly paid; each bucket is a difference of S(today), S(today − 30), S(today − 60),
 * S(today − 90) and the level-16 total (everything still owed). Invoices without a due date are
 * kept on the tree's last day: never late. Reads at most the nodes of agingTallyBuckets.
 */
async function agingTotals(ctx: AccountVerbCtx, today: string): Promise<Buckets & { totalCents: number; invoices: number }> {
  const buckets = agingTallyBuckets(today);
  const nodes = await readTallyNodes(
    ctx,
    OPEN_TYPES.flatMap((type) => OPEN_STATES.flatMap((state) => buckets.map((b) => [type, state, b] as const))),
  );
  const sum = (of: readonly number[]) => {
    let cents = 0;
    let documents = 0;
    for (const type of OPEN_TYPES)
      for (const state of OPEN_STATES) {
        const n = sumTallyNodes(nodes, type, state, of);
        cents += n.outstandingCents;
        documents += n.documents;
      }
    return { cents, documents };
  };
  const all = sum([ALL_DAYS_BUCKET]);
  const [s0, s30, s60, s90] = AGING_SPLITS.map((d) => sum(bucketsFrom(addDays(today, -d))).cents) as [number, number, number, number];
  return { totalCents: all.cents, invoices: all.documents, not_due: s0, d1_30: s30 - s0, d31_60: s60 - s30, d61_90: s90 - s60, over_90: all.cents - s90 };
}

/**
 * The largest debtors, from client_open_balances (kept by triggers on invoice_balances) through its
 * rank index: the shown clients only. Their aging buckets read their own open items due in the
 * last 90 days or later, or without a due date (invoice_balances_client_open); what is older is
 * over 90 days late, so it is the client's total less those. Reads follow the shown clients and
 * their recent invoices, not the account's unpaid history.
 */
async function largestDebtors(ctx: AccountVerbCtx, today: string, limit: number): Promise<ClientReceivable[]> {
  const a = ctx.accountId;
  const since = addDays(today, -90);
  const late = sql`CAST(julianday(${today}) - julianday(b.due_date) AS INTEGER)`;
  // One correlated subquery per shown client reads its recent items once and returns the four
  // sums as a JSON array (four scalar subqueries would read them four times); items without a due
  // date, rare, are a second seek (an OR on the index column would read all the client's items).
  const rows = await ctx.db.all<{ clientId: string; clientName: string | null; totalCents: number; invoices: number; recent: string | null; undated: number | null; creditCents: number }>(sql`
    SELECT t.client_id AS clientId, cl.name AS clientName, t.outstanding_cents AS totalCents, t.open_invoices AS invoices,
      (SELECT json_array(
          SUM(CASE WHEN ${late} <= 0 THEN b.outstanding_cents ELSE 0 END),
          SUM(CASE WHEN ${late} BETWEEN 1 AND 30 THEN b.outstanding_cents ELSE 0 END),
          SUM(CASE WHEN ${late} BETWEEN 31 AND 60 THEN b.outstanding_cents ELSE 0 END),
          SUM(CASE WHEN ${late} BETWEEN 61 AND 90 THEN b.outstanding_cents ELSE 0 END))
        FROM invoice_balances b INDEXED BY invoice_balances_client_open
        WHERE b.account_id = ${a} AND b.client_id = t.client_id AND b.outstanding_cents > 0 AND b.due_date >= ${since}) AS recent,
      (SELECT SUM(b.outstanding_cents) FROM invoice_balances b INDEXED BY invoice_balances_client_open
        WHERE b.account_id = ${a} AND b.client_id = t.client_id AND b.outstanding_cents > 0 AND b.due_date IS NULL) AS undated,
      (SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits cc WHERE cc.account_id = ${a} AND cc.client_id = t.client_id) AS creditCents
    FROM (SELECT client_id, outstanding_cents, open_invoices FROM client_open_balances INDEXED BY client_open_balances_rank
      WHERE account_id = ${a} AND open_invoices > 0 ORDER BY outstanding_cents DESC, client_id LIMIT ${limit}) t
    LEFT JOIN clients cl ON cl.id = t.client_id AND cl.account_id = ${a}
    ORDER BY t.outstanding_cents DESC, t.client_id`);
  return rows.map((r) => {
    const sums = (r.recent ? (JSON.parse(r.recent) as Array<number | null>) : []).map((v) => Number(v ?? 0));
    const [notDue = 0, d1to30 = 0, d31to60 = 0, d61to90 = 0] = sums;
    const totalCents = Number(r.totalCents);
    const notDueAll = notDue + Number(r.undated ?? 0);
    return {
      not_due: notDueAll,
      d1_30: d1to30,
      d31_60: d31to60,
      d61_90: d61to90,
      over_90: totalCents - notDueAll - d1to30 - d31to60 - d61to90,
      totalCents,
      invoices: Number(r.invoices),
      clientId: r.clientId,
      clientName: r.clientName,
      creditCents: Number(r.creditCents),
    };
  });
}

/**
 * What clients owe: totals by aging bucket (not due, 1–30, 31–60, 61–90, over 90 days late), the
 * same per client (largest first, with their credit), and the overdue invoices, oldest due first.
 * Each part reads what it shows: the tally nodes of the aging splits, the shown clients (and their
 * items of the last 90 days), and the overdue invoices walked oldest due first up to the limit
 * (invoice_balances_open, partial index on what is still owed).
 */
export async function receivables(ctx: AccountVerbCtx, opts: { today?: string; clientLimit?: number; overdueLimit?: number } = {}): Promise<Receivables> {
  const today = opts.today ?? todayInParis(ctx.now);
  const a = ctx.accountId;
  // Raw statements cannot join a drizzle batch; three reads side by side. The overdue invoices come
  // in index order (due date, then rowid: no sort, so the walk stops at the limit).
  const [totals, clientRows, overdue] = await Promise.all([
    agingTotals(ctx, today),
    largestDebtors(ctx, today, opts.clientLimit ?? 100),
    ctx.db.all<OverdueInvoice>(sql`SELECT b.document_id AS id, d.number, b.client_id AS clientId, cl.name AS clientName, b.due_date AS dueDate,
        CAST(julianday(${today}) - julianday(b.due_date) AS INTEGER) AS daysLate, b.outstanding_cents AS outstandingCents
      FROM invoice_balances b INDEXED BY invoice_balances_open
      JOIN documents d ON d.id = b.document_id AND d.account_id = ${a}
      LEFT JOIN clients cl ON cl.id = b.client_id AND cl.account_id = ${a}
      WHERE b.account_id = ${a} AND b.outstanding_cents > 0 AND b.due_date < ${today}
      ORDER BY b.due_date, b.rowid LIMIT ${opts.overdueLimit ?? 100}`),
  ]);
  return {
    today,
    totals,
    clients: clientRows,
    overdue: overdue.map((r) => ({ ...r, daysLate: Number(r.daysLate), outstandingCents: Number(r.outstandingCents) })),
  };
}
