/**
 * CDAR statuses: structure and rules checked here (workerd cannot spawn the validator); every
 * scenario of test/fixtures/cdar.ts and 40 random inputs of the same generator also go through
 * ../shared/einvoice/validate.mjs in scripts/validate-einvoices.mjs (0 errors required).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CDAR_SCENARIOS, cdarInputArb } from "../../../../test/fixtures/cdar.ts";
import {
  ALL_REASON_CODES,
  buildCdar,
  CDAR_CODES,
  CDAR_RULES,
  CdarError,
  type CdarInput,
  formatDateTime204,
  parseCdar,
  parseDecimalCents,
  parsePercentBasisPoints,
  PPF_RECIPIENT_ID,
} from "./cdar.ts";
import { all, first, readXml, textOf } from "./xml-read.ts";

function scenario(name: string): CdarInput {
  const make = CDAR_SCENARIOS[name];
  if (!make) throw new Error(`no scenario ${name}`);
  return make();
}

function tree(input: CdarInput) {
  return readXml(buildCdar(input));
}

describe("buildCdar", () => {
  it("has a scenario for every status code 200–213", () => {
    const codes = new Set(Object.values(CDAR_SCENARIOS).map((make) => make().code));
    expect([...codes].sort()).toEqual([...CDAR_CODES]);
  });

  it("writes the invoice reference: BT-1, BT-2 (format 102), status code, label, seller SIREN 0002", () => {
    const root = tree(scenario("s205"));
    const ref = first(root, "AcknowledgementDocument", "ReferenceReferencedDocument");
    expect(textOf(ref, "IssuerAssignedID")).toBe("F-2026-0042");
    expect(first(ref, "FormattedIssueDateTime", "DateTimeString")?.attrs.format).toBe("102");
    expect(textOf(ref, "FormattedIssueDateTime", "DateTimeString")).toBe("20261001");
    expect(textOf(ref, "ProcessConditionCode")).toBe("205");
    expect(textOf(ref, "ProcessCondition")).toBe("Approuvée");
    expect(textOf(ref, "StatusCode")).toBe("1");
    expect(first(ref, "IssuerTradeParty", "GlobalID")?.attrs.schemeID).toBe("0002");
    expect(textOf(ref, "IssuerTradeParty", "GlobalID")).toBe("100000009");
  });

  it("uses TypeCode 305 and issuer WK for platform statuses, 23 with the party's SIREN otherwise", () => {
    for (const code of CDAR_CODES) {
      const input = Object.values(CDAR_SCENARIOS).map((make) => make()).find((candidate) => candidate.code === code)!;
      const root = tree(input);
      const rule = CDAR_RULES[code];
      const issuer = first(root, "ExchangedDocument", "IssuerTradeParty");
      expect(textOf(root, "AcknowledgementDocument", "TypeCode"), `status ${code}`).toBe(rule.emitter === "platform" ? "305" : "23");
      const role = { platform: "WK", buyer: "BY", seller: "SE" }[rule.emitter];
      expect(textOf(issuer, "RoleCode")).toBe(role);
      if (rule.emitter === "buyer") expect(textOf(issuer, "GlobalID")).toBe(input.buyer.siren);
      if (rule.emitter === "seller") expect(textOf(issuer, "GlobalID")).toBe(input.seller.siren);
      if (rule.emitter === "platform") expect(first(issuer, "GlobalID")).toBeNull();
    }
  });

  it("addresses the counterparty with its 0225 address, and adds the PPF (0238, DFH) to mandatory statuses only", () => {
    for (const code of CDAR_CODES) {
      const input = Object.values(CDAR_SCENARIOS).map((make) => make()).find((candidate) => candidate.code === code)!;
      const recipients = all(tree(input), "ExchangedDocument", "RecipientTradeParty");
      const ppf = recipients.filter((r) => textOf(r, "RoleCode") === "DFH");
      expect(ppf.length, `status ${code}`).toBe(CDAR_RULES[code].mandatory ? 1 : 0);
      for (const r of ppf) {
        expect(textOf(r, "GlobalID")).toBe(PPF_RECIPIENT_ID);
        expect(first(r, "GlobalID")?.attrs.schemeID).toBe("0238");
      }
      for (const r of recipients.filter((x) => textOf(x, "RoleCode") !== "DFH")) {
        // BR-FR-CDV-08: a recipient that is not a platform needs an electronic address.
        expect(first(r, "URIUniversalCommunication", "URIID")?.attrs.schemeID).toBe("0225");
      }
      const roles = recipients.map((r) => textOf(r, "RoleCode"));
      if (CDAR_RULES[code].emitter === "buyer") expect(roles[0]).toBe("SE");
      if (CDAR_RULES[code].emitter === "seller") expect(roles[0]).toBe("BY");
    }
  });

  it("puts the seller's status address in the recipient when it has one, else its SIREN", () => {
    const recipient = first(tree(scenario("s210")), "ExchangedDocument", "RecipientTradeParty");
    expect(textOf(recipient, "URIUniversalCommunication", "URIID")).toBe("100000009_STATUTS");
    const toBuyer = first(tree(scenario("s212")), "ExchangedDocument", "RecipientTradeParty");
    expect(textOf(toBuyer, "URIUniversalCommunication", "URIID")).toBe("732829320");
  });

  it("writes a refusal's reason code and text, with the sequence number V1.4 requires", () => {
    const status = first(tree(scenario("s210")), "AcknowledgementDocument", "ReferenceReferencedDocument", "SpecifiedDocumentStatus");
    expect(textOf(status, "ReasonCode")).toBe("TX_TVA_ERR");
    expect(textOf(status, "Reason")).toBe("Taux de TVA erroné");
    expect(textOf(status, "SequenceNumeric")).toBe("1");
  });

  it("writes 211 as one MPA amount with its date", () => {
    const status = first(tree(scenario("s211")), "AcknowledgementDocument", "ReferenceReferencedDocument", "SpecifiedDocumentStatus");
    const chars = all(status, "SpecifiedDocumentCharacteristic");
    expect(chars).toHaveLength(1);
    expect(textOf(chars[0], "TypeCode")).toBe("MPA");
    expect(textOf(chars[0], "ValueAmount")).toBe("1234.56");
    expect(first(chars[0], "ValueAmount")?.attrs.currencyID).toBe("EUR");
    expect(textOf(chars[0], "ValueDateTime", "DateTimeString")).toBe("20261030");
  });

  it("writes 212 as one MEN characteristic per VAT rate, with amount and percentage", () => {
    const status = first(tree(scenario("s212multi")), "AcknowledgementDocument", "ReferenceReferencedDocument", "SpecifiedDocumentStatus");
    const chars = all(status, "SpecifiedDocumentCharacteristic");
    expect(chars.map((c) => [textOf(c, "TypeCode"), textOf(c, "ValuePercent"), textOf(c, "ValueAmount")])).toEqual([
      ["MEN", "20", "240.01"],
      ["MEN", "10", "1.10"],
      ["MEN", "5.5", "10.55"],
    ]);
  });

  it("escapes names and reasons", () => {
    const xml = buildCdar(scenario("s207"));
    expect(xml).toContain("Vendeur &amp; Fils");
    expect(xml).toContain("Acheteuse &lt;SARL&gt;");
    expect(xml).not.toContain("<SARL>");
  });

  it("writes date-times as AAAAMMJJHHMMSS in UTC", () => {
    expect(formatDateTime204(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe("20260102030405");
  });
});

describe("buildCdar refuses what the rules refuse", () => {
  const cases: Array<[string, CdarInput, CdarError["code"]]> = [
    ["a refusal without reason code", { ...scenario("s210"), reasonCode: undefined }, "reason_required"],
    ["a refusal with a reason meant for disputes", { ...scenario("s210"), reasonCode: "AUTRE" }, "bad_reason"],
    ["a dispute without reason", { ...scenario("s207"), reasonCode: undefined }, "reason_required"],
    ["a rejection without reason", { ...scenario("s213"), reasonCode: undefined }, "reason_required"],
    ["an invented reason code on an approval", { ...scenario("s205"), reasonCode: "PAS_ENVIE" }, "bad_reason"],
    ["211 without amount", { ...scenario("s211"), amountCents: undefined }, "amount_required"],
    ["211 with a zero amount", { ...scenario("s211"), amountCents: 0 }, "amount_required"],
    ["211 with fractional cents", { ...scenario("s211"), amountCents: 1.5 }, "amount_required"],
    ["212 without per-rate amounts", { ...scenario("s212"), collected: [] }, "collected_required"],
    [
      "212 with one rate twice",
      { ...scenario("s212"), collected: [{ rateBasisPoints: 2000, amountCents: 1 }, { rateBasisPoints: 2000, amountCents: 2 }] },
      "collected_required",
    ],
    ["a code outside 200–213", { ...scenario("s205"), code: 214 as never }, "bad_code"],
    ["a bad seller SIREN", { ...scenario("s205"), seller: { siren: "123456789", name: "X" } }, "bad_party"],
    ["an address with a space", { ...scenario("s205"), seller: { siren: "100000009", name: "X", address: "a b" } }, "bad_party"],
    ["an empty invoice number", { ...scenario("s205"), invoice: { number: "  ", issueDate: "2026-10-01" } }, "bad_invoice"],
    ["an impossible date", { ...scenario("s205"), invoice: { number: "F1", issueDate: "2026-02-30" } }, "bad_invoice"],
  ];
  for (const [label, input, code] of cases) {
    it(`refuses ${label} (${code})`, () => {
      expect(() => buildCdar(input)).toThrow(expect.objectContaining({ code }));
    });
  }
});

describe("parseCdar", () => {
  it("reads back every scenario", () => {
    for (const make of Object.values(CDAR_SCENARIOS)) {
      const input = make();
      const parsed = parseCdar(buildCdar(input));
      expect(parsed.code).toBe(input.code);
      expect(parsed.invoiceNumber).toBe(input.invoice.number);
      expect(parsed.invoiceDate).toBe(input.invoice.issueDate);
      expect(parsed.sellerSiren).toBe(input.seller.siren);
      expect(parsed.reasonCode).toBe(input.reasonCode ?? null);
      expect(parsed.at).toBe(Math.floor(input.at / 1000) * 1000);
    }
  });

  it("reads the annex B shapes: whole-euro amounts, a BOM, comments, rates written 20.00", () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="urn:x" xmlns:ram="urn:y" xmlns:udt="urn:z" xmlns:qdt="urn:q">
 <rsm:ExchangedDocument><ram:IssuerTradeParty><ram:GlobalID schemeID="0002">100000009</ram:GlobalID><ram:RoleCode>SE</ram:RoleCode></ram:IssuerTradeParty></rsm:ExchangedDocument>
 <rsm:AcknowledgementDocument><ram:TypeCode>23</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="204">20250802100000</udt:DateTimeString></ram:IssueDateTime>
  <ram:ReferenceReferencedDocument><ram:IssuerAssignedID>F202500003</ram:IssuerAssignedID><!-- MDT-87 -->
   <ram:FormattedIssueDateTime><qdt:DateTimeString format="102">20250701</qdt:DateTimeString></ram:FormattedIssueDateTime>
   <ram:ProcessConditionCode>212</ram:ProcessConditionCode>
   <ram:IssuerTradeParty><ram:GlobalID schemeID="0002">100000009</ram:GlobalID></ram:IssuerTradeParty>
   <ram:SpecifiedDocumentStatus><ram:SpecifiedDocumentCharacteristic><ram:TypeCode>MEN</ram:TypeCode>
    <ram:ValueAmount currencyID="EUR">12000</ram:ValueAmount><ram:ValuePercent>20.00</ram:ValuePercent></ram:SpecifiedDocumentCharacteristic></ram:SpecifiedDocumentStatus>
  </ram:ReferenceReferencedDocument></rsm:AcknowledgementDocument>
</rsm:CrossDomainAcknowledgementAndResponse>`;
    const parsed = parseCdar(xml);
    expect(parsed).toMatchObject({ code: 212, invoiceNumber: "F202500003", invoiceDate: "2025-07-01", issuerRole: "SE" });
    expect(parsed.collected).toEqual([{ amountCents: 1_200_000, rateBasisPoints: 2000 }]);
    expect(parsed.at).toBe(Date.UTC(2025, 7, 2, 10, 0, 0));
  });

  it("refuses what is not a status: another root, no code, a DTD, garbage", () => {
    expect(() => parseCdar("<Invoice/>")).toThrow(CdarError);
    expect(() => parseCdar("<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm='x'/>")).toThrow(CdarError);
    expect(() => parseCdar('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).toThrow(CdarError);
    expect(() => parseCdar("%PDF-1.7")).toThrow(CdarError);
  });

  it("only ever throws CdarError on arbitrary and mutated input", () => {
    const valid = buildCdar(scenario("s212multi"));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.tuple(fc.nat(valid.length), fc.nat(60), fc.string({ maxLength: 20 }))), (sample) => {
        const text = typeof sample === "string" ? sample : valid.slice(0, sample[0]) + sample[2] + valid.slice(sample[0] + sample[1]);
        try {
          const parsed = parseCdar(text);
          expect(parsed.invoiceNumber.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(CdarError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("properties", () => {
  it("every generated valid input builds, and reads back to the same code, invoice, parties and amounts", () => {
    fc.assert(
      fc.property(cdarInputArb, (input) => {
        const parsed = parseCdar(buildCdar(input));
        expect(parsed.code).toBe(input.code);
        expect(parsed.invoiceNumber).toBe(input.invoice.number);
        expect(parsed.invoiceDate).toBe(input.invoice.issueDate);
        expect(parsed.sellerSiren).toBe(input.seller.siren);
        expect(parsed.reasonCode).toBe(input.reasonCode ?? null);
        expect(parsed.reason).toBe(input.reason?.trim() || null);
        expect(parsed.amountCents).toBe(input.code === 211 ? input.amountCents : null);
        const collected = [...(input.collected ?? [])].sort((a, b) => b.rateBasisPoints - a.rateBasisPoints);
        expect(parsed.collected).toEqual(input.code === 212 ? collected : []);
      }),
      { numRuns: 300 },
    );
  });

  it("a reason is required exactly for 206, 207, 208, 210 and 213", () => {
    expect(CDAR_CODES.filter((code) => CDAR_RULES[code].reasonCodes.length > 0)).toEqual([206, 207, 208, 210, 213]);
    for (const code of CDAR_CODES) for (const reason of CDAR_RULES[code].reasonCodes) expect(ALL_REASON_CODES).toContain(reason);
  });

  it("parses decimals to cents without floats, and refuses more than 2 decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const abs = Math.abs(cents);
        const text = `${cents < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
        expect(parseDecimalCents(text)).toBe(cents === 0 ? 0 : cents);
      }),
    );
    expect(parseDecimalCents("12000")).toBe(1_200_000);
    expect(parseDecimalCents("1.005")).toBeNull();
    expect(parseDecimalCents("1,50")).toBeNull();
    expect(parseDecimalCents("1e5")).toBeNull();
    expect(parsePercentBasisPoints("5.5")).toBe(550);
    expect(parsePercentBasisPoints("20.00")).toBe(2000);
    expect(parsePercentBasisPoints("101")).toBeNull();
  });
});
