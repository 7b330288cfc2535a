import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountCtx } from "../../context";
import { documents } from "../../db/schema";
import { parseAmountToCents } from "../../domain/format";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { requireAuth } from "../../http/session";
import { formFields, validate } from "../../http/validate";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { type AccountVerbCtx, type DocumentRow, todayInParis } from "../documents/drafts";
import { documentPath } from "../documents/pages";
import { PaymentFormPage, PaymentsListPage, PAYMENTS_PATH, RECEIVABLES_PATH, ReceivablesPage } from "./pages";
import type { PaymentsPanelProps } from "./panel";
import { listPayments, receivables } from "./queries";
import { remindedToday } from "../reminders/verbs";
import { PaymentInput } from "./schemas";
import { applyClientCredit, clientCreditCents, correctPayment, paymentState, recordPayment } from "./verbs";

type Ctx = Context<AppEnv>;

/**
 * What the document page needs to show its payments panel, or null for documents that take no
 * payment (drafts, quotes, credit notes). The documents page route passes it as `payments`.
 */
export async function paymentsPanelData(ctx: AccountVerbCtx, doc: DocumentRow): Promise<Omit<PaymentsPanelProps, "ctx"> | null> {
  const state = await paymentState(ctx, doc);
  if (!state) return null;
  // The client's credit only matters while the invoice can still take it.
  const credit = doc.status === "issued" && doc.clientId && state.outstandingCents > 0 ? await clientCreditCents(ctx, doc.clientId) : 0;
  return { doc, state, today: todayInParis(ctx.now), clientCreditCents: credit };
}

async function loadDoc(ctx: AccountVerbCtx, id: string): Promise<DocumentRow> {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  return doc;
}

/** The form (values in euros, "1 234,50") → the API's input in cents, with the form's own errors. */
function readPaymentForm(c: Ctx, values: Record<string, string>) {
  const t = c.var.t;
  const amount = parseAmountToCents(values.amount ?? "");
  const errors: FieldErrors = {};
  if (!amount.ok || amount.cents <= 0) errors.amount = t("payments.err.amount");
  const parsed = validate(
    PaymentInput,
    { receivedOn: values.receivedOn ?? "", amountCents: amount.ok ? amount.cents : 0, method: values.method ?? "", reference: values.reference ?? "" },
    c.var.locale,
    t,
  );
  if (!parsed.ok) for (const [k, v] of Object.entries(parsed.fields)) if (k !== "amountCents") errors[k] ??= v;
  return Object.keys(errors).length > 0 || !parsed.ok ? { ok: false as const, errors } : { ok: true as const, input: parsed.data };
}

async function formAgain(
  c: Ctx,
  doc: DocumentRow,
  refused: { values?: Record<string, string>; errors?: FieldErrors; creditValues?: Record<string, string>; creditErrors?: FieldErrors },
  status: ContentfulStatusCode,
) {
  const ctx = accountCtx(c);
  const data = await paymentsPanelData(ctx, doc);
  if (!data) throw new AppError("conflict", ctx.t("payments.err.notPayable"));
  return render(c, <PaymentFormPage ctx={pageContext(c)} number={doc.number} {...data} {...refused} />, status);
}

/** Pages: the receipts book, receivables, and the payment forms posted from a document's page. */
export const paymentsPages = new Hono<AppEnv>()
  .use(PAYMENTS_PATH, requireAuth)
  .use(`${PAYMENTS_PATH}/*`, requireAuth)
  .use("/documents/:id/paiements", requireAuth)
  .use("/documents/:id/paiements/*", requireAuth)
  .get(PAYMENTS_PATH, async (c) => {
    const cursor = c.req.query("cursor")?.slice(0, 200) || undefined;
    const page = await listPayments(accountCtx(c), { cursor });
    return render(c, <PaymentsListPage ctx={pageContext(c)} items={page.items} cursor={cursor} nextCursor={page.nextCursor} />);
  })
  .get(RECEIVABLES_PATH, async (c) => {
    const ctx = accountCtx(c);
    const data = await receivables(ctx);
    const reminded = await remindedToday(ctx, data.overdue.map((o) => o.id));
    return render(c, <ReceivablesPage ctx={pageContext(c)} data={data} remindedToday={reminded} />);
  })
  .post("/documents/:id/paiements", async (c) => {
    const ctx = accountCtx(c);
    const doc = await loadDoc(ctx, c.req.param("id"));
    const values = await formFields(c);
    const form = readPaymentForm(c, values);
    if (!form.ok) return formAgain(c, doc, { values, errors: form.errors }, 400);
    try {
      await recordPayment(ctx, doc.id, form.input);
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid") return formAgain(c, doc, { values, errors: err.fields ?? { _form: err.message } }, 400);
      throw err;
    }
    return c.redirect(`${documentPath(doc.id)}#paiements`, 303);
  })
  .post("/documents/:id/paiements/credit-client", async (c) => {
    const ctx = accountCtx(c);
    const doc = await loadDoc(ctx, c.req.param("id"));
    const values = await formFields(c);
    const amount = parseAmountToCents(values.creditAmount ?? "");
    if (!amount.ok || amount.cents <= 0) return formAgain(c, doc, { creditValues: values, creditErrors: { creditAmount: ctx.t("payments.err.amount") } }, 400);
    try {
      await applyClientCredit(ctx, doc.id, { amountCents: amount.cents });
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid") {
        const message = err.fields?.amountCents ?? err.fields?.appliedOn ?? err.message;
        return formAgain(c, doc, { creditValues: values, creditErrors: { creditAmount: message } }, 400);
      }
      throw err;
    }
    return c.redirect(`${documentPath(doc.id)}#paiements`, 303);
  })
  .post("/documents/:id/paiements/:paymentId/corriger", async (c) => {
    const id = c.req.param("id");
    await correctPayment(accountCtx(c), id, c.req.param("paymentId"));
    return c.redirect(`${documentPath(id)}#paiements`, 303);
  });
