import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { niceMax } from "./charts";

describe("niceMax: the top of a chart's money scale", () => {
  it("gives an empty or tiny chart a 10 € scale, so its grid reads 0 €, 5 €, 10 €", () => {
    expect(niceMax(0)).toBe(1000);
    expect(niceMax(-500)).toBe(1000);
    expect(niceMax(999)).toBe(1000);
  });

  it("rounds up to 1, 2 or 5 × 10^n euros", () => {
    expect(niceMax(1001)).toBe(2000);
    expect(niceMax(4_999)).toBe(5000);
    expect(niceMax(123_456)).toBe(200_000);
    expect(niceMax(500_000)).toBe(500_000);
  });

  it("is never below the largest value, less than ten times it, and its half is whole euros", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1001, max: 1e12 }), (cents) => {
        const top = niceMax(cents);
        expect(top).toBeGreaterThanOrEqual(cents);
        expect(top).toBeLessThan(cents * 10);
        expect((top / 2) % 100).toBe(0);
        expect([1, 2, 5]).toContain(top / 10 ** Math.floor(Math.log10(top)));
      }),
    );
  });
});
