import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountCtx } from "../../context";
import { accountDb } from "../../db/client";
import { availableActions, purchaseState } from "../../domain/purchases";
import { parseAmountToCents } from "../../domain/format";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { contentDisposition } from "../../http/header-values";
import { requireAuth } from "../../http/session";
import { formFields, jsonBody, orThrow, readForm, validate } from "../../http/validate";
import { base64Decode, bytesToHex, hmacSha256Bytes, timingSafeEqual } from "../../lib/crypto/random";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { translator } from "../../ui/i18n";
import { todayInParis } from "../documents/drafts";
import { PaError } from "../einvoicing/pa-client";
import { getPurchase, listPurchases } from "./queries";
import { type FormState, NewPurchasePage, PURCHASES_PATH, PurchaseDetailPage, PurchaseListPage, purchasePath } from "./pages";
import { ManualPurchaseInput, PaymentInput, PurchaseListQuery, StatusInput } from "./schemas";
import { addManualPurchase, lifecyclesOf, recordPurchasePayment, sendPurchaseStatus, syncPurchases, webhookKey } from "./verbs";

type Ctx = Context<AppEnv>;

/** A PA failure during a poll: a clear precondition, never a 500 (nothing changed). */
async function sync(c: Ctx) {
  try {
    return await syncPurchases(accountCtx(c));
  } catch (err) {
    if (err instanceof PaError) throw new AppError("precondition_failed", c.var.t("purchases.err.paFailed", { detail: err.message.slice(0, 200) }));
    throw err;
  }
}

function apiPurchase(p: Awaited<ReturnType<typeof getPurchase>>, lifecycle: Array<{ code: number; direction: string; reasonCode: string | null; reason: string | null; amountCents: number | null; at: number }>) {
  return {
    id: p.id,
    source: p.source,
    number: p.number,
    typeCode: p.typeCode,
    supplierName: p.supplierName,
    supplierSiren: p.supplierSiren,
    supplierVatNumber: p.supplierVatNumber,
    issueDate: p.issueDate,
    dueDate: p.dueDate,
    currency: p.currency,
    taxExclusiveCents: p.taxExclusiveCents,
    vatCents: p.vatCents,
    taxInclusiveCents: p.taxInclusiveCents,
    vatBreakdown: JSON.parse(p.vatBreakdown) as unknown,
    lines: JSON.parse(p.lines) as unknown,
    iban: p.iban,
    category: p.category,
    fileSha256: p.fileSha256,
    statusCode: p.statusCode,
    state: purchaseState(p),
    paidOn: p.paidOn,
    paidCents: p.paidCents,
    paymentMethod: p.paymentMethod,
    receivedAt: new Date(p.receivedAt).toISOString(),
    lifecycle: lifecycle.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
  };
}

/** JSON API under /api/v1: the received invoices, one of them, a poll, a status, a payment. */
export const purchasesApi = new Hono<AppEnv>()
  .use("/purchases", requireAuth)
  .use("/purchases/*", requireAuth)
  .get("/purchases", async (c) => {
    const q = orThrow(c, validate(PurchaseListQuery, c.req.query(), c.var.locale, c.var.t));
    const ctx = accountCtx(c);
    const page = await listPurchases(ctx, q);
    const lifecycles = await lifecyclesOf(ctx, page.items.map((p) => p.id));
    return c.json({
      items: page.items.map((p) => ({ ...p, receivedAt: new Date(p.receivedAt).toISOString(), lifecycle: (lifecycles.get(p.id) ?? []).map((e) => ({ ...e, at: new Date(e.at).toISOString() })) })),
      nextCursor: page.nextCursor,
      prevCursor: page.prevCursor,
    });
  })
  .post("/purchases/sync", async (c) => c.json(await sync(c)))
  .get("/purchases/:id", async (c) => {
    const ctx = accountCtx(c);
    const p = await getPurchase(ctx, c.req.param("id"));
    return c.json(apiPurchase(p, (await lifecyclesOf(ctx, [p.id])).get(p.id) ?? []));
  })
  .post("/purchases/:id/status", async (c) => {
    const ctx = accountCtx(c);
    await getPurchase(ctx, c.req.param("id"));
    const input = await jsonBody(c, StatusInput);
    const sent = await sendPurchaseStatus(ctx, c.req.param("id"), input);
    return c.json({ ...sent, code: input.code }, 201);
  })
  .post("/purchases/:id/payment", async (c) => {
    const ctx = accountCtx(c);
    await getPurchase(ctx, c.req.param("id"));
    const input = await jsonBody(c, PaymentInput);
    await recordPurchasePayment(ctx, c.req.param("id"), input);
    const p = await getPurchase(ctx, c.req.param("id"));
    return c.json(apiPurchase(p, (await lifecyclesOf(ctx, [p.id])).get(p.id) ?? []));
  });

