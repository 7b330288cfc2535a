import fontkit from "@pdf-lib/fontkit";
import fc from "fast-check";
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFString,
  StandardFonts,
  decodePDFRawStream,
  rgb,
} from "pdf-lib";
import type { PDFObject } from "pdf-lib";
import { afterEach, describe, expect, it, vi } from "vitest";
// Vite's ?inline query turns the TTF into a base64 data: URL; it works inside workerd without a
// wrangler `Data` rule for .ttf (production code imports the bytes through that rule instead).
import regularUrl from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf?inline";
import boldUrl from "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf?inline";
import {
  CREATOR_TOOL,
  FacturXError,
  PRODUCER,
  conformanceLevelOfGuideline,
  guidelineIdOf,
  toFacturX,
} from "./facturx.ts";
import type { FacturXConformanceLevel, FacturXOptions } from "./facturx.ts";
import { embedFonts, unsupportedCharacters } from "./fonts.ts";
import { STANDARD_FONTS_UNAVAILABLE } from "../lib/stubs/standard-fonts.ts";
import { D50, SRGB_CURVE_POINTS, buildSrgbIccProfile, srgbToLinear } from "./srgb-icc.ts";

function dataUrlBytes(url: unknown): Uint8Array {
  if (typeof url !== "string" || !url.startsWith("data:")) throw new Error("expected a data: URL");
  const binary = atob(url.slice(url.indexOf(",") + 1));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const FONT_BYTES = { regular: dataUrlBytes(regularUrl), bold: dataUrlBytes(boldUrl) };

const GUIDELINES: Record<FacturXConformanceLevel, string> = {
  "EN 16931": "urn:cen.eu:en16931:2017",
  BASIC: "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
  EXTENDED: "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
};

/** Just enough CII for the container: the root element and BT-24. */
function ciiXml(guideline: string, number = "F-2026-0042"): Uint8Array {
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>${guideline}</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument><ram:ID>${number}</ram:ID></rsm:ExchangedDocument>
</rsm:CrossIndustryInvoice>
`);
}

const ISSUE_DATE = new Date("2026-09-15T00:00:00Z");

function options(overrides: Partial<FacturXOptions> = {}): FacturXOptions {
  return {
    xml: ciiXml(GUIDELINES["EN 16931"]),
    title: "Facture F-2026-0042",
    author: "Zoë Dupont & Fils <EI>",
    subject: "Facture F-2026-0042 du 15/09/2026",
    documentNumber: "F-2026-0042",
    issueDate: ISSUE_DATE,
    conformanceLevel: "EN 16931",
    documentType: "INVOICE",
    ...overrides,
  };
}

const DRAWN_REGULAR = "Échéance : 1 234,56 € — « cœur »";
const DRAWN_BOLD = "Facture";

async function laidOutDocument(): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  const fonts = await embedFonts(doc, FONT_BYTES);
  const page = doc.addPage([595.28, 841.89]);
  page.drawText(DRAWN_BOLD, { x: 50, y: 780, size: 20, font: fonts.bold, color: rgb(0.1, 0.1, 0.3) });
  page.drawText(DRAWN_REGULAR, { x: 50, y: 750, size: 10, font: fonts.regular });
  return doc;
}

async function facturX(overrides: Partial<FacturXOptions> = {}): Promise<Uint8Array> {
  return toFacturX(await laidOutDocument(), options(overrides));
}

// ---- reading the result back -----------------------------------------------------------

/** Bytes as one char each (PDF syntax is byte-oriented; TextDecoder's latin1 is windows-1252). */
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
  if (obj instanceof PDFString || obj instanceof PDFHexString) return obj.decodeText();
  if (obj instanceof PDFName) return obj.decodeText();
  return undefined;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

function xmpField(xmp: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>(?:<rdf:(?:Alt|Seq)>)?(?:<rdf:li[^>]*>)?([^<]*)<`).exec(xmp);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1]);
}

/** Parses a PDF date string `D:YYYYMMDDHHmmSSZ` (the form pdf-lib writes). */
function pdfDate(s: string | undefined): number {
  const m = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? "");
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

interface Parsed {
  bytes: Uint8Array;
  doc: PDFDocument;
  lookup: (o: PDFObject | undefined) => PDFObject | undefined;
  xmp: string;
  info: PDFDict;
  attachment: { spec: PDFDict; stream: PDFRawStream } | undefined;
}

