/**
 * The micro-entrepreneur's URSSAF turnover declaration (LEGAL.md §8): turnover actually received
 * (encaissé) in each month or quarter, split into BIC sales / BIC services / BNC, rounded to the
 * euro, with the calendar of declaration deadlines. A period with nothing received is still a
 * period to declare (a zero declaration).
 *
 * Amounts are integer cents until the final rounding to whole euros. Pure: no I/O, no clock.
 */

import { addDays } from "../mentions";
import { allocateProportionally, roundHalfUpDiv } from "../money";
import { isIsoDate } from "../vat";
import { BUSINESS_YEAR_MAX, BUSINESS_YEAR_MIN } from "../date-window";

/** The three boxes of the declaration. */
export const URSSAF_CATEGORIES = ["bic_sales", "bic_services", "bnc"] as const;
export type UrssafCategory = (typeof URSSAF_CATEGORIES)[number];
export type CategoryAmounts = Record<UrssafCategory, number>;

/** How the account's services are taxed: commercial or craft (BIC) or liberal profession (BNC). */
export const SERVICE_CATEGORIES = ["bic", "bnc"] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

export const DECLARATION_FREQUENCIES = ["monthly", "quarterly"] as const;
export type DeclarationFrequency = (typeof DECLARATION_FREQUENCIES)[number];

/** What a receipt is split by: the totals of the invoice it pays, from its frozen snapshot. */
export interface ReceiptBasis {
  /** BT-109, integer cents. */
  taxExclusiveCents: number;
  /** BT-110, integer cents (0 under the VAT franchise). */
  vatCents: number;
  /** Sum of the net amounts (BT-131) of the goods lines / service lines. */
  goodsNetCents: number;
  servicesNetCents: number;
}

export const zeroAmounts = (): CategoryAmounts => ({ bic_sales: 0, bic_services: 0, bnc: 0 });

/**
 * The turnover part of money received on an invoice, split by declaration category.
 *
 * The VAT share of the receipt is left out (turnover is declared excluding VAT), then the rest is
 * shared between goods and services pro rata of the invoice's line nets. Both splits use the
 * largest-remainder rule on integer cents, so for any receipt the parts plus the VAT share add up
 * to the receipt exactly, and a correction (the opposite amount) splits into the exact opposite
 * parts. Services go to BIC services or BNC according to `serviceCategory`. An invoice whose
 * bases are all zero or negative counts as services.
 * @throws RangeError when an amount is not a safe integer.
 */
export function splitReceipt(amountCents: number, basis: ReceiptBasis, serviceCategory: ServiceCategory): CategoryAmounts {
  const ht = Math.max(0, basis.taxExclusiveCents);
  const vat = Math.max(0, basis.vatCents);
  const [turnover = 0] = ht + vat === 0 ? [amountCents] : allocateProportionally(amountCents, [ht, vat]);
  const goods = Math.max(0, basis.goodsNetCents);
  const services = Math.max(0, basis.servicesNetCents);
  const [goodsPart = 0, servicesPart = 0] = goods + services === 0 ? [0, turnover] : allocateProportionally(turnover, [goods, services]);
  const out = zeroAmounts();
  out.bic_sales = goodsPart;
  out[serviceCategory === "bnc" ? "bnc" : "bic_services"] = servicesPart;
  return out;
}

/** Adds category amounts (exact, integer cents). */
export function addAmounts(a: CategoryAmounts, b: CategoryAmounts): CategoryAmounts {
  return { bic_sales: a.bic_sales + b.bic_sales, bic_services: a.bic_services + b.bic_services, bnc: a.bnc + b.bnc };
}

/** Cents to whole euros, halves away from zero (12 345,50 € → 12 346 €). */
export function centsToEuros(cents: number): number {
  return Number(roundHalfUpDiv(BigInt(cents), 100n));
}

// ---- periods -------------------------------------------------------------------------------

/** A month (index 1–12) or a quarter (index 1–4) of a calendar year. */
export interface Period {
  frequency: DeclarationFrequency;
  year: number;
  index: number;
}

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER_KEY = /^(\d{4})-Q([1-4])$/;
const YEAR = /^\d{4}$/;

/** Smallest and largest years the books accept (dates outside are typing mistakes). */
export const MIN_YEAR = BUSINESS_YEAR_MIN;
export const MAX_YEAR = BUSINESS_YEAR_MAX;

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-03" for March 2026, "2026-Q1" for the first quarter. */
export function periodKey(p: Period): string {
  return p.frequency === "monthly" ? `${p.year}-${pad(p.index)}` : `${p.year}-Q${p.index}`;
}

/** The period a key names ("2026-03", "2026-Q2"), or null when the key is malformed. */
export function parsePeriodKey(key: string): Period | null {
  const month = MONTH_KEY.exec(key);
  if (month) return inYears({ frequency: "monthly", year: Number(month[1]), index: Number(month[2]) });
  const quarter = QUARTER_KEY.exec(key);
  if (quarter) return inYears({ frequency: "quarterly", year: Number(quarter[1]), index: Number(quarter[2]) });
  return null;
}

/** A year typed as "2026" within the accepted range, or null. */
export function parseYear(text: string): number | null {
  if (!YEAR.test(text)) return null;
  const year = Number(text);
  return year >= MIN_YEAR && year <= MAX_YEAR ? year : null;
}

function inYears(p: Period): Period | null {
  return p.year >= MIN_YEAR && p.year <= MAX_YEAR ? p : null;
}

function requireDate(isoDate: string): void {
  if (!isIsoDate(isoDate)) throw new RangeError(`expected a YYYY-MM-DD date, got "${isoDate}"`);
}

