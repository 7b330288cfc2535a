import * as z from "zod";
import { parseUnitPriceToE4 } from "../../domain/format";
import { unitPriceFields } from "../../domain/totals";
import { VAT_CATEGORIES } from "../../domain/vat";
import { businessDate, optionalText } from "../../http/validate";

const isoDate = businessDate("documents.err.date");
const optionalIsoDate = z.preprocess((v) => (v === "" ? undefined : v), isoDate.nullish());

/** A quantity: decimal with up to 4 decimals, comma or dot ("1,5" → "1.5"). */
export const quantityField = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim().replace(",", "."))
  .refine((v) => /^-?\d{1,9}(\.\d{1,4})?$/.test(v), "documents.err.quantity");

/** Highest unit price of a line: 100 million euros, in ten-thousandths. */
const MAX_UNIT_PRICE_E4 = 1_000_000_000_000;

/**
 * A line's unit price, from the first of: `unitPrice`, a decimal string with up to 4 decimals
 * ("3.333", "0,0125"); `unitPriceE4`, as GET returns it for such a price; `unitPriceCents`, the
 * whole-cent field every earlier client sends. Stored as unitPriceFields() says (domain/totals.ts).
 */
function withUnitPrice<T extends { unitPrice?: string | null; unitPriceE4?: number | null; unitPriceCents?: number | undefined }>(
  line: T,
  ctx: z.RefinementCtx,
) {
  const { unitPrice, unitPriceE4, unitPriceCents, ...rest } = line;
  let e4: number | "format" | "decimals" | "range" =
    unitPrice != null && unitPrice.trim() !== "" ? parseUnitPriceToE4(unitPrice) : (unitPriceE4 ?? (unitPriceCents === undefined ? "format" : unitPriceCents * 100));
  if (typeof e4 === "number" && (e4 < 0 || e4 > MAX_UNIT_PRICE_E4)) e4 = "range";
  if (typeof e4 === "string") {
    const field = unitPrice != null && unitPrice.trim() !== "" ? "unitPrice" : unitPriceE4 != null ? "unitPriceE4" : "unitPriceCents";
    ctx.addIssue({ code: "custom", path: [field], message: e4 === "decimals" ? "documents.err.priceDecimals" : "documents.err.price" });
    return z.NEVER;
  }
  return { ...rest, ...unitPriceFields(e4) };
}

export const DocumentLineInput = z.object({
  productId: z.string().max(40).nullish(),
  description: z.string().trim().min(1, "form.required").max(1000),
  quantity: quantityField,
  unitCode: z.string().regex(/^[A-Z0-9]{2,3}$/, "documents.err.unit").default("C62"),
  unitPrice: z.string("documents.err.price").max(40, "documents.err.price").nullish(),
  unitPriceE4: z.number().int("documents.err.price").nullish(),
  unitPriceCents: z.number().int("documents.err.price").min(0, "documents.err.price").max(10_000_000_000, "documents.err.price").optional(),
  discount: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("percent"), basisPoints: z.number().int().min(0).max(10_000) }),
      z.object({ kind: z.literal("amount"), cents: z.number().int().min(0).max(10_000_000_000) }),
    ])
    .nullish(),
  vatCategory: z.enum(VAT_CATEGORIES),
  vatRateBp: z.number().int().min(0).max(10_000),
  exemptionCode: z.string().max(40).nullish(),
  kind: z.enum(["goods", "service"]),
}).transform(withUnitPrice);
export type DocumentLineInput = z.output<typeof DocumentLineInput>;

/** A draft's content, shared by the editor island, the form fallback and the API. */
export const DraftInput = z.object({
  clientId: z.string().min(1, "documents.err.client").max(40),
  issueDate: optionalIsoDate,
  deliveryDate: optionalIsoDate,
  validUntil: optionalIsoDate,
  paymentTermsDays: z.number().int().min(0).max(60, "err.terms").nullish(),
  purchaseOrderReference: optionalText(100),
  note: optionalText(2000),
  allowance: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("percent"), value: z.number().int().min(1).max(10_000) }),
      z.object({ kind: z.literal("amount"), value: z.number().int().min(1).max(10_000_000_000) }),
    ])
    .nullish(),
  lines: z.array(DocumentLineInput).max(500, "documents.err.tooManyLines"),
});
export type DraftInput = z.output<typeof DraftInput>;

export const IssueInput = z.object({ issueDate: isoDate.optional() });
