import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BillInput, TimeEntryInput, TimerInput } from "./schemas";

const base = { description: "Atelier", workDate: "2026-11-02", hourlyRate: "65", billable: "on" };
const parse = (extra: Record<string, unknown>) => TimeEntryInput.safeParse({ ...base, ...extra });
const minutesOf = (duration: unknown) => {
  const r = parse({ duration });
  return r.success ? r.data.minutes : null;
};
const issuesOf = (extra: Record<string, unknown>) => {
  const r = parse(extra);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}:${i.message}`);
};

describe("TimeEntryInput duration", () => {
  it.each([
    ["1:30", 90],
    ["1h30", 90],
    ["90", 90],
    ["1,5", 90],
    ["0,25", 15],
    ["24:00", 1440],
    ["1", 1],
  ])("reads %j as %i minutes", (duration, minutes) => {
    expect(minutesOf(duration)).toBe(minutes);
  });

  it.each(["", "abc", "1:60", "0", "0:00", "24:01", "1441", "-1:30", "1,5,5"])("refuses %j on the duration field", (duration) => {
    expect(issuesOf({ duration }).some((i) => i.startsWith("duration:"))).toBe(true);
  });

  it("reads JSON minutes as whole minutes and refuses a fraction", () => {
    expect(minutesOf(90)).toBe(90);
    expect(minutesOf(1.5)).toBeNull();
    expect(TimeEntryInput.safeParse({ ...base, minutes: 45 }).data?.minutes).toBe(45);
  });

  it("accepts every h:mm and decimal-hours form of a duration between 1 minute and 24 h, with the same minutes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1440 }), (minutes) => {
        const h = Math.floor(minutes / 60);
        const m = minutes % 60;
        expect(minutesOf(`${h}:${String(m).padStart(2, "0")}`)).toBe(minutes);
        expect(minutesOf(`${h}h${String(m).padStart(2, "0")}`)).toBe(minutes);
        expect(minutesOf(String(minutes))).toBe(minutes);
        // Quarter hours are exact in decimal hours with the French comma.
        if (minutes % 15 === 0) expect(minutesOf(`${h},${String((m / 60) * 100).padStart(2, "0")}`)).toBe(minutes);
      }),
    );
  });

  it("refuses any text that is not a duration (letters around digits)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /[a-gj-lo-z!?#@;]/i.test(s)), (garbage) => {
        expect(minutesOf(garbage)).toBeNull();
      }),
    );
  });
});

describe("TimeEntryInput other fields", () => {
  it("stores the rate in cents and refuses more than 2 decimals or a negative rate", () => {
    expect(parse({ duration: "1:00", hourlyRate: "72,50" }).data?.hourlyRateCents).toBe(7_250);
    expect(parse({ duration: "1:00", hourlyRate: "" }).data?.hourlyRateCents).toBeNull();
    expect(parse({ duration: "1:00", hourlyRateCents: 6_500, hourlyRate: undefined }).data?.hourlyRateCents).toBe(6_500);
    expect(issuesOf({ duration: "1:00", hourlyRate: "72,505" })).toContain("hourlyRate:time.err.rate");
    expect(issuesOf({ duration: "1:00", hourlyRate: "-1" })).toContain("hourlyRate:time.err.rate");
    expect(issuesOf({ duration: "1:00", hourlyRate: undefined, hourlyRateCents: 1.5 })).toContain("hourlyRate:time.err.rate");
  });

  it("refuses a date that does not exist", () => {
    expect(issuesOf({ duration: "1:00", workDate: "2026-02-29" })).toContain("workDate:time.err.date");
    expect(issuesOf({ duration: "1:00", workDate: "2028-02-29" })).toEqual([]);
  });

  it("reads the billable checkbox as a boolean", () => {
    expect(parse({ duration: "1:00" }).data?.billable).toBe(true);
    expect(parse({ duration: "1:00", billable: undefined }).data?.billable).toBe(false);
  });
});

describe("TimerInput and BillInput", () => {
  it("starts a timer without description nor duration", () => {
    expect(TimerInput.safeParse({ billable: "on", hourlyRate: "50" }).data).toMatchObject({ billable: true, hourlyRateCents: 5_000 });
  });

  it("asks for a client and between 1 and 500 entries to bill", () => {
    expect(BillInput.safeParse({ clientId: "c", entryIds: ["e"] }).success).toBe(true);
    expect(BillInput.safeParse({ clientId: "c", entryIds: [] }).success).toBe(false);
    expect(BillInput.safeParse({ clientId: "", entryIds: ["e"] }).success).toBe(false);
    expect(BillInput.safeParse({ clientId: "c", entryIds: Array.from({ length: 501 }, (_, i) => `e${i}`) }).success).toBe(false);
  });
});
