import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FRENCH_TAX_TABLE,
  VAT_CATEGORIES,
  VAT_EXEMPTIONS,
  type Validity,
  allowedVatRatesAt,
  exemptionByCode,
  isIsoDate,
  isVatRateAllowed,
  requiresExemption,
  thresholdsAt,
} from "./vat.ts";

/** Any calendar date from 2000 to 2099, as "YYYY-MM-DD". */
const isoDates = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

describe("isIsoDate", () => {
  it("accepts real calendar dates, leap days included", () => {
    for (const date of ["2026-01-01", "2024-02-29", "2000-02-29", "2026-12-31"]) expect(isIsoDate(date)).toBe(true);
  });

  it("rejects impossible dates and other formats", () => {
    for (const date of ["2025-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-01", "01/02/2026", ""]) {
      expect(isIsoDate(date)).toBe(false);
    }
  });

  it("accepts every day of the century", () => {
    fc.assert(fc.property(isoDates, (date) => isIsoDate(date)));
  });

  it("agrees with the calendar of Date on any year, month and day numbers", () => {
    const pad = (n: number, width: number) => String(n).padStart(width, "0");
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2199 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
        return isIsoDate(`${y}-${pad(m, 2)}-${pad(d, 2)}`) === real;
      }),
    );
  });
});

describe("allowedVatRatesAt", () => {
  it("lists the four French rates and zero in 2026", () => {
    expect([...allowedVatRatesAt("2026-11-26")].sort((a, b) => b - a)).toEqual([2000, 1000, 550, 210, 0]);
  });

  it("knows no rates before the 2014 rates took effect", () => {
    expect(allowedVatRatesAt("2013-12-31")).toEqual([]);
    expect(allowedVatRatesAt("2014-01-01")).toContain(2000);
  });

  it("refuses a malformed date rather than guessing", () => {
    expect(() => allowedVatRatesAt("2026-02-30")).toThrow(RangeError);
  });
});

describe("thresholdsAt", () => {
  it("gives the 2025 franchise thresholds with their tolerances", () => {
    const { franchise } = thresholdsAt("2026-06-15");
    expect(franchise).toMatchObject({
      salesCents: 8_500_000,
      salesToleranceCents: 9_350_000,
      servicesCents: 3_750_000,
      servicesToleranceCents: 4_125_000,
    });
  });

  it("gives the 2026–2028 micro ceilings inside their period only", () => {
    expect(thresholdsAt("2026-01-01").microCeilings).toMatchObject({ salesCents: 20_310_000, servicesCents: 8_360_000 });
    expect(thresholdsAt("2028-12-31").microCeilings?.salesCents).toBe(20_310_000);
    expect(thresholdsAt("2025-12-31").microCeilings).toBeNull();
    expect(thresholdsAt("2029-01-01").microCeilings).toBeNull();
  });

  it("has no franchise figures before 2025", () => {
    expect(thresholdsAt("2024-12-31").franchise).toBeNull();
    expect(thresholdsAt("2025-01-01").franchise).not.toBeNull();
  });

  it("refuses a malformed date", () => {
    expect(() => thresholdsAt("15/06/2026")).toThrow(RangeError);
  });
});

describe("FRENCH_TAX_TABLE", () => {
  const tables: Record<string, readonly Validity[]> = {
    vatRates: FRENCH_TAX_TABLE.vatRates,
    franchise: FRENCH_TAX_TABLE.franchise,
    microCeilings: FRENCH_TAX_TABLE.microCeilings,
  };

  it("writes every period with real dates in order", () => {
    for (const periods of Object.values(tables)) {
      for (const period of periods) {
        expect(isIsoDate(period.validFrom)).toBe(true);
        if (period.validTo !== null) {
          expect(isIsoDate(period.validTo)).toBe(true);
          expect(period.validTo >= period.validFrom).toBe(true);
        }
      }
    }
  });

  it("never has two periods of one table in force on the same day", () => {
    fc.assert(
      fc.property(isoDates, (date) =>
        Object.values(tables).every(
          (periods) => periods.filter((p) => p.validFrom <= date && (p.validTo === null || date <= p.validTo)).length <= 1,
        ),
      ),
    );
  });

  it("puts every tolerance above its threshold", () => {
    for (const period of FRENCH_TAX_TABLE.franchise) {
      expect(period.salesToleranceCents).toBeGreaterThan(period.salesCents);
      expect(period.servicesToleranceCents).toBeGreaterThan(period.servicesCents);
    }
  });

  it("writes rates as integer basis points", () => {
    for (const period of FRENCH_TAX_TABLE.vatRates) {
      for (const rate of period.ratesBasisPoints) expect(Number.isSafeInteger(rate) && rate >= 0 && rate < 10_000).toBe(true);
    }
  });
});

describe("isVatRateAllowed", () => {
  it("accepts each French rate for the standard category", () => {
    for (const rate of [2000, 1000, 550, 210]) expect(isVatRateAllowed("S", rate, "2026-11-26")).toBe(true);
  });

  it("rejects zero and abolished or invented rates for the standard category", () => {
    for (const rate of [0, 1960, 700, 1500]) expect(isVatRateAllowed("S", rate, "2026-11-26")).toBe(false);
  });

  it("requires rate zero for every category that charges no VAT", () => {
    for (const category of ["Z", "E", "AE", "K", "G", "O"] as const) {
      expect(isVatRateAllowed(category, 0, "2026-11-26")).toBe(true);
      expect(isVatRateAllowed(category, 2000, "2026-11-26")).toBe(false);
    }
  });
});

describe("exemptions", () => {
  it("requires a reason for every category but standard and zero rated", () => {
    expect(VAT_CATEGORIES.filter(requiresExemption)).toEqual(["E", "AE", "K", "G", "O"]);
  });

  it("words the franchise and the reverse charge as the law asks", () => {
    expect(exemptionByCode("VATEX-FR-FRANCHISE")).toEqual({
      code: "VATEX-FR-FRANCHISE",
      category: "E",
      reason: "TVA non applicable, art. 293 B du CGI",
      reasonEn: "VAT not applicable, art. 293 B of the French tax code",
    });
    expect(exemptionByCode("VATEX-EU-AE")).toMatchObject({ category: "AE", reason: "Autoliquidation" });
    expect(exemptionByCode("VATEX-EU-IC")?.category).toBe("K");
    expect(exemptionByCode("VATEX-EU-G")?.category).toBe("G");
  });

  it("knows nothing of codes outside its catalogue", () => {
    expect(exemptionByCode("VATEX-EU-NOPE")).toBeUndefined();
  });

  it("gives every exemption a distinct VATEX code, an exempting category and a wording", () => {
    const entries = Object.values(VAT_EXEMPTIONS);
    expect(new Set(entries.map((e) => e.code)).size).toBe(entries.length);
    for (const entry of entries) {
      expect(entry.code).toMatch(/^VATEX-(EU|FR)-[A-Z0-9-]+$/);
      expect(requiresExemption(entry.category)).toBe(true);
      expect(entry.reason.trim()).not.toBe("");
    }
  });
});
