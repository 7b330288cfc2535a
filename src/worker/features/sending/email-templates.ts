import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailTemplates } from "../../db/schema";
import { AppError, type FieldErrors } from "../../http/errors";
import type { Translate } from "../../ui/i18n";
import type { AccountVerbCtx } from "../documents/drafts";
import { MESSAGE_MAX, type MailLanguage, PLACEHOLDERS, SUBJECT_MAX, type TemplateKind, unknownPlaceholders } from "./templates";

export interface StoredTemplate {
  subject: string;
  body: string;
}

/** The account's own wording of one kind and language, or null (the built-in text applies). */
export async function templateFor(db: Db, accountId: string, kind: TemplateKind, language: MailLanguage): Promise<StoredTemplate | null> {
  const row = await db
    .select({ subject: emailTemplates.subject, body: emailTemplates.body })
    .from(emailTemplates)
    .where(and(eq(emailTemplates.accountId, accountId), eq(emailTemplates.kind, kind), eq(emailTemplates.language, language)))
    .get();
  return row ?? null;
}

/**
 * Field errors of a subject and a message (a template in Paramètres, or the text edited in a send
 * preview): required, bounded, one line for the subject, and only the documented placeholders.
 * `fields` names the two form fields.
 */
export function mailTextErrors(t: Translate, input: { subject?: string | undefined; message?: string | undefined }, fields = { subject: "subject", message: "message" }): FieldErrors | null {
  const errors: FieldErrors = {};
  const check = (value: string | undefined, field: string, max: number) => {
    if (value === undefined) return;
    if (!value.trim()) errors[field] = t("emailTpl.err.required");
    else if (value.length > max) errors[field] = t("emailTpl.err.tooLong", { max });
    else {
      const unknown = unknownPlaceholders(value);
      if (unknown.length) errors[field] = t("emailTpl.err.placeholder", { count: unknown.length, names: unknown.map((n) => `{${n}}`).join(", "), known: PLACEHOLDERS.map((n) => `{${n}}`).join(", ") });
    }
  };
  check(input.subject, fields.subject, SUBJECT_MAX);
  if (input.subject !== undefined && /[\r\n]/.test(input.subject) && !errors[fields.subject]) errors[fields.subject] = t("emailTpl.err.subjectLine");
  check(input.message, fields.message, MESSAGE_MAX);
  return Object.keys(errors).length ? errors : null;
}

/** Throws `invalid` with the field errors of mailTextErrors, if any: nothing is saved or sent. */
export function requireMailText(t: Translate, input: { subject?: string | undefined; message?: string | undefined }): void {
  const errors = mailTextErrors(t, input);
  if (errors) throw new AppError("invalid", Object.values(errors)[0]!, errors);
}

/** Saves the account's wording of one kind and language; refused whole on any bad field. */
export async function saveTemplate(ctx: AccountVerbCtx, kind: TemplateKind, language: MailLanguage, subject: string, body: string): Promise<void> {
  requireMailText(ctx.t, { subject, message: body });
  const values = { subject: subject.trim(), body: body.replace(/\r\n/g, "\n").trim(), updatedAt: ctx.now };
  await ctx.db
    .insert(emailTemplates)
    .values({ accountId: ctx.accountId, kind, language, ...values })
    .onConflictDoUpdate({ target: [emailTemplates.accountId, emailTemplates.kind, emailTemplates.language], set: values });
}

/** Back to the built-in text: the account's row goes. */
export async function resetTemplate(ctx: AccountVerbCtx, kind: TemplateKind, language: MailLanguage): Promise<void> {
  await ctx.db.delete(emailTemplates).where(and(eq(emailTemplates.accountId, ctx.accountId), eq(emailTemplates.kind, kind), eq(emailTemplates.language, language)));
}
