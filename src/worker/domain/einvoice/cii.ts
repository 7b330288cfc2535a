/**
 * UN/CEFACT Cross Industry Invoice (CII D16B) in the Factur-X 1.09 EN 16931 profile, with the
 * French reform fields (BR-FR Flux 2): the XML embedded as `factur-x.xml` in the PDF, or sent alone.
 *
 * Elements follow the order of the Factur-X EN 16931 XSD. Every text is XML-escaped; every number
 * is written from integer cents, basis points or the decimal string of the snapshot, never through
 * a float. The helpers shared with the UBL writer (escaping, number formats, billing mode, notes,
 * parties) are exported from here.
 *
 * Mapping choices (why, not what):
 * - BT-23 billing mode: B (goods) / S (services) / M (mixed) from the operation category, then 4 for
 *   a final invoice that deducts deposits ("facture définitive après acompte", BR-FR-CO-08), else 1
 *   (deposit invoices and credit notes included).
 * - Notes: PMD, PMT and AAB exactly once each (BR-FR-05/06), the seller's free note (AAI), every
 *   legal mention (REG), and BAR = B2B / B2BINT / B2C so a platform knows how to route it; B2B is
 *   only claimed with a buyer SIREN (BR-FR-11).
 * - A seller without a VAT number (VAT franchise) gets its SIREN as tax registration BT-32
 *   (scheme FC): BR-E-02 needs BT-31 or BT-32, and the SIREN is what identifies a French business
 *   to the tax office.
 * - Buyer electronic address BT-49: the snapshot's, else the email (scheme EM), since BR-FR-12
 *   requires one for every buyer, consumers included.
 * - Payment means 58 (SEPA transfer) with the IBAN; without an IBAN no payment means is written
 *   (BR-61 forbids a transfer without an account), the due date and terms still are.
 * - Deposits deducted on a final invoice: BT-113 (prepaid) and one preceding-invoice reference
 *   (BG-3) per deposit invoice.
 * - BT-8 = 5 (VAT on the invoice date) only when the seller opted for "débits" (XP Z12-012).
 */

import type {
  BuyerSnapshot,
  DocumentSnapshot,
  ElectronicAddress,
  LineSnapshot,
  PostalAddress,
  SellerSnapshot,
} from "../document.ts";
import { unitPriceDecimal, formatMoney } from "../format.ts";
import { sameAddress } from "../mentions.ts";
import { quoteReferenceText } from "../quote-chain.ts";
import { type LineTotals, unitPriceE4Of, type VatBreakdown } from "../totals.ts";
import { requiresExemption, type VatCategory } from "../vat.ts";

/** BT-24 for EN 16931 (Factur-X profile EN 16931 and UBL alike). */
export const EN16931_GUIDELINE = "urn:cen.eu:en16931:2017";

// ---- text and numbers ------------------------------------------------------------------------

/** Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab, LF, CR; U+FFFE/F). */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Escapes `& < > "` and drops characters XML 1.0 forbids, for text and (double-quoted) attribute
 * values. Apostrophes stay as they are: attributes are always written between double quotes.
 */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * Integer cents as an XML amount with exactly 2 decimals: 123456 → "1234.56", -5 → "-0.05".
 * @throws RangeError when `cents` is not a safe integer.
 */