const OK_FLASH = { payment: "purchases.saved.payment", added: "purchases.saved.added" } as const;

async function detailPage(c: Ctx, id: string, form: FormState | null = null, status: ContentfulStatusCode = 200, flash: Flash | null = null) {
  const ctx = accountCtx(c);
  const p = await getPurchase(ctx, id);
  const lifecycle = (await lifecyclesOf(ctx, [p.id])).get(p.id) ?? [];
  const sentCodes = lifecycle.filter((e) => e.direction === "out").map((e) => e.code);
  const ok = c.req.query("ok");
  const sentCode = c.req.query("sent");
  const message =
    flash ??
    (!form && ok && ok in OK_FLASH
      ? { kind: "success" as const, text: ctx.t(OK_FLASH[ok as keyof typeof OK_FLASH]) }
      : !form && sentCode && /^2\d\d$/.test(sentCode)
        ? { kind: "success" as const, text: ctx.t("purchases.saved.status", { label: ctx.t(`einvoice.status.${sentCode}` as "einvoice.status.200") }) }
        : null);
  return render(
    c,
    <PurchaseDetailPage
      ctx={pageContext(c)}
      purchase={p}
      state={purchaseState(p)}
      lifecycle={lifecycle}
      actions={availableActions(sentCodes, { network: p.source === "network" && Boolean(p.supplierSiren) })}
      form={form}
      flash={message}
      today={todayInParis(ctx.now)}
    />,
    status,
  );
}

function formError(err: unknown): { fields: FieldErrors; status: ContentfulStatusCode } | null {
  if (err instanceof AppError && err.status < 500 && err.code !== "not_found") return { fields: err.fields ?? { _form: err.message }, status: err.status };
  return null;
}

