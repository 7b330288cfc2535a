import * as z from "zod";
import { unitPriceDecimal, parseUnitPriceToE4 } from "../../domain/format";
import { unitPriceFields } from "../../domain/totals";
import { exemptionByCode, FRENCH_TAX_TABLE, VAT_EXEMPTIONS, type VatCategory } from "../../domain/vat";
import { blank, checkbox, hundredths, hundredthsToInput, optionalText, requiredText, withDefault } from "../clients/fields";
import { DEFAULT_UNIT, UNIT_CODES } from "./units";

export const PRODUCT_KINDS = ["goods", "service"] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];

/**
 * VAT rates a catalogue item may carry: those of the period of the dated table in force today
 * (the one without an end). A document line is checked again against its own issue date.
 */
export const PRODUCT_VAT_RATES: readonly number[] = FRENCH_TAX_TABLE.vatRates.find((p) => p.validTo === null)?.ratesBasisPoints ?? [];

export type ExemptionKey = keyof typeof VAT_EXEMPTIONS;

/**
 * Which kinds of item each exemption can apply to: intra-EU supplies and exports are of goods
 * (art. 262 ter I, 262 I), the EU reverse charge and the outside-EU rule here are for services.
 */
export const EXEMPTION_KINDS: Readonly<Record<ExemptionKey, readonly ProductKind[]>> = {
  franchise: ["goods", "service"],
  reverseChargeEu: ["service"],
  reverseChargeFr: ["goods", "service"],
  intraEuGoods: ["goods"],
  export: ["goods"],
  servicesOutsideEu: ["service"],
};

const EXEMPTION_KEY_BY_CODE: ReadonlyMap<string, ExemptionKey> = new Map(
  (Object.keys(VAT_EXEMPTIONS) as ExemptionKey[]).map((key) => [VAT_EXEMPTIONS[key].code, key]),
);

/** The key of {@link VAT_EXEMPTIONS} for a VATEX code, if Factumo offers it. */
export function exemptionKeyOf(code: string): ExemptionKey | undefined {
  return EXEMPTION_KEY_BY_CODE.get(code);
}

/**
 * The JSON API may send the stored shape back (`unitPriceCents`, `vatRateBp`, as GET returns
 * them): read it as the typed fields, so a GET → PUT round trip works.
 */
function fromStoredShape(v: unknown): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
  const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  if (blank(o.unitPrice) === undefined && Number.isSafeInteger(o.unitPriceE4)) o.unitPrice = unitPriceDecimal(o.unitPriceE4 as number);
  if (blank(o.unitPrice) === undefined && Number.isSafeInteger(o.unitPriceCents)) o.unitPrice = hundredthsToInput(o.unitPriceCents as number, "en");
  if (blank(o.vatRate) === undefined && Number.isSafeInteger(o.vatRateBp)) o.vatRate = hundredthsToInput(o.vatRateBp as number, "en");
  return o;
}

/** A unit price typed with up to 4 decimals ("3,333", "0,0125"), in ten-thousandths of a euro. */
const unitPriceField = z.preprocess(
  (v) => (typeof v === "number" ? String(v) : blank(v)),
  z.string({ error: "form.required" }).transform((s, ctx) => {
    const e4 = parseUnitPriceToE4(s);
    if (typeof e4 === "number" && e4 >= 0) return e4;
    ctx.issues.push({ code: "custom", message: "products.err.price", input: s });
    return z.NEVER;
  }),
);

/**
 * A catalogue item as typed in the form or sent to POST and PUT /api/v1/products. The output is
 * what is stored: price in cents, VAT as category + rate in basis points + VATEX code. A positive
 * rate is category S; a zero rate needs an exemption, which gives the category (E, AE, K, G, O).
 */
export const ProductInput = z.preprocess(
  fromStoredShape,
  z
    .object({
      name: requiredText(200),
      description: optionalText(2000),
      unitCode: withDefault(z.enum(UNIT_CODES, "products.err.unit"), DEFAULT_UNIT),
      unitPrice: unitPriceField,
      vatRate: hundredths("products.err.vatRate", { max: 10_000 }).refine((bp) => PRODUCT_VAT_RATES.includes(bp), "products.err.vatRate"),
      exemptionCode: optionalText(50),
      kind: withDefault(z.enum(PRODUCT_KINDS, "form.required"), "service"),
      stockTracked: checkbox,
    })
    .superRefine(
      (v, ctx) => {
        const invalid = new Set(ctx.issues.map((i) => i.path?.[0]));
        const ok = (...fields: Array<keyof typeof v>) => fields.every((f) => !invalid.has(f));
        const issue = (path: keyof typeof v, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

        // Only a zero rate says why no VAT is charged; with a positive rate the choice is ignored.
        if (ok("vatRate", "exemptionCode", "kind") && v.vatRate === 0) {
          const key = v.exemptionCode === undefined ? undefined : exemptionKeyOf(v.exemptionCode);
          if (v.exemptionCode === undefined) issue("exemptionCode", "products.err.exemption.required");
          else if (!key) issue("exemptionCode", "products.err.exemption");
          else if (!EXEMPTION_KINDS[key].includes(v.kind)) issue("exemptionCode", "products.err.exemption.kind");
        }
        if (ok("kind", "stockTracked") && v.kind === "service" && v.stockTracked) issue("stockTracked", "products.err.stock.service");
      },
      { when: (payload) => typeof payload.value === "object" && payload.value !== null },
    )
    .transform(({ unitPrice, vatRate, exemptionCode, ...v }) => {
      const exemption = vatRate === 0 && exemptionCode !== undefined ? exemptionByCode(exemptionCode) : undefined;
      const vatCategory: VatCategory = exemption ? exemption.category : "S";
      return {
        ...v,
        ...unitPriceFields(unitPrice),
        vatCategory,
        vatRateBp: vatRate,
        exemptionCode: exemption?.code,
      };
    }),
);

export type ProductInput = z.output<typeof ProductInput>;
