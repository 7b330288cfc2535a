import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FRENCH_TAX_TABLE } from "../vat";
import { gauge, needsAttention, thresholdGauges, WARNING_BASIS_POINTS } from "./thresholds";

const franchise = FRENCH_TAX_TABLE.franchise[0];
const micro = FRENCH_TAX_TABLE.microCeilings[0];

describe("the dated table the gauges read", () => {
  it("holds the LEGAL.md §8 figures: franchise 85 000 / 93 500 € sales, 37 500 / 41 250 € services", () => {
    expect(franchise).toMatchObject({ salesCents: 8_500_000, salesToleranceCents: 9_350_000, servicesCents: 3_750_000, servicesToleranceCents: 4_125_000 });
  });

  it("holds the 2026–2028 micro ceilings of LEGAL.md §8: 203 100 € sales, 83 600 € services", () => {
    expect(micro).toMatchObject({ validFrom: "2026-01-01", validTo: "2028-12-31", salesCents: 20_310_000, servicesCents: 8_360_000 });
  });
});

describe("gauge", () => {
  it("stays ok under 80 % of the limit", () => {
    expect(gauge("micro_services", 6_687_999, 8_360_000)).toMatchObject({ level: "ok", percentBasisPoints: 7_999 });
  });

  it("warns from exactly 80 % of the limit", () => {
    expect(gauge("micro_services", 6_688_000, 8_360_000)).toMatchObject({ level: "warning", percentBasisPoints: 8_000, explanationKey: "books.gauge.micro_services.warning" });
  });

  it("alerts at 100 % of the limit", () => {
    expect(gauge("micro_services", 8_360_000, 8_360_000)).toMatchObject({ level: "reached", percentBasisPoints: 10_000 });
  });

  it("tells the franchise's higher threshold apart: reached between the two, over_tolerance beyond", () => {
    expect(gauge("franchise_services", 4_125_000, 3_750_000, 4_125_000).level).toBe("reached");
    expect(gauge("franchise_services", 4_125_001, 3_750_000, 4_125_000)).toMatchObject({ level: "over_tolerance", explanationKey: "books.gauge.franchise_services.over_tolerance" });
  });

  it("refuses a negative amount, a zero limit and non-integer cents", () => {
    expect(() => gauge("micro_sales", -1, 100)).toThrow(RangeError);
    expect(() => gauge("micro_sales", 1, 0)).toThrow(RangeError);
    expect(() => gauge("micro_sales", 1.5, 100)).toThrow(RangeError);
  });

  it("computes its level from the percentage, whatever the amounts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: 1, max: 10 ** 10 }), (value, limit) => {
        const g = gauge("micro_sales", value, limit);
        const exact = (BigInt(value) * 10_000n) / BigInt(limit);
        const expected = value >= limit ? "reached" : exact >= BigInt(WARNING_BASIS_POINTS) ? "warning" : "ok";
        expect(g.level).toBe(expected);
        expect(g.percentBasisPoints).toBe(Number(exact > 99_999n ? 99_999n : exact));
      }),
    );
  });

  it("never goes down when the turnover goes up", () => {
    const rank = { ok: 0, warning: 1, reached: 2, over_tolerance: 3 } as const;
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(rank[gauge("franchise_sales", lo, 8_500_000, 9_350_000).level]).toBeLessThanOrEqual(rank[gauge("franchise_sales", hi, 8_500_000, 9_350_000).level]);
      }),
    );
  });
});

describe("thresholdGauges", () => {
  it("measures a services-only franchise business on the services figures only", () => {
    const gauges = thresholdGauges({ salesCents: 0, servicesCents: 3_000_000 }, "2026-11-26", { vatRegime: "franchise" });
    expect(gauges.map((g) => g.id)).toEqual(["franchise_services", "micro_services"]);
    expect(gauges[0]).toMatchObject({ valueCents: 3_000_000, limitCents: 3_750_000, toleranceCents: 4_125_000, level: "warning" });
    expect(gauges[1]).toMatchObject({ limitCents: 8_360_000, toleranceCents: null, level: "ok" });
  });

  it("measures a mixed business's whole turnover against the sales figures and its services part against the services ones", () => {
    const gauges = thresholdGauges({ salesCents: 6_000_000, servicesCents: 1_000_000 }, "2026-06-30", { vatRegime: "franchise" });
    const byId = Object.fromEntries(gauges.map((g) => [g.id, g]));
    expect(byId.franchise_sales).toMatchObject({ valueCents: 7_000_000, limitCents: 8_500_000 });
    expect(byId.franchise_services).toMatchObject({ valueCents: 1_000_000 });
    expect(byId.micro_sales).toMatchObject({ valueCents: 7_000_000, limitCents: 20_310_000 });
  });

  it("leaves the franchise gauges out for an account that charges VAT", () => {
    const gauges = thresholdGauges({ salesCents: 100, servicesCents: 100 }, "2026-06-30", { vatRegime: "vat" });
    expect(gauges.map((g) => g.id)).toEqual(["micro_sales", "micro_services"]);
  });

  it("has no micro gauge for a date the ceilings table does not cover", () => {
    const gauges = thresholdGauges({ salesCents: 0, servicesCents: 100 }, "2025-06-30", { vatRegime: "franchise" });
    expect(gauges.map((g) => g.id)).toEqual(["franchise_services"]);
  });

  it("asks for attention as soon as one gauge is at 80 %", () => {
    expect(needsAttention(thresholdGauges({ salesCents: 0, servicesCents: 2_999_999 }, "2026-01-01", { vatRegime: "franchise" }))).toBe(false);
    expect(needsAttention(thresholdGauges({ salesCents: 0, servicesCents: 3_000_000 }, "2026-01-01", { vatRegime: "franchise" }))).toBe(true);
  });
});
