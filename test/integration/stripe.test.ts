import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/worker/app";
import { loadConfig } from "../../src/worker/config";
import { payToken, payUrl, payUrlForIssue, readPayToken } from "../../src/worker/features/stripe/checkout";
import { SIGNATURE_TOLERANCE_SECONDS } from "../../src/worker/features/stripe/webhook";
import { formatMoney } from "../../src/worker/domain/format";
import { TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount, verbCtx } from "../helpers/invoicing";

declare module "vitest" {
  export interface ProvidedContext {
    stripeApiBase: string;
  }
}

// Online payment end to end inside workerd: the real Stripe SDK talks to the local Stripe stand-in
// (test/helpers/stripe-server.mjs, started by vitest globalSetup), and webhooks are signed with the
// SDK's own test-header helper. Nothing here reaches Stripe.

const WEBHOOK_SECRET = "whsec_factumo_test_secret";
const API_BASE = inject("stripeApiBase");
const STRIPE_ENV = { ...env, STRIPE_SECRET_KEY: "sk_test_factumo", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE: API_BASE } as typeof env;
const app = createApp();
const signer = new Stripe("sk_test_factumo", { httpClient: Stripe.createFetchHttpClient() });

/** A TestClient whose requests reach an app configured with Stripe (the default test env has no keys). */
class StripeClient extends TestClient {
  override async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await app.fetch(new Request(`https://factumo.test${path}`, { ...init, headers, redirect: "manual" }), STRIPE_ENV, createExecutionContext());
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
    return res;
  }
}

type Recorded = { method: string; path: string; stripeAccount: string | null; idempotencyKey: string | null; form: Record<string, string> };

async function recorded(): Promise<Recorded[]> {
  return (await (await fetch(`${API_BASE}/__requests`)).json()) as Recorded[];
}

async function sellerWithStripe() {
  const a = await readyAccount();
  const client = new StripeClient();
  for (const [k, v] of a.client.cookies) client.cookies.set(k, v);
  const connect = await client.postForm("/parametres/paiement-en-ligne/connecter", {});
  expect(connect.status).toBe(303);
  const onboarding = new URL(connect.headers.get("location") ?? "");
  expect(onboarding.origin).toBe(API_BASE);
  // The seller finishes onboarding on "Stripe", which sends them back to the return URL.
  const done = await fetch(`${API_BASE}${onboarding.pathname}/terminer${onboarding.search}`, { redirect: "manual" });
  const back = new URL(done.headers.get("location") ?? "");
  expect(back.pathname).toBe("/parametres/paiement-en-ligne/retour");
  expect((await client.get(back.pathname)).status).toBe(303);
  const acct = onboarding.pathname.split("/")[2] ?? "";
  return { ...a, client, acct };
}

async function issuedInvoice(a: { client: TestClient; clientId: string }) {
  const id = await createDraftVia(a.client, draftBody(a.clientId));
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  expect(res.status).toBe(200);
  return ((await res.json()) as { document: { id: string; number: string; dueCents: number } }).document;
}

async function paymentState(client: TestClient, id: string) {
  const res = await client.json("GET", `/api/v1/documents/${id}/payments`);
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; paidCents: number; outstandingCents: number; payments: Array<{ amountCents: number; method: string; reference: string | null; receivedOn: string }> };
}

/**
 * Sends a signed event. A payment event names a Checkout session Factumo opened, as in real use:
 * unless `opened: false`, the fixture records that session (stripe_checkouts, what startCheckout
 * writes) for the amount paid, or for `openedCents`.
 */
