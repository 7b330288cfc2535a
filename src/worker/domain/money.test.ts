import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateProportionally, assertCents, roundHalfUpDiv, sumCents, toCents } from "./money.ts";

const abs = (value: bigint) => (value < 0n ? -value : value);

/**
 * Reference rounding written another way: for x = n/d ≥ 0, round half up is floor((2n + d) / 2d);
 * the sign is applied afterwards so halves go away from zero.
 */
function referenceRound(n: bigint, d: bigint): bigint {
  const negative = n < 0n !== d < 0n;
  const magnitude = (2n * abs(n) + abs(d)) / (2n * abs(d));
  return negative ? -magnitude : magnitude;
}

/**
 * Reference largest remainder written as a greedy: start from the floors of the exact shares and
 * give each leftover cent to the part furthest below its exact share, the first one on ties.
 */
function referenceAllocate(total: bigint, weights: readonly bigint[]): bigint[] {
  const sign = total < 0n ? -1n : 1n;
  const amount = abs(total);
  const weightSum = weights.reduce((a, b) => a + b, 0n);
  const parts = weights.map((w) => (amount * w) / weightSum);
  let left = amount - parts.reduce((a, b) => a + b, 0n);
  while (left > 0n) {
    // deficit_i = exact share − part, compared as numerators over weightSum.
    let best = 0;
    let bestDeficit: bigint | null = null;
    weights.forEach((w, i) => {
      const deficit = amount * w - (parts[i] ?? 0n) * weightSum;
      if (bestDeficit === null || deficit > bestDeficit) {
        best = i;
        bestDeficit = deficit;
      }
    });
    parts[best] = (parts[best] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map((part) => part * sign);
}

const bigints = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });
const nonZero = bigints.filter((d) => d !== 0n);

describe("roundHalfUpDiv", () => {
  it("rounds halves away from zero for both signs", () => {
    expect(roundHalfUpDiv(5n, 2n)).toBe(3n);
    expect(roundHalfUpDiv(-5n, 2n)).toBe(-3n);
    expect(roundHalfUpDiv(5n, -2n)).toBe(-3n);
    expect(roundHalfUpDiv(-5n, -2n)).toBe(3n);
  });

  it("rounds below half toward zero and above half away from zero", () => {
    expect(roundHalfUpDiv(4n, 3n)).toBe(1n);
    expect(roundHalfUpDiv(-4n, 3n)).toBe(-1n);
    expect(roundHalfUpDiv(5n, 3n)).toBe(2n);
    expect(roundHalfUpDiv(-5n, 3n)).toBe(-2n);
  });

  it("rounds a VAT amount of 329.835 cents up to 330", () => {
    expect(roundHalfUpDiv(5997n * 550n, 10_000n)).toBe(330n);
  });

  it("returns exact quotients unchanged", () => {
    expect(roundHalfUpDiv(0n, 7n)).toBe(0n);
    expect(roundHalfUpDiv(-21n, 7n)).toBe(-3n);
  });

  it("refuses a zero denominator", () => {
    expect(() => roundHalfUpDiv(1n, 0n)).toThrow(RangeError);
  });

  it("matches the floor((2n + d) / 2d) reference for any operands", () => {
    fc.assert(fc.property(bigints, nonZero, (n, d) => roundHalfUpDiv(n, d) === referenceRound(n, d)));
  });

  it("is symmetric: negating the numerator negates the result", () => {
    fc.assert(fc.property(bigints, nonZero, (n, d) => roundHalfUpDiv(-n, d) === -roundHalfUpDiv(n, d)));
  });

  it("lands within half a unit of the exact quotient", () => {
    fc.assert(
      fc.property(bigints, nonZero, (n, d) => {
        const error = abs(2n * n - 2n * roundHalfUpDiv(n, d) * d);
        return error <= abs(d);
      }),
    );
  });
});

