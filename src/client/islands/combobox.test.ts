import { describe, expect, it } from "vitest";
import { pickerLabels } from "../../worker/features/documents/pages";
import { translator } from "../../worker/ui/i18n";
import { resultsMessage } from "./combobox";
import { catalogueItemOf } from "./line-editor";

const labels = pickerLabels(translator("fr"), "client");

describe("the sentence announced after a search", () => {
  it("says there is nothing, one result, or how many", () => {
    expect(resultsMessage(labels, 0, false)).toBe("Aucun résultat.");
    expect(resultsMessage(labels, 1, false)).toBe("1 résultat.");
    expect(resultsMessage(labels, 7, false)).toBe("7 résultats.");
  });

  it("asks for more letters when the page is full and more rows follow", () => {
    expect(resultsMessage(labels, 25, true)).toBe("Plus de 25 résultats : tapez quelques lettres de plus.");
  });
});

describe("a searched product as a catalogue item", () => {
  it("keeps what a line takes and encodes the VAT as the line's select does", () => {
    const base = { id: "p1", name: "Atelier", description: "Demi-journée", unitCode: "HUR", unitPriceCents: 45_000, kind: "service" as const };
    expect(catalogueItemOf({ ...base, vatCategory: "S", vatRateBp: 2000, exemptionCode: null })).toEqual({ ...base, vat: "S:2000" });
    expect(catalogueItemOf({ ...base, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE" }).vat).toBe("E:VATEX-FR-FRANCHISE");
  });
});
