/**
 * The money limits between documents (issue #13): a quote is invoiced once, its deposits ask at most
 * 100 % of it, and credit notes give back at most what their invoice still holds. Pure arithmetic on
 * integers; features/documents/quotes.ts and issue.ts build their guarded statements from it, and
 * migration 0044's triggers hold the quote limits under concurrency.
 */

import { formatDate, type Locale } from "./format.ts";

export const FULL_BP = 10_000;

/** The quote a deposit or final invoice comes from, as frozen in its snapshot. */
export interface QuoteReference {
  number: string;
  issueDate: string;
}

/**
 * How a deposit or final invoice names its quote ("Devis D-2026-0001 du 12/03/2026"): one wording
 * for the PDF, the Factur-X note and the document's page.
 */
export function quoteReferenceText(ref: QuoteReference, locale: Locale): string {
  return `${locale === "en" ? "Quote" : "Devis"} ${ref.number} ${locale === "en" ? "of" : "du"} ${formatDate(ref.issueDate, locale)}`;
}

/** True once a quote's final invoice is issued (a cancelled one frees it): it reads "Facturé", no further conversion. */
export function quoteInvoiced(chain: ReadonlyArray<{ type: string; status: string }>): boolean {
  return chain.some((d) => d.type === "invoice" && d.status === "issued");
}

/** Basis points of a quote still open to deposits, given the shares its deposits already ask. */
export function remainingDepositBp(askedBp: readonly number[]): number {
  return Math.max(0, FULL_BP - askedBp.reduce((s, b) => s + b, 0));
}

/** Null when a new deposit of `percentBp` fits; otherwise what remains (basis points). */
export function depositRefusal(askedBp: readonly number[], percentBp: number): { remainingBp: number } | null {
  const remainingBp = remainingDepositBp(askedBp);
  return Number.isInteger(percentBp) && percentBp >= 1 && percentBp <= remainingBp ? null : { remainingBp };
}

/**
 * The cents of a deposit for one VAT group, so that successive deposits add up exactly: the share of
 * the group's base at the cumulative percentage after it, less the share before it. Σ over deposits
 * telescopes to round(base × total %), never more than the base when the total is ≤ 100 %.
 */
export function depositShareCents(baseCents: number, beforeBp: number, percentBp: number): number {
  const at = (bp: number) => roundHalfUp(baseCents * bp, FULL_BP);
  return at(beforeBp + percentBp) - at(beforeBp);
}

function roundHalfUp(numerator: number, denominator: number): number {
  const q = Math.floor(numerator / denominator);
  return numerator - q * denominator >= denominator / 2 ? q + 1 : q;
}

/** What an invoice can still be credited: its total less the credit notes issued or being issued on it. */
export function creditableCents(invoiceTotalCents: number, creditedCents: readonly number[]): number {
  return Math.max(0, invoiceTotalCents - creditedCents.reduce((s, c) => s + c, 0));
}

/** Null when a credit note of `cents` fits on the invoice; otherwise what remains creditable. */
export function creditRefusal(invoiceTotalCents: number, creditedCents: readonly number[], cents: number): { remainingCents: number } | null {
  const remainingCents = creditableCents(invoiceTotalCents, creditedCents);
  return cents <= remainingCents ? null : { remainingCents };
}
