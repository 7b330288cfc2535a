/**
 * Turns a laid-out pdf-lib document into a Factur-X file: PDF/A-3b with the CII invoice
 * attached as `factur-x.xml` (Factur-X 1.0 container, XMP extension schema `fx:`).
 *
 * What PDF/A-3b asks of the layout itself: every font embedded (use `embedFonts` from
 * ./fonts.ts, never `StandardFonts`: checked here), no JavaScript (checked), colours in
 * DeviceRGB or grey (`rgb()`, `grayscale()`; the OutputIntent is sRGB, so no `cmyk()`), and
 * link annotations, if any, with the Print flag set (not checked).
 */
import { AFRelationship, PDFDict, PDFHexString, PDFName, PDFString } from "pdf-lib";
import type { PDFDocument, PDFRef } from "pdf-lib";
import { srgbIccProfile } from "./srgb-icc.ts";

/** Factur-X profiles that are invoices for the French reform (MINIMUM and BASIC WL are not). */
export type FacturXConformanceLevel = "EN 16931" | "BASIC" | "EXTENDED";

export interface FacturXOptions {
  /** The CII XML (UTF-8) whose BT-24 guideline id matches `conformanceLevel`. */
  xml: Uint8Array;
  title: string;
  /** The seller's name: Info /Author and XMP dc:creator. */
  author: string;
  subject?: string;
  /** Invoice number; only feeds the trailer /ID here, put it in `title` for readers. */
  documentNumber: string;
  issueDate: Date;
  /** When the file is produced; defaults to `issueDate` so that a re-render keeps its dates and /ID. */
  producedAt?: Date;
  conformanceLevel: FacturXConformanceLevel;
  documentType: "INVOICE";
  /** How the XML relates to the visible invoice (catalog /AF). Default `Data`. */
  afRelationship?: "Data" | "Alternative";
  /** Natural language of the document (catalog /Lang). Default `fr-FR`. */
  language?: string;
}

/** Name of the attachment, fixed by the Factur-X specification. */
export const FACTURX_FILENAME = "factur-x.xml";
/** Namespace of the Factur-X XMP extension schema. */
export const FACTURX_XMP_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";
/** Info /Producer and XMP pdf:Producer. */
export const PRODUCER = "Factumo (pdf-lib 1.17)";
/** Info /Creator and XMP xmp:CreatorTool. */
export const CREATOR_TOOL = "Factumo";

/** Thrown when the document or the XML cannot become a conforming Factur-X file. */
export class FacturXError extends Error {
  override name = "FacturXError";
}

/**
 * The Factur-X profile named by a CII guideline id (BT-24), or null when it is not one of
 * the invoice profiles (MINIMUM, BASIC WL, unknown).
 */
