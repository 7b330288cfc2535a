/**
 * CSV cells for spreadsheets, the one place that writes them (the receipts book, the CSV tables of
 * a portability export). A text cell a spreadsheet would run as a formula (CSV injection, OWASP:
 * it starts with `=`, `+`, `-`, `@`, a tab or a carriage return, possibly after spaces) is
 * prefixed with `'`, which spreadsheets show as text; numbers are written as numbers, so a negative
 * amount stays a number. The FEC (domain/books/fec.ts) is a legal format and does not use this: see
 * the README's Security limits section.
 */

const FORMULA_START = /^[\s]*[=+\-@]|^[\t\r\n]/;

/** A text cell made inert for spreadsheets: `'` before a would-be formula, anything else unchanged. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One CSV field (RFC 4180) with `separator`: text neutralized, then quoted when it holds the
 * separator, a quote, CR or LF, or spaces at either end; null is empty; numbers as they are.
 */
export function csvCell(value: string | number | null | undefined, separator: "," | ";"): string {
  if (value === null || value === undefined) return "";
  const s = typeof value === "number" ? String(value) : neutralizeFormula(value);
  const quote = s.includes(separator) || /["\r\n]/.test(s) || s !== s.trim();
  return quote ? `"${s.replaceAll('"', '""')}"` : s;
}
