import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LetterableLine, letteringCode, letterLines } from "./fec-lettering";

const line = (over: Partial<LetterableLine> = {}): LetterableLine => ({ account: "411000|CL1", matchKey: "F-1", date: "2026-03-10", signedCents: 0, ...over });

/** The code sequence the format rule describes, written out independently of letteringCode. */
function referenceCodes(count: number): string[] {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
  const out: string[] = [];
  let layer = letters.flatMap((a) => letters.map((b) => a + b));
  while (out.length < count) {
    out.push(...layer);
    layer = layer.flatMap((prefix) => letters.map((c) => prefix + c));
  }
  return out.slice(0, count);
}

describe("letteringCode", () => {
  it("runs AA to ZZ, then AAA onwards", () => {
    expect([0, 1, 25, 26, 675, 676, 677, 676 + 26 ** 3 - 1, 676 + 26 ** 3].map(letteringCode)).toEqual(["AA", "AB", "AZ", "BA", "ZZ", "AAA", "AAB", "ZZZ", "AAAA"]);
  });

  it("matches the written-out sequence for the first codes of three letters", () => {
    const expected = referenceCodes(2_000);
    expect(Array.from({ length: 2_000 }, (_, i) => letteringCode(i))).toEqual(expected);
  });

  it("refuses a negative or fractional index", () => {
    expect(() => letteringCode(-1)).toThrow(RangeError);
    expect(() => letteringCode(1.5)).toThrow(RangeError);
  });

  it("gives different codes to different indexes, each made of capital letters only", () => {
    fc.assert(
      fc.property(fc.nat(10 ** 7), fc.nat(10 ** 7), (a, b) => {
        expect(letteringCode(a)).toMatch(/^[A-Z]{2,}$/);
        expect(letteringCode(a) === letteringCode(b)).toBe(a === b);
      }),
    );
  });
});

describe("letterLines", () => {
  it("letters an invoice and the two receipts that pay it, dated by the last receipt", () => {
    const out = letterLines(
      [line({ signedCents: 150_000 }), line({ signedCents: -100_000, date: "2026-03-20" }), line({ signedCents: -50_000, date: "2026-05-02" })],
      "2026-12-31",
    );
    expect([...out.entries()]).toEqual([
      [0, { code: "AA", date: "2026-05-02" }],
      [1, { code: "AA", date: "2026-05-02" }],
      [2, { code: "AA", date: "2026-05-02" }],
    ]);
  });

  it("leaves a partly paid invoice unlettered", () => {
    expect(letterLines([line({ signedCents: 150_000 }), line({ signedCents: -100_000 })], "2026-12-31").size).toBe(0);
  });

  it("leaves an overpaid invoice unlettered", () => {
    expect(letterLines([line({ signedCents: 150_000 }), line({ signedCents: -160_000 })], "2026-12-31").size).toBe(0);
  });

  it("letters a payment, its correction and the payment made again with the invoice", () => {
    const out = letterLines(
      [line({ signedCents: 80_000 }), line({ signedCents: -80_000 }), line({ signedCents: 80_000, date: "2026-04-01" }), line({ signedCents: -80_000, date: "2026-05-01" })],
      "2026-12-31",
    );
    expect(new Set([...out.values()].map((l) => `${l.code} ${l.date}`))).toEqual(new Set(["AA 2026-05-01"]));
    expect(out.size).toBe(4);
  });

  it("never letters across accounts, even with the same invoice number", () => {
    const out = letterLines([line({ signedCents: 10_000 }), line({ account: "411000|CL2", signedCents: -10_000 })], "2026-12-31");
    expect(out.size).toBe(0);
  });

  it("gives the next code to the next settled invoice, in the order of their first lines", () => {
    const out = letterLines(
      [
        line({ matchKey: "F-2", signedCents: 5_000 }),
        line({ matchKey: "F-1", signedCents: 7_000 }),
        line({ matchKey: "F-3", signedCents: 9_000 }),
        line({ matchKey: "F-1", signedCents: -7_000 }),
        line({ matchKey: "F-2", signedCents: -5_000 }),
      ],
      "2026-12-31",
    );
    expect([0, 1, 2, 3, 4].map((i) => out.get(i)?.code)).toEqual(["AA", "AB", undefined, "AB", "AA"]);
  });

  it("ignores lines without an account, without a key or with a zero amount", () => {
    const out = letterLines(
      [line({ signedCents: 100 }), line({ signedCents: 0 }), line({ matchKey: "", signedCents: -100 }), line({ account: "", signedCents: -100 }), line({ signedCents: -100 })],
      "2026-12-31",
    );
    expect([...out.keys()]).toEqual([0, 4]);
  });

  it("does not letter a group settled after the closing date", () => {
    const lines = [line({ signedCents: 100 }), line({ signedCents: -100, date: "2027-01-04" })];
    expect(letterLines(lines, "2026-12-31").size).toBe(0);
    expect(letterLines(lines, "2027-12-31").size).toBe(2);
  });

  it("sums large amounts without losing a cent", () => {
    const big = Number.MAX_SAFE_INTEGER;
    expect(letterLines([line({ signedCents: big }), line({ signedCents: big }), line({ signedCents: -big }), line({ signedCents: -big + 1 })], "2026-12-31").size).toBe(0);
  });
});

