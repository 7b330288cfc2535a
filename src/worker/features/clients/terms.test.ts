import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { searchKey } from "./search";
import { nameTerms, WORD_SEPARATORS } from "./terms";

describe("nameTerms", () => {
  it("gives every word but the first, from that word on, then the whole key", () => {
    expect(nameTerms(searchKey("Boulangerie Kerlann SARL"))).toEqual(["kerlann sarl\nboulangerie kerlann sarl", "sarl\nboulangerie kerlann sarl"]);
    expect(nameTerms(searchKey("« Œuvre & Cie — Ébène »"))).toEqual(["oeuvre & cie — ebene »\n« oeuvre & cie — ebene »", "cie — ebene »\n« oeuvre & cie — ebene »", "ebene »\n« oeuvre & cie — ebene »"]);
  });

  it("starts words after apostrophes, hyphens and brackets", () => {
    expect(nameTerms("l'atelier jean-luc (lyon)").map((t) => t.split("\n")[0])).toEqual(["atelier jean-luc (lyon)", "jean-luc (lyon)", "luc (lyon)", "lyon)"]);
  });

  it("has no term for a one-word name", () => {
    expect(nameTerms("dupont")).toEqual([]);
  });

  it("ends each term with the whole key after a line feed, and starts it right after a separator", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab -'é&œ") }), (name) => {
        const key = searchKey(name);
        for (const term of nameTerms(key)) {
          const [tail, whole] = term.split("\n");
          expect(whole).toBe(key);
          expect(key.endsWith(tail!)).toBe(true);
          const before = Array.from(key).at(-Array.from(tail!).length - 1)!;
          expect(WORD_SEPARATORS).toContain(before);
          expect(WORD_SEPARATORS).not.toContain(Array.from(tail!)[0]);
        }
      }),
    );
  });
});
