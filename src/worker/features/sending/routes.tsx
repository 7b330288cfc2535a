import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { accountCtx } from "../../context";
import { clients, documents } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { requireAuth } from "../../http/session";
import { emailField, formFields, jsonBody, validate } from "../../http/validate";
import type { AccountVerbCtx, DocumentRow } from "../documents/drafts";
import { documentPath } from "../documents/pages";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { handleForm } from "../../http/forms";
import type { FieldErrors } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { resetTemplate, saveTemplate, templateFor } from "./email-templates";
import { EMAIL_TEMPLATES_PATH, EMAIL_TEMPLATES_RESET_PATH, EmailTemplatesPage, SendPreviewPage, templatePath } from "./pages";
import { sendFormPath, type SendPanelProps } from "./panel";
import { defaultTemplate, type MailLanguage, TEMPLATE_KINDS, type TemplateKind } from "./templates";
import { listSends, previewSend, type SendPreview, sendDocument, suppressionOf } from "./verbs";
import { handleResendWebhook } from "./webhook";

const SendInput = z.object({
  to: emailField.optional(),
  // Length and placeholders are checked by the verb (requireMailText), with messages per field.
  subject: z.string().max(10_000).optional(),
  message: z.string().max(50_000).optional(),
});
const TemplateQuery = z.object({ type: z.enum(TEMPLATE_KINDS).catch("invoice"), langue: z.enum(["fr", "en"]).catch("fr") });
const TemplateForm = z.object({ kind: z.enum(TEMPLATE_KINDS), language: z.enum(["fr", "en"]), subject: z.string().max(10_000).default(""), message: z.string().max(50_000).default("") });

/**
 * What the document page needs for its send panel, or null for drafts. The documents page route
 * passes it as `sending`.
 */
export async function sendPanelData(ctx: AccountVerbCtx, doc: DocumentRow): Promise<Omit<SendPanelProps, "ctx"> | null> {
  if (doc.status === "draft") return null;
  const client = doc.clientId
    ? await ctx.db.select({ email: clients.email }).from(clients).where(and(eq(clients.id, doc.clientId), eq(clients.accountId, ctx.accountId))).get()
    : undefined;
  const email = client?.email ?? null;
  const [sends, suppressed] = await Promise.all([listSends(ctx, doc.id), email ? suppressionOf(ctx.db, email) : Promise.resolve(null)]);
  return { documentId: doc.id, clientEmail: email, suppressed, sends };
}

/** JSON API: send a document by email, list its sends. */
export const sendingApi = new Hono<AppEnv>()
  .use("/documents/:id/send", requireAuth)
  .use("/documents/:id/sends", requireAuth)
  .post("/documents/:id/send", async (c) => {
    const input = await jsonBody(c, SendInput);
    const key = c.req.header("idempotency-key")?.trim();
    if (key !== undefined && !/^[\w.:-]{8,100}$/.test(key)) throw new AppError("invalid", c.var.t("sending.err.key"), { "Idempotency-Key": c.var.t("sending.err.key") });
    const { already, ...send } = await sendDocument(accountCtx(c), c.req.param("id"), { ...definedOnly(input), ...(key ? { requestKey: key } : {}) });
    return c.json({ send, already }, already ? 200 : 201);
  })
  .get("/documents/:id/sends", async (c) => {
    const ctx = accountCtx(c);
    const doc = await ctx.db.select({ id: documents.id }).from(documents).where(and(eq(documents.id, c.req.param("id")), eq(documents.accountId, ctx.accountId))).get();
    if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
    return c.json({ sends: await listSends(ctx, doc.id) });
  });

const definedOnly = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };

function renderSendPreview(c: Context<AppEnv>, id: string, p: SendPreview, values: Partial<Record<string, string>>, errors?: FieldErrors, status: ContentfulStatusCode = 200) {
  const ctx = pageContext(c);
  return render(
    c,
    <SendPreviewPage
      ctx={ctx}
      action={sendFormPath(id)}
      back={documentPath(id)}
      title={ctx.t("sending.preview.title", { number: p.number })}
      submit={ctx.t("sending.submit")}
      kind={p.kind}
      language={p.language}
      to={values.to ?? p.to}
      subject={values.subject ?? p.subject}
      message={values.message ?? p.message}
      mandatory={p.mandatory}
      attachment={p.attachment}
      requestKey={values.key ?? randomId()}
      errors={errors}
    />,
    status,
  );
}

