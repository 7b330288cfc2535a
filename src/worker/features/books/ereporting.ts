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
  type EreportDeadline,
  ereportingDeadlinesBetween,
  type EreportPeriod,
  type EreportRegime,
  foreignBuyerId,
  type InternationalInvoice,
  internationalPaymentParts,
  type InvoicePayment,
  nextPeriod,
  periodOf,
  type ReceiptLine,
  reportDataText,
  senderOf,
} from "../../domain/einvoice/ereporting";
import { billingMode, documentTypeCode } from "../../domain/einvoice/cii";
import { PLATFORMS } from "../../domain/einvoice/platforms";
import type { DocumentSnapshot } from "../../domain/document";
import { allocateProportionally } from "../../domain/money";
import { AppError } from "../../http/errors";
import { randomId, sha256Hex } from "../../lib/crypto/random";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { PaError, paClient, resolveEndpoint } from "../einvoicing/pa-client";
import type { EreportingRow } from "./pages";

/** Periods shown: the most recent ones. */
const MAX_PERIODS = 12;

export const ereportKey = (accountId: string, reportId: string) => `accounts/${accountId}/ereports/${reportId}.xml`;

interface PeriodData {
  sales: B2cSaleLine[];
  receipts: ReceiptLine[];
  /** 10.1: international B2B sales issued in the period. */
  invoices: InternationalInvoice[];
  /** 10.2: money received in the period on international invoices, VAT due in France only. */
  invoicePayments: InvoicePayment[];
}

type Breakdown = Array<{ rateBasisPoints: number; taxableCents: number; vatCents: number; category?: string; exemptionCode?: string | null; exemptionReason?: string | null }>;

/** A buyer abroad that is a business: its sales are 10.1 (one block each), not 10.3. */
const INTERNATIONAL_B2B = sql`json_extract(d.snapshot, '$.buyer.kind') = 'company' AND upper(coalesce(json_extract(d.snapshot, '$.buyer.address.country'), 'FR')) != 'FR'`;

/** 10.1 and 10.2 data of [from, to]: documents read whole (a few per period), payments joined. */
async function internationalData(ctx: AccountVerbCtx, from: string, to: string): Promise<Pick<PeriodData, "invoices" | "invoicePayments">> {
  const docs = await ctx.db.all<{ dueDate: string | null; snapshot: string }>(sql`
    SELECT d.due_date AS dueDate, d.snapshot FROM documents d
    WHERE d.account_id = ${ctx.accountId} AND d.status != 'draft' AND d.number IS NOT NULL AND d.type IN ('invoice', 'deposit_invoice', 'credit_note')
      AND d.issue_date BETWEEN ${from} AND ${to} AND ${INTERNATIONAL_B2B}
    ORDER BY d.issue_date, d.number`);
  const invoices = docs.map(({ dueDate, snapshot }) => {
    const s = JSON.parse(snapshot) as DocumentSnapshot;
    const rows = s.totals.vatBreakdown as unknown as Breakdown;
    return {
      number: s.number,
      issueDate: s.issueDate,
      typeCode: documentTypeCode(s),
      dueDate,
      billingMode: billingMode(s),
      precedingInvoice: s.precedingInvoice ?? null,
      seller: { siren: s.seller.siren, vatNumber: s.seller.vatNumber ?? null },
      buyer: { ...foreignBuyerId({ name: s.buyer.name, country: s.buyer.address.country, vatNumber: s.buyer.vatNumber, registrationId: s.buyer.siret ?? s.buyer.siren }), vatNumber: s.buyer.vatNumber ?? null, country: s.buyer.address.country.toUpperCase() },
      taxExclusiveCents: s.totals.taxExclusiveCents,
      vatCents: s.totals.vatTotalCents,
      subtotals: rows.map((r) => ({ rateBasisPoints: r.rateBasisPoints, category: r.category ?? "S", exemptionCode: r.exemptionCode ?? null, exemptionReason: r.exemptionReason ?? null, taxableCents: r.taxableCents, vatCents: r.vatCents })),
    } satisfies InternationalInvoice;
  });
  // 10.2: services only (VAT on goods falls due on delivery), rates > 0 only (internationalPaymentParts).
  const paid = await ctx.db.all<{ receivedOn: string; amountCents: number; number: string; issueDate: string; breakdown: string }>(sql`
    SELECT p.received_on AS receivedOn, p.amount_cents AS amountCents, d.number, d.issue_date AS issueDate, json_extract(d.snapshot, '$.totals.vatBreakdown') AS breakdown
    FROM payments p JOIN documents d ON d.id = p.document_id AND d.account_id = p.account_id
    WHERE p.account_id = ${ctx.accountId} AND p.received_on BETWEEN ${from} AND ${to} AND p.method != ${CLIENT_CREDIT_METHOD}
      AND ${INTERNATIONAL_B2B} AND coalesce(json_extract(d.snapshot, '$.operationCategory'), 'services') != 'goods'
    ORDER BY p.received_on, d.number, p.id`);
  const byDay = new Map<string, InvoicePayment>();
  for (const p of paid) {
    const parts = internationalPaymentParts(Number(p.amountCents), JSON.parse(p.breakdown ?? "[]") as Breakdown, allocateProportionally);
    if (parts.length === 0) continue;
    const key = `${p.number}|${p.receivedOn}`;
    const entry = byDay.get(key) ?? { number: p.number, issueDate: p.issueDate, date: p.receivedOn, subtotals: [] };
    for (const part of parts) {
      const same = entry.subtotals.find((x) => x.rateBasisPoints === part.rateBasisPoints);
      if (same) same.amountCents += part.amountCents;
      else entry.subtotals.push({ ...part });
    }
    byDay.set(key, entry);
  }
  return { invoices, invoicePayments: [...byDay.values()] };
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
    ...(await internationalData(ctx, from, to)),
  };
}

