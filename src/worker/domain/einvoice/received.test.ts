/**
 * The reader of received invoices: every fixture scenario written by Factumo's own CII and UBL
 * writers reads back to the snapshot's figures (an independent writer and reader agreeing on
 * EN 16931), a Factur-X PDF gives up its embedded XML, and hostile input only ever produces a
 * ReceivedInvoiceError.
 */
import fc from "fast-check";
import { AFRelationship, PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { SCENARIOS, b2bVatInvoice, creditNote } from "../../../../test/fixtures/documents.ts";
import type { DocumentSnapshot } from "../document.ts";
import { toCii } from "./cii.ts";
import {
  amountToCents,
  extractEmbeddedXml,
  MAX_RECEIVED_XML_BYTES,
  parseInvoiceXml,
  parseReceivedFile,
  rateToBasisPoints,
  ReceivedInvoiceError,
  type ReceivedInvoice,
} from "./received.ts";
import { toUbl } from "./ubl.ts";

const encoder = new TextEncoder();

function expectMatchesSnapshot(read: ReceivedInvoice, doc: DocumentSnapshot): void {
  expect(read.number).toBe(doc.number);
  expect(read.issueDate).toBe(doc.issueDate);
  expect(read.currency).toBe("EUR");
  expect(read.supplier.siren).toBe(doc.seller.siren);
  expect(read.supplier.name).toBe(doc.seller.name);
  expect(read.supplier.vatNumber).toBe(doc.seller.vatNumber ?? null);
  expect(read.buyer.name).toBe(doc.buyer.name);
  expect(read.taxExclusiveCents).toBe(doc.totals.taxExclusiveCents);
  expect(read.vatCents).toBe(doc.totals.vatTotalCents);
  expect(read.taxInclusiveCents).toBe(doc.totals.taxInclusiveCents);
  expect(read.payableCents).toBe(doc.totals.dueCents);
  expect(read.lines).toHaveLength(doc.lines.length);
  expect(read.lines.map((l) => l.netCents)).toEqual(doc.totals.lines.map((l) => l.netCents));
  expect(read.vat.map((v) => [v.category, v.rateBasisPoints, v.baseCents, v.vatCents]).sort()).toEqual(
    doc.totals.vatBreakdown.map((v) => [v.category, v.rateBasisPoints, v.taxableCents, v.vatCents]).sort(),
  );
  expect(read.dueDate).toBe(doc.payment.dueDate);
  expect(read.iban).toBe(doc.seller.iban ? doc.seller.iban.replace(/\s/g, "") : null);
}

async function facturXPdf(xml: string, name = "factur-x.xml"): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.addPage();
  await pdf.attach(encoder.encode(xml), name, { mimeType: "text/xml", afRelationship: AFRelationship.Data });
  return pdf.save();
}

