import type { DocumentType } from "./document";

/** Default prefix per document type: F-2026-0001, AV-2026-0001… (LEGAL.md §3). */
export const DEFAULT_PREFIXES: Record<DocumentType, string> = {
  quote: "D",
  invoice: "F",
  deposit_invoice: "FA",
  credit_note: "AV",
};

/** Prefixes are short, upper-case and never contain a space (BR-FR-02 forbids spaces in numbers). */
export const PREFIX_PATTERN = /^[A-Z][A-Z0-9]{0,5}$/;

/** Largest next number a series may be set to (the series API, an import's numbering). */
export const MAX_NEXT_NUMBER = 1_000_000_000;

/**
 * The numbering series a document belongs to: one per type and calendar year of issue. The year in
 * the number makes a yearly restart unambiguous; no monthly reset is offered (contested practice).
 */
export function seriesIdFor(type: DocumentType, issueDate: string): string {
  return `${type}:${issueDate.slice(0, 4)}`;
}

/** Formats the document number: prefix, year, and the counter padded to 4 digits (more if needed). */
export function formatDocumentNumber(prefix: string, issueDate: string, counter: number): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new RangeError(`invalid prefix ${JSON.stringify(prefix)}`);
  if (!Number.isSafeInteger(counter) || counter < 1) throw new RangeError(`invalid counter ${counter}`);
  return `${prefix}-${issueDate.slice(0, 4)}-${String(counter).padStart(4, "0")}`;
}

/** Parses a number made by formatDocumentNumber back into its parts (null if it is not one). */
export function parseDocumentNumber(number: string): { prefix: string; year: number; counter: number } | null {
  const m = /^([A-Z][A-Z0-9]{0,5})-(\d{4})-(\d{4,})$/.exec(number);
  if (!m) return null;
  return { prefix: m[1]!, year: Number(m[2]), counter: Number(m[3]) };
}
