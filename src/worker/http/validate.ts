import type { Context } from "hono";
import * as z from "zod";
import zodEn from "zod/v4/locales/en.js";
import zodFr from "zod/v4/locales/fr.js";
import type { AppEnv } from "../env";
import { checkBusinessDate } from "../domain/date-window";
import { isMessageKey, type Locale, type MessageKey, type Translate } from "../ui/i18n";
import { AppError, type FieldErrors } from "./errors";

// Only the two locales used: `z.locales` would bundle every language zod ships (~700 KB).
const zodLocales = { fr: zodFr().localeError, en: zodEn().localeError };

export type Parsed<T> = { ok: true; data: T } | { ok: false; fields: FieldErrors };

/**
 * Validates input with a schema shared by the API and the forms. Schema messages are i18n keys
 * (e.g. "err.siret"); zod's own messages come in the user's language.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, locale: Locale, t: Translate): Parsed<z.output<S>> {
  const result = schema.safeParse(input, { error: zodLocales[locale] });
  if (result.success) return { ok: true, data: result.data };
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_form";
    if (fields[key]) continue;
    fields[key] = isMessageKey(issue.message) ? t(issue.message) : issue.message;
  }
  return { ok: false, fields };
}

/** Parses a JSON body or throws `invalid` with field errors; nothing is changed on failure. */
export async function jsonBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError("invalid", c.var.locale === "en" ? "The body is not valid JSON." : "Le corps de la requête n'est pas du JSON valide.");
  }
  return orThrow(c, validate(schema, body, c.var.locale, c.var.t));
}

/**
 * Reads a urlencoded or multipart form. A body the runtime cannot parse (a multipart without its
 * boundary, a part without a name, a content type that is no form) is the client's error: 400
 * `invalid`, never a 500. The CSRF check reads such a body only when no header token came.
 */
export async function readForm(c: Context<AppEnv>, opts: { all?: boolean } = {}): Promise<Record<string, string | File | Array<string | File>>> {
  try {
    return await c.req.parseBody(opts);
  } catch {
    throw new AppError("invalid", c.var.t("err.formUnreadable"));
  }
}

/** Reads a urlencoded or multipart form into a plain object of strings (files are dropped). */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await readForm(c);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k !== "_csrf" && typeof v === "string") out[k] = v;
  }
  return out;
}

export function orThrow<T>(c: Context<AppEnv>, parsed: Parsed<T>): T {
  if (parsed.ok) return parsed.data;
  throw new AppError("invalid", c.var.t("form.errors"), parsed.fields);
}

/** An optional text field from a form: empty strings become undefined. */
export const optionalText = (max = 200) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v), z.string().max(max).optional());

export const requiredText = (max = 200) => z.string().trim().min(1, "form.required").max(max);

export const emailField = z.string().trim().toLowerCase().pipe(z.email("err.email").max(254, "err.email"));

/**
 * A business date (domain/date-window.ts): `formatKey` when the value is no real `YYYY-MM-DD`
 * date, `err.dateWindow` when it lies outside 2000–2099. Every date field of every schema uses it.
 */
export const businessDate = (formatKey: MessageKey) =>
  z.string({ error: formatKey }).superRefine((value, ctx) => {
    const check = checkBusinessDate(value);
    if (check !== "ok") ctx.addIssue({ code: "custom", message: check === "format" ? formatKey : "err.dateWindow" });
  });
