/**
 * French VAT rates, VAT categories, exemption wordings and micro-entrepreneur thresholds.
 *
 * Rates and thresholds change by law, so they live in ONE dated table ({@link FRENCH_TAX_TABLE});
 * every lookup takes the date it applies to and nothing here reads the clock.
 * Percentages are basis points (1 % = 100), amounts are integer cents.
 */

/** VAT category codes (UNTDID 5305, the subset EN 16931 allows). */
export type VatCategory = "S" | "Z" | "E" | "AE" | "K" | "G" | "O";

/**
 * S standard rate, Z zero rated, E exempt, AE reverse charge, K intra-EU supply,
 * G export outside the EU, O outside the scope of VAT.
 */
export const VAT_CATEGORIES: readonly VatCategory[] = ["S", "Z", "E", "AE", "K", "G", "O"];

/** A period of validity, both ends inclusive; `validTo: null` means "until the law changes". */
export interface Validity {
  validFrom: string;
  validTo: string | null;
}

/** VAT franchise thresholds (CGI art. 293 B): turnover of the previous / current calendar year. */
export interface FranchiseThresholds extends Validity {
  salesCents: number;
  salesToleranceCents: number;
  servicesCents: number;
  servicesToleranceCents: number;
}

/** Turnover ceilings of the micro-entrepreneur regime (CGI art. 50-0 and 102 ter). */
export interface MicroCeilings extends Validity {
  salesCents: number;
  servicesCents: number;
}

export interface VatRatePeriod extends Validity {
  /** Every rate a French invoice may carry in the period, 0 included (Z, E, AE, K, G, O). */
  ratesBasisPoints: readonly number[];
}

/**
 * The one place where legal rates and thresholds are written down. Add a new period (and close
 * the previous one with `validTo`) when the law changes; never edit a past period, since issued
 * documents were computed with it.
 */
export const FRENCH_TAX_TABLE = {
  /** Date the figures below were last checked against the law. */
  reviewedOn: "2026-11-01",
  vatRates: [
    // 20 % (art. 278), 10 % (art. 279), 5.5 % (art. 278-0 bis), 2.1 % (art. 281 quater ff.).
    { validFrom: "2014-01-01", validTo: null, ratesBasisPoints: [2000, 1000, 550, 210, 0] },
  ] satisfies readonly VatRatePeriod[],
  franchise: [
    {
      validFrom: "2025-01-01",
      validTo: null,
      salesCents: 8_500_000,
      salesToleranceCents: 9_350_000,
      servicesCents: 3_750_000,
      servicesToleranceCents: 4_125_000,
    },
  ] satisfies readonly FranchiseThresholds[],
  // Revised every three years; check the 2029 figures when they are published.
  microCeilings: [
    { validFrom: "2026-01-01", validTo: "2028-12-31", salesCents: 20_310_000, servicesCents: 8_360_000 },
  ] satisfies readonly MicroCeilings[],
} as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written "YYYY-MM-DD" ("2026-02-30" is false). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= daysInMonth;
}

function requireIsoDate(isoDate: string): void {
  if (!isIsoDate(isoDate)) throw new RangeError(`expected a YYYY-MM-DD date, got "${isoDate}"`);
}

/** ISO dates compare correctly as strings. */
function covers(period: Validity, isoDate: string): boolean {
  return period.validFrom <= isoDate && (period.validTo === null || isoDate <= period.validTo);
}

function periodAt<T extends Validity>(periods: readonly T[], isoDate: string): T | null {
  requireIsoDate(isoDate);
  return periods.find((period) => covers(period, isoDate)) ?? null;
}

/**
 * VAT rates (basis points, 0 included) a French invoice may carry on `isoDate`;
 * empty when the table does not cover that date.
 * @throws RangeError on a malformed date.
 */
export function allowedVatRatesAt(isoDate: string): readonly number[] {
  return periodAt(FRENCH_TAX_TABLE.vatRates, isoDate)?.ratesBasisPoints ?? [];
}

/**
 * Franchise thresholds and micro ceilings in force on `isoDate` (null where the table has no
 * figure for that date).
 * @throws RangeError on a malformed date.
 */