export function formatAmount(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount must be integer cents, got ${cents}`);
  const abs = BigInt(Math.abs(cents));
  return `${cents < 0 ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/**
 * A decimal string with at most 4 decimals in canonical form: "01.500" → "1.5", "2.0000" → "2".
 * @throws RangeError on anything else (more than 4 decimals, exponent, comma).
 */
export function formatQuantity(quantity: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(quantity.trim());
  if (!match) throw new RangeError(`not a decimal quantity: "${quantity}"`);
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > 4) throw new RangeError(`more than 4 decimals: "${quantity}"`);
  const units = (match[2] ?? "0").replace(/^0+(?=\d)/, "");
  const zero = units === "0" && fraction === "";
  return `${match[1] === "-" && !zero ? "-" : ""}${units}${fraction ? `.${fraction}` : ""}`;
}

/**
 * Basis points as a percentage with at most 2 decimals: 2000 → "20", 550 → "5.5", 0 → "0".
 * These are exactly the spellings BR-FR-16 lists for French rates.
 * @throws RangeError when `basisPoints` is not a non-negative safe integer.
 */
export function formatPercentValue(basisPoints: number): string {
  if (!Number.isSafeInteger(basisPoints) || basisPoints < 0) throw new RangeError(`bad basis points ${basisPoints}`);
  const fraction = (basisPoints % 100).toString().padStart(2, "0").replace(/0+$/, "");
  return `${Math.floor(basisPoints / 100)}${fraction ? `.${fraction}` : ""}`;
}

/**
 * "YYYY-MM-DD" → "YYYYMMDD" (format 102).
 * @throws RangeError on another shape.
 */
export function formatDate102(isoDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new RangeError(`expected YYYY-MM-DD, got "${isoDate}"`);
  return isoDate.replace(/-/g, "");
}

// ---- a minimal XML tree ------------------------------------------------------------------------

export interface XmlNode {
  name: string;
  attrs?: Readonly<Record<string, string>>;
  text?: string;
  children?: XmlNode[];
}

type Child = XmlNode | null | undefined | false;

/** An element with children; always written, even when empty (for elements the XSD requires). */
export function el(name: string, children: readonly Child[], attrs?: Record<string, string>): XmlNode {
  return { name, ...(attrs ? { attrs } : {}), children: children.filter((child): child is XmlNode => Boolean(child)) };
}

/** An optional group: null when none of its children is present. */
export function group(name: string, children: readonly Child[], attrs?: Record<string, string>): XmlNode | null {
  const node = el(name, children, attrs);
  return node.children?.length ? node : null;
}

/** A text element; null when the value is absent or blank, so optional fields simply vanish. */
export function leaf(name: string, value: string | null | undefined, attrs?: Record<string, string>): XmlNode | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  return { name, text: value, ...(attrs ? { attrs } : {}) };
}

function renderAttrs(attrs: Readonly<Record<string, string>> | undefined): string {
  if (!attrs) return "";
  return Object.entries(attrs)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join("");
}

function renderNode(node: XmlNode, depth: number, out: string[]): void {
  const pad = "  ".repeat(depth);
  const open = `${node.name}${renderAttrs(node.attrs)}`;
  if (node.text !== undefined) {
    out.push(`${pad}<${open}>${escapeXml(node.text)}</${node.name}>`);
  } else if (!node.children?.length) {
    out.push(`${pad}<${open}/>`);
  } else {
    out.push(`${pad}<${open}>`);
    for (const child of node.children) renderNode(child, depth + 1, out);
    out.push(`${pad}</${node.name}>`);
  }
}

/** Serialises a tree with an XML declaration, 2-space indentation and a final newline. */
export function renderXml(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  renderNode(root, 0, out);
  return `${out.join("\n")}\n`;
}

// ---- shared business mapping -------------------------------------------------------------------

/**
 * UNTDID 1001 code (BT-3): 380 invoice, 386 deposit invoice, 381 credit note.
 * @throws Error for a quote, which is not an e-invoice.
 */
export function documentTypeCode(doc: Pick<DocumentSnapshot, "type">): "380" | "386" | "381" {
  switch (doc.type) {
    case "invoice":
      return "380";
    case "deposit_invoice":
      return "386";
    case "credit_note":
      return "381";
    default:
      throw new Error(`a ${doc.type} is not an e-invoice`);
  }
}

/** BT-23 "cadre de facturation": B1/S1/M1, or B4/S4/M4 for a final invoice deducting deposits. */
export function billingMode(doc: Pick<DocumentSnapshot, "type" | "operationCategory" | "deductedDeposits">): string {
  const letter = { goods: "B", services: "S", mixed: "M" }[doc.operationCategory];
  const finalAfterDeposit = doc.type === "invoice" && doc.deductedDeposits.length > 0;
  return `${letter}${finalAfterDeposit ? 4 : 1}`;
}

