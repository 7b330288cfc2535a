/**
 * E-reporting (DGFiP Flux 10, XSD v3.2), pure: the period of an account's regime, its deadline, and
 * the two files of a period — transactions (10.3: B2C sales aggregated per day, currency and
 * category) and payments (10.4: B2C receipts per day and VAT rate). Transactions and payments go in
 * separate files (rule G6.29); a period sent again because its data changed is a `RE` (replacement)
 * of the whole period.
 *
 * Choices (why):
 * - No namespace: the XSD's elements are unqualified (`<Report>`), see ../shared/einvoice/README.md.
 * - Amounts from integer cents with 2 decimals (G1.14); dates AAAAMMJJ (G1.09); TT-3 14 digits.
 * - A franchise seller charges no VAT: rate 0, VAT 0.00; its category is TPS1 for services and
 *   TLB1 for goods (the DGFiP texts do not say which a franchise seller uses [uncertain]).
 * - 10.1 (international B2B, per invoice) is not built here yet: see README "E-reporting".
 * - The Sender is the PA transmitting to the PPF (0238, role WK); only the PA knows its number,
 *   so the caller passes it.
 */
import { formatAmount, formatPercentValue, el, leaf, renderXml, type XmlNode } from "./cii.ts";
import { isValidSiren } from "../identifiers.ts";
import { isIsoDate } from "../vat.ts";

export type EreportRegime = "franchise" | "vat";
export type TransactionCategory = "TLB1" | "TPS1" | "TNT1" | "TMA1";

export interface EreportPeriod {
  start: string;
  end: string;
}

function lastDayOfMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The e-reporting period containing `isoDate`: two calendar months for the franchise (Jan–Feb,
 * Mar–Apr…), one month for a VAT-registered micro business (simplified regime, LEGAL.md §7).
 */
export function periodOf(isoDate: string, regime: EreportRegime): EreportPeriod {
  if (!isIsoDate(isoDate)) throw new RangeError(`expected YYYY-MM-DD, got "${isoDate}"`);
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  const first = regime === "franchise" ? month - ((month - 1) % 2) : month;
  const last = regime === "franchise" ? first + 1 : first;
  return { start: `${year}-${pad(first)}-01`, end: `${year}-${pad(last)}-${pad(lastDayOfMonth(year, last))}` };
}

