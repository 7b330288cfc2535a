import { and, desc, eq, sql } from "drizzle-orm";
import { accounts, CLIENT_CREDIT_METHOD, ereports } from "../../db/schema";
import {
  aggregatePayments,
  aggregateTransactions,
  type B2cSaleLine,
  buildPaymentsReport,
  buildTransactionsReport,
  deadlineOf,
  EREPORTING_START,
  type EreportPeriod,
  type EreportRegime,
  nextPeriod,
  periodOf,
  type ReceiptLine,
  reportDataText,
} from "../../domain/einvoice/ereporting";
import { allocateProportionally } from "../../domain/money";
import { AppError } from "../../http/errors";
import { randomId, sha256Hex } from "../../lib/crypto/random";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { PaError, paClient } from "../einvoicing/pa-client";
import type { EreportingRow } from "./pages";

/**
 * The PA that forwards Flux 10 to the PPF puts its own registration number in the Sender block
 * (0238, role WK); a Solution Compatible does not know it, so it sends this placeholder and the PA
 * rewrites it (validate.mjs only warns on G6.22) [uncertain: PAs may ask otherwise].
 */
const SENDER = { id: "0000", name: "Plateforme agréée" };
/** Periods shown: the most recent ones. */
const MAX_PERIODS = 12;

export const ereportKey = (accountId: string, reportId: string) => `accounts/${accountId}/ereports/${reportId}.xml`;

interface PeriodData {
  sales: B2cSaleLine[];
  receipts: ReceiptLine[];
}

/**
 * B2C documents (buyer an individual) issued in [from, to], one line per VAT rate (credit notes
 * negative), and the money received on them in [from, to], split per rate pro rata of the document's
 * amounts including VAT. Deposit invoices are left out: the final invoice carries the whole sale.
 */
async function b2cData(ctx: AccountVerbCtx, from: string, to: string): Promise<PeriodData> {
  const sales = await ctx.db.all<{ id: string; type: string; issueDate: string; category: string; rate: number; taxable: number; vat: number }>(sql`
    SELECT d.id, d.type, d.issue_date AS issueDate, json_extract(d.snapshot, '$.operationCategory') AS category,
      json_extract(v.value, '$.rateBasisPoints') AS rate, json_extract(v.value, '$.taxableCents') AS taxable, json_extract(v.value, '$.vatCents') AS vat
    FROM documents d JOIN json_each(d.snapshot, '$.totals.vatBreakdown') v
    WHERE d.account_id = ${ctx.accountId} AND d.status != 'draft' AND d.number IS NOT NULL AND d.type IN ('invoice', 'credit_note')
      AND d.issue_date BETWEEN ${from} AND ${to} AND json_extract(d.snapshot, '$.buyer.kind') = 'individual'
    ORDER BY d.issue_date, d.id`);
  const paid = await ctx.db.all<{ receivedOn: string; amountCents: number; breakdown: string }>(sql`
    SELECT p.received_on AS receivedOn, p.amount_cents AS amountCents, json_extract(d.snapshot, '$.totals.vatBreakdown') AS breakdown
    FROM payments p JOIN documents d ON d.id = p.document_id AND d.account_id = p.account_id
    WHERE p.account_id = ${ctx.accountId} AND p.received_on BETWEEN ${from} AND ${to} AND p.method != ${CLIENT_CREDIT_METHOD}
      AND json_extract(d.snapshot, '$.buyer.kind') = 'individual'
    ORDER BY p.received_on, p.created_at, p.id`);
  const receipts: ReceiptLine[] = [];
  for (const p of paid) {
    const rates = (JSON.parse(p.breakdown ?? "[]") as Array<{ rateBasisPoints: number; taxableCents: number; vatCents: number }>).filter((r) => r.taxableCents + r.vatCents > 0);
    if (rates.length === 0) {
      receipts.push({ date: p.receivedOn, rateBasisPoints: 0, amountCents: Number(p.amountCents) });
      continue;
    }
    const parts = allocateProportionally(Number(p.amountCents), rates.map((r) => r.taxableCents + r.vatCents));
    rates.forEach((r, i) => receipts.push({ date: p.receivedOn, rateBasisPoints: r.rateBasisPoints, amountCents: parts[i] ?? 0 }));
  }
  return {
    sales: sales.map((s) => {
      const sign = s.type === "credit_note" ? -1 : 1;
      return {
        documentId: s.id,
        date: s.issueDate,
        category: s.category === "goods" ? "TLB1" : "TPS1",
        rateBasisPoints: Number(s.rate),
        taxExclusiveCents: sign * Number(s.taxable),
        vatCents: sign * Number(s.vat),
      };
    }),
    receipts,
  };
}