export function thresholdsAt(isoDate: string): {
  franchise: FranchiseThresholds | null;
  microCeilings: MicroCeilings | null;
} {
  return {
    franchise: periodAt(FRENCH_TAX_TABLE.franchise, isoDate),
    microCeilings: periodAt(FRENCH_TAX_TABLE.microCeilings, isoDate),
  };
}

/**
 * True for the categories that charge no VAT and must say why (BR-E-10, BR-AE-10, BR-IC-10,
 * BR-G-10, BR-O-10). S and Z must not carry an exemption reason (BR-S-10, BR-Z-10).
 */
export function requiresExemption(category: VatCategory): boolean {
  return category !== "S" && category !== "Z";
}

/**
 * Whether `rateBasisPoints` fits `category` on `isoDate`: S needs a positive rate of the table,
 * every other category needs 0 (for O the XML omits the rate, BR-O-05).
 * @throws RangeError on a malformed date.
 */
export function isVatRateAllowed(category: VatCategory, rateBasisPoints: number, isoDate: string): boolean {
  if (category !== "S") return rateBasisPoints === 0;
  return rateBasisPoints > 0 && allowedVatRatesAt(isoDate).includes(rateBasisPoints);
}

/** A reason for charging no VAT: its VATEX code (BT-121), category and French wording (BT-120). */
export interface VatExemption {
  code: string;
  category: VatCategory;
  reason: string;
  /** The wording's English translation, printed after it on an English document (mentions.ts). */
  reasonEn: string;
}

/** The exemptions Factumo offers. Codes are from the CEF VATEX list (checked by BR-CL-22). */
export const VAT_EXEMPTIONS = {
  /** Micro-entrepreneur under the VAT franchise. */
  franchise: { code: "VATEX-FR-FRANCHISE", category: "E", reason: "TVA non applicable, art. 293 B du CGI", reasonEn: "VAT not applicable, art. 293 B of the French tax code" },
  /** Services to a business in another EU country: the buyer accounts for the VAT. */
  reverseChargeEu: { code: "VATEX-EU-AE", category: "AE", reason: "Autoliquidation", reasonEn: "Reverse charge" },
  /** Domestic reverse charge, e.g. building subcontracting (CGI art. 283, 2 nonies). */
  reverseChargeFr: { code: "VATEX-FR-AE", category: "AE", reason: "Autoliquidation", reasonEn: "Reverse charge" },
  /** Goods shipped to a VAT-registered business in another EU country. */
  intraEuGoods: { code: "VATEX-EU-IC", category: "K", reason: "Exonération de TVA, art. 262 ter, I du CGI", reasonEn: "VAT exemption, art. 262 ter, I of the French tax code" },
  /** Goods exported outside the EU. */
  export: { code: "VATEX-EU-G", category: "G", reason: "Exonération de TVA, art. 262 I du CGI", reasonEn: "VAT exemption, art. 262 I of the French tax code" },
  /** Services to a business outside the EU: taxable where the buyer is, not in France. */
  servicesOutsideEu: { code: "VATEX-EU-O", category: "O", reason: "TVA non applicable, art. 259-1 du CGI", reasonEn: "VAT not applicable, art. 259-1 of the French tax code" },
} as const satisfies Record<string, VatExemption>;

const EXEMPTIONS_BY_CODE: ReadonlyMap<string, VatExemption> = new Map(
  Object.values(VAT_EXEMPTIONS).map((exemption) => [exemption.code, exemption]),
);

/** The exemption of {@link VAT_EXEMPTIONS} with this VATEX code, if Factumo offers it. */
export function exemptionByCode(code: string): VatExemption | undefined {
  return EXEMPTIONS_BY_CODE.get(code);
}

/**
 * Whether a line fits the seller's VAT regime: under the franchise (art. 293 B) no line may charge
 * VAT, and a VAT-registered seller may not claim the franchise. Null when it fits.
 */
export function regimeRefusal(
  regime: "franchise" | "vat",
  line: { vatRateBp: number; exemptionCode?: string | null },
): "franchise_charges_vat" | "vat_uses_franchise" | null {
  if (regime === "franchise" && line.vatRateBp > 0) return "franchise_charges_vat";
  if (regime === "vat" && line.exemptionCode === VAT_EXEMPTIONS.franchise.code) return "vat_uses_franchise";
  return null;
}