/** The period after `p` (same length rules). */
export function nextPeriod(p: EreportPeriod, regime: EreportRegime): EreportPeriod {
  const d = new Date(`${p.end}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return periodOf(d.toISOString().slice(0, 10), regime);
}

/** Deadline to hand the period's files to the PA: the last day of the month after the period (PA-API.md §5). */
export function deadlineOf(p: EreportPeriod): string {
  const year = Number(p.end.slice(0, 4));
  const month = Number(p.end.slice(5, 7));
  const y = month === 12 ? year + 1 : year;
  const m = month === 12 ? 1 : month + 1;
  return `${y}-${pad(m)}-${pad(lastDayOfMonth(y, m))}`;
}

/** Periods from the first one of the reform (1 September 2027 for SMEs) up to the one containing `today`. */
export const EREPORTING_START = "2027-09-01";

export function periodsUntil(today: string, regime: EreportRegime, from = EREPORTING_START): EreportPeriod[] {
  const out: EreportPeriod[] = [];
  if (today < from) return out;
  let p = periodOf(from, regime);
  while (p.start <= today && out.length < 240) {
    out.push(p);
    p = nextPeriod(p, regime);
  }
  return out;
}

// ---- inputs ---------------------------------------------------------------------------------------

/** One B2C document's amounts at one VAT rate (a credit note is negative). */
export interface B2cSaleLine {
  documentId: string;
  date: string;
  category: TransactionCategory;
  rateBasisPoints: number;
  taxExclusiveCents: number;
  vatCents: number;
}

/** Money received from a B2C customer for services, at one VAT rate (amount including VAT). */
export interface ReceiptLine {
  date: string;
  rateBasisPoints: number;
  amountCents: number;
}

export interface TransactionsBlock {
  date: string;
  category: TransactionCategory;
  taxExclusiveCents: number;
  vatCents: number;
  count: number;
  subtotals: Array<{ rateBasisPoints: number; taxableCents: number; vatCents: number }>;
}

export interface PaymentsBlock {
  date: string;
  subtotals: Array<{ rateBasisPoints: number; amountCents: number }>;
}

/** 10.3 blocks: per day and category, sorted; per rate inside; the count is of distinct documents. */
export function aggregateTransactions(lines: readonly B2cSaleLine[], period: EreportPeriod): TransactionsBlock[] {
  const blocks = new Map<string, { date: string; category: TransactionCategory; docs: Set<string>; rates: Map<number, { taxable: number; vat: number }> }>();
  for (const l of lines) {
    if (l.date < period.start || l.date > period.end) continue;
    const key = `${l.date}|${l.category}`;
    const b = blocks.get(key) ?? { date: l.date, category: l.category, docs: new Set<string>(), rates: new Map() };
    b.docs.add(l.documentId);
    const r = b.rates.get(l.rateBasisPoints) ?? { taxable: 0, vat: 0 };
    r.taxable += l.taxExclusiveCents;
    r.vat += l.vatCents;
    b.rates.set(l.rateBasisPoints, r);
    blocks.set(key, b);
  }
  return [...blocks.values()]
    .sort((a, b) => (a.date === b.date ? a.category.localeCompare(b.category) : a.date.localeCompare(b.date)))
    .map((b) => {
      const subtotals = [...b.rates.entries()].sort((x, y) => y[0] - x[0]).map(([rate, v]) => ({ rateBasisPoints: rate, taxableCents: v.taxable, vatCents: v.vat }));
      return {
        date: b.date,
        category: b.category,
        taxExclusiveCents: subtotals.reduce((s, x) => s + x.taxableCents, 0),
        vatCents: subtotals.reduce((s, x) => s + x.vatCents, 0),
        count: b.docs.size,
        subtotals,
      };
    });
}

/** 10.4 blocks: per day, one subtotal per rate, sorted. */
export function aggregatePayments(lines: readonly ReceiptLine[], period: EreportPeriod): PaymentsBlock[] {
  const days = new Map<string, Map<number, number>>();
  for (const l of lines) {
    if (l.date < period.start || l.date > period.end) continue;
    const rates = days.get(l.date) ?? new Map<number, number>();
    rates.set(l.rateBasisPoints, (rates.get(l.rateBasisPoints) ?? 0) + l.amountCents);
    days.set(l.date, rates);
  }
  return [...days.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([date, rates]) => ({ date, subtotals: [...rates.entries()].sort((x, y) => y[0] - x[0]).map(([rate, amount]) => ({ rateBasisPoints: rate, amountCents: amount })) }));
}

// ---- files ----------------------------------------------------------------------------------------

export interface ReportHeader {
  /** TT-1: unique per report; letters, digits, - and _ only. */
  id: string;
  /** When the file is made (ms). */
  issuedAt: number;
  typeCode: "IN" | "RE";
  seller: { siren: string; name: string };
  /** The PA transmitting to the PPF: its registration number (scheme 0238) and name. */
  sender: { id: string; name: string };
  period: EreportPeriod;
}

const ymd = (iso: string) => iso.replace(/-/g, "");

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

function checkHeader(h: ReportHeader): void {
  if (!isValidSiren(h.seller.siren)) throw new RangeError("the declarant needs a valid SIREN");
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(h.id)) throw new RangeError("report id: letters, digits, - and _ only");
  if (!isIsoDate(h.period.start) || !isIsoDate(h.period.end) || h.period.end < h.period.start) throw new RangeError("bad period");
}

function documentHeader(h: ReportHeader, kind: "transactions" | "payments"): XmlNode {
  const name = `E-reporting ${kind === "transactions" ? "transactions" : "paiements"} ${h.period.start} – ${h.period.end}`;
  return el("ReportDocument", [
    leaf("Id", h.id),
    leaf("Name", name),
    el("IssueDateTime", [leaf("DateTimeString", stamp(h.issuedAt))]),
    leaf("TypeCode", h.typeCode),
    el("Sender", [leaf("Id", h.sender.id, { schemeId: "0238" }), leaf("Name", h.sender.name), leaf("RoleCode", "WK")]),
    el("Issuer", [leaf("Id", h.seller.siren, { schemeId: "0002" }), leaf("Name", h.seller.name.trim() || h.seller.siren), leaf("RoleCode", "SE")]),
  ]);
}

const period = (p: EreportPeriod) => el("ReportPeriod", [leaf("StartDate", ymd(p.start)), leaf("EndDate", ymd(p.end))]);

/** The 10.3 file of a period (an empty period still reports: no Transactions block). */
export function buildTransactionsReport(h: ReportHeader, blocks: readonly TransactionsBlock[]): string {
  checkHeader(h);
  return renderXml(
    el("Report", [
      documentHeader(h, "transactions"),
      el("TransactionsReport", [
        period(h.period),
        ...blocks.map((b) =>
          el("Transactions", [
            leaf("Date", ymd(b.date)),
            leaf("TransactionsCurrency", "EUR"),
            leaf("CategoryCode", b.category),
            leaf("TaxExclusiveAmount", formatAmount(b.taxExclusiveCents)),
            leaf("TaxTotal", formatAmount(b.vatCents)),
            leaf("TransactionsCount", String(b.count)),
            ...b.subtotals.map((s) =>
              el("TaxSubtotal", [leaf("TaxPercent", formatPercentValue(s.rateBasisPoints)), leaf("TaxableAmount", formatAmount(s.taxableCents)), leaf("TaxTotal", formatAmount(s.vatCents))]),
            ),
          ]),
        ),
      ]),
    ]),
  );
}

/** The 10.4 file of a period. */
export function buildPaymentsReport(h: ReportHeader, blocks: readonly PaymentsBlock[]): string {
  checkHeader(h);
  return renderXml(
    el("Report", [
      documentHeader(h, "payments"),
      el("PaymentsReport", [
        period(h.period),
        ...blocks.map((b) =>
          el("Transactions", [
            el("Payment", [
              leaf("Date", ymd(b.date)),
              ...b.subtotals.map((s) => el("SubTotals", [leaf("TaxPercent", formatPercentValue(s.rateBasisPoints)), leaf("CurrencyCode", "EUR"), leaf("Amount", formatAmount(s.amountCents))])),
            ]),
          ]),
        ),
      ]),
    ]),
  );
}

/** What "the period changed" compares: the blocks alone, not the header (id, time, IN/RE). */
export function reportDataText(kind: "transactions" | "payments", blocks: readonly TransactionsBlock[] | readonly PaymentsBlock[]): string {
  return JSON.stringify({ kind, blocks });
}
