import * as z from "zod";
import { MAX_ENTRY_MINUTES, parseDuration } from "../../domain/duration";
import { MAX_PARSED_CENTS } from "../../domain/format";
import { businessDate } from "../../http/validate";
import type { MessageKey } from "../../ui/i18n";
import { blank, checkbox, hundredths, hundredthsToInput, optionalText, requiredText } from "../clients/fields";

const isoDate = (message: MessageKey) => z.preprocess(blank, businessDate(message));

/**
 * A duration as typed ("1:30", "1h30", "90" minutes, "1,5" hours) or sent as JSON minutes, in
 * whole minutes between 1 and 24 h.
 */
export const durationField = z.preprocess(
  // A JSON number is whole minutes; a fractional one is refused rather than read as hours.
  (v) => (typeof v === "number" ? (Number.isSafeInteger(v) ? String(v) : "invalid") : blank(v)),
  z.string({ error: "time.err.duration" }).transform((s, ctx) => {
    const minutes = parseDuration(s);
    if (minutes === null) {
      ctx.issues.push({ code: "custom", message: "time.err.duration", input: s });
      return z.NEVER;
    }
    if (minutes < 1 || minutes > MAX_ENTRY_MINUTES) {
      ctx.issues.push({ code: "custom", message: "time.err.duration.range", input: s });
      return z.NEVER;
    }
    return minutes;
  }),
);

/** An hourly rate in euros ("65", "65,50"), at most 2 decimals; blank: no rate. */
const rateField = z.preprocess(
  (v) => (blank(v) === undefined ? undefined : v),
  hundredths("time.err.rate", { max: MAX_PARSED_CENTS }).optional(),
);

/**
 * The JSON API may send the stored shape back (`minutes`, `hourlyRateCents`, as GET returns
 * them): read it as the typed fields, so a GET → PUT round trip works.
 */
function fromStoredShape(v: unknown): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
  const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  if (blank(o.duration) === undefined && o.minutes !== undefined) o.duration = o.minutes;
  if (blank(o.hourlyRate) === undefined && o.hourlyRateCents !== undefined && o.hourlyRateCents !== null) {
    o.hourlyRate = Number.isSafeInteger(o.hourlyRateCents) ? hundredthsToInput(o.hourlyRateCents as number, "en") : "invalid";
  }
  return o;
}

const common = {
  clientId: optionalText(40),
  productId: optionalText(40),
  hourlyRate: rateField,
  billable: checkbox,
};

/** A time entry as typed in the /temps form or sent to POST and PUT /api/v1/time-entries. */
export const TimeEntryInput = z.preprocess(
  fromStoredShape,
  z
    .object({
      ...common,
      description: requiredText(500),
      workDate: isoDate("time.err.date"),
      duration: durationField,
    })
    .transform(({ duration, hourlyRate, ...v }) => ({ ...v, minutes: duration, hourlyRateCents: hourlyRate ?? null })),
);
export type TimeEntryInput = z.output<typeof TimeEntryInput>;

/** What a timer starts with; the duration comes from the clock when it stops. */
export const TimerInput = z.preprocess(
  fromStoredShape,
  z.object({ ...common, description: optionalText(500) }).transform(({ hourlyRate, ...v }) => ({ ...v, hourlyRateCents: hourlyRate ?? null })),
);
export type TimerInput = z.output<typeof TimerInput>;

/** POST /api/v1/time-entries/bill: the client and the entries to put on one invoice draft. */
export const BillInput = z.object({
  clientId: z.string().min(1, "time.err.client").max(40),
  entryIds: z.array(z.string().min(1).max(40)).min(1, "time.err.bill.none").max(500, "time.err.bill.tooMany"),
});
export type BillInput = z.output<typeof BillInput>;

export const BILLED_FILTERS = ["billed", "unbilled"] as const;

/** Filters of the list (API query and /temps page alike). */
export const TimeListQuery = z.object({
  clientId: optionalText(40),
  billed: z.preprocess(blank, z.enum(BILLED_FILTERS, "time.err.filter").optional()),
  from: z.preprocess(blank, businessDate("time.err.date").optional()),
  to: z.preprocess(blank, businessDate("time.err.date").optional()),
  cursor: optionalText(1000),
  limit: z.preprocess((v) => (typeof v === "string" && /^\d{1,3}$/.test(v) ? Number(v) : blank(v)), z.number().int().min(1).max(100).optional()),
});
export type TimeListQuery = z.output<typeof TimeListQuery>;
