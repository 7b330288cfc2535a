import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import { formatDate, formatMoney, type Locale } from "../../domain/format";
import { csvCell } from "../../domain/spreadsheet";
import { documentFonts } from "../../pdf/assets";
import { printableText } from "../../pdf/document-pdf";
import { embedFonts, type EmbeddedFonts } from "../../pdf/fonts";
import type { Translate } from "../../ui/i18n";
import { paymentReferenceText } from "../payments/verbs";
import { type ReceiptEntry, receiptsTotals } from "./queries";

/** "1234,56" / "-12,50": the decimal a French spreadsheet reads, no thousands separator. */
export function frenchDecimal(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, "0")}`;
}

/**
 * One `;`-separated CSV field (domain/spreadsheet.ts: a would-be formula is neutralized). Amounts
 * are French decimals ("-12,50"), not JS numbers: `text = false` writes them as they are.
 */
function csvField(value: string, text = true): string {
  if (text) return csvCell(value, ";");
  return /[;"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function natureLabel(t: Translate, e: ReceiptEntry): string {
  const nature = e.nature === "goods" ? t("books.nature.goods") : e.nature === "mixed" ? t("books.nature.mixed") : t("books.nature.services");
  return e.correctsPaymentId ? `${t("books.receipts.correction")} — ${nature}` : nature;
}

function methodLabel(t: Translate, e: ReceiptEntry): string {
  return t(`payments.method.${e.method}`);
}

/**
 * The receipts book as CSV for a spreadsheet: UTF-8 with a BOM (so Excel reads the accents),
 * `;` separated, French decimals, CRLF line ends, cash received in its own column.
 */
export function receiptsCsv(entries: readonly ReceiptEntry[], t: Translate, locale: Locale): string {
  const header = ["date", "client", "nature", "invoice", "method", "reference", "amount", "cash"] as const;
  const lines = [header.map((h) => csvField(t(`books.receipts.col.${h}`))).join(";")];
  for (const e of entries) {
    lines.push(
      [
        csvField(formatDate(e.receivedOn, locale)),
        csvField(e.clientName ?? ""),
        csvField(natureLabel(t, e)),
        csvField(e.documentNumber ?? ""),
        csvField(methodLabel(t, e)),
        csvField(paymentReferenceText(e.reference, t)),
        csvField(frenchDecimal(e.amountCents), false),
        csvField(e.method === "especes" ? frenchDecimal(e.amountCents) : "", false),
      ].join(";"),
    );
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

// ---- PDF -----------------------------------------------------------------------------------

const PAGE = { width: 841.89, height: 595.28 };
const MARGIN = 36;
const ROW = 16;
const SIZE = 8.5;
const HEADER_LINE = 10;
const GREY = rgb(0.4, 0.4, 0.45);
const RULE = rgb(0.8, 0.8, 0.84);

export interface Column {
  key: string;
  width: number;
  align: "left" | "right";
}

export const RECEIPT_COLUMNS: Column[] = [
  // Wide enough for "encaissement" in bold on one line (the header wraps between words only).
  { key: "date", width: 84, align: "left" },
  { key: "client", width: 158, align: "left" },
  { key: "nature", width: 130, align: "left" },
  { key: "invoice", width: 90, align: "left" },
  { key: "method", width: 80, align: "left" },
  { key: "reference", width: 96, align: "left" },
  { key: "amount", width: 66, align: "right" },
  { key: "cash", width: 66, align: "right" },
];

/** `text` cut to `width` with an ellipsis. */
function fit(text: string, font: PDFFont, width: number): string {
  if (font.widthOfTextAtSize(text, SIZE) <= width) return text;
  let out = text;
  while (out.length > 0 && font.widthOfTextAtSize(`${out}…`, SIZE) > width) out = out.slice(0, -1);
  return `${out}…`;
}

/**
 * A header cell as lines that fit `width`: broken between words, a word wider than the column
 * broken inside itself. A header is never cut with an ellipsis ("Date d'encaissement" must read whole).
 */
export function wrapHeader(text: string, width: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (measure(line) > width && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && measure(line.slice(0, cut)) > width) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Each column's header lines, as the book PDFs draw them in bold (exported for the tests). */
export function headerLayout(columns: readonly Column[], header: Record<string, string>, font: PDFFont, fonts: EmbeddedFonts): string[][] {
  return columns.map((col) => wrapHeader(printableText(header[col.key] ?? "", fonts), col.width - 6, (s) => font.widthOfTextAtSize(s, SIZE)));
}

/** The receipts book's column headers in the UI language. */
export function receiptsHeader(t: Translate): Record<string, string> {
  return Object.fromEntries(RECEIPT_COLUMNS.map((c) => [c.key, t(`books.receipts.col.${c.key}` as "books.receipts.col.date")]));
}

function drawRow(page: PDFPage, y: number, columns: readonly Column[], cells: Record<string, string>, font: PDFFont, fonts: EmbeddedFonts) {
  let x = MARGIN;
  for (const col of columns) {
    const text = fit(printableText(cells[col.key] ?? "", fonts), font, col.width - 6);
    const w = font.widthOfTextAtSize(text, SIZE);
    page.drawText(text, { x: col.align === "right" ? x + col.width - 4 - w : x, y, size: SIZE, font });
    x += col.width;
  }
}

/**
 * A book as a plain A4 landscape PDF: a title, the table with its header repeated on every page,
 * page numbers, and a totals line at the end (the receipts book, the purchases register).
 */
async function bookTablePdf(opts: {
  title: string;
  seller: string;
  columns: readonly Column[];
  header: Record<string, string>;
  rows: ReadonlyArray<Record<string, string>>;
  emptyText: string;
  totalsLine: string;
  pageLabel: (page: number, pages: number) => string;
  locale: Locale;
  now: Date;
}): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = await embedFonts(doc, documentFonts());
  const top = PAGE.height - MARGIN - 40;
  const headerCells = headerLayout(opts.columns, opts.header, fonts.bold, fonts);
  // Extra header lines (a wrapped header) push the first row down by HEADER_LINE each.
  const headerExtra = (Math.max(1, ...headerCells.map((l) => l.length)) - 1) * HEADER_LINE;
  const rowsPerPage = Math.floor((top - headerExtra - MARGIN - 30) / ROW);
  // At least one page, and room for the totals line after the last row.
  const pageCount = Math.max(1, Math.ceil((opts.rows.length + 2) / rowsPerPage));
  const tableWidth = opts.columns.reduce((s, c) => s + c.width, 0);

  for (let p = 0; p < pageCount; p++) {
    const page = doc.addPage([PAGE.width, PAGE.height]);
    page.drawText(printableText(opts.title, fonts), { x: MARGIN, y: PAGE.height - MARGIN - 12, size: 13, font: fonts.bold });
    page.drawText(printableText(opts.seller, fonts), { x: MARGIN, y: PAGE.height - MARGIN - 28, size: 9, font: fonts.regular, color: GREY });
    const pageLabel = opts.pageLabel(p + 1, pageCount);
    page.drawText(pageLabel, { x: PAGE.width - MARGIN - fonts.regular.widthOfTextAtSize(pageLabel, 8), y: MARGIN - 14, size: 8, font: fonts.regular, color: GREY });
    let y = top;
    let x = MARGIN;
    opts.columns.forEach((col, i) => {
      (headerCells[i] ?? []).forEach((text, line) => {
        const w = fonts.bold.widthOfTextAtSize(text, SIZE);
        page.drawText(text, { x: col.align === "right" ? x + col.width - 4 - w : x, y: y - line * HEADER_LINE, size: SIZE, font: fonts.bold });
      });
      x += col.width;
    });
    y -= headerExtra;
    page.drawLine({ start: { x: MARGIN, y: y - 4 }, end: { x: MARGIN + tableWidth, y: y - 4 }, thickness: 0.6, color: RULE });
    y -= ROW;
    const slice = opts.rows.slice(p * rowsPerPage, (p + 1) * rowsPerPage);
    for (const row of slice) {
      drawRow(page, y, opts.columns, row, fonts.regular, fonts);
      y -= ROW;
    }
    if (p === pageCount - 1) {
      if (opts.rows.length === 0) {
        page.drawText(printableText(opts.emptyText, fonts), { x: MARGIN, y, size: SIZE, font: fonts.regular });
        y -= ROW;
      }
      page.drawLine({ start: { x: MARGIN, y: y + ROW - 4 }, end: { x: MARGIN + tableWidth, y: y + ROW - 4 }, thickness: 0.6, color: RULE });
      page.drawText(printableText(opts.totalsLine, fonts), { x: MARGIN, y: y - 4, size: 9, font: fonts.bold });
    }
  }
  doc.setTitle(opts.title);
  doc.setAuthor(opts.seller);
  doc.setCreator("Factumo");
  doc.setProducer("Factumo");
  doc.setCreationDate(opts.now);
  doc.setModificationDate(opts.now);
  doc.setLanguage(opts.locale === "en" ? "en-GB" : "fr-FR");
  return doc.save({ addDefaultPage: false, objectsPerTick: Number.POSITIVE_INFINITY });
}

/**
 * The receipts book as a plain A4 landscape PDF: a title, the table with its header repeated on
 * every page, page numbers, and the totals (all and cash) at the end.
 */
export async function receiptsPdf(entries: readonly ReceiptEntry[], opts: { from: string; to: string; seller: string; t: Translate; locale: Locale; now: Date }): Promise<Uint8Array> {
  const { t, locale } = opts;
  const totals = receiptsTotals(entries);
  return bookTablePdf({
    title: t("books.receipts.pdfTitle", { from: formatDate(opts.from, locale), to: formatDate(opts.to, locale) }),
    seller: opts.seller,
    columns: RECEIPT_COLUMNS,
    header: receiptsHeader(t),
    rows: entries.map((e) => ({
      date: formatDate(e.receivedOn, locale),
      client: e.clientName ?? "",
      nature: natureLabel(t, e),
      invoice: e.documentNumber ?? "",
      method: methodLabel(t, e),
      reference: paymentReferenceText(e.reference, t),
      amount: formatMoney(e.amountCents, locale),
      cash: e.method === "especes" ? formatMoney(e.amountCents, locale) : "",
    })),
    emptyText: t("books.receipts.empty"),
    totalsLine: t("books.receipts.totals", { total: formatMoney(totals.totalCents, locale), cash: formatMoney(totals.cashCents, locale) }),
    pageLabel: (page, pages) => t("books.receipts.pdfPage", { page, pages }),
    locale,
    now: opts.now,
  });
}

// ---- registre des achats --------------------------------------------------------------------

/** One purchase as the register lists it (chronological by invoice date). */
export interface RegisterEntry {
  issueDate: string;
  supplierName: string;
  supplierSiren: string | null;
  number: string;
  category: "goods" | "services" | "overheads";
  taxExclusiveCents: number;
  vatCents: number;
  taxInclusiveCents: number;
  paidOn: string | null;
  paymentMethod: string | null;
}

const REGISTER_COLUMNS: Column[] = [
  { key: "date", width: 66, align: "left" },
  { key: "supplier", width: 170, align: "left" },
  { key: "number", width: 90, align: "left" },
  { key: "nature", width: 90, align: "left" },
  { key: "ht", width: 76, align: "right" },
  { key: "vat", width: 66, align: "right" },
  { key: "ttc", width: 76, align: "right" },
  { key: "paidOn", width: 66, align: "left" },
  { key: "method", width: 70, align: "left" },
];

export function registerTotals(entries: readonly RegisterEntry[]) {
  return {
    taxExclusiveCents: entries.reduce((s, e) => s + e.taxExclusiveCents, 0),
    vatCents: entries.reduce((s, e) => s + e.vatCents, 0),
    taxInclusiveCents: entries.reduce((s, e) => s + e.taxInclusiveCents, 0),
  };
}

function registerCells(e: RegisterEntry, t: Translate, locale: Locale, money: (cents: number) => string): Record<string, string> {
  return {
    date: formatDate(e.issueDate, locale),
    supplier: e.supplierSiren ? `${e.supplierName} (${e.supplierSiren})` : e.supplierName,
    number: e.number,
    nature: t(`purchases.category.${e.category}`),
    ht: money(e.taxExclusiveCents),
    vat: money(e.vatCents),
    ttc: money(e.taxInclusiveCents),
    paidOn: e.paidOn ? formatDate(e.paidOn, locale) : "",
    method: e.paymentMethod ? t(`purchases.method.${e.paymentMethod as "transfer"}`) : "",
  };
}

/** The purchases register as CSV, like the receipts book (BOM, `;`, French decimals, CRLF). */
export function purchasesRegisterCsv(entries: readonly RegisterEntry[], t: Translate, locale: Locale): string {
  const lines = [REGISTER_COLUMNS.map((c) => csvField(t(`books.register.col.${c.key}` as "books.register.col.date"))).join(";")];
  for (const e of entries) {
    const cells = registerCells(e, t, locale, frenchDecimal);
    lines.push(REGISTER_COLUMNS.map((c) => csvField(cells[c.key] ?? "", !["ht", "vat", "ttc"].includes(c.key))).join(";"));
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export async function purchasesRegisterPdf(entries: readonly RegisterEntry[], opts: { from: string; to: string; seller: string; t: Translate; locale: Locale; now: Date }): Promise<Uint8Array> {
  const { t, locale } = opts;
  const totals = registerTotals(entries);
  return bookTablePdf({
    title: t("books.register.pdfTitle", { from: formatDate(opts.from, locale), to: formatDate(opts.to, locale) }),
    seller: opts.seller,
    columns: REGISTER_COLUMNS,
    header: Object.fromEntries(REGISTER_COLUMNS.map((c) => [c.key, t(`books.register.col.${c.key}` as "books.register.col.date")])),
    rows: entries.map((e) => registerCells(e, t, locale, (c) => formatMoney(c, locale))),
    emptyText: t("books.register.empty"),
    totalsLine: t("books.register.totals", { ht: formatMoney(totals.taxExclusiveCents, locale), vat: formatMoney(totals.vatCents, locale), ttc: formatMoney(totals.taxInclusiveCents, locale) }),
    pageLabel: (page, pages) => t("books.receipts.pdfPage", { page, pages }),
    locale,
    now: opts.now,
  });
}
