/**
 * OASIS UBL 2.1 Invoice (types 380, 386) or CreditNote (type 381) under EN 16931, with the French
 * reform fields (BR-FR Flux 2). Same content and mapping choices as the CII writer (see cii.ts);
 * only the syntax differs:
 * - BT-23 is cbc:ProfileID; notes are "#SUBJECT#text" in cbc:Note.
 * - BT-32 (a seller without VAT number) is a PartyTaxScheme whose tax scheme is not VAT ("LOC").
 * - BT-8 "VAT on the invoice date" is cac:InvoicePeriod/cbc:DescriptionCode 3 (UNTDID 2005).
 * - A CreditNote has no cbc:DueDate: BT-9 goes to cac:PaymentMeans/cbc:PaymentDueDate, so a credit
 *   note always carries a payment means (58 with the IBAN, else 1 "not defined").
 */

import type { BuyerSnapshot, DocumentSnapshot, ElectronicAddress, LineSnapshot, PostalAddress, SellerSnapshot } from "../document.ts";
import { unitPriceDecimal } from "../format.ts";
import { type LineTotals, unitPriceE4Of, type VatBreakdown } from "../totals.ts";
import { requiresExemption, type VatCategory } from "../vat.ts";
import {
  EN16931_GUIDELINE,
  type XmlNode,
  actualDeliveryDate,
  billingMode,
  buyerEndpoint,
  deliveryAddressOf,
  documentTypeCode,
  el,
  formatAmount,
  formatPercentValue,
  formatQuantity,
  invoiceNotes,
  leaf,
  lineTotalsAt,
  precedingInvoices,
  renderXml,
  sellerLegalInfo,
  vatOnDebits,
  writesRate,
} from "./cii.ts";

const CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

function amount(name: string, cents: number, currency: string): XmlNode {
  return { name, text: formatAmount(cents), attrs: { currencyID: currency } };
}

function postalAddress(name: string, a: PostalAddress): XmlNode {
  return el(name, [
    leaf("cbc:StreetName", a.line1),
    leaf("cbc:AdditionalStreetName", a.line2),
    leaf("cbc:CityName", a.city),
    leaf("cbc:PostalZone", a.postalCode),
    el("cac:Country", [leaf("cbc:IdentificationCode", a.country)]),
  ]);
}

function endpointId(address: ElectronicAddress | null): XmlNode | null {
  return address ? leaf("cbc:EndpointID", address.value, { schemeID: address.scheme }) : null;
}

function taxScheme(companyId: string, scheme: string): XmlNode {
  return el("cac:PartyTaxScheme", [leaf("cbc:CompanyID", companyId), el("cac:TaxScheme", [leaf("cbc:ID", scheme)])]);
}

function contact(phone: string | null | undefined, email: string | null | undefined): XmlNode | null {
  if (!phone && !email) return null;
  return el("cac:Contact", [leaf("cbc:Telephone", phone), leaf("cbc:ElectronicMail", email)]);
}

function sellerParty(seller: SellerSnapshot): XmlNode {
  return el("cac:AccountingSupplierParty", [
    el("cac:Party", [
      endpointId(seller.electronicAddress),
      el("cac:PartyIdentification", [leaf("cbc:ID", seller.siret, { schemeID: "0009" })]),
      seller.tradeName ? el("cac:PartyName", [leaf("cbc:Name", seller.tradeName)]) : null,
      postalAddress("cac:PostalAddress", seller.address),
      seller.vatNumber ? taxScheme(seller.vatNumber, "VAT") : taxScheme(seller.siren, "LOC"),
      el("cac:PartyLegalEntity", [
        leaf("cbc:RegistrationName", seller.name),
        leaf("cbc:CompanyID", seller.siren, { schemeID: "0002" }),
        leaf("cbc:CompanyLegalForm", sellerLegalInfo(seller)),
      ]),
      contact(seller.phone, seller.email),
    ]),
  ]);
}

