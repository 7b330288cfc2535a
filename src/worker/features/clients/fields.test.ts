import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PARSED_CENTS, parseAmountToCents } from "../../domain/format";
import { hundredthsToInput, isPostalCodeOf } from "./fields";

describe("hundredthsToInput", () => {
  it("writes hundredths the way each language types decimals, dropping a whole ',00'", () => {
    expect(hundredthsToInput(123_450, "fr")).toBe("1234,50");
    expect(hundredthsToInput(123_450, "en")).toBe("1234.50");
    expect(hundredthsToInput(550, "fr")).toBe("5,50");
    expect(hundredthsToInput(2_000, "fr")).toBe("20");
    expect(hundredthsToInput(0, "fr")).toBe("0");
    expect(hundredthsToInput(-1_205, "fr")).toBe("-12,05");
  });

  it("is read back to the same value by parseAmountToCents", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_PARSED_CENTS, max: MAX_PARSED_CENTS }), fc.constantFrom<"fr" | "en">("fr", "en"), (n, locale) => {
        expect(parseAmountToCents(hundredthsToInput(n, locale))).toEqual({ ok: true, cents: n });
      }),
    );
  });
});

describe("isPostalCodeOf", () => {
  it("wants exactly five digits in France", () => {
    expect(isPostalCodeOf("75011", "FR")).toBe(true);
    expect(isPostalCodeOf("7501", "FR")).toBe(false);
    expect(isPostalCodeOf("75 011", "FR")).toBe(false);
    expect(isPostalCodeOf("SW1A 1AA", "FR")).toBe(false);
  });

  it("accepts the usual shapes elsewhere and refuses punctuation", () => {
    expect(isPostalCodeOf("SW1A 1AA", "GB")).toBe(true);
    expect(isPostalCodeOf("1012 AB", "NL")).toBe(true);
    expect(isPostalCodeOf("10115", "DE")).toBe(true);
    expect(isPostalCodeOf("<script>", "DE")).toBe(false);
    expect(isPostalCodeOf("1", "DE")).toBe(false);
  });
});
