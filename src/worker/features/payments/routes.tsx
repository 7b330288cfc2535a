import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { accountCtx } from "../../context";
import { documents } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { requireAuth } from "../../http/session";
import { jsonBody, orThrow, validate } from "../../http/validate";
import type { AccountVerbCtx } from "../documents/drafts";
import { listPayments, receivables } from "./queries";
import { CreditApplicationInput, ListPaymentsInput, PaymentInput } from "./schemas";
import { applyClientCredit, correctPayment, paymentState, recordPayment } from "./verbs";

async function stateOf(ctx: AccountVerbCtx, id: string) {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  const state = await paymentState(ctx, doc);
  if (!state) throw new AppError("conflict", ctx.t("payments.err.notPayable"));
  return state;
}

/** JSON API: payments of a document, the receipts book, receivables. */
export const paymentsApi = new Hono<AppEnv>()
  .use("/documents/:id/payments", requireAuth)
  .use("/documents/:id/payments/*", requireAuth)
  .use("/documents/:id/credit-applications", requireAuth)
  .use("/payments", requireAuth)
  .use("/receivables", requireAuth)
  .post("/documents/:id/payments", async (c) => {
    const input = await jsonBody(c, PaymentInput);
    const ctx = accountCtx(c);
    const payment = await recordPayment(ctx, c.req.param("id"), input);
    return c.json({ payment, state: await stateOf(ctx, payment.documentId) }, 201);
  })
  .post("/documents/:id/credit-applications", async (c) => {
    const input = await jsonBody(c, CreditApplicationInput);
    const ctx = accountCtx(c);
    const payment = await applyClientCredit(ctx, c.req.param("id"), input);
    return c.json({ payment, state: await stateOf(ctx, payment.documentId) }, 201);
  })
  .get("/documents/:id/payments", async (c) => c.json(await stateOf(accountCtx(c), c.req.param("id"))))
  .post("/documents/:id/payments/:paymentId/correction", async (c) => {
    const ctx = accountCtx(c);
    const payment = await correctPayment(ctx, c.req.param("id"), c.req.param("paymentId"));
    return c.json({ payment, state: await stateOf(ctx, payment.documentId) }, 201);
  })
  .get("/payments", async (c) => {
    const q = orThrow(c, validate(ListPaymentsInput, c.req.query(), c.var.locale, c.var.t));
    return c.json(await listPayments(accountCtx(c), { cursor: q.cursor }));
  })
  .get("/receivables", async (c) => c.json(await receivables(accountCtx(c))));
