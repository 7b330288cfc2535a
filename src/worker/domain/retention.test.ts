import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  RETENTION_CLASSES,
  addDuration,
  describeDuration,
  inactiveErasureAt,
  inactivityWarningCutoff,
  retentionCutoff,
  subtractDuration,
} from "./retention";

const at = (iso: string) => Date.parse(iso);

describe("calendar durations", () => {
  it("counts 12 months back to the same day of the previous year", () => {
    expect(new Date(retentionCutoff("connection_logs", at("2027-03-31T10:00:00Z"))).toISOString()).toBe("2026-03-31T10:00:00.000Z");
  });

  it("clamps to the last day of a shorter month (13 months before 31 March is 28 February)", () => {
    expect(new Date(retentionCutoff("payment_details", at("2027-03-31T00:00:00Z"))).toISOString()).toBe("2026-02-28T00:00:00.000Z");
  });

  it("moves 29 February 2028 ten years on to 28 February 2038", () => {
    expect(new Date(addDuration(at("2028-02-29T12:00:00Z"), RETENTION_CLASSES.billing_records.duration)).toISOString()).toBe("2038-02-28T12:00:00.000Z");
  });

  it("never keeps billing records less than 3650 days (the floor of the database trigger)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (t) => {
        expect(addDuration(t, RETENTION_CLASSES.billing_records.duration) - t).toBeGreaterThanOrEqual(3650 * 24 * 3600 * 1000);
      }),
    );
  });

  it("subtracting then adding a duration never lands after the starting instant", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.integer({ min: 0, max: 240 }), (t, months) => {
        expect(addDuration(subtractDuration(t, { months }), { months })).toBeLessThanOrEqual(t);
      }),
    );
  });
});

describe("inactive accounts", () => {
  it("warns 30 days before the erasure date", () => {
    const last = at("2026-01-15T09:00:00Z");
    const erasure = inactiveErasureAt(last);
    expect(new Date(erasure).toISOString()).toBe("2029-01-15T09:00:00.000Z");
    // At 30 days before erasure the account becomes due for its warning, not a day earlier.
    expect(last < inactivityWarningCutoff(erasure - 30 * 24 * 3600 * 1000 + 1)).toBe(true);
    expect(last < inactivityWarningCutoff(erasure - 31 * 24 * 3600 * 1000)).toBe(false);
  });
});

describe("describeDuration", () => {
  it("reads two or more whole years as years and other periods as months, in both languages", () => {
    expect(describeDuration({ months: 120 }, "fr")).toBe("10 ans");
    expect(describeDuration({ months: 13 }, "fr")).toBe("13 mois");
    expect(describeDuration({ months: 12 }, "en")).toBe("12 months");
    expect(describeDuration({ months: 36 }, "en")).toBe("3 years");
    expect(describeDuration({ days: 7 }, "en")).toBe("7 days");
    expect(describeDuration({ days: 1 }, "fr")).toBe("1 jour");
  });

  it("refuses a cutoff for a class kept as long as the contract", () => {
    expect(() => retentionCutoff("active_account", Date.now())).toThrow(/no fixed duration/);
  });
});