async function parse(bytes: Uint8Array): Promise<Parsed> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const lookup = (o: PDFObject | undefined) => (o === undefined ? undefined : doc.context.lookup(o));
  const meta = lookup(doc.catalog.get(PDFName.of("Metadata")));
  const xmp = new TextDecoder().decode(streamBytes(meta));
  const info = lookup(doc.context.trailerInfo.Info);
  if (!(info instanceof PDFDict)) throw new Error("no Info dictionary");
  const names = lookup(doc.catalog.get(PDFName.of("Names")));
  const tree = names instanceof PDFDict ? lookup(names.get(PDFName.of("EmbeddedFiles"))) : undefined;
  const pairs = tree instanceof PDFDict ? lookup(tree.get(PDFName.of("Names"))) : undefined;
  let attachment: Parsed["attachment"];
  if (pairs instanceof PDFArray) {
    for (let i = 0; i + 1 < pairs.size(); i += 2) {
      if (text(lookup(pairs.get(i))) !== "factur-x.xml") continue;
      const spec = lookup(pairs.get(i + 1));
      const ef = spec instanceof PDFDict ? lookup(spec.get(PDFName.of("EF"))) : undefined;
      const stream = ef instanceof PDFDict ? lookup(ef.get(PDFName.of("F"))) : undefined;
      if (spec instanceof PDFDict && stream instanceof PDFRawStream) attachment = { spec, stream };
    }
  }
  return { bytes, doc, lookup, xmp, info, attachment };
}

// ---- the container ----------------------------------------------------------------------

