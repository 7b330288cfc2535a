import * as z from "zod";
import { VAT_CATEGORIES } from "../../domain/vat";
import { businessDate, optionalText } from "../../http/validate";

const isoDate = businessDate("documents.err.date");
const optionalIsoDate = z.preprocess((v) => (v === "" ? undefined : v), isoDate.nullish());

/** A quantity: decimal with up to 4 decimals, comma or dot ("1,5" → "1.5"). */
export const quantityField = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim().replace(",", "."))
  .refine((v) => /^-?\d{1,9}(\.\d{1,4})?$/.test(v), "documents.err.quantity");

export const DocumentLineInput = z.object({
  productId: z.string().max(40).nullish(),
  description: z.string().trim().min(1, "form.required").max(1000),
  quantity: quantityField,
  unitCode: z.string().regex(/^[A-Z0-9]{2,3}$/, "documents.err.unit").default("C62"),
  unitPriceCents: z.number().int("documents.err.price").min(0, "documents.err.price").max(10_000_000_000, "documents.err.price"),
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
});
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