describe("letterLines, whatever the lines", () => {
  const lines = fc.array(
    fc.record({
      account: fc.constantFrom("411000|CL1", "411000|CL2", "411000|CL3", ""),
      matchKey: fc.constantFrom("F-1", "F-2", "F-3", "F-4", ""),
      day: fc.integer({ min: 1, max: 28 }),
      month: fc.integer({ min: 1, max: 12 }),
      // Few distinct amounts so that balanced groups are frequent.
      signedCents: fc.constantFrom(-300, -200, -100, 0, 100, 200, 300),
    }),
    { maxLength: 40 },
  );
  const asLines = (ls: { account: string; matchKey: string; day: number; month: number; signedCents: number }[]): LetterableLine[] =>
    ls.map((l) => ({ account: l.account, matchKey: l.matchKey, signedCents: l.signedCents, date: `2026-${String(l.month).padStart(2, "0")}-${String(l.day).padStart(2, "0")}` }));

  it("letters groups that balance to zero, share one account and date after each of their lines", () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const input = asLines(ls);
        const out = letterLines(input, "2026-12-31");
        const groups = new Map<string, number[]>();
        for (const [i, l] of out) groups.set(l.code, [...(groups.get(l.code) ?? []), i]);
        for (const [code, members] of groups) {
          const picked = members.map((i) => input[i] as LetterableLine);
          expect({ code, sum: picked.reduce((s, l) => s + l.signedCents, 0) }).toEqual({ code, sum: 0 });
          expect(new Set(picked.map((l) => l.account)).size).toBe(1);
          const dateLet = out.get(members[0] as number)?.date ?? "";
          expect(members.every((i) => out.get(i)?.date === dateLet)).toBe(true);
          expect(picked.every((l) => l.date <= dateLet)).toBe(true);
          expect(picked.some((l) => l.date === dateLet)).toBe(true);
        }
      }),
    );
  });

  it("uses codes in sequence from AA, each for one group only, and letters no line twice", () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const out = letterLines(asLines(ls), "2026-12-31");
        // A Map holds each line index once; codes, in order of first use, are the sequence's prefix.
        const codes = [...new Set([...out.entries()].sort(([a], [b]) => a - b).map(([, l]) => l.code))];
        expect(codes).toEqual(referenceCodes(codes.length));
        const byKey = new Map<string, string>();
        for (const [i, l] of out) {
          const src = asLines(ls)[i] as LetterableLine;
          const key = JSON.stringify([src.account, src.matchKey]);
          expect(byKey.get(key) ?? l.code).toBe(l.code);
          byKey.set(key, l.code);
        }
        expect(new Set(byKey.values()).size).toBe(byKey.size);
      }),
    );
  });

  it("letters every balanced group of a matched account and key, and nothing else", () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const input = asLines(ls);
        const out = letterLines(input, "2026-12-31");
        const sums = new Map<string, number>();
        input.forEach((l) => {
          if (l.account && l.matchKey && l.signedCents !== 0) sums.set(JSON.stringify([l.account, l.matchKey]), (sums.get(JSON.stringify([l.account, l.matchKey])) ?? 0) + l.signedCents);
        });
        input.forEach((l, i) => {
          const balanced = l.account !== "" && l.matchKey !== "" && l.signedCents !== 0 && sums.get(JSON.stringify([l.account, l.matchKey])) === 0;
          expect({ i, lettered: out.has(i) }).toEqual({ i, lettered: balanced });
        });
      }),
    );
  });

  it("gives the same lettering to the same lines", () => {
    fc.assert(
      fc.property(lines, (ls) => {
        expect([...letterLines(asLines(ls), "2026-12-31")]).toEqual([...letterLines(asLines(ls), "2026-12-31")]);
      }),
    );
  });
});
