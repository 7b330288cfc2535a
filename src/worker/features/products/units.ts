/**
 * Units of measure a catalogue item is sold in: UN/ECE Recommendation 20 codes (the codes
 * EN 16931 requires for BT-130), with the label printed on documents in each language. Pure data.
 */

export interface Unit {
  /** UN/ECE Recommendation 20 code. */
  code: string;
  /** Label on French documents and in the French interface. */
  fr: string;
  en: string;
}

/** The units Factumo offers, in the order of the unit picker. */
export const UNITS = [
  { code: "C62", fr: "unité", en: "unit" },
  { code: "HUR", fr: "heure", en: "hour" },
  { code: "DAY", fr: "jour", en: "day" },
  { code: "MON", fr: "mois", en: "month" },
  { code: "KGM", fr: "kg", en: "kg" },
  { code: "MTR", fr: "mètre", en: "metre" },
  { code: "LTR", fr: "litre", en: "litre" },
  { code: "MTK", fr: "m²", en: "m²" },
  { code: "H87", fr: "pièce", en: "piece" },
  { code: "E48", fr: "service / forfait", en: "service / flat fee" },
] as const satisfies readonly Unit[];

export type UnitCode = (typeof UNITS)[number]["code"];

/** The unit codes, as a tuple for z.enum. */
export const UNIT_CODES = UNITS.map((u) => u.code) as [UnitCode, ...UnitCode[]];

/** "One piece of anything": the unit when none is chosen. */
export const DEFAULT_UNIT: UnitCode = "C62";

const BY_CODE: ReadonlyMap<string, Unit> = new Map(UNITS.map((u) => [u.code, u]));

/** True for a code of {@link UNITS}. */
export function isUnitCode(code: string): code is UnitCode {
  return BY_CODE.has(code);
}

/** The label of a unit code in a language; an unknown code is shown as is rather than hidden. */
export function unitLabel(code: string, locale: "fr" | "en"): string {
  return BY_CODE.get(code)?.[locale] ?? code;
}
