import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import { formatDate, formatMoney, type Locale } from "../../domain/format";
import { csvCell } from "../../domain/spreadsheet";
import { documentFonts } from "../../pdf/assets";
import { printableText } from "../../pdf/document-pdf";
import { embedFonts, type EmbeddedFonts } from "../../pdf/fonts";
import type { Translate } from "../../ui/i18n";
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
        csvField(e.reference ?? ""),
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
const GREY = rgb(0.4, 0.4, 0.45);
const RULE = rgb(0.8, 0.8, 0.84);

interface Column {
  key: "date" | "client" | "nature" | "invoice" | "method" | "reference" | "amount" | "cash";
  width: number;
  align: "left" | "right";
}

const COLUMNS: Column[] = [
  { key: "date", width: 72, align: "left" },
  { key: "client", width: 170, align: "left" },
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

function drawRow(page: PDFPage, y: number, cells: Record<Column["key"], string>, font: PDFFont, fonts: EmbeddedFonts) {
  let x = MARGIN;
  for (const col of COLUMNS) {
    const text = fit(printableText(cells[col.key], fonts), font, col.width - 6);
    const w = font.widthOfTextAtSize(text, SIZE);
    page.drawText(text, { x: col.align === "right" ? x + col.width - 4 - w : x, y, size: SIZE, font });
    x += col.width;
  }
}

/**
 * The receipts book as a plain A4 landscape PDF: a title, the table with its header repeated on
 * every page, page numbers, and the totals (all and cash) at the end.
 */
export async function receiptsPdf(entries: readonly ReceiptEntry[], opts: { from: string; to: string; seller: string; t: Translate; locale: Locale; now: Date }): Promise<Uint8Array> {
  const { t, locale } = opts;
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = await embedFonts(doc, documentFonts());
  const title = t("books.receipts.pdfTitle", { from: formatDate(opts.from, locale), to: formatDate(opts.to, locale) });
  const header = Object.fromEntries(COLUMNS.map((c) => [c.key, t(`books.receipts.col.${c.key}`)])) as Record<Column["key"], string>;
  const cells = entries.map(
    (e): Record<Column["key"], string> => ({
      date: formatDate(e.receivedOn, locale),
      client: e.clientName ?? "",
      nature: natureLabel(t, e),
      invoice: e.documentNumber ?? "",
      method: methodLabel(t, e),
      reference: e.reference ?? "",
      amount: formatMoney(e.amountCents, locale),
      cash: e.method === "especes" ? formatMoney(e.amountCents, locale) : "",
    }),
  );
  const totals = receiptsTotals(entries);
  const top = PAGE.height - MARGIN - 40;
  const rowsPerPage = Math.floor((top - MARGIN - 30) / ROW);
  // At least one page, and room for the totals line after the last row.
  const pageCount = Math.max(1, Math.ceil((cells.length + 2) / rowsPerPage));
  const tableWidth = COLUMNS.reduce((s, c) => s + c.width, 0);

  for (let p = 0; p < pageCount; p++) {
    const page = doc.addPage([PAGE.width, PAGE.height]);
    page.drawText(printableText(title, fonts), { x: MARGIN, y: PAGE.height - MARGIN - 12, size: 13, font: fonts.bold });
    page.drawText(printableText(opts.seller, fonts), { x: MARGIN, y: PAGE.height - MARGIN - 28, size: 9, font: fonts.regular, color: GREY });
    const pageLabel = t("books.receipts.pdfPage", { page: p + 1, pages: pageCount });
    page.drawText(pageLabel, { x: PAGE.width - MARGIN - fonts.regular.widthOfTextAtSize(pageLabel, 8), y: MARGIN - 14, size: 8, font: fonts.regular, color: GREY });
    let y = top;
    drawRow(page, y, header, fonts.bold, fonts);
    page.drawLine({ start: { x: MARGIN, y: y - 4 }, end: { x: MARGIN + tableWidth, y: y - 4 }, thickness: 0.6, color: RULE });
    y -= ROW;
    const slice = cells.slice(p * rowsPerPage, (p + 1) * rowsPerPage);
    for (const row of slice) {
      drawRow(page, y, row, fonts.regular, fonts);
      y -= ROW;
    }
    if (p === pageCount - 1) {
      if (cells.length === 0) {
        page.drawText(printableText(t("books.receipts.empty"), fonts), { x: MARGIN, y, size: SIZE, font: fonts.regular });
        y -= ROW;
      }
      page.drawLine({ start: { x: MARGIN, y: y + ROW - 4 }, end: { x: MARGIN + tableWidth, y: y + ROW - 4 }, thickness: 0.6, color: RULE });
      const line = t("books.receipts.totals", { total: formatMoney(totals.totalCents, locale), cash: formatMoney(totals.cashCents, locale) });
      page.drawText(printableText(line, fonts), { x: MARGIN, y: y - 4, size: 9, font: fonts.bold });
    }
  }
  doc.setTitle(title);
  doc.setAuthor(opts.seller);
  doc.setCreator("Factumo");
  doc.setProducer("Factumo");
  doc.setCreationDate(opts.now);
  doc.setModificationDate(opts.now);
  doc.setLanguage(locale === "en" ? "en-GB" : "fr-FR");
  return doc.save({ addDefaultPage: false, objectsPerTick: Number.POSITIVE_INFINITY });
}