async function sendWebhook(event: Record<string, unknown>, opts: { secret?: string; timestamp?: number; opened?: false; openedCents?: number } = {}) {
  const type = String(event.type);
  if (opts.opened !== false && (type.startsWith("checkout.session.") || type === "payment_intent.succeeded")) {
    const o = (event.data as { object: Record<string, unknown> }).object;
    const m = o.metadata as { account_id: string; document_id: string };
    const sessionId = type.startsWith("checkout.session.") ? String(o.id) : `cs_test_${String(o.id)}`;
    const amount = opts.openedCents ?? Number(o.amount_total ?? o.amount_received);
    await env.DB.prepare("INSERT OR IGNORE INTO stripe_checkouts (account_id, session_id, document_id, amount_cents, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind(m.account_id, sessionId, m.document_id, amount, Date.now())
      .run();
  }
  const payload = JSON.stringify(event);
  const header = await signer.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? WEBHOOK_SECRET,
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return new StripeClient().fetch("/webhooks/stripe", { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
}

let seq = 0;
const evtId = () => `evt_test_${Date.now().toString(36)}_${++seq}`;
const now = () => Math.floor(Date.now() / 1000);

function sessionCompleted(acct: string, accountId: string, documentId: string, pi: string, amount: number) {
  return {
    id: evtId(),
    object: "event",
    type: "checkout.session.completed",
    created: now(),
    account: acct,
    data: { object: { id: `cs_test_${pi}`, object: "checkout.session", payment_status: "paid", payment_intent: pi, amount_total: amount, currency: "eur", metadata: { account_id: accountId, document_id: documentId } } },
  };
}

function intentSucceeded(acct: string, accountId: string, documentId: string, pi: string, amount: number) {
  return {
    id: evtId(),
    object: "event",
    type: "payment_intent.succeeded",
    created: now(),
    account: acct,
    data: { object: { id: pi, object: "payment_intent", amount_received: amount, currency: "eur", metadata: { account_id: accountId, document_id: documentId } } },
  };
}

function chargeRefunded(acct: string, pi: string, refunded: number) {
  return {
    id: evtId(),
    object: "event",
    type: "charge.refunded",
    created: now(),
    account: acct,
    data: { object: { id: `ch_${pi}`, object: "charge", payment_intent: pi, amount_refunded: refunded, currency: "eur" } },
  };
}

function asyncPaymentFailed(acct: string, accountId: string, documentId: string, pi: string, amount: number) {
  const event = sessionCompleted(acct, accountId, documentId, pi, amount);
  return { ...event, type: "checkout.session.async_payment_failed", data: { object: { ...event.data.object, payment_status: "unpaid" } } };
}

const creditOf = async (accountId: string) =>
  (await env.DB.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS v FROM client_credits WHERE account_id = ?").bind(accountId).first<{ v: number }>())?.v ?? 0;

const pageOf = async (client: TestClient, id: string) => (await (await client.get(`/documents/${id}`)).text()).replace(/[\u00a0\u202f]/g, " ");

describe("configuration", () => {
  it("refuses a Stripe test server URL in production", () => {
    // Without the PA stand-in's URLs, which a production configuration refuses on their own.
    const production = { ...env, ENVIRONMENT: "production", RESEND_API_KEY: "re_test", TURNSTILE_SECRET_KEY: "0x4AAAAAAAproductionSecretForTests", STRIPE_SECRET_KEY: "sk_live_x", PA_TOKEN_URL: undefined, PA_FLOW_URL: undefined, PA_DIRECTORY_URL: undefined, PA_CLIENT_ID: undefined, PA_CLIENT_SECRET: undefined };
    expect(() => loadConfig({ ...production })).not.toThrow();
    expect(() => loadConfig({ ...production, STRIPE_API_BASE: API_BASE })).toThrow(/STRIPE_API_BASE/);
  });
});

describe("connecting a Stripe account", () => {
  it("creates an Express account, stores its id sealed, and shows it active after onboarding", async () => {
    const s = await sellerWithStripe();
    expect(s.acct).toMatch(/^acct_/);
    const row = await env.DB.prepare("SELECT * FROM stripe_connections WHERE account_id = ?").bind(s.accountId).first<Record<string, unknown>>();
    expect(row?.charges_enabled).toBe(1);
    // Privacy policy §8: the row never holds the plain Stripe id.
    expect(JSON.stringify(row)).not.toContain(s.acct);
    expect(String(row?.stripe_account_sealed)).toMatch(/^v1\./);
    const page = await (await s.client.get("/parametres/paiement-en-ligne")).text();
    expect(page).toContain("relié et actif");
    const creates = (await recorded()).filter((r) => r.path === "/v1/accounts" && r.form["metadata[factumo_account_id]"] === s.accountId);
    expect(creates).toHaveLength(1);
    expect(creates[0]?.form.type).toBe("express");
  });

  it("forgets the account on disconnect, after which its webhooks map to nobody", async () => {
    const s = await sellerWithStripe();
    const doc = await issuedInvoice(s);
    expect((await s.client.postForm("/parametres/paiement-en-ligne/delier", {})).status).toBe(303);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM stripe_connections WHERE account_id = ?").bind(s.accountId).first("n")).toBe(0);
    const res = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_gone_${seq}`, doc.dueCents));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: "unknown_account" });
    expect((await paymentState(s.client, doc.id)).paidCents).toBe(0);
  });
});

describe("paying an invoice online", () => {
  it("opens a Checkout session on the connected account for the amount due, with an idempotency key", async () => {
    const s = await sellerWithStripe();
    const doc = await issuedInvoice(s);
    const token = await payToken(loadConfig(STRIPE_ENV), s.accountId, doc.id);
    const payer = new StripeClient();
    const page = await payer.get(`/payer/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Payer en ligne");
    // Browsers apply form-action to the redirect target: the page's form may land on Checkout.
    expect(page.headers.get("content-security-policy")).toMatch(/form-action 'self'[^;]* https:\/\/checkout\.stripe\.com/);

    const first = await payer.postForm(`/payer/${token}`, {});
    expect(first.status).toBe(303);
    const again = await payer.postForm(`/payer/${token}`, {});
    // Same document, same amount due: the same session comes back (no second charge possible).
    expect(again.headers.get("location")).toBe(first.headers.get("location"));

    const calls = (await recorded()).filter((r) => r.path === "/v1/checkout/sessions" && r.form["metadata[document_id]"] === doc.id);
    expect(calls.length).toBe(2);
    for (const call of calls) {
      expect(call.stripeAccount).toBe(s.acct);
      expect(call.idempotencyKey).toBe(`checkout-${doc.id}-${doc.dueCents}-${doc.dueCents}-fr`);
      expect(call.form["line_items[0][price_data][unit_amount]"]).toBe(String(doc.dueCents));
      expect(call.form["metadata[account_id]"]).toBe(s.accountId);
      expect(call.form["payment_intent_data[metadata][document_id]"]).toBe(doc.id);
    }
  });

  it("opens an English Checkout for a payer who switched to English (the key includes the language: Stripe refuses a key replayed with other parameters)", async () => {
    const s = await sellerWithStripe();
    const doc = await issuedInvoice(s);
    const token = await payToken(loadConfig(STRIPE_ENV), s.accountId, doc.id);
    const payer = new StripeClient();
    const french = await payer.postForm(`/payer/${token}`, {});
    expect(french.status).toBe(303);
    payer.cookies.set("__Host-lang", "en");
    const english = await payer.postForm(`/payer/${token}`, {});
    expect(english.status).toBe(303);
    expect(english.headers.get("location")).not.toBe(french.headers.get("location"));
    const calls = (await recorded()).filter((r) => r.path === "/v1/checkout/sessions" && r.form["metadata[document_id]"] === doc.id);
    expect(calls.map((c) => c.form.locale)).toEqual(["fr", "en"]);
  });

  it("lets the payer choose a partial amount only when the seller allows it", async () => {
    const s = await sellerWithStripe();
    const doc = await issuedInvoice(s);
    const token = await payToken(loadConfig(STRIPE_ENV), s.accountId, doc.id);
    const payer = new StripeClient();
    await payer.postForm(`/payer/${token}`, { amount: "100,00" });
    const fixed = (await recorded()).filter((r) => r.form["metadata[document_id]"] === doc.id).at(-1);
    expect(fixed?.form["line_items[0][price_data][unit_amount]"]).toBe(String(doc.dueCents));

    expect((await s.client.postForm("/parametres/paiement-en-ligne/options", { allowPartial: "on" })).status).toBe(303);
    expect((await payer.postForm(`/payer/${token}`, { amount: "100,00" })).status).toBe(303);
    const partial = (await recorded()).filter((r) => r.form["metadata[document_id]"] === doc.id).at(-1);
    expect(partial?.form["line_items[0][price_data][unit_amount]"]).toBe("10000");
    // More than what is due is refused on the form, and nothing reaches Stripe.
    const before = (await recorded()).length;
    const tooMuch = await payer.postForm(`/payer/${token}`, { amount: String(doc.dueCents) });
    expect(tooMuch.status).toBe(400);
    expect((await recorded()).length).toBe(before);
  });

  it("refuses a forged pay token and offers no Checkout on a frozen account", async () => {
    const s = await sellerWithStripe();
    const doc = await issuedInvoice(s);
    const token = await payToken(loadConfig(STRIPE_ENV), s.accountId, doc.id);
    expect(await readPayToken(loadConfig(STRIPE_ENV), token)).toEqual({ accountId: s.accountId, documentId: doc.id });
    const forged = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect((await new StripeClient().get(`/payer/${forged}`)).status).toBe(404);
    expect(await payUrl(loadConfig(STRIPE_ENV), s.accountId, doc.id)).toBe(`${STRIPE_ENV.APP_URL}/payer/${token}`);

    await env.DB.prepare("UPDATE accounts SET frozen_at = ? WHERE id = ?").bind(Date.now(), s.accountId).run();
    const before = (await recorded()).length;
    const payer = new StripeClient();
    expect(await (await payer.get(`/payer/${token}`)).text()).toContain("pas disponible");
    expect((await payer.postForm(`/payer/${token}`, {})).status).toBe(409);
    expect((await recorded()).length).toBe(before);
  });
});

describe("the pay link travels with the invoice", () => {
  it("is printed on invoices (not quotes) and sent in the email once Stripe is active, and absent before", async () => {
    const s = await sellerWithStripe();
    const doc = await issuedInvoice(s);
    const ctx = { ...verbCtx(s.accountId), config: loadConfig(STRIPE_ENV) };
    expect(await payUrlForIssue(ctx, { id: doc.id, type: "invoice" })).toBe(await payUrl(loadConfig(STRIPE_ENV), s.accountId, doc.id));
    expect(await payUrlForIssue(ctx, { id: doc.id, type: "quote" })).toBeNull();
    // The default test env has no Stripe key: no pay link at all.
    expect(await payUrlForIssue(verbCtx(s.accountId), { id: doc.id, type: "invoice" })).toBeNull();

    expect((await s.client.json("POST", `/api/v1/documents/${doc.id}/send`, {})).status).toBe(201);
    const mail = await env.DB.prepare("SELECT body_text AS body FROM mail_log WHERE account_id = ? ORDER BY created_at DESC LIMIT 1").bind(s.accountId).first<{ body: string }>();
    expect(mail?.body).toContain(`Payer en ligne par carte : ${await payUrl(loadConfig(STRIPE_ENV), s.accountId, doc.id)}`);

    const share = (await (await s.client.json("POST", `/api/v1/documents/${doc.id}/share`)).json()) as { url: string };
    const publicPage = await (await new StripeClient().get(new URL(share.url).pathname)).text();
    expect(publicPage).toContain(`/payer/${await payToken(loadConfig(STRIPE_ENV), s.accountId, doc.id)}`);

    await s.client.postForm("/parametres/paiement-en-ligne/delier", {});
    expect(await payUrlForIssue(ctx, { id: doc.id, type: "invoice" })).toBeNull();
  });
});

describe("the Stripe webhook", () => {
  let s: Awaited<ReturnType<typeof sellerWithStripe>>;
  beforeAll(async () => {
    s = await sellerWithStripe();
  });

  it("records a completed Checkout payment in the receipts book and the invoice becomes paid", async () => {
    const doc = await issuedInvoice(s);
    const res = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_paid_${seq}`, doc.dueCents));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: "handled" });
    const state = await paymentState(s.client, doc.id);
    expect(state).toMatchObject({ status: "paid", paidCents: doc.dueCents, outstandingCents: 0 });
    expect(state.payments[0]).toMatchObject({ method: "stripe", amountCents: doc.dueCents });
  });

  it("refuses a wrong signature with 400 and records nothing", async () => {
    const doc = await issuedInvoice(s);
    const res = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_forged_${seq}`, doc.dueCents), { secret: "whsec_not_ours" });
    expect(res.status).toBe(400);
    expect((await paymentState(s.client, doc.id)).paidCents).toBe(0);
  });

  it("refuses a signature older than five minutes with 400", async () => {
    const doc = await issuedInvoice(s);
    const stale = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_stale_${seq}`, doc.dueCents), { timestamp: now() - 301 });
    expect(stale.status).toBe(400);
    const recent = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_recent_${seq}`, doc.dueCents), { timestamp: now() - 200 });
    expect(recent.status).toBe(200);
  });

  it("does nothing when the same event is delivered again", async () => {
    const doc = await issuedInvoice(s);
    const event = sessionCompleted(s.acct, s.accountId, doc.id, `pi_replay_${seq}`, 10_000);
    expect(await (await sendWebhook(event)).json()).toMatchObject({ result: "handled" });
    expect(await (await sendWebhook(event)).json()).toMatchObject({ result: "duplicate" });
    const state = await paymentState(s.client, doc.id);
    expect(state.payments).toHaveLength(1);
    expect(state.paidCents).toBe(10_000);
  });

  it("counts a payment once when both checkout.session.completed and payment_intent.succeeded arrive, in any order", async () => {
    const a = await issuedInvoice(s);
    const b = await issuedInvoice(s);
    const piA = `pi_both_a_${seq}`;
    const piB = `pi_both_b_${seq}`;
    await sendWebhook(sessionCompleted(s.acct, s.accountId, a.id, piA, 20_000));
    await sendWebhook(intentSucceeded(s.acct, s.accountId, a.id, piA, 20_000));
    await sendWebhook(intentSucceeded(s.acct, s.accountId, b.id, piB, 30_000));
    await sendWebhook(sessionCompleted(s.acct, s.accountId, b.id, piB, 30_000));
    expect((await paymentState(s.client, a.id)).payments.map((p) => p.amountCents)).toEqual([20_000]);
    expect((await paymentState(s.client, b.id)).payments.map((p) => p.amountCents)).toEqual([30_000]);
  });

  it("enters a refund as a negative receipt, even when charge.refunded arrives before the payment", async () => {
    const doc = await issuedInvoice(s);
    const pi = `pi_refund_${seq}`;
    const early = await sendWebhook(chargeRefunded(s.acct, pi, 4_000));
    expect(early.status).toBe(200);
    expect((await paymentState(s.client, doc.id)).payments).toHaveLength(0);

    await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, pi, doc.dueCents));
    const afterPayment = await paymentState(s.client, doc.id);
    expect(afterPayment.payments.map((p) => p.amountCents)).toEqual([doc.dueCents, -4_000]);
    expect(afterPayment).toMatchObject({ status: "partially_paid", outstandingCents: 4_000 });

    // A later, larger cumulative refund enters only the difference; an older, smaller one nothing.
    await sendWebhook(chargeRefunded(s.acct, pi, 6_000));
    await sendWebhook(chargeRefunded(s.acct, pi, 5_000));
    const final = await paymentState(s.client, doc.id);
    expect(final.payments.map((p) => p.amountCents)).toEqual([doc.dueCents, -4_000, -2_000]);
    expect(final.paidCents).toBe(doc.dueCents - 6_000);
    const month = final.payments[0]?.receivedOn.slice(0, 7) ?? "";
    const totals = await env.DB.prepare("SELECT received_cents AS r FROM monthly_totals WHERE account_id = ? AND month = ?").bind(s.accountId, month).first<{ r: number }>();
    expect(totals?.r).toBeGreaterThanOrEqual(final.paidCents);
  });

  it("enters a payment that arrives after the invoice was cancelled, all of it as client credit, and tells the seller", async () => {
    const doc = await issuedInvoice(s);
    const before = await creditOf(s.accountId);
    expect((await s.client.json("POST", `/api/v1/documents/${doc.id}/cancel`, {})).status).toBe(201);
    const pi = `pi_late_${seq}`;
    const res = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, pi, 12_000));
    expect(await res.json()).toMatchObject({ result: "handled" });
    const state = await paymentState(s.client, doc.id);
    expect(state.payments.map((p) => [p.method, p.amountCents])).toEqual([["stripe", 12_000]]);
    expect(await creditOf(s.accountId)).toBe(before + 12_000);
    const row = await env.DB.prepare("SELECT payment_id FROM stripe_payments WHERE payment_intent_id = ?").bind(pi).first<{ payment_id: string | null }>();
    expect(row?.payment_id).not.toBeNull();
    expect(await pageOf(s.client, doc.id)).toContain("Paiement reçu après annulation : 120,00 € en crédit client — à rembourser ou à utiliser");

    // Refunding it takes the credit back, and nothing is left owed on the cancelled invoice.
    const refund = await sendWebhook(chargeRefunded(s.acct, pi, 12_000));
    expect(await refund.json()).toMatchObject({ result: "handled" });
    expect(await creditOf(s.accountId)).toBe(before);
    expect((await paymentState(s.client, doc.id)).outstandingCents).toBe(0);
  });

  it("marks a Checkout whose delayed payment failed, shows it on the invoice and counts nothing", async () => {
    const doc = await issuedInvoice(s);
    const pi = `pi_failed_${seq}`;
    const res = await sendWebhook(asyncPaymentFailed(s.acct, s.accountId, doc.id, pi, doc.dueCents));
    expect(await res.json()).toMatchObject({ result: "handled" });
    const row = await env.DB.prepare("SELECT failed_on, payment_id FROM stripe_payments WHERE payment_intent_id = ?").bind(pi).first<{ failed_on: string | null; payment_id: string | null }>();
    expect(row).toMatchObject({ payment_id: null });
    expect(row?.failed_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const state = await paymentState(s.client, doc.id);
    expect(state).toMatchObject({ paidCents: 0, outstandingCents: doc.dueCents, status: "issued" });
    expect(state.payments).toHaveLength(0);
    expect(await pageOf(s.client, doc.id)).toContain("Paiement en ligne échoué le");
  });

  it("reopens the invoice settled by a credit when Stripe refunds the overpayment that made it, keeping the credit at zero", async () => {
    const a = await issuedInvoice(s);
    const b = await issuedInvoice(s);
    const before = await creditOf(s.accountId);
    const pi = `pi_overpaid_${seq}`;
    await sendWebhook(sessionCompleted(s.acct, s.accountId, a.id, pi, a.dueCents + 30_000));
    expect(await creditOf(s.accountId)).toBe(before + 30_000);
    expect((await s.client.json("POST", `/api/v1/documents/${b.id}/credit-applications`, { amountCents: 30_000 })).status).toBe(201);
    expect((await paymentState(s.client, b.id)).outstandingCents).toBe(b.dueCents - 30_000);
    await sendWebhook(chargeRefunded(s.acct, pi, 30_000));
    expect(await creditOf(s.accountId)).toBe(before);
    // The 300 € the credit had settled on B are owed again.
    const reopened = await paymentState(s.client, b.id);
    expect(reopened.outstandingCents).toBe(b.dueCents);
    expect(reopened.payments.map((p) => [p.method, p.amountCents])).toEqual([
      ["avoir_client", 30_000],
      ["avoir_client", -30_000],
    ]);
    expect((await paymentState(s.client, a.id)).payments.map((p) => p.amountCents)).toEqual([a.dueCents + 30_000, -30_000]);
  });

  it("ignores a payment whose metadata names another account", async () => {
    const other = await readyAccount();
    const otherDoc = await issuedInvoice(other);
    const res = await sendWebhook(sessionCompleted(s.acct, other.accountId, otherDoc.id, `pi_cross_${seq}`, otherDoc.dueCents));
    expect(res.status).toBe(200);
    expect((await paymentState(other.client, otherDoc.id)).paidCents).toBe(0);
  });

  it("pays through the local Checkout page: its webhook marks the invoice paid", async () => {
    const doc = await issuedInvoice(s);
    const token = await payToken(loadConfig(STRIPE_ENV), s.accountId, doc.id);
    const go = await new StripeClient().postForm(`/payer/${token}`, {});
    const sessionId = new URL(go.headers.get("location") ?? "").pathname.split("/")[2] ?? "";
    // Factumo recorded the session it opened, with its amount: what the webhook holds the payment to.
    const opened = await env.DB.prepare("SELECT document_id AS d, amount_cents AS a FROM stripe_checkouts WHERE session_id = ?").bind(sessionId).first<{ d: string; a: number }>();
    expect(opened).toEqual({ d: doc.id, a: doc.dueCents });
    const { event } = (await (await fetch(`${API_BASE}/__pay/${sessionId}`, { method: "POST" })).json()) as { event: Record<string, unknown> };
    expect((await sendWebhook(event, { opened: false })).status).toBe(200);
    expect((await paymentState(s.client, doc.id)).status).toBe("paid");
    expect(await (await new StripeClient().get(`/payer/${token}`)).text()).toContain("réglée");
  });
});

