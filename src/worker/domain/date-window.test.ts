import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUSINESS_DATE_MAX, BUSINESS_DATE_MIN, checkBusinessDate, isBusinessDate, isBusinessYear } from "./date-window";
import { isIsoDate } from "./vat";

const pad = (n: number, w: number) => String(n).padStart(w, "0");
/** Any real calendar date from year 1 to 9999, as YYYY-MM-DD. */
const anyDate = fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`);

describe("the business date window (2000–2099)", () => {
  it("accepts exactly the real dates from 2000-01-01 to 2099-12-31", () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        const year = Number(d.slice(0, 4));
        expect(isIsoDate(d)).toBe(true);
        expect(isBusinessDate(d)).toBe(year >= 2000 && year <= 2099);
        expect(checkBusinessDate(d)).toBe(year >= 2000 && year <= 2099 ? "ok" : "window");
      }),
      { numRuns: 2000 },
    );
  });

  it("names the bounds and keeps them inclusive", () => {
    expect(BUSINESS_DATE_MIN).toBe("2000-01-01");
    expect(BUSINESS_DATE_MAX).toBe("2099-12-31");
    expect(isBusinessDate("2000-01-01")).toBe(true);
    expect(isBusinessDate("2099-12-31")).toBe(true);
    expect(checkBusinessDate("1999-12-31")).toBe("window");
    expect(checkBusinessDate("2100-01-01")).toBe("window");
    expect(checkBusinessDate("1900-01-01")).toBe("window");
    expect(checkBusinessDate("0001-01-01")).toBe("window");
    expect(checkBusinessDate("9999-12-31")).toBe("window");
  });

  it("calls anything that is not a real YYYY-MM-DD date a format error", () => {
    for (const bad of ["+010000-01-01", "10000-01-01", "2026-02-30", "2026-13-01", "2026-1-1", "26/11/2026", "", " 2026-01-01", "2026-01-01T00:00:00Z", null, undefined, 20260101, {}]) {
      expect(checkBusinessDate(bad)).toBe("format");
    }
    fc.assert(fc.property(fc.anything(), (v) => (typeof v === "string" && isIsoDate(v) ? true : checkBusinessDate(v) === "format")));
  });

  it("orders like the calendar: a business date is between the bounds as a string", () => {
    fc.assert(fc.property(anyDate, (d) => isBusinessDate(d) === (d >= BUSINESS_DATE_MIN && d <= BUSINESS_DATE_MAX)));
  });

  it("bounds years the same way", () => {
    fc.assert(fc.property(fc.integer({ min: -100_000, max: 100_000 }), (y) => isBusinessYear(y) === (y >= 2000 && y <= 2099)));
    expect(isBusinessYear(2026.5)).toBe(false);
  });
});
