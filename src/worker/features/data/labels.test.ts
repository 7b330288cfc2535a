import { describe, expect, it } from "vitest";
import { DATA_TABLE_LABELS, dataTableLabel } from "./i18n";
import { exportedTables } from "./tables";

describe("§9.1 table labels on Mes données", () => {
  it("§9.1 has a French and an English label for every exported account table", () => {
    const missing = exportedTables()
      .map((t) => t.name)
      .filter((name) => !DATA_TABLE_LABELS[name]?.fr || !DATA_TABLE_LABELS[name]?.en);
    expect(missing, "add a label to DATA_TABLE_LABELS in features/data/i18n.ts").toEqual([]);
  });

  it("§9.1 labels the time tracking and stock tables before they are exported", () => {
    for (const name of ["time_entries", "stock_movements", "stock_levels"]) {
      expect(dataTableLabel(name, "fr"), name).not.toBe(name);
      expect(dataTableLabel(name, "en"), name).not.toBe(name);
    }
  });

});
