import fontkit from "@pdf-lib/fontkit";
import fc from "fast-check";
import { zlibSync } from "fflate";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, decodePDFRawStream } from "pdf-lib";
import type { PDFObject } from "pdf-lib";
import { describe, expect, it } from "vitest";
// Vite's ?inline query gives the TTF as a base64 data: URL (as in facturx.test.ts); the Worker
// imports the same files as wrangler `Data` modules instead.
import regularUrl from "./fonts/DejaVuSans-Latin.ttf?inline";
import boldUrl from "./fonts/DejaVuSans-Bold-Latin.ttf?inline";
import {
  SCENARIOS,
  creditNote,
  euReverseChargeInvoice,
  finalInvoiceAfterDeposit,
  sampleSnapshot,
  buildSnapshot,
} from "../../../test/fixtures/documents.ts";
import type { DocumentSnapshot, LineSnapshot } from "../domain/document.ts";
import type { SnapshotSpec } from "../domain/snapshot.ts";
import { VAT_EXEMPTIONS } from "../domain/vat.ts";
import { formatDate, formatMoney } from "../domain/format.ts";
import { INVISIBLE, LATIN_CUT_RANGES, isInLatinCut } from "./charset.ts";
import {
  PDF_LABELS,
  layoutDocument,
  planPages,
  printableText,
  renderDocumentPdf,
  unsupportedInput,
} from "./document-pdf.ts";
import type { FlowItem, PageMetrics, PlannedPage } from "./document-pdf.ts";
import { embedFonts, unsupportedCharacters } from "./fonts.ts";

