/**
 * Reads a supplier's e-invoice — Factur-X / ZUGFeRD PDF, CII XML or UBL 2.1 XML — into a purchase
 * record. Pure (no I/O); what arrives is hostile until read: sizes are bounded before any work,
 * the XML reader refuses DTDs, the PDF's embedded stream is inflated with an output cap (a small
 * FlateDecode stream can expand to gigabytes), and every field is length-capped.
 *
 * It reads what Factumo needs to book a purchase (supplier and identifiers, number, dates, lines,
 * VAT per rate, totals, due date, IBAN); it does not judge the invoice's conformity — the PA did.
 * Amounts are converted to integer cents from their decimal text, never through a float; an amount
 * with more than 2 decimals (allowed in some foreign invoices) is rounded half up.
 */

import { Unzlib } from "fflate";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from "pdf-lib";
import { isValidSiren, isValidSiret } from "../identifiers.ts";
import { isIsoDate } from "../vat.ts";
import { all, first, readXml, textOf, type XNode, XmlReadError } from "./xml-read.ts";

export const MAX_RECEIVED_FILE_BYTES = 20 * 1024 * 1024;
export const MAX_RECEIVED_XML_BYTES = 5 * 1024 * 1024;
const MAX_LINES = 2000;

export type ReceivedSyntax = "Factur-X" | "CII" | "UBL";

export interface ReceivedParty {
  name: string;
  siren: string | null;
  siret: string | null;
  vatNumber: string | null;
  countryCode: string | null;
  address: string | null;
}

export interface ReceivedLine {
  name: string;
  /** Decimal text as written ("2", "1.5"). */
  quantity: string;
  unitCode: string | null;
  netCents: number;
  rateBasisPoints: number | null;
  category: string | null;
}

export interface ReceivedVat {
  category: string;
  rateBasisPoints: number;
  baseCents: number;
  vatCents: number;
}

export interface ReceivedInvoice {
  syntax: ReceivedSyntax;
  /** BT-3: 380 invoice, 381 credit note, 386 deposit… */
  typeCode: string;
  number: string;
  issueDate: string;
  dueDate: string | null;
  currency: string;
  supplier: ReceivedParty;
  buyer: ReceivedParty;
  lines: ReceivedLine[];
  vat: ReceivedVat[];
  taxExclusiveCents: number;
  vatCents: number;
  taxInclusiveCents: number;
  payableCents: number;
  iban: string | null;
  paymentTerms: string | null;
}

export type ReceivedErrorCode = "too_large" | "empty" | "not_invoice" | "unreadable" | "encrypted" | "no_xml" | "missing_field";

export class ReceivedInvoiceError extends Error {
  constructor(
    readonly code: ReceivedErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ReceivedInvoiceError";
  }
}

// ---- small readers ------------------------------------------------------------------------------

function cap(value: string | null, max: number): string | null {
  if (value === null) return null;
  const clean = value.replace(/[\u0000-\u001F\u007F]+/g, " ").replace(/\s+/g, " ").trim();
  return clean ? clean.slice(0, max) : null;
}

/**
 * Decimal text → integer cents, rounding half up beyond 2 decimals; null when not a plain decimal
 * or beyond 10^13 cents.
 */
export function amountToCents(value: string | null): number | null {
  const m = value ? /^\s*([+-]?)(\d{1,13})(?:\.(\d{1,10}))?\s*$/.exec(value) : null;
  if (!m) return null;
  const fraction = (m[3] ?? "").padEnd(3, "0");
  let cents = Number(m[2]) * 100 + Number(fraction.slice(0, 2));
  if (Number(fraction[2]) >= 5) cents += 1;
  return m[1] === "-" && cents !== 0 ? -cents : cents;
}

/** "20", "5.5", "20.00" → basis points (2 decimals max after trailing zeros); null otherwise. */
export function rateToBasisPoints(value: string | null): number | null {
  const m = value ? /^\s*(\d{1,3})(?:\.(\d{1,2})0*)?\s*$/.exec(value) : null;
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bp <= 10_000 ? bp : null;
}

