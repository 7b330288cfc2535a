import * as z from "zod";
import { DECLARATION_FREQUENCIES, parseYear, SERVICE_CATEGORIES } from "../../domain/books/urssaf";
import { addDays } from "../../domain/mentions";
import { isBusinessDate } from "../../domain/date-window";
import { businessDate } from "../../http/validate";

/** Longest period the receipts book exports at once: three years (about 1 100 days). */
export const MAX_PERIOD_DAYS = 1_096;

const year = z.string().refine((v) => parseYear(v) !== null, "books.err.year").transform((v) => parseYear(v) as number);

/** `?year=2026`, the current year when absent (the caller fills it in). */
export const YearQuery = z.object({ year });

/** `?year=2026&frequency=monthly` for the URSSAF view; the frequency defaults to the account's. */
export const UrssafQuery = z.object({ year, frequency: z.enum(DECLARATION_FREQUENCIES, { error: "books.err.frequency" }).optional() });

/** `?from=2026-01-01&to=2026-03-31`: a real period, end not before start, three years at most. */
export const PeriodQuery = z
  .object({
    from: businessDate("books.err.period"),
    to: businessDate("books.err.period"),
  })
  .refine((p) => !isBusinessDate(p.from) || !isBusinessDate(p.to) || (p.from <= p.to && p.to <= addDays(p.from, MAX_PERIOD_DAYS)), { message: "books.err.period", path: ["to"] });

/** The declaration settings, from the API or the settings form. */
export const SettingsInput = z.object({
  serviceCategory: z.enum(SERVICE_CATEGORIES, { error: "books.err.serviceCategory" }),
  declarationFrequency: z.enum(DECLARATION_FREQUENCIES, { error: "books.err.frequency" }),
});
