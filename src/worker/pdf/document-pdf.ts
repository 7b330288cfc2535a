/**
 * The printed invoice, deposit invoice, credit note or quote: an A4 PDF laid out from a
 * {@link DocumentSnapshot}, turned into a Factur-X PDF/A-3 file when the CII XML is given.
 *
 * Layout is a flow: a first-page header, one item per table row, then the totals/payment
 * summary, the note and the legal mentions. {@link planPages} breaks that flow across pages
 * (the table header is repeated on every page holding rows; a running header and a
 * "Page n / N" footer are drawn on every page), and the plan is drawn afterwards, so the total
 * page count is known when footers are written.
 *
 * Characters: every string goes through {@link printableText} before it is measured or drawn.
 * Text is NFC-normalised, control and invisible format characters are dropped, and a character
 * the embedded fonts lack is replaced by its compatibility form (NFKC: "Ǆ" → "DŽ", "ﬁ" → "fi",
 * "ᵉ" → "e"), else by that form stripped of accents ("ạ" → "a", "ǹ" → "n"), when the fonts
 * have it, else by "?" (CJK, emoji…).
 * Forms should refuse such input beforehand with {@link unsupportedInput}.
 *
 * Deterministic: the same snapshot and options give the same bytes (dates come from the
 * snapshot, pdf-lib's font-name suffixes come from a fixed-seed generator).
 */
import { PDFDocument, rgb } from "pdf-lib";
import type { Color, PDFFont, PDFImage, PDFPage } from "pdf-lib";
import { encode } from "uqr";
import type { DocumentSnapshot, DocumentType, LineSnapshot, PostalAddress } from "../domain/document.ts";
import { formatDate, formatMoney, formatPercent, formatUnitPrice } from "../domain/format.ts";
import { quoteReferenceText } from "../domain/quote-chain.ts";
import { formatIban, sirenFromSiret } from "../domain/identifiers.ts";
import { exemptionWording, sameAddress } from "../domain/mentions.ts";
import { unitPriceE4Of } from "../domain/totals.ts";
import type { Locale } from "../domain/format.ts";
import { INVISIBLE } from "./charset.ts";
import { CREATOR_TOOL, PRODUCER, toFacturX } from "./facturx.ts";
import { embedFonts, unsupportedCharacters } from "./fonts.ts";
import type { EmbeddedFonts, FontBytes } from "./fonts.ts";

export { unsupportedInput } from "./charset.ts";

export interface RenderOptions {
  /** The Latin cut of DejaVu Sans (src/worker/pdf/fonts); pass the same arrays every time (parse cache). */
  fonts: FontBytes;
  /** The seller's logo; SVG logos are not drawn in the PDF. */
  logo?: { bytes: Uint8Array; type: "image/png" | "image/jpeg" } | null;
  /** Online payment link, printed as a QR code. */
  payUrl?: string | null;
  /** CII XML (Factur-X EN 16931 profile): the result is then a Factur-X PDF/A-3 file. */
  xml?: Uint8Array | null;
}

// ---- page geometry (PDF points, origin bottom-left) -------------------------------------

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN_X = 42;
const MARGIN_TOP = 40;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;
const RIGHT = PAGE_WIDTH - MARGIN_X;
/** Everything above this line is content; the footer sits below it. */
const FLOW_BOTTOM = 54;
const FOOTER_RULE_Y = 44;
const FOOTER_BASELINE = 32;
const RUNNING_HEADER_HEIGHT = 34;

const BODY = 8.8;
const SMALL = 7.6;
const LEADING = 1.32;

const ACCENT = rgb(0.11, 0.22, 0.36);
const INK = rgb(0.11, 0.12, 0.14);
const MUTED = rgb(0.4, 0.43, 0.48);
const RULE = rgb(0.83, 0.85, 0.88);
const SHADE = rgb(0.953, 0.961, 0.973);
const WHITE = rgb(1, 1, 1);

// ---- labels ------------------------------------------------------------------------------

export interface Labels {
  docName: Record<DocumentType, string>;
  number: string;
  issueDate: string;
  quoteDate: string;
  deliveryDate: Record<DocumentSnapshot["operationCategory"], string>;
  dueDate: string;
  validUntil: string;
  seller: string;
  buyer: string;
  siret: string;
  siren: string;
  vatNumber: string;
  deliveryAddress: string;
  purchaseOrder: string;
  correctedInvoice: (number: string, date: string) => string;
  shareCapital: (amount: string) => string;
  columns: { description: string; quantity: string; unit: string; unitPrice: string; discount: string; vat: string; total: string };
  subtotal: string;
  totalExclVat: string;
  vat: (rate: string) => string;
  vatOn: (base: string) => string;
  totalInclVat: string;
  deposit: (number: string, date: string) => string;
  otherPrepaid: string;
  amountDue: string;
  creditAmount: string;
  paymentTerms: string;
  bankTransfer: string;
  payOnline: string;
  scanToPay: string;
  note: string;
  legal: string;
  acceptance: string;
  acceptanceHint: string;
  units: Record<string, string>;
}

const FR: Labels = {
  docName: { invoice: "Facture", deposit_invoice: "Facture d’acompte", credit_note: "Avoir", quote: "Devis" },
  number: "N°",
  issueDate: "Date d’émission",
  quoteDate: "Date du devis",
  deliveryDate: { services: "Date de la prestation", goods: "Date de livraison", mixed: "Date de livraison / prestation" },
  dueDate: "Date d’échéance",
  validUntil: "Valable jusqu’au",
  seller: "ÉMETTEUR",
  buyer: "CLIENT",
  siret: "SIRET",
  siren: "SIREN",
  vatNumber: "N° TVA",
  deliveryAddress: "Adresse de livraison",
  purchaseOrder: "Votre bon de commande",
  correctedInvoice: (n, d) => `Avoir sur la facture ${n} du ${d}`,
  shareCapital: (a) => `au capital de ${a}`,
  columns: { description: "Désignation", quantity: "Qté", unit: "Unité", unitPrice: "PU HT", discount: "Remise", vat: "TVA", total: "Total HT" },
  subtotal: "Total HT avant remise",
  totalExclVat: "Total HT",
  vat: (r) => `TVA ${r}`,
  vatOn: (b) => `sur ${b}`,
  totalInclVat: "Total TTC",
  deposit: (n, d) => `Acompte ${n} du ${d}`,
  otherPrepaid: "Déjà réglé",
  amountDue: "Net à payer",
  creditAmount: "Montant de l’avoir",
  paymentTerms: "Conditions de paiement",
  bankTransfer: "Virement bancaire",
  payOnline: "Payer en ligne",
  scanToPay: "Scannez ce code pour régler en ligne",
  note: "Note",
  legal: "Mentions légales",
  acceptance: "Bon pour accord",
  acceptanceHint: "Date, nom et signature précédés de la mention « Bon pour accord »",
  units: {
    C62: "unité", H87: "pièce", XPP: "pièce", EA: "unité", HUR: "heure", MIN: "minute", DAY: "jour", WEE: "semaine",
    MON: "mois", ANN: "an", LS: "forfait", KGM: "kg", GRM: "g", TNE: "t", MTR: "m", KMT: "km", MTK: "m²", MTQ: "m³",
    LTR: "l", SET: "lot", E48: "forfait",
  },
};

