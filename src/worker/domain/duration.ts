/**
 * Durations of work as people type them and as invoices need them. Pure: no I/O, no clock.
 * A duration is a whole number of minutes.
 */

/** Longest single time entry: one day. */
export const MAX_ENTRY_MINUTES = 24 * 60;

const HOURS_MINUTES = /^(\d{1,4})\s*[:h]\s*(\d{1,2})\s*(?:m|min|mn)?$/;
const HOURS_ONLY = /^(\d{1,4})\s*h$/;
const MINUTES_ONLY = /^(\d{1,5})\s*(?:m|min|mn|minutes?)?$/;
const DECIMAL_HOURS = /^(\d{1,4})[.,](\d{1,4})\s*h?$/;

/**
 * Reads a typed duration as minutes: "1:30", "1h30", "1 h 30", "2h", "45 min" and a bare whole
 * number ("90", minutes) or a decimal number of hours ("1,5" with the French comma, "1.5").
 * Decimal hours round to the nearest minute (half up). Returns null for anything else, including
 * a minutes part of 60 or more ("1:75"). Zero is read as 0: range checks are the caller's.
 */
export function parseDuration(input: string): number | null {
  const s = input.trim().toLowerCase().replace(/\u00a0/g, " ");
  let m = HOURS_MINUTES.exec(s);
  if (m) {
    const minutes = Number(m[2]);
    return minutes < 60 ? Number(m[1]) * 60 + minutes : null;
  }
  m = HOURS_ONLY.exec(s);
  if (m) return Number(m[1]) * 60;
  m = MINUTES_ONLY.exec(s);
  if (m) return Number(m[1]);
  m = DECIMAL_HOURS.exec(s);
  if (m) {
    const fraction = m[2]!;
    // Integer arithmetic: hours × 60 + fraction × 60 / 10^digits, rounded half up.
    const scale = 10 ** fraction.length;
    const sixtieths = Number(fraction) * 60;
    return Number(m[1]) * 60 + Math.floor((sixtieths * 2 + scale) / (2 * scale));
  }
  return null;
}

/** "1 h 30", "2 h", "45 min", "0 min"; minutes after hours are two digits ("1 h 05"). */
export function formatDuration(minutes: number): string {
  if (!Number.isSafeInteger(minutes) || minutes < 0) throw new RangeError(`not a duration: ${minutes}`);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")}`;
}

/** A duration as a form field shows it again: "1:30", which {@link parseDuration} reads back. */
export function durationToInput(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

/**
 * Minutes as a decimal number of hours with at most 4 decimals, dot-separated, as invoice line
 * quantities are stored: 90 → "1.5", 20 → "0.3333", 1 → "0.0167" (rounded half up).
 */
export function minutesToHours(minutes: number): string {
  if (!Number.isSafeInteger(minutes) || minutes < 0) throw new RangeError(`not a duration: ${minutes}`);
  // Ten-thousandths of an hour: minutes × 10000 / 60 = minutes × 500 / 3.
  const n = minutes * 500;
  const tenThousandths = Math.floor(n / 3) + (2 * (n % 3) >= 3 ? 1 : 0);
  const whole = Math.floor(tenThousandths / 10_000);
  const fraction = String(tenThousandths % 10_000).padStart(4, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** What `minutes` at `hourlyRateCents` per hour come to, in cents, rounded half up. */
export function amountForMinutes(minutes: number, hourlyRateCents: number): number {
  if (!Number.isSafeInteger(minutes) || minutes < 0 || !Number.isSafeInteger(hourlyRateCents) || hourlyRateCents < 0) {
    throw new RangeError("minutes and rate must be non-negative integers");
  }
  // BigInt: a large rate times a day of minutes stays exact.
  const product = BigInt(minutes) * BigInt(hourlyRateCents);
  return Number((product * 2n + 60n) / 120n);
}

/** Whole minutes elapsed from `startedAt` to `now` (milliseconds), rounded up, at least 1. */
export function elapsedMinutes(startedAt: number, now: number): number {
  return Math.max(1, Math.ceil((now - startedAt) / 60_000));
}
