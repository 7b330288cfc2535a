/**
 * Reminder plans (relances): which step of an account's plan is due for an invoice on a given day.
 * A plan is a list of offsets in days from the due date (−3 = three days before, 15 = fifteen days
 * after). Pure: no clock, no I/O; dates are "YYYY-MM-DD".
 */
import { addDays } from "../../domain/mentions";
import { daysBetween } from "../../domain/invoice-status";

/** 3 days before the due date, then 1, 7 and 15 days after. */
export const DEFAULT_PLAN: readonly number[] = [-3, 1, 7, 15];
export const MAX_STEPS = 6;
export const MIN_OFFSET = -30;
export const MAX_OFFSET = 120;
/**
 * A missed step (job down, invoice issued late, plan just changed) is still sent up to this many
 * days after its date; older ones are dropped rather than reminding about a long-forgotten day.
 */
export const CATCH_UP_DAYS = 10;

export type PlanProblem = "too_many" | "not_integer" | "out_of_range" | "duplicate";
export type PlanCheck = { ok: true; plan: number[] } | { ok: false; problem: PlanProblem; offset?: number };

/** Checks a plan typed by a user: at most 6 whole offsets within −30..+120, no duplicate; sorted on success. */
export function checkPlan(offsets: readonly number[]): PlanCheck {
  if (offsets.length > MAX_STEPS) return { ok: false, problem: "too_many" };
  const seen = new Set<number>();
  for (const offset of offsets) {
    if (!Number.isSafeInteger(offset)) return { ok: false, problem: "not_integer", offset };
    if (offset < MIN_OFFSET || offset > MAX_OFFSET) return { ok: false, problem: "out_of_range", offset };
    if (seen.has(offset)) return { ok: false, problem: "duplicate", offset };
    seen.add(offset);
  }
  return { ok: true, plan: [...seen].sort((a, b) => a - b) };
}

/** The day a step falls on. */
export const stepDate = (dueDate: string, offset: number) => addDays(dueDate, offset);

/** The reminder log key of an automatic step (unique per invoice). */
export const autoStepKey = (offset: number) => `auto:${offset}`;

/** The reminder log key of a one-click reminder: one per invoice and day. */
export const manualStepKey = (today: string) => `manual:${today}`;

/**
 * The step to send today for an invoice, or null: the latest step whose day has come (at most
 * CATCH_UP_DAYS ago), provided neither it nor a later step was already handled. So a daily run
 * sends each step on its day, a run that missed days sends only the most recent step, and a
 * second run the same day sends nothing.
 * @param done offsets already in the reminder log for this invoice (sent, skipped or pending).
 */
export function dueStep(plan: readonly number[], dueDate: string, today: string, done: ReadonlySet<number> | readonly number[]): number | null {
  const handled = done instanceof Set ? done : new Set(done as readonly number[]);
  let latest: number | null = null;
  for (const offset of plan) {
    if (stepDate(dueDate, offset) <= today && (latest === null || offset > latest)) latest = offset;
  }
  if (latest === null) return null;
  if (daysBetween(stepDate(dueDate, latest), today) > CATCH_UP_DAYS) return null;
  for (const d of handled) if (d >= latest) return null;
  return latest;
}

/**
 * Due dates for which some plan step can be due today: a cross-account query reads only the open
 * invoices whose due date lies in this window (every plan's offsets are within MIN..MAX_OFFSET).
 */
export function dueDateWindow(today: string): { from: string; to: string } {
  return { from: addDays(today, -(MAX_OFFSET + CATCH_UP_DAYS)), to: addDays(today, -MIN_OFFSET) };
}

/** Parses "-3, 1, 7 15" (commas, semicolons or spaces; "+7" allowed) into numbers; NaN marks a bad token. */
export function parseOffsets(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^[+\-−]?\d{1,4}$/.test(s) ? Number(s.replace("−", "-").replace("+", "")) : Number.NaN));
}
