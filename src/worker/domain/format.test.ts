import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_PARSED_CENTS,
  formatDate,
  formatDateTime,
  formatMoney,
  formatPercent,
  parseAmountToCents,
  parseUnitPriceToE4,
  formatUnitPrice,
  unitPriceDecimal,
} from "./format.ts";

/** Narrow no-break space: CLDR's French thousands separator. */
const NNBSP = "\u202F";
/** No-break space: CLDR's French space before the currency sign and before "%". */
const NBSP = "\u00A0";

describe("formatMoney", () => {
  it("formats euros the French way with narrow no-break grouping and a no-break space before €", () => {
    expect(formatMoney(123456, "fr")).toBe(`1${NNBSP}234,56${NBSP}€`);
  });

  it("formats euros the English way with the sign first", () => {
    expect(formatMoney(123456, "en")).toBe("€1,234.56");
  });

  it("keeps two fraction digits for whole and single-cent amounts", () => {
    expect(formatMoney(100, "fr")).toBe(`1,00${NBSP}€`);
    expect(formatMoney(5, "en")).toBe("€0.05");
    expect(formatMoney(0, "fr")).toBe(`0,00${NBSP}€`);
  });

  it("formats negative amounts with a leading minus", () => {
    expect(formatMoney(-123456, "fr")).toBe(`-1${NNBSP}234,56${NBSP}€`);
    expect(formatMoney(-123456n, "en")).toBe("-€1,234.56");
    expect(formatMoney(-7, "en")).toBe("-€0.07");
  });

  it("formats bigint amounts beyond 2^53 without losing a cent", () => {
    // 2^70 + 1 cents; as a float the trailing 25 cents would be gone.
    const cents = 2n ** 70n + 1n;
    const grouped = ["11", "805", "916", "207", "174", "113", "034"].join(NNBSP);
    expect(formatMoney(cents, "fr")).toBe(`${grouped},25${NBSP}€`);
    expect(formatMoney(cents, "en")).toBe("€11,805,916,207,174,113,034.25");
  });

  it("formats the same amount identically whether given as number or bigint", () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (cents) => {
        expect(formatMoney(BigInt(cents), "fr")).toBe(formatMoney(cents, "fr"));
      }),
    );
  });

  it("uses the requested currency", () => {
    expect(formatMoney(123456, "en", "USD")).toBe("US$1,234.56");
    expect(formatMoney(123456, "fr", "CHF")).toBe(`1${NNBSP}234,56${NBSP}CHF`);
  });

  it("refuses a number that is not a safe integer of cents", () => {
    expect(() => formatMoney(12.5, "fr")).toThrow(RangeError);
    expect(() => formatMoney(2 ** 53, "fr")).toThrow(RangeError);
  });
});

describe("formatDate", () => {
  it("prints an ISO date day-first in both locales", () => {
    expect(formatDate("2026-11-26", "fr")).toBe("26/11/2026");
    expect(formatDate("2026-11-26", "en")).toBe("26/11/2026");
    expect(formatDate("2026-01-05", "fr")).toBe("05/01/2026");
  });

  it("prints an ISO date as the calendar date it names, with no time-zone shift", () => {
    expect(formatDate("2026-12-31", "fr")).toBe("31/12/2026");
    expect(formatDate("2024-02-29", "en")).toBe("29/02/2024");
  });

  it("prints a Date as its date in Paris", () => {
    // 23:30 UTC on 26 November is already 27 November in Paris (UTC+1).
    expect(formatDate(new Date(Date.UTC(2026, 10, 26, 23, 30)), "fr")).toBe("27/11/2026");
    expect(formatDate(new Date(Date.UTC(2026, 10, 26, 12, 0)), "en")).toBe("26/11/2026");
  });

  it("rejects malformed and impossible ISO dates", () => {
    expect(() => formatDate("2026-02-30", "fr")).toThrow(RangeError);
    expect(() => formatDate("2025-02-29", "fr")).toThrow(RangeError);
    expect(() => formatDate("26/11/2026", "fr")).toThrow(RangeError);
    expect(() => formatDate(new Date(Number.NaN), "fr")).toThrow(RangeError);
  });
});

describe("formatDateTime", () => {
  it("prints winter timestamps in Paris time (UTC+1) on a 24-hour clock", () => {
    const ms = Date.UTC(2026, 10, 26, 13, 5);
    expect(formatDateTime(ms, "fr")).toBe("26/11/2026 14:05");
    expect(formatDateTime(ms, "en")).toBe("26/11/2026, 14:05");
  });

  it("prints summer timestamps in Paris time (UTC+2)", () => {
    expect(formatDateTime(Date.UTC(2026, 6, 1, 12, 0), "fr")).toBe("01/07/2026 14:00");
  });

  it("rolls over to the next day when Paris is already past midnight", () => {
    expect(formatDateTime(Date.UTC(2026, 11, 31, 23, 30), "fr")).toBe("01/01/2027 00:30");
  });

  it("rejects a non-finite timestamp", () => {
    expect(() => formatDateTime(Number.NaN, "fr")).toThrow(RangeError);
  });
});