const EN: Labels = {
  docName: { invoice: "Invoice", deposit_invoice: "Deposit invoice", credit_note: "Credit note", quote: "Quote" },
  number: "No.",
  issueDate: "Issue date",
  quoteDate: "Quote date",
  deliveryDate: { services: "Service date", goods: "Delivery date", mixed: "Delivery / service date" },
  dueDate: "Due date",
  validUntil: "Valid until",
  seller: "FROM",
  buyer: "BILL TO",
  siret: "SIRET",
  siren: "SIREN",
  vatNumber: "VAT no.",
  deliveryAddress: "Delivery address",
  purchaseOrder: "Your purchase order",
  correctedInvoice: (n, d) => `Credit note for invoice ${n} of ${d}`,
  shareCapital: (a) => `with a share capital of ${a}`,
  columns: { description: "Description", quantity: "Qty", unit: "Unit", unitPrice: "Unit price", discount: "Discount", vat: "VAT", total: "Amount" },
  subtotal: "Subtotal before discount",
  totalExclVat: "Total excl. VAT",
  vat: (r) => `VAT ${r}`,
  vatOn: (b) => `on ${b}`,
  totalInclVat: "Total incl. VAT",
  deposit: (n, d) => `Deposit ${n} of ${d}`,
  otherPrepaid: "Already paid",
  amountDue: "Amount due",
  creditAmount: "Credit amount",
  paymentTerms: "Payment terms",
  bankTransfer: "Bank transfer",
  payOnline: "Pay online",
  scanToPay: "Scan this code to pay online",
  note: "Note",
  legal: "Legal notices",
  acceptance: "Accepted",
  acceptanceHint: "Date, name and signature, preceded by “Accepted”",
  units: {
    C62: "unit", H87: "piece", XPP: "piece", EA: "each", HUR: "hour", MIN: "minute", DAY: "day", WEE: "week",
    MON: "month", ANN: "year", LS: "lump sum", KGM: "kg", GRM: "g", TNE: "t", MTR: "m", KMT: "km", MTK: "m²", MTQ: "m³",
    LTR: "l", SET: "set", E48: "service",
  },
};

/** The printed labels by language (tests compare them: an English PDF shows none of the French ones). */
export const PDF_LABELS: Readonly<Record<Locale, Labels>> = { fr: FR, en: EN };

const LANGUAGE_TAGS: Record<Locale, string> = { fr: "fr-FR", en: "en-GB" };

/** The document's name in the buyer's language ("Facture d’acompte", "Credit note"). */
export function documentName(type: DocumentType, locale: Locale): string {
  return (locale === "en" ? EN : FR).docName[type];
}

// ---- text ----------------------------------------------------------------------------------

/**
 * `text` as it will be drawn with `fonts`: NFC, line breaks as "\n", tabs as spaces, control
 * and invisible format characters dropped, and every character the fonts lack replaced by its
 * compatibility form (NFKC), else that form without accents, when the fonts have all of it,
 * else by "?".
 */
export function printableText(text: string, fonts: EmbeddedFonts): string {
  let s = text.normalize("NFC").replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n").replace(/\t/g, " ");
  let stripped = "";
  for (const ch of s) if (ch === "\n" || !INVISIBLE.test(ch)) stripped += ch;
  s = stripped;
  const lacking = (t: string) => [...unsupportedCharacters(fonts.regular, t), ...unsupportedCharacters(fonts.bold, t)];
  const missing = new Set(lacking(s));
  if (missing.size === 0) return s;
  let out = "";
  for (const ch of s) {
    if (!missing.has(ch)) {
      out += ch;
      continue;
    }
    const printable = (t: string) => t !== "" && !INVISIBLE.test(t) && lacking(t).length === 0;
    const compatible = ch.normalize("NFKC");
    const bare = ch.normalize("NFKD").replace(/\p{M}/gu, "").normalize("NFC");
    out += printable(compatible) ? compatible : printable(bare) ? bare : "?";
  }
  return out;
}

type Weight = "regular" | "bold";

/** Measures, wraps and draws already-printable text with the two embedded cuts. */
class Typesetter {
  private readonly advances = new Map<PDFFont, Map<string, number>>();
  constructor(readonly fonts: EmbeddedFonts) {}

  font(weight: Weight): PDFFont {
    return this.fonts[weight];
  }

  clean(text: string): string {
    return printableText(text, this.fonts);
  }

  /**
   * Width of a printable string. The cut has no kerning or ligature tables, so a string is
   * exactly the sum of its characters' advances, which are cached (shaping is what costs).
   */
  width(text: string, weight: Weight, size: number): number {
    const font = this.font(weight);
    let cache = this.advances.get(font);
    if (!cache) {
      cache = new Map();
      this.advances.set(font, cache);
    }
    let w = 0;
    for (const ch of text) {
      let a = cache.get(ch);
      if (a === undefined) {
        a = font.widthOfTextAtSize(ch, 1);
        cache.set(ch, a);
      }
      w += a;
    }
    return w * size;
  }

  /** Printable lines of at most `maxWidth`, breaking at spaces, and inside words longer than a line. */
  wrap(text: string, weight: Weight, size: number, maxWidth: number): string[] {
    const lines: string[] = [];
    for (const paragraph of this.clean(text).split("\n")) {
      let line = "";
      for (const word of paragraph.split(/ +/)) {
        if (word === "") continue;
        const candidate = line === "" ? word : `${line} ${word}`;
        if (this.width(candidate, weight, size) <= maxWidth) {
          line = candidate;
          continue;
        }
        if (line !== "") lines.push(line);
        line = "";
        for (const ch of word) {
          if (line !== "" && this.width(line + ch, weight, size) > maxWidth) {
            lines.push(line);
            line = "";
          }
          line += ch;
        }
      }
      lines.push(line);
    }
    return lines;
  }