describe("toFacturX", () => {
  it("writes a PDF file header with the binary comment line PDF/A requires", async () => {
    const bytes = await facturX();
    const head = latin1(bytes.subarray(0, 9));
    expect(head).toBe("%PDF-1.7\n");
    expect(bytes[9]).toBe("%".charCodeAt(0));
    expect(Array.from(bytes.subarray(10, 14)).every((b) => b >= 128)).toBe(true);
  });

  it("identifies the file as PDF/A-3b in an uncompressed XMP metadata stream", async () => {
    const { doc, lookup, xmp } = await parse(await facturX());
    const meta = lookup(doc.catalog.get(PDFName.of("Metadata")));
    expect(meta).toBeInstanceOf(PDFRawStream);
    const dict = (meta as PDFRawStream).dict;
    expect(text(dict.get(PDFName.of("Type")))).toBe("Metadata");
    expect(text(dict.get(PDFName.of("Subtype")))).toBe("XML");
    expect(dict.has(PDFName.of("Filter"))).toBe(false);
    expect(xmpField(xmp, "pdfaid:part")).toBe("3");
    expect(xmpField(xmp, "pdfaid:conformance")).toBe("B");
    expect(xmp.startsWith('<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>')).toBe(true);
    expect(xmp.endsWith('<?xpacket end="w"?>')).toBe(true);
  });

  it("declares the fx: extension schema with its four properties and fills them in", async () => {
    for (const level of ["EN 16931", "BASIC", "EXTENDED"] as const) {
      const { xmp } = await parse(await facturX({ conformanceLevel: level, xml: ciiXml(GUIDELINES[level]) }));
      expect(xmp).toContain("<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>");
      expect(xmpField(xmp, "pdfaSchema:prefix")).toBe("fx");
      const declared = [...xmp.matchAll(/<pdfaProperty:name>([^<]+)</g)].map((m) => m[1]);
      expect(declared.sort()).toEqual(["ConformanceLevel", "DocumentFileName", "DocumentType", "Version"]);
      expect(xmp).toContain('xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"');
      expect(xmpField(xmp, "fx:DocumentType")).toBe("INVOICE");
      expect(xmpField(xmp, "fx:DocumentFileName")).toBe("factur-x.xml");
      expect(xmpField(xmp, "fx:Version")).toBe("1.0");
      expect(xmpField(xmp, "fx:ConformanceLevel")).toBe(level);
    }
  });

  it("keeps the Info dictionary equal to its XMP mirror, special characters included", async () => {
    const doc = await laidOutDocument();
    doc.setKeywords(["brouillon"]); // left over from layout: has no XMP mirror, so must go
    const { info, xmp } = await parse(await toFacturX(doc, options()));
    const infoText = (key: string) => text(info.get(PDFName.of(key)));
    const opts = options();
    expect(infoText("Title")).toBe(opts.title);
    expect(xmpField(xmp, "dc:title")).toBe(opts.title);
    expect(infoText("Author")).toBe(opts.author);
    expect(xmpField(xmp, "dc:creator")).toBe(opts.author);
    expect(infoText("Subject")).toBe(opts.subject);
    expect(xmpField(xmp, "dc:description")).toBe(opts.subject);
    expect(infoText("Producer")).toBe(PRODUCER);
    expect(xmpField(xmp, "pdf:Producer")).toBe(PRODUCER);
    expect(infoText("Creator")).toBe(CREATOR_TOOL);
    expect(xmpField(xmp, "xmp:CreatorTool")).toBe(CREATOR_TOOL);
    expect(pdfDate(infoText("CreationDate"))).toBe(Date.parse(xmpField(xmp, "xmp:CreateDate") ?? ""));
    expect(pdfDate(infoText("ModDate"))).toBe(Date.parse(xmpField(xmp, "xmp:ModifyDate") ?? ""));
    // Nothing else in Info that the XMP would have to mirror.
    expect(info.keys().map((k) => k.decodeText()).sort()).toEqual(
      ["Author", "CreationDate", "Creator", "ModDate", "Producer", "Subject", "Title"].sort(),
    );
  });

  it("escapes markup in metadata values so that the XMP stays well-formed", async () => {
    const title = `Facture <b>"A&B"</b>\u0007`;
    const { xmp } = await parse(await facturX({ title }));
    const line = xmp.split("\n").find((l) => l.includes("<dc:title>")) ?? "";
    expect(line).toContain("Facture &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;<");
    expect(line).not.toContain("\u0007");
  });

  it("leaves dc:description and /Subject out when no subject is given", async () => {
    const { info, xmp } = await parse(await facturX({ subject: undefined }));
    expect(info.has(PDFName.of("Subject"))).toBe(false);
    expect(xmp).not.toContain("dc:description");
  });

  it("dates the file at the issue date unless a production time is given", async () => {
    const byIssue = await parse(await facturX());
    expect(Date.parse(xmpField(byIssue.xmp, "xmp:ModifyDate") ?? "")).toBe(ISSUE_DATE.getTime());
    const producedAt = new Date("2026-09-16T08:30:05Z");
    const byProduction = await parse(await facturX({ producedAt }));
    for (const field of ["xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"]) {
      expect(Date.parse(xmpField(byProduction.xmp, field) ?? "")).toBe(producedAt.getTime());
    }
    expect(pdfDate(text(byProduction.info.get(PDFName.of("ModDate"))))).toBe(producedAt.getTime());
  });

  it("adds an sRGB GTS_PDFA1 output intent carrying the generated ICC profile", async () => {
    const { doc, lookup } = await parse(await facturX());
    const intents = lookup(doc.catalog.get(PDFName.of("OutputIntents")));
    expect(intents).toBeInstanceOf(PDFArray);
    expect((intents as PDFArray).size()).toBe(1);
    const intent = lookup((intents as PDFArray).get(0));
    expect(intent).toBeInstanceOf(PDFDict);
    const dict = intent as PDFDict;
    expect(text(dict.get(PDFName.of("S")))).toBe("GTS_PDFA1");
    expect(text(dict.get(PDFName.of("OutputConditionIdentifier")))).toBe("sRGB");
    const profile = lookup(dict.get(PDFName.of("DestOutputProfile")));
    expect(profile).toBeInstanceOf(PDFRawStream);
    expect((profile as PDFRawStream).dict.get(PDFName.of("N"))).toEqual(PDFNumber.of(3));
    expect(streamBytes(profile)).toEqual(buildSrgbIccProfile());
  });

  it("attaches the XML as factur-x.xml, text/xml, with its size and date, from /AF and the name tree", async () => {
    const xml = ciiXml(GUIDELINES["EN 16931"], "F-2026-0099");
    const { bytes, doc, lookup, attachment } = await parse(await facturX({ xml }));
    expect(attachment).toBeDefined();
    const { spec, stream } = attachment!;
    expect(text(spec.get(PDFName.of("Type")))).toBe("Filespec");
    expect(text(spec.get(PDFName.of("F")))).toBe("factur-x.xml");
    expect(text(spec.get(PDFName.of("UF")))).toBe("factur-x.xml");
    expect(text(spec.get(PDFName.of("AFRelationship")))).toBe("Data");
    expect(streamBytes(stream)).toEqual(xml);
    expect(latin1(bytes)).toContain("/Subtype /text#2Fxml");
    const params = lookup(stream.dict.get(PDFName.of("Params")));
    expect(params).toBeInstanceOf(PDFDict);
    expect((params as PDFDict).get(PDFName.of("Size"))).toEqual(PDFNumber.of(xml.length));
    expect(pdfDate(text((params as PDFDict).get(PDFName.of("ModDate"))))).toBe(ISSUE_DATE.getTime());
    const af = lookup(doc.catalog.get(PDFName.of("AF")));
    expect(af).toBeInstanceOf(PDFArray);
    expect((af as PDFArray).asArray().some((ref) => lookup(ref) === spec)).toBe(true);
  });

  it("marks the attachment as the Alternative representation when asked", async () => {
    const { attachment } = await parse(await facturX({ afRelationship: "Alternative" }));
    expect(text(attachment?.spec.get(PDFName.of("AFRelationship")))).toBe("Alternative");
  });

  it("writes a trailer /ID of two identical 16-byte strings that depends on the invoice", async () => {
    const ids = async (overrides: Partial<FacturXOptions>) => {
      const { doc } = await parse(await facturX(overrides));
      const id = doc.context.trailerInfo.ID;
      expect(id).toBeInstanceOf(PDFArray);
      const [first, second] = (id as PDFArray).asArray().map((o) => (o as PDFHexString).asString());
      expect(first).toMatch(/^[0-9a-f]{32}$/);
      expect(second).toBe(first);
      return first;
    };
    const a = await ids({});
    expect(await ids({})).toBe(a);
    expect(await ids({ xml: ciiXml(GUIDELINES["EN 16931"], "F-2026-0043"), documentNumber: "F-2026-0043" })).not.toBe(a);
  });

  it("writes a classic cross-reference table, with no encryption, JavaScript or object streams", async () => {
    const bytes = await facturX();
    const raw = latin1(bytes);
    expect(raw).toMatch(/\nxref\n0 \d+\n/);
    expect(raw).not.toContain("/ObjStm");
    expect(raw).not.toContain("/Encrypt");
    expect(raw).not.toContain("/JavaScript");
    expect(raw.trimEnd().endsWith("%%EOF")).toBe(true);
  });

  it("embeds every font as a subset holding only the glyphs drawn", async () => {
    const { doc } = await parse(await facturX());
    const programs: Uint8Array[] = [];
    for (const [, obj] of doc.context.enumerateIndirectObjects()) {
      if (!(obj instanceof PDFDict) || text(obj.get(PDFName.of("Type"))) !== "Font") continue;
      if (text(obj.get(PDFName.of("Subtype"))) === "Type0") continue;
      const descriptor = doc.context.lookup(obj.get(PDFName.of("FontDescriptor")));
      expect(descriptor).toBeInstanceOf(PDFDict);
      programs.push(streamBytes(doc.context.lookup((descriptor as PDFDict).get(PDFName.of("FontFile2")))));
    }
    expect(programs).toHaveLength(2);
    const [bold, regular] = programs.map((p) => fontkit.create(p).numGlyphs).sort((a, b) => a - b);
    // .notdef plus one glyph per distinct character drawn (space included); accented capitals
    // and ligature-like letters are composites that also pull in their component glyphs.
    const distinct = (s: string) => new Set(s).size + 1;
    expect(bold).toBe(distinct(DRAWN_BOLD));
    expect(regular).toBeGreaterThanOrEqual(distinct(DRAWN_REGULAR));
    expect(regular).toBeLessThan(distinct(DRAWN_REGULAR) + 8);
    expect(fontkit.create(FONT_BYTES.regular).numGlyphs).toBeGreaterThan(5000);
  });
});