describe("signed Stripe events that are odd are shown to the seller, never booked (issue #14)", () => {
  let s: Awaited<ReturnType<typeof sellerWithStripe>>;
  beforeAll(async () => {
    s = await sellerWithStripe();
  });

  const anomaliesOf = async (documentId: string) =>
    (
      await env.DB.prepare("SELECT kind, amount_cents AS amount, expected_cents AS expected FROM stripe_anomalies WHERE account_id = ? AND document_id = ? ORDER BY created_at")
        .bind(s.accountId, documentId)
        .all<{ kind: string; amount: number | null; expected: number | null }>()
    ).results;

  it("refuses a payment whose amount differs from the Checkout session Factumo opened, and says so on the invoice and the dashboard", async () => {
    const doc = await issuedInvoice(s);
    const pi = `pi_tampered_${seq}`;
    const res = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, pi, doc.dueCents + 100), { openedCents: doc.dueCents });
    expect(res.status).toBe(200);
    const state = await paymentState(s.client, doc.id);
    expect(state).toMatchObject({ paidCents: 0, outstandingCents: doc.dueCents });
    expect(await anomaliesOf(doc.id)).toEqual([{ kind: "amount_mismatch", amount: doc.dueCents + 100, expected: doc.dueCents }]);
    expect(await pageOf(s.client, doc.id)).toContain(`un paiement de ${formatMoney(doc.dueCents + 100, "fr").replace(/[\u00a0\u202f]/g, " ")} alors que la session de paiement ouverte par Factumo était de`);
    expect((await (await s.client.get("/tableau-de-bord")).text()).replace(/[\u00a0\u202f]/g, " ")).toContain("Des événements Stripe inhabituels ont été refusés");
    // The same money with the right amount afterwards is booked.
    await sendWebhook(intentSucceeded(s.acct, s.accountId, doc.id, pi, doc.dueCents), { opened: false });
    expect((await paymentState(s.client, doc.id)).paidCents).toBe(doc.dueCents);
  });

  it("refuses a payment on a Checkout session Factumo never opened, whichever event brings it", async () => {
    const doc = await issuedInvoice(s);
    await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_unknown_${seq}`, doc.dueCents), { opened: false });
    await sendWebhook(intentSucceeded(s.acct, s.accountId, doc.id, `pi_unknown_b_${seq}`, doc.dueCents), { opened: false });
    expect((await paymentState(s.client, doc.id)).paidCents).toBe(0);
    expect((await anomaliesOf(doc.id)).map((a) => a.kind)).toEqual(["unknown_checkout", "unknown_checkout"]);
  });

  it("refuses a refund larger than its payment, whether it comes after the payment or before it", async () => {
    const doc = await issuedInvoice(s);
    const pi = `pi_overrefund_${seq}`;
    await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, pi, 10_000));
    const refund = chargeRefunded(s.acct, pi, 10_001);
    expect((await sendWebhook({ ...refund, data: { object: { ...refund.data.object, amount: 10_000 } } })).status).toBe(200);
    expect((await paymentState(s.client, doc.id)).payments.map((p) => p.amountCents)).toEqual([10_000]);
    expect(await anomaliesOf(doc.id)).toEqual([{ kind: "refund_exceeds_payment", amount: 10_001, expected: 10_000 }]);
    // A full refund is still entered.
    await sendWebhook(chargeRefunded(s.acct, pi, 10_000));
    expect((await paymentState(s.client, doc.id)).payments.map((p) => p.amountCents)).toEqual([10_000, -10_000]);

    const early = await issuedInvoice(s);
    const piEarly = `pi_early_overrefund_${seq}`;
    await sendWebhook(chargeRefunded(s.acct, piEarly, 9_000));
    await sendWebhook(sessionCompleted(s.acct, s.accountId, early.id, piEarly, 5_000));
    expect((await paymentState(s.client, early.id)).payments.map((p) => p.amountCents)).toEqual([5_000]);
    expect((await anomaliesOf(early.id)).map((a) => [a.kind, a.amount, a.expected])).toEqual([["refund_exceeds_payment", 9_000, 5_000]]);
  });

  it(`refuses with 400 an event signed or dated more than ${SIGNATURE_TOLERANCE_SECONDS} s in the future, and tells the seller`, async () => {
    const doc = await issuedInvoice(s);
    const signedAhead = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_future_${seq}`, doc.dueCents), { timestamp: now() + SIGNATURE_TOLERANCE_SECONDS + 60 });
    expect(signedAhead.status).toBe(400);
    const dated = sessionCompleted(s.acct, s.accountId, doc.id, `pi_future_b_${seq}`, doc.dueCents);
    const datedAhead = await sendWebhook({ ...dated, created: now() + 3600 });
    expect(datedAhead.status).toBe(400);
    expect(((await datedAhead.json()) as { error: { message: string } }).error.message).toBe("Événement daté dans le futur.");
    expect((await paymentState(s.client, doc.id)).paidCents).toBe(0);
    expect((await anomaliesOf(doc.id)).map((a) => a.kind)).toEqual(["future_timestamp", "future_timestamp"]);
    // Clock skew within the tolerance is accepted.
    const skewed = await sendWebhook(sessionCompleted(s.acct, s.accountId, doc.id, `pi_skew_${seq}`, doc.dueCents), { timestamp: now() + 60 });
    expect(skewed.status).toBe(200);
    expect((await paymentState(s.client, doc.id)).paidCents).toBe(doc.dueCents);
  });
});
