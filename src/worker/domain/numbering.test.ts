import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_PREFIXES, formatDocumentNumber, parseDocumentNumber, PREFIX_PATTERN, seriesIdFor } from "./numbering";

describe("document numbers", () => {
  it("formats the first invoice of 2026 as F-2026-0001", () => {
    expect(formatDocumentNumber("F", "2026-11-26", 1)).toBe("F-2026-0001");
  });

  it("keeps counting past 9999 without truncating", () => {
    expect(formatDocumentNumber("AV", "2027-01-01", 12345)).toBe("AV-2027-12345");
  });

  it("puts each type and year in its own series", () => {
    expect(seriesIdFor("invoice", "2026-12-31")).toBe("invoice:2026");
    expect(seriesIdFor("invoice", "2027-01-01")).toBe("invoice:2027");
    expect(seriesIdFor("credit_note", "2026-05-01")).not.toBe(seriesIdFor("invoice", "2026-05-01"));
  });

  it("refuses prefixes with spaces, lower case or punctuation", () => {
    for (const bad of ["F A", "f", "", "F-", "TOOLONG1"]) expect(() => formatDocumentNumber(bad, "2026-01-01", 1)).toThrow(RangeError);
  });

  it("refuses a counter below 1", () => {
    expect(() => formatDocumentNumber("F", "2026-01-01", 0)).toThrow(RangeError);
  });

  it("has valid default prefixes", () => {
    for (const p of Object.values(DEFAULT_PREFIXES)) expect(p).toMatch(PREFIX_PATTERN);
  });

  it("round-trips through parseDocumentNumber and orders chronologically within a series", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}$/), fc.integer({ min: 2000, max: 2999 }), fc.integer({ min: 1, max: 10_000_000 }), (prefix, year, n) => {
        const num = formatDocumentNumber(prefix, `${year}-06-15`, n);
        expect(num).not.toMatch(/\s/);
        expect(parseDocumentNumber(num)).toEqual({ prefix, year, counter: n });
      }),
    );
  });
});
