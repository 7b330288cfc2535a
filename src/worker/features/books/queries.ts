import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, booksSettings, CLIENT_CREDIT_METHOD, type PaymentMethod, purchases } from "../../db/schema";
import type { FecPurchase, FecReceipt, FecSale } from "../../domain/books/fec";
import { type Gauge, thresholdGauges } from "../../domain/books/thresholds";
import {
  type DeclarationFrequency,
  declarationsForYear,
  type PeriodDeclaration,
  type ServiceCategory,
  splitReceipt,
  type SplitReceipt,
  yearTurnover,
} from "../../domain/books/urssaf";
import type { OperationCategory } from "../../domain/document";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { fecClientAccount } from "../clients/code";

/** What an account declares by until it confirms its own settings. */
export const DEFAULT_SETTINGS = { serviceCategory: "bnc", declarationFrequency: "quarterly" } as const satisfies BooksSettings;

export interface BooksSettings {
  serviceCategory: ServiceCategory;
  declarationFrequency: DeclarationFrequency;
}

/** The account's declaration settings, the defaults when it has not confirmed any. */
export async function booksSettingsOf(db: Db, accountId: string): Promise<BooksSettings & { confirmed: boolean }> {
  const row = await db.select().from(booksSettings).where(eq(booksSettings.accountId, accountId)).get();
  return row ? { serviceCategory: row.serviceCategory, declarationFrequency: row.declarationFrequency, confirmed: true } : { ...DEFAULT_SETTINGS, confirmed: false };
}

/** Saves the account's declaration settings (one row per account). */
export async function saveBooksSettings(ctx: AccountVerbCtx, input: BooksSettings): Promise<void> {
  const values = { accountId: ctx.accountId, serviceCategory: input.serviceCategory, declarationFrequency: input.declarationFrequency, updatedAt: ctx.now };
  await ctx.db.insert(booksSettings).values(values).onConflictDoUpdate({ target: booksSettings.accountId, set: values });
}

/**
 * Per document: its totals excluding VAT and VAT, and the line nets of its goods and of its
 * services, read from the frozen snapshot (json_each pairs `lines[i].kind` with
 * `totals.lines[i].netCents`).
 */
const basisColumns = sql`
  json_extract(d.snapshot, '$.totals.taxExclusiveCents') AS taxExclusiveCents,
  json_extract(d.snapshot, '$.totals.vatTotalCents') AS vatCents,
  COALESCE(SUM(CASE WHEN json_extract(l.value, '$.kind') = 'goods' THEN json_extract(d.snapshot, '$.totals.lines[' || l.key || '].netCents') END), 0) AS goodsNetCents,
  COALESCE(SUM(CASE WHEN json_extract(l.value, '$.kind') = 'goods' THEN 0 ELSE json_extract(d.snapshot, '$.totals.lines[' || l.key || '].netCents') END), 0) AS servicesNetCents`;

interface ReceiptRow {
  documentId: string;
  receivedOn: string;
  amountCents: number;
  taxExclusiveCents: number | null;
  vatCents: number | null;
  goodsNetCents: number | null;
  servicesNetCents: number | null;
}

/**
 * The receipts of [from, to] split by declaration category. Reads that range's payments only
 * (index payments_account_received) and, once each, the documents they pay. A client's credit
 * used on an invoice is no receipt: its cash was declared when the client overpaid.
 */
