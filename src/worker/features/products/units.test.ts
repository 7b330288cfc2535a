import { describe, expect, it } from "vitest";
import { DEFAULT_UNIT, isUnitCode, quantityWithUnit, UNIT_CODES, unitLabel, UNITS } from "./units";

describe("UNITS", () => {
  it("offers the agreed UN/ECE Rec 20 codes with their French labels", () => {
    expect(Object.fromEntries(UNITS.map((u) => [u.code, u.fr]))).toEqual({
      C62: "unité",
      HUR: "heure",
      DAY: "jour",
      MON: "mois",
      KGM: "kg",
      MTR: "mètre",
      LTR: "litre",
      MTK: "m²",
      H87: "pièce",
      E48: "service / forfait",
    });
  });

  it("has unique codes, the default among them", () => {
    expect(new Set(UNIT_CODES).size).toBe(UNITS.length);
    expect(isUnitCode(DEFAULT_UNIT)).toBe(true);
  });

  it("recognises only its own codes", () => {
    expect(isUnitCode("HUR")).toBe(true);
    expect(isUnitCode("hur")).toBe(false);
    expect(isUnitCode("XYZ")).toBe(false);
  });

  it("labels a unit in the document's language and shows an unknown code as is", () => {
    expect(unitLabel("HUR", "fr")).toBe("heure");
    expect(unitLabel("HUR", "en")).toBe("hour");
    expect(unitLabel("ZZZ", "fr")).toBe("ZZZ");
  });
});

describe("quantityWithUnit", () => {
  it("agrees the unit with the quantity by each language's plural rules", () => {
    expect(quantityWithUnit("2", "HUR", "fr")).toBe("2 heures");
    expect(quantityWithUnit("1.5", "HUR", "fr")).toBe("1,5 heure");
    expect(quantityWithUnit("0.75", "DAY", "fr")).toBe("0,75 jour");
    expect(quantityWithUnit("1", "DAY", "en")).toBe("1 day");
    expect(quantityWithUnit("1.5", "HUR", "en")).toBe("1.5 hours");
    expect(quantityWithUnit("3", "MON", "fr")).toBe("3 mois");
    expect(quantityWithUnit("3", "ZZZ", "fr")).toBe("3 ZZZ");
  });
});
