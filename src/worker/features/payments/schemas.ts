import * as z from "zod";
import { RECEIVED_PAYMENT_METHODS } from "../../db/schema";
import { MAX_PARSED_CENTS } from "../../domain/format";
import { containsCardNumber } from "../../domain/identifiers";
import { businessDate, optionalText } from "../../http/validate";

/** A payment as the API takes it: integer cents. */
export const PaymentInput = z.object({
  receivedOn: businessDate("payments.err.date"),
  amountCents: z.number().int("payments.err.amount").min(1, "payments.err.amount").max(MAX_PARSED_CENTS, "payments.err.amount"),
  // Money received only: a client's credit is used through CreditApplicationInput.
  method: z.enum(RECEIVED_PAYMENT_METHODS, { error: "payments.err.method" }),
  // A payer's card number is never kept (privacy policy §8): only what identifies the transfer or cheque.
  reference: optionalText(200).refine((v) => v === undefined || !containsCardNumber(v), "payments.err.cardNumber"),
});
export type PaymentInput = z.output<typeof PaymentInput>;

/** Settling an invoice from the client's credit: integer cents like a payment; both optional. */
export const CreditApplicationInput = z.object({
  amountCents: z.number().int("payments.err.amount").min(1, "payments.err.amount").max(MAX_PARSED_CENTS, "payments.err.amount").optional(),
  appliedOn: businessDate("payments.err.date").optional(),
});
export type CreditApplicationInput = z.output<typeof CreditApplicationInput>;

export const ListPaymentsInput = z.object({ cursor: z.string().max(200).optional() });