function quantityText(value: string | null): string {
  const m = value ? /^\s*(-?\d{1,12}(?:\.\d{1,6})?)\s*$/.exec(value) : null;
  return m?.[1] ?? "1";
}

function date102(value: string | null): string | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim()) : null;
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : null;
  return iso && isIsoDate(iso) ? iso : null;
}

function isoDate(value: string | null): string | null {
  const iso = value?.trim().slice(0, 10) ?? null;
  return iso && isIsoDate(iso) ? iso : null;
}

function sirenFrom(ids: Array<{ scheme: string | undefined; value: string | null }>, vatNumber: string | null): { siren: string | null; siret: string | null } {
  let siren: string | null = null;
  let siret: string | null = null;
  for (const { scheme, value } of ids) {
    const digits = value?.replace(/\s/g, "") ?? "";
    if (scheme === "0002" && isValidSiren(digits)) siren ??= digits;
    if (scheme === "0009" && isValidSiret(digits)) siret ??= digits;
    if (!scheme && /^\d{14}$/.test(digits) && isValidSiret(digits)) siret ??= digits;
    if (!scheme && /^\d{9}$/.test(digits) && isValidSiren(digits)) siren ??= digits;
  }
  siren ??= siret ? siret.slice(0, 9) : null;
  const fromVat = vatNumber && /^FR[0-9A-Z]{2}(\d{9})$/.exec(vatNumber.replace(/\s/g, "").toUpperCase())?.[1];
  if (!siren && fromVat && isValidSiren(fromVat)) siren = fromVat;
  return { siren, siret };
}

function need<T>(value: T | null, field: string): T {
  if (value === null) throw new ReceivedInvoiceError("missing_field", `the invoice has no readable ${field}`);
  return value;
}

// ---- CII ----------------------------------------------------------------------------------------

function ciiParty(node: XNode | null): ReceivedParty {
  const vatNumber = cap(
    all(node, "SpecifiedTaxRegistration").map((r) => first(r, "ID")).find((id) => id?.attrs.schemeID === "VA")?.text ?? null,
    30,
  );
  const legal = first(node, "SpecifiedLegalOrganization", "ID");
  const ids = [
    { scheme: legal?.attrs.schemeID, value: legal?.text ?? null },
    ...all(node, "GlobalID").map((id) => ({ scheme: id.attrs.schemeID, value: id.text })),
    ...all(node, "ID").map((id) => ({ scheme: id.attrs.schemeID, value: id.text })),
  ];
  const address = first(node, "PostalTradeAddress");
  const addressText = cap(
    [textOf(address, "LineOne"), textOf(address, "LineTwo"), [textOf(address, "PostcodeCode"), textOf(address, "CityName")].filter(Boolean).join(" ")]
      .filter(Boolean)
      .join(", ") || null,
    300,
  );
  return {
    name: cap(textOf(node, "Name"), 200) ?? cap(textOf(node, "SpecifiedLegalOrganization", "TradingBusinessName"), 200) ?? "",
    ...sirenFrom(ids, vatNumber),
    vatNumber,
    countryCode: cap(textOf(address, "CountryID"), 2),
    address: addressText,
  };
}

/** The monetary summation amount in the invoice currency (a foreign invoice repeats TaxTotal in EUR). */
function summationAmount(summation: XNode | null, name: string, currency: string): number | null {
  const nodes = all(summation, name);
  const pick = nodes.find((n) => !n.attrs.currencyID || n.attrs.currencyID === currency) ?? nodes[0];
  return amountToCents(pick?.text ?? null);
}