function files(period: EreportPeriod, data: PeriodData) {
  const transactions = aggregateTransactions(data.sales, period);
  const payments = aggregatePayments(data.receipts, period);
  return { transactions, payments };
}

async function hashes(period: EreportPeriod, data: PeriodData) {
  const f = files(period, data);
  return { transactions: await sha256Hex(reportDataText("transactions", f.transactions)), payments: await sha256Hex(reportDataText("payments", f.payments)), files: f };
}

async function accountOf(ctx: AccountVerbCtx) {
  const account = await ctx.db.select({ name: accounts.name, siren: accounts.siren, vatRegime: accounts.vatRegime }).from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  return { name: account?.name ?? "", siren: account?.siren ?? null, regime: (account?.vatRegime ?? "franchise") as EreportRegime };
}

/** The periods to show: from the reform's start, or earlier from the first B2C sale (voluntary). */
async function periodsOf(ctx: AccountVerbCtx, regime: EreportRegime, today: string): Promise<EreportPeriod[]> {
  const first = await ctx.db.get<{ d: string | null }>(sql`
    SELECT min(issue_date) AS d FROM documents WHERE account_id = ${ctx.accountId} AND status != 'draft' AND number IS NOT NULL
      AND type IN ('invoice', 'credit_note') AND json_extract(snapshot, '$.buyer.kind') = 'individual'`);
  const from = first?.d && first.d < EREPORTING_START ? first.d : EREPORTING_START;
  const out: EreportPeriod[] = [];
  let p = periodOf(from, regime);
  while (p.start <= today && out.length < 240) {
    out.push(p);
    p = nextPeriod(p, regime);
  }
  return out.slice(-MAX_PERIODS);
}

async function lastReports(ctx: AccountVerbCtx, start: string) {
  const rows = await ctx.db
    .select()
    .from(ereports)
    .where(and(eq(ereports.accountId, ctx.accountId), eq(ereports.periodStart, start)))
    .orderBy(desc(ereports.submittedAt))
    .all();
  return { transactions: rows.find((r) => r.kind === "transactions") ?? null, payments: rows.find((r) => r.kind === "payments") ?? null };
}

/** Each period with its deadline and state: open (not ended), to send, sent, changed since sent, refused. */
export async function ereportingRows(ctx: AccountVerbCtx): Promise<EreportingRow[]> {
  const account = await accountOf(ctx);
  const today = todayInParis(ctx.now);
  const periods = await periodsOf(ctx, account.regime, today);
  const rows: EreportingRow[] = [];
  for (const p of periods.reverse()) {
    const row = { start: p.start, end: p.end, deadline: deadlineOf(p) };
    if (p.end >= today) {
      rows.push({ ...row, status: "open" });
      continue;
    }
    const last = await lastReports(ctx, p.start);
    if (!last.transactions || !last.payments) {
      rows.push({ ...row, status: "todo" });
      continue;
    }
    if (last.transactions.state === "error" || last.payments.state === "error") {
      rows.push({ ...row, status: "error" });
      continue;
    }
    const h = await hashes(p, await b2cData(ctx, p.start, p.end));
    rows.push({ ...row, status: h.transactions !== last.transactions.dataHash || h.payments !== last.payments.dataHash ? "changed" : "sent" });
  }
  return rows;
}

export interface SubmitResult {
  periodStart: string;
  reports: Array<{ kind: "transactions" | "payments"; typeCode: "IN" | "RE"; flowId: string; reportId: string }>;
}

