/**
 * The status of an issued invoice is derived, never typed: it follows from what was asked (amount
 * due, reduced by the credit notes referencing it), what was received and the due date.
 */
export type InvoiceStatus = "issued" | "partially_paid" | "paid" | "overdue" | "cancelled";

export interface InvoiceStatusInput {
  /** The invoice's own amount due (after deducted deposits), in cents. */
  dueCents: number;
  /** Sum of the issued credit notes referencing the invoice, in cents (positive). */
  creditedCents: number;
  /** Sum of payments and corrections recorded on the invoice, in cents. */
  paidCents: number;
  /** YYYY-MM-DD, or null when the invoice has no due date. */
  dueDate: string | null;
  /** Today, YYYY-MM-DD (Paris). */
  today: string;
  /** True when the stored status says the invoice was cancelled by a full credit note. */
  cancelled: boolean;
}

/** What the client still has to pay: never negative (an excess becomes a client credit). */
export function outstandingCents(i: Pick<InvoiceStatusInput, "dueCents" | "creditedCents" | "paidCents">): number {
  return Math.max(0, amountAskedCents(i) - i.paidCents);
}

/** The amount the invoice asks for once its credit notes are taken off. */
export function amountAskedCents(i: Pick<InvoiceStatusInput, "dueCents" | "creditedCents">): number {
  return Math.max(0, i.dueCents - i.creditedCents);
}

/**
 * paid ⇔ Σpayments ≥ amount asked; overdue ⇔ not paid and the due date has passed; partially paid
 * ⇔ something but not everything was received before the due date; cancelled wins over all.
 */
export function invoiceStatus(i: InvoiceStatusInput): InvoiceStatus {
  if (i.cancelled) return "cancelled";
  if (i.paidCents >= amountAskedCents(i)) return "paid";
  if (i.dueDate !== null && i.dueDate < i.today) return "overdue";
  return i.paidCents > 0 ? "partially_paid" : "issued";
}

/** The part of a total received beyond what was asked: what becomes a client credit. */
export function excessCents(i: Pick<InvoiceStatusInput, "dueCents" | "creditedCents" | "paidCents">): number {
  return Math.max(0, i.paidCents - amountAskedCents(i));
}

export type AgingBucket = "not_due" | "d1_30" | "d31_60" | "d61_90" | "over_90";
export const AGING_BUCKETS: readonly AgingBucket[] = ["not_due", "d1_30", "d31_60", "d61_90", "over_90"];

/** Days late → aging bucket (0 or less: not yet due). */
export function agingBucket(daysLate: number): AgingBucket {
  if (daysLate <= 0) return "not_due";
  if (daysLate <= 30) return "d1_30";
  if (daysLate <= 60) return "d31_60";
  if (daysLate <= 90) return "d61_90";
  return "over_90";
}

/** Whole days from `from` to `to` (YYYY-MM-DD), UTC calendar days. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