function readCii(root: XNode, syntax: ReceivedSyntax): ReceivedInvoice {
  const doc = first(root, "ExchangedDocument");
  const tx = first(root, "SupplyChainTradeTransaction");
  const agreement = first(tx, "ApplicableHeaderTradeAgreement");
  const settlement = first(tx, "ApplicableHeaderTradeSettlement");
  const currency = cap(textOf(settlement, "InvoiceCurrencyCode"), 3) ?? "EUR";
  const summation = first(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation");
  const lineItems = all(tx, "IncludedSupplyChainTradeLineItem");
  if (lineItems.length > MAX_LINES) throw new ReceivedInvoiceError("too_large", `more than ${MAX_LINES} lines`);
  const lines: ReceivedLine[] = lineItems.map((item) => {
    const qty = first(item, "SpecifiedLineTradeDelivery", "BilledQuantity");
    const lineSettlement = first(item, "SpecifiedLineTradeSettlement");
    return {
      name: cap(textOf(item, "SpecifiedTradeProduct", "Name"), 300) ?? "",
      quantity: quantityText(qty?.text ?? null),
      unitCode: cap(qty?.attrs.unitCode ?? null, 10),
      netCents: amountToCents(textOf(lineSettlement, "SpecifiedTradeSettlementLineMonetarySummation", "LineTotalAmount")) ?? 0,
      rateBasisPoints: rateToBasisPoints(textOf(lineSettlement, "ApplicableTradeTax", "RateApplicablePercent")),
      category: cap(textOf(lineSettlement, "ApplicableTradeTax", "CategoryCode"), 3),
    };
  });
  const vat: ReceivedVat[] = all(settlement, "ApplicableTradeTax").map((tax) => ({
    category: cap(textOf(tax, "CategoryCode"), 3) ?? "S",
    rateBasisPoints: rateToBasisPoints(textOf(tax, "RateApplicablePercent")) ?? 0,
    baseCents: amountToCents(textOf(tax, "BasisAmount")) ?? 0,
    vatCents: amountToCents(textOf(tax, "CalculatedAmount")) ?? 0,
  }));
  const terms = first(settlement, "SpecifiedTradePaymentTerms");
  const taxExclusiveCents = need(summationAmount(summation, "TaxBasisTotalAmount", currency), "total excluding VAT");
  const taxInclusiveCents = need(summationAmount(summation, "GrandTotalAmount", currency), "total including VAT");
  const vatCents = summationAmount(summation, "TaxTotalAmount", currency) ?? taxInclusiveCents - taxExclusiveCents;
  return {
    syntax,
    typeCode: cap(textOf(doc, "TypeCode"), 3) ?? "380",
    number: need(cap(textOf(doc, "ID"), 100), "invoice number"),
    issueDate: need(date102(textOf(doc, "IssueDateTime", "DateTimeString")), "issue date"),
    dueDate: date102(textOf(terms, "DueDateDateTime", "DateTimeString")),
    currency,
    supplier: ciiParty(first(agreement, "SellerTradeParty")),
    buyer: ciiParty(first(agreement, "BuyerTradeParty")),
    lines,
    vat,
    taxExclusiveCents,
    vatCents,
    taxInclusiveCents,
    payableCents: summationAmount(summation, "DuePayableAmount", currency) ?? taxInclusiveCents,
    iban: cap(textOf(first(settlement, "SpecifiedTradeSettlementPaymentMeans"), "PayeePartyCreditorFinancialAccount", "IBANID"), 34),
    paymentTerms: cap(textOf(terms, "Description"), 500),
  };
}

// ---- UBL ----------------------------------------------------------------------------------------

function ublParty(wrapper: XNode | null): ReceivedParty {
  const party = first(wrapper, "Party");
  const vatNumber = cap(
    all(party, "PartyTaxScheme").find((s) => textOf(s, "TaxScheme", "ID") === "VAT")?.children.find((c) => c.name === "CompanyID")?.text ?? null,
    30,
  );
  const legal = first(party, "PartyLegalEntity", "CompanyID");
  const ids = [
    { scheme: legal?.attrs.schemeID, value: legal?.text ?? null },
    ...all(party, "PartyIdentification").map((p) => first(p, "ID")).map((id) => ({ scheme: id?.attrs.schemeID, value: id?.text ?? null })),
  ];
  const address = first(party, "PostalAddress");
  const addressText = cap(
    [textOf(address, "StreetName"), textOf(address, "AdditionalStreetName"), [textOf(address, "PostalZone"), textOf(address, "CityName")].filter(Boolean).join(" ")]
      .filter(Boolean)
      .join(", ") || null,
    300,
  );
  return {
    name: cap(textOf(party, "PartyLegalEntity", "RegistrationName"), 200) ?? cap(textOf(party, "PartyName", "Name"), 200) ?? "",
    ...sirenFrom(ids, vatNumber),
    vatNumber,
    countryCode: cap(textOf(address, "Country", "IdentificationCode"), 2),
    address: addressText,
  };
}

function readUbl(root: XNode): ReceivedInvoice {
  const credit = root.name === "CreditNote";
  const currency = cap(textOf(root, "DocumentCurrencyCode"), 3) ?? "EUR";
  const totals = first(root, "LegalMonetaryTotal");
  const lineNodes = all(root, credit ? "CreditNoteLine" : "InvoiceLine");
  if (lineNodes.length > MAX_LINES) throw new ReceivedInvoiceError("too_large", `more than ${MAX_LINES} lines`);
  const lines: ReceivedLine[] = lineNodes.map((line) => {
    const qty = first(line, credit ? "CreditedQuantity" : "InvoicedQuantity");
    return {
      name: cap(textOf(line, "Item", "Name"), 300) ?? "",
      quantity: quantityText(qty?.text ?? null),
      unitCode: cap(qty?.attrs.unitCode ?? null, 10),
      netCents: amountToCents(textOf(line, "LineExtensionAmount")) ?? 0,
      rateBasisPoints: rateToBasisPoints(textOf(line, "Item", "ClassifiedTaxCategory", "Percent")),
      category: cap(textOf(line, "Item", "ClassifiedTaxCategory", "ID"), 3),
    };
  });
  // The TaxTotal in the invoice currency holds the breakdown; another one may restate VAT in EUR.
  const taxTotals = all(root, "TaxTotal");
  const taxTotal = taxTotals.find((t) => all(t, "TaxSubtotal").length > 0) ?? taxTotals[0] ?? null;
  const vat: ReceivedVat[] = all(taxTotal, "TaxSubtotal").map((sub) => ({
    category: cap(textOf(sub, "TaxCategory", "ID"), 3) ?? "S",
    rateBasisPoints: rateToBasisPoints(textOf(sub, "TaxCategory", "Percent")) ?? 0,
    baseCents: amountToCents(textOf(sub, "TaxableAmount")) ?? 0,
    vatCents: amountToCents(textOf(sub, "TaxAmount")) ?? 0,
  }));
  const taxExclusiveCents = need(amountToCents(textOf(totals, "TaxExclusiveAmount")), "total excluding VAT");
  const taxInclusiveCents = need(amountToCents(textOf(totals, "TaxInclusiveAmount")), "total including VAT");
  const means = all(root, "PaymentMeans").find((m) => first(m, "PayeeFinancialAccount", "ID"));
  return {
    syntax: "UBL",
    typeCode: cap(textOf(root, credit ? "CreditNoteTypeCode" : "InvoiceTypeCode"), 3) ?? (credit ? "381" : "380"),
    number: need(cap(textOf(root, "ID"), 100), "invoice number"),
    issueDate: need(isoDate(textOf(root, "IssueDate")), "issue date"),
    dueDate: isoDate(textOf(root, "DueDate")) ?? isoDate(textOf(means ?? null, "PaymentDueDate")),
    currency,
    supplier: ublParty(first(root, "AccountingSupplierParty")),
    buyer: ublParty(first(root, "AccountingCustomerParty")),
    lines,
    vat,
    taxExclusiveCents,
    vatCents: amountToCents(textOf(taxTotal, "TaxAmount")) ?? taxInclusiveCents - taxExclusiveCents,
    taxInclusiveCents,
    payableCents: amountToCents(textOf(totals, "PayableAmount")) ?? taxInclusiveCents,
    iban: cap(textOf(means ?? null, "PayeeFinancialAccount", "ID"), 34),
    paymentTerms: cap(textOf(root, "PaymentTerms", "Note"), 500),
  };
}

// ---- XML and PDF --------------------------------------------------------------------------------

/**
 * Reads a CII or UBL document.
 * @throws ReceivedInvoiceError
 */
export function parseInvoiceXml(xml: string, syntax: ReceivedSyntax = "CII"): ReceivedInvoice {
  if (xml.length > MAX_RECEIVED_XML_BYTES) throw new ReceivedInvoiceError("too_large", "the XML is larger than 5 MB");
  if (!xml.trim()) throw new ReceivedInvoiceError("empty", "the file is empty");
  let root: XNode;
  try {
    root = readXml(xml, { maxChars: MAX_RECEIVED_XML_BYTES, maxDepth: 40, maxElements: 100_000 });
  } catch (error) {
    if (error instanceof XmlReadError) throw new ReceivedInvoiceError(error.code === "malformed" || error.code === "doctype" ? "unreadable" : "too_large", error.message);
    throw error;
  }
  if (root.name === "CrossIndustryInvoice") return readCii(root, syntax === "Factur-X" ? "Factur-X" : "CII");
  if (root.name === "Invoice" || root.name === "CreditNote") return readUbl(root);
  throw new ReceivedInvoiceError("not_invoice", `<${root.name.slice(0, 40)}> is not a CII or UBL invoice`);
}

/** Names under which invoices are embedded: Factur-X, ZUGFeRD 1/2, XRechnung. */
const EMBEDDED_NAMES = ["factur-x.xml", "zugferd-invoice.xml", "zugferd_invoice.xml", "xrechnung.xml"];

function inflateCapped(data: Uint8Array, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > max) throw new ReceivedInvoiceError("too_large", "the embedded XML is larger than 5 MB");
    chunks.push(chunk);
  });
  try {
    inflater.push(data, true);
  } catch (error) {
    if (error instanceof ReceivedInvoiceError) throw error;
    throw new ReceivedInvoiceError("unreadable", "the embedded XML stream is corrupt");
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function fileSpecName(spec: PDFDict): string {
  for (const key of ["UF", "F"]) {
    const value = spec.lookup(PDFName.of(key));
    if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  }
  return "";
}

function collectFileSpecs(doc: PDFDocument): PDFDict[] {
  const specs: PDFDict[] = [];
  const af = doc.catalog.lookupMaybe(PDFName.of("AF"), PDFArray);
  for (let i = 0; af && i < Math.min(af.size(), 50); i++) {
    const spec = af.lookup(i);
    if (spec instanceof PDFDict) specs.push(spec);
  }
  const names = doc.catalog.lookupMaybe(PDFName.of("Names"), PDFDict);
  const visit = (node: PDFDict | undefined, depth: number): void => {
    if (!node || depth > 6 || specs.length > 200) return;
    const leaves = node.lookupMaybe(PDFName.of("Names"), PDFArray);
    for (let i = 1; leaves && i < leaves.size(); i += 2) {
      const spec = leaves.lookup(i);
      if (spec instanceof PDFDict) specs.push(spec);
    }
    const kids = node.lookupMaybe(PDFName.of("Kids"), PDFArray);
    for (let i = 0; kids && i < Math.min(kids.size(), 50); i++) {
      const kid = kids.lookup(i);
      if (kid instanceof PDFDict) visit(kid, depth + 1);
    }
  };
  visit(names?.lookupMaybe(PDFName.of("EmbeddedFiles"), PDFDict), 0);
  return specs;
}

/**
 * The embedded invoice XML of a Factur-X / ZUGFeRD PDF, or null when the PDF carries none.
 * @throws ReceivedInvoiceError on an unreadable or encrypted PDF, or an oversized stream.
 */
export async function extractEmbeddedXml(pdf: Uint8Array): Promise<string | null> {
  if (pdf.length > MAX_RECEIVED_FILE_BYTES) throw new ReceivedInvoiceError("too_large", "the file is larger than 20 MB");
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch {
    throw new ReceivedInvoiceError("unreadable", "the PDF cannot be read");
  }
  if (doc.isEncrypted) throw new ReceivedInvoiceError("encrypted", "the PDF is encrypted");
  try {
    return embeddedXmlOf(doc);
  } catch (error) {
    // A broken object graph surfaces as pdf-lib's own errors (TypeError, missing objects…).
    if (error instanceof ReceivedInvoiceError) throw error;
    throw new ReceivedInvoiceError("unreadable", "the PDF's attachments cannot be read");
  }
}

function embeddedXmlOf(doc: PDFDocument): string | null {
  const specs = collectFileSpecs(doc);
  const spec = specs.find((s) => EMBEDDED_NAMES.includes(fileSpecName(s).toLowerCase()));
  if (!spec) return null;
  const ef = spec.lookupMaybe(PDFName.of("EF"), PDFDict);
  const stream = ef?.lookup(PDFName.of("F")) ?? ef?.lookup(PDFName.of("UF"));
  if (!(stream instanceof PDFRawStream)) throw new ReceivedInvoiceError("unreadable", "the embedded invoice has no content");
  const filter = stream.dict.lookup(PDFName.of("Filter"));
  const filters = filter instanceof PDFArray ? filter.asArray().map((f) => String(f)) : filter ? [String(filter)] : [];
  let bytes = stream.contents;
  if (filters.length > 1 || (filters[0] && filters[0] !== "/FlateDecode")) {
    throw new ReceivedInvoiceError("unreadable", `embedded stream filter ${filters.join(" ")} is not supported`);
  }
  if (filters[0] === "/FlateDecode") bytes = inflateCapped(bytes, MAX_RECEIVED_XML_BYTES);
  else if (bytes.length > MAX_RECEIVED_XML_BYTES) throw new ReceivedInvoiceError("too_large", "the embedded XML is larger than 5 MB");
  return new TextDecoder("utf-8").decode(bytes);
}

export function isPdf(bytes: Uint8Array): boolean {
  // %PDF within the first 1 KB, as readers tolerate leading junk.
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  return head.includes("%PDF-");
}

export interface ParsedReceivedFile {
  invoice: ReceivedInvoice;
  /** The invoice XML (embedded or as received), kept for a readable view. */
  xml: string;
}

/**
 * Reads a received file: a Factur-X PDF (its embedded XML), or CII / UBL XML.
 * @throws ReceivedInvoiceError — `no_xml` for a PDF without an embedded invoice (a scan).
 */
export async function parseReceivedFile(bytes: Uint8Array): Promise<ParsedReceivedFile> {
  if (bytes.length === 0) throw new ReceivedInvoiceError("empty", "the file is empty");
  if (bytes.length > MAX_RECEIVED_FILE_BYTES) throw new ReceivedInvoiceError("too_large", "the file is larger than 20 MB");
  if (isPdf(bytes)) {
    const xml = await extractEmbeddedXml(bytes);
    if (xml === null) throw new ReceivedInvoiceError("no_xml", "this PDF carries no e-invoice data (factur-x.xml)");
    return { invoice: parseInvoiceXml(xml, "Factur-X"), xml };
  }
  if (bytes.length > MAX_RECEIVED_XML_BYTES) throw new ReceivedInvoiceError("too_large", "the XML is larger than 5 MB");
  const xml = new TextDecoder("utf-8").decode(bytes);
  return { invoice: parseInvoiceXml(xml), xml };
}
