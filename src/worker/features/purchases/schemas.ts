import * as z from "zod";
import { ALL_REASON_CODES } from "../../domain/einvoice/cdar";
import { parseAmountToCents } from "../../domain/format";
import { isValidSiren } from "../../domain/identifiers";
import { BUYER_ACTIONS, type BuyerAction } from "../../domain/purchases";
import { businessDate, optionalText, requiredText } from "../../http/validate";
import { PAYMENT_METHODS } from "./verbs";

/** An amount in euros as typed ("1 234,56") or integer cents from the API; cents out. */
const euros = (message: "purchases.err.amount") =>
  z.union([z.string().max(40), z.number()], message).transform((v, ctx) => {
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) {
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return v;
    }
    const parsed = parseAmountToCents(v);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return parsed.cents;
  });

const isoDay = (message: "purchases.err.date") => z.string().trim().pipe(businessDate(message));

/**
 * POST /api/v1/purchases/:id/status: `{ code, reasonCode?, reason?, amountCents? }`. A dispute
 * (207) and a refusal (210) need a reason code; 211 may give the amount paid (else the total).
 */
export const StatusInput = z
  .object({
    code: z.coerce.number("purchases.err.code").refine((v): v is BuyerAction => (BUYER_ACTIONS as readonly number[]).includes(v), "purchases.err.code"),
    reasonCode: optionalText(50).refine((v) => v === undefined || ALL_REASON_CODES.includes(v), "purchases.err.reasonCode"),
    reason: optionalText(1000),
    amountCents: z.number("purchases.err.amount").int("purchases.err.amount").positive("purchases.err.amount").max(1_000_000_000_000, "purchases.err.amount").optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.code === 207 || v.code === 210) && !v.reasonCode) ctx.addIssue({ code: "custom", path: ["reasonCode"], message: "purchases.err.reasonRequired" });
  })
  .transform((v) => ({ ...v, code: v.code as BuyerAction }));
export type StatusInput = z.output<typeof StatusInput>;

/** POST /api/v1/purchases/:id/payment and the page's payment form. */
export const PaymentInput = z.object({
  paidOn: isoDay("purchases.err.date"),
  amountCents: euros("purchases.err.amount").refine((v) => v > 0, "purchases.err.amount"),
  method: z.enum(PAYMENT_METHODS, "purchases.err.method"),
});

/** A paper or foreign invoice typed by hand (the file, when given, is read instead if it is an e-invoice). */
export const ManualPurchaseInput = z
  .object({
    supplierName: requiredText(200),
    supplierSiren: optionalText(20).refine((v) => v === undefined || isValidSiren(v.replace(/\s/g, "")), "err.siren"),
    supplierVatNumber: optionalText(30),
    number: requiredText(100),
    issueDate: isoDay("purchases.err.date"),
    dueDate: optionalText(10).pipe(businessDate("purchases.err.date").optional()),
    taxExclusiveCents: euros("purchases.err.amount"),
    vatCents: euros("purchases.err.amount").refine((v) => v >= 0, "purchases.err.amount"),
    category: z.enum(["goods", "services", "overheads"], "purchases.err.category"),
  })
  .transform((v) => ({ ...v, supplierSiren: v.supplierSiren?.replace(/\s/g, "") ?? null }));
export type ManualPurchaseInput = z.output<typeof ManualPurchaseInput>;

export const PurchaseListQuery = z.object({ cursor: z.string().max(300).optional() });