describe("toFacturX refusals", () => {
  it("refuses a document that uses a non-embedded standard font", async () => {
    const doc = await laidOutDocument();
    // The bundle has no standard-font metrics (see the next test), so the font dictionary a
    // standard font would produce is written by hand: a Type1 Helvetica without a font program.
    const helvetica = doc.context.register(doc.context.obj({ Type: "Font", Subtype: "Type1", BaseFont: "Helvetica" }));
    doc.getPages()[0]!.node.setFontDictionary(PDFName.of("F9"), helvetica);
    await expect(toFacturX(doc, options())).rejects.toThrow(/Helvetica is not embedded/);
  });

  it("cannot even lay out text in a standard font: the bundle stubs pdf-lib's standard fonts", async () => {
    const doc = await laidOutDocument();
    await expect(doc.embedFont(StandardFonts.Helvetica)).rejects.toThrow(STANDARD_FONTS_UNAVAILABLE);
    // drawText without `font` falls back to Helvetica in pdf-lib: it fails instead of drawing.
    expect(() => doc.getPages()[0]!.drawText("Total", { x: 50, y: 700, size: 10 })).toThrow(STANDARD_FONTS_UNAVAILABLE);
  });

  it("refuses a document carrying JavaScript", async () => {
    const doc = await laidOutDocument();
    doc.addJavaScript("hello", "app.alert('hi')");
    await expect(toFacturX(doc, options())).rejects.toThrow(FacturXError);
  });

  it("refuses a document without pages", async () => {
    await expect(toFacturX(await PDFDocument.create(), options())).rejects.toThrow(/no page/);
  });

  it("refuses to convert the same document twice", async () => {
    const doc = await laidOutDocument();
    await toFacturX(doc, options());
    await expect(toFacturX(doc, options())).rejects.toThrow(/already/);
  });

  it("refuses an XML whose BT-24 profile is not the declared conformance level", async () => {
    await expect(facturX({ xml: ciiXml(GUIDELINES.BASIC), conformanceLevel: "EN 16931" })).rejects.toThrow(
      /not the EN 16931 profile/,
    );
    await expect(facturX({ xml: ciiXml("urn:factur-x.eu:1p0:minimum"), conformanceLevel: "BASIC" })).rejects.toThrow(
      FacturXError,
    );
  });

  it("refuses an XML that is not CII or not UTF-8", async () => {
    const ubl = new TextEncoder().encode(
      '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID></Invoice>',
    );
    await expect(facturX({ xml: ubl })).rejects.toThrow(/not a CII/);
    const withAccent = new TextDecoder().decode(ciiXml(GUIDELINES["EN 16931"], "F-\u00e9"));
    const latin1Xml = Uint8Array.from(withAccent, (c) => c.charCodeAt(0)); // "é" as the lone byte 0xE9
    await expect(facturX({ xml: latin1Xml })).rejects.toThrow(/not UTF-8/);
  });
});

