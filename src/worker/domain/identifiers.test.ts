import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  containsCardNumber,
  explainBic,
  explainIban,
  explainSiren,
  explainSiret,
  explainVatNumber,
  formatIban,
  frenchVatKey,
  frenchVatNumberFromSiren,
  isValidBic,
  isValidIban,
  isValidSiren,
  isValidSiret,
  isValidVatNumber,
  luhnKey,
  normalizeDigits,
  normalizeIban,
  sirenFromSiret,
} from "./identifiers.ts";

// Reference implementations written differently from the module (left-to-right, BigInt), so the
// properties do not merely restate the code under test.

/** Luhn check: digits whose distance from the right end is odd are doubled. */
function referenceLuhnOk(digits: string): boolean {
  const n = digits.length;
  const total = [...digits].reduce((sum, ch, i) => {
    const d = Number(ch);
    if ((n - 1 - i) % 2 === 0) return sum + d;
    const doubled = d * 2;
    return sum + Math.floor(doubled / 10) + (doubled % 10);
  }, 0);
  return total % 10 === 0;
}

/** Appends the digit that makes `body` pass Luhn. */
function withLuhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (referenceLuhnOk(body + d)) return body + d;
  throw new Error("unreachable: one Luhn digit always exists");
}

/** Computes IBAN check digits with BigInt over the whole numeric string. */
function ibanWithCheckDigits(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`].map((ch) => Number.parseInt(ch, 36).toString()).join("");
  const check = 98n - (BigInt(numeric) % 97n);
  return `${country}${check.toString().padStart(2, "0")}${bban}`;
}

/** Replaces the digit at `index` by another digit picked from `shift` (1..9 steps away mod 10). */
function changeDigit(value: string, index: number, shift: number): string {
  const old = Number(value[index]);
  return value.slice(0, index) + ((old + shift) % 10).toString() + value.slice(index + 1);
}

const digitString = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: length, maxLength: length });

const validSiren = digitString(8).map(withLuhnDigit);

const LA_POSTE = "356000000";

/** Valid SIRETs of any company but La Poste, which follows its own rule. */
const validOrdinarySiret = fc
  .tuple(validSiren, digitString(4))
  .filter(([siren]) => siren !== LA_POSTE)
  .map(([siren, nic]) => withLuhnDigit(siren + nic));

describe("normalizeDigits", () => {
  it("strips spaces, no-break spaces, dots and dashes", () => {
    expect(normalizeDigits(" 732 829.320-00\u00A0074\u202F")).toBe("73282932000074");
  });
});

describe("§3.1 SIREN", () => {
  it("accepts a real SIREN, with or without separators", () => {
    expect(isValidSiren("732829320")).toBe(true);
    expect(isValidSiren("732 829 320")).toBe(true);
    expect(explainSiren("732.829.320")).toEqual({ ok: true, value: "732829320" });
  });

  it("rejects a SIREN whose Luhn key is wrong", () => {
    expect(explainSiren("732829321")).toEqual({ ok: false, reason: "checksum" });
  });

  it("rejects a SIREN of the wrong length", () => {
    expect(explainSiren("73282932")).toEqual({ ok: false, reason: "length" });
    expect(explainSiren("7328293200")).toEqual({ ok: false, reason: "length" });
    expect(explainSiren("")).toEqual({ ok: false, reason: "length" });
  });

  it("rejects a SIREN containing letters", () => {
    expect(explainSiren("73282932A")).toEqual({ ok: false, reason: "digits" });
  });

  it("accepts any 8-digit body followed by its Luhn digit", () => {
    fc.assert(fc.property(validSiren, (siren) => isValidSiren(siren)));
  });

  it("rejects a valid SIREN with any single digit changed", () => {
    fc.assert(
      fc.property(validSiren, fc.nat(8), fc.integer({ min: 1, max: 9 }), (siren, index, shift) => {
        expect(explainSiren(changeDigit(siren, index, shift))).toEqual({ ok: false, reason: "checksum" });
      }),
    );
  });

  it("agrees with a reference Luhn check on any 9 digits", () => {
    fc.assert(fc.property(digitString(9), (digits) => isValidSiren(digits) === referenceLuhnOk(digits)));
  });
});

describe("§3.1 SIRET", () => {
  it("accepts a real SIRET and extracts its SIREN", () => {
    expect(isValidSiret("732 829 320 00074")).toBe(true);
    expect(sirenFromSiret("732 829 320 00074")).toBe("732829320");
  });

  it("rejects a SIRET whose Luhn key is wrong", () => {
    expect(explainSiret("73282932000075")).toEqual({ ok: false, reason: "checksum" });
  });

  it("rejects a SIRET whose first nine digits are not a valid SIREN even if the 14 pass Luhn", () => {
    const siret = withLuhnDigit("7328293210007");
    expect(referenceLuhnOk(siret)).toBe(true);
    expect(explainSiret(siret)).toEqual({ ok: false, reason: "checksum" });
  });

  it("rejects a SIRET of the wrong length or with letters", () => {
    expect(explainSiret("732829320")).toEqual({ ok: false, reason: "length" });
    expect(explainSiret("7328293200007A")).toEqual({ ok: false, reason: "digits" });
  });

  it("accepts any SIRET built from a valid SIREN and a Luhn-completed NIC", () => {
    fc.assert(fc.property(validOrdinarySiret, (siret) => isValidSiret(siret)));
  });

  it("rejects a valid SIRET (La Poste aside) with any single digit changed", () => {
    fc.assert(
      fc.property(validOrdinarySiret, fc.nat(13), fc.integer({ min: 1, max: 9 }), (siret, index, shift) => {
        expect(explainSiret(changeDigit(siret, index, shift))).toEqual({ ok: false, reason: "checksum" });
      }),
    );
  });

  describe("La Poste exception", () => {
    it("accepts La Poste's head office, which passes Luhn", () => {
      expect(isValidSiret("35600000000048")).toBe(true);
    });

    it("accepts a La Poste establishment whose digits sum to a multiple of 5 although it fails Luhn", () => {
      expect(referenceLuhnOk("35600000049837")).toBe(false);
      expect(isValidSiret("35600000049837")).toBe(true);
    });

    it("rejects a La Poste SIRET that passes neither Luhn nor the sum rule", () => {
      expect(explainSiret("35600000049838")).toEqual({ ok: false, reason: "checksum" });
    });

    it("does not extend the sum rule to other companies", () => {
      // Digit sum 45, a multiple of 5, but SIREN 732829320 is not La Poste and Luhn fails.
      const siret = "73282932000018";
      expect([...siret].reduce((sum, ch) => sum + Number(ch), 0) % 5).toBe(0);
      expect(referenceLuhnOk(siret)).toBe(false);
      expect(isValidSiret(siret)).toBe(false);
    });

    it("accepts every La Poste SIRET whose 14 digits sum to a multiple of 5", () => {
      fc.assert(
        fc.property(digitString(4), fc.boolean(), (nicBody, upper) => {
          const partial = [...(LA_POSTE + nicBody)].reduce((sum, ch) => sum + Number(ch), 0);
          const lastDigit = ((5 - (partial % 5)) % 5) + (upper ? 5 : 0);
          expect(isValidSiret(`${LA_POSTE}${nicBody}${lastDigit}`)).toBe(true);
        }),
      );
    });

    it("accepts a La Poste SIRET with one NIC digit changed only when the change keeps the sum rule or passes Luhn", () => {
      const laPosteSiret = fc.tuple(digitString(4), fc.boolean()).map(([nicBody, upper]) => {
        const partial = [...(LA_POSTE + nicBody)].reduce((sum, ch) => sum + Number(ch), 0);
        return `${LA_POSTE}${nicBody}${((5 - (partial % 5)) % 5) + (upper ? 5 : 0)}`;
      });
      fc.assert(
        fc.property(laPosteSiret, fc.integer({ min: 9, max: 13 }), fc.integer({ min: 1, max: 9 }), (siret, index, shift) => {
          const changed = changeDigit(siret, index, shift);
          const changedDigitBy = (Number(changed[index]) - Number(siret[index]) + 10) % 10;
          expect(isValidSiret(changed)).toBe(changedDigitBy === 5 || referenceLuhnOk(changed));
        }),
      );
    });
  });
});

describe("French VAT number", () => {
  it("computes the key of real companies", () => {
    expect(frenchVatKey("732829320")).toBe("44");
    expect(frenchVatKey("356000000")).toBe("39");
  });

  it("pads a key below 10 with a zero", () => {
    expect(frenchVatKey("100000207")).toBe("03");
  });

  it("builds FR + key + SIREN", () => {
    expect(frenchVatNumberFromSiren("732 829 320")).toBe("FR44732829320");
  });

  it("refuses to build a VAT number from an invalid SIREN", () => {
    expect(() => frenchVatNumberFromSiren("732829321")).toThrow(RangeError);
    expect(() => frenchVatKey("12345")).toThrow(RangeError);
  });

  it("builds a valid VAT number from any valid SIREN", () => {
    fc.assert(fc.property(validSiren, (siren) => isValidVatNumber(frenchVatNumberFromSiren(siren))));
  });

  it("rejects a French VAT number whose numeric key does not match the SIREN", () => {
    fc.assert(
      fc.property(validSiren, fc.integer({ min: 1, max: 96 }), (siren, offset) => {
        const wrongKey = String((Number(frenchVatKey(siren)) + offset) % 97).padStart(2, "0");
        expect(explainVatNumber(`FR${wrongKey}${siren}`)).toEqual({ ok: false, reason: "checksum" });
      }),
    );
  });

  it("accepts a real French VAT number however it is typed", () => {
    expect(explainVatNumber("fr 44 732 829 320")).toEqual({ ok: true, value: "FR44732829320" });
    expect(isValidVatNumber("FR39356000000")).toBe(true);
  });

  it("accepts an old alphabetic key on shape alone but not the letters I and O", () => {
    expect(isValidVatNumber("FRAB732829320")).toBe(true);
    expect(isValidVatNumber("FR4B732829320")).toBe(true);
    expect(explainVatNumber("FRIO732829320")).toEqual({ ok: false, reason: "format" });
  });

  it("rejects a French VAT number with a SIREN of the wrong length", () => {
    expect(explainVatNumber("FR4473282932")).toEqual({ ok: false, reason: "format" });
  });
});

describe("EU VAT number shapes", () => {
  it.each([
    "ATU12345678",
    "BE0123456789",
    "BG123456789",
    "CY12345678L",
    "CZ12345678",
    "DE136695976",
    "DK12345678",
    "EE123456789",
    "EL123456789",
    "ESX1234567X",
    "ESA12345678",
    "FI12345678",
    "HR12345678901",
    "HU12345678",
    "IE1234567WA",
    "IE8Z49289F",
    "IT12345678901",
    "LT123456789012",
    "LU12345678",
    "LV12345678901",
    "MT12345678",
    "NL123456789B01",
    "PL1234567890",
    "PT123456789",
    "RO1234567",
    "SE123456789001",
    "SI12345678",
    "SK1234567890",
    "XI123456789",
    "XIGD123",
  ])("accepts the shape of %s", (vat) => {
    expect(isValidVatNumber(vat)).toBe(true);
  });

  it.each(["GR123456789", "GB123456789", "US123456789", "", "12"])("rejects the unknown prefix of %j", (vat) => {
    expect(explainVatNumber(vat)).toEqual({ ok: false, reason: "country" });
  });

  it.each(["AT12345678", "BE2123456789", "DE12345678", "DE1234567890", "NL123456789A01", "SE123456789012", "XIGD999"])(
    "rejects the malformed %s",
    (vat) => {
      expect(explainVatNumber(vat)).toEqual({ ok: false, reason: "format" });
    },
  );
});

describe("IBAN", () => {
  it("accepts real French and German IBANs, spaced or not, in any case", () => {
    expect(isValidIban("FR7630006000011234567890189")).toBe(true);
    expect(isValidIban("DE89370400440532013000")).toBe(true);
    expect(explainIban("de89 3704 0044 0532 0130 00")).toEqual({ ok: true, value: "DE89370400440532013000" });
  });

  it("rejects an IBAN with one digit changed", () => {
    expect(explainIban("FR7630006000011234567890188")).toEqual({ ok: false, reason: "checksum" });
    expect(explainIban("DE88370400440532013000")).toEqual({ ok: false, reason: "checksum" });
  });

  it("rejects an IBAN of the wrong length for its country", () => {
    expect(explainIban("FR763000600001123456789018")).toEqual({ ok: false, reason: "length" });
    expect(explainIban("DE893704004405320130001")).toEqual({ ok: false, reason: "length" });
  });

  it("rejects an unknown country and a malformed IBAN", () => {
    expect(explainIban("ZZ89370400440532013000")).toEqual({ ok: false, reason: "country" });
    expect(explainIban("DEXX370400440532013000")).toEqual({ ok: false, reason: "format" });
    expect(explainIban("DE89370400440532013-00")).toEqual({ ok: false, reason: "format" });
  });

  /** BBAN shapes simplified to their length, with letters where the country allows them. */
  const bbanAlphabets = {
    FR: { length: 23, chars: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" },
    DE: { length: 18, chars: "0123456789" },
    BE: { length: 12, chars: "0123456789" },
    NL: { length: 14, chars: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" },
    MT: { length: 27, chars: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" },
  } as const;
  const validIban = fc
    .constantFrom(...(Object.keys(bbanAlphabets) as (keyof typeof bbanAlphabets)[]))
    .chain((country) => {
      const { length, chars } = bbanAlphabets[country];
      return fc
        .string({ unit: fc.constantFrom(...chars), minLength: length, maxLength: length })
        .map((bban) => ibanWithCheckDigits(country, bban));
    });

  it("accepts IBANs whose check digits are computed by a BigInt reference", () => {
    fc.assert(fc.property(validIban, (iban) => isValidIban(iban)));
  });

  it("rejects a valid IBAN with any single digit changed", () => {
    fc.assert(
      fc.property(validIban, fc.nat(), fc.integer({ min: 1, max: 9 }), (iban, pick, shift) => {
        // Only digits after the country code: letters and the country itself are other kinds of error.
        const digitPositions = [...iban].flatMap((ch, i) => (i >= 2 && /\d/.test(ch) ? [i] : []));
        const index = digitPositions[pick % digitPositions.length] ?? 2;
        expect(explainIban(changeDigit(iban, index, shift))).toEqual({ ok: false, reason: "checksum" });
      }),
    );
  });

  it("prints an IBAN in groups of four", () => {
    expect(formatIban("fr7630006000011234567890189")).toBe("FR76 3000 6000 0112 3456 7890 189");
    expect(formatIban("DE89370400440532013000")).toBe("DE89 3704 0044 0532 0130 00");
  });

  it("round-trips between printed and normalised forms", () => {
    fc.assert(
      fc.property(validIban, (iban) => {
        const printed = formatIban(iban);
        expect(normalizeIban(printed)).toBe(iban);
        expect(formatIban(normalizeIban(printed))).toBe(printed);
        expect(printed.split(" ").every((group) => group.length >= 1 && group.length <= 4)).toBe(true);
        expect(isValidIban(printed)).toBe(true);
      }),
    );
  });

  it("normalises any spacing and case to the same IBAN", () => {
    fc.assert(
      fc.property(validIban, fc.array(fc.nat(), { maxLength: 6 }), (iban, cuts) => {
        let typed = iban.toLowerCase();
        for (const cut of cuts) {
          const at = cut % (typed.length + 1);
          typed = `${typed.slice(0, at)} ${typed.slice(at)}`;
        }
        expect(normalizeIban(typed)).toBe(iban);
      }),
    );
  });
});

describe("BIC", () => {
  it("accepts real 11- and 8-character BICs", () => {
    expect(isValidBic("BNPAFRPPXXX")).toBe(true);
    expect(isValidBic("DEUTDEFF")).toBe(true);
    expect(explainBic("deut de ff 500")).toEqual({ ok: true, value: "DEUTDEFF500" });
  });

  it("rejects BICs that are neither 8 nor 11 characters", () => {
    expect(explainBic("BNPAFRP")).toEqual({ ok: false, reason: "length" });
    expect(explainBic("BNPAFRPPXX")).toEqual({ ok: false, reason: "length" });
    expect(explainBic("BNPAFRPPXXXX")).toEqual({ ok: false, reason: "length" });
  });

  it("rejects digits in the bank or country code and punctuation anywhere", () => {
    expect(explainBic("BNP1FRPPXXX")).toEqual({ ok: false, reason: "format" });
    expect(explainBic("BNPAF1PPXXX")).toEqual({ ok: false, reason: "format" });
    expect(explainBic("BNPAFRP-XXX")).toEqual({ ok: false, reason: "format" });
  });

  it("rejects a country code that is not ISO 3166", () => {
    expect(explainBic("BNPAZZPPXXX")).toEqual({ ok: false, reason: "country" });
    expect(explainBic("BNPAUKPP")).toEqual({ ok: false, reason: "country" });
  });
});

describe("containsCardNumber (privacy policy §8: card numbers are never stored)", () => {
  it("finds test card numbers however they are grouped", () => {
    for (const pan of ["4242424242424242", "4242 4242 4242 4242", "5555-5555-5555-4444", "3782 822463 10005", "Payé par carte 4000 0566 5566 5556 merci"]) {
      expect(containsCardNumber(pan)).toBe(true);
    }
  });

  it("leaves cheque numbers, transfer references, IBANs and SIRETs alone", () => {
    for (const text of ["Chèque 0012345", "VIR SEPA F-2026-0042", "FR76 3000 6000 0112 3456 7890 189", "SIRET 732 829 320 00074", "4242424242424241"]) {
      expect(containsCardNumber(text)).toBe(false);
    }
  });

  it("flags every Luhn-valid 16-digit number starting like a card, and no number failing Luhn", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[2-6]\d{14}$/), (head) => {
        const check = [...Array(10).keys()].find((d) => containsCardNumber(`${head}${d}`));
        expect(check).toBeDefined();
        // Exactly one check digit makes a valid PAN.
        expect([...Array(10).keys()].filter((d) => containsCardNumber(`${head}${d}`))).toHaveLength(1);
      }),
    );
  });
});

describe("luhnKey", () => {
  it("completes a SIREN and a SIRET so that they pass their checks, with the only key that does", () => {
    expect(luhnKey("73282932")).toBe("0");
    expect(isValidSiret(`7328293200007${luhnKey("7328293200007")}`)).toBe(true);
    for (const head of ["12345678", "40007919", "99999999", "00000000"]) {
      const keys = [..."0123456789"].filter((k) => isValidSiren(`${head}${k}`));
      expect(keys).toEqual([luhnKey(head)]);
    }
  });
});