export async function splitReceiptsBetween(db: Db, accountId: string, from: string, to: string, serviceCategory: ServiceCategory): Promise<SplitReceipt[]> {
  const rows = await db.all<ReceiptRow>(sql`
    WITH pay AS (
      SELECT document_id, received_on, amount_cents, created_at, id FROM payments
      WHERE account_id = ${accountId} AND received_on BETWEEN ${from} AND ${to} AND method != ${CLIENT_CREDIT_METHOD}
    ), basis AS (
      SELECT d.id AS documentId, ${basisColumns}
      FROM documents d, json_each(d.snapshot, '$.lines') l
      WHERE d.account_id = ${accountId} AND d.id IN (SELECT document_id FROM pay)
      GROUP BY d.id
    )
    SELECT pay.document_id AS documentId, pay.received_on AS receivedOn, pay.amount_cents AS amountCents,
      basis.taxExclusiveCents, basis.vatCents, basis.goodsNetCents, basis.servicesNetCents
    FROM pay LEFT JOIN basis ON basis.documentId = pay.document_id
    ORDER BY pay.received_on, pay.created_at, pay.id`);
  return rows.map((r) => ({
    receivedOn: r.receivedOn,
    parts: splitReceipt(
      Number(r.amountCents),
      {
        taxExclusiveCents: Number(r.taxExclusiveCents ?? 0),
        vatCents: Number(r.vatCents ?? 0),
        goodsNetCents: Number(r.goodsNetCents ?? 0),
        servicesNetCents: Number(r.servicesNetCents ?? 0),
      },
      serviceCategory,
    ),
  }));
}

export interface UrssafYear {
  year: number;
  settings: BooksSettings & { confirmed: boolean };
  periods: PeriodDeclaration[];
  /** Year totals in cents and rounded euros (sum of the periods' declared euros). */
  totalCents: number;
  totalEuros: number;
}

/** The day the business started: the profile's date, else the day the account was created. */
export async function activityStart(ctx: AccountVerbCtx): Promise<string> {
  const row = await ctx.db.select({ start: accounts.activityStartDate, createdAt: accounts.createdAt }).from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  return row?.start ?? todayInParis(row?.createdAt ?? ctx.now);
}

/** Every period of a year since the business started (zero periods included) with what to declare. */
export async function urssafYear(ctx: AccountVerbCtx, year: number, frequency?: DeclarationFrequency): Promise<UrssafYear> {
  const [settings, start] = await Promise.all([booksSettingsOf(ctx.db, ctx.accountId), activityStart(ctx)]);
  const receipts = await splitReceiptsBetween(ctx.db, ctx.accountId, `${year}-01-01`, `${year}-12-31`, settings.serviceCategory);
  // No declaration is due for a period that ended before the business started (a receipt dated
  // earlier, e.g. imported, still shows: its period is kept).
  const periods = declarationsForYear(receipts, year, frequency ?? settings.declarationFrequency).filter(
    (p) => p.to >= start || p.receipts > 0,
  );
  return {
    year,
    settings,
    periods,
    totalCents: periods.reduce((s, p) => s + p.totalCents, 0),
    totalEuros: periods.reduce((s, p) => s + p.totalEuros, 0),
  };
}

export interface ThresholdsView {
  year: number;
  /** The date the thresholds in force are read at: today, or 31 December of a past year. */
  asOf: string;
  salesCents: number;
  servicesCents: number;
  gauges: Gauge[];
}