describe("formatPercent", () => {
  it("prints basis points as a French percentage with a no-break space before %", () => {
    expect(formatPercent(550, "fr")).toBe(`5,5${NBSP}%`);
    expect(formatPercent(2000, "fr")).toBe(`20${NBSP}%`);
    expect(formatPercent(1, "fr")).toBe(`0,01${NBSP}%`);
  });

  it("prints basis points as an English percentage", () => {
    expect(formatPercent(550, "en")).toBe("5.5%");
    expect(formatPercent(210, "en")).toBe("2.1%");
    expect(formatPercent(0, "en")).toBe("0%");
  });

  it("refuses fractional basis points", () => {
    expect(() => formatPercent(5.5, "fr")).toThrow(RangeError);
  });
});

describe("parseAmountToCents", () => {
  it.each([
    ["1234,56", 123456],
    ["1 234,56", 123456],
    ["1234.5", 123450],
    ["1234", 123400],
    ["0,07", 7],
    ["  12,3  ", 1230],
    ["-12,50", -1250],
    [`1${NNBSP}234${NNBSP}567,89`, 123456789],
    [`1${NBSP}000`, 100000],
  ])("parses %j as %i cents", (input, cents) => {
    expect(parseAmountToCents(input)).toEqual({ ok: true, cents });
  });

  it.each(["", "   ", "abc", "12a", "1,2,3", "1.234,56", "1,234.56", ",5", "5,", "--5", "€12", "1 2 3 4", "12 34", "1 234 56"])(
    "rejects %j as badly formatted",
    (input) => {
      expect(parseAmountToCents(input)).toEqual({ ok: false, reason: "format" });
    },
  );

  it("rejects more than two decimals", () => {
    expect(parseAmountToCents("12,345")).toEqual({ ok: false, reason: "decimals" });
    expect(parseAmountToCents("0.001")).toEqual({ ok: false, reason: "decimals" });
  });

  it("accepts exactly the maximum and rejects one cent more", () => {
    expect(parseAmountToCents("10000000000,00")).toEqual({ ok: true, cents: MAX_PARSED_CENTS });
    expect(parseAmountToCents("10000000000,01")).toEqual({ ok: false, reason: "range" });
    expect(parseAmountToCents("-10000000000,01")).toEqual({ ok: false, reason: "range" });
    expect(parseAmountToCents("99999999999999999999999")).toEqual({ ok: false, reason: "range" });
  });

  it("reads minus zero as zero", () => {
    expect(parseAmountToCents("-0,00")).toEqual({ ok: true, cents: 0 });
  });

  it("round-trips any in-range amount written as units,hundredths", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_PARSED_CENTS, max: MAX_PARSED_CENTS }), (cents) => {
        const abs = Math.abs(cents);
        const text = `${cents < 0 ? "-" : ""}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, "0")}`;
        expect(parseAmountToCents(text)).toEqual({ ok: true, cents });
      }),
    );
  });

  it("parses back what French number formatting prints", () => {
    const frenchDecimal = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PARSED_CENTS }), (cents) => {
        const text = frenchDecimal.format(`${cents}E-2` as Intl.StringNumericLiteral);
        expect(parseAmountToCents(text)).toEqual({ ok: true, cents });
      }),
    );
  });
});

describe("unit prices with up to 4 decimals", () => {
  it.each([
    ["3,333", 33_330],
    ["0.0125", 125],
    ["1 234,5", 12_345_000],
    ["650", 6_500_000],
  ])("parses %s as %i ten-thousandths", (input, e4) => {
    expect(parseUnitPriceToE4(input)).toBe(e4);
  });

  it("refuses a fifth decimal, text and amounts above 10 billion", () => {
    expect(parseUnitPriceToE4("0,01255")).toBe("decimals");
    expect(parseUnitPriceToE4("3,33 €")).toBe("format");
    expect(parseUnitPriceToE4("10000000000,0001")).toBe("range");
  });

  it("prints 2 decimals, and 3 or 4 only when the price has them", () => {
    expect(formatUnitPrice(6_500_000, "fr")).toBe("650,00\u00A0€");
    expect(formatUnitPrice(33_330, "fr")).toBe("3,333\u00A0€");
    expect(formatUnitPrice(125, "fr")).toBe("0,0125\u00A0€");
    expect(formatUnitPrice(125, "en")).toBe("€0.0125");
    expect(unitPriceDecimal(33_330)).toBe("3.333");
    expect(unitPriceDecimal(6_500_000)).toBe("650.00");
    expect(unitPriceDecimal(125)).toBe("0.0125");
  });

  it("reads back what it prints, and agrees with the cent parser on 2 decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000_000_000 }), (e4) => {
        expect(parseUnitPriceToE4(unitPriceDecimal(e4))).toBe(e4);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), (cents) => {
        const text = formatMoney(cents, "fr").replace(/\u00A0€$/, "");
        expect(parseUnitPriceToE4(text)).toBe(cents * 100);
      }),
    );
  });
});