describe("assertCents and toCents", () => {
  it("accepts safe integers, negative ones included", () => {
    expect(assertCents(0)).toBe(0);
    expect(assertCents(-1999)).toBe(-1999);
    expect(assertCents(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("rejects fractions, NaN, infinities and unsafe integers", () => {
    for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => assertCents(value, "price")).toThrow(RangeError);
    }
  });

  it("converts a bigint inside the safe range and refuses one outside it", () => {
    expect(toCents(-123n)).toBe(-123);
    expect(toCents(BigInt(Number.MIN_SAFE_INTEGER))).toBe(Number.MIN_SAFE_INTEGER);
    expect(() => toCents(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(RangeError);
    expect(() => toCents(BigInt(Number.MIN_SAFE_INTEGER) - 1n)).toThrow(RangeError);
  });
});

describe("sumCents", () => {
  it("adds amounts exactly", () => {
    expect(sumCents([])).toBe(0);
    expect(sumCents([1999, -500, 1])).toBe(1500);
  });

  it("refuses a sum beyond the safe integer range", () => {
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });

  it("refuses an amount that is not integer cents", () => {
    expect(() => sumCents([100, 0.5])).toThrow(RangeError);
  });

  it("agrees with bigint addition", () => {
    const cents = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 50 }), (values) => {
        const expected = values.reduce((sum, value) => sum + BigInt(value), 0n);
        return BigInt(sumCents(values)) === expected;
      }),
    );
  });
});

describe("allocateProportionally", () => {
  it("gives the leftover cent to the earliest part when remainders tie", () => {
    expect(allocateProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });

  it("gives leftover cents to the largest remainders", () => {
    // Exact shares 10 × 1/6, 2/6, 3/6 = 1.67, 3.33, 5: the one cent left goes to the first part.
    expect(allocateProportionally(10, [1, 2, 3])).toEqual([2, 3, 5]);
    // Exact shares 7 × 2/5, 3/5 = 2.8, 4.2: the leftover goes to the 0.8 remainder.
    expect(allocateProportionally(7, [2, 3])).toEqual([3, 4]);
  });

  it("splits a negative total like its opposite", () => {
    expect(allocateProportionally(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
  });

  it("never gives anything to a zero weight", () => {
    expect(allocateProportionally(5, [0, 1, 0, 1])).toEqual([0, 3, 0, 2]);
  });

  it("works on bigints beyond the safe integer range", () => {
    const total = 10n ** 20n + 1n;
    expect(allocateProportionally(total, [1n, 1n])).toEqual([5n * 10n ** 19n + 1n, 5n * 10n ** 19n]);
  });

  it("refuses negative weights, all-zero weights and unsafe numbers", () => {
    expect(() => allocateProportionally(10, [1, -1])).toThrow(RangeError);
    expect(() => allocateProportionally(10, [0, 0])).toThrow(RangeError);
    expect(() => allocateProportionally(10, [])).toThrow(RangeError);
    expect(() => allocateProportionally(0.5, [1])).toThrow(RangeError);
  });

  const weightLists = fc
    .array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 12 })
    .filter((weights) => weights.some((w) => w > 0n));
  const totals = fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n });

  it("returns parts that always add up to the total exactly", () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        const parts = allocateProportionally(total, weights);
        return parts.length === weights.length && parts.reduce((a, b) => a + b, 0n) === total;
      }),
    );
  });

  it("keeps every part less than one cent away from its exact share", () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        const weightSum = weights.reduce((a, b) => a + b, 0n);
        const parts = allocateProportionally(total, weights);
        return parts.every((part, i) => abs(part * weightSum - total * (weights[i] ?? 0n)) < weightSum);
      }),
    );
  });

  it("never gives a smaller part to a larger weight", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 13n }), weightLists, (total, weights) => {
        const parts = allocateProportionally(total, weights);
        return weights.every((wa, a) =>
          weights.every((wb, b) => !(wa > wb) || (parts[a] ?? 0n) >= (parts[b] ?? 0n)),
        );
      }),
    );
  });

  it("matches the greedy largest-remainder reference", () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        expect(allocateProportionally(total, weights)).toEqual(referenceAllocate(total, weights));
      }),
    );
  });

  it("returns numbers for number input and agrees with the bigint form", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const asNumbers = allocateProportionally(total, weights);
          const asBigInts = allocateProportionally(BigInt(total), weights.map(BigInt));
          expect(asNumbers).toEqual(asBigInts.map(Number));
        },
      ),
    );
  });
});