/** Pages: /achats (inbox), /achats/nouvelle (typed by hand), /achats/:id with its answers and payment. */
export const purchasesPages = new Hono<AppEnv>()
  .use(PURCHASES_PATH, requireAuth)
  .use(`${PURCHASES_PATH}/*`, requireAuth)
  .get(PURCHASES_PATH, async (c) => {
    const q = orThrow(c, validate(PurchaseListQuery, c.req.query(), c.var.locale, c.var.t));
    const ctx = accountCtx(c);
    const page = await listPurchases(ctx, q);
    const synced = c.req.query("synced");
    let flash: Flash | null = null;
    if (synced) {
      const [received = "0", statuses = "0", duplicates = "0"] = synced.split(".").map((n) => String(Number(n) || 0));
      flash = { kind: "success", text: ctx.t("purchases.synced", { received, statuses, duplicates }) };
    }
    return render(c, <PurchaseListPage ctx={pageContext(c)} page={page} flash={flash} />);
  })
  .post(`${PURCHASES_PATH}/relever`, async (c) => {
    const result = await sync(c);
    return c.redirect(`${PURCHASES_PATH}?synced=${result.received}.${result.statuses}.${result.duplicates}`, 303);
  })
  .get(`${PURCHASES_PATH}/nouvelle`, (c) => render(c, <NewPurchasePage ctx={pageContext(c)} values={{}} today={todayInParis(Date.now())} />))
  .post(`${PURCHASES_PATH}/nouvelle`, async (c) => {
    const ctx = accountCtx(c);
    const body = await readForm(c);
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (k !== "_csrf" && typeof v === "string") values[k] = v;
    const again = (errors: FieldErrors, status: ContentfulStatusCode) => render(c, <NewPurchasePage ctx={pageContext(c)} values={values} errors={errors} today={todayInParis(ctx.now)} />, status);
    const parsed = validate(ManualPurchaseInput, values, c.var.locale, c.var.t);
    if (!parsed.ok) return again(parsed.fields, 400);
    const upload = body.file;
    const file = upload instanceof File && upload.size > 0 ? { bytes: new Uint8Array(await upload.arrayBuffer()), name: upload.name } : null;
    try {
      const result = await addManualPurchase(ctx, { manual: parsed.data, file });
      return c.redirect(`${purchasePath(result.id)}?ok=added`, 303);
    } catch (err) {
      const e = formError(err);
      if (e) return again(e.fields, e.status);
      throw err;
    }
  })
  .get(`${PURCHASES_PATH}/:id`, (c) => detailPage(c, c.req.param("id")))
  .get(`${PURCHASES_PATH}/:id/fichier`, async (c) => {
    const ctx = accountCtx(c);
    const p = await getPurchase(ctx, c.req.param("id"));
    const obj = p.fileKey ? await c.env.FILES.get(p.fileKey) : null;
    if (!obj) throw new AppError("not_found", ctx.t("purchases.err.notFound"));
    const ext = p.fileType === "application/pdf" ? "pdf" : p.fileType === "application/xml" ? "xml" : "bin";
    return c.body(obj.body, 200, {
      "content-type": p.fileType ?? "application/octet-stream",
      "content-disposition": contentDisposition("attachment", `${p.number}.${ext}`),
      "x-content-sha256": p.fileSha256 ?? "",
    });
  })
  .post(`${PURCHASES_PATH}/:id/statut`, async (c) => {
    const ctx = accountCtx(c);
    const p = await getPurchase(ctx, c.req.param("id"));
    const values = await formFields(c);
    const form = String(values.code ?? "");
    let amountCents: number | undefined;
    if (values.amount !== undefined && values.amount.trim() !== "") {
      const amount = parseAmountToCents(values.amount);
      if (!amount.ok || amount.cents <= 0) return detailPage(c, p.id, { form, values, errors: { amount: ctx.t("purchases.err.amount") } }, 400);
      amountCents = amount.cents;
    }
    const parsed = validate(StatusInput, { code: values.code, reasonCode: values.reasonCode, reason: values.reason, amountCents }, c.var.locale, c.var.t);
    if (!parsed.ok) return detailPage(c, p.id, { form, values, errors: parsed.fields }, 400);
    try {
      await sendPurchaseStatus(ctx, p.id, parsed.data);
    } catch (err) {
      const e = formError(err);
      if (e) return detailPage(c, p.id, { form, values, errors: e.fields.amountCents ? { amount: e.fields.amountCents } : e.fields }, e.status);
      throw err;
    }
    return c.redirect(`${purchasePath(p.id)}?sent=${parsed.data.code}`, 303);
  })
  .post(`${PURCHASES_PATH}/:id/paiement`, async (c) => {
    const ctx = accountCtx(c);
    const p = await getPurchase(ctx, c.req.param("id"));
    const values = await formFields(c);
    const parsed = validate(PaymentInput, values, c.var.locale, c.var.t);
    if (!parsed.ok) return detailPage(c, p.id, { form: "payment", values, errors: parsed.fields }, 400);
    try {
      await recordPurchasePayment(ctx, p.id, parsed.data);
    } catch (err) {
      const e = formError(err);
      if (e) return detailPage(c, p.id, { form: "payment", values, errors: e.fields }, e.status);
      throw err;
    }
    return c.redirect(`${purchasePath(p.id)}?ok=payment`, 303);
  });

/**
 * POST /webhooks/pa/purchases?account=<id> — the PA's notice that a supplier flow changed. The body
 * is only a hint: once its HMAC signature (key derived per account) checks out, the account's
 * incremental poll runs, so a forged or replayed notice can at most trigger a poll.
 */
export const purchasesWebhooks = new Hono<AppEnv>().post("/pa/purchases", async (c) => {
  // The account is in the query, not the path: the callback URL is one per account either way.
  const accountId = c.req.query("account") ?? "";
  if (!/^[A-Za-z0-9_-]{10,64}$/.test(accountId)) return c.json({ error: { code: "not_found" } }, 404);
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const signature = c.req.header("signature") ?? "";
  let given: Uint8Array;
  try {
    given = base64Decode(signature);
  } catch {
    return c.json({ error: { code: "forbidden" } }, 403);
  }
  const expected = await hmacSha256Bytes(await webhookKey(c.var.config, accountId), raw);
  if (!timingSafeEqual(bytesToHex(expected), bytesToHex(given))) return c.json({ error: { code: "forbidden" } }, 403);
  const t = translator("fr");
  try {
    const result = await syncPurchases({ env: c.env, config: c.var.config, db: accountDb(c.env, accountId), now: Date.now(), locale: "fr", t, accountId });
    return c.json({ ok: true, received: result.received });
  } catch (err) {
    // The PA retries a failed delivery; a poll that could not run is retried by the next one.
    if (err instanceof PaError || err instanceof AppError) return c.json({ ok: false }, 503);
    throw err;
  }
});
