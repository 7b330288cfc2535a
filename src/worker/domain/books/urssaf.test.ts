import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  centsToEuros,
  declarationDeadline,
  declarationsForYear,
  deadlinesBetween,
  deadlineToRemind,
  nextDeadline,
  parsePeriodKey,
  parseYear,
  periodKey,
  periodOf,
  periodRange,
  periodsOfYear,
  type ReceiptBasis,
  splitReceipt,
  type SplitReceipt,
  yearTurnover,
} from "./urssaf";

const servicesOnly: ReceiptBasis = { taxExclusiveCents: 100_000, vatCents: 0, goodsNetCents: 0, servicesNetCents: 100_000 };
const sum = (a: { bic_sales: number; bic_services: number; bnc: number }) => a.bic_sales + a.bic_services + a.bnc;

describe("splitReceipt", () => {
  it("puts a services invoice's receipt in BIC services or BNC according to the account", () => {
    expect(splitReceipt(12_345, servicesOnly, "bic")).toEqual({ bic_sales: 0, bic_services: 12_345, bnc: 0 });
    expect(splitReceipt(12_345, servicesOnly, "bnc")).toEqual({ bic_sales: 0, bic_services: 0, bnc: 12_345 });
  });

  it("splits a mixed invoice pro rata of its line nets, to the cent", () => {
    // 1/3 goods, 2/3 services: 100,00 € → 33,33 + 66,67.
    const basis = { taxExclusiveCents: 30_000, vatCents: 0, goodsNetCents: 10_000, servicesNetCents: 20_000 };
    expect(splitReceipt(10_000, basis, "bic")).toEqual({ bic_sales: 3_333, bic_services: 6_667, bnc: 0 });
  });

  it("leaves the VAT share of the receipt out of the turnover", () => {
    const basis = { taxExclusiveCents: 100_000, vatCents: 20_000, goodsNetCents: 0, servicesNetCents: 100_000 };
    expect(splitReceipt(120_000, basis, "bnc")).toEqual({ bic_sales: 0, bic_services: 0, bnc: 100_000 });
    expect(splitReceipt(60_000, basis, "bnc").bnc).toBe(50_000);
  });

  it("counts an invoice with no positive base as services", () => {
    expect(splitReceipt(500, { taxExclusiveCents: 0, vatCents: 0, goodsNetCents: 0, servicesNetCents: 0 }, "bic")).toEqual({ bic_sales: 0, bic_services: 500, bnc: 0 });
  });

  const bases = fc.record({
    taxExclusiveCents: fc.nat(10 ** 9),
    vatCents: fc.nat(2 * 10 ** 8),
    goodsNetCents: fc.nat(10 ** 9),
    servicesNetCents: fc.nat(10 ** 9),
  });

  it("never loses or invents a cent: parts plus the VAT share equal the receipt", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 9), max: 10 ** 9 }), bases, fc.constantFrom("bic" as const, "bnc" as const), (amount, basis, cat) => {
        const parts = splitReceipt(amount, basis, cat);
        const ht = basis.taxExclusiveCents + basis.vatCents === 0 ? amount : Number((BigInt(amount) * BigInt(basis.taxExclusiveCents)) / BigInt(basis.taxExclusiveCents + basis.vatCents));
        // The HT share is the exact share, give or take the one cent of the largest remainder.
        expect(Math.abs(sum(parts) - ht)).toBeLessThanOrEqual(1);
        expect(cat === "bic" ? parts.bnc : parts.bic_services).toBe(0);
      }),
    );
  });

  it("splits a correction into the exact opposite of the payment it reverses", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 9 }), bases, (amount, basis) => {
        const pay = splitReceipt(amount, basis, "bic");
        const undo = splitReceipt(-amount, basis, "bic");
        expect(undo.bic_sales).toBe(-pay.bic_sales || 0);
        expect(undo.bic_services).toBe(-pay.bic_services || 0);
        expect(sum(pay) + sum(undo)).toBe(0);
      }),
    );
  });
});

describe("centsToEuros", () => {
  it("rounds half away from zero", () => {
    expect(centsToEuros(12_345_49)).toBe(12_345);
    expect(centsToEuros(12_345_50)).toBe(12_346);
    expect(centsToEuros(-150)).toBe(-2);
    expect(centsToEuros(0)).toBe(0);
  });
});

describe("periods", () => {
  it("names months and quarters and reads the names back", () => {
    expect(periodKey({ frequency: "monthly", year: 2026, index: 3 })).toBe("2026-03");
    expect(periodKey({ frequency: "quarterly", year: 2026, index: 4 })).toBe("2026-Q4");
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2099 }), fc.constantFrom("monthly" as const, "quarterly" as const), (year, frequency) => {
        for (const p of periodsOfYear(year, frequency)) expect(parsePeriodKey(periodKey(p))).toEqual(p);
      }),
    );
  });

  it("refuses malformed period keys and years", () => {
    for (const bad of ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-01", "2026-1", "1999-01", "2101-Q1", "", "2026-03 "]) expect(parsePeriodKey(bad)).toBeNull();
    for (const bad of ["1999", "2101", "20x6", "", "2026.0"]) expect(parseYear(bad)).toBeNull();
    expect(parseYear("2026")).toBe(2026);
  });

  it("finds the period of a date and its first and last days", () => {
    expect(periodOf("2026-05-31", "quarterly")).toEqual({ frequency: "quarterly", year: 2026, index: 2 });
    expect(periodRange({ frequency: "quarterly", year: 2026, index: 2 })).toEqual({ from: "2026-04-01", to: "2026-06-30" });
    expect(periodRange({ frequency: "monthly", year: 2024, index: 2 })).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(() => periodOf("2026-02-30", "monthly")).toThrow(RangeError);
  });

  it("tiles the year: consecutive periods, no gap, no overlap", () => {
    for (const frequency of ["monthly", "quarterly"] as const) {
      const ranges = periodsOfYear(2026, frequency).map(periodRange);
      expect(ranges[0]?.from).toBe("2026-01-01");
      expect(ranges.at(-1)?.to).toBe("2026-12-31");
      for (let i = 1; i < ranges.length; i++) {
        const prevEnd = new Date(`${ranges[i - 1]!.to}T00:00:00Z`).getTime();
        expect(new Date(`${ranges[i]!.from}T00:00:00Z`).getTime() - prevEnd).toBe(86_400_000);
      }
    }
  });
});