/**
 * Sends an ended period's two files (10.3 transactions, 10.4 payments) as FRR flows; a file whose
 * data did not change since its last sending is not sent again, a changed one goes as RE.
 * @throws AppError invalid (unknown or unfinished period), conflict (nothing changed), precondition_failed (no SIREN, PA refused).
 */
export async function submitEreportingPeriod(ctx: AccountVerbCtx, start: string): Promise<SubmitResult> {
  const account = await accountOf(ctx);
  if (!account.siren) throw new AppError("precondition_failed", ctx.t("books.err.siren"));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new AppError("invalid", ctx.t("books.ereporting.err.period"));
  const today = todayInParis(ctx.now);
  let period: EreportPeriod;
  try {
    period = periodOf(start, account.regime);
  } catch {
    throw new AppError("invalid", ctx.t("books.ereporting.err.period"));
  }
  if (period.start !== start) throw new AppError("invalid", ctx.t("books.ereporting.err.period"));
  if (period.end >= today) throw new AppError("invalid", ctx.t("books.ereporting.err.notEnded"));
  const data = await b2cData(ctx, period.start, period.end);
  const h = await hashes(period, data);
  const last = await lastReports(ctx, period.start);
  const kinds = (["transactions", "payments"] as const).filter((kind) => !last[kind] || last[kind]!.state === "error" || last[kind]!.dataHash !== h[kind]);
  if (kinds.length === 0) throw new AppError("conflict", ctx.t("books.ereporting.err.unchanged"));
  const pa = paClient({ config: ctx.config, db: ctx.db, accountId: ctx.accountId });
  const out: SubmitResult = { periodStart: period.start, reports: [] };
  for (const kind of kinds) {
    const typeCode = last[kind] && last[kind]!.state !== "error" ? "RE" : "IN";
    const reportId = `F10-${account.siren}-${period.start.slice(0, 7).replace("-", "")}-${kind === "transactions" ? "TR" : "PA"}-${randomId().slice(0, 6)}`.replace(/[^A-Za-z0-9_-]/g, "");
    const header = { id: reportId, issuedAt: ctx.now, typeCode, seller: { siren: account.siren, name: account.name }, sender: SENDER, period } as const;
    const xml = kind === "transactions" ? buildTransactionsReport(header, h.files.transactions) : buildPaymentsReport(header, h.files.payments);
    const bytes = new TextEncoder().encode(xml);
    const fileSha = await sha256Hex(bytes);
    const key = ereportKey(ctx.accountId, reportId);
    await ctx.env.FILES.put(key, bytes, { httpMetadata: { contentType: "application/xml" }, sha256: fileSha });
    let flowId: string;
    try {
      flowId = (await pa.submitFlow({ flowInfo: { flowSyntax: "FRR", name: `${reportId}.xml`, processingRule: "NotApplicable", trackingId: reportId.slice(0, 36), sha256: fileSha }, file: bytes })).flowId;
    } catch (err) {
      await ctx.env.FILES.delete(key);
      if (err instanceof PaError) throw new AppError("precondition_failed", ctx.t("purchases.err.paFailed", { detail: err.message.slice(0, 200) }));
      throw err;
    }
    await ctx.db.insert(ereports).values({
      id: randomId(),
      accountId: ctx.accountId,
      periodStart: period.start,
      periodEnd: period.end,
      kind,
      typeCode,
      dataHash: h[kind],
      fileKey: key,
      fileSha256: fileSha,
      flowId,
      state: "sent",
      submittedAt: ctx.now,
      createdAt: ctx.now,
    });
    out.reports.push({ kind, typeCode, flowId, reportId });
  }
  return out;
}

/** The next e-reporting deadline from today (for the books calendar). */
export async function nextEreportingDeadline(ctx: AccountVerbCtx): Promise<{ period: EreportPeriod; deadline: string } | null> {
  const rows = await ereportingRows(ctx);
  const due = rows.filter((r) => r.status === "todo" || r.status === "changed" || r.status === "error").sort((a, b) => a.deadline.localeCompare(b.deadline))[0];
  return due ? { period: { start: due.start, end: due.end }, deadline: due.deadline } : null;
}
