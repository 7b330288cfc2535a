import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { creditRefusal, creditableCents, depositRefusal, depositShareCents, FULL_BP, quoteInvoiced, quoteReferenceText, remainingDepositBp } from "./quote-chain";

describe("quote chain wording and state", () => {
  it("names the quote with its date in the project's format per language", () => {
    expect(quoteReferenceText({ number: "D-2026-0001", issueDate: "2026-03-12" }, "fr")).toBe("Devis D-2026-0001 du 12/03/2026");
    expect(quoteReferenceText({ number: "D-2026-0001", issueDate: "2026-03-12" }, "en")).toBe("Quote D-2026-0001 of 12/03/2026");
  });

  it("reads invoiced only once a final invoice is issued (deposits, drafts and cancelled invoices do not count)", () => {
    expect(quoteInvoiced([])).toBe(false);
    expect(quoteInvoiced([{ type: "deposit_invoice", status: "issued" }, { type: "invoice", status: "draft" }])).toBe(false);
    expect(quoteInvoiced([{ type: "invoice", status: "cancelled" }])).toBe(false);
    expect(quoteInvoiced([{ type: "deposit_invoice", status: "issued" }, { type: "invoice", status: "issued" }])).toBe(true);
  });
});

describe("quote chain limits", () => {
  it("refuses 30 % + 90 % and says 70 % remains", () => {
    expect(depositRefusal([3000], 9000)).toEqual({ remainingBp: 7000 });
    expect(depositRefusal([3000], 7000)).toBeNull();
    expect(depositRefusal([3000, 7000], 1)).toEqual({ remainingBp: 0 });
  });

  it("accepts a deposit exactly when the shares stay within 100 %", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: FULL_BP }), { maxLength: 6 }), fc.integer({ min: -5, max: FULL_BP + 5 }), (asked, p) => {
        const total = asked.reduce((s, b) => s + b, 0);
        expect(depositRefusal(asked, p) === null).toBe(p >= 1 && total + p <= FULL_BP);
        expect(remainingDepositBp(asked)).toBe(Math.max(0, FULL_BP - total));
      }),
    );
  });

  it("splits a base so that successive deposits never add up to more than it, and to all of it at 100 %", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (base, parts) => {
        let before = 0;
        let sum = 0;
        for (const p of parts) {
          if (before + p > FULL_BP) break;
          const cents = depositShareCents(base, before, p);
          expect(cents).toBeGreaterThanOrEqual(0);
          sum += cents;
          before += p;
        }
        expect(sum).toBeLessThanOrEqual(base);
        if (before === FULL_BP) expect(sum).toBe(base);
        expect(depositShareCents(base, 0, FULL_BP)).toBe(base);
      }),
    );
  });

  it("never lets credit notes exceed their invoice, and names what remains", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.array(fc.integer({ min: 0, max: 400_000 }), { maxLength: 6 }), fc.integer({ min: 0, max: 1_000_000 }), (total, earlier, cents) => {
        const left = creditableCents(total, earlier);
        expect(left).toBe(Math.max(0, total - earlier.reduce((s, c) => s + c, 0)));
        const r = creditRefusal(total, earlier, cents);
        expect(r === null).toBe(cents <= left);
        if (r) expect(r.remainingCents).toBe(left);
      }),
    );
  });
});