function files(period: EreportPeriod, data: PeriodData) {
  const transactions = aggregateTransactions(data.sales, period);
  const payments = aggregatePayments(data.receipts, period);
  return { transactions, payments, invoices: data.invoices, invoicePayments: data.invoicePayments };
}

async function hashes(period: EreportPeriod, data: PeriodData) {
  const f = files(period, data);
  return {
    transactions: await sha256Hex(reportDataText("transactions", f.transactions, f.invoices)),
    payments: await sha256Hex(reportDataText("payments", f.payments, f.invoicePayments)),
    files: f,
  };
}

async function accountOf(ctx: AccountVerbCtx) {
  const account = await ctx.db.select({ name: accounts.name, siren: accounts.siren, vatRegime: accounts.vatRegime }).from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  return { name: account?.name ?? "", siren: account?.siren ?? null, regime: (account?.vatRegime ?? "franchise") as EreportRegime };
}

/** The periods to show: from the reform's start, or earlier from the first reportable sale (voluntary). */
async function periodsOf(ctx: AccountVerbCtx, regime: EreportRegime, today: string): Promise<EreportPeriod[]> {
  const first = await ctx.db.get<{ d: string | null }>(sql`
    SELECT min(d.issue_date) AS d FROM documents d WHERE d.account_id = ${ctx.accountId} AND d.status != 'draft' AND d.number IS NOT NULL
      AND d.type IN ('invoice', 'deposit_invoice', 'credit_note') AND (json_extract(d.snapshot, '$.buyer.kind') = 'individual' OR (${INTERNATIONAL_B2B}))`);
  const from = first?.d && first.d < EREPORTING_START ? first.d : EREPORTING_START;
  const out: EreportPeriod[] = [];
  let p = periodOf(from, regime);
  while (p.start <= today && out.length < 240) {
    out.push(p);
    p = nextPeriod(p, regime);
  }
  return out.slice(-MAX_PERIODS);
}

type EreportRow = typeof ereports.$inferSelect;

/** A period's reports of each kind, newest first. */
async function reportsOf(ctx: AccountVerbCtx, start: string) {
  const rows = await ctx.db
    .select()
    .from(ereports)
    .where(and(eq(ereports.accountId, ctx.accountId), eq(ereports.periodStart, start)))
    .orderBy(desc(ereports.submittedAt))
    .all();
  return { transactions: rows.filter((r) => r.kind === "transactions"), payments: rows.filter((r) => r.kind === "payments") };
}

/** The text kept of an `Error` acknowledgement: its reason codes and messages (the PA's words), bounded; null when it gave none. */
export function ackReasonText(details: ReadonlyArray<{ reasonCode?: string; reasonMessage?: string }> | undefined): string | null {
  const text = (details ?? []).map((d) => [d.reasonCode, d.reasonMessage].filter(Boolean).join(" : ")).filter(Boolean).join(" ; ");
  return text ? text.slice(0, 500) : null;
}

/**
 * Reads the PA's acknowledgement of reports still waiting for one (`sent`): Ok → acked, Error →
 * error with the reason. One conditional UPDATE each (only a `sent` row moves), so two readers at
 * once record it once. A PA that does not answer leaves the row waiting; the next view asks again.
 */
