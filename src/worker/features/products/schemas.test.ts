import { describe, expect, it } from "vitest";
import { VAT_EXEMPTIONS } from "../../domain/vat";
import { EXEMPTION_KINDS, type ExemptionKey, PRODUCT_VAT_RATES, ProductInput } from "./schemas";

/** A service as the browser posts it (all strings). */
const form: Record<string, string> = {
  name: "Développement web",
  description: "",
  unitCode: "DAY",
  unitPrice: "1 234,50",
  vatRate: "20",
  exemptionCode: "",
  kind: "service",
};

function errorsOf(input: unknown): Record<string, string> {
  const result = ProductInput.safeParse(input);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("ProductInput", () => {
  it("reads a French price into cents and a positive rate as category S", () => {
    expect(ProductInput.parse(form)).toEqual({
      name: "Développement web",
      description: undefined,
      unitCode: "DAY",
      unitPriceCents: 123_450,
      unitPriceE4: null,
      vatCategory: "S",
      vatRateBp: 2000,
      exemptionCode: undefined,
      kind: "service",
      stockTracked: false,
    });
  });

  it.each([
    ["20", 2000],
    ["10", 1000],
    ["5,5", 550],
    ["5.50", 550],
    ["2,1", 210],
  ])("accepts the rate %s as %i basis points", (rate, bp) => {
    expect(ProductInput.parse({ ...form, vatRate: rate }).vatRateBp).toBe(bp);
  });

  it("offers exactly the rates of the dated table in force", () => {
    expect([...PRODUCT_VAT_RATES].sort((a, b) => a - b)).toEqual([0, 210, 550, 1000, 2000]);
  });

  it("refuses a rate that French law does not have", () => {
    expect(errorsOf({ ...form, vatRate: "19,6" })).toEqual({ vatRate: "products.err.vatRate" });
    expect(errorsOf({ ...form, vatRate: "abc" })).toEqual({ vatRate: "products.err.vatRate" });
  });

  it("ignores an exemption chosen with a positive rate", () => {
    const out = ProductInput.parse({ ...form, exemptionCode: VAT_EXEMPTIONS.franchise.code });
    expect(out.vatCategory).toBe("S");
    expect(out.exemptionCode).toBeUndefined();
  });

  it("requires an exemption reason with a zero rate", () => {
    expect(errorsOf({ ...form, vatRate: "0" })).toEqual({ exemptionCode: "products.err.exemption.required" });
    expect(errorsOf({ ...form, vatRate: "0", exemptionCode: "VATEX-XX-NOPE" })).toEqual({ exemptionCode: "products.err.exemption" });
  });

  it.each(Object.keys(VAT_EXEMPTIONS) as ExemptionKey[])("takes the category of the %s exemption with a zero rate", (key) => {
    const exemption = VAT_EXEMPTIONS[key];
    const kind = EXEMPTION_KINDS[key][0];
    const out = ProductInput.parse({ ...form, kind, vatRate: "0", exemptionCode: exemption.code });
    expect(out).toMatchObject({ vatRateBp: 0, vatCategory: exemption.category, exemptionCode: exemption.code });
  });

  it("refuses an exemption that does not fit the kind of item", () => {
    expect(errorsOf({ ...form, vatRate: "0", exemptionCode: VAT_EXEMPTIONS.export.code })).toEqual({
      exemptionCode: "products.err.exemption.kind",
    });
    expect(errorsOf({ ...form, kind: "goods", vatRate: "0", exemptionCode: VAT_EXEMPTIONS.servicesOutsideEu.code })).toEqual({
      exemptionCode: "products.err.exemption.kind",
    });
  });

  it.each([
    ["-5", "products.err.price"],
    ["12,34567", "products.err.price"],
    ["1.234,50", "products.err.price"],
    ["", "form.required"],
  ])("refuses the price %j", (price, key) => {
    expect(errorsOf({ ...form, unitPrice: price })).toEqual({ unitPrice: key });
  });

  it("refuses a unit outside the table", () => {
    expect(errorsOf({ ...form, unitCode: "XYZ" })).toEqual({ unitCode: "products.err.unit" });
  });

  it("tracks stock of goods only", () => {
    expect(ProductInput.parse({ ...form, kind: "goods", stockTracked: "on" }).stockTracked).toBe(true);
    expect(errorsOf({ ...form, stockTracked: "on" })).toEqual({ stockTracked: "products.err.stock.service" });
  });

  it("reads JSON numbers: a price in euros, a rate in percent", () => {
    const out = ProductInput.parse({ name: "Forfait", unitPrice: 99.9, vatRate: 5.5, kind: "goods", stockTracked: true });
    expect(out).toMatchObject({ unitPriceCents: 9_990, vatRateBp: 550, unitCode: "C62", stockTracked: true });
  });

  it("reads the stored shape back, so that what GET returns can be PUT again", () => {
    const out = ProductInput.parse({ name: "Forfait", unitPriceCents: 123_456, vatRateBp: 210, kind: "service" });
    expect(out).toMatchObject({ unitPriceCents: 123_456, vatRateBp: 210 });
  });

  it("keeps a unit price with up to 4 decimals: cents rounded half up, ten-thousandths beside them", () => {
    expect(ProductInput.parse({ ...form, unitPrice: "3,333" })).toMatchObject({ unitPriceCents: 333, unitPriceE4: 33_330 });
    expect(ProductInput.parse({ ...form, unitPrice: "0,0125" })).toMatchObject({ unitPriceCents: 1, unitPriceE4: 125 });
    expect(ProductInput.parse({ ...form, unitPrice: "650" })).toMatchObject({ unitPriceCents: 65_000, unitPriceE4: null });
    // What GET returns for such an item is read back the same.
    expect(ProductInput.parse({ name: "Farine", unitPriceCents: 333, unitPriceE4: 33_330, vatRateBp: 550, kind: "goods" })).toMatchObject({ unitPriceE4: 33_330 });
  });

  it("prefers the typed price to the stored one when both are sent", () => {
    expect(ProductInput.parse({ ...form, unitPriceCents: 1 }).unitPriceCents).toBe(123_450);
  });
});