function buyerParty(buyer: BuyerSnapshot): XmlNode {
  return el("cac:AccountingCustomerParty", [
    el("cac:Party", [
      endpointId(buyerEndpoint(buyer)),
      buyer.siret ? el("cac:PartyIdentification", [leaf("cbc:ID", buyer.siret, { schemeID: "0009" })]) : null,
      postalAddress("cac:PostalAddress", buyer.address),
      buyer.vatNumber ? taxScheme(buyer.vatNumber, "VAT") : null,
      el("cac:PartyLegalEntity", [
        leaf("cbc:RegistrationName", buyer.name),
        buyer.siren ? leaf("cbc:CompanyID", buyer.siren, { schemeID: "0002" }) : null,
      ]),
      contact(null, buyer.email),
    ]),
  ]);
}

function taxCategory(name: string, category: VatCategory, rateBasisPoints: number, exemption?: { code?: string; reason?: string }): XmlNode {
  return el(name, [
    leaf("cbc:ID", category),
    writesRate(category) ? leaf("cbc:Percent", formatPercentValue(rateBasisPoints)) : null,
    exemption ? leaf("cbc:TaxExemptionReasonCode", exemption.code) : null,
    exemption ? leaf("cbc:TaxExemptionReason", exemption.reason) : null,
    el("cac:TaxScheme", [leaf("cbc:ID", "VAT")]),
  ]);
}

function subtotal(row: VatBreakdown, currency: string): XmlNode {
  const exemption = requiresExemption(row.category)
    ? { ...(row.exemptionCode ? { code: row.exemptionCode } : {}), ...(row.exemptionReason ? { reason: row.exemptionReason } : {}) }
    : undefined;
  return el("cac:TaxSubtotal", [
    amount("cbc:TaxableAmount", row.taxableCents, currency),
    amount("cbc:TaxAmount", row.vatCents, currency),
    taxCategory("cac:TaxCategory", row.category, row.rateBasisPoints, exemption),
  ]);
}

function documentAllowanceCharge(part: DocumentSnapshot["totals"]["allowances"][number], charge: boolean, currency: string): XmlNode {
  return el("cac:AllowanceCharge", [
    leaf("cbc:ChargeIndicator", charge ? "true" : "false"),
    leaf("cbc:AllowanceChargeReasonCode", part.reasonCode),
    leaf("cbc:AllowanceChargeReason", part.reason),
    part.percentBasisPoints !== undefined ? leaf("cbc:MultiplierFactorNumeric", formatPercentValue(part.percentBasisPoints)) : null,
    amount("cbc:Amount", part.amountCents, currency),
    part.baseCents !== undefined ? amount("cbc:BaseAmount", part.baseCents, currency) : null,
    taxCategory("cac:TaxCategory", part.category, part.rateBasisPoints),
  ]);
}

