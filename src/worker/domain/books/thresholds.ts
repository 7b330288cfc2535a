/**
 * Gauges of a micro-entrepreneur's turnover against the VAT franchise thresholds (CGI art. 293 B)
 * and the micro regime ceilings (CGI art. 50-0 and 102 ter).
 *
 * The figures themselves are NOT written here: they live in the one dated table of domain/vat.ts
 * ({@link FRENCH_TAX_TABLE}, LEGAL.md §8), so that a change of law is one edit. This module only
 * measures a turnover against the figures in force on a date. Pure: no I/O, no clock.
 */

import { thresholdsAt } from "../vat";

/** Share of a limit from which a gauge warns, in basis points (80 %). */
export const WARNING_BASIS_POINTS = 8_000;

/**
 * ok: under 80 % of the limit; warning: 80 % or more; reached: the limit is reached or passed;
 * over_tolerance: the franchise's higher (majoré) threshold is passed too.
 */
export type GaugeLevel = "ok" | "warning" | "reached" | "over_tolerance";

export type GaugeId = "franchise_sales" | "franchise_services" | "micro_sales" | "micro_services";

export interface Gauge {
  id: GaugeId;
  /** Turnover measured, integer cents. */
  valueCents: number;
  /** The base threshold or ceiling, integer cents. */
  limitCents: number;
  /** The franchise's higher threshold (seuil majoré); null for the micro ceilings. */
  toleranceCents: number | null;
  /** value / limit in basis points, rounded down, capped at 99 999 so a bar stays drawable. */
  percentBasisPoints: number;
  level: GaugeLevel;
  /** i18n key of what happens at this level (the UI's explanation text). */
  explanationKey: `books.gauge.${GaugeId}.${GaugeLevel}`;
}

/** Turnover of the calendar year so far, split the way the thresholds read it. */
export interface YearTurnover {
  /** Sales of goods (BIC ventes), integer cents. */
  salesCents: number;
  /** Services, BIC or BNC alike, integer cents. */
  servicesCents: number;
}

function levelOf(valueCents: number, limitCents: number, toleranceCents: number | null): GaugeLevel {
  if (toleranceCents !== null && valueCents > toleranceCents) return "over_tolerance";
  if (valueCents >= limitCents) return "reached";
  if (BigInt(valueCents) * 10_000n >= BigInt(limitCents) * BigInt(WARNING_BASIS_POINTS)) return "warning";
  return "ok";
}

/**
 * One gauge: where `valueCents` stands against `limitCents` (and the tolerance, if any).
 * The alert fires at 100 % already (the law bites on exceeding, one euro later); the tolerance
 * level only once the higher threshold is exceeded, as art. 293 B says.
 * @throws RangeError when an amount is not a non-negative safe integer or the limit is not positive.
 */
export function gauge(id: GaugeId, valueCents: number, limitCents: number, toleranceCents: number | null = null): Gauge {
  for (const v of [valueCents, limitCents, toleranceCents ?? 0]) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`amounts must be non-negative integer cents, got ${v}`);
  }
  if (limitCents <= 0) throw new RangeError("a limit must be positive");
  const percent = (BigInt(valueCents) * 10_000n) / BigInt(limitCents);
  const level = levelOf(valueCents, limitCents, toleranceCents);
  return {
    id,
    valueCents,
    limitCents,
    toleranceCents,
    percentBasisPoints: Number(percent > 99_999n ? 99_999n : percent),
    level,
    explanationKey: `books.gauge.${id}.${level}`,
  };
}

/**
 * The gauges that apply on `isoDate` to a year's turnover. A business that sells goods is measured
 * on its whole turnover against the sales figures, and on its services part against the services
 * figures (mixed activity rule of art. 293 B and 50-0); a services-only business has only the
 * services gauges. The franchise gauges are left out for an account that already charges VAT.
 * @throws RangeError on a malformed date or amounts.
 */
export function thresholdGauges(turnover: YearTurnover, isoDate: string, opts: { vatRegime: "franchise" | "vat" }): Gauge[] {
  const sales = Math.max(0, turnover.salesCents);
  const services = Math.max(0, turnover.servicesCents);
  const { franchise, microCeilings } = thresholdsAt(isoDate);
  const gauges: Gauge[] = [];
  if (franchise && opts.vatRegime === "franchise") {
    if (sales > 0) gauges.push(gauge("franchise_sales", sales + services, franchise.salesCents, franchise.salesToleranceCents));
    gauges.push(gauge("franchise_services", services, franchise.servicesCents, franchise.servicesToleranceCents));
  }
  if (microCeilings) {
    if (sales > 0) gauges.push(gauge("micro_sales", sales + services, microCeilings.salesCents));
    gauges.push(gauge("micro_services", services, microCeilings.servicesCents));
  }
  return gauges;
}

/** True when some gauge asks for the user's attention (80 % or more). */
export function needsAttention(gauges: readonly Gauge[]): boolean {
  return gauges.some((g) => g.level !== "ok");
}