/** BAR treatment note value, or null when it cannot be claimed honestly (French company without SIREN). */
export function buyerTreatment(buyer: BuyerSnapshot): "B2B" | "B2BINT" | "B2C" | null {
  if (buyer.kind === "individual") return "B2C";
  if (buyer.address.country !== "FR") return "B2BINT";
  return buyer.siren ? "B2B" : null;
}

export interface InvoiceNote {
  /** UNTDID 4451 subject code (BT-21). */
  subject: string;
  content: string;
}

/** Document notes (BG-1): free note, BAR, legal mentions, then PMD, PMT and AAB once each. */
export function invoiceNotes(doc: DocumentSnapshot): InvoiceNote[] {
  const notes: InvoiceNote[] = [];
  if (doc.note?.trim()) notes.push({ subject: "AAI", content: doc.note.trim() });
  // The quote of a deposit or final invoice: a note, not BT-12/13/14 (neither a contract, nor the
  // buyer's order, nor a sales order acknowledged by the buyer: a quote may be invoiced unsigned).
  if (doc.sourceQuote) notes.push({ subject: "AAI", content: quoteReferenceText(doc.sourceQuote, doc.buyer.language === "en" ? "en" : "fr") });
  const treatment = buyerTreatment(doc.buyer);
  if (treatment) notes.push({ subject: "BAR", content: treatment });
  for (const mention of doc.mentions) notes.push({ subject: "REG", content: mention });
  notes.push({ subject: "PMD", content: doc.payment.latePenalty });
  notes.push({ subject: "PMT", content: doc.payment.recoveryIndemnity });
  notes.push({ subject: "AAB", content: doc.payment.earlyPaymentDiscount });
  return notes;
}

/** BT-49: the buyer's electronic address, else its email (scheme EM), else null. */
export function buyerEndpoint(buyer: BuyerSnapshot): ElectronicAddress | null {
  if (buyer.electronicAddress?.value) return buyer.electronicAddress;
  if (buyer.email) return { scheme: "EM", value: buyer.email };
  return null;
}

/** BT-33: legal form, share capital and registry, in French (the legal language of the mention). */
export function sellerLegalInfo(seller: SellerSnapshot): string {
  const parts: string[] = [];
  const capital = seller.shareCapitalCents;
  if (seller.isCompany) {
    parts.push(capital === null || capital === undefined ? seller.legalFormLabel : `${seller.legalFormLabel} au capital de ${formatMoney(capital, "fr")}`);
  } else {
    parts.push("Entrepreneur individuel (EI)");
  }
  if (seller.registration) parts.push(`${seller.registration.kind === "rcs" ? "RCS" : "RM"} ${seller.registration.city} ${seller.siren}`);
  return parts.join(" – ");
}

/** The delivery address (BG-15) when it differs from the billing address, else null. */
export function deliveryAddressOf(buyer: BuyerSnapshot): PostalAddress | null {
  const delivery = buyer.deliveryAddress;
  return delivery && !sameAddress(delivery, buyer.address) ? delivery : null;
}

/**
 * BT-72, the date of the operation the document is about (CGI ann. II art. 242 nonies A: "the date
 * of the supply or of the payment of the deposit, when it differs from the issue date"). The
 * snapshot records it only when it differs (LEGAL.md §1), so otherwise:
 * - an invoice: its issue date;
 * - a deposit invoice: its issue date, the day the deposit is invoiced on receipt (LEGAL.md §4);
 * - a credit note: the operation of the invoice it corrects, that invoice's BT-72 (its delivery
 *   date, else its issue date): a credit note reduces the taxable amount of that operation.
 * Every type carries one, so the CII's mandatory ApplicableHeaderTradeDelivery is never empty
 * (PEPPOL-EN16931-R008).
 */
export function actualDeliveryDate(doc: DocumentSnapshot): string {
  if (doc.deliveryDate) return doc.deliveryDate;
  if (doc.type === "credit_note" && doc.precedingInvoice) return doc.precedingInvoice.deliveryDate ?? doc.precedingInvoice.issueDate;
  return doc.issueDate;
}

/** True when BT-8 must say "VAT on the invoice date": the débits option with VAT charged. */
export function vatOnDebits(doc: DocumentSnapshot): boolean {
  return doc.seller.vatRegime === "vat" && doc.seller.vatOnDebits && doc.totals.vatBreakdown.some((row) => row.category === "S");
}

