import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { availableActions, BUYER_ACTIONS, purchaseDedupKey, purchaseState, refuseAction } from "./purchases";

describe("purchaseDedupKey", () => {
  it("keys by supplier SIREN, number and year: the same invoice whatever its day, spaces or case", () => {
    const a = purchaseDedupKey({ supplierSiren: "732829320", supplierName: "X", number: "F 2026-1", issueDate: "2026-01-05" });
    expect(purchaseDedupKey({ supplierSiren: "732829320", supplierName: "Y", number: "f2026-1", issueDate: "2026-12-31" })).toBe(a);
    expect(purchaseDedupKey({ supplierSiren: "732829320", supplierName: "X", number: "F 2026-1", issueDate: "2027-01-05" })).not.toBe(a);
    expect(purchaseDedupKey({ supplierSiren: "100000009", supplierName: "X", number: "F 2026-1", issueDate: "2026-01-05" })).not.toBe(a);
  });

  it("falls back on the VAT number, then the folded name (paper and foreign invoices)", () => {
    expect(purchaseDedupKey({ supplierVatNumber: "de 123 456 789", supplierName: "A", number: "1", issueDate: "2026-01-01" })).toBe("vat:DE123456789|1|2026");
    expect(purchaseDedupKey({ supplierName: "Papeterie  Dupont", number: "1", issueDate: "2026-01-01" })).toBe(purchaseDedupKey({ supplierName: "PAPETERIE DUPONT", number: "1", issueDate: "2026-05-01" }));
    expect(purchaseDedupKey({ supplierName: "Café", number: "1", issueDate: "2026-01-01" })).toBe(purchaseDedupKey({ supplierName: "cafe", number: "1", issueDate: "2026-01-01" }));
  });
});

describe("buyer actions", () => {
  it("offers nothing on a typed invoice, and everything on a fresh received one", () => {
    expect(availableActions([], { network: false })).toEqual([]);
    expect(availableActions([], { network: true })).toEqual([...BUYER_ACTIONS]);
  });

  it("ends the lifecycle at a refusal, sends 204/205/211 once, no refusal or dispute after the payment", () => {
    expect(availableActions([210], { network: true })).toEqual([]);
    expect(refuseAction(205, [205], { network: true })).toBe("already");
    expect(refuseAction(204, [205], { network: true })).toBe("already");
    expect(refuseAction(210, [211], { network: true })).toBe("paid");
    expect(refuseAction(207, [211], { network: true })).toBe("paid");
    expect(refuseAction(207, [207], { network: true })).toBeNull();
  });

  it("never offers an action it would refuse, and nothing at all once refused (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...BUYER_ACTIONS), { maxLength: 6 }), (history) => {
        const offered = availableActions(history, { network: true });
        for (const code of BUYER_ACTIONS) expect(offered.includes(code)).toBe(refuseAction(code, history, { network: true }) === null);
        if (history.includes(210)) expect(offered).toEqual([]);
      }),
    );
  });

  it("derives the display state: refused wins, then paid", () => {
    expect(purchaseState({ statusCode: 210, paidOn: "2026-01-01" })).toBe("refused");
    expect(purchaseState({ statusCode: 205, paidOn: "2026-01-01" })).toBe("paid");
    expect(purchaseState({ statusCode: 207, paidOn: null })).toBe("disputed");
    expect(purchaseState({ statusCode: 203, paidOn: null })).toBe("received");
  });
});
