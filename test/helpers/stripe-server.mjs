// A local stand-in for the Stripe API, used by the integration tests (vitest globalSetup) and the
// e2e runner. It implements only the calls Factumo makes (accounts, account links, Checkout
// sessions), records every request with its Stripe-Account and Idempotency-Key headers, honours
// idempotency keys like Stripe (same key → same response), and serves two pages a browser can
// click through: the Connect onboarding and the Checkout page, whose "Payer" button marks the
// session paid and posts a signed checkout.session.completed webhook to the app.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import Stripe from "stripe";

const rid = (prefix) => `${prefix}_${randomBytes(12).toString("hex")}`;
const escape = (s) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * Starts the fake on 127.0.0.1 (random port unless given).
 * `statePath` keeps the connected accounts and Checkout sessions in a file, so `npm start` finds
 * the demo's Stripe account again after a restart (the tests keep everything in memory).
 * @param {{ port?: number, webhookUrl?: string, webhookSecret?: string, statePath?: string }} opts
 */
export async function startStripeServer(opts = {}) {
  const saved = opts.statePath && existsSync(opts.statePath) ? JSON.parse(readFileSync(opts.statePath, "utf8")) : { accounts: [], sessions: [] };
  const state = { requests: [], accounts: new Map(saved.accounts), sessions: new Map(saved.sessions), idempotent: new Map(), webhookUrl: opts.webhookUrl, webhookSecret: opts.webhookSecret };
  const persist = () => opts.statePath && writeFileSync(opts.statePath, JSON.stringify({ accounts: [...state.accounts], sessions: [...state.sessions] }));
  let base = "";

  /** Signs an event payload with the SDK's test helper and posts it to the app's webhook URL. */
  async function deliver(event) {
    if (!state.webhookUrl || !state.webhookSecret) return { status: 0 };
    const payload = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: state.webhookSecret });
    const res = await fetch(state.webhookUrl, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
    return { status: res.status };
  }

  const api = {
    "POST /v1/accounts": (req, form) => {
      if (!form.type && !form["controller[stripe_dashboard][type]"]) return missing("type");
      const account = { id: rid("acct"), object: "account", type: form.type ?? "express", country: form.country ?? "FR", email: form.email ?? null, charges_enabled: false, details_submitted: false, metadata: {} };
      state.accounts.set(account.id, account);
      return [200, account];
    },
    "GET /v1/accounts/:id": (req, form, id) => {
      const account = state.accounts.get(id);
      return account ? [200, account] : notFound(`No such account: '${id}'`);
    },
    "POST /v1/account_links": (req, form) => {
      const absent = ["account", "type", "refresh_url", "return_url"].find((p) => !form[p]);
      if (absent) return missing(absent);
      if (!state.accounts.has(form.account)) return notFound(`No such account: '${form.account}'`);
      const q = new URLSearchParams({ return_url: form.return_url ?? "", refresh_url: form.refresh_url ?? "" });
      return [200, { object: "account_link", created: now(), expires_at: now() + 300, url: `${base}/onboarding/${form.account}?${q}` }];
    },
    "POST /v1/checkout/sessions": (req, form) => {
      const account = req.headers["stripe-account"];
      if (!account || !state.accounts.has(account)) return notFound("No such account");
      const absent = ["mode", "success_url", "line_items[0][price_data][currency]", "line_items[0][price_data][unit_amount]", "line_items[0][quantity]"].find((p) => !form[p]);
      if (absent) return missing(absent);
      if (!/^\d+$/.test(form["line_items[0][price_data][unit_amount]"])) return [400, { error: { type: "invalid_request_error", code: "parameter_invalid_integer", param: "line_items[0][price_data][unit_amount]", message: "Invalid integer" } }];
      const amount = Number(form["line_items[0][price_data][unit_amount]"]);
      const metadata = pick(form, "metadata");
      const session = {
        id: rid("cs_test"),
        object: "checkout.session",
        mode: form.mode,
        status: "open",
        payment_status: "unpaid",
        amount_total: amount,
        currency: form["line_items[0][price_data][currency]"],
        client_reference_id: form.client_reference_id ?? null,
        metadata,
        payment_intent: null,
        success_url: form.success_url,
        cancel_url: form.cancel_url,
        url: "",
        account,
        payment_intent_metadata: pick(form, "payment_intent_data[metadata]"),
      };
      session.url = `${base}/checkout/${session.id}`;
      state.sessions.set(session.id, session);
      return [200, publicSession(session)];
    },
    "GET /v1/checkout/sessions/:id": (req, form, id) => {
      const s = state.sessions.get(id);
      return s ? [200, publicSession(s)] : notFound(`No such checkout.session: '${id}'`);
    },
  };

  /** Pays a session like a card payment would: complete, a payment intent, the webhook sent. */
  async function pay(session) {
    if (session.status !== "complete") {
      session.status = "complete";
      session.payment_status = "paid";
      session.payment_intent = rid("pi");
    }
    const event = {
      id: rid("evt"),
      object: "event",
      type: "checkout.session.completed",
      api_version: Stripe.API_VERSION,
      created: now(),
      account: session.account,
      livemode: false,
      data: { object: publicSession(session) },
    };
    return { event, delivery: await deliver(event) };
  }

  const server = createServer(async (req, res) => {
    res.on("finish", persist);
    const url = new URL(req.url ?? "/", base);
    const body = await readBody(req);
    const form = Object.fromEntries(new URLSearchParams(body));
    try {
      // Test controls.
      if (url.pathname === "/__requests") return json(res, 200, state.requests);
      if (url.pathname === "/__reset" && req.method === "POST") {
        state.requests.length = 0;
        return json(res, 200, { ok: true });
      }
      const onboarding = url.pathname.match(/^\/onboarding\/(acct_\w+)(\/terminer)?$/);
      if (onboarding) {
        const account = state.accounts.get(onboarding[1]);
        if (!account) return html(res, 404, "<p>Unknown account</p>");
        if (onboarding[2]) {
          account.charges_enabled = true;
          account.details_submitted = true;
          res.writeHead(303, { location: url.searchParams.get("return_url") ?? "/" });
          return res.end();
        }
        return html(res, 200, `<h1>Stripe (test) — inscription</h1><form method="get" action="/onboarding/${account.id}/terminer"><input type="hidden" name="return_url" value="${escape(url.searchParams.get("return_url") ?? "")}"><button type="submit">Terminer l'inscription</button></form>`);
      }
      const checkout = url.pathname.match(/^\/checkout\/(cs_test_\w+)(\/payer)?$/);
      if (checkout) {
        const session = state.sessions.get(checkout[1]);
        if (!session) return html(res, 404, "<p>Unknown session</p>");
        if (checkout[2] && req.method === "POST") {
          const { delivery } = await pay(session);
          if (delivery.status !== 200) return html(res, 502, `<p>Webhook refused: ${delivery.status}</p>`);
          res.writeHead(303, { location: session.success_url });
          return res.end();
        }
        const euros = (session.amount_total / 100).toFixed(2).replace(".", ",");
        return html(res, 200, `<h1>Stripe (test) — paiement</h1><p>Montant : <strong data-testid="amount">${euros} €</strong></p><form method="post" action="/checkout/${session.id}/payer"><button type="submit">Payer ${euros} €</button></form>`);
      }
      // Control: pay a session without a browser (integration tests drive the webhook themselves).
      const payNow = url.pathname.match(/^\/__pay\/(cs_test_\w+)$/);
      if (payNow && req.method === "POST") {
        const session = state.sessions.get(payNow[1]);
        if (!session) return json(res, 404, {});
        return json(res, 200, await pay(session));
      }

      state.requests.push({
        method: req.method,
        path: url.pathname,
        stripeAccount: req.headers["stripe-account"] ?? null,
        idempotencyKey: req.headers["idempotency-key"] ?? null,
        authorization: req.headers.authorization ? "present" : null,
        form,
      });
      if (req.method === "POST" && req.headers["idempotency-key"]) {
        const key = `${req.headers["stripe-account"] ?? ""} ${req.headers["idempotency-key"]}`;
        const hit = state.idempotent.get(key);
        // Stripe compares the parameters of a replay with the first request's and refuses a change.
        if (hit && hit.body !== body) {
          return json(res, 400, {
            error: {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${req.headers["idempotency-key"]}' if you meant to execute a different request.`,
            },
          });
        }
        if (hit) return json(res, hit.answer[0], hit.answer[1], { "idempotent-replayed": "true" });
        const answer = route(req, url, form);
        state.idempotent.set(key, { body, answer });
        return json(res, answer[0], answer[1]);
      }
      const [status, payload] = route(req, url, form);
      return json(res, status, payload);
    } catch (err) {
      return json(res, 500, { error: { type: "api_error", message: String(err) } });
    }
  });

  function route(req, url, form) {
    for (const [key, handler] of Object.entries(api)) {
      const [method, pattern] = key.split(" ");
      if (method !== req.method) continue;
      const re = new RegExp(`^${pattern.replace(":id", "([\\w-]+)")}$`);
      const m = url.pathname.match(re);
      if (m) return handler(req, form, m[1]);
    }
    return notFound(`Unrecognized request URL (${req.method}: ${url.pathname})`);
  }

  await new Promise((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${address.port}`;
  return {
    url: base,
    port: address.port,
    state,
    /** Sets where Checkout payments are announced (the e2e runner knows the app's port late). */
    setWebhook(webhookUrl, webhookSecret) {
      state.webhookUrl = webhookUrl;
      state.webhookSecret = webhookSecret;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const now = () => Math.floor(Date.now() / 1000);

function publicSession(s) {
  const { account: _a, payment_intent_metadata: _m, ...rest } = s;
  return rest;
}

function pick(form, prefix) {
  const out = {};
  for (const [k, v] of Object.entries(form)) {
    const m = k.match(new RegExp(`^${prefix.replace(/[[\]]/g, "\\$&")}\\[(\\w+)\\]$`));
    if (m) out[m[1]] = v;
  }
  return out;
}

function missing(param) {
  return [400, { error: { type: "invalid_request_error", code: "parameter_missing", param, message: `Missing required param: ${param}.` } }];
}

function notFound(message) {
  return [404, { error: { type: "invalid_request_error", code: "resource_missing", message } }];
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

function json(res, status, payload, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", "request-id": rid("req"), ...headers });
  res.end(JSON.stringify(payload));
}

function html(res, status, body) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>Stripe (test)</title><body>${body}</body></html>`);
}

/** vitest globalSetup: one fake for the run, its URL provided to the tests as `stripeApiBase`. */
export default async function setup(project) {
  const server = await startStripeServer();
  project.provide("stripeApiBase", server.url);
  return () => server.close();
}
