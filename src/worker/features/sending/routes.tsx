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
import type { SendPanelProps } from "./panel";
import { listSends, sendDocument, suppressionOf } from "./verbs";
import { handleResendWebhook } from "./webhook";

const SendInput = z.object({ to: emailField.optional() });

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
    const send = await sendDocument(accountCtx(c), c.req.param("id"), input.to ? { to: input.to } : {});
    return c.json({ send }, 201);
  })
  .get("/documents/:id/sends", async (c) => {
    const ctx = accountCtx(c);
    const doc = await ctx.db.select({ id: documents.id }).from(documents).where(and(eq(documents.id, c.req.param("id")), eq(documents.accountId, ctx.accountId))).get();
    if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
    return c.json({ sends: await listSends(ctx, doc.id) });
  });

/** The send form on a document's page. */
export const sendingPages = new Hono<AppEnv>().use("/documents/:id/envoyer", requireAuth).post("/documents/:id/envoyer", async (c) => {
  const id = c.req.param("id");
  const values = await formFields(c);
  const parsed = validate(SendInput, { to: values.to?.trim() ? values.to : undefined }, c.var.locale, c.var.t);
  if (!parsed.ok) throw new AppError("invalid", c.var.t("form.errors"), parsed.fields);
  await sendDocument(accountCtx(c), id, parsed.data.to ? { to: parsed.data.to } : {});
  return c.redirect(`${documentPath(id)}#envoi`, 303);
});

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
