import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../domain/mentions";
import { CATCH_UP_DAYS, checkPlan, DEFAULT_PLAN, dueDateWindow, dueStep, MAX_OFFSET, MIN_OFFSET, parseOffsets, stepDate } from "./plan";

const isoDay = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10));
const validPlan = fc.uniqueArray(fc.integer({ min: MIN_OFFSET, max: MAX_OFFSET }), { minLength: 1, maxLength: 6 }).map((p) => [...p].sort((a, b) => a - b));

describe("checkPlan", () => {
  it("accepts the default plan and sorts what it accepts", () => {
    expect(checkPlan(DEFAULT_PLAN)).toEqual({ ok: true, plan: [-3, 1, 7, 15] });
    expect(checkPlan([15, -3, 7])).toEqual({ ok: true, plan: [-3, 7, 15] });
  });

  it("refuses more than 6 steps, offsets outside −30..+120, duplicates and fractions", () => {
    expect(checkPlan([1, 2, 3, 4, 5, 6, 7])).toMatchObject({ ok: false, problem: "too_many" });
    expect(checkPlan([-31])).toMatchObject({ ok: false, problem: "out_of_range", offset: -31 });
    expect(checkPlan([121])).toMatchObject({ ok: false, problem: "out_of_range", offset: 121 });
    expect(checkPlan([7, 7])).toMatchObject({ ok: false, problem: "duplicate", offset: 7 });
    expect(checkPlan([1.5])).toMatchObject({ ok: false, problem: "not_integer" });
    expect(checkPlan([Number.NaN])).toMatchObject({ ok: false, problem: "not_integer" });
  });

  it("accepts exactly the plans within the limits", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -200, max: 200 }), { maxLength: 9 }), (offsets) => {
        const valid = offsets.length <= 6 && new Set(offsets).size === offsets.length && offsets.every((o) => o >= MIN_OFFSET && o <= MAX_OFFSET);
        expect(checkPlan(offsets).ok).toBe(valid);
      }),
    );
  });
});

describe("parseOffsets", () => {
  it("reads signed numbers separated by commas or spaces, and marks anything else as NaN", () => {
    expect(parseOffsets("-3, 1 ; +7  15")).toEqual([-3, 1, 7, 15]);
    expect(parseOffsets("")).toEqual([]);
    expect(parseOffsets("1, deux").map(Number.isNaN)).toEqual([false, true]);
    expect(parseOffsets("−3, x1, /5")).toEqual([-3, Number.NaN, Number.NaN]);
  });
});

describe("dueStep", () => {
  it("sends three days before, then 1, 7 and 15 days after the due date with the default plan", () => {
    const due = "2026-03-10";
    expect(dueStep(DEFAULT_PLAN, due, "2026-03-06", [])).toBeNull();
    expect(dueStep(DEFAULT_PLAN, due, "2026-03-07", [])).toBe(-3);
    expect(dueStep(DEFAULT_PLAN, due, "2026-03-07", [-3])).toBeNull();
    expect(dueStep(DEFAULT_PLAN, due, "2026-03-11", [-3])).toBe(1);
    expect(dueStep(DEFAULT_PLAN, due, "2026-03-25", [-3, 1, 7])).toBe(15);
  });

  it("sends only the most recent missed step, and nothing once a later step went out", () => {
    expect(dueStep(DEFAULT_PLAN, "2026-03-10", "2026-03-18", [])).toBe(7);
    expect(dueStep(DEFAULT_PLAN, "2026-03-10", "2026-03-18", [15])).toBeNull();
  });

  it("drops a step missed for longer than the catch-up period", () => {
    const due = "2026-03-10";
    expect(dueStep([1], due, addDays(due, 1 + CATCH_UP_DAYS), [])).toBe(1);
    expect(dueStep([1], due, addDays(due, 2 + CATCH_UP_DAYS), [])).toBeNull();
  });

  it("returns a step of the plan whose day has come, never one already handled", () => {
    fc.assert(
      fc.property(validPlan, isoDay, isoDay, fc.array(fc.integer({ min: MIN_OFFSET, max: MAX_OFFSET }), { maxLength: 6 }), (plan, due, today, done) => {
        const step = dueStep(plan, due, today, done);
        if (step === null) return;
        expect(plan).toContain(step);
        expect(stepDate(due, step) <= today).toBe(true);
        expect(done.some((d) => d >= step)).toBe(false);
        // Running again once it is logged sends nothing (idempotent per day).
        expect(dueStep(plan, due, today, [...done, step])).toBeNull();
      }),
    );
  });

  it("run daily, sends every step once, on its own day, in order", () => {
    fc.assert(
      fc.property(validPlan, isoDay, (plan, due) => {
        const sent: Array<{ offset: number; day: string }> = [];
        for (let d = MIN_OFFSET - 2; d <= MAX_OFFSET + CATCH_UP_DAYS + 2; d++) {
          const today = addDays(due, d);
          const step = dueStep(
            plan,
            due,
            today,
            sent.map((s) => s.offset),
          );
          if (step !== null) sent.push({ offset: step, day: today });
        }
        expect(sent).toEqual(plan.map((offset) => ({ offset, day: stepDate(due, offset) })));
      }),
      { numRuns: 60 },
    );
  });

  it("only ever needs invoices whose due date lies in the job's window", () => {
    fc.assert(
      fc.property(validPlan, isoDay, isoDay, (plan, due, today) => {
        const { from, to } = dueDateWindow(today);
        if (dueStep(plan, due, today, []) !== null) expect(due >= from && due <= to).toBe(true);
      }),
    );
  });
});
