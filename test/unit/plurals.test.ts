import { describe, expect, it } from "vitest";
import { describeDuration } from "../../src/worker/domain/retention";
import { en } from "../../src/worker/ui/i18n/en";
import { fr } from "../../src/worker/ui/i18n/fr";
import { plural, translator } from "../../src/worker/ui/i18n";

// Plurals follow Intl.PluralRules (issue #13): "1 facture", "3 factures", "5 jours"; never "facture(s)".

describe("plurals", () => {
  it("picks the form by the language's rules: French 0 and 1 are singular, English only 1", () => {
    const forms = { one: "facture", other: "factures" };
    expect([0, 1, 2, 3].map((n) => plural("fr", n, forms))).toEqual(["facture", "facture", "factures", "factures"]);
    expect([0, 1, 2].map((n) => plural("en", n, { one: "invoice", other: "invoices" }))).toEqual(["invoices", "invoice", "invoices"]);
  });

  it("fills the plural form of a message with its count", () => {
    const tFr = translator("fr");
    const tEn = translator("en");
    expect(tFr("home.overdue.count", { count: 1 })).toBe("1 facture en retard");
    expect(tFr("home.overdue.count", { count: 3 })).toBe("3 factures en retard");
    expect(tEn("home.overdue.count", { count: 1 })).toBe("1 overdue invoice");
    expect(tEn("home.overdue.count", { count: 0 })).toBe("0 overdue invoices");
    expect(tFr("series.locked", { count: 2, year: 2026 })).toBe("2 documents émis en 2026 : série verrouillée.");
    expect(tFr("dashboard.profile.incomplete", { count: 1 })).toContain("il manque 1 information obligatoire avant");
    expect(tEn("dashboard.profile.incomplete", { count: 4 })).toContain("4 required items are missing");
  });

  it("writes durations with the right form", () => {
    expect(describeDuration({ days: 5 }, "fr")).toBe("5 jours");
    expect(describeDuration({ days: 1 }, "fr")).toBe("1 jour");
    expect(describeDuration({ months: 1 }, "en")).toBe("1 month");
  });

  it("leaves no “(s)” in any message, French or English", () => {
    for (const dict of [fr, en] as Record<string, string>[]) {
      const offenders = Object.entries(dict).filter(([, text]) => /\w\((?:e?s|es)\)/.test(text));
      expect(offenders).toEqual([]);
    }
  });
});