function line(lineSnapshot: LineSnapshot, totals: LineTotals, credit: boolean, currency: string): XmlNode {
  const discount = lineSnapshot.discount;
  return el(credit ? "cac:CreditNoteLine" : "cac:InvoiceLine", [
    leaf("cbc:ID", String(lineSnapshot.position)),
    leaf(credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity", formatQuantity(lineSnapshot.quantity), { unitCode: lineSnapshot.unitCode }),
    amount("cbc:LineExtensionAmount", totals.netCents, currency),
    totals.discountCents !== 0
      ? el("cac:AllowanceCharge", [
          leaf("cbc:ChargeIndicator", "false"),
          leaf("cbc:AllowanceChargeReasonCode", "95"),
          leaf("cbc:AllowanceChargeReason", "Remise"),
          discount?.kind === "percent" ? leaf("cbc:MultiplierFactorNumeric", formatPercentValue(discount.basisPoints)) : null,
          amount("cbc:Amount", totals.discountCents, currency),
          discount?.kind === "percent" ? amount("cbc:BaseAmount", totals.grossCents, currency) : null,
        ])
      : null,
    el("cac:Item", [leaf("cbc:Name", lineSnapshot.description), taxCategory("cac:ClassifiedTaxCategory", totals.vat.category, totals.vat.rateBasisPoints)]),
    // BT-146 keeps up to 4 decimals (BR-FR-DEC-03); "650.00" for a whole-cent price as before.
    el("cac:Price", [leaf("cbc:PriceAmount", unitPriceDecimal(unitPriceE4Of(lineSnapshot)), { currencyID: currency })]),
  ]);
}

function paymentMeans(doc: DocumentSnapshot, credit: boolean): XmlNode | null {
  const { seller } = doc;
  if (!seller.iban && !credit) return null;
  return el("cac:PaymentMeans", [
    leaf("cbc:PaymentMeansCode", seller.iban ? "58" : "1"),
    credit ? leaf("cbc:PaymentDueDate", doc.payment.dueDate) : null,
    leaf("cbc:PaymentID", doc.number),
    seller.iban
      ? el("cac:PayeeFinancialAccount", [
          leaf("cbc:ID", seller.iban),
          leaf("cbc:Name", seller.name),
          seller.bic ? el("cac:FinancialInstitutionBranch", [leaf("cbc:ID", seller.bic)]) : null,
        ])
      : null,
  ]);
}

/**
 * The snapshot as a UBL 2.1 Invoice, or CreditNote for a credit note (type 381).
 * @throws Error for a quote, or when the snapshot's totals do not match its lines.
 */
export function toUbl(doc: DocumentSnapshot): string {
  const typeCode = documentTypeCode(doc);
  const credit = typeCode === "381";
  const root = credit ? "CreditNote" : "Invoice";
  const { totals, currency } = doc;
  const delivery = deliveryAddressOf(doc.buyer);
  const delivered = actualDeliveryDate(doc);

  const tree = el(
    root,
    [
      leaf("cbc:CustomizationID", EN16931_GUIDELINE),
      leaf("cbc:ProfileID", billingMode(doc)),
      leaf("cbc:ID", doc.number),
      leaf("cbc:IssueDate", doc.issueDate),
      credit ? null : leaf("cbc:DueDate", doc.payment.dueDate),
      leaf(credit ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode", typeCode),
      ...invoiceNotes(doc).map((note) => leaf("cbc:Note", `#${note.subject}#${note.content}`)),
      leaf("cbc:DocumentCurrencyCode", currency),
      vatOnDebits(doc) ? el("cac:InvoicePeriod", [leaf("cbc:DescriptionCode", "3")]) : null,
      doc.purchaseOrderReference ? el("cac:OrderReference", [leaf("cbc:ID", doc.purchaseOrderReference)]) : null,
      ...precedingInvoices(doc).map((ref) =>
        el("cac:BillingReference", [el("cac:InvoiceDocumentReference", [leaf("cbc:ID", ref.number), leaf("cbc:IssueDate", ref.issueDate)])]),
      ),
      sellerParty(doc.seller),
      buyerParty(doc.buyer),
      el("cac:Delivery", [
        leaf("cbc:ActualDeliveryDate", delivered),
        delivery ? el("cac:DeliveryLocation", [postalAddress("cac:Address", delivery)]) : null,
        delivery ? el("cac:DeliveryParty", [el("cac:PartyName", [leaf("cbc:Name", doc.buyer.name)])]) : null,
      ]),
      paymentMeans(doc, credit),
      el("cac:PaymentTerms", [leaf("cbc:Note", doc.payment.text)]),
      ...totals.allowances.map((part) => documentAllowanceCharge(part, false, currency)),
      ...totals.charges.map((part) => documentAllowanceCharge(part, true, currency)),
      el("cac:TaxTotal", [amount("cbc:TaxAmount", totals.vatTotalCents, currency), ...totals.vatBreakdown.map((row) => subtotal(row, currency))]),
      el("cac:LegalMonetaryTotal", [
        amount("cbc:LineExtensionAmount", totals.lineNetTotalCents, currency),
        amount("cbc:TaxExclusiveAmount", totals.taxExclusiveCents, currency),
        amount("cbc:TaxInclusiveAmount", totals.taxInclusiveCents, currency),
        amount("cbc:AllowanceTotalAmount", totals.allowanceTotalCents, currency),
        amount("cbc:ChargeTotalAmount", totals.chargeTotalCents, currency),
        totals.prepaidCents !== 0 ? amount("cbc:PrepaidAmount", totals.prepaidCents, currency) : null,
        amount("cbc:PayableAmount", totals.dueCents, currency),
      ]),
      ...doc.lines.map((l, index) => line(l, lineTotalsAt(doc, index), credit, currency)),
    ],
    {
      xmlns: `urn:oasis:names:specification:ubl:schema:xsd:${root}-2`,
      "xmlns:cac": CAC,
      "xmlns:cbc": CBC,
    },
  );
  return renderXml(tree);
}
