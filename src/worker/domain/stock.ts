/**
 * Stock quantities: exact decimal strings ↔ signed integers in ten-thousandths of a unit ("e4"),
 * the scale document lines already use (at most 4 decimals). No floating point anywhere: parsing
 * goes through BigInt, formatting through string arithmetic.
 */
import type { Locale } from "./format";
import { decimalToE4 } from "./totals";

/** Ten-thousandths per unit. */
export const E4 = 10_000n;

/** Largest quantity accepted (999 999 999,9999 units): far below 2^53 once scaled. */
export const MAX_QUANTITY_E4 = 9_999_999_999_999;

export type QuantityError = "invalid_quantity" | "quantity_precision" | "quantity_range";
export type ParsedQuantity = { ok: true; e4: number } | { ok: false; code: QuantityError };

// Spaces people type or copy between thousands: plain, no-break (U+00A0) and narrow no-break (U+202F).
const GROUPING = /[\s\u00a0\u202f]/g;

/**
 * Parses a typed or stored quantity ("1,5", "1.5", "-2", "1 234,5") into ten-thousandths:
 * "1,5" → 15000. More than 4 decimals is `quantity_precision`; anything else than a plain decimal
 * is `invalid_quantity`; beyond {@link MAX_QUANTITY_E4} is `quantity_range`.
 */
export function parseQuantityE4(text: string): ParsedQuantity {
  // What people type, brought to the plain form document lines store: no grouping, one comma as
  // the decimal point, a leading "+" dropped. The range check below bounds the digits.
  const plain = text.replace(GROUPING, "").replace(",", ".").replace(/^\+(?=\d)/, "");
  const parsed = decimalToE4(plain, Number.MAX_SAFE_INTEGER);
  if (typeof parsed === "string") return { ok: false, code: parsed };
  const magnitude = parsed < 0n ? -parsed : parsed;
  if (magnitude > BigInt(MAX_QUANTITY_E4)) return { ok: false, code: "quantity_range" };
  // Number(-0n) is 0: "-0" parses to zero, never to a negative zero.
  return { ok: true, e4: Number(parsed) };
}

/** Canonical decimal string of a quantity, dot separator, no trailing zeros: 15000 → "1.5", -1 → "-0.0001". */
export function e4ToDecimal(e4: number | bigint): string {
  const value = BigInt(e4);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const units = abs / E4;
  const fraction = (abs % E4).toString().padStart(4, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${units}${fraction ? `.${fraction}` : ""}`;
}

/**
 * A quantity for people: French "1 234,5" (narrow no-break space between thousands, like amounts),
 * English "1,234.5". `grouping: false` gives what a form field shows ("1234,5"), parsed back exactly.
 * `signed: true` puts a "+" before positive quantities (movements: +12 in, −3 out).
 */
export function formatQuantityE4(e4: number | bigint, locale: Locale, opts: { grouping?: boolean; signed?: boolean } = {}): string {
  const decimal = e4ToDecimal(e4);
  const negative = decimal.startsWith("-");
  const [units = "0", fraction] = (negative ? decimal.slice(1) : decimal).split(".");
  const groupSep = locale === "fr" ? "\u202f" : ",";
  const grouped = opts.grouping === false ? units : units.replace(/\B(?=(\d{3})+(?!\d))/g, groupSep);
  const body = fraction ? `${grouped}${locale === "fr" ? "," : "."}${fraction}` : grouped;
  // U+2212 MINUS SIGN reads better than a hyphen in tables; parsing accepts only "-", so forms use plain output.
  const sign = negative ? (opts.signed ? "\u2212" : "-") : opts.signed && decimal !== "0" ? "+" : "";
  return `${sign}${body}`;
}

export type StockStatus = "ok" | "low" | "out" | "negative";

/**
 * Where a product stands: "negative" (sold more than recorded: a reception is missing), "out"
 * (exactly none), "low" (at or under its threshold), else "ok".
 */
export function stockStatus(onHandE4: number, lowThresholdE4: number | null): StockStatus {
  if (onHandE4 < 0) return "negative";
  if (onHandE4 === 0) return "out";
  if (lowThresholdE4 !== null && onHandE4 <= lowThresholdE4) return "low";
  return "ok";
}

/**
 * Value of the quantity on hand at a unit price, in cents, rounded half up; a negative stock is
 * worth nothing (it is a missing reception, not a debt). BigInt: quantity × price may pass 2^53.
 */
export function stockValueCents(onHandE4: number, unitPriceCents: number): bigint {
  if (onHandE4 <= 0) return 0n;
  return (BigInt(onHandE4) * BigInt(unitPriceCents) * 2n + E4) / (2n * E4);
}