  /** Draws one line; `align` says whether `x` is its left edge or its right edge. */
  draw(page: PDFPage, text: string, x: number, baseline: number, opts: { weight?: Weight; size?: number; color?: Color; align?: "left" | "right" } = {}): void {
    const weight = opts.weight ?? "regular";
    const size = opts.size ?? BODY;
    const t = this.clean(text);
    if (t === "") return;
    const left = opts.align === "right" ? x - this.width(t, weight, size) : x;
    page.drawText(t, { x: left, y: baseline, size, font: this.font(weight), color: opts.color ?? INK });
  }
}

/** Height of one line of text at `size`. */
function lineHeight(size: number): number {
  return size * LEADING;
}

/** Baseline of a line whose box starts at `top`: the glyphs sit centred in the leading. */
function baselineBelow(top: number, size: number): number {
  return top - (lineHeight(size) - size) / 2 - size * 0.8;
}

// ---- page planning -------------------------------------------------------------------------

/** One unbreakable piece of the flow. */
export interface FlowItem {
  /** Rows of the lines table get the table header above them at the top of each page. */
  kind: "row" | "block";
  height: number;
  /** Keep on the same page as the next item (a heading with its first line). */
  keepWithNext?: boolean;
}

export interface PageMetrics {
  /** Height available to the flow on page 1 and on the following pages. */
  firstPageHeight: number;
  pageHeight: number;
  /** Height of the repeated lines-table header. */
  tableHeaderHeight: number;
}

/** What goes on a page, with each entry's offset from the top of the page's flow area. */
export type PlacedEntry = { kind: "tableHeader"; top: number } | { kind: "item"; index: number; top: number };

export interface PlannedPage {
  entries: PlacedEntry[];
}

/**
 * Breaks a flow into pages. Items are placed in order; a row that starts a page or follows a
 * non-row gets the table header above it; a run of items joined by `keepWithNext` moves to a
 * new page as a whole when it fits on one. An item taller than a page is placed alone and
 * overflows (callers split long rows beforehand). Always returns at least one page.
 */
export function planPages(items: readonly FlowItem[], metrics: PageMetrics): PlannedPage[] {
  const pages: PlannedPage[] = [];
  let entries: PlacedEntry[] = [];
  let used = 0;
  let capacity = metrics.firstPageHeight;
  let afterRow = false;

  const cost = (i: number, previousIsRow: boolean): number => {
    const item = items[i]!;
    return item.height + (item.kind === "row" && !previousIsRow ? metrics.tableHeaderHeight : 0);
  };
  const chainCost = (i: number, previousIsRow: boolean): number => {
    let total = 0;
    for (let j = i; j < items.length; j++) {
      total += cost(j, previousIsRow);
      previousIsRow = items[j]!.kind === "row";
      if (!items[j]!.keepWithNext) break;
    }
    return total;
  };

  for (let i = 0; i < items.length; i++) {
    if (entries.length > 0) {
      const own = cost(i, afterRow);
      const startsChain = i === 0 || !items[i - 1]!.keepWithNext;
      const breakHere = startsChain
        ? used + chainCost(i, afterRow) > capacity && (chainCost(i, false) <= metrics.pageHeight || used + own > capacity)
        : used + own > capacity;
      if (breakHere) {
        pages.push({ entries });
        entries = [];
        used = 0;
        capacity = metrics.pageHeight;
        afterRow = false;
      }
    }
    const item = items[i]!;
    if (item.kind === "row" && !afterRow) {
      entries.push({ kind: "tableHeader", top: used });
      used += metrics.tableHeaderHeight;
    }
    entries.push({ kind: "item", index: i, top: used });
    used += item.height;
    afterRow = item.kind === "row";
  }
  pages.push({ entries });
  return pages;
}

// ---- layout -----------------------------------------------------------------------------

interface DrawableItem extends FlowItem {
  /** What the item shows, for tests and debugging: "header", "line 3", "totals"… */
  label: string;
  draw(page: PDFPage, top: number): void;
}

interface Column {
  key: keyof Labels["columns"];
  width: number;
  align: "left" | "right";
}

/** The laid-out document: its flow, the page plan and the labels of the repeated table header. */
export interface DocumentLayout {
  items: Array<FlowItem & { label: string }>;
  pages: PlannedPage[];
  metrics: PageMetrics;
  tableHeaderLabels: string[];
}

interface LayoutState extends DocumentLayout {
  items: DrawableItem[];
  drawTableHeader(page: PDFPage, top: number): void;
  drawPageFrame(page: PDFPage, pageNumber: number, pageCount: number): void;
}

const TABLE_HEADER_HEIGHT = 20;
const CELL_PAD_X = 6;
const ROW_PAD_Y = 5;
/** A note or legal block of at most this many lines is never split across pages. */
const KEEP_TOGETHER_LINES = 14;
/** Space above the note, legal and acceptance blocks. */
const HEADING_GAP = 14;

// Building an Intl formatter costs ~250 µs, formatting with one ~4 µs: build each once per isolate.
const quantityFormats = new Map<Locale, Intl.NumberFormat>();
const regionNames = new Map<Locale, Intl.DisplayNames>();

function formatQuantity(quantity: string, locale: Locale): string {
  let format = quantityFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(LANGUAGE_TAGS[locale], { maximumFractionDigits: 4 });
    quantityFormats.set(locale, format);
  }
  return format.format(quantity as Intl.StringNumericLiteral);
}

function countryName(code: string, locale: Locale): string {
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([LANGUAGE_TAGS[locale]], { type: "region" });
    regionNames.set(locale, names);
  }
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * `format` memoised for one document: formatMoney and co. build an Intl formatter per call
 * (~250 µs), and VAT rates, unit prices and dates repeat from line to line.
 */
