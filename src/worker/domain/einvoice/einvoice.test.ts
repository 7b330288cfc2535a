/**
 * Structural tests of the CII and UBL writers. The full validator (XSD, Factur-X, EN 16931 and
 * BR-FR schematrons) cannot run here: these tests run inside workerd, which has no child_process.
 * It runs from Node in scripts/validate-einvoices.mjs. What that validator does not catch (due
 * date and terms present, VAT per rate rather than per line, no float noise) is checked here.
 */
import { describe, expect, it } from "vitest";
import {
  b2bFranchiseInvoice,
  b2bVatInvoice,
  b2cInvoice,
  creditNote,
  depositInvoice,
  euReverseChargeInvoice,
  finalInvoiceAfterDeposit,
  sampleSnapshot,
  SCENARIOS,
} from "../../../../test/fixtures/documents.ts";
import type { DocumentSnapshot } from "../document.ts";
import { isValidIban, isValidSiren, isValidSiret, isValidVatNumber } from "../identifiers.ts";
import { roundHalfUpDiv } from "../money.ts";
import { computeTotals } from "../totals.ts";
import { VAT_EXEMPTIONS } from "../vat.ts";
import { escapeXml, formatAmount, formatDate102, formatPercentValue, formatQuantity, toCii } from "./cii.ts";
import { toUbl } from "./ubl.ts";

/** Text of every element named `name` (namespace prefix included), in document order. */
function texts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`, "g"))].map((m) => m[1] ?? "");
}

/** The inner XML of every element named `name`. */
function blocks(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}(?: [^>]*)?>([\\s\\S]*?)</${name}>`, "g"))].map((m) => m[1] ?? "");
}

/** Asserts that the first occurrences of `names` appear in this order. */
function expectOrder(xml: string, names: readonly string[]): void {
  const positions = names.map((name) => {
    const at = xml.search(new RegExp(`<${name}[ >/]`));
    expect(at, `${name} is missing`).toBeGreaterThanOrEqual(0);
    return at;
  });
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
}

function countNotes(cii: string, subject: string): number {
  return texts(cii, "ram:SubjectCode").filter((code) => code === subject).length;
}

describe("number and text formats", () => {
  it("writes cents with exactly two decimals, never in exponent form", () => {
    expect(formatAmount(0)).toBe("0.00");
    expect(formatAmount(5)).toBe("0.05");
    expect(formatAmount(-5)).toBe("-0.05");
    expect(formatAmount(123_456)).toBe("1234.56");
    expect(formatAmount(100_000_000_000)).toBe("1000000000.00");
    expect(() => formatAmount(1.5)).toThrow(RangeError);
  });

  it("writes quantities canonically with at most four decimals", () => {
    expect(formatQuantity("1.5")).toBe("1.5");
    expect(formatQuantity("01.5000")).toBe("1.5");
    expect(formatQuantity("2.0000")).toBe("2");
    expect(formatQuantity("0.0001")).toBe("0.0001");
    expect(formatQuantity("-0.000")).toBe("0");
    expect(formatQuantity("-3.25")).toBe("-3.25");
    for (const bad of ["1.23456", "1e3", "1,5", "", "abc"]) expect(() => formatQuantity(bad)).toThrow(RangeError);
  });

  it("writes rates as the spellings the French rules accept", () => {
    expect(formatPercentValue(2000)).toBe("20");
    expect(formatPercentValue(1000)).toBe("10");
    expect(formatPercentValue(550)).toBe("5.5");
    expect(formatPercentValue(210)).toBe("2.1");
    expect(formatPercentValue(0)).toBe("0");
    expect(formatPercentValue(1250)).toBe("12.5");
    expect(formatPercentValue(1)).toBe("0.01");
  });

  it("writes dates in format 102", () => {
    expect(formatDate102("2026-03-12")).toBe("20260312");
    expect(() => formatDate102("12/03/2026")).toThrow(RangeError);
  });

  it("escapes markup characters and drops characters XML cannot carry", () => {
    expect(escapeXml(`a & b < c > d "e"`)).toBe("a &amp; b &lt; c &gt; d &quot;e&quot;");
    expect(escapeXml("bell\u0007 tab\t")).toBe("bell tab\t");
    expect(escapeXml("l'œuvre")).toBe("l'œuvre");
  });
});

