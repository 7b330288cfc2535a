import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AGING_BUCKETS, agingBucket, daysBetween, excessCents, invoiceStatus, outstandingCents } from "./invoice-status";

const isoDate = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const cents = fc.integer({ min: 0, max: 1_000_000_000 });
const input = fc.record({
  dueCents: cents,
  creditedCents: fc.integer({ min: 0, max: 1_000_000_000 }),
  paidCents: fc.integer({ min: -1_000_000, max: 2_000_000_000 }),
  dueDate: fc.option(isoDate, { nil: null }),
  today: isoDate,
  cancelled: fc.constant(false),
});

describe("invoiceStatus", () => {
  it("says paid exactly when the payments cover the amount due less the credit notes", () => {
    fc.assert(
      fc.property(input, (i) => {
        expect(invoiceStatus(i) === "paid").toBe(i.paidCents >= Math.max(0, i.dueCents - i.creditedCents));
      }),
    );
  });

  it("says overdue exactly when not paid and the due date is before today", () => {
    fc.assert(
      fc.property(input, (i) => {
        const paid = i.paidCents >= Math.max(0, i.dueCents - i.creditedCents);
        expect(invoiceStatus(i) === "overdue").toBe(!paid && i.dueDate !== null && i.dueDate < i.today);
      }),
    );
  });

  it("says partially paid only when something but not all was received and it is not late", () => {
    fc.assert(
      fc.property(input, (i) => {
        const s = invoiceStatus(i);
        if (s === "partially_paid") {
          expect(i.paidCents).toBeGreaterThan(0);
          expect(outstandingCents(i)).toBeGreaterThan(0);
          expect(i.dueDate === null || i.dueDate >= i.today).toBe(true);
        }
        if (s === "issued") expect(i.paidCents).toBeLessThanOrEqual(0);
      }),
    );
  });

  it("lets a credit note settle an invoice: crediting the whole amount leaves nothing to pay", () => {
    fc.assert(
      fc.property(input, (i) => {
        expect(invoiceStatus({ ...i, creditedCents: i.dueCents, paidCents: 0 })).toBe("paid");
      }),
    );
  });

  it("keeps cancelled whatever was paid", () => {
    fc.assert(
      fc.property(input, (i) => {
        expect(invoiceStatus({ ...i, cancelled: true })).toBe("cancelled");
      }),
    );
  });

  it("splits what was received into what settles the invoice and the excess, never both short", () => {
    fc.assert(
      fc.property(input, (i) => {
        const asked = Math.max(0, i.dueCents - i.creditedCents);
        expect(outstandingCents(i) >= 0 && excessCents(i) >= 0).toBe(true);
        expect(outstandingCents(i) === 0 || excessCents(i) === 0).toBe(true);
        expect(i.paidCents + outstandingCents(i) - excessCents(i)).toBe(asked);
      }),
    );
  });
});

describe("agingBucket", () => {
  it("puts the boundaries of each bucket where the brief says (1–30, 31–60, 61–90, over 90)", () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91].map(agingBucket)).toEqual(["not_due", "d1_30", "d1_30", "d31_60", "d31_60", "d61_90", "d61_90", "over_90"]);
  });

  it("never moves an invoice to a younger bucket as days pass", () => {
    fc.assert(
      fc.property(fc.integer({ min: -400, max: 400 }), fc.integer({ min: 0, max: 400 }), (d, more) => {
        expect(AGING_BUCKETS.indexOf(agingBucket(d + more))).toBeGreaterThanOrEqual(AGING_BUCKETS.indexOf(agingBucket(d)));
      }),
    );
  });

  it("counts calendar days across a month and a leap day", () => {
    expect(daysBetween("2028-02-28", "2028-03-01")).toBe(2);
    expect(daysBetween("2026-03-01", "2026-02-28")).toBe(-1);
  });
});
