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
  /** The label after a quantity of the plural category "other" ("2 heures", "1.5 hours"). */
  frOther: string;
  enOther: string;
}

/** The units Factumo offers, in the order of the unit picker. */
export const UNITS = [
  { code: "C62", fr: "unité", en: "unit", frOther: "unités", enOther: "units" },
  { code: "HUR", fr: "heure", en: "hour", frOther: "heures", enOther: "hours" },
  { code: "DAY", fr: "jour", en: "day", frOther: "jours", enOther: "days" },
  { code: "MON", fr: "mois", en: "month", frOther: "mois", enOther: "months" },
  { code: "KGM", fr: "kg", en: "kg", frOther: "kg", enOther: "kg" },
  { code: "MTR", fr: "mètre", en: "metre", frOther: "mètres", enOther: "metres" },
  { code: "LTR", fr: "litre", en: "litre", frOther: "litres", enOther: "litres" },
  { code: "MTK", fr: "m²", en: "m²", frOther: "m²", enOther: "m²" },
  { code: "H87", fr: "pièce", en: "piece", frOther: "pièces", enOther: "pieces" },
  { code: "E48", fr: "service / forfait", en: "service / flat fee", frOther: "services / forfaits", enOther: "services / flat fees" },
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

const pluralRules = { fr: new Intl.PluralRules("fr"), en: new Intl.PluralRules("en") };

/**
 * A quantity with its unit, agreed by the language's plural rules: "1,5 heure" and "2 heures" in
 * French (where 0 ≤ n < 2 is singular), "1 hour" and "1.5 hours" in English. `quantity` is the
 * stored decimal ("1.5").
 */
export function quantityWithUnit(quantity: string, code: string, locale: "fr" | "en"): string {
  const unit = BY_CODE.get(code);
  const shown = locale === "fr" ? quantity.replace(".", ",") : quantity;
  if (!unit) return `${shown} ${code}`;
  const one = pluralRules[locale].select(Number(quantity)) === "one";
  return `${shown} ${one ? unit[locale] : locale === "fr" ? unit.frOther : unit.enOther}`;
}
