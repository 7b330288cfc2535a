import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { AppError, type FieldErrors } from "./errors";
import { safeRedirect } from "./header-values";
import { formFields, validate } from "./validate";

/**
 * Runs a form post: validate with the shared schema, call the verb, and on any field-level failure
 * re-render the form with the values and errors tied to their fields (nothing was changed).
 */
export async function handleForm<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
  onValid: (data: z.output<S>, values: Record<string, string>) => Promise<Response>,
  renderForm: (values: Record<string, string>, errors: FieldErrors, status: ContentfulStatusCode) => Response | Promise<Response>,
): Promise<Response> {
  const values = await formFields(c);
  const parsed = validate(schema, values, c.var.locale, c.var.t);
  if (!parsed.ok) return renderForm(values, parsed.fields, 400);
  try {
    return await onValid(parsed.data, values);
  } catch (err) {
    if (err instanceof AppError && err.status < 500 && err.code !== "forbidden") {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
      return renderForm(values, err.fields ?? { _form: err.message }, err.status);
    }
    throw err;
  }
}

/** Only same-site relative paths are followed after login (no open redirect): see header-values.ts. */
export function safeNext(next: string | undefined, fallback = "/tableau-de-bord"): string {
  return safeRedirect(next, fallback);
}