/** Gauges of the year's turnover received so far against the thresholds in force. */
export async function thresholdsView(ctx: AccountVerbCtx, year: number, data?: UrssafYear): Promise<ThresholdsView> {
  const today = todayInParis(ctx.now);
  const asOf = `${year}` === today.slice(0, 4) ? today : `${year}-12-31` < today ? `${year}-12-31` : `${year}-01-01`;
  const [ursaff, account] = await Promise.all([
    data ?? urssafYear(ctx, year),
    ctx.db.select({ vatRegime: accounts.vatRegime }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
  ]);
  const turnover = yearTurnover(ursaff.periods);
  return { year, asOf, ...turnover, gauges: thresholdGauges(turnover, asOf, { vatRegime: account?.vatRegime ?? "franchise" }) };
}

export interface ReceiptEntry {
  id: string;
  receivedOn: string;
  amountCents: number;
  method: PaymentMethod;
  reference: string | null;
  correctsPaymentId: string | null;
  createdAt: number;
  documentId: string;
  documentNumber: string | null;
  clientName: string | null;
  nature: OperationCategory | null;
}

/**
 * The receipts book between two dates, in chronological order (date received, then order of
 * recording). Client name and nature come from the invoice's frozen snapshot. Money received only:
 * settling from a client's credit is left out (the cash was entered when the client overpaid).
 */
export async function receiptsBook(db: Db, accountId: string, from: string, to: string): Promise<ReceiptEntry[]> {
  const rows = await db.all<ReceiptEntry>(sql`
    SELECT p.id, p.received_on AS receivedOn, p.amount_cents AS amountCents, p.method, p.reference,
      p.corrects_payment_id AS correctsPaymentId, p.created_at AS createdAt, p.document_id AS documentId,
      d.number AS documentNumber, json_extract(d.snapshot, '$.buyer.name') AS clientName,
      json_extract(d.snapshot, '$.operationCategory') AS nature
    FROM payments p LEFT JOIN documents d ON d.id = p.document_id AND d.account_id = p.account_id
    WHERE p.account_id = ${accountId} AND p.received_on BETWEEN ${from} AND ${to} AND p.method != ${CLIENT_CREDIT_METHOD}
    ORDER BY p.received_on, p.created_at, p.id`);
  return rows.map((r) => ({ ...r, amountCents: Number(r.amountCents), createdAt: Number(r.createdAt) }));
}

/** Total received and cash received of a list of entries, cents. */
export function receiptsTotals(entries: readonly ReceiptEntry[]): { totalCents: number; cashCents: number } {
  let totalCents = 0;
  let cashCents = 0;
  for (const e of entries) {
    totalCents += e.amountCents;
    if (e.method === "especes") cashCents += e.amountCents;
  }
  return { totalCents, cashCents };
}

interface SaleRow {
  type: FecSale["type"];
  number: string;
  issueDate: string;
  issuedAt: number | null;
  clientId: string | null;
  clientCode: string | null;
  clientName: string | null;
  taxExclusiveCents: number;
  vatCents: number;
  taxInclusiveCents: number;
  prepaidCents: number | null;
  goodsNetCents: number;
  servicesNetCents: number;
  correctsNumber: string | null;
}

/** CompAuxNum of a client: 411 + its code; a row written without one (never by the app) keeps its id. */
function auxiliaryAccount(code: string | null, clientId: string | null): string {
  return code ? fecClientAccount(code) : (clientId ?? "");
}

/**
 * What the FEC of a year is built from: the sales documents issued in the year (index
 * documents_account_issue_date) and the year's receipts (money received: a client's credit used
 * moves no bank or cash account), plus the SIREN. A credit note carries the number of the invoice
 * it corrects (one primary-key join) so that the FEC can letter them together.
 */
export async function fecSource(ctx: AccountVerbCtx, year: number): Promise<{ siren: string | null; sales: FecSale[]; receipts: FecReceipt[]; purchases: FecPurchase[] }> {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const [account, saleRows, entries] = await Promise.all([
    ctx.db.select({ siren: accounts.siren, vatRegime: accounts.vatRegime }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
    ctx.db.all<SaleRow>(sql`
      SELECT d.type, d.number, d.issue_date AS issueDate, d.issued_at AS issuedAt, d.client_id AS clientId, c.code AS clientCode,
        json_extract(d.snapshot, '$.buyer.name') AS clientName,
        json_extract(d.snapshot, '$.totals.taxInclusiveCents') AS taxInclusiveCents,
        json_extract(d.snapshot, '$.totals.prepaidCents') AS prepaidCents,
        CASE WHEN d.type = 'credit_note' THEN pd.number END AS correctsNumber,
        ${basisColumns}
      FROM documents d
        JOIN json_each(d.snapshot, '$.lines') l
        LEFT JOIN documents pd ON pd.id = d.preceding_document_id AND pd.account_id = d.account_id
        LEFT JOIN clients c ON c.id = d.client_id AND c.account_id = d.account_id
      WHERE d.account_id = ${ctx.accountId} AND d.issue_date BETWEEN ${from} AND ${to} AND d.status != 'draft'
        AND d.type IN ('invoice', 'deposit_invoice', 'credit_note') AND d.number IS NOT NULL
      GROUP BY d.id
      ORDER BY d.issue_date, d.issued_at, d.id`),
    ctx.db.all<ReceiptEntry & { clientId: string; clientCode: string | null }>(sql`
      SELECT p.received_on AS receivedOn, p.amount_cents AS amountCents, p.method, p.reference, p.created_at AS createdAt,
        p.client_id AS clientId, c.code AS clientCode, d.number AS documentNumber, json_extract(d.snapshot, '$.buyer.name') AS clientName
      FROM payments p LEFT JOIN documents d ON d.id = p.document_id AND d.account_id = p.account_id
        LEFT JOIN clients c ON c.id = p.client_id AND c.account_id = p.account_id
      WHERE p.account_id = ${ctx.accountId} AND p.received_on BETWEEN ${from} AND ${to} AND p.method != ${CLIENT_CREDIT_METHOD}
      ORDER BY p.received_on, p.created_at, p.id`),
  ]);
  const sales = saleRows.map(
    (r): FecSale => ({
      type: r.type,
      number: r.number,
      issueDate: r.issueDate,
      validatedOn: r.issuedAt ? todayInParis(Number(r.issuedAt)) : r.issueDate,
      clientAccount: auxiliaryAccount(r.clientCode, r.clientId),
      clientName: r.clientName ?? "",
      taxExclusiveCents: Number(r.taxExclusiveCents),
      vatCents: Number(r.vatCents),
      taxInclusiveCents: Number(r.taxInclusiveCents),
      prepaidCents: Number(r.prepaidCents ?? 0),
      goodsNetCents: Number(r.goodsNetCents),
      servicesNetCents: Number(r.servicesNetCents),
      correctsNumber: r.correctsNumber,
    }),
  );
  const receipts = entries.map(
    (e): FecReceipt => ({
      receivedOn: e.receivedOn,
      recordedOn: todayInParis(Number(e.createdAt)),
      amountCents: Number(e.amountCents),
      cash: e.method === "especes",
      invoiceNumber: e.documentNumber ?? "",
      reference: e.reference,
      clientAccount: auxiliaryAccount(e.clientCode, e.clientId),
      clientName: e.clientName ?? "",
    }),
  );
  // Purchases dated in the year, or paid in it (a December invoice paid in January).
  const bought = await ctx.db
    .select()
    .from(purchases)
    .where(sql`${purchases.accountId} = ${ctx.accountId} AND (${purchases.issueDate} BETWEEN ${from} AND ${to} OR ${purchases.paidOn} BETWEEN ${from} AND ${to})`)
    .orderBy(purchases.issueDate, purchases.createdAt)
    .all();
  const fecPurchases = bought.map(
    (p): FecPurchase => ({
      typeCode: p.typeCode,
      number: p.number,
      issueDate: p.issueDate,
      recordedOn: todayInParis(p.createdAt),
      supplierAccount: p.supplierSiren ? `F${p.supplierSiren}` : `F${p.dedupKey.split("|")[0]?.replace(/[^A-Za-z0-9]/g, "").slice(0, 17) ?? ""}`,
      supplierName: p.supplierName,
      category: p.category,
      taxExclusiveCents: p.taxExclusiveCents,
      vatCents: p.vatCents,
      taxInclusiveCents: p.taxInclusiveCents,
      vatDeductible: account?.vatRegime === "vat",
      paidOn: p.paidOn,
      paidCents: p.paidCents,
      paidCash: p.paymentMethod === "cash",
    }),
  );
  return { siren: account?.siren ?? null, sales, receipts, purchases: fecPurchases };
}