describe("conformanceLevelOfGuideline", () => {
  it("maps the three invoice profiles and rejects MINIMUM, BASIC WL and unknown ids", () => {
    expect(conformanceLevelOfGuideline("urn:cen.eu:en16931:2017")).toBe("EN 16931");
    expect(conformanceLevelOfGuideline(GUIDELINES.BASIC)).toBe("BASIC");
    expect(conformanceLevelOfGuideline(GUIDELINES.EXTENDED)).toBe("EXTENDED");
    expect(conformanceLevelOfGuideline(`${GUIDELINES.EXTENDED}:extended-ctc-fr`)).toBe("EXTENDED");
    expect(conformanceLevelOfGuideline("urn:factur-x.eu:1p0:minimum")).toBeNull();
    expect(conformanceLevelOfGuideline("urn:factur-x.eu:1p0:basicwl")).toBeNull();
    expect(conformanceLevelOfGuideline("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")).toBeNull();
  });

  it("reads BT-24 whatever the namespace prefix", () => {
    const xml = "<x:GuidelineSpecifiedDocumentContextParameter>\n  <x:ID> urn:cen.eu:en16931:2017 </x:ID>";
    expect(guidelineIdOf(xml)).toBe("urn:cen.eu:en16931:2017");
    expect(guidelineIdOf("<rsm:CrossIndustryInvoice/>")).toBeNull();
  });
});

// ---- fonts ------------------------------------------------------------------------------

describe("embedFonts", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("parses each font once per isolate however many documents embed it", async () => {
    const create = vi.spyOn(fontkit, "create");
    // Fresh buffers, so that earlier tests have not already filled the cache for them.
    const bytes = { regular: FONT_BYTES.regular.slice(), bold: FONT_BYTES.bold.slice() };
    for (let i = 0; i < 3; i++) {
      const doc = await PDFDocument.create();
      const fonts = await embedFonts(doc, bytes);
      expect(fonts.regular.name).not.toBe(fonts.bold.name);
    }
    expect(create).toHaveBeenCalledTimes(2);
  });

  it("lists the characters a font cannot draw, once each, and none for French and European names", async () => {
    const { regular } = await embedFonts(await PDFDocument.create(), FONT_BYTES);
    expect(unsupportedCharacters(regular, "Zoë Łódź, Œuvre « cœur » — 1\u202F234,56\u00A0€ ’\n")).toEqual([]);
    expect(unsupportedCharacters(regular, "株式会社 株 한 ok")).toEqual(["株", "式", "会", "社", "한"]);
  });
});