/** The computed totals of line `index`. @throws Error when totals and lines disagree. */
export function lineTotalsAt(doc: DocumentSnapshot, index: number): LineTotals {
  const totals = doc.totals.lines[index];
  if (!totals || doc.totals.lines.length !== doc.lines.length) {
    throw new Error(`snapshot totals do not match its lines (line ${index})`);
  }
  return totals;
}

/** Preceding invoices (BG-3): the corrected invoice of a credit note, the deducted deposit invoices. */
export function precedingInvoices(doc: DocumentSnapshot): Array<{ number: string; issueDate: string }> {
  const refs: Array<{ number: string; issueDate: string }> = [];
  if (doc.precedingInvoice) refs.push(doc.precedingInvoice);
  for (const deposit of doc.deductedDeposits) refs.push({ number: deposit.number, issueDate: deposit.issueDate });
  return refs;
}

/** The rate is written for every category but O (BR-O-05). */
export function writesRate(category: VatCategory): boolean {
  return category !== "O";
}

// ---- CII ---------------------------------------------------------------------------------------

const NS = {
  "xmlns:rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
  "xmlns:ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
  "xmlns:qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
  "xmlns:udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
};

function dateTime(name: string, isoDate: string, prefix: "udt" | "qdt" = "udt"): XmlNode {
  return el(name, [leaf(`${prefix}:DateTimeString`, formatDate102(isoDate), { format: "102" })]);
}

function address(a: PostalAddress): XmlNode {
  return el("ram:PostalTradeAddress", [
    leaf("ram:PostcodeCode", a.postalCode),
    leaf("ram:LineOne", a.line1),
    leaf("ram:LineTwo", a.line2),
    leaf("ram:CityName", a.city),
    leaf("ram:CountryID", a.country),
  ]);
}

function endpoint(address: ElectronicAddress | null): XmlNode | null {
  if (!address) return null;
  return el("ram:URIUniversalCommunication", [leaf("ram:URIID", address.value, { schemeID: address.scheme })]);
}

function contact(phone: string | null | undefined, email: string | null | undefined): XmlNode | null {
  return group("ram:DefinedTradeContact", [
    phone ? el("ram:TelephoneUniversalCommunication", [leaf("ram:CompleteNumber", phone)]) : null,
    email ? el("ram:EmailURIUniversalCommunication", [leaf("ram:URIID", email)]) : null,
  ]);
}

function sellerParty(seller: SellerSnapshot): XmlNode {
  return el("ram:SellerTradeParty", [
    leaf("ram:GlobalID", seller.siret, { schemeID: "0009" }),
    leaf("ram:Name", seller.name),
    leaf("ram:Description", sellerLegalInfo(seller)),
    el("ram:SpecifiedLegalOrganization", [leaf("ram:ID", seller.siren, { schemeID: "0002" }), leaf("ram:TradingBusinessName", seller.tradeName)]),
    contact(seller.phone, seller.email),
    address(seller.address),
    endpoint(seller.electronicAddress),
    seller.vatNumber
      ? el("ram:SpecifiedTaxRegistration", [leaf("ram:ID", seller.vatNumber, { schemeID: "VA" })])
      : el("ram:SpecifiedTaxRegistration", [leaf("ram:ID", seller.siren, { schemeID: "FC" })]),
  ]);
}

function buyerParty(buyer: BuyerSnapshot): XmlNode {
  return el("ram:BuyerTradeParty", [
    leaf("ram:GlobalID", buyer.siret, { schemeID: "0009" }),
    leaf("ram:Name", buyer.name),
    buyer.siren ? el("ram:SpecifiedLegalOrganization", [leaf("ram:ID", buyer.siren, { schemeID: "0002" })]) : null,
    contact(null, buyer.email),
    address(buyer.address),
    endpoint(buyerEndpoint(buyer)),
    buyer.vatNumber ? el("ram:SpecifiedTaxRegistration", [leaf("ram:ID", buyer.vatNumber, { schemeID: "VA" })]) : null,
  ]);
}

