import * as z from "zod";
import { PAYMENT_METHODS } from "../../db/schema";
import { MAX_PARSED_CENTS } from "../../domain/format";
import { isIsoDate } from "../../domain/vat";
import { optionalText } from "../../http/validate";

/** A payment as the API takes it: integer cents. */
export const PaymentInput = z.object({
  receivedOn: z.string().refine(isIsoDate, "payments.err.date"),
  amountCents: z.number().int("payments.err.amount").min(1, "payments.err.amount").max(MAX_PARSED_CENTS, "payments.err.amount"),
  method: z.enum(PAYMENT_METHODS, { error: "payments.err.method" }),
  reference: optionalText(200),
});
export type PaymentInput = z.output<typeof PaymentInput>;

export const ListPaymentsInput = z.object({ cursor: z.string().max(200).optional() });
