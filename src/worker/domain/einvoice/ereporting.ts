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
 * - 10.1 (international B2B sales, one block per invoice) travels in the same transactions file as
 *   10.3 (TB-2 "flux 10.1 et 10.3"), 10.2 in the payments file with 10.4 (TB-3): a RE then
 *   replaces the whole period of one kind at once.
 * - 10.2 carries only money on which French VAT falls due on collection: services taxed in France
 *   (a rate > 0). A service to a business abroad is taxed where the buyer is (CGI art. 259-1:
 *   reverse charge, categories AE/O) and a seller under the franchise (art. 293 B) owes no VAT at
 *   all, so for Factumo's franchise users 10.2 never applies; see {@link internationalPaymentParts}.
 * - 10.1 purchases (acquisitions from suppliers abroad, declarant role BY) are not built: see
 *   README "E-reporting".
 * - The Sender (TG-3) is "the declarant or its OD, or the PA for the aggregated transmission": the
 *   PA's registration number (0238, WK) when it is known (domain/einvoice/platforms.ts), else the
 *   declarant itself (SIREN 0002, SE) — see {@link senderOf}.
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

export interface EreportDeadline {
  period: EreportPeriod;
  deadline: string;
}

function addDaysIso(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The deadlines of the periods owed (from `start`, the reform's first period) that fall in
 * [from, to], in order: what the books calendar shows.
 */
export function ereportingDeadlinesBetween(from: string, to: string, regime: EreportRegime, start = EREPORTING_START): EreportDeadline[] {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new RangeError("expected YYYY-MM-DD dates");
  // A deadline falls at most three months after its period's start: begin there, not at the reform.
  const back = addDaysIso(from, -95);
  let p = periodOf(back > start ? back : start, regime);
  const out: EreportDeadline[] = [];
  for (let guard = 0; guard < 500; guard++) {
    const deadline = deadlineOf(p);
    if (deadline > to) break;
    if (deadline >= from && p.start >= start) out.push({ period: p, deadline });
    p = nextPeriod(p, regime);
  }
  return out;
}

/** The deadline to remind of on `today`: the next one when at most `daysBefore` days away (that day included), else null. */
export function ereportingDeadlineToRemind(today: string, regime: EreportRegime, daysBefore: number, start = EREPORTING_START): EreportDeadline | null {
  return ereportingDeadlinesBetween(today, addDaysIso(today, daysBefore), regime, start)[0] ?? null;
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

/** International B2B sale (10.1): one issued invoice, credit note or deposit invoice, as issued. */
export interface InternationalInvoice {
  number: string;
  issueDate: string;
  typeCode: "380" | "381" | "386";
  dueDate?: string | null;
  /** BT-23 cadre de facturation (B1/S1/M1, B4…), see cii.ts billingMode. */
  billingMode: string;
  precedingInvoice?: { number: string; issueDate: string } | null;
  seller: { siren: string; vatNumber?: string | null };
  buyer: { id: string; scheme: string; vatNumber?: string | null; country: string };
  taxExclusiveCents: number;
  vatCents: number;
  subtotals: Array<{ rateBasisPoints: number; category: string; exemptionCode?: string | null; exemptionReason?: string | null; taxableCents: number; vatCents: number }>;
}

/** 10.2: money received on one international invoice on one day, per VAT rate. */
export interface InvoicePayment {
  number: string;
  issueDate: string;
  date: string;
  subtotals: Array<{ rateBasisPoints: number; amountCents: number }>;
}

/** EU member states (ISO 3166-1 alpha-2; Greece is EL in VAT numbers, GR as a country). */
const EU = new Set("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split(" "));

/**
 * TT-36/TT-37, the buyer's identifier abroad: its VAT number (ICD 0223, "numéro de TVA
 * intracommunautaire") in the EU, otherwise ICD 0227 (entity outside the EU) with its VAT or
 * registration number, or its name when Factumo has no number [uncertain: the DGFiP annex lists
 * the schemes; what a PA accepts for a buyer without any number is not stated].
 */
export function foreignBuyerId(buyer: { name: string; country: string; vatNumber?: string | null; registrationId?: string | null }): { id: string; scheme: string } {
  const vat = buyer.vatNumber?.replace(/\s/g, "") || null;
  if (vat && EU.has(buyer.country.toUpperCase())) return { id: vat, scheme: "0223" };
  return { id: (vat ?? buyer.registrationId?.trim()) || buyer.name.trim(), scheme: "0227" };
}

/**
 * The parts of a payment on an international invoice that 10.2 reports: split pro rata of the
 * invoice's amounts including VAT (to the cent), keeping the rates > 0 only — French VAT is due
 * on collection for those alone (services taxed in France); exempt, reverse-charged and
 * franchise parts have no VAT to date. Goods are never reported (VAT due on delivery).
 */
export function internationalPaymentParts(
  amountCents: number,
  rates: ReadonlyArray<{ rateBasisPoints: number; taxableCents: number; vatCents: number }>,
  allocate: (total: number, weights: number[]) => number[],
): Array<{ rateBasisPoints: number; amountCents: number }> {
  const weighted = rates.filter((r) => r.taxableCents + r.vatCents > 0);
  if (weighted.length === 0) return [];
  const parts = allocate(amountCents, weighted.map((r) => r.taxableCents + r.vatCents));
  const out = new Map<number, number>();
  weighted.forEach((r, i) => {
    if (r.rateBasisPoints > 0) out.set(r.rateBasisPoints, (out.get(r.rateBasisPoints) ?? 0) + (parts[i] ?? 0));
  });
  return [...out.entries()].sort((a, b) => b[0] - a[0]).map(([rateBasisPoints, amount]) => ({ rateBasisPoints, amountCents: amount }));
}

/** The Sender block (TG-3): who hands the file over. */
export interface ReportSender {
  id: string;
  name: string;
  /** 0238 a PA's registration number, 0002 a SIREN. */
  scheme: "0238" | "0002";
  role: "WK" | "SE";
}

/**
 * TG-3 for the file a Solution Compatible hands to its PA: the PA's registration number (scheme
 * 0238, 4 characters, role WK) when Factumo knows it, otherwise the declarant itself (SIREN, 0002,
 * SE), which TG-3 allows ("le déclarant ou son OD"). Never an invented number.
 */
export function senderOf(pa: { registrationId?: string; name: string } | null, seller: { siren: string; name: string }): ReportSender {
  if (pa?.registrationId && /^[A-Za-z0-9]{4}$/.test(pa.registrationId)) return { id: pa.registrationId, name: pa.name, scheme: "0238", role: "WK" };
  return { id: seller.siren, name: seller.name.trim() || seller.siren, scheme: "0002", role: "SE" };
}

export interface ReportHeader {
  /** TT-1: unique per report; letters, digits, - and _ only. */
  id: string;
  /** When the file is made (ms). */
  issuedAt: number;
  typeCode: "IN" | "RE";
  seller: { siren: string; name: string };
  sender: ReportSender;
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
    el("Sender", [leaf("Id", h.sender.id, { schemeId: h.sender.scheme }), leaf("Name", h.sender.name), leaf("RoleCode", h.sender.role)]),
    el("Issuer", [leaf("Id", h.seller.siren, { schemeId: "0002" }), leaf("Name", h.seller.name.trim() || h.seller.siren), leaf("RoleCode", "SE")]),
  ]);
}

const period = (p: EreportPeriod) => el("ReportPeriod", [leaf("StartDate", ymd(p.start)), leaf("EndDate", ymd(p.end))]);

const party = (tag: string, p: { id: string; scheme: string; vatNumber?: string | null; country: string }) =>
  el(tag, [leaf("CompanyId", p.id, { schemeId: p.scheme }), ...(p.vatNumber ? [leaf("TaxRegistrationId", p.vatNumber, { qualifyingId: "VA" })] : []), el("PostalAddress", [leaf("CountryId", p.country)])]);

/** One 10.1 block (TG-8), in the XSD's order. */
function invoiceBlock(i: InternationalInvoice): XmlNode {
  return el("Invoice", [
    leaf("ID", i.number),
    leaf("IssueDate", ymd(i.issueDate)),
    leaf("TypeCode", i.typeCode),
    leaf("CurrencyCode", "EUR"),
    ...(i.dueDate ? [leaf("DueDate", ymd(i.dueDate))] : []),
    // TT-29: the profile of the data [uncertain: value not in the texts read; the PA may set it].
    el("BusinessProcess", [leaf("ID", i.billingMode), leaf("TypeID", "urn.cpro.gouv.fr:1p0:ereporting")]),
    ...(i.precedingInvoice ? [el("ReferencedDocument", [leaf("ID", i.precedingInvoice.number), leaf("IssueDate", ymd(i.precedingInvoice.issueDate))])] : []),
    party("Seller", { id: i.seller.siren, scheme: "0002", vatNumber: i.seller.vatNumber, country: "FR" }),
    party("Buyer", i.buyer),
    el("MonetaryTotal", [leaf("TaxExclusiveAmount", formatAmount(i.taxExclusiveCents)), leaf("TaxAmount", formatAmount(i.vatCents), { CurrencyCode: "EUR" })]),
    ...i.subtotals.map((s) =>
      el("TaxSubTotal", [
        leaf("TaxableAmount", formatAmount(s.taxableCents)),
        leaf("TaxAmount", formatAmount(s.vatCents)),
        el("TaxCategory", [
          leaf("Code", s.category),
          leaf("Percent", formatPercentValue(s.rateBasisPoints)),
          ...(s.exemptionReason ? [leaf("TaxExemptionReason", s.exemptionReason)] : []),
          ...(s.exemptionCode ? [leaf("TaxExemptionReasonCode", s.exemptionCode)] : []),
        ]),
      ]),
    ),
  ]);
}

/** The transactions file of a period: 10.1 invoices then 10.3 blocks (an empty period still reports). */
export function buildTransactionsReport(h: ReportHeader, blocks: readonly TransactionsBlock[], invoices: readonly InternationalInvoice[] = []): string {
  checkHeader(h);
  return renderXml(
    el("Report", [
      documentHeader(h, "transactions"),
      el("TransactionsReport", [
        period(h.period),
        ...invoices.map(invoiceBlock),
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

const subTotals = (list: ReadonlyArray<{ rateBasisPoints: number; amountCents: number }>) =>
  list.map((s) => el("SubTotals", [leaf("TaxPercent", formatPercentValue(s.rateBasisPoints)), leaf("CurrencyCode", "EUR"), leaf("Amount", formatAmount(s.amountCents))]));

/** The payments file of a period: 10.2 per invoice then 10.4 per day. */
export function buildPaymentsReport(h: ReportHeader, blocks: readonly PaymentsBlock[], invoices: readonly InvoicePayment[] = []): string {
  checkHeader(h);
  return renderXml(
    el("Report", [
      documentHeader(h, "payments"),
      el("PaymentsReport", [
        period(h.period),
        ...invoices.map((i) => el("Invoice", [leaf("InvoiceID", i.number), leaf("IssueDate", ymd(i.issueDate)), el("Payment", [leaf("Date", ymd(i.date)), ...subTotals(i.subtotals)])])),
        ...blocks.map((b) =>
          el("Transactions", [
            el("Payment", [leaf("Date", ymd(b.date)), ...subTotals(b.subtotals)]),
          ]),
        ),
      ]),
    ]),
  );
}

/**
 * What "the period changed" compares: the blocks alone, not the header (id, time, IN/RE). Without
 * 10.1/10.2 blocks the text is what it was before they existed, so periods already sent keep their hash.
 */
export function reportDataText(kind: "transactions" | "payments", blocks: readonly TransactionsBlock[] | readonly PaymentsBlock[], invoices: readonly InternationalInvoice[] | readonly InvoicePayment[] = []): string {
  return JSON.stringify(invoices.length ? { kind, blocks, invoices } : { kind, blocks });
}
