import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { Context } from "hono";
import * as z from "zod";
import { accountCtx } from "../../context";
import { accounts } from "../../db/schema";
import { parseAmountToCents } from "../../domain/format";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { formFields } from "../../http/validate";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { payView, resolvePayToken, startCheckout } from "./checkout";
import { stripeFor } from "./client";
import { connectionOf, disconnect, refreshConnection, setAllowPartial, startOnboarding } from "./connect";
import { PayPage, STRIPE_SETTINGS_PATH, StripeSettingsPage } from "./pages";
import { handleStripeWebhook } from "./webhook";

const OptionsInput = z.object({ allowPartial: z.literal("on").optional() });
const PayInput = z.object({ amount: z.string().max(40).optional() });

/** Hosts a form on our pages may land on after its redirect: Connect onboarding and Checkout. */
const STRIPE_FORM_ORIGINS = ["https://connect.stripe.com", "https://checkout.stripe.com"];

/**
 * The pages whose forms redirect to Stripe need form-action to allow it (browsers apply form-action
 * to the redirect target too). Same policy as http/security.ts otherwise, overriding it per route;
 * the local Stripe stand-in's origin is added outside production only (config refuses it there).
 */
function allowStripeRedirects(c: Context<AppEnv>) {
  const origins = [...STRIPE_FORM_ORIGINS];
  if (c.var.config.STRIPE_API_BASE && c.var.config.ENVIRONMENT !== "production") origins.push(new URL(c.var.config.STRIPE_API_BASE).origin);
  const nonce = c.var.secureHeadersNonce ? ` 'nonce-${c.var.secureHeadersNonce}'` : "";
  c.header(
    "Content-Security-Policy",
    `default-src 'self'; script-src 'self'${nonce}; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self' ${origins.join(" ")}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`,
  );
}

const OK = { connected: "stripe.settings.connected", disconnected: "stripe.settings.disconnected", saved: "form.saved" } as const;

async function settingsPage(c: Context<AppEnv>, status: 200 | 409 = 200, error?: string) {
  const ctx = accountCtx(c);
  const [connection, account] = await Promise.all([connectionOf(ctx), ctx.db.select({ frozenAt: accounts.frozenAt }).from(accounts).where(eq(accounts.id, ctx.accountId)).get()]);
  const ok = c.req.query("ok") as keyof typeof OK | undefined;
  const flash = error ? { kind: "error" as const, text: error } : ok && OK[ok] ? { kind: "success" as const, text: c.var.t(OK[ok]) } : null;
  allowStripeRedirects(c);
  return render(
    c,
    <StripeSettingsPage ctx={pageContext(c)} configured={stripeFor(c.var.config) !== null} frozen={!!account?.frozenAt} connection={connection} flash={flash} />,
    status,
  );
}

/** Paramètres → Paiement en ligne (Stripe Connect onboarding, status, options, disconnect). */
export const stripeSettingsPages = new Hono<AppEnv>()
  .use(`${STRIPE_SETTINGS_PATH}`, requireAuth)
  .use(`${STRIPE_SETTINGS_PATH}/*`, requireAuth)
  .get(STRIPE_SETTINGS_PATH, (c) => settingsPage(c))
  .post(`${STRIPE_SETTINGS_PATH}/connecter`, async (c) => {
    try {
      return c.redirect(await startOnboarding(accountCtx(c)), 303);
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.code !== "forbidden") return settingsPage(c, 409, err.message);
      throw err;
    }
  })
  // Stripe sends the seller back here after onboarding: read the account's status once.
  .get(`${STRIPE_SETTINGS_PATH}/retour`, async (c) => {
    try {
      await refreshConnection(accountCtx(c));
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return settingsPage(c, 409, err.message);
      throw err;
    }
    return c.redirect(`${STRIPE_SETTINGS_PATH}?ok=connected`, 303);
  })
  .post(`${STRIPE_SETTINGS_PATH}/options`, async (c) => {
    const parsed = OptionsInput.safeParse(await formFields(c));
    await setAllowPartial(accountCtx(c), parsed.success && parsed.data.allowPartial === "on");
    return c.redirect(`${STRIPE_SETTINGS_PATH}?ok=saved`, 303);
  })
  .post(`${STRIPE_SETTINGS_PATH}/delier`, async (c) => {
    await disconnect(accountCtx(c));
    return c.redirect(`${STRIPE_SETTINGS_PATH}?ok=disconnected`, 303);
  });

function payBase(c: Context<AppEnv>) {
  return { now: Date.now(), locale: c.var.locale, t: c.var.t };
}

function payHeaders(c: Context<AppEnv>) {
  allowStripeRedirects(c);
  // same-origin: the token never leaves in a Referer, and the page's post keeps its real Origin.
  c.header("Referrer-Policy", "same-origin");
  c.header("X-Robots-Tag", "noindex");
  c.header("Cache-Control", "private, no-store");
}

/**
 * The payer's side: `/payer/:token` (a stable URL printed in the PDF, sent in the email, linked
 * from the public page) shows what is due; posting it opens Stripe Checkout on the seller's account.
 */
export const payPages = new Hono<AppEnv>()
  .get("/payer/:token", async (c) => {
    const token = c.req.param("token");
    const { ctx, doc } = await resolvePayToken(c.env, c.var.config, token, payBase(c));
    payHeaders(c);
    return render(c, <PayPage ctx={pageContext(c)} view={await payView(ctx, doc)} token={token} returned={c.req.query("retour") === "1"} />);
  })
  .post("/payer/:token", async (c) => {
    const token = c.req.param("token");
    const { ctx, doc } = await resolvePayToken(c.env, c.var.config, token, payBase(c));
    payHeaders(c);
    return handleForm(
      c,
      PayInput,
      async (input) => {
        let requested: number | null = null;
        if (input.amount !== undefined && input.amount.trim() !== "") {
          const parsed = parseAmountToCents(input.amount);
          if (!parsed.ok) throw new AppError("invalid", c.var.t("form.errors"), { amount: c.var.t("stripe.err.amount") });
          requested = parsed.cents;
        }
        return c.redirect(await startCheckout(ctx, doc, token, requested), 303);
      },
      async (values, errors, status) =>
        render(c, <PayPage ctx={pageContext(c)} view={await payView(ctx, doc)} token={token} returned={false} errors={errors} values={values} />, status === 409 ? 409 : 400),
    );
  });

/** Stripe Connect webhook: authenticated by its signature (CSRF-exempt path under /webhooks). */
export const stripeWebhooks = new Hono<AppEnv>().post("/stripe", async (c) => {
  const outcome = await handleStripeWebhook(c.env, c.var.config, await c.req.text(), c.req.header("stripe-signature"), Date.now());
  if (!outcome.ok) {
    if (outcome.reason === "not_configured") throw new AppError("not_found", c.var.t("err.not_found"));
    if (outcome.reason === "future_timestamp") {
      throw new AppError("invalid", c.var.locale === "en" ? "Event dated in the future." : "Événement daté dans le futur.");
    }
    // Stripe's own convention: a signature it cannot verify (forged, or older than 5 min) is a 400.
    throw new AppError("invalid", c.var.locale === "en" ? "Invalid signature." : "Signature invalide.");
  }
  return c.json({ ok: true, result: outcome.result });
});
