/**
 * E-reporting: periods, deadlines, aggregation (properties) and the file shapes. Every scenario of
 * test/fixtures/ereporting.ts also goes through validate.mjs in scripts/validate-einvoices.mjs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EREPORTING_SCENARIOS } from "../../../../test/fixtures/ereporting.ts";
import { allocateProportionally } from "../money.ts";
import { aggregatePayments, aggregateTransactions, deadlineOf, ereportingDeadlinesBetween, ereportingDeadlineToRemind, foreignBuyerId, internationalPaymentParts, nextPeriod, periodOf, periodsUntil, senderOf, type B2cSaleLine } from "./ereporting.ts";
import { all, first, readXml, textOf } from "./xml-read.ts";

const dayArb = fc.integer({ min: Date.UTC(2027, 0, 1), max: Date.UTC(2032, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10));

describe("periods", () => {
  it("cuts the franchise year in six two-month periods and the VAT year in months", () => {
    expect(periodOf("2027-09-15", "franchise")).toEqual({ start: "2027-09-01", end: "2027-10-31" });
    expect(periodOf("2027-10-31", "franchise")).toEqual({ start: "2027-09-01", end: "2027-10-31" });
    expect(periodOf("2028-02-29", "franchise")).toEqual({ start: "2028-01-01", end: "2028-02-29" });
    expect(periodOf("2027-12-01", "vat")).toEqual({ start: "2027-12-01", end: "2027-12-31" });
    expect(deadlineOf(periodOf("2027-09-15", "franchise"))).toBe("2027-11-30");
    expect(deadlineOf(periodOf("2027-11-15", "franchise"))).toBe("2028-01-31");
    expect(periodsUntil("2027-08-31", "franchise")).toEqual([]);
    expect(periodsUntil("2027-11-01", "franchise").map((p) => p.start)).toEqual(["2027-09-01", "2027-11-01"]);
  });

  it("every day is in exactly one period, and periods follow each other without gap (property)", () => {
    fc.assert(
      fc.property(dayArb, fc.constantFrom("franchise" as const, "vat" as const), (day, regime) => {
        const p = periodOf(day, regime);
        expect(p.start <= day && day <= p.end).toBe(true);
        const n = nextPeriod(p, regime);
        const after = new Date(`${p.end}T00:00:00Z`);
        after.setUTCDate(after.getUTCDate() + 1);
        expect(n.start).toBe(after.toISOString().slice(0, 10));
        expect(deadlineOf(p) > p.end).toBe(true);
      }),
    );
  });
});

describe("aggregation", () => {
  const lineArb = fc.record({
    documentId: fc.constantFrom("a", "b", "c", "d"),
    date: fc.constantFrom("2027-09-01", "2027-09-02", "2027-10-31", "2027-11-01"),
    category: fc.constantFrom("TPS1" as const, "TLB1" as const),
    rateBasisPoints: fc.constantFrom(0, 550, 2000),
    taxExclusiveCents: fc.integer({ min: -100_000, max: 1_000_000 }),
    vatCents: fc.integer({ min: -20_000, max: 200_000 }),
  });

  it("keeps every cent of the period and nothing outside it; per-rate subtotals add up to the block (property)", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 30 }), (lines: B2cSaleLine[]) => {
        const period = periodOf("2027-09-10", "franchise");
        const blocks = aggregateTransactions(lines, period);
        const inside = lines.filter((l) => l.date <= period.end);
        expect(blocks.reduce((s, b) => s + b.taxExclusiveCents, 0)).toBe(inside.reduce((s, l) => s + l.taxExclusiveCents, 0));
        expect(blocks.reduce((s, b) => s + b.vatCents, 0)).toBe(inside.reduce((s, l) => s + l.vatCents, 0));
        for (const b of blocks) {
          expect(b.subtotals.reduce((s, x) => s + x.taxableCents, 0)).toBe(b.taxExclusiveCents);
          expect(new Set(b.subtotals.map((x) => x.rateBasisPoints)).size).toBe(b.subtotals.length);
        }
        const payments = aggregatePayments(lines.map((l) => ({ date: l.date, rateBasisPoints: l.rateBasisPoints, amountCents: l.taxExclusiveCents })), period);
        expect(payments.flatMap((p) => p.subtotals).reduce((s, x) => s + x.amountCents, 0)).toBe(inside.reduce((s, l) => s + l.taxExclusiveCents, 0));
      }),
    );
  });

  it("counts documents, not lines, per day and category", () => {
    const blocks = aggregateTransactions(
      [
        { documentId: "v1", date: "2027-09-03", category: "TPS1", rateBasisPoints: 2000, taxExclusiveCents: 100, vatCents: 20 },
        { documentId: "v1", date: "2027-09-03", category: "TPS1", rateBasisPoints: 550, taxExclusiveCents: 100, vatCents: 6 },
      ],
      periodOf("2027-09-03", "vat"),
    );
    expect(blocks).toEqual([{ date: "2027-09-03", category: "TPS1", taxExclusiveCents: 200, vatCents: 26, count: 1, subtotals: [{ rateBasisPoints: 2000, taxableCents: 100, vatCents: 20 }, { rateBasisPoints: 550, taxableCents: 100, vatCents: 6 }] }]);
  });
});

describe("files", () => {
  it("writes unqualified <Report> files with AAAAMMJJ dates, 2-decimal amounts and the declarant's SIREN (0002, SE)", () => {
    const root = readXml(EREPORTING_SCENARIOS.franchiseTransactions!());
    expect(root.name).toBe("Report");
    expect(textOf(root, "ReportDocument", "TypeCode")).toBe("IN");
    expect(first(root, "ReportDocument", "Issuer", "Id")?.attrs.schemeId).toBe("0002");
    expect(textOf(root, "ReportDocument", "IssueDateTime", "DateTimeString")).toMatch(/^\d{14}$/);
    expect(textOf(root, "TransactionsReport", "ReportPeriod", "StartDate")).toBe("20270901");
    const blocks = all(root, "TransactionsReport", "Transactions");
    expect(blocks.map((b) => [textOf(b, "Date"), textOf(b, "CategoryCode"), textOf(b, "TaxExclusiveAmount"), textOf(b, "TransactionsCount")])).toEqual([
      ["20270915", "TPS1", "450.00", "2"],
      ["20271020", "TLB1", "120.00", "1"],
    ]);
    const re = readXml(EREPORTING_SCENARIOS.replacement!());
    expect(textOf(re, "ReportDocument", "TypeCode")).toBe("RE");
    expect(readXml(EREPORTING_SCENARIOS.vatPayments!()).children[1]?.name).toBe("PaymentsReport");
  });
});

describe("10.1 / 10.2", () => {
  it("writes one Invoice block per international sale before the 10.3 days, and 10.2 per invoice before 10.4", () => {
    const root = readXml(EREPORTING_SCENARIOS.internationalWithB2c!());
    const tr = first(root, "TransactionsReport")!;
    expect(tr.children.map((c) => c.name)).toEqual(["ReportPeriod", "Invoice", "Invoice", "Invoice", "Transactions", "Transactions"]);
    const [de, credit] = all(root, "TransactionsReport", "Invoice");
    expect([textOf(de!, "ID"), textOf(de!, "IssueDate"), textOf(de!, "TypeCode"), textOf(de!, "BusinessProcess", "ID")]).toEqual(["F-2027-0012", "20270908", "380", "S1"]);
    expect(first(de!, "Buyer", "CompanyId")?.attrs.schemeId).toBe("0223");
    expect(textOf(credit!, "ReferencedDocument", "ID")).toBe("F-2027-0012");
    const pay = readXml(EREPORTING_SCENARIOS.internationalPayments!());
    expect(first(pay, "PaymentsReport")!.children.map((c) => c.name)).toEqual(["ReportPeriod", "Invoice", "Transactions"]);
  });

  it("identifies a buyer abroad by its EU VAT number (0223), else as an entity outside the EU (0227)", () => {
    expect(foreignBuyerId({ name: "Müller GmbH", country: "DE", vatNumber: "DE 123 456 789" })).toEqual({ id: "DE123456789", scheme: "0223" });
    expect(foreignBuyerId({ name: "Acme Inc", country: "US", vatNumber: null, registrationId: "EIN-12-3456789" })).toEqual({ id: "EIN-12-3456789", scheme: "0227" });
    expect(foreignBuyerId({ name: "Helvetia AG", country: "CH" })).toEqual({ id: "Helvetia AG", scheme: "0227" });
  });

  it("10.2 keeps only the rates with French VAT, splits to the cent, never more than received (property)", () => {
    const rateArb = fc.record({ rateBasisPoints: fc.constantFrom(0, 550, 1000, 2000), taxableCents: fc.integer({ min: 0, max: 1_000_000 }), vatCents: fc.integer({ min: 0, max: 200_000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000 }), fc.array(rateArb, { maxLength: 4 }), (amount, rates) => {
        const parts = internationalPaymentParts(amount, rates, allocateProportionally);
        const sum = parts.reduce((s, p) => s + p.amountCents, 0);
        expect(parts.every((p) => p.rateBasisPoints > 0 && Number.isInteger(p.amountCents))).toBe(true);
        expect(new Set(parts.map((p) => p.rateBasisPoints)).size).toBe(parts.length);
        expect(sum).toBeLessThanOrEqual(amount);
        const weighted = rates.filter((r) => r.taxableCents + r.vatCents > 0);
        if (weighted.length > 0 && weighted.every((r) => r.rateBasisPoints > 0)) expect(sum).toBe(amount);
        if (weighted.every((r) => r.rateBasisPoints === 0)) expect(parts).toEqual([]);
      }),
    );
    // A franchise (or reverse-charged) invoice: nothing to report in 10.2.
    expect(internationalPaymentParts(30_000, [{ rateBasisPoints: 0, taxableCents: 30_000, vatCents: 0 }], allocateProportionally)).toEqual([]);
  });

  it("the Sender is the PA's registration number when known, else the declarant — never a placeholder", () => {
    const seller = { siren: "123456782", name: "Camille Martin EI" };
    expect(senderOf({ registrationId: "0042", name: "PA X" }, seller)).toEqual({ id: "0042", name: "PA X", scheme: "0238", role: "WK" });
    expect(senderOf({ name: "SUPER PDP" }, seller)).toEqual({ id: "123456782", name: "Camille Martin EI", scheme: "0002", role: "SE" });
    expect(senderOf(null, seller).id).toBe("123456782");
    const self = readXml(EREPORTING_SCENARIOS.declarantSender!());
    expect(first(self, "ReportDocument", "Sender", "Id")?.attrs.schemeId).toBe("0002");
    expect(textOf(self, "ReportDocument", "Sender", "RoleCode")).toBe("SE");
  });
});

describe("deadlines", () => {
  it("lists the reform's deadlines only: franchise every two months, VAT-registered monthly", () => {
    expect(ereportingDeadlinesBetween("2026-12-08", "2028-01-31", "franchise")).toEqual([
      { period: { start: "2027-09-01", end: "2027-10-31" }, deadline: "2027-11-30" },
      { period: { start: "2027-11-01", end: "2027-12-31" }, deadline: "2028-01-31" },
    ]);
    expect(ereportingDeadlinesBetween("2027-11-30", "2028-03-31", "vat").map((d) => d.deadline)).toEqual(["2027-11-30", "2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31"]);
    expect(ereportingDeadlineToRemind("2027-11-23", "franchise", 7)?.deadline).toBe("2027-11-30");
    expect(ereportingDeadlineToRemind("2027-11-22", "franchise", 7)).toBeNull();
    expect(ereportingDeadlineToRemind("2027-12-25", "vat", 7)?.period).toEqual({ start: "2027-11-01", end: "2027-11-30" });
    expect(ereportingDeadlineToRemind("2026-10-26", "vat", 7)).toBeNull();
  });

  it("every deadline in a window is its period's, in order, each period once (property)", () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 0, max: 400 }), fc.constantFrom("franchise" as const, "vat" as const), (from, span, regime) => {
        const to = new Date(Date.parse(`${from}T00:00:00Z`) + span * 86_400_000).toISOString().slice(0, 10);
        const list = ereportingDeadlinesBetween(from, to, regime);
        for (const d of list) {
          expect(d.deadline >= from && d.deadline <= to && d.period.start >= "2027-09-01").toBe(true);
          expect(deadlineOf(d.period)).toBe(d.deadline);
        }
        for (let i = 1; i < list.length; i++) expect(list[i]!.period).toEqual(nextPeriod(list[i - 1]!.period, regime));
      }),
    );
  });
});