export async function refreshAcks(ctx: AccountVerbCtx, rows: readonly EreportRow[]): Promise<number> {
  const waiting = rows.filter((r) => r.state === "sent" && r.flowId);
  if (waiting.length === 0) return 0;
  const pa = paClient({ config: ctx.config, db: ctx.db, accountId: ctx.accountId });
  let changed = 0;
  for (const r of waiting) {
    let ack;
    try {
      ack = (await pa.download(r.flowId!, "Metadata")).acknowledgement;
    } catch (err) {
      if (err instanceof PaError) break;
      throw err;
    }
    if (!ack || ack.status === "Pending") continue;
    const state = ack.status === "Ok" ? "acked" : "error";
    const ackReason = state === "error" ? ackReasonText(ack.details) : null;
    await ctx.db.update(ereports).set({ state, ackReason }).where(and(eq(ereports.id, r.id), eq(ereports.accountId, ctx.accountId), eq(ereports.state, "sent")));
    Object.assign(r, { state, ackReason });
    changed++;
  }
  return changed;
}

/**
 * Each period with its deadline and state: open (not ended), to send, sent (waiting for the PA's
 * acknowledgement), accepted, changed since sent, or rejected with the PA's reason.
 */
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
    const all = await reportsOf(ctx, p.start);
    const last = { transactions: all.transactions[0] ?? null, payments: all.payments[0] ?? null };
    if (!last.transactions || !last.payments) {
      rows.push({ ...row, status: "todo" });
      continue;
    }
    await refreshAcks(ctx, [last.transactions, last.payments]);
    const rejected = [last.transactions, last.payments].find((r) => r.state === "error");
    if (rejected) {
      rows.push({ ...row, status: "error", reason: rejected.ackReason ?? null });
      continue;
    }
    const h = await hashes(p, await b2cData(ctx, p.start, p.end));
    const changed = h.transactions !== last.transactions.dataHash || h.payments !== last.payments.dataHash;
    rows.push({ ...row, status: changed ? "changed" : last.transactions.state === "acked" && last.payments.state === "acked" ? "accepted" : "sent" });
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
  const all = await reportsOf(ctx, period.start);
  await refreshAcks(ctx, [all.transactions[0], all.payments[0]].filter((r): r is EreportRow => r != null));
  // Sent again: a kind never sent, whose last file was rejected, or whose data changed since.
  const kinds = (["transactions", "payments"] as const).filter((kind) => {
    const last = all[kind][0];
    return !last || last.state === "error" || last.dataHash !== h[kind];
  });
  if (kinds.length === 0) throw new AppError("conflict", ctx.t("books.ereporting.err.unchanged"));
  const endpoint = await resolveEndpoint({ config: ctx.config, db: ctx.db, accountId: ctx.accountId });
  const host = endpoint ? new URL(endpoint.flowUrl).hostname.toLowerCase() : "";
  const sender = senderOf(PLATFORMS.find((p) => p.hosts.includes(host)) ?? null, { siren: account.siren, name: account.name });
  const pa = paClient({ config: ctx.config, db: ctx.db, accountId: ctx.accountId });
  const out: SubmitResult = { periodStart: period.start, reports: [] };
  for (const kind of kinds) {
    // RE replaces a period the PA already holds (a file it took: sent or acked); a correction of
    // files it rejected (inadmissible, never forwarded) is the period's first transmission: IN.
    const typeCode = all[kind].some((r) => r.state !== "error") ? "RE" : "IN";
    const reportId = `F10-${account.siren}-${period.start.slice(0, 7).replace("-", "")}-${kind === "transactions" ? "TR" : "PA"}-${randomId().slice(0, 6)}`.replace(/[^A-Za-z0-9_-]/g, "");
    const header = { id: reportId, issuedAt: ctx.now, typeCode, seller: { siren: account.siren, name: account.name }, sender, period } as const;
    const xml = kind === "transactions" ? buildTransactionsReport(header, h.files.transactions, h.files.invoices) : buildPaymentsReport(header, h.files.payments, h.files.invoicePayments);
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

/** The next e-reporting deadlines of the account's regime within a year of today (books calendar). */
export async function ereportingCalendar(ctx: AccountVerbCtx, today: string, count = 4): Promise<EreportDeadline[]> {
  const { regime } = await accountOf(ctx);
  const inAYear = new Date(`${today}T00:00:00Z`);
  inAYear.setUTCDate(inAYear.getUTCDate() + 365);
  return ereportingDeadlinesBetween(today, inAYear.toISOString().slice(0, 10), regime).slice(0, count);
}