describe("the declaration calendar", () => {
  it("sets the quarterly deadlines on 30 April, 31 July, 31 October and 31 January", () => {
    expect(periodsOfYear(2026, "quarterly").map(declarationDeadline)).toEqual(["2026-04-30", "2026-07-31", "2026-10-31", "2027-01-31"]);
  });

  it("sets a month's deadline at the end of the next month", () => {
    expect(declarationDeadline({ frequency: "monthly", year: 2026, index: 1 })).toBe("2026-02-28");
    expect(declarationDeadline({ frequency: "monthly", year: 2028, index: 1 })).toBe("2028-02-29");
    expect(declarationDeadline({ frequency: "monthly", year: 2026, index: 12 })).toBe("2027-01-31");
  });

  it("lists every deadline between two dates, in order, and only those", () => {
    expect(deadlinesBetween("2026-01-01", "2026-12-31", "quarterly").map((d) => d.key)).toEqual(["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]);
    expect(deadlinesBetween("2026-01-01", "2026-12-31", "monthly").map((d) => d.key)).toEqual([
      "2025-12",
      ...Array.from({ length: 11 }, (_, i) => `2026-${String(i + 1).padStart(2, "0")}`),
    ]);
  });

  it("always finds the next deadline within the next 31 days (monthly) or 92 days (quarterly), never in the past", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2001-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }), (date) => {
        const today = date.toISOString().slice(0, 10);
        for (const [frequency, maxDays] of [["monthly", 31], ["quarterly", 92]] as const) {
          const next = nextDeadline(today, frequency);
          const days = (Date.parse(next.deadline) - Date.parse(today)) / 86_400_000;
          expect(days).toBeGreaterThanOrEqual(0);
          expect(days).toBeLessThanOrEqual(maxDays);
          expect(declarationDeadline(next.period)).toBe(next.deadline);
        }
      }),
    );
  });

  it("reminds from seven days before the deadline up to the day itself", () => {
    expect(deadlineToRemind("2026-10-23", "quarterly", 7)).toBeNull();
    expect(deadlineToRemind("2026-10-24", "quarterly", 7)?.key).toBe("2026-Q3");
    expect(deadlineToRemind("2026-10-31", "quarterly", 7)?.deadline).toBe("2026-10-31");
    expect(deadlineToRemind("2026-11-01", "quarterly", 7)).toBeNull();
  });
});

describe("declarationsForYear", () => {
  const receipts: SplitReceipt[] = [
    { receivedOn: "2026-01-15", parts: { bic_sales: 10_050, bic_services: 20_049, bnc: 0 } },
    { receivedOn: "2026-01-31", parts: { bic_sales: 0, bic_services: 1, bnc: 0 } },
    { receivedOn: "2026-03-02", parts: { bic_sales: 0, bic_services: 50_000, bnc: 0 } },
    // A correction of the March payment, dated like the payment it reverses.
    { receivedOn: "2026-03-02", parts: { bic_sales: 0, bic_services: -50_000, bnc: 0 } },
    { receivedOn: "2025-12-31", parts: { bic_sales: 99_999, bic_services: 0, bnc: 0 } },
  ];

  it("shows every month, zero months included, with the exact cents and the euros declared", () => {
    const months = declarationsForYear(receipts, 2026, "monthly");
    expect(months).toHaveLength(12);
    expect(months[0]).toMatchObject({ key: "2026-01", receipts: 2, cents: { bic_sales: 10_050, bic_services: 20_050, bnc: 0 }, euros: { bic_sales: 101, bic_services: 201, bnc: 0 }, totalEuros: 302, deadline: "2026-02-28" });
    expect(months[1]).toMatchObject({ key: "2026-02", receipts: 0, totalCents: 0, totalEuros: 0 });
    expect(months[2]).toMatchObject({ key: "2026-03", receipts: 2, totalCents: 0, totalEuros: 0 });
  });

  it("gives the same year total, in cents, whatever the frequency", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 364 }), cents: fc.integer({ min: -(10 ** 7), max: 10 ** 7 }) }), { maxLength: 60 }),
        (raw) => {
          const rs = raw.map((r) => ({ receivedOn: new Date(Date.UTC(2026, 0, 1 + r.day)).toISOString().slice(0, 10), parts: { bic_sales: r.cents, bic_services: 0, bnc: 0 } }));
          const total = (f: "monthly" | "quarterly") => declarationsForYear(rs, 2026, f).reduce((s, d) => s + d.totalCents, 0);
          expect(total("monthly")).toBe(total("quarterly"));
          expect(total("monthly")).toBe(rs.reduce((s, r) => s + r.parts.bic_sales, 0));
        },
      ),
    );
  });

  it("adds up the year's sales and services for the threshold gauges", () => {
    expect(yearTurnover(declarationsForYear(receipts, 2026, "quarterly"))).toEqual({ salesCents: 10_050, servicesCents: 20_050 });
  });
});