function tradeTax(category: VatCategory, rateBasisPoints: number): XmlNode[] {
  return [
    leaf("ram:TypeCode", "VAT"),
    leaf("ram:CategoryCode", category),
    writesRate(category) ? leaf("ram:RateApplicablePercent", formatPercentValue(rateBasisPoints)) : null,
  ].filter((node): node is XmlNode => node !== null);
}

function lineItem(line: LineSnapshot, totals: LineTotals): XmlNode {
  const discount = line.discount;
  return el("ram:IncludedSupplyChainTradeLineItem", [
    el("ram:AssociatedDocumentLineDocument", [leaf("ram:LineID", String(line.position))]),
    el("ram:SpecifiedTradeProduct", [leaf("ram:Name", line.description)]),
    el("ram:SpecifiedLineTradeAgreement", [
      el("ram:NetPriceProductTradePrice", [leaf("ram:ChargeAmount", unitPriceDecimal(unitPriceE4Of(line)))]),
    ]),
    el("ram:SpecifiedLineTradeDelivery", [leaf("ram:BilledQuantity", formatQuantity(line.quantity), { unitCode: line.unitCode })]),
    el("ram:SpecifiedLineTradeSettlement", [
      el("ram:ApplicableTradeTax", tradeTax(totals.vat.category, totals.vat.rateBasisPoints)),
      totals.discountCents !== 0
        ? el("ram:SpecifiedTradeAllowanceCharge", [
            el("ram:ChargeIndicator", [leaf("udt:Indicator", "false")]),
            discount?.kind === "percent" ? leaf("ram:CalculationPercent", formatPercentValue(discount.basisPoints)) : null,
            discount?.kind === "percent" ? leaf("ram:BasisAmount", formatAmount(totals.grossCents)) : null,
            leaf("ram:ActualAmount", formatAmount(totals.discountCents)),
            leaf("ram:ReasonCode", "95"),
            leaf("ram:Reason", "Remise"),
          ])
        : null,
      el("ram:SpecifiedTradeSettlementLineMonetarySummation", [leaf("ram:LineTotalAmount", formatAmount(totals.netCents))]),
    ]),
  ]);
}

function breakdown(row: VatBreakdown, debits: boolean): XmlNode {
  const exempt = requiresExemption(row.category);
  return el("ram:ApplicableTradeTax", [
    leaf("ram:CalculatedAmount", formatAmount(row.vatCents)),
    leaf("ram:TypeCode", "VAT"),
    exempt ? leaf("ram:ExemptionReason", row.exemptionReason) : null,
    leaf("ram:BasisAmount", formatAmount(row.taxableCents)),
    leaf("ram:CategoryCode", row.category),
    exempt ? leaf("ram:ExemptionReasonCode", row.exemptionCode) : null,
    debits ? leaf("ram:DueDateTypeCode", "5") : null,
    writesRate(row.category) ? leaf("ram:RateApplicablePercent", formatPercentValue(row.rateBasisPoints)) : null,
  ]);
}

function allowanceCharge(part: DocumentSnapshot["totals"]["allowances"][number], charge: boolean): XmlNode {
  return el("ram:SpecifiedTradeAllowanceCharge", [
    el("ram:ChargeIndicator", [leaf("udt:Indicator", charge ? "true" : "false")]),
    part.percentBasisPoints !== undefined ? leaf("ram:CalculationPercent", formatPercentValue(part.percentBasisPoints)) : null,
    part.baseCents !== undefined ? leaf("ram:BasisAmount", formatAmount(part.baseCents)) : null,
    leaf("ram:ActualAmount", formatAmount(part.amountCents)),
    leaf("ram:ReasonCode", part.reasonCode),
    leaf("ram:Reason", part.reason),
    el("ram:CategoryTradeTax", tradeTax(part.category, part.rateBasisPoints)),
  ]);
}

/**
 * The snapshot as a Factur-X 1.09 EN 16931 CII document (`factur-x.xml`).
 * @throws Error for a quote, or when the snapshot's totals do not match its lines.
 */
