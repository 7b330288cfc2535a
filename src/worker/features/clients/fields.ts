import * as z from "zod";
import { parseAmountToCents } from "../../domain/format";
import type { Validation } from "../../domain/identifiers";

/**
 * Field schemas shared by the clients and catalogue forms and their JSON API. A form sends strings
 * ("" when left empty), JSON may send null or numbers: both reach the same rules.
 */

/** "" and null both mean "not given"; other strings are trimmed. */
export const blank = (v: unknown) => (v === null ? undefined : typeof v === "string" ? (v.trim() === "" ? undefined : v.trim()) : v);

/** An optional text of at most `max` characters. */
export const optionalText = (max: number) => z.preprocess(blank, z.string().max(max).optional());

/** A required text of at most `max` characters; missing or blank is "form.required". */
export const requiredText = (max: number) => z.preprocess(blank, z.string({ error: "form.required" }).max(max));

/** A field with a default when left empty. */
export const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) => z.preprocess((v) => blank(v) ?? fallback, schema);

/** A checkbox: "on" when ticked, absent when not; JSON sends a boolean. */
export const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

/** An optional identifier, normalised by its `explain*` validator; its error is the given i18n key. */
export const identifier = (explain: (s: string) => Validation, message: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .transform((s, ctx) => {
        const checked = explain(s);
        if (checked.ok) return checked.value;
        ctx.issues.push({ code: "custom", message, input: s });
        return z.NEVER;
      })
      .optional(),
  );

/** A country as an ISO 3166-1 alpha-2 code, upper-cased; France when left empty. */
export const country = withDefault(
  z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{2}$/, "err.country")),
  "FR",
);

/**
 * A decimal typed the French way ("1 234,50", "1234.5") or sent as a JSON number, in hundredths
 * (cents for money, basis points for a percentage), between `min` and `max`.
 */
export const hundredths = (message: string, opts: { min?: number; max: number }) =>
  z.preprocess(
    (v) => (typeof v === "number" ? String(v) : blank(v)),
    z
      .string({ error: "form.required" })
      .transform((s, ctx) => {
        const parsed = parseAmountToCents(s);
        if (parsed.ok && parsed.cents >= (opts.min ?? 0) && parsed.cents <= opts.max) return parsed.cents;
        ctx.issues.push({ code: "custom", message, input: s });
        return z.NEVER;
      }),
  );

const FR_POSTAL_CODE = /^\d{5}$/;
// Loose outside France: "SW1A 1AA", "1012 AB", "D02 X285", "10115".
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/;

/** True when `postalCode` has the shape used in `country` (five digits in France). */
export function isPostalCodeOf(postalCode: string, countryCode: string): boolean {
  return countryCode === "FR" ? FR_POSTAL_CODE.test(postalCode) : POSTAL_CODE.test(postalCode);
}

/** Hundredths as typed in a form: 123450 → "1234,50" (fr) / "1234.50" (en); whole values lose ",00". */
export function hundredthsToInput(n: number, locale: "fr" | "en"): string {
  const negative = n < 0;
  const abs = Math.abs(n);
  const units = Math.trunc(abs / 100);
  const fraction = abs % 100;
  const text = fraction === 0 ? String(units) : `${units}${locale === "fr" ? "," : "."}${String(fraction).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}
