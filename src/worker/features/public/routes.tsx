import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { Context } from "hono";
import * as z from "zod";
import { loadConfig } from "../../config";
import { accountDb } from "../../db/client";
import { documents } from "../../db/schema";
import type { DocumentSnapshot } from "../../domain/document";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { clientIp } from "../../http/session";
import { sha256Hex } from "../../lib/crypto/random";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import type { AccountVerbCtx, DocumentRow } from "../documents/drafts";
import { notifyQuoteAnswer } from "../documents/answers";
import { acceptQuote, refuseQuote } from "../documents/quotes";
import { isPayable, paymentState } from "../payments/verbs";
import { payUrlForIssue } from "../stripe/checkout";
import { PublicDocumentPage } from "./pages";
import { contentDisposition } from "../../http/header-values";

const AcceptInput = z.object({
  name: z.string().trim().min(2, "form.required").max(120),
  accept: z.literal("on", { error: "public.accept.checkRequired" }),
});

/**
 * Resolves a public link: `<accountId>.<secret>`; only the SHA-256 of the whole token is stored, and
 * a revoked or unknown token is a plain 404 (nothing tells whether the document exists).
 */
async function resolve(c: Context<AppEnv>): Promise<{ ctx: AccountVerbCtx; doc: DocumentRow }> {
  const token = c.req.param("token") ?? "";
  const accountId = token.split(".")[0] ?? "";
  const notFound = new AppError("not_found", c.var.t("err.not_found"));
  if (!/^[A-Za-z0-9_-]{10,40}\.[A-Za-z0-9_-]{40,60}$/.test(token)) throw notFound;
  const db = accountDb(c.env, accountId);
  const doc = await db
    .select()
    .from(documents)
    .where(and(eq(documents.accountId, accountId), eq(documents.publicTokenHash, await sha256Hex(token))))
    .get();
  if (!doc || doc.status === "draft") throw notFound;
  const ctx: AccountVerbCtx = { env: c.env, config: loadConfig(c.env), db, now: Date.now(), locale: c.var.locale, t: c.var.t, accountId };
  return { ctx, doc };
}

async function page(c: Context<AppEnv>, ctx: AccountVerbCtx, doc: DocumentRow, extra: { errors?: Record<string, string>; values?: Record<string, string> } = {}, status: 200 | 400 | 409 = 200) {
  // same-origin, not no-referrer: the token in the URL still never leaves for another site, and
  // the page's own posts (accept, refuse) keep their real Origin, which CSRF requires (never "null").
  c.header("Referrer-Policy", "same-origin");
  c.header("X-Robots-Tag", "noindex");
  // "Payer en ligne" when the seller takes online payment (features/stripe).
  const [pay, payment] = await Promise.all([isPayable(doc) ? payUrlForIssue(ctx, doc) : null, paymentState(ctx, doc)]);
  return render(
    c,
    <PublicDocumentPage ctx={pageContext(c)} doc={doc} snapshot={doc.snapshot as DocumentSnapshot} token={c.req.param("token") ?? ""} now={ctx.now} payUrl={pay} payment={payment} {...extra} />,
    status,
  );
}

/** Pages a client opens from an emailed link: view, download, and accept or refuse a quote. */
export const publicPages = new Hono<AppEnv>()
  .get("/p/:token", async (c) => {
    const { ctx, doc } = await resolve(c);
    return page(c, ctx, doc);
  })
  .get("/p/:token/document.pdf", async (c) => {
    const { doc } = await resolve(c);
    const obj = doc.pdfKey ? await c.env.FILES.get(doc.pdfKey) : null;
    if (!obj) throw new AppError("not_found", c.var.t("err.not_found"));
    return new Response(obj.body, {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": contentDisposition("inline", `${doc.number}.pdf`),
        "cache-control": "private, no-store",
        "referrer-policy": "no-referrer",
      },
    });
  })
  .post("/p/:token/accepter", async (c) => {
    const { ctx, doc } = await resolve(c);
    return handleForm(
      c,
      AcceptInput,
      async (input) => {
        await acceptQuote(ctx, doc, { name: input.name, ip: clientIp(c) });
        await notifyQuoteAnswer(ctx, doc, "accepted", input.name);
        return c.redirect(`/p/${c.req.param("token")}`, 303);
      },
      (values, errors, status) => page(c, ctx, doc, { errors, values }, status === 409 ? 409 : 400),
    );
  })
  .post("/p/:token/refuser", async (c) => {
    const { ctx, doc } = await resolve(c);
    await refuseQuote(ctx, doc);
    await notifyQuoteAnswer(ctx, doc, "refused", null);
    return c.redirect(`/p/${c.req.param("token")}`, 303);
  });