export function conformanceLevelOfGuideline(guidelineId: string): FacturXConformanceLevel | null {
  const id = guidelineId.trim();
  if (id === "urn:cen.eu:en16931:2017") return "EN 16931";
  if (id === "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic") return "BASIC";
  if (/^urn:cen\.eu:en16931:2017#conformant#urn:factur-x\.eu:1p0:extended/.test(id)) return "EXTENDED";
  return null;
}

/** Reads BT-24 from a CII document, or null when absent. */
export function guidelineIdOf(xml: string): string | null {
  const m = /GuidelineSpecifiedDocumentContextParameter>\s*<(?:[\w-]+:)?ID>([^<]+)</.exec(xml);
  return m?.[1]?.trim() ?? null;
}

/**
 * Adds the Factur-X/PDF/A-3b parts to `doc` (metadata, OutputIntent, attachment, trailer /ID)
 * and serialises it. Refuses, with a {@link FacturXError}, a document with a non-embedded font
 * or JavaScript, a document without pages or already converted, and an XML that is not CII
 * or whose profile differs from `conformanceLevel`. `doc` is modified: do not reuse it.
 */
export async function toFacturX(doc: PDFDocument, opts: FacturXOptions): Promise<Uint8Array> {
  checkXml(opts);
  const ctx = doc.context;
  const catalog = doc.catalog;
  if (catalog.has(PDFName.of("AF")) || catalog.has(PDFName.of("OutputIntents"))) {
    throw new FacturXError("document already has associated files or an output intent");
  }
  if (doc.getPageCount() === 0) throw new FacturXError("the document has no page");
  // Fonts and images only reach the object graph on flush; checking after it sees them all.
  await doc.flush();
  checkPdfAContent(doc);

  const produced = opts.producedAt ?? opts.issueDate;
  if (Number.isNaN(produced.getTime())) throw new FacturXError("invalid production date");

  setInfo(doc, opts, produced);
  catalog.set(PDFName.of("Metadata"), ctx.register(xmpStream(doc, opts, produced)));
  catalog.set(PDFName.of("OutputIntents"), ctx.obj([outputIntent(doc)]));
  doc.setLanguage(opts.language ?? "fr-FR");

  await doc.attach(opts.xml, FACTURX_FILENAME, {
    mimeType: "text/xml",
    description: `Factur-X ${opts.conformanceLevel} invoice ${opts.documentNumber}`,
    creationDate: produced,
    modificationDate: produced,
    afRelationship: opts.afRelationship === "Alternative" ? AFRelationship.Alternative : AFRelationship.Data,
  });

  const id = await fileId(opts, produced);
  ctx.trailerInfo.ID = ctx.obj([PDFHexString.of(id), PDFHexString.of(id)]);

  // A classic xref table rather than object streams: every PDF/A checker and older reader takes it.
  return doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
}

function checkXml(opts: FacturXOptions): void {
  if (opts.documentType !== "INVOICE") throw new FacturXError(`unsupported document type ${opts.documentType}`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(opts.xml);
  } catch {
    throw new FacturXError("the invoice XML is not UTF-8");
  }
  if (!/<(?:[\w-]+:)?CrossIndustryInvoice[\s>]/.test(text)) {
    throw new FacturXError("the invoice XML is not a CII CrossIndustryInvoice");
  }
  const guideline = guidelineIdOf(text);
  const level = guideline === null ? null : conformanceLevelOfGuideline(guideline);
  if (level !== opts.conformanceLevel) {
    throw new FacturXError(
      `the XML guideline (BT-24) '${guideline ?? "missing"}' is not the ${opts.conformanceLevel} profile`,
    );
  }
}

function nameOf(dict: PDFDict, key: string): string | undefined {
  const v = dict.get(PDFName.of(key));
  return v instanceof PDFName ? v.decodeText() : undefined;
}

function checkPdfAContent(doc: PDFDocument): void {
  const ctx = doc.context;
  for (const [, obj] of ctx.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || nameOf(obj, "Type") !== "Font") continue;
    const subtype = nameOf(obj, "Subtype");
    // Type0 fonts carry their program in the descendant CIDFont, checked as its own object.
    if (subtype === "Type0" || subtype === "Type3") continue;
    const descriptor = ctx.lookup(obj.get(PDFName.of("FontDescriptor")));
    const embedded =
      descriptor instanceof PDFDict &&
      ["FontFile", "FontFile2", "FontFile3"].some((k) => descriptor.has(PDFName.of(k)));
    if (!embedded) {
      const base = nameOf(obj, "BaseFont") ?? "?";
      throw new FacturXError(`font ${base} is not embedded (PDF/A forbids it; use embedFonts)`);
    }
  }
  const names = doc.catalog.lookup(PDFName.of("Names"));
  if (doc.catalog.has(PDFName.of("OpenAction")) || (names instanceof PDFDict && names.has(PDFName.of("JavaScript")))) {
    throw new FacturXError("PDF/A forbids JavaScript and open actions");
  }
}

// Replaces the whole Info dictionary: any key left from earlier (Keywords, Trapped, the
// pdf-lib producer) would have to be mirrored in the XMP, and PDF/A checks that they match.
function setInfo(doc: PDFDocument, opts: FacturXOptions, produced: Date): void {
  const ctx = doc.context;
  ctx.trailerInfo.Info = ctx.register(ctx.obj({}));
  doc.setTitle(opts.title, { showInWindowTitleBar: true });
  doc.setAuthor(opts.author);
  if (opts.subject !== undefined) doc.setSubject(opts.subject);
  doc.setCreator(CREATOR_TOOL);
  doc.setProducer(PRODUCER);
  doc.setCreationDate(produced);
  doc.setModificationDate(produced);
}

