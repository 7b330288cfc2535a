/**
 * The one window every business date typed or sent to Factumo must fall in: documents (issue,
 * delivery, validity), payments, time entries, stock movements, reporting periods, privacy
 * requests. A date outside it is a typo (1900, year 1, 20266) or a probe, never a real invoice,
 * and it would poison ordering, aggregates, retention and the legal exports; beyond 9999 it does
 * not even fit an ISO date. Pure: the zod schemas build their refinements from it.
 *
 * The narrower rule for an invoice's issue date (not in the future, not before the series' last
 * issue) lives in the issuing verb and the numbering object; this is only the outer bound.
 */
import { isIsoDate } from "./vat.ts";

export const BUSINESS_YEAR_MIN = 2000;
export const BUSINESS_YEAR_MAX = 2099;
export const BUSINESS_DATE_MIN = `${BUSINESS_YEAR_MIN}-01-01`;
export const BUSINESS_DATE_MAX = `${BUSINESS_YEAR_MAX}-12-31`;

/** Why a value is not a business date: not a real `YYYY-MM-DD` date, or outside the window. */
export type BusinessDateCheck = "ok" | "format" | "window";

/** Checks a value sent as a business date. */
export function checkBusinessDate(value: unknown): BusinessDateCheck {
  if (typeof value !== "string" || !isIsoDate(value)) return "format";
  return value >= BUSINESS_DATE_MIN && value <= BUSINESS_DATE_MAX ? "ok" : "window";
}

/** A real `YYYY-MM-DD` date between 2000-01-01 and 2099-12-31. */
export function isBusinessDate(value: unknown): value is string {
  return checkBusinessDate(value) === "ok";
}

/** A year within the window (reporting years, FEC years). */
export function isBusinessYear(year: number): boolean {
  return Number.isInteger(year) && year >= BUSINESS_YEAR_MIN && year <= BUSINESS_YEAR_MAX;
}
