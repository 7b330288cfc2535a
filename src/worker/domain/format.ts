/**
 * Display formatting (money, dates, percentages) and parsing of typed amounts.
 *
 * Output is whatever Intl produces for the locale, unchanged. For French that means CLDR's
 * typography: U+202F (narrow no-break space) as thousands separator and U+00A0 (no-break space)
 * before "€" and "%", e.g. "1 234,56 €", "5,5 %". Tests and callers must not expect plain spaces.
 *
 * "en" uses the en-GB conventions: "€1,234.56" and day-first dates ("26/11/2026"), so a date reads
 * the same in both languages of the app.
 */

/** UI languages. */
export type Locale = "fr" | "en";

const LANGUAGE_TAGS: Readonly<Record<Locale, string>> = { fr: "fr-FR", en: "en-GB" };

/** Legal dates and times are those of metropolitan France, whatever the server's zone. */
const PARIS = "Europe/Paris";

/** Largest amount accepted by {@link parseAmountToCents}: 10 billion euros. */
export const MAX_PARSED_CENTS = 1_000_000_000_000;

/**
 * Exact decimal string of an amount in hundredths ("-123456" → "-1234.56"), so that Intl
 * formats it without a detour through floating point (Intl.NumberFormat accepts decimal strings).
 */
function centsToDecimalString(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const units = abs / 100n;
  const hundredths = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${units}.${hundredths}`;
}

// Building an Intl formatter costs ~60× formatting with one (measured while rendering PDFs), so each
// distinct set of options is built once per isolate and reused.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(LANGUAGE_TAGS[locale], options)));
  return f;
}

function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(LANGUAGE_TAGS[locale], options)));
  return f;
}

/**
 * Formats an amount in cents (hundredths of the currency unit) for display:
 * fr → "1 234,56 €", en → "€1,234.56"; negatives as "-1 234,56 €" / "-€1,234.56".
 * Always two fraction digits, so nothing is rounded away.
 * @throws RangeError when `cents` is a number that is not a safe integer.
 */
export function formatMoney(cents: number | bigint, locale: Locale, currency = "EUR"): string {
  if (typeof cents === "number" && !Number.isSafeInteger(cents)) {
    throw new RangeError(`cents must be a safe integer, got ${cents}`);
  }
  const formatter = numberFormat(locale, { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return formatter.format(centsToDecimalString(BigInt(cents)) as Intl.StringNumericLiteral);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Formats a calendar date as day/month/year ("26/11/2026") in both locales.
 * An ISO "YYYY-MM-DD" string is a calendar date and is printed as is; a Date is an instant and is
 * printed as its date in Paris.
 * @throws RangeError on a malformed or impossible ISO date ("2026-02-30").
 */
export function formatDate(date: string | Date, locale: Locale): string {
  let instant: Date;
  let timeZone: string;
  if (typeof date === "string") {
    const match = ISO_DATE.exec(date);
    if (match === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    instant = new Date(Date.UTC(year, month - 1, day));
    // Date.UTC silently rolls 30 February over to March: compare back to reject it.
    if (instant.getUTCFullYear() !== year || instant.getUTCMonth() !== month - 1 || instant.getUTCDate() !== day) {
      throw new RangeError(`impossible date: ${date}`);
    }
    timeZone = "UTC";
  } else {
    if (Number.isNaN(date.getTime())) throw new RangeError("invalid Date");
    instant = date;
    timeZone = PARIS;
  }
  return dateFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric", timeZone }).format(instant);
}

/**
 * Formats a timestamp (epoch milliseconds) as date and time in Paris:
 * fr → "26/11/2026 14:05", en → "26/11/2026, 14:05" (24-hour clock in both).
 */
export function formatDateTime(timestampMs: number, locale: Locale): string {
  if (!Number.isFinite(timestampMs)) throw new RangeError(`invalid timestamp: ${timestampMs}`);
  return dateFormat(locale, { dateStyle: "short", timeStyle: "short", hourCycle: "h23", timeZone: PARIS }).format(timestampMs);
}

/**
 * Formats a rate given in basis points (1/100 of a percent): 550 → "5,5 %" (fr), "5.5%" (en);
 * 2000 → "20 %". Up to two fraction digits, which is all basis points can carry.
 * @throws RangeError when `basisPoints` is not a safe integer.
 */
export function formatPercent(basisPoints: number, locale: Locale): string {
  if (!Number.isSafeInteger(basisPoints)) throw new RangeError(`basis points must be an integer, got ${basisPoints}`);
  // "550E-4" is exactly 0.055 as a decimal string; Intl then multiplies by 100 without float error.
  return numberFormat(locale, { style: "percent", minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(
    `${basisPoints}E-4` as Intl.StringNumericLiteral,
  );
}

/** Result of {@link parseAmountToCents}. */
export type ParsedAmount =
  | { ok: true; cents: number }
  | {
      ok: false;
      /** format: not a number; decimals: more than 2 fraction digits; range: above 10 billion. */
      reason: "format" | "decimals" | "range";
    };

/** Spaces accepted between digit groups: plain, no-break, narrow no-break, thin. */
const GROUP_SEPARATORS = /[ \u00A0\u202F\u2009]/g;
/** Sign, units (plain or grouped by thousands), optional fraction after "," or ".". */
const AMOUNT = /^(-?)(\d+|\d{1,3}(?:[ \u00A0\u202F\u2009]\d{3})+)(?:[.,](\d+))?$/;

/**
 * Parses an amount typed by a user into cents: "1234,56", "1 234,56", "1234.5", "1234", "-12,50".
 * Either "," or "." is the decimal separator. Units may be grouped by thousands with a single space
 * of any kind (including the U+202F and U+00A0 that French formatting produces), but only in
 * groups of three ("1 2 3" is refused). No other thousands separator is accepted, because
 * "1.234" or "1,234" could not be told apart from a decimal.
 */
export function parseAmountToCents(input: string): ParsedAmount {
  const parsed = parseScaled(input, 2);
  return typeof parsed === "number" ? { ok: true, cents: parsed } : { ok: false, reason: parsed };
}

/**
 * Parses a unit price typed like an amount ("3,333", "0.0125", "1 234,5") into ten-thousandths
 * of the currency unit (3,333 → 33_330): unit prices may carry up to 4 decimals (BR-FR-DEC-03
 * allows 6 on BT-146; Factumo keeps 4), amounts only 2. Same rules as {@link parseAmountToCents}.
 */
export function parseUnitPriceToE4(input: string): number | "format" | "decimals" | "range" {
  return parseScaled(input, 4);
}

/** The typed decimal in units of 10^-decimals, or why it is refused; the one amount parser. */
function parseScaled(input: string, decimals: 2 | 4): number | "format" | "decimals" | "range" {
  const match = AMOUNT.exec(input.trim());
  if (match === null) return "format";
  const [, sign = "", groupedUnits = "", fraction = ""] = match;
  const units = groupedUnits.replace(GROUP_SEPARATORS, "");
  if (fraction.length > decimals) return "decimals";
  // BigInt so that a very long digit string is compared exactly before becoming a number.
  const scale = decimals === 2 ? 1n : 100n;
  const magnitude = BigInt(units) * 100n * scale + BigInt(fraction.padEnd(decimals, "0"));
  if (magnitude > BigInt(MAX_PARSED_CENTS) * scale) return "range";
  const value = Number(magnitude);
  // Avoid returning -0 for "-0,00".
  return sign === "-" && value !== 0 ? -value : value;
}

/** Exact decimal string of ten-thousandths with 2 to 4 decimals: 33_330 → "3.333", 6_500_000 → "650.00". */
export function unitPriceDecimal(e4: number | bigint): string {
  const value = BigInt(e4);
  const abs = value < 0n ? -value : value;
  const fraction = (abs % 10_000n).toString().padStart(4, "0").replace(/0{1,2}$/, "");
  return `${value < 0n ? "-" : ""}${abs / 10_000n}.${fraction}`;
}

/**
 * Formats a unit price in ten-thousandths: two decimals like any amount, more only when the price
 * has them — 6_500_000 → "650,00 €", 33_330 → "3,333 €", 125 → "0,0125 €".
 */
export function formatUnitPrice(e4: number, locale: Locale, currency = "EUR"): string {
  if (!Number.isSafeInteger(e4)) throw new RangeError(`unit price must be a safe integer, got ${e4}`);
  const formatter = numberFormat(locale, { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 4 });
  return formatter.format(unitPriceDecimal(e4) as Intl.StringNumericLiteral);
}
