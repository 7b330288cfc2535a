/**
 * E-reporting: periods, deadlines, aggregation (properties) and the file shapes. Every scenario of
 * test/fixtures/ereporting.ts also goes through validate.mjs in scripts/validate-einvoices.mjs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EREPORTING_SCENARIOS } from "../../../../test/fixtures/ereporting.ts";
import { aggregatePayments, aggregateTransactions, deadlineOf, nextPeriod, periodOf, periodsUntil, type B2cSaleLine } from "./ereporting.ts";
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
