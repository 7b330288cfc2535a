import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ISSUE_MANDATORY_FROM, chooseAddressing, collectedPerRate, collectionStatusOwed, describeStatus, inNetworkScope, isRejectedCopy, mustTransmit, retryDelayMinutes } from "./transmission.ts";

const fr = { kind: "company" as const, siren: "732829320", address: { line1: "1 rue", postalCode: "75002", city: "Paris", country: "FR" } };

describe("network scope and the dated switch", () => {
  it("covers invoices, deposits and credit notes to French companies with a SIREN, not quotes, individuals or foreign buyers", () => {
    expect(inNetworkScope({ type: "invoice", buyer: fr })).toBe(true);
    expect(inNetworkScope({ type: "credit_note", buyer: fr })).toBe(true);
    expect(inNetworkScope({ type: "deposit_invoice", buyer: fr })).toBe(true);
    expect(inNetworkScope({ type: "quote", buyer: fr })).toBe(false);
    expect(inNetworkScope({ type: "invoice", buyer: { ...fr, kind: "individual" } })).toBe(false);
    expect(inNetworkScope({ type: "invoice", buyer: { ...fr, siren: null } })).toBe(false);
    expect(inNetworkScope({ type: "invoice", buyer: { ...fr, address: { ...fr.address, country: "DE" } } })).toBe(false);
  });

  it("is the account's choice before 1 Sept 2027 and the rule from that day", () => {
    expect(mustTransmit({ type: "invoice", issueDate: "2027-08-31", buyer: fr }, false)).toBe(false);
    expect(mustTransmit({ type: "invoice", issueDate: "2027-08-31", buyer: fr }, true)).toBe(true);
    expect(mustTransmit({ type: "invoice", issueDate: ISSUE_MANDATORY_FROM, buyer: fr }, false)).toBe(true);
    expect(mustTransmit({ type: "invoice", issueDate: "2028-01-01", buyer: { ...fr, kind: "individual" } }, true)).toBe(false);
  });
});

describe("BT-49 from the directory (PA-API.md §3)", () => {
  const line = (addressingIdentifier: string, directoryLineStatus: string) => ({ addressingIdentifier, directoryLineStatus });
  it("keeps a typed address that is an Enabled line, else the bare SIREN, else the first Enabled line", () => {
    expect(chooseAddressing("552081317", "552081317_FACTURES", [line("552081317", "Enabled"), line("552081317_FACTURES", "Enabled")], true)).toEqual({ kind: "enabled", address: "552081317_FACTURES" });
    expect(chooseAddressing("552081317", "552081317_OLD", [line("552081317", "Enabled")], true)).toEqual({ kind: "enabled", address: "552081317" });
    expect(chooseAddressing("552081317", null, [line("552081317_A", "Disabled"), line("552081317_B", "Enabled")], true)).toEqual({ kind: "enabled", address: "552081317_B" });
  });
  it("sends to the SIREN when no line is Enabled, and treats an unknown SIREN as a B2C sale", () => {
    expect(chooseAddressing("542107651", null, [line("542107651", "Disabled")], true)).toEqual({ kind: "no_platform", address: "542107651" });
    expect(chooseAddressing("572015246", null, [line("572015246", "Upcoming")], true)).toEqual({ kind: "no_platform", address: "572015246" });
    expect(chooseAddressing("999999998", null, [], false)).toEqual({ kind: "unknown_buyer" });
  });
});

describe("212 Encaissée", () => {
  const doc = (vatRegime: "vat" | "franchise", vatOnDebits: boolean, operationCategory: "goods" | "services" | "mixed", type = "invoice" as const) => ({ type, operationCategory, seller: { vatRegime, vatOnDebits } });
  it("is owed for services and mixed invoices of a VAT-registered seller without the debits option, not for goods, debits or the franchise", () => {
    expect(collectionStatusOwed(doc("vat", false, "services"), "2026-12-01")).toBe(true);
    expect(collectionStatusOwed(doc("vat", false, "mixed"), "2026-12-01")).toBe(true);
    expect(collectionStatusOwed(doc("vat", false, "goods"), "2026-12-01")).toBe(false);
    expect(collectionStatusOwed(doc("vat", true, "services"), "2026-12-01")).toBe(false);
    expect(collectionStatusOwed(doc("franchise", false, "services"), "2026-12-01")).toBe(false);
    expect(collectionStatusOwed(doc("vat", false, "services"), "2026-08-31")).toBe(false);
  });

  it("splits a payment across VAT rates in proportion, adding up exactly to the cent", () => {
    expect(collectedPerRate([{ rateBasisPoints: 2000, taxableCents: 100_000, vatCents: 20_000 }, { rateBasisPoints: 550, taxableCents: 10_000, vatCents: 550 }], 130_550)).toEqual([
      { rateBasisPoints: 2000, amountCents: 120_000 },
      { rateBasisPoints: 550, amountCents: 10_550 },
    ]);
    const rate = fc.constantFrom(0, 210, 550, 1000, 2000);
    const row = fc.record({ rateBasisPoints: rate, taxableCents: fc.integer({ min: 0, max: 10_000_000_000 }), vatCents: fc.integer({ min: 0, max: 2_000_000_000 }) });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 1_000_000_000_000 }), (breakdown, amount) => {
        const parts = collectedPerRate(breakdown, amount);
        expect(parts.reduce((s, p) => s + p.amountCents, 0)).toBe(amount);
        expect(new Set(parts.map((p) => p.rateBasisPoints)).size).toBe(parts.length);
        const total = breakdown.reduce((s, b) => s + b.taxableCents + b.vatCents, 0);
        if (total > 0) {
          for (const p of parts) {
            const share = breakdown.filter((b) => b.rateBasisPoints === p.rateBasisPoints).reduce((s, b) => s + b.taxableCents + b.vatCents, 0);
            // within one cent of the exact proportion
            const exact = (BigInt(amount) * BigInt(share) * 100n) / BigInt(total);
            expect(Math.abs(p.amountCents * 100 - Number(exact))).toBeLessThanOrEqual(100);
          }
        }
      }),
    );
  });
});

describe("retries and words", () => {
  it("backs off exponentially, capped at six hours", () => {
    expect([1, 2, 3, 4, 10, 50].map(retryDelayMinutes)).toEqual([1, 2, 4, 8, 360, 360]);
  });
  it("names statuses and reasons in French and English", () => {
    expect(describeStatus(213, "DOUBLON", "fr")).toEqual({ label: "Rejetée", reason: "facture déjà déposée avec ce numéro (doublon)" });
    expect(describeStatus(210, "TX_TVA_ERR", "en")).toEqual({ label: "Refused", reason: "wrong VAT rate" });
    expect(describeStatus(220, "XYZ", "fr")).toEqual({ label: "220", reason: "XYZ" });
  });
  it("a 213 DOUBLON after the invoice was filed (200) is about a second copy; before it, or for another reason, it rejects the invoice", () => {
    expect(isRejectedCopy({ code: 213, reasonCode: "DOUBLON" }, [200, 202, 203, 213])).toBe(true);
    expect(isRejectedCopy({ code: 213, reasonCode: "DOUBLON" }, [213])).toBe(false);
    expect(isRejectedCopy({ code: 213, reasonCode: "DEST_INC" }, [200, 213])).toBe(false);
    expect(isRejectedCopy({ code: 210, reasonCode: "DOUBLON" }, [200, 210])).toBe(false);
  });
});