/** The send preview of a document (GET) and its send (POST → back to the document). */
export const sendingPages = new Hono<AppEnv>()
  .use("/documents/:id/envoyer", requireAuth)
  .use(EMAIL_TEMPLATES_PATH, requireAuth)
  .use(EMAIL_TEMPLATES_RESET_PATH, requireAuth)
  .get("/documents/:id/envoyer", async (c) => {
    const id = c.req.param("id");
    return renderSendPreview(c, id, await previewSend(accountCtx(c), id), {});
  })
  .post("/documents/:id/envoyer", async (c) => {
    const id = c.req.param("id");
    const values = await formFields(c);
    const parsed = validate(SendInput, { to: values.to?.trim() ? values.to : undefined, subject: values.subject, message: values.message }, c.var.locale, c.var.t);
    const reshow = async (errors: FieldErrors, status: ContentfulStatusCode) => renderSendPreview(c, id, await previewSend(accountCtx(c), id), values, errors, status);
    if (!parsed.ok) return reshow(parsed.fields, 400);
    const key = values.key && /^[\w-]{8,100}$/.test(values.key) ? values.key : undefined;
    try {
      await sendDocument(accountCtx(c), id, { ...definedOnly(parsed.data), ...(key ? { requestKey: key } : {}) });
    } catch (err) {
      if (err instanceof AppError && err.fields && err.status < 500) return reshow(err.fields, err.status);
      throw err;
    }
    return c.redirect(`${documentPath(id)}#envoi`, 303);
  })
  .get(EMAIL_TEMPLATES_PATH, async (c) => {
    const q = TemplateQuery.parse(c.req.query());
    const ok = c.req.query("ok");
    const flash = ok === "saved" || ok === "reset" ? { kind: "success" as const, text: c.var.t(ok === "saved" ? "emailTpl.saved" : "emailTpl.resetDone") } : null;
    return renderTemplates(c, q.type, q.langue, {}, undefined, flash);
  })
  .post(EMAIL_TEMPLATES_PATH, (c) =>
    handleForm(
      c,
      TemplateForm,
      async (data) => {
        await saveTemplate(accountCtx(c), data.kind, data.language, data.subject, data.message);
        return c.redirect(`${templatePath(data.kind, data.language)}&ok=saved`, 303);
      },
      (values, errors, status) => {
        const q = TemplateQuery.parse({ type: values.kind, langue: values.language });
        return renderTemplates(c, q.type, q.langue, values, errors, null, status);
      },
    ),
  )
  .post(EMAIL_TEMPLATES_RESET_PATH, async (c) => {
    const q = TemplateQuery.parse(await formFields(c).then((v) => ({ type: v.kind, langue: v.language })));
    await resetTemplate(accountCtx(c), q.type, q.langue);
    return c.redirect(`${templatePath(q.type, q.langue)}&ok=reset`, 303);
  });

async function renderTemplates(
  c: Context<AppEnv>,
  kind: TemplateKind,
  language: MailLanguage,
  values: Partial<Record<string, string>>,
  errors?: FieldErrors,
  flash?: Flash | null,
  status: ContentfulStatusCode = 200,
) {
  const stored = await templateFor(c.var.db, accountCtx(c).accountId, kind, language);
  const shown = stored ?? defaultTemplate(kind, language);
  return render(
    c,
    <EmailTemplatesPage
      ctx={pageContext(c)}
      kind={kind}
      language={language}
      subject={values.subject ?? shown.subject}
      message={values.message ?? shown.body}
      isCustom={stored !== null}
      errors={errors}
      flash={flash ?? null}
    />,
    status,
  );
}

/** Provider webhooks: authenticated by their signature, not by a session (CSRF-exempt path). */
export const sendingWebhooks = new Hono<AppEnv>().post("/resend", async (c) => {
  const outcome = await handleResendWebhook(
    c.env,
    c.var.config,
    await c.req.text(),
    { id: c.req.header("svix-id"), timestamp: c.req.header("svix-timestamp"), signature: c.req.header("svix-signature") },
    Date.now(),
  );
  if (!outcome.ok) {
    if (outcome.reason === "not_configured") throw new AppError("not_found", c.var.t("err.not_found"));
    throw new AppError("unauthorized", c.var.locale === "en" ? "Invalid signature." : "Signature invalide.");
  }
  return c.json({ ok: true, duplicate: outcome.duplicate });
});