// ---- ICC profile ------------------------------------------------------------------------

describe("buildSrgbIccProfile", () => {
  const icc = buildSrgbIccProfile();
  const view = new DataView(icc.buffer, icc.byteOffset, icc.byteLength);
  const sig = (at: number) => latin1(icc.subarray(at, at + 4));
  const s15 = (at: number) => view.getInt32(at) / 65536;
  const tags = new Map<string, { offset: number; size: number }>();
  for (let i = 0; i < view.getUint32(128); i++) {
    const at = 132 + 12 * i;
    tags.set(sig(at), { offset: view.getUint32(at + 4), size: view.getUint32(at + 8) });
  }
  const tag = (name: string) => {
    const t = tags.get(name);
    if (!t) throw new Error(`missing tag ${name}`);
    return t;
  };
  const xyz = (name: string) => {
    const { offset } = tag(name);
    return { x: s15(offset + 8), y: s15(offset + 12), z: s15(offset + 16) };
  };

  it("has a v2 RGB display profile header with its own size and a D50 illuminant", () => {
    expect(view.getUint32(0)).toBe(icc.length);
    expect(view.getUint8(8)).toBe(2);
    expect([sig(12), sig(16), sig(20), sig(36)]).toEqual(["mntr", "RGB ", "XYZ ", "acsp"]);
    expect(s15(68)).toBeCloseTo(D50.x, 4);
    expect(s15(72)).toBeCloseTo(D50.y, 4);
    expect(s15(76)).toBeCloseTo(D50.z, 4);
  });

  it("holds every tag a matrix/TRC profile needs, aligned, inside the file, with the right types", () => {
    const types: Record<string, string> = {
      desc: "desc", cprt: "text", wtpt: "XYZ ", rXYZ: "XYZ ", gXYZ: "XYZ ", bXYZ: "XYZ ",
      rTRC: "curv", gTRC: "curv", bTRC: "curv",
    };
    expect([...tags.keys()].sort()).toEqual(Object.keys(types).sort());
    for (const [name, type] of Object.entries(types)) {
      const { offset, size } = tag(name);
      expect(offset % 4).toBe(0);
      expect(offset + size).toBeLessThanOrEqual(icc.length);
      expect(sig(offset)).toBe(type);
    }
  });

  it("maps RGB white to the D50 white point", () => {
    const [r, g, b] = [xyz("rXYZ"), xyz("gXYZ"), xyz("bXYZ")];
    expect(r.x + g.x + b.x).toBeCloseTo(D50.x, 2);
    expect(r.y + g.y + b.y).toBeCloseTo(D50.y, 3);
    expect(r.z + g.z + b.z).toBeCloseTo(D50.z, 2);
    expect(xyz("wtpt")).toEqual({ x: expect.closeTo(D50.x, 4), y: expect.closeTo(D50.y, 4), z: expect.closeTo(D50.z, 4) });
  });

  it("samples the sRGB transfer curve: rising from 0 to 1 and within 1/1000 everywhere", () => {
    const { offset } = tag("rTRC");
    expect(view.getUint32(offset + 8)).toBe(SRGB_CURVE_POINTS);
    const table = Array.from({ length: SRGB_CURVE_POINTS }, (_, i) => view.getUint16(offset + 12 + 2 * i) / 65535);
    expect(table[0]).toBe(0);
    expect(table[SRGB_CURVE_POINTS - 1]).toBe(1);
    expect(table.every((v, i) => i === 0 || v >= table[i - 1]!)).toBe(true);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (v) => {
        // Linear interpolation, as a colour engine reads a sampled curve.
        const pos = v * (SRGB_CURVE_POINTS - 1);
        const i = Math.min(Math.floor(pos), SRGB_CURVE_POINTS - 2);
        const interpolated = table[i]! + (table[i + 1]! - table[i]!) * (pos - i);
        return Math.abs(interpolated - srgbToLinear(v)) < 1e-3;
      }),
    );
    expect(tag("gTRC")).toEqual(tag("rTRC"));
    expect(tag("bTRC")).toEqual(tag("rTRC"));
  });
});