describe("every scenario", () => {
  for (const [name, make] of Object.entries(SCENARIOS)) {
    it(`${name}: produces CII and UBL with PMD, PMT and AAB exactly once, a due date and payment terms`, () => {
      const doc = make();
      const cii = toCii(doc);
      const ubl = toUbl(doc);
      for (const subject of ["PMD", "PMT", "AAB"]) {
        expect(countNotes(cii, subject)).toBe(1);
        expect(texts(ubl, "cbc:Note").filter((note) => note.startsWith(`#${subject}#`))).toHaveLength(1);
      }
      // BR-CO-25 is not in the validator's rule files: both must be present.
      expect(blocks(cii, "ram:DueDateDateTime")[0]).toContain(formatDate102(doc.payment.dueDate));
      expect(texts(cii, "ram:Description").some((text) => text === escapeXml(doc.payment.text))).toBe(true);
      const ublDue = doc.type === "credit_note" ? texts(ubl, "cbc:PaymentDueDate") : texts(ubl, "cbc:DueDate");
      expect(ublDue).toEqual([doc.payment.dueDate]);
      expect(blocks(ubl, "cac:PaymentTerms")[0]).toContain(escapeXml(doc.payment.text));
    });

    it(`${name}: writes every amount with two decimals and every quantity with at most four`, () => {
      const doc = make();
      const cii = toCii(doc);
      const ubl = toUbl(doc);
      // BT-146 (net unit price) may carry up to 4 decimals (BR-FR-DEC-03); every other amount 2.
      for (const value of [...texts(cii, "ram:ChargeAmount"), ...texts(ubl, "cbc:PriceAmount")]) expect(value).toMatch(/^\d+\.\d{2,4}$/);
      const ciiAmounts = ["ram:LineTotalAmount", "ram:ActualAmount", "ram:BasisAmount", "ram:CalculatedAmount", "ram:GrandTotalAmount", "ram:DuePayableAmount", "ram:TaxTotalAmount"].flatMap((n) => texts(cii, n));
      const ublAmounts = [...ubl.matchAll(/<([\w:]+)[^>]*currencyID="EUR">([^<]*)</g)].filter((m) => m[1] !== "cbc:PriceAmount").map((m) => m[2] ?? "");
      for (const value of [...ciiAmounts, ...ublAmounts]) expect(value).toMatch(/^-?\d+\.\d{2}$/);
      for (const value of [...texts(cii, "ram:BilledQuantity"), ...texts(ubl, "cbc:InvoicedQuantity"), ...texts(ubl, "cbc:CreditedQuantity")]) {
        expect(value).toMatch(/^-?\d+(\.\d{1,4})?$/);
      }
    });

    it(`${name}: states VAT per rate as the rounded rate times the taxable amount (not a sum of line VAT)`, () => {
      const doc = make();
      for (const tax of blocks(toCii(doc), "ram:ApplicableTradeTax").filter((block) => block.includes("ram:CalculatedAmount"))) {
        const base = texts(tax, "ram:BasisAmount")[0] ?? "";
        const rate = texts(tax, "ram:RateApplicablePercent")[0] ?? "0";
        const cents = BigInt(base.replace(".", ""));
        const [units = "0", fraction = ""] = rate.split(".");
        const basisPoints = BigInt(units) * 100n + BigInt(fraction.padEnd(2, "0"));
        expect(texts(tax, "ram:CalculatedAmount")[0]).toBe(formatAmount(Number(roundHalfUpDiv(cents * basisPoints, 10_000n))));
      }
    });
  }

  it("labels each document with its type code and billing mode", () => {
    const expected: Array<[DocumentSnapshot, string, string]> = [
      [b2bVatInvoice(), "380", "M1"],
      [b2bFranchiseInvoice(), "380", "S1"],
      [b2cInvoice(), "380", "M1"],
      [euReverseChargeInvoice(), "380", "S1"],
      [creditNote(), "381", "S1"],
      [depositInvoice(), "386", "S1"],
      [finalInvoiceAfterDeposit(), "380", "S4"],
    ];
    for (const [doc, typeCode, mode] of expected) {
      const cii = toCii(doc);
      const ubl = toUbl(doc);
      expect(texts(cii, "ram:TypeCode")[0]).toBe(typeCode);
      expect(blocks(cii, "ram:BusinessProcessSpecifiedDocumentContextParameter")[0]).toContain(`<ram:ID>${mode}</ram:ID>`);
      expect(texts(ubl, "cbc:ProfileID")).toEqual([mode]);
      expect(texts(ubl, doc.type === "credit_note" ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode")).toEqual([typeCode]);
    }
  });

  it("refuses to write a quote", () => {
    expect(() => toCii(sampleSnapshot({ type: "quote" }))).toThrow(/not an e-invoice/);
    expect(() => toUbl(sampleSnapshot({ type: "quote" }))).toThrow(/not an e-invoice/);
  });
});

describe("CII structure", () => {
  const cii = toCii(b2bVatInvoice());

  it("follows the XSD order of the main groups", () => {
    expectOrder(cii, [
      "rsm:ExchangedDocumentContext",
      "rsm:ExchangedDocument",
      "ram:IncludedSupplyChainTradeLineItem",
      "ram:ApplicableHeaderTradeAgreement",
      "ram:ApplicableHeaderTradeDelivery",
      "ram:ApplicableHeaderTradeSettlement",
    ]);
    expectOrder(cii, [
      "ram:PaymentReference",
      "ram:InvoiceCurrencyCode",
      "ram:SpecifiedTradeSettlementPaymentMeans",
      "ram:ApplicableTradeTax>\\s*<ram:CalculatedAmount",
      "ram:SpecifiedTradeAllowanceCharge>\\s*<ram:ChargeIndicator>\\s*<udt:Indicator>false</udt:Indicator>\\s*</ram:ChargeIndicator>\\s*<ram:CalculationPercent>5<",
      "ram:SpecifiedTradePaymentTerms",
      "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    ]);
  });

  it("follows the XSD order inside the seller party", () => {
    const seller = blocks(cii, "ram:SellerTradeParty")[0] ?? "";
    expectOrder(seller, ["ram:GlobalID", "ram:Name", "ram:Description", "ram:SpecifiedLegalOrganization", "ram:DefinedTradeContact", "ram:PostalTradeAddress", "ram:URIUniversalCommunication", "ram:SpecifiedTaxRegistration"]);
  });

  it("identifies the seller by SIREN (0002), SIRET (0009), VAT number and electronic address 0225", () => {
    const seller = blocks(cii, "ram:SellerTradeParty")[0] ?? "";
    expect(seller).toContain('<ram:ID schemeID="0002">123456782</ram:ID>');
    expect(seller).toContain('<ram:GlobalID schemeID="0009">12345678200010</ram:GlobalID>');
    expect(seller).toContain('<ram:ID schemeID="VA">FR11123456782</ram:ID>');
    expect(seller).toMatch(/<ram:URIID schemeID="0225">123456782[^<@]*<\/ram:URIID>/);
  });

  it("escapes the buyer's name", () => {
    expect(cii).toContain("<ram:Name>Maison Garnier &amp; Fils SA</ram:Name>");
    expect(cii).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
  });

  it("escapes markup typed in a line description", () => {
    const lines = b2bVatInvoice().lines.map((l, i) => (i === 0 ? { ...l, description: `<b>Audit</b> & "recette"` } : l));
    const xml = toCii(sampleSnapshot({ lines }));
    expect(xml).toContain("<ram:Name>&lt;b&gt;Audit&lt;/b&gt; &amp; &quot;recette&quot;</ram:Name>");
    expect(toUbl(sampleSnapshot({ lines }))).toContain("<cbc:Name>&lt;b&gt;Audit&lt;/b&gt; &amp; &quot;recette&quot;</cbc:Name>");
  });

  it("writes the line discount as a line allowance and the document discount per VAT rate", () => {
    const doc = b2bVatInvoice();
    const discounted = blocks(cii, "ram:IncludedSupplyChainTradeLineItem")[1] ?? "";
    expect(texts(discounted, "ram:ActualAmount")).toEqual([formatAmount(doc.totals.lines[1]?.discountCents ?? -1)]);
    expect(texts(discounted, "ram:LineTotalAmount")).toEqual([formatAmount(doc.totals.lines[1]?.netCents ?? -1)]);
    const headerAllowances = blocks(blocks(cii, "ram:ApplicableHeaderTradeSettlement")[0] ?? "", "ram:SpecifiedTradeAllowanceCharge");
    expect(headerAllowances).toHaveLength(doc.totals.allowances.length);
    expect(texts(cii, "ram:AllowanceTotalAmount")).toEqual([formatAmount(doc.totals.allowanceTotalCents)]);
  });

  it("declares the débits option as BT-8 code 5, and only when VAT is charged", () => {
    expect(texts(cii, "ram:DueDateTypeCode")).toContain("5");
    expect(texts(toCii(euReverseChargeInvoice()), "ram:DueDateTypeCode")).toEqual([]);
    expect(texts(toCii(sampleSnapshot({ seller: { vatOnDebits: false } })), "ram:DueDateTypeCode")).toEqual([]);
  });

  it("writes the delivery address and date, and the purchase order", () => {
    const shipTo = blocks(cii, "ram:ShipToTradeParty")[0] ?? "";
    expect(shipTo).toContain("<ram:LineOne>Entrepôt Nord, 8 rue des Docks</ram:LineOne>");
    expect(blocks(cii, "ram:ActualDeliverySupplyChainEvent")[0]).toContain("20260306");
    expect(blocks(cii, "ram:BuyerOrderReferencedDocument")[0]).toContain("PO-2026/4521");
    expect(toCii(creditNote())).not.toContain("ram:ShipToTradeParty");
  });

  it("writes no empty element for any document type (PEPPOL-EN16931-R008)", () => {
    for (const [name, make] of Object.entries(SCENARIOS)) {
      const xml = toCii(make());
      expect(xml.match(/<([\w:]+)(?: [^>]*)?>\s*<\/\1>|<[\w:]+(?: [^>]*)?\/>/g), name).toBeNull();
      // The header delivery group is mandatory in the CII schema: it always holds BT-72.
      expect(blocks(xml, "ram:ApplicableHeaderTradeDelivery")[0], name).toContain("ram:ActualDeliverySupplyChainEvent");
    }
  });

  it("dates a credit note's operation (BT-72) by the invoice it corrects, in CII and UBL", () => {
    // The corrected invoice had no separate delivery date: its operation is dated by its issue date.
    const plain = creditNote();
    expect(plain.issueDate).not.toBe(plain.precedingInvoice?.issueDate);
    expect(blocks(toCii(plain), "ram:ActualDeliverySupplyChainEvent")[0]).toContain(formatDate102(plain.precedingInvoice!.issueDate));
    expect(texts(toUbl(plain), "cbc:ActualDeliveryDate")).toEqual([plain.precedingInvoice!.issueDate]);
    // It had one: that date, not the invoice's issue date nor the credit note's.
    const delivered = { ...plain, precedingInvoice: { ...plain.precedingInvoice!, deliveryDate: "2026-03-02" } };
    expect(blocks(toCii(delivered), "ram:ActualDeliverySupplyChainEvent")[0]).toContain("20260302");
    expect(texts(toUbl(delivered), "cbc:ActualDeliveryDate")).toEqual(["2026-03-02"]);
  });

  it("dates a deposit invoice's operation (BT-72) by its issue date, unless the snapshot names the payment date", () => {
    const deposit = depositInvoice();
    expect(blocks(toCii(deposit), "ram:ActualDeliverySupplyChainEvent")[0]).toContain(formatDate102(deposit.issueDate));
    expect(texts(toUbl(deposit), "cbc:ActualDeliveryDate")).toEqual([deposit.issueDate]);
    const paidBefore = { ...deposit, deliveryDate: "2026-01-30" };
    expect(blocks(toCii(paidBefore), "ram:ActualDeliverySupplyChainEvent")[0]).toContain("20260130");
  });

  it("pays by SEPA transfer (58) to the seller's IBAN, and writes no payment means without one", () => {
    const means = blocks(cii, "ram:SpecifiedTradeSettlementPaymentMeans")[0] ?? "";
    expect(texts(means, "ram:TypeCode")).toEqual(["58"]);
    expect(texts(means, "ram:IBANID")).toEqual(["FR7630006000011234567890189"]);
    expect(toCii(b2cInvoice())).not.toContain("ram:SpecifiedTradeSettlementPaymentMeans");
  });
});

describe("French rules and VAT cases", () => {
  it("gives a seller without VAT number its SIREN as tax registration (BR-E-02) and states 293 B", () => {
    const doc = b2bFranchiseInvoice();
    const cii = toCii(doc);
    const seller = blocks(cii, "ram:SellerTradeParty")[0] ?? "";
    expect(seller).toContain('<ram:ID schemeID="FC">123456782</ram:ID>');
    expect(seller).not.toContain('schemeID="VA"');
    const tax = blocks(cii, "ram:ApplicableTradeTax").find((block) => block.includes("ram:CalculatedAmount")) ?? "";
    expect(texts(tax, "ram:CategoryCode")).toEqual(["E"]);
    expect(texts(tax, "ram:ExemptionReason")).toEqual([VAT_EXEMPTIONS.franchise.reason]);
    expect(texts(tax, "ram:ExemptionReasonCode")).toEqual([VAT_EXEMPTIONS.franchise.code]);
    const ubl = toUbl(doc);
    expect(ubl).toMatch(/<cac:PartyTaxScheme>\s*<cbc:CompanyID>123456782<\/cbc:CompanyID>\s*<cac:TaxScheme>\s*<cbc:ID>LOC<\/cbc:ID>/);
  });

  it("marks a French business buyer B2B with its SIREN and electronic address", () => {
    const cii = toCii(b2bVatInvoice());
    expect(blocks(cii, "ram:IncludedNote").find((note) => note.includes("<ram:SubjectCode>BAR<"))).toContain("<ram:Content>B2B</ram:Content>");
    const buyer = blocks(cii, "ram:BuyerTradeParty")[0] ?? "";
    expect(buyer).toContain('<ram:ID schemeID="0002">732829320</ram:ID>');
    expect(buyer).toContain('<ram:URIID schemeID="0225">732829320</ram:URIID>');
  });

  it("marks a consumer B2C and reaches it by email, without SIREN", () => {
    const cii = toCii(b2cInvoice());
    expect(blocks(cii, "ram:IncludedNote").find((note) => note.includes("<ram:SubjectCode>BAR<"))).toContain("<ram:Content>B2C</ram:Content>");
    const buyer = blocks(cii, "ram:BuyerTradeParty")[0] ?? "";
    expect(buyer).toContain('<ram:URIID schemeID="EM">lea.dupont@example.fr</ram:URIID>');
    expect(buyer).not.toContain("ram:SpecifiedLegalOrganization");
    expect(toUbl(b2cInvoice())).toContain('<cbc:EndpointID schemeID="EM">lea.dupont@example.fr</cbc:EndpointID>');
  });

  it("writes the EU reverse charge as AE with its exemption code, buyer VAT number and B2BINT", () => {
    const cii = toCii(euReverseChargeInvoice());
    expect(cii).toContain("<ram:Content>B2BINT</ram:Content>");
    expect(cii).toContain("<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>");
    expect(cii).toContain('<ram:ID schemeID="VA">DE123456789</ram:ID>');
    expect(texts(cii, "ram:TaxTotalAmount")).toEqual(["0.00"]);
  });

  it("writes an outside-scope (O) breakdown without any rate (BR-O-05)", () => {
    const outside = VAT_EXEMPTIONS.servicesOutsideEu;
    const lines = b2bVatInvoice().lines.map((l) => ({
      ...l,
      vat: { category: outside.category, rateBasisPoints: 0, exemptionCode: outside.code, exemptionReason: outside.reason },
    }));
    const doc = sampleSnapshot({ lines, allowances: [] });
    const cii = toCii(doc);
    for (const tax of blocks(cii, "ram:ApplicableTradeTax")) {
      expect(texts(tax, "ram:CategoryCode")).toEqual(["O"]);
      expect(tax).not.toContain("RateApplicablePercent");
    }
    expect(cii).toContain("<ram:ExemptionReasonCode>VATEX-EU-O</ram:ExemptionReasonCode>");
    expect(toUbl(doc)).not.toContain("cbc:Percent");
  });

  it("references the corrected invoice on a credit note (BT-25/26) in both syntaxes", () => {
    const doc = creditNote();
    const ref = blocks(toCii(doc), "ram:InvoiceReferencedDocument")[0] ?? "";
    expect(texts(ref, "ram:IssuerAssignedID")).toEqual(["F-2026-0007"]);
    expect(ref).toContain('<qdt:DateTimeString format="102">20260312</qdt:DateTimeString>');
    const ubl = toUbl(doc);
    expect(ubl).toMatch(/^<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/m);
    expect(blocks(ubl, "cac:InvoiceDocumentReference")[0]).toMatch(/<cbc:ID>F-2026-0007<\/cbc:ID>\s*<cbc:IssueDate>2026-03-12<\/cbc:IssueDate>/);
    expect(ubl).toContain("<cac:CreditNoteLine>");
    expect(ubl).not.toContain("<cbc:DueDate>");
  });

  it("deducts the deposit as a prepaid amount and references the deposit invoice", () => {
    const deposit = depositInvoice();
    const doc = finalInvoiceAfterDeposit();
    const cii = toCii(doc);
    expect(texts(cii, "ram:TotalPrepaidAmount")).toEqual([formatAmount(deposit.totals.taxInclusiveCents)]);
    expect(texts(cii, "ram:DuePayableAmount")).toEqual([formatAmount(doc.totals.taxInclusiveCents - deposit.totals.taxInclusiveCents)]);
    expect(texts(blocks(cii, "ram:InvoiceReferencedDocument")[0] ?? "", "ram:IssuerAssignedID")).toEqual([deposit.number]);
    const ubl = toUbl(doc);
    expect(texts(ubl, "cbc:PrepaidAmount")).toEqual([formatAmount(deposit.totals.taxInclusiveCents)]);
    expect(texts(ubl, "cbc:PayableAmount")).toEqual([formatAmount(doc.totals.dueCents)]);
  });

  it("gives a credit note without IBAN a payment means that still carries its due date", () => {
    const doc = { ...creditNote(), seller: { ...creditNote().seller, iban: null, bic: null } };
    const ubl = toUbl(doc);
    expect(texts(ubl, "cbc:PaymentMeansCode")).toEqual(["1"]);
    expect(texts(ubl, "cbc:PaymentDueDate")).toEqual([doc.payment.dueDate]);
    expect(toUbl(b2cInvoice())).not.toContain("cac:PaymentMeans");
  });
});

describe("the quote of a deposit or final invoice", () => {
  it("is a general-information note (BT-22, AAI) in CII and UBL, not a contract or order reference", () => {
    for (const doc of [depositInvoice(), finalInvoiceAfterDeposit()]) {
      expect(toCii(doc)).toContain("<ram:IncludedNote>\n      <ram:Content>Devis D-2026-0012 du 12/03/2026</ram:Content>\n      <ram:SubjectCode>AAI</ram:SubjectCode>");
      expect(toCii(doc)).not.toContain("ContractReferencedDocument");
      expect(toUbl(doc)).toContain("<cbc:Note>#AAI#Devis D-2026-0012 du 12/03/2026</cbc:Note>");
    }
    expect(toCii(b2bVatInvoice())).not.toContain("Devis D-");
  });
});

describe("UBL structure", () => {
  const ubl = toUbl(b2bVatInvoice());

  it("follows the XSD order of the Invoice", () => {
    expectOrder(ubl, [
      "cbc:CustomizationID",
      "cbc:ProfileID",
      "cbc:ID",
      "cbc:IssueDate",
      "cbc:DueDate",
      "cbc:InvoiceTypeCode",
      "cbc:Note",
      "cbc:DocumentCurrencyCode",
      "cac:InvoicePeriod",
      "cac:OrderReference",
      "cac:AccountingSupplierParty",
      "cac:AccountingCustomerParty",
      "cac:Delivery",
      "cac:PaymentMeans",
      "cac:PaymentTerms",
      "cac:AllowanceCharge",
      "cac:TaxTotal",
      "cac:LegalMonetaryTotal",
      "cac:InvoiceLine",
    ]);
  });

  it("follows the XSD order inside the supplier party", () => {
    const party = blocks(ubl, "cac:AccountingSupplierParty")[0] ?? "";
    expectOrder(party, ["cbc:EndpointID", "cac:PartyIdentification", "cac:PartyName", "cac:PostalAddress", "cac:PartyTaxScheme", "cac:PartyLegalEntity", "cac:Contact"]);
  });

  it("writes notes with their subject code and the débits option as DescriptionCode 3", () => {
    expect(texts(ubl, "cbc:Note")).toContain("#BAR#B2B");
    expect(blocks(ubl, "cac:InvoicePeriod")[0]).toContain("<cbc:DescriptionCode>3</cbc:DescriptionCode>");
  });

  it("states the same totals as the CII", () => {
    const doc = b2bVatInvoice();
    const cii = toCii(doc);
    expect(texts(ubl, "cbc:TaxInclusiveAmount")).toEqual(texts(cii, "ram:GrandTotalAmount"));
    expect(texts(ubl, "cbc:TaxExclusiveAmount")).toEqual(texts(cii, "ram:TaxBasisTotalAmount"));
    expect(texts(ubl, "cbc:LineExtensionAmount").slice(1)).toEqual(texts(cii, "ram:LineTotalAmount").slice(0, doc.lines.length));
  });
});

describe("fixtures", () => {
  it("use checksum-valid identifiers and 0225 addresses that start with the SIREN", () => {
    for (const make of Object.values(SCENARIOS)) {
      const { seller, buyer } = make();
      expect(isValidSiren(seller.siren)).toBe(true);
      expect(isValidSiret(seller.siret)).toBe(true);
      expect(seller.siret.startsWith(seller.siren)).toBe(true);
      if (seller.vatNumber) expect(isValidVatNumber(seller.vatNumber)).toBe(true);
      if (seller.iban) expect(isValidIban(seller.iban)).toBe(true);
      for (const party of [seller, buyer]) {
        const address = party.electronicAddress;
        if (address?.scheme === "0225") {
          expect(address.value.startsWith(party.siren ?? "?")).toBe(true);
          expect(address.value).not.toContain("@");
        }
      }
      if (buyer.siren) expect(isValidSiren(buyer.siren)).toBe(true);
      if (buyer.siret) expect(isValidSiret(buyer.siret)).toBe(true);
      if (buyer.vatNumber) expect(isValidVatNumber(buyer.vatNumber)).toBe(true);
    }
  });

  it("carry the totals computeTotals gives for their lines", () => {
    for (const make of Object.values(SCENARIOS)) {
      const doc = make();
      const result = computeTotals({
        vatDate: doc.issueDate,
        lines: doc.lines.map((l) => ({
          quantity: l.quantity,
          unitPriceCents: l.unitPriceCents,
          unitPriceE4: l.unitPriceE4 ?? null,
          ...(l.discount ? { discount: l.discount } : {}),
          vat: {
            category: l.vat.category,
            rateBasisPoints: l.vat.rateBasisPoints,
            ...(l.vat.exemptionCode ? { exemptionCode: l.vat.exemptionCode } : {}),
          },
        })),
        allowances: doc.allowances,
        prepaidCents: doc.deductedDeposits.reduce((sum, d) => sum + d.amountCents, 0),
      });
      expect(result.ok && result.totals).toEqual(doc.totals);
    }
  });

  it("recompute totals and mentions in sampleSnapshot when the lines or parties change", () => {
    const base = sampleSnapshot();
    const fewer = sampleSnapshot({ lines: base.lines.slice(0, 1), allowances: [] });
    expect(fewer.totals.lineNetTotalCents).toBe(base.lines[0]?.unitPriceCents);
    expect(fewer.operationCategory).toBe("services");
    const individual = sampleSnapshot({ buyer: { kind: "individual", siren: null, siret: null, vatNumber: null } });
    expect(individual.payment.recoveryIndemnity).toContain("sans objet");
    expect(individual.mentions.some((m) => m.startsWith("SIREN du client"))).toBe(false);
  });
});

describe("unit prices with up to 4 decimals", () => {
  it("writes BT-146 with its 3 or 4 decimals and the line nets rounded half up to the cent", () => {
    const doc = SCENARIOS.subCentPrices();
    const cii = toCii(doc);
    const ubl = toUbl(doc);
    expect(texts(cii, "ram:ChargeAmount")).toEqual(["3.333", "0.0125", "0.0125", "650.00"]);
    // 2.5 × 3.333 = 8.3325 → 8.33; 1000 × 0.0125 = 12.50; 3 × 0.0125 = 0.0375 → 0.04.
    expect(texts(cii, "ram:LineTotalAmount").slice(0, 4)).toEqual(["8.33", "12.50", "0.04", "650.00"]);
    expect(texts(ubl, "cbc:PriceAmount")).toEqual(["3.333", "0.0125", "0.0125", "650.00"]);
  });

  it("writes a whole-cent price exactly as before, with two decimals", () => {
    expect(texts(toCii(SCENARIOS.b2bVat()), "ram:ChargeAmount")).toEqual(["2400.00", "450.00", "65.00", "32.50"]);
  });
});