function memoize<K, V>(format: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = format(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** "732829320" → "732 829 320", "73282932000074" → "732 829 320 00074"; anything else as is. */
function groupSiren(id: string): string {
  const m = /^(\d{3})(\d{3})(\d{3})(\d{5})?$/.exec(id.replace(/\s+/g, ""));
  return m ? [m[1], m[2], m[3], m[4]].filter(Boolean).join(" ") : id;
}

function addressLines(address: PostalAddress, showCountry: boolean, locale: Locale): string[] {
  const lines = [address.line1];
  if (address.line2) lines.push(address.line2);
  lines.push(`${address.postalCode} ${address.city}`.trim());
  if (showCountry) lines.push(countryName(address.country, locale));
  return lines;
}

/** A run of text lines drawn one under the other. */
interface TextRun {
  text: string;
  weight?: Weight;
  size?: number;
  color?: Color;
  /** Extra space above this run. */
  gap?: number;
}

/** Wraps runs into a column of width `width`: returns the lines and the total height. */
function setColumn(ts: Typesetter, runs: TextRun[], width: number) {
  const lines: Array<{ text: string; weight: Weight; size: number; color: Color; top: number }> = [];
  let y = 0;
  for (const run of runs) {
    const weight = run.weight ?? "regular";
    const size = run.size ?? BODY;
    y += run.gap ?? 0;
    for (const text of ts.wrap(run.text, weight, size, width)) {
      lines.push({ text, weight, size, color: run.color ?? INK, top: y });
      y += lineHeight(size);
    }
  }
  return {
    lines,
    height: y,
    draw(page: PDFPage, x: number, top: number, align: "left" | "right" = "left") {
      for (const l of lines) {
        ts.draw(page, l.text, x, baselineBelow(top - l.top, l.size), { weight: l.weight, size: l.size, color: l.color, align });
      }
    },
  };
}

/**
 * Lays out `snapshot` with embedded fonts: builds the flow and plans its pages. Exposed so that
 * tests can inspect the plan; {@link renderDocumentPdf} draws it.
 */
export function layoutDocument(
  snapshot: DocumentSnapshot,
  fonts: EmbeddedFonts,
  extras: { logo?: PDFImage | null; payUrl?: string | null } = {},
): DocumentLayout {
  return buildLayout(snapshot, new Typesetter(fonts), extras);
}

function buildLayout(snapshot: DocumentSnapshot, ts: Typesetter, extras: { logo?: PDFImage | null; payUrl?: string | null }): LayoutState {
  const locale: Locale = snapshot.buyer.language === "en" ? "en" : "fr";
  const L = locale === "en" ? EN : FR;
  const money = memoize((cents: number) => formatMoney(cents, locale, snapshot.currency));
  const date = memoize((iso: string) => formatDate(iso, locale));
  const percent = memoize((basisPoints: number) => formatPercent(basisPoints, locale));
  const docName = L.docName[snapshot.type];
  const title = docName.toLocaleUpperCase(LANGUAGE_TAGS[locale]);
  const isQuote = snapshot.type === "quote";
  const isInvoice = snapshot.type === "invoice" || snapshot.type === "deposit_invoice";
  // French typography puts a no-break space before a colon.
  const colon = locale === "fr" ? "\u00a0: " : ": ";
  const items: DrawableItem[] = [];

  // ---- header: logo or name, title, number, dates, parties, references ----
  {
    const colGap = 24;
    const halfWidth = (CONTENT_WIDTH - colGap) / 2;

    const logo = extras.logo ?? null;
    const logoBox = { w: 170, h: 58 };
    const logoScale = logo ? Math.min(logoBox.w / logo.width, logoBox.h / logo.height, 1) : 0;
    const brand = logo
      ? null
      : setColumn(ts, [{ text: snapshot.seller.tradeName || snapshot.seller.name, weight: "bold", size: 15, color: ACCENT }], halfWidth);
    const leftHeight = logo ? logo.height * logoScale : brand!.height;

    const titleSize = title.length > 12 ? 17 : 21;
    const dates: Array<[string, string]> = [[isQuote ? L.quoteDate : L.issueDate, date(snapshot.issueDate)]];
    if (snapshot.deliveryDate && snapshot.deliveryDate !== snapshot.issueDate) {
      dates.push([L.deliveryDate[snapshot.operationCategory], date(snapshot.deliveryDate)]);
    }
    // A quote prints the validity its seller set; its payment terms run from the future invoice.
    if (isQuote && snapshot.validUntil) dates.push([L.validUntil, date(snapshot.validUntil)]);
    else if (isInvoice) dates.push([L.dueDate, date(snapshot.payment.dueDate)]);
    const dateSize = 8.6;
    const dateRow = 13;
    const numberText = snapshot.number ? `${L.number} ${snapshot.number}` : "";
    const rightHeight = lineHeight(titleSize) + (numberText ? 17 : 0) + 6 + dates.length * dateRow;
    const topHeight = Math.max(leftHeight, rightHeight);

    const sameCountry = snapshot.seller.address.country === snapshot.buyer.address.country;
    const s = snapshot.seller;
    const sellerRuns: TextRun[] = [{ text: L.seller, weight: "bold", size: 7, color: MUTED }];
    sellerRuns.push({ text: s.name, weight: "bold", size: 9.6, gap: 3 });
    if (s.tradeName && s.tradeName !== s.name) sellerRuns.push({ text: s.tradeName });
    if (s.isCompany) {
      const capital = s.shareCapitalCents ? ` ${L.shareCapital(money(s.shareCapitalCents))}` : "";
      sellerRuns.push({ text: `${s.legalFormLabel}${capital}`, color: MUTED });
    }
    for (const line of addressLines(s.address, !sameCountry, locale)) sellerRuns.push({ text: line });
    const ids: string[] = [`${L.siret} ${groupSiren(s.siret)}`];
    if (s.registration) ids.push(`${s.registration.kind.toUpperCase()} ${s.registration.city} ${groupSiren(s.siren)}`);
    sellerRuns.push({ text: ids.join(" · "), size: 8, color: MUTED, gap: 3 });
    if (s.vatNumber) sellerRuns.push({ text: `${L.vatNumber} ${s.vatNumber}`, size: 8, color: MUTED });
    sellerRuns.push({ text: [s.email, s.phone].filter(Boolean).join(" · "), size: 8, color: MUTED });
    const sellerCol = setColumn(ts, sellerRuns, halfWidth);

    const b = snapshot.buyer;
    const boxPad = 10;
    const buyerRuns: TextRun[] = [{ text: L.buyer, weight: "bold", size: 7, color: MUTED }];
    buyerRuns.push({ text: b.name, weight: "bold", size: 9.6, gap: 3 });
    for (const line of addressLines(b.address, !sameCountry, locale)) buyerRuns.push({ text: line });
    const buyerIds: string[] = [];
    const buyerSiren = b.siren || (b.siret ? sirenFromSiret(b.siret) : null);
    if (buyerSiren) buyerIds.push(`${L.siren} ${groupSiren(buyerSiren)}`);
    if (b.vatNumber) buyerIds.push(`${L.vatNumber} ${b.vatNumber}`);
    if (buyerIds.length > 0) buyerRuns.push({ text: buyerIds.join(" · "), size: 8, color: MUTED, gap: 3 });
    if (b.deliveryAddress && !sameAddress(b.deliveryAddress, b.address)) {
      buyerRuns.push({ text: L.deliveryAddress, weight: "bold", size: 7, color: MUTED, gap: 6 });
      for (const line of addressLines(b.deliveryAddress, b.deliveryAddress.country !== s.address.country, locale)) {
        buyerRuns.push({ text: line, size: 8 });
      }
    }
    const buyerCol = setColumn(ts, buyerRuns, halfWidth - 2 * boxPad);
    // The seller column starts level with the text inside the buyer's box.
    const partiesHeight = Math.max(sellerCol.height, buyerCol.height) + 2 * boxPad;

    const refRuns: TextRun[] = [];
    if (snapshot.purchaseOrderReference) {
      refRuns.push({ text: `${L.purchaseOrder}${colon}${snapshot.purchaseOrderReference}` });
    }
    if (snapshot.sourceQuote) refRuns.push({ text: quoteReferenceText(snapshot.sourceQuote, locale) });
    if (snapshot.precedingInvoice) {
      refRuns.push({
        text: L.correctedInvoice(snapshot.precedingInvoice.number, date(snapshot.precedingInvoice.issueDate)),
        weight: "bold",
      });
    }
    const refs = setColumn(ts, refRuns, CONTENT_WIDTH);

    const partiesTop = topHeight + 16;
    const refsTop = partiesTop + partiesHeight + (refRuns.length > 0 ? 12 : 0);
    const height = refsTop + refs.height + 12;

    items.push({
      kind: "block",
      label: "header",
      height,
      draw(page, top) {
        if (logo) {
          const w = logo.width * logoScale;
          const h = logo.height * logoScale;
          page.drawImage(logo, { x: MARGIN_X, y: top - h, width: w, height: h });
        } else {
          brand!.draw(page, MARGIN_X, top);
        }
        let y = top;
        ts.draw(page, title, RIGHT, baselineBelow(y, titleSize), { weight: "bold", size: titleSize, color: ACCENT, align: "right" });
        y -= lineHeight(titleSize);
        if (numberText) {
          ts.draw(page, numberText, RIGHT, baselineBelow(y, 10.5), { weight: "bold", size: 10.5, align: "right" });
          y -= 17;
        }
        y -= 6;
        const valueWidth = Math.max(...dates.map(([, v]) => ts.width(v, "bold", dateSize)));
        for (const [label, value] of dates) {
          const base = baselineBelow(y, dateSize);
          ts.draw(page, label, RIGHT - valueWidth - 10, base, { size: dateSize, color: MUTED, align: "right" });
          ts.draw(page, value, RIGHT, base, { weight: "bold", size: dateSize, align: "right" });
          y -= dateRow;
        }

        const pTop = top - partiesTop;
        sellerCol.draw(page, MARGIN_X, pTop - boxPad);
        const boxX = MARGIN_X + halfWidth + colGap;
        page.drawRectangle({ x: boxX, y: pTop - partiesHeight, width: halfWidth, height: partiesHeight, color: SHADE });
        page.drawRectangle({ x: boxX, y: pTop - partiesHeight, width: 2, height: partiesHeight, color: ACCENT });
        buyerCol.draw(page, boxX + boxPad, pTop - boxPad);
        refs.draw(page, MARGIN_X, top - refsTop);
      },
    });
  }

  // ---- lines table ----
  const hasDiscount = snapshot.lines.some((l) => l.discount);
  const showVat = snapshot.lines.some((l) => l.vat.category === "S" || l.vat.category === "Z");
  const cells = snapshot.lines.map((line, i) => lineCells(line, i));
  function lineCells(line: LineSnapshot, i: number): Record<Exclude<Column["key"], "description">, string> {
    const totals = snapshot.totals.lines[i];
    if (!totals) throw new Error(`snapshot totals have no entry for line ${i}`);
    const discount = !line.discount
      ? ""
      : line.discount.kind === "percent"
        ? percent(line.discount.basisPoints)
        : money(line.discount.cents);
    const vatRate =
      line.vat.category === "S" || line.vat.category === "Z" ? percent(line.vat.rateBasisPoints) : "—";
    return {
      quantity: formatQuantity(line.quantity, locale),
      unit: L.units[line.unitCode] ?? line.unitCode,
      unitPrice: formatUnitPrice(unitPriceE4Of(line), locale, snapshot.currency),
      discount,
      vat: vatRate,
      total: money(totals.netCents),
    };
  }
  const columnKeys: Array<Exclude<Column["key"], "description">> = ["quantity", "unit", "unitPrice"];
  if (hasDiscount) columnKeys.push("discount");
  if (showVat) columnKeys.push("vat");
  columnKeys.push("total");
  // Numeric columns are as wide as their widest cell or header, the description takes the rest.
  const columns: Column[] = columnKeys.map((key) => {
    const widest = Math.max(
      ts.width(ts.clean(L.columns[key]), "bold", SMALL + 0.4),
      ...cells.map((c) => ts.width(ts.clean(c[key]), key === "total" ? "bold" : "regular", BODY)),
    );
    return { key, width: Math.ceil(widest) + 2 * CELL_PAD_X, align: key === "unit" ? "left" : "right" };
  });
  const fixed = columns.reduce((sum, c) => sum + c.width, 0);
  const descriptionWidth = Math.max(CONTENT_WIDTH - fixed, 150);
  // Should the amounts be very wide, squeeze them proportionally rather than leave the page.
  const squeeze = Math.min(1, (CONTENT_WIDTH - descriptionWidth) / fixed);
  for (const c of columns) c.width *= squeeze;
  columns.unshift({ key: "description", width: descriptionWidth, align: "left" });
  const tableHeaderLabels = columns.map((c) => ts.clean(L.columns[c.key]));

  const drawTableHeader = (page: PDFPage, top: number) => {
    page.drawRectangle({ x: MARGIN_X, y: top - TABLE_HEADER_HEIGHT, width: CONTENT_WIDTH, height: TABLE_HEADER_HEIGHT, color: ACCENT });
    let x = MARGIN_X;
    const base = top - TABLE_HEADER_HEIGHT / 2 - SMALL * 0.35;
    for (const c of columns) {
      const label = L.columns[c.key];
      if (c.align === "right") ts.draw(page, label, x + c.width - CELL_PAD_X, base, { weight: "bold", size: SMALL + 0.4, color: WHITE, align: "right" });
      else ts.draw(page, label, x + CELL_PAD_X, base, { weight: "bold", size: SMALL + 0.4, color: WHITE });
      x += c.width;
    }
  };

  const rowLine = lineHeight(BODY);
  const metrics: PageMetrics = {
    firstPageHeight: PAGE_HEIGHT - MARGIN_TOP - FLOW_BOTTOM,
    pageHeight: PAGE_HEIGHT - MARGIN_TOP - RUNNING_HEADER_HEIGHT - FLOW_BOTTOM,
    tableHeaderHeight: TABLE_HEADER_HEIGHT,
  };
  // A description longer than a page is cut into several rows; only the first shows the figures.
  const maxLinesPerRow = Math.floor((metrics.pageHeight - TABLE_HEADER_HEIGHT - 2 * ROW_PAD_Y) / rowLine) - 1;

  snapshot.lines.forEach((line, i) => {
    const text = ts.wrap(line.description, "regular", BODY, descriptionWidth - 2 * CELL_PAD_X);
    const row = cells[i]!;
    for (let start = 0; start < text.length; start += maxLinesPerRow) {
      const chunk = text.slice(start, start + maxLinesPerRow);
      const first = start === 0;
      const isLast = i === snapshot.lines.length - 1 && start + maxLinesPerRow >= text.length;
      items.push({
        kind: "row",
        label: first ? `line ${i}` : `line ${i} (continued)`,
        height: chunk.length * rowLine + 2 * ROW_PAD_Y,
        // The last row travels with the totals, so that they never open a page on their own.
        keepWithNext: isLast,
        draw(page, top) {
          const height = chunk.length * rowLine + 2 * ROW_PAD_Y;
          chunk.forEach((t, k) => {
            ts.draw(page, t, MARGIN_X + CELL_PAD_X, baselineBelow(top - ROW_PAD_Y - k * rowLine, BODY));
          });
          if (first) {
            const base = baselineBelow(top - ROW_PAD_Y, BODY);
            let x = MARGIN_X + descriptionWidth;
            for (const c of columns.slice(1)) {
              const value = row[c.key as Exclude<Column["key"], "description">];
              const weight: Weight = c.key === "total" ? "bold" : "regular";
              const color = c.key === "unit" || c.key === "vat" ? MUTED : INK;
              if (c.align === "right") ts.draw(page, value, x + c.width - CELL_PAD_X, base, { weight, color, align: "right" });
              else ts.draw(page, value, x + CELL_PAD_X, base, { weight, color });
              x += c.width;
            }
          }
          page.drawLine({
            start: { x: MARGIN_X, y: top - height },
            end: { x: RIGHT, y: top - height },
            thickness: 0.6,
            color: RULE,
          });
        },
      });
    }
  });

  // ---- summary: payment terms on the left, totals (and the QR code) on the right ----
  {
    const totalsWidth = 236;
    const gap = 26;
    const leftWidth = CONTENT_WIDTH - totalsWidth - gap;
    const t = snapshot.totals;

    type TotalRow = { label: string; amount: string; strong?: boolean; ruleAbove?: boolean; muted?: boolean };
    const rows: TotalRow[] = [];
    const hasAdjustments = t.allowances.length > 0 || t.charges.length > 0;
    if (hasAdjustments) rows.push({ label: L.subtotal, amount: money(t.lineNetTotalCents) });
    const bySource = (parts: typeof t.allowances) => {
      const grouped = new Map<number, { reason: string; cents: number; percent?: number }>();
      for (const p of parts) {
        const g = grouped.get(p.sourceIndex) ?? { reason: p.reason, cents: 0, percent: p.percentBasisPoints };
        g.cents += p.amountCents;
        grouped.set(p.sourceIndex, g);
      }
      return [...grouped.values()];
    };
    for (const a of bySource(t.allowances)) {
      const pct = a.percent !== undefined ? ` (${percent(a.percent)})` : "";
      rows.push({ label: `${a.reason}${pct}`, amount: money(-a.cents), muted: true });
    }
    for (const c of bySource(t.charges)) {
      const pct = c.percent !== undefined ? ` (${percent(c.percent)})` : "";
      rows.push({ label: `${c.reason}${pct}`, amount: money(c.cents), muted: true });
    }
    rows.push({ label: L.totalExclVat, amount: money(t.taxExclusiveCents), strong: hasAdjustments, ruleAbove: hasAdjustments });
    const manyRates = t.vatBreakdown.length > 1;
    for (const v of t.vatBreakdown) {
      const charged = v.category === "S" || v.category === "Z";
      const label = charged
        ? `${L.vat(percent(v.rateBasisPoints))}${manyRates ? ` ${L.vatOn(money(v.taxableCents))}` : ""}`
        : v.exemptionReason
          ? exemptionWording(v.exemptionReason, locale)
          : L.vat(percent(0));
      rows.push({ label, amount: money(v.vatCents), muted: !charged });
    }
    rows.push({ label: L.totalInclVat, amount: money(t.taxInclusiveCents), strong: true, ruleAbove: true });
    let depositsCents = 0;
    for (const d of snapshot.deductedDeposits) {
      depositsCents += d.amountCents;
      rows.push({ label: L.deposit(d.number, date(d.issueDate)), amount: money(-d.amountCents), muted: true });
    }
    if (t.prepaidCents > depositsCents) {
      rows.push({ label: L.otherPrepaid, amount: money(-(t.prepaidCents - depositsCents)), muted: true });
    }
    const finalLabel = isQuote ? null : snapshot.type === "credit_note" ? L.creditAmount : L.amountDue;
    const finalAmount = isQuote ? money(t.taxInclusiveCents) : money(t.dueCents);
    const highlight = { label: finalLabel ?? L.totalInclVat, amount: finalAmount };
    // A quote highlights its total incl. VAT instead of repeating it.
    if (isQuote) rows.pop();

    const amountWidth = Math.max(...rows.map((r) => ts.width(ts.clean(r.amount), "bold", BODY)), 60);
    const labelWidth = totalsWidth - amountWidth - 2 * 8 - 10;
    const rowPad = 3.2;
    const laidRows = rows.map((r) => {
      const lines = ts.wrap(r.label, r.strong ? "bold" : "regular", BODY, labelWidth);
      return { ...r, lines, height: lines.length * rowLine + 2 * rowPad + (r.ruleAbove ? 3 : 0) };
    });
    const highlightHeight = 26;
    const totalsHeight = laidRows.reduce((sum, r) => sum + r.height, 0) + 6 + highlightHeight;

    const qr = extras.payUrl ? encode(extras.payUrl, { ecc: "M", border: 0 }) : null;
    const qrSide = 66;
    const qrGap = 12;

    const leftRuns: TextRun[] = [];
    if (!isQuote && snapshot.type !== "credit_note") {
      const p = snapshot.payment;
      leftRuns.push({ text: L.paymentTerms, weight: "bold", size: 9, color: ACCENT });
      leftRuns.push({ text: `${L.dueDate}${colon}${date(p.dueDate)}`, weight: "bold", gap: 3 });
      if (p.text) leftRuns.push({ text: p.text });
      if (snapshot.seller.iban) {
        leftRuns.push({ text: L.bankTransfer, weight: "bold", size: 8, color: MUTED, gap: 6 });
        leftRuns.push({ text: `IBAN  ${formatIban(snapshot.seller.iban)}` });
        if (snapshot.seller.bic) leftRuns.push({ text: `BIC  ${snapshot.seller.bic}` });
      }
      let gapNext = 6;
      for (const wording of [p.earlyPaymentDiscount, p.latePenalty, p.recoveryIndemnity]) {
        if (!wording) continue;
        leftRuns.push({ text: wording, size: SMALL, color: MUTED, gap: gapNext });
        gapNext = 2;
      }
    } else if (isQuote && snapshot.payment.text) {
      // A credit note pays nothing: no terms. A quote states the terms it proposes.
      leftRuns.push({ text: L.paymentTerms, weight: "bold", size: 9, color: ACCENT });
      leftRuns.push({ text: snapshot.payment.text, gap: 3 });
    }
    const left = setColumn(ts, leftRuns, leftWidth);
    // The QR code goes under whichever column ends higher, to keep the block short.
    const qrOnLeft = left.height < totalsHeight;
    const qrBlock = qr ? qrGap + qrSide : 0;
    const top0 = 12;
    const height = top0 + Math.max(left.height + (qrOnLeft ? qrBlock : 0), totalsHeight + (qrOnLeft ? 0 : qrBlock));

    items.push({
      kind: "block",
      label: "totals",
      height,
      draw(page, blockTop) {
        const top = blockTop - top0;
        left.draw(page, MARGIN_X, top);
        const x0 = RIGHT - totalsWidth;
        let y = top;
        for (const r of laidRows) {
          if (r.ruleAbove) {
            page.drawLine({ start: { x: x0, y: y - 1 }, end: { x: RIGHT, y: y - 1 }, thickness: 0.8, color: RULE });
            y -= 3;
          }
          const weight: Weight = r.strong ? "bold" : "regular";
          const color = r.muted ? MUTED : INK;
          r.lines.forEach((l, k) => {
            ts.draw(page, l, x0 + 8, baselineBelow(y - rowPad - k * rowLine, BODY), { weight, color });
          });
          ts.draw(page, r.amount, RIGHT - 8, baselineBelow(y - rowPad, BODY), { weight, color, align: "right" });
          y -= r.lines.length * rowLine + 2 * rowPad;
        }
        y -= 6;
        page.drawRectangle({ x: x0, y: y - highlightHeight, width: totalsWidth, height: highlightHeight, color: ACCENT });
        const base = y - highlightHeight / 2 - 10.5 * 0.36;
        ts.draw(page, highlight.label, x0 + 8, base, { weight: "bold", size: 10.5, color: WHITE });
        ts.draw(page, highlight.amount, RIGHT - 8, base, { weight: "bold", size: 10.5, color: WHITE, align: "right" });
        y -= highlightHeight;

        if (qr) {
          const qrTop = (qrOnLeft ? top - left.height : y) - qrGap;
          const qx = qrOnLeft ? MARGIN_X : RIGHT - qrSide;
          const module = qrSide / qr.size;
          // One rectangle per horizontal run of dark modules keeps the content stream short.
          qr.data.forEach((row, ry) => {
            let run = -1;
            for (let rx = 0; rx <= row.length; rx++) {
              const dark = rx < row.length && row[rx] === true;
              if (dark && run < 0) run = rx;
              if (!dark && run >= 0) {
                page.drawRectangle({ x: qx + run * module, y: qrTop - (ry + 1) * module, width: (rx - run) * module, height: module, color: INK });
                run = -1;
              }
            }
          });
          // The caption sits beside the code, on the side facing the page's middle.
          const align = qrOnLeft ? "left" : "right";
          const captionX = qrOnLeft ? qx + qrSide + 10 : qx - 10;
          const middle = qrTop - qrSide / 2;
          ts.draw(page, L.payOnline, captionX, baselineBelow(middle + 12, 10), { weight: "bold", size: 10, color: ACCENT, align });
          ts.wrap(L.scanToPay, "regular", SMALL, (qrOnLeft ? leftWidth : totalsWidth) - qrSide - 18).forEach((h, k) => {
            ts.draw(page, h, captionX, baselineBelow(middle - 2 - k * lineHeight(SMALL), SMALL), { size: SMALL, color: MUTED, align });
          });
        }
      },
    });
  }

  // ---- note, quote acceptance, legal mentions: one item per line so that they can flow ----
  const paragraphItems = (label: string, heading: string, paragraphs: string[], size: number, color: Color) => {
    const headingSize = 8.4;
    items.push({
      kind: "block",
      label: `${label} heading`,
      height: HEADING_GAP + lineHeight(headingSize),
      keepWithNext: true,
      draw(page, top) {
        ts.draw(page, heading, MARGIN_X, baselineBelow(top - HEADING_GAP, headingSize), { weight: "bold", size: headingSize, color: ACCENT });
      },
    });
    const wrapped = paragraphs.map((paragraph) => ts.wrap(paragraph, "regular", size, CONTENT_WIDTH));
    // A short block stays whole; a long one keeps each paragraph whole but may break between them.
    const keepAll = wrapped.reduce((n, lines) => n + lines.length, 0) <= KEEP_TOGETHER_LINES;
    wrapped.forEach((lines, p) => {
      lines.forEach((text, k) => {
        const gap = p > 0 && k === 0 ? 2.5 : 0;
        const lastOfParagraph = k === lines.length - 1;
        items.push({
          kind: "block",
          label: `${label} ${p}.${k}`,
          height: gap + lineHeight(size),
          keepWithNext: !lastOfParagraph || (keepAll && p < wrapped.length - 1),
          draw(page, top) {
            ts.draw(page, text, MARGIN_X, baselineBelow(top - gap, size), { size, color });
          },
        });
      });
    });
  };

  if (snapshot.note && snapshot.note.trim() !== "") {
    paragraphItems("note", L.note, [snapshot.note.trim()], BODY, INK);
  }

  if (isQuote) {
    const boxWidth = 236;
    const boxHeight = 78;
    items.push({
      kind: "block",
      label: "acceptance",
      height: HEADING_GAP + boxHeight,
      draw(page, top) {
        const y = top - HEADING_GAP;
        const x0 = RIGHT - boxWidth;
        page.drawRectangle({ x: x0, y: y - boxHeight, width: boxWidth, height: boxHeight, borderColor: RULE, borderWidth: 0.8 });
        ts.draw(page, L.acceptance, x0 + 8, baselineBelow(y - 6, 9), { weight: "bold", size: 9, color: ACCENT });
        ts.wrap(L.acceptanceHint, "regular", SMALL, boxWidth - 16).forEach((h, k) => {
          ts.draw(page, h, x0 + 8, baselineBelow(y - 6 - lineHeight(9) - k * lineHeight(SMALL), SMALL), { size: SMALL, color: MUTED });
        });
      },
    });
  }

  if (snapshot.mentions.length > 0) {
    // Mentions are mostly short: run them on as one paragraph, separated by middle dots, rather
    // than one line each (a dozen lines would push a short invoice onto a second page).
    paragraphItems("mention", L.legal, [snapshot.mentions.map((m) => m.trim()).join("  ·  ")], SMALL, MUTED);
  }

  const pages = planPages(items, metrics);

  const footerLeft = [snapshot.number ? `${docName} ${snapshot.number}` : docName, snapshot.seller.name].join(" · ");
  const runningRight = snapshot.number ? `${title} ${L.number} ${snapshot.number}` : title;
  const drawPageFrame = (page: PDFPage, pageNumber: number, pageCount: number) => {
    if (pageNumber > 1) {
      const top = PAGE_HEIGHT - MARGIN_TOP;
      const base = baselineBelow(top, 9);
      ts.draw(page, snapshot.seller.tradeName || snapshot.seller.name, MARGIN_X, base, { weight: "bold", size: 9, color: ACCENT });
      ts.draw(page, runningRight, RIGHT, base, { weight: "bold", size: 9, align: "right" });
      page.drawLine({ start: { x: MARGIN_X, y: top - 20 }, end: { x: RIGHT, y: top - 20 }, thickness: 0.6, color: RULE });
    }
    page.drawLine({ start: { x: MARGIN_X, y: FOOTER_RULE_Y }, end: { x: RIGHT, y: FOOTER_RULE_Y }, thickness: 0.6, color: RULE });
    const pageLabel = `Page ${pageNumber} / ${pageCount}`;
    const room = CONTENT_WIDTH - ts.width(pageLabel, "regular", SMALL) - 20;
    ts.draw(page, ts.wrap(footerLeft, "regular", SMALL, room)[0] ?? "", MARGIN_X, FOOTER_BASELINE, { size: SMALL, color: MUTED });
    ts.draw(page, pageLabel, RIGHT, FOOTER_BASELINE, { size: SMALL, color: MUTED, align: "right" });
  };

  return { items, pages, metrics, tableHeaderLabels, drawTableHeader, drawPageFrame };
}

// ---- rendering --------------------------------------------------------------------------

async function embedLogo(doc: PDFDocument, logo: RenderOptions["logo"]): Promise<PDFImage | null> {
  if (!logo) return null;
  try {
    return logo.type === "image/png" ? await doc.embedPng(logo.bytes) : await doc.embedJpg(logo.bytes);
  } catch {
    // An unreadable logo must not stop an invoice from being issued: it is left out.
    return null;
  }
}

/** UTC midnight of an ISO calendar date: the PDF's creation date, so re-renders are identical. */
function isoDateToInstant(iso: string): Date {
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  return d;
}

/**
 * Renders an invoice, deposit invoice, credit note or quote as an A4 PDF. With `opts.xml`
 * (invoices only) the result is a Factur-X EN 16931 PDF/A-3 file carrying that XML; without it,
 * a plain PDF with the same embedded fonts. Labels are English when the buyer's language is "en".
 * @throws Error when `opts.xml` is given for a quote, or when the snapshot is inconsistent
 * (line totals missing); FacturXError from {@link toFacturX}.
 */
export async function renderDocumentPdf(snapshot: DocumentSnapshot, opts: RenderOptions): Promise<Uint8Array> {
  if (opts.xml && snapshot.type === "quote") throw new Error("a quote is not an e-invoice: no Factur-X XML");
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = await embedFonts(doc, opts.fonts);
  const logo = await embedLogo(doc, opts.logo);
  const layout = buildLayout(snapshot, new Typesetter(fonts), { logo, payUrl: opts.payUrl ?? null });

  const pageCount = layout.pages.length;
  layout.pages.forEach((planned, p) => {
    const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    layout.drawPageFrame(page, p + 1, pageCount);
    const flowTop = PAGE_HEIGHT - MARGIN_TOP - (p === 0 ? 0 : RUNNING_HEADER_HEIGHT);
    for (const entry of planned.entries) {
      if (entry.kind === "tableHeader") layout.drawTableHeader(page, flowTop - entry.top);
      else layout.items[entry.index]!.draw(page, flowTop - entry.top);
    }
  });

  const locale: Locale = snapshot.buyer.language === "en" ? "en" : "fr";
  const name = documentName(snapshot.type, locale);
  const title = snapshot.number ? `${name} ${snapshot.number}` : name;
  const issued = isoDateToInstant(snapshot.issueDate);
  const subject = `${title} — ${snapshot.buyer.name}`;
  const language = LANGUAGE_TAGS[locale];

  if (opts.xml) {
    return toFacturX(doc, {
      xml: opts.xml,
      title,
      author: snapshot.seller.name,
      subject,
      documentNumber: snapshot.number,
      issueDate: issued,
      conformanceLevel: "EN 16931",
      documentType: "INVOICE",
      language,
    });
  }
  doc.setTitle(title, { showInWindowTitleBar: true });
  doc.setAuthor(snapshot.seller.name);
  doc.setSubject(subject);
  doc.setCreator(CREATOR_TOOL);
  doc.setProducer(PRODUCER);
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);
  doc.setLanguage(language);
  // objectsPerTick: no setTimeout(0) yields every 50 objects; rendering is CPU-bound anyway.
  return doc.save({ addDefaultPage: false, objectsPerTick: Number.POSITIVE_INFINITY });
}