function dataUrlBytes(url: unknown): Uint8Array {
  if (typeof url !== "string" || !url.startsWith("data:")) throw new Error("expected a data: URL");
  const binary = atob(url.slice(url.indexOf(",") + 1));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const FONTS = { regular: dataUrlBytes(regularUrl), bold: dataUrlBytes(boldUrl) };

/** `n` lines with varied descriptions (some wrapping over several lines), prices and rates. */
function manyLines(n: number): LineSnapshot[] {
  return Array.from({ length: n }, (_, i) => ({
    position: i + 1,
    description:
      i % 3 === 0
        ? `Ligne ${i + 1} : intégration des maquettes (accueil, catalogue, fiche produit, panier), responsive et accessible`
        : `Ligne ${i + 1} : développement`,
    quantity: i % 2 === 0 ? "1" : "2.5",
    unitCode: i % 2 === 0 ? "C62" : "HUR",
    unitPriceCents: 10_000 + 37 * i,
    vat: { category: "S", rateBasisPoints: i % 4 === 0 ? 550 : 2000 },
    kind: "service",
  }));
}

/** Just enough CII for the Factur-X container (root element and BT-24), as in facturx.test.ts. */
function ciiXml(number: string): Uint8Array {
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument><ram:ID>${number}</ram:ID></rsm:ExchangedDocument>
</rsm:CrossIndustryInvoice>
`);
}

/** A valid RGB PNG of the given size (one flat colour), built with fflate. */
function png(width: number, height: number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(Uint8Array.from(type, (c) => c.charCodeAt(0)), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set([30, 60, 90], y * (width * 3 + 1) + 1 + x * 3);
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlibSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---- reading a rendered PDF back ------------------------------------------------------------

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

function streamBytes(obj: PDFObject | undefined): Uint8Array {
  if (!(obj instanceof PDFRawStream)) throw new Error("expected a stream");
  return obj.dict.has(PDFName.of("Filter")) ? decodePDFRawStream(obj).decode() : obj.getContents();
}

function text(obj: PDFObject | undefined): string | undefined {
  if (obj instanceof PDFString || obj instanceof PDFHexString || obj instanceof PDFName) return obj.decodeText();
  return undefined;
}

interface RenderedPage {
  /** The drawn strings in drawing order, one per line. */
  text: string;
  /** Content stream operators, decoded. */
  operators: string;
  glyphIds: string[];
}

/**
 * The text of each page, decoded through the fonts' ToUnicode maps (pdf-lib draws each string
 * as one `<glyph ids> Tj`), so that tests read what a PDF reader would extract.
 */
async function readPages(bytes: Uint8Array): Promise<{ doc: PDFDocument; pages: RenderedPage[] }> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const lookup = (o: PDFObject | undefined) => (o === undefined ? undefined : doc.context.lookup(o));
  const pages = doc.getPages().map((page) => {
    const fonts = lookup(page.node.Resources()?.get(PDFName.of("Font")));
    const maps = new Map<string, Map<string, string>>();
    if (fonts instanceof PDFDict) {
      for (const [name, ref] of fonts.entries()) {
        const font = lookup(ref);
        if (!(font instanceof PDFDict)) continue;
        const cmap = latin1(streamBytes(lookup(font.get(PDFName.of("ToUnicode")))));
        const map = new Map<string, string>();
        for (const m of cmap.matchAll(/<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>/g)) {
          const units = (m[2]!.match(/.{4}/g) ?? []).map((h) => Number.parseInt(h, 16));
          map.set(m[1]!.toUpperCase(), String.fromCharCode(...units));
        }
        maps.set(name.decodeText(), map);
      }
    }
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map(lookup) : [contents];
    const operators = streams.map((s) => latin1(streamBytes(s))).join("\n");
    const lines: string[] = [];
    const glyphIds: string[] = [];
    let current: Map<string, string> | undefined;
    for (const m of operators.matchAll(/\/(\S+) [\d.]+ Tf|<([0-9a-fA-F]*)> Tj/g)) {
      if (m[1] !== undefined) {
        current = maps.get(m[1]);
        continue;
      }
      const ids = (m[2]!.match(/.{4}/g) ?? []).map((h) => h.toUpperCase());
      glyphIds.push(...ids);
      lines.push(ids.map((id) => current?.get(id) ?? "\uFFFD").join(""));
    }
    return { text: lines.join("\n"), operators, glyphIds };
  });
  return { doc, pages };
}

/** Lines joined by plain spaces, so that a wording wrapped over several lines can be searched. */
function flat(page: RenderedPage | RenderedPage[]): string {
  return (Array.isArray(page) ? page.map((p) => p.text).join("\n") : page.text).replace(/\n/g, " ");
}

async function render(snapshot: DocumentSnapshot, extra: Partial<Parameters<typeof renderDocumentPdf>[1]> = {}) {
  const bytes = await renderDocumentPdf(snapshot, { fonts: FONTS, ...extra });
  return { bytes, ...(await readPages(bytes)) };
}

async function layoutOf(snapshot: DocumentSnapshot) {
  const doc = await PDFDocument.create();
  return layoutDocument(snapshot, await embedFonts(doc, FONTS));
}

function attachmentNames(doc: PDFDocument): string[] {
  const names = doc.catalog.lookup(PDFName.of("Names"));
  const tree = names instanceof PDFDict ? doc.context.lookup(names.get(PDFName.of("EmbeddedFiles"))) : undefined;
  const pairs = tree instanceof PDFDict ? doc.context.lookup(tree.get(PDFName.of("Names"))) : undefined;
  if (!(pairs instanceof PDFArray)) return [];
  return pairs.asArray().filter((_, i) => i % 2 === 0).map((o) => text(doc.context.lookup(o)) ?? "");
}

// ---- the font cut -----------------------------------------------------------------------------

function cutCodePoints(): number[] {
  return LATIN_CUT_RANGES.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

describe("the Latin cut of DejaVu Sans", () => {
  it("maps exactly the characters of LATIN_CUT_RANGES, in both weights", () => {
    for (const bytes of [FONTS.regular, FONTS.bold]) {
      const font = fontkit.create(bytes);
      // fontkit lists U+FFFF from the cmap's closing segment, which maps to no glyph.
      const mapped = font.characterSet.filter((cp) => cp !== 0xffff).sort((a, b) => a - b);
      expect(mapped).toEqual(cutCodePoints());
    }
  });

  it("keeps cmap, name, OS/2 and the glyph outlines, and drops hinting and layout tables", () => {
    for (const bytes of [FONTS.regular, FONTS.bold]) {
      const tables = Object.keys((fontkit.create(bytes) as unknown as { directory: { tables: object } }).directory.tables);
      for (const kept of ["cmap", "name", "OS/2", "head", "hhea", "hmtx", "maxp", "post", "glyf", "loca"]) expect(tables).toContain(kept);
      for (const dropped of ["fpgm", "prep", "cvt ", "hdmx", "GSUB", "GPOS", "kern"]) expect(tables).not.toContain(dropped);
    }
  });

  it("stays small enough for the Worker bundle (under 40 KiB a weight)", () => {
    expect(FONTS.regular.length).toBeLessThan(40 * 1024);
    expect(FONTS.bold.length).toBeLessThan(40 * 1024);
  });

  it("draws each character with a real glyph, never .notdef", () => {
    const font = fontkit.create(FONTS.regular);
    for (const cp of cutCodePoints()) expect(font.glyphForCodePoint(cp).id, `U+${cp.toString(16)}`).not.toBe(0);
  });
});

describe("unsupportedInput", () => {
  it("accepts French typography and European names", () => {
    expect(unsupportedInput("Zoë Łódź, Œuvre « cœur » — 1\u202F234,56\u00A0€ l’été… “ok” Ștefan Țepeș ‰ ™ •")).toEqual([]);
  });

  it("lists each character outside the cut once, in order of appearance", () => {
    expect(unsupportedInput("株式会社 株 한 ok ☃ 🎉")).toEqual(["株", "式", "会", "社", "한", "☃", "🎉"]);
  });

  it("ignores line breaks, tabs and invisible format characters, which are dropped when printing", () => {
    expect(unsupportedInput("a\nb\tc\u200Bd\uFEFFe\u00ADf")).toEqual([]);
  });

  it("reads a decomposed accent as the precomposed letter", () => {
    expect(unsupportedInput("Ame\u0301lie")).toEqual([]);
    expect(unsupportedInput("q\u0301")).toEqual(["\u0301"]);
  });

  it("agrees with the embedded font on any text", async () => {
    const { regular } = await embedFonts(await PDFDocument.create(), FONTS);
    const char = fc.oneof(
      fc.integer({ min: 0, max: 0x2fff }).map((cp) => String.fromCodePoint(cp)),
      fc.constantFrom("€", "’", "\u202F", "Œ", "🎉", "株", "e\u0301"),
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 30 }).map((a) => a.join("")), (s) => {
        const nfc = s.normalize("NFC");
        const expected = unsupportedCharacters(regular, nfc).filter((c) => !INVISIBLE.test(c));
        expect(unsupportedInput(s)).toEqual(expected);
      }),
    );
  });
});

describe("printableText", () => {
  it("replaces characters outside the cut by their compatibility form, without accents if need be, else '?'", async () => {
    const fonts = await embedFonts(await PDFDocument.create(), FONTS);
    expect(printableText("株式会社 Ǆemal ﬁlms 3ᵉ ạ ☃", fonts)).toBe("???? DŽemal films 3e a ?");
  });

  it("normalises line breaks and tabs and drops control and format characters", async () => {
    const fonts = await embedFonts(await PDFDocument.create(), FONTS);
    expect(printableText("a\r\nb\rc\td\u0007e\u200Bf\u2028g", fonts)).toBe("a\nb\nc def\ng");
    expect(printableText("Ame\u0301lie", fonts)).toBe("Amélie");
  });

  it("always yields text the fonts can draw", async () => {
    const fonts = await embedFonts(await PDFDocument.create(), FONTS);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const printable = printableText(s, fonts);
        expect(unsupportedCharacters(fonts.regular, printable)).toEqual([]);
        expect(unsupportedCharacters(fonts.bold, printable)).toEqual([]);
        expect([...printable].every((c) => c === "\n" || isInLatinCut(c.codePointAt(0)!))).toBe(true);
      }),
    );
  });
});

// ---- page planning ---------------------------------------------------------------------------

const METRICS: PageMetrics = { firstPageHeight: 500, pageHeight: 450, tableHeaderHeight: 20 };

function itemIndices(pages: PlannedPage[]): number[][] {
  return pages.map((p) => p.entries.flatMap((e) => (e.kind === "item" ? [e.index] : [])));
}

function usedHeight(page: PlannedPage, items: readonly FlowItem[], metrics: PageMetrics): number {
  const last = page.entries.at(-1);
  if (!last) return 0;
  return last.top + (last.kind === "item" ? items[last.index]!.height : metrics.tableHeaderHeight);
}

describe("planPages", () => {
  it("puts a short document on one page with the table header above the first row only", () => {
    const items: FlowItem[] = [{ kind: "block", height: 200 }, { kind: "row", height: 20 }, { kind: "row", height: 30 }, { kind: "block", height: 100 }];
    const pages = planPages(items, METRICS);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.entries).toEqual([
      { kind: "item", index: 0, top: 0 },
      { kind: "tableHeader", top: 200 },
      { kind: "item", index: 1, top: 220 },
      { kind: "item", index: 2, top: 240 },
      { kind: "item", index: 3, top: 270 },
    ]);
  });

  it("breaks a long table across pages and repeats the header at the top of each continuation", () => {
    const items: FlowItem[] = [{ kind: "block", height: 150 }, ...Array.from({ length: 60 }, (): FlowItem => ({ kind: "row", height: 25 }))];
    const pages = planPages(items, METRICS);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const [p, page] of pages.entries()) {
      const firstRow = page.entries.findIndex((e) => e.kind === "item" && items[e.index]!.kind === "row");
      expect(page.entries[firstRow - 1]).toMatchObject({ kind: "tableHeader" });
      expect(page.entries.filter((e) => e.kind === "tableHeader")).toHaveLength(1);
      expect(usedHeight(page, items, METRICS)).toBeLessThanOrEqual(p === 0 ? METRICS.firstPageHeight : METRICS.pageHeight);
    }
    expect(itemIndices(pages).flat()).toEqual(items.map((_, i) => i));
  });

  it("moves a heading to the next page with the line it is kept with", () => {
    const items: FlowItem[] = [{ kind: "block", height: 470 }, { kind: "block", height: 20, keepWithNext: true }, { kind: "block", height: 20 }];
    expect(itemIndices(planPages(items, METRICS))).toEqual([[0], [1, 2]]);
  });

  it("lets a kept-together run that cannot fit on any page flow over pages", () => {
    const chain = Array.from({ length: 30 }, (_, i): FlowItem => ({ kind: "block", height: 20, keepWithNext: i < 29 }));
    const pages = planPages([{ kind: "block", height: 100 }, ...chain], METRICS);
    expect(itemIndices(pages)[0]!.length).toBeGreaterThan(1);
    expect(pages).toHaveLength(2);
  });

  it("places an item taller than a page alone rather than looping", () => {
    const items: FlowItem[] = [{ kind: "block", height: 10 }, { kind: "block", height: 900 }, { kind: "block", height: 10 }];
    expect(itemIndices(planPages(items, METRICS))).toEqual([[0], [1], [2]]);
  });

  it("returns one empty page for an empty flow", () => {
    expect(planPages([], METRICS)).toEqual([{ entries: [] }]);
  });

  it("keeps every item once and in order, within the page, with headers exactly where rows resume", () => {
    const item = fc.record({
      kind: fc.constantFrom<FlowItem["kind"]>("row", "block"),
      height: fc.integer({ min: 1, max: 140 }),
      keepWithNext: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 80 }), (items) => {
        const pages = planPages(items, METRICS);
        expect(itemIndices(pages).flat()).toEqual(items.map((_, i) => i));
        for (const [p, page] of pages.entries()) {
          let expectedTop = 0;
          page.entries.forEach((entry, k) => {
            expect(entry.top).toBeCloseTo(expectedTop, 6);
            if (entry.kind === "tableHeader") {
              const next = page.entries[k + 1];
              expect(next?.kind === "item" && items[next.index]!.kind === "row").toBe(true);
              expectedTop += METRICS.tableHeaderHeight;
            } else {
              const previous = page.entries[k - 1];
              const afterRow = previous?.kind === "item" && items[previous.index]!.kind === "row";
              if (items[entry.index]!.kind === "row" && !afterRow) expect(previous?.kind).toBe("tableHeader");
              expectedTop += items[entry.index]!.height;
            }
          });
          const capacity = p === 0 ? METRICS.firstPageHeight : METRICS.pageHeight;
          const count = itemIndices([page])[0]!.length;
          expect(usedHeight(page, items, METRICS) <= capacity || count === 1).toBe(true);
        }
      }),
    );
  });
});

// ---- rendering ---------------------------------------------------------------------------------

describe("renderDocumentPdf", () => {
  it("renders a one-line invoice on a single A4 page with its title, parties, figures and footer", async () => {
    const snapshot = sampleSnapshot({ lines: manyLines(1), allowances: [] });
    const { doc, pages } = await render(snapshot);
    expect(pages).toHaveLength(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([width, height]).toEqual([595.28, 841.89]);
    const all = flat(pages);
    for (const expected of [
      "FACTURE",
      `N° ${snapshot.number}`,
      snapshot.seller.name,
      snapshot.buyer.name,
      formatDate(snapshot.issueDate, "fr"),
      formatDate(snapshot.payment.dueDate, "fr"),
      formatMoney(snapshot.totals.taxExclusiveCents, "fr"),
      formatMoney(snapshot.totals.vatTotalCents, "fr"),
      formatMoney(snapshot.totals.dueCents, "fr"),
      "Net à payer",
      "Page 1 / 1",
    ]) {
      expect(all).toContain(expected);
    }
    expect(text(doc.context.lookup(doc.context.trailerInfo.Info, PDFDict).get(PDFName.of("Title")))).toBe(`Facture ${snapshot.number}`);
  });

  it("breaks 60 lines over several pages, each with the table header and 'Page n / N'", async () => {
    const snapshot = sampleSnapshot({ lines: manyLines(60) });
    const layout = await layoutOf(snapshot);
    const { pages } = await render(snapshot);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages).toHaveLength(layout.pages.length);
    expect(layout.tableHeaderLabels).toEqual(expect.arrayContaining(["Désignation", "Qté", "PU HT", "TVA", "Total HT"]));
    // Every page of the plan holding rows starts them with the header; every line is laid out once, in order.
    const rowLabels: string[] = [];
    for (const planned of layout.pages) {
      const firstRow = planned.entries.findIndex((e) => e.kind === "item" && layout.items[e.index]!.kind === "row");
      if (firstRow < 0) continue;
      expect(planned.entries[firstRow - 1]?.kind).toBe("tableHeader");
      for (const e of planned.entries) if (e.kind === "item" && layout.items[e.index]!.kind === "row") rowLabels.push(layout.items[e.index]!.label);
    }
    expect(rowLabels).toEqual(snapshot.lines.map((_, i) => `line ${i}`));
    pages.forEach((page, p) => {
      const hasRows = layout.pages[p]!.entries.some((e) => e.kind === "tableHeader");
      if (hasRows) for (const label of layout.tableHeaderLabels) expect(page.text).toContain(label);
      expect(page.text).toContain(`Page ${p + 1} / ${pages.length}`);
      if (p > 0) expect(page.text).toContain(`FACTURE N° ${snapshot.number}`);
    });
    expect(layout.pages.filter((pl) => pl.entries.some((e) => e.kind === "tableHeader")).length).toBeGreaterThanOrEqual(2);
    const all = flat(pages);
    for (const line of snapshot.lines) expect(all).toContain(line.description.slice(0, 10));
    expect(all).toContain(formatMoney(snapshot.totals.dueCents, "fr"));
  });

  it("prints every legal mention, the payment terms and the VAT of each rate", async () => {
    const snapshot = sampleSnapshot();
    const { pages } = await render(snapshot);
    const all = flat(pages);
    expect(snapshot.mentions.length).toBeGreaterThan(3);
    for (const mention of snapshot.mentions) expect(all).toContain(mention);
    for (const wording of [snapshot.payment.latePenalty, snapshot.payment.recoveryIndemnity, snapshot.payment.earlyPaymentDiscount, snapshot.payment.text]) {
      expect(all).toContain(wording);
    }
    expect(all).toContain("FR76 3000 6000 0112 3456 7890 189");
    expect(snapshot.totals.vatBreakdown.length).toBe(2);
    for (const row of snapshot.totals.vatBreakdown) expect(all).toContain(formatMoney(row.vatCents, "fr"));
    expect(all).toContain(`Votre bon de commande\u00a0: ${snapshot.purchaseOrderReference}`);
  });

  it("lists deducted deposits and the amount left to pay", async () => {
    const snapshot = finalInvoiceAfterDeposit();
    const all = flat((await render(snapshot)).pages);
    const deposit = snapshot.deductedDeposits[0]!;
    expect(all).toContain(`Acompte ${deposit.number} du ${formatDate(deposit.issueDate, "fr")}`);
    expect(all).toContain(formatMoney(-deposit.amountCents, "fr"));
    expect(all).toContain(formatMoney(snapshot.totals.dueCents, "fr"));
  });

  it("names the quote of a deposit and of a final invoice, in the buyer's language", async () => {
    for (const snapshot of [SCENARIOS.depositInvoice(), finalInvoiceAfterDeposit()]) {
      const quote = snapshot.sourceQuote!;
      expect(flat((await render(snapshot)).pages)).toContain(`Devis ${quote.number} du ${formatDate(quote.issueDate, "fr")}`);
      const english = { ...snapshot, buyer: { ...snapshot.buyer, language: "en" as const } };
      expect(flat((await render(english)).pages)).toContain(`Quote ${quote.number} of ${formatDate(quote.issueDate, "en")}`);
    }
    // Without a quote (an invoice typed directly), no such line.
    expect(flat((await render(sampleSnapshot())).pages)).not.toMatch(/Devis \S+ du/);
  });

  it("titles a credit note, refers to the corrected invoice and prints no payment terms", async () => {
    const snapshot = creditNote();
    const all = flat((await render(snapshot)).pages);
    const preceding = snapshot.precedingInvoice!;
    expect(all).toContain("AVOIR");
    expect(all).toContain(`Avoir sur la facture ${preceding.number} du ${formatDate(preceding.issueDate, "fr")}`);
    expect(all).toContain("Montant de l’avoir");
    expect(all).not.toContain("Conditions de paiement");
    expect(all).not.toContain("Net à payer");
  });

  it("prints a quote with its validity and an acceptance box, and refuses an XML for it", async () => {
    const snapshot = sampleSnapshot({ type: "quote", number: "D-2026-0013", validUntil: "2026-06-30" });
    const { doc, pages } = await render(snapshot);
    const all = flat(pages);
    expect(all).toContain("DEVIS");
    expect(all).toContain(`Valable jusqu’au ${formatDate("2026-06-30", "fr")}`);
    // The terms run from the future invoice: no due date computed from the quote's date.
    expect(all).toContain("Paiement à 30 jours à compter de la date de facture");
    expect(all).not.toContain(formatDate(snapshot.payment.dueDate, "fr"));
    expect(all).toContain("Bon pour accord");
    expect(all).not.toContain("Net à payer");
    expect(attachmentNames(doc)).toEqual([]);
    await expect(renderDocumentPdf(snapshot, { fonts: FONTS, xml: ciiXml("D-2026-0013") })).rejects.toThrow(/quote/);
  });

  it("uses English labels and amounts for a buyer reading English", async () => {
    const snapshot = euReverseChargeInvoice();
    const all = flat((await render(snapshot)).pages);
    for (const label of ["INVOICE", "Description", "Unit price", "Amount due", "Payment terms", "BILL TO"]) expect(all).toContain(label);
    expect(all).toContain(formatMoney(snapshot.totals.dueCents, "en"));
    expect(all).not.toContain("Désignation");
    expect(all).not.toContain("Net à payer");
  });

  it("prints no French label on an English document, and every legal mention in French then English (issue #13)", async () => {
    // Every literal piece of a French label that no English label has.
    const texts = (labels: unknown): string[] =>
      typeof labels === "string"
        ? [labels]
        : typeof labels === "function"
          ? [String((labels as (...a: string[]) => string)("\u0000", "\u0000"))]
          : Object.values(labels as object).flatMap(texts);
    const enText = texts(PDF_LABELS.en).join("\n");
    const word = (w: string) => new RegExp(`(?<![\\p{L}])${w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}])`, "u");
    const frPieces = [...new Set(texts(PDF_LABELS.fr).flatMap((t) => t.split("\u0000")).map((p) => p.trim()))].filter(
      (p) => /\p{L}{4}/u.test(p) && !word(p).test(enText),
    );
    expect(frPieces).toEqual(expect.arrayContaining(["Désignation", "Net à payer", "Conditions de paiement"]));
    const squash = (s: string) => s.replace(/\s+/g, "");
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      const fr = scenario();
      const termsDays = Math.round((Date.parse(fr.payment.dueDate) - Date.parse(fr.issueDate)) / 86_400_000);
      const snapshot = buildSnapshot({ ...fr, termsDays, buyer: { ...fr.buyer, language: "en" } } as SnapshotSpec);
      const all = flat((await render(snapshot)).pages);
      // The legal wording: French first, its translation after, all of it printed.
      const legal = [...snapshot.mentions, snapshot.payment.text, snapshot.payment.latePenalty, snapshot.payment.recoveryIndemnity, snapshot.payment.earlyPaymentDiscount];
      for (const mention of snapshot.mentions) expect(squash(all), `${name}: ${mention}`).toContain(squash(mention));
      // What the seller wrote (descriptions, names, note) and the legal wording may be French.
      const own = [...legal, ...snapshot.lines.map((l) => l.description), snapshot.note ?? "", snapshot.seller.name, snapshot.buyer.name, ...snapshot.allowances.map((a) => a.reason ?? "")].join("\n");
      const leaks = frPieces.filter((p) => !word(p).test(own) && word(p).test(all));
      expect(leaks, name).toEqual([]);
      // Wherever an exemption's French wording is printed (mentions, VAT rows), its translation follows.
      for (const e of Object.values(VAT_EXEMPTIONS)) {
        for (const after of squash(all).split(squash(e.reason)).slice(1)) expect(after, `${name}: ${e.code}`).toMatch(new RegExp(`^—${squash(e.reasonEn).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      }
    }
  });

  it("replaces characters outside the font instead of drawing missing glyphs", async () => {
    const snapshot = sampleSnapshot({ buyer: { name: "株式会社 Ǆemal Zoë ☃" }, note: "Merci 🎉\u200B !" });
    const { pages } = await render(snapshot);
    const all = flat(pages);
    expect(all).toContain("???? DŽemal Zoë ?");
    expect(all).toContain("Merci ? !");
    expect(all).not.toMatch(/[株式会社☃🎉\uFFFD]/u);
    expect(pages.flatMap((p) => p.glyphIds)).not.toContain("0000");
  });

  it("draws the payment QR code with its caption only when a payment link is given", async () => {
    const snapshot = sampleSnapshot();
    // pdf-lib fills each rectangle as a path closed by a lone `f` operator.
    const rectangles = (page: RenderedPage) => page.operators.match(/^f$/gm)?.length ?? 0;
    const without = await render(snapshot);
    const withQr = await render(snapshot, { payUrl: "https://factumo.fr/p/2d3a9c1f7b6e4a8d" });
    expect(flat(without.pages)).not.toContain("Payer en ligne");
    expect(flat(withQr.pages)).toContain("Payer en ligne");
    expect(rectangles(withQr.pages[0]!) - rectangles(without.pages[0]!)).toBeGreaterThan(50);
  });

  it("embeds a PNG logo, and leaves out a logo it cannot read", async () => {
    const snapshot = sampleSnapshot();
    const images = (doc: PDFDocument) =>
      [...doc.context.enumerateIndirectObjects()].filter(
        ([, o]) => o instanceof PDFRawStream && text(o.dict.get(PDFName.of("Subtype"))) === "Image",
      ).length;
    const withLogo = await render(snapshot, { logo: { bytes: png(120, 40), type: "image/png" } });
    expect(images(withLogo.doc)).toBe(1);
    expect(withLogo.pages[0]!.operators).toMatch(/\/\S+ Do/);
    const broken = await render(snapshot, { logo: { bytes: new Uint8Array([1, 2, 3]), type: "image/jpeg" } });
    expect(images(broken.doc)).toBe(0);
  });

  it("embeds every font it uses, as the PDF/A container requires", async () => {
    const { doc } = await render(sampleSnapshot());
    let descriptors = 0;
    for (const [, obj] of doc.context.enumerateIndirectObjects()) {
      if (!(obj instanceof PDFDict) || text(obj.get(PDFName.of("Type"))) !== "FontDescriptor") continue;
      descriptors++;
      expect(obj.has(PDFName.of("FontFile2"))).toBe(true);
    }
    expect(descriptors).toBe(2);
  });

  it("makes a Factur-X file carrying the XML when one is given, and a plain PDF otherwise", async () => {
    const snapshot = sampleSnapshot();
    const xml = ciiXml(snapshot.number);
    const facturX = await render(snapshot, { xml, payUrl: "https://factumo.fr/p/x" });
    expect(attachmentNames(facturX.doc)).toEqual(["factur-x.xml"]);
    const meta = facturX.doc.context.lookup(facturX.doc.catalog.get(PDFName.of("Metadata")));
    const xmp = new TextDecoder().decode(streamBytes(meta));
    expect(xmp).toContain("<pdfaid:part>3</pdfaid:part>");
    expect(xmp).toContain("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>");
    const names = facturX.doc.catalog.lookup(PDFName.of("Names"), PDFDict);
    const pairs = names.lookup(PDFName.of("EmbeddedFiles"), PDFDict).lookup(PDFName.of("Names"), PDFArray);
    const embedded = pairs.lookup(1, PDFDict).lookup(PDFName.of("EF"), PDFDict).get(PDFName.of("F"));
    expect(streamBytes(facturX.doc.context.lookup(embedded))).toEqual(xml);
    expect(flat(facturX.pages)).toContain(formatMoney(snapshot.totals.dueCents, "fr"));

    const plain = await render(snapshot);
    expect(attachmentNames(plain.doc)).toEqual([]);
    expect(plain.doc.catalog.has(PDFName.of("AF"))).toBe(false);
  });

  it("gives the same bytes for the same document, dated from the snapshot", async () => {
    const snapshot = sampleSnapshot();
    const opts = { fonts: FONTS, payUrl: "https://factumo.fr/p/x" };
    const first = await renderDocumentPdf(snapshot, opts);
    expect(await renderDocumentPdf(snapshot, opts)).toEqual(first);
    const { doc } = await readPages(first);
    expect(doc.getCreationDate()?.toISOString()).toBe(`${snapshot.issueDate}T00:00:00.000Z`);
    const xml = ciiXml(snapshot.number);
    expect(await renderDocumentPdf(snapshot, { ...opts, xml })).toEqual(await renderDocumentPdf(snapshot, { ...opts, xml }));
  });

  it("renders every fixture scenario without overflowing a page", async () => {
    for (const [name, build] of Object.entries(SCENARIOS)) {
      const snapshot = build();
      const layout = await layoutOf(snapshot);
      layout.pages.forEach((planned, p) => {
        const last = planned.entries.at(-1);
        const bottom = last ? last.top + (last.kind === "item" ? layout.items[last.index]!.height : layout.metrics.tableHeaderHeight) : 0;
        expect(bottom, `${name} page ${p + 1}`).toBeLessThanOrEqual(p === 0 ? layout.metrics.firstPageHeight : layout.metrics.pageHeight);
      });
      const { pages } = await render(snapshot, { xml: snapshot.type === "quote" ? null : ciiXml(snapshot.number) });
      expect(pages.length, name).toBe(layout.pages.length);
      expect(flat(pages), name).toContain(formatMoney(snapshot.totals.taxInclusiveCents, snapshot.buyer.language));
    }
  });

  it("prints a unit price with its 3 or 4 decimals only when it has them, the line total to the cent", async () => {
    const { pages } = await render(SCENARIOS.subCentPrices());
    const text = flat(pages);
    expect(text).toContain("3,333\u00A0€");
    expect(text).toContain("0,0125\u00A0€");
    expect(text).toContain("650,00\u00A0€");
    expect(text).not.toContain("650,0000");
    // 2.5 kg × 3,333 € = 8,3325 € → 8,33 €; 3 × 0,0125 € = 0,0375 € → 0,04 €.
    expect(text).toContain("8,33\u00A0€");
    expect(text).toContain("0,04\u00A0€");
  });
});