function lastDayOfMonth(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/**
 * The period that contains a date.
 * @throws RangeError on a malformed date.
 */
export function periodOf(isoDate: string, frequency: DeclarationFrequency): Period {
  requireDate(isoDate);
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  return { frequency, year, index: frequency === "monthly" ? month : Math.ceil(month / 3) };
}

/** First and last day of a period (inclusive ISO dates). */
export function periodRange(p: Period): { from: string; to: string } {
  const firstMonth = p.frequency === "monthly" ? p.index : (p.index - 1) * 3 + 1;
  const lastMonth = p.frequency === "monthly" ? p.index : p.index * 3;
  return { from: `${p.year}-${pad(firstMonth)}-01`, to: lastDayOfMonth(p.year, lastMonth) };
}

/** The period after `p` (December → January of the next year). */
export function nextPeriod(p: Period): Period {
  const count = p.frequency === "monthly" ? 12 : 4;
  return p.index === count ? { ...p, year: p.year + 1, index: 1 } : { ...p, index: p.index + 1 };
}

/** Every period of a calendar year, in order. */
export function periodsOfYear(year: number, frequency: DeclarationFrequency): Period[] {
  const count = frequency === "monthly" ? 12 : 4;
  return Array.from({ length: count }, (_, i) => ({ frequency, year, index: i + 1 }));
}

/**
 * Last day to declare a period (LEGAL.md §8): a month is declared by the end of the next month; a
 * quarter by the end of the month after it (30 April, 31 July, 31 October, 31 January).
 * No shift for weekends or holidays: LEGAL.md sets none.
 */
export function declarationDeadline(p: Period): string {
  const lastMonth = p.frequency === "monthly" ? p.index : p.index * 3;
  return lastMonth === 12 ? lastDayOfMonth(p.year + 1, 1) : lastDayOfMonth(p.year, lastMonth + 1);
}

export interface Deadline {
  period: Period;
  key: string;
  deadline: string;
}

/**
 * The declaration deadlines falling between two dates (inclusive), in order.
 * @throws RangeError on malformed dates.
 */
export function deadlinesBetween(from: string, to: string, frequency: DeclarationFrequency): Deadline[] {
  requireDate(from);
  requireDate(to);
  const out: Deadline[] = [];
  // The period whose deadline is the first on or after `from` starts at most two months earlier.
  let p = periodOf(addDays(`${from.slice(0, 7)}-01`, -95), frequency);
  for (;;) {
    const deadline = declarationDeadline(p);
    if (deadline > to) break;
    if (deadline >= from) out.push({ period: p, key: periodKey(p), deadline });
    p = nextPeriod(p);
  }
  return out;
}

/** The first deadline on or after `today`. */
export function nextDeadline(today: string, frequency: DeclarationFrequency): Deadline {
  const [first] = deadlinesBetween(today, addDays(today, 130), frequency);
  if (!first) throw new Error("unreachable: every 130 days hold a deadline");
  return first;
}

/**
 * The deadline to remind of on `today`: the next one, when it is at most `daysBefore` days away
 * (the deadline day itself included); otherwise null.
 */
export function deadlineToRemind(today: string, frequency: DeclarationFrequency, daysBefore: number): Deadline | null {
  const next = nextDeadline(today, frequency);
  return next.deadline <= addDays(today, daysBefore) ? next : null;
}

// ---- declarations --------------------------------------------------------------------------

/** A receipt already split by category (see {@link splitReceipt}). */
export interface SplitReceipt {
  receivedOn: string;
  parts: CategoryAmounts;
}

export interface PeriodDeclaration {
  period: Period;
  key: string;
  from: string;
  to: string;
  deadline: string;
  /** Number of receipts (corrections included) in the period. */
  receipts: number;
  /** Exact turnover received, integer cents. */
  cents: CategoryAmounts;
  /** What is declared: each category rounded to the euro. */
  euros: CategoryAmounts;
  totalCents: number;
  /** Sum of the rounded categories, the figure the declaration shows. */
  totalEuros: number;
}

function declarationOf(p: Period, receipts: readonly SplitReceipt[]): PeriodDeclaration {
  const { from, to } = periodRange(p);
  let cents = zeroAmounts();
  let count = 0;
  for (const r of receipts) {
    if (r.receivedOn < from || r.receivedOn > to) continue;
    cents = addAmounts(cents, r.parts);
    count += 1;
  }
  const euros: CategoryAmounts = { bic_sales: centsToEuros(cents.bic_sales), bic_services: centsToEuros(cents.bic_services), bnc: centsToEuros(cents.bnc) };
  return {
    period: p,
    key: periodKey(p),
    from,
    to,
    deadline: declarationDeadline(p),
    receipts: count,
    cents,
    euros,
    totalCents: cents.bic_sales + cents.bic_services + cents.bnc,
    totalEuros: euros.bic_sales + euros.bic_services + euros.bnc,
  };
}

/**
 * The declaration of every period of a year, zero periods included, from the receipts of that
 * year (receipts dated outside it are ignored).
 */
export function declarationsForYear(receipts: readonly SplitReceipt[], year: number, frequency: DeclarationFrequency): PeriodDeclaration[] {
  return periodsOfYear(year, frequency).map((p) => declarationOf(p, receipts));
}

/** The declaration of one period. */
export function declarationForPeriod(receipts: readonly SplitReceipt[], period: Period): PeriodDeclaration {
  return declarationOf(period, receipts);
}

/** Sales and services received in the year, in cents, as the thresholds read them. */
export function yearTurnover(declarations: readonly PeriodDeclaration[]): { salesCents: number; servicesCents: number } {
  let salesCents = 0;
  let servicesCents = 0;
  for (const d of declarations) {
    salesCents += d.cents.bic_sales;
    servicesCents += d.cents.bic_services + d.cents.bnc;
  }
  return { salesCents, servicesCents };
}