function outputIntent(doc: PDFDocument): PDFRef {
  const ctx = doc.context;
  const profile = ctx.register(ctx.flateStream(srgbIccProfile(), { N: 3, Alternate: "DeviceRGB" }));
  return ctx.register(
    ctx.obj({
      Type: "OutputIntent",
      S: "GTS_PDFA1",
      OutputConditionIdentifier: PDFString.of("sRGB"),
      RegistryName: PDFString.of("http://www.color.org"),
      Info: PDFString.of("sRGB IEC61966-2.1"),
      DestOutputProfile: profile,
    }),
  );
}

/** XMP date: ISO 8601 in UTC to the second, the same instant as the Info dictionary's. */
function xmpDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const FX_PROPERTIES: ReadonlyArray<[name: string, description: string]> = [
  ["DocumentFileName", "The name of the embedded XML document"],
  ["DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"],
  ["Version", "The actual version of the standard applying to the embedded XML document"],
  ["ConformanceLevel", "The conformance level of the embedded XML document"],
];

/** The XMP packet: PDF/A identification, Dublin Core mirror of Info, and the Factur-X fields. */
export function buildXmp(opts: FacturXOptions, produced: Date): string {
  const date = xmpDate(produced);
  const description =
    opts.subject === undefined
      ? ""
      : `
      <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(opts.subject)}</rdf:li></rdf:Alt></dc:description>`;
  const properties = FX_PROPERTIES.map(
    ([name, desc]) => `
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>${name}</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>${desc}</pdfaProperty:description>
              </rdf:li>`,
  ).join("");
  const body = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
      <pdfaid:part>3</pdfaid:part>
      <pdfaid:conformance>B</pdfaid:conformance>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:format>application/pdf</dc:format>
      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(opts.title)}</rdf:li></rdf:Alt></dc:title>
      <dc:creator><rdf:Seq><rdf:li>${escapeXml(opts.author)}</rdf:li></rdf:Seq></dc:creator>${description}
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
      <pdf:Producer>${escapeXml(PRODUCER)}</pdf:Producer>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
      <xmp:CreatorTool>${escapeXml(CREATOR_TOOL)}</xmp:CreatorTool>
      <xmp:CreateDate>${date}</xmp:CreateDate>
      <xmp:ModifyDate>${date}</xmp:ModifyDate>
      <xmp:MetadataDate>${date}</xmp:MetadataDate>
    </rdf:Description>
    <rdf:Description rdf:about=""
        xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
        xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
        xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
      <pdfaExtension:schemas>
        <rdf:Bag>
          <rdf:li rdf:parseType="Resource">
            <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
            <pdfaSchema:namespaceURI>${FACTURX_XMP_NAMESPACE}</pdfaSchema:namespaceURI>
            <pdfaSchema:prefix>fx</pdfaSchema:prefix>
            <pdfaSchema:property>
              <rdf:Seq>${properties}
              </rdf:Seq>
            </pdfaSchema:property>
          </rdf:li>
        </rdf:Bag>
      </pdfaExtension:schemas>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:fx="${FACTURX_XMP_NAMESPACE}">
      <fx:DocumentType>${opts.documentType}</fx:DocumentType>
      <fx:DocumentFileName>${FACTURX_FILENAME}</fx:DocumentFileName>
      <fx:Version>1.0</fx:Version>
      <fx:ConformanceLevel>${opts.conformanceLevel}</fx:ConformanceLevel>
    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>
`;
  // Padding lets an editor update the packet in place, as XMP recommends.
  return `${body}${`${" ".repeat(99)}\n`.repeat(20)}<?xpacket end="w"?>`;
}

function xmpStream(doc: PDFDocument, opts: FacturXOptions, produced: Date) {
  const bytes = new TextEncoder().encode(buildXmp(opts, produced));
  // Unfiltered: PDF/A requires the metadata stream to stay readable without decoding.
  return doc.context.stream(bytes, { Type: "Metadata", Subtype: "XML", Length: bytes.length });
}

// Deterministic: the same invoice rendered twice gets the same /ID (PDF/A only needs one).
async function fileId(opts: FacturXOptions, produced: Date): Promise<string> {
  const head = new TextEncoder().encode(`${opts.documentNumber}\n${xmpDate(produced)}\n`);
  const input = new Uint8Array(head.length + opts.xml.length);
  input.set(head);
  input.set(opts.xml, head.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