export function toCii(doc: DocumentSnapshot): string {
  const { seller, buyer, totals, payment } = doc;
  const debits = vatOnDebits(doc);
  const deliverElsewhere = deliveryAddressOf(buyer);
  const delivered = actualDeliveryDate(doc);

  const root = el(
    "rsm:CrossIndustryInvoice",
    [
      el("rsm:ExchangedDocumentContext", [
        el("ram:BusinessProcessSpecifiedDocumentContextParameter", [leaf("ram:ID", billingMode(doc))]),
        el("ram:GuidelineSpecifiedDocumentContextParameter", [leaf("ram:ID", EN16931_GUIDELINE)]),
      ]),
      el("rsm:ExchangedDocument", [
        leaf("ram:ID", doc.number),
        leaf("ram:TypeCode", documentTypeCode(doc)),
        dateTime("ram:IssueDateTime", doc.issueDate),
        ...invoiceNotes(doc).map((note) =>
          el("ram:IncludedNote", [leaf("ram:Content", note.content), leaf("ram:SubjectCode", note.subject)]),
        ),
      ]),
      el("rsm:SupplyChainTradeTransaction", [
        ...doc.lines.map((line, index) => lineItem(line, lineTotalsAt(doc, index))),
        el("ram:ApplicableHeaderTradeAgreement", [
          sellerParty(seller),
          buyerParty(buyer),
          doc.purchaseOrderReference
            ? el("ram:BuyerOrderReferencedDocument", [leaf("ram:IssuerAssignedID", doc.purchaseOrderReference)])
            : null,
        ]),
        el("ram:ApplicableHeaderTradeDelivery", [
          deliverElsewhere ? el("ram:ShipToTradeParty", [leaf("ram:Name", buyer.name), address(deliverElsewhere)]) : null,
          el("ram:ActualDeliverySupplyChainEvent", [dateTime("ram:OccurrenceDateTime", delivered)]),
        ]),
        el("ram:ApplicableHeaderTradeSettlement", [
          leaf("ram:PaymentReference", doc.number),
          leaf("ram:InvoiceCurrencyCode", doc.currency),
          seller.iban
            ? el("ram:SpecifiedTradeSettlementPaymentMeans", [
                leaf("ram:TypeCode", "58"),
                leaf("ram:Information", "Virement SEPA"),
                el("ram:PayeePartyCreditorFinancialAccount", [leaf("ram:IBANID", seller.iban), leaf("ram:AccountName", seller.name)]),
                seller.bic ? el("ram:PayeeSpecifiedCreditorFinancialInstitution", [leaf("ram:BICID", seller.bic)]) : null,
              ])
            : null,
          ...totals.vatBreakdown.map((row) => breakdown(row, debits)),
          ...totals.allowances.map((part) => allowanceCharge(part, false)),
          ...totals.charges.map((part) => allowanceCharge(part, true)),
          el("ram:SpecifiedTradePaymentTerms", [leaf("ram:Description", payment.text), dateTime("ram:DueDateDateTime", payment.dueDate)]),
          el("ram:SpecifiedTradeSettlementHeaderMonetarySummation", [
            leaf("ram:LineTotalAmount", formatAmount(totals.lineNetTotalCents)),
            leaf("ram:ChargeTotalAmount", formatAmount(totals.chargeTotalCents)),
            leaf("ram:AllowanceTotalAmount", formatAmount(totals.allowanceTotalCents)),
            leaf("ram:TaxBasisTotalAmount", formatAmount(totals.taxExclusiveCents)),
            leaf("ram:TaxTotalAmount", formatAmount(totals.vatTotalCents), { currencyID: doc.currency }),
            leaf("ram:GrandTotalAmount", formatAmount(totals.taxInclusiveCents)),
            totals.prepaidCents !== 0 ? leaf("ram:TotalPrepaidAmount", formatAmount(totals.prepaidCents)) : null,
            leaf("ram:DuePayableAmount", formatAmount(totals.dueCents)),
          ]),
          ...precedingInvoices(doc).map((ref) =>
            el("ram:InvoiceReferencedDocument", [
              leaf("ram:IssuerAssignedID", ref.number),
              dateTime("ram:FormattedIssueDateTime", ref.issueDate, "qdt"),
            ]),
          ),
        ]),
      ]),
    ],
    NS,
  );
  return renderXml(root);
}