describe("parseInvoiceXml", () => {
  for (const [name, make] of Object.entries(SCENARIOS)) {
    it(`reads back Factumo's CII for ${name}`, () => {
      const doc = make();
      const read = parseInvoiceXml(toCii(doc));
      expect(read.syntax).toBe("CII");
      expectMatchesSnapshot(read, doc);
    });
    it(`reads back Factumo's UBL for ${name}`, () => {
      const doc = make();
      const read = parseInvoiceXml(toUbl(doc));
      expect(read.syntax).toBe("UBL");
      expectMatchesSnapshot(read, doc);
    });
  }

  it("reads a credit note's type code in both syntaxes", () => {
    expect(parseInvoiceXml(toCii(creditNote())).typeCode).toBe("381");
    expect(parseInvoiceXml(toUbl(creditNote())).typeCode).toBe("381");
  });

  it("reads the SIREN from a SIRET or a French VAT number when no 0002 id is given", () => {
    const xml = `<Invoice xmlns:cbc="c" xmlns:cac="a"><cbc:ID>X1</cbc:ID><cbc:IssueDate>2026-10-01</cbc:IssueDate>
      <cac:AccountingSupplierParty><cac:Party><cac:PartyIdentification><cbc:ID schemeID="0009">73282932000074</cbc:ID></cac:PartyIdentification>
      <cac:PartyLegalEntity><cbc:RegistrationName>Fournisseur</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
      <cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount>10.004</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount>12.005</cbc:TaxInclusiveAmount></cac:LegalMonetaryTotal></Invoice>`;
    const read = parseInvoiceXml(xml);
    expect(read.supplier).toMatchObject({ siren: "732829320", siret: "73282932000074", name: "Fournisseur" });
    expect(read.taxExclusiveCents).toBe(1000);
    expect(read.taxInclusiveCents).toBe(1201);
    expect(read.vatCents).toBe(201);
    const viaVat = xml.replace(/<cac:PartyIdentification>.*?<\/cac:PartyIdentification>/s, "<cac:PartyTaxScheme><cbc:CompanyID>FR44732829320</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>");
    expect(parseInvoiceXml(viaVat).supplier).toMatchObject({ siren: "732829320", vatNumber: "FR44732829320" });
  });

  it("refuses a document without number, date or totals, with the field named", () => {
    const xml = toCii(b2bVatInvoice());
    expect(() => parseInvoiceXml(xml.replace(/<ram:GrandTotalAmount[^>]*>[^<]*<\/ram:GrandTotalAmount>/, ""))).toThrow(/total including VAT/);
    expect(() => parseInvoiceXml(xml.replace(/(<rsm:ExchangedDocument>\s*)<ram:ID>[^<]*<\/ram:ID>/, "$1"))).toThrow(/invoice number/);
  });

  it("refuses XXE, entity expansion, another root and oversized XML", () => {
    const codeOf = (xml: string) => {
      try {
        parseInvoiceXml(xml);
        return "parsed";
      } catch (error) {
        return (error as ReceivedInvoiceError).code;
      }
    };
    expect(codeOf('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice><ID>&x;</ID></Invoice>')).toBe("unreadable");
    expect(codeOf("<Order/>")).toBe("not_invoice");
    expect(codeOf(" ")).toBe("empty");
    expect(codeOf(`<Invoice>${" ".repeat(MAX_RECEIVED_XML_BYTES)}</Invoice>`)).toBe("too_large");
  });

  it("only ever throws ReceivedInvoiceError on mutated invoices (fuzz)", () => {
    const valid = toUbl(b2bVatInvoice());
    fc.assert(
      fc.property(fc.nat(valid.length), fc.nat(80), fc.string({ maxLength: 30 }), (at, cut, insert) => {
        const text = valid.slice(0, at) + insert + valid.slice(at + cut);
        try {
          const read = parseInvoiceXml(text);
          expect(Number.isSafeInteger(read.taxInclusiveCents)).toBe(true);
          expect(read.number.length).toBeLessThanOrEqual(100);
        } catch (error) {
          expect(error).toBeInstanceOf(ReceivedInvoiceError);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("parseReceivedFile", () => {
  it("extracts factur-x.xml from a PDF and reads it as Factur-X", async () => {
    const doc = b2bVatInvoice();
    const { invoice, xml } = await parseReceivedFile(await facturXPdf(toCii(doc)));
    expect(invoice.syntax).toBe("Factur-X");
    expect(xml).toBe(toCii(doc));
    expectMatchesSnapshot(invoice, doc);
  });

  it("accepts the ZUGFeRD file name, and says no_xml for a plain PDF (a scan)", async () => {
    expect((await parseReceivedFile(await facturXPdf(toCii(b2bVatInvoice()), "zugferd-invoice.xml"))).invoice.number).toBe(b2bVatInvoice().number);
    const plain = await PDFDocument.create();
    plain.addPage();
    await expect(parseReceivedFile(await plain.save())).rejects.toMatchObject({ code: "no_xml" });
    await expect(parseReceivedFile(await facturXPdf(toCii(b2bVatInvoice()), "notes.xml"))).rejects.toMatchObject({ code: "no_xml" });
  });

  it("stops inflating an embedded stream past 5 MB (a compression bomb)", async () => {
    const bomb = await facturXPdf(`<a>${" ".repeat(MAX_RECEIVED_XML_BYTES + 10)}</a>`);
    expect(bomb.length).toBeLessThan(200_000);
    await expect(extractEmbeddedXml(bomb)).rejects.toMatchObject({ code: "too_large" });
  });

  it("reads raw CII and UBL bytes, and refuses empty files", async () => {
    expect((await parseReceivedFile(encoder.encode(toUbl(b2bVatInvoice())))).invoice.syntax).toBe("UBL");
    await expect(parseReceivedFile(new Uint8Array())).rejects.toMatchObject({ code: "empty" });
  });

  it("only ever throws ReceivedInvoiceError on random and truncated bytes", async () => {
    const pdf = await facturXPdf(toCii(b2bVatInvoice()));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.nat(pdf.length).map((n) => pdf.subarray(0, n))), async (bytes) => {
        try {
          await parseReceivedFile(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ReceivedInvoiceError);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("number readers", () => {
  it("rounds amounts half up beyond 2 decimals without floats", () => {
    expect(amountToCents("0.005")).toBe(1);
    expect(amountToCents("0.0049")).toBe(0);
    expect(amountToCents("-12.345")).toBe(-1235);
    expect(amountToCents("1e3")).toBeNull();
    expect(amountToCents("12,50")).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const abs = Math.abs(cents);
        expect(amountToCents(`${cents < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`)).toBe(cents);
      }),
    );
    expect(rateToBasisPoints("5.50")).toBe(550);
    expect(rateToBasisPoints("2.1")).toBe(210);
  });
});
