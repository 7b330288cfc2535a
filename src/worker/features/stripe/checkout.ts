import { and, eq } from "drizzle-orm";
import type { Config } from "../../config";
import { accountDb } from "../../db/client";
import { accounts, documents, stripeCheckouts } from "../../db/schema";
import type { Bindings } from "../../env";
import { AppError } from "../../http/errors";
import { hmacSha256, timingSafeEqual } from "../../lib/crypto/random";
import type { AccountVerbCtx, DocumentRow } from "../documents/drafts";
import { isPayable, paymentState, type PaymentState } from "../payments/verbs";
import { stripeFor } from "./client";
import { type ConnectionRow, connectionOf, openStripeAccountId, providerError } from "./connect";

/** Stripe Checkout refuses euro amounts below 0.50 €. */
export const MIN_CHECKOUT_CENTS = 50;

const ID = /^[A-Za-z0-9_-]{10,40}$/;
const MAC_CHARS = 27;

const payMac = (config: Pick<Config, "SESSION_SECRET">, accountId: string, documentId: string) =>
  hmacSha256(config.SESSION_SECRET, `factumo:pay-link:v1:${accountId}:${documentId}`).then((m) => m.slice(0, MAC_CHARS));

/**
 * The stable "Payer en ligne" token of a document: `<accountId>.<documentId>.<mac>`. Derived (HMAC
 * under SESSION_SECRET), not stored, so the PDF rendered at issue time, the email and the public
 * page all carry the same URL; it opens a Checkout session only when clicked, so nothing printed
 * ever holds an expiring Stripe URL.
 */
export async function payToken(config: Pick<Config, "SESSION_SECRET">, accountId: string, documentId: string): Promise<string> {
  return `${accountId}.${documentId}.${await payMac(config, accountId, documentId)}`;
}

/** Absolute pay URL of a document, e.g. for the PDF QR code and the email. */
export async function payUrl(config: Pick<Config, "SESSION_SECRET" | "APP_URL">, accountId: string, documentId: string): Promise<string> {
  return `${config.APP_URL}/payer/${await payToken(config, accountId, documentId)}`;
}

/** Verifies a pay token; null when malformed or forged (the caller answers a plain 404). */
export async function readPayToken(config: Pick<Config, "SESSION_SECRET">, token: string): Promise<{ accountId: string; documentId: string } | null> {
  const [accountId = "", documentId = "", mac = "", ...rest] = token.split(".");
  if (rest.length > 0 || !ID.test(accountId) || !ID.test(documentId) || mac.length !== MAC_CHARS) return null;
  return timingSafeEqual(mac, await payMac(config, accountId, documentId)) ? { accountId, documentId } : null;
}

/** True when the account has a Stripe account able to take payments and may process data. */
export async function canPayOnline(ctx: AccountVerbCtx): Promise<boolean> {
  if (!stripeFor(ctx.config)) return false;
  const [conn, account] = await Promise.all([
    connectionOf(ctx),
    ctx.db.select({ frozenAt: accounts.frozenAt }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
  ]);
  return !!conn?.chargesEnabled && !!account && account.frozenAt === null;
}

export type PayView =
  | { kind: "unavailable"; doc: DocumentRow; state: PaymentState | null }
  | { kind: "paid"; doc: DocumentRow; state: PaymentState }
  | { kind: "payable"; doc: DocumentRow; state: PaymentState; allowPartial: boolean; connection: ConnectionRow };

/** Resolves a pay token to its account context and document; unknown or draft → 404. */
export async function resolvePayToken(
  env: Bindings,
  config: Config,
  token: string,
  base: Pick<AccountVerbCtx, "now" | "locale" | "t">,
): Promise<{ ctx: AccountVerbCtx; doc: DocumentRow }> {
  const ids = await readPayToken(config, token);
  if (!ids) throw new AppError("not_found", base.t("err.not_found"));
  const db = accountDb(env, ids.accountId);
  const ctx: AccountVerbCtx = { env, config, db, ...base, accountId: ids.accountId };
  const doc = await db.select().from(documents).where(and(eq(documents.id, ids.documentId), eq(documents.accountId, ids.accountId))).get();
  if (!doc || doc.status === "draft") throw new AppError("not_found", base.t("err.not_found"));
  return { ctx, doc };
}

/** What the pay page offers for a document: nothing, a "paid" notice, or the pay form. */
export async function payView(ctx: AccountVerbCtx, doc: DocumentRow): Promise<PayView> {
  const state = await paymentState(ctx, doc);
  if (!state || !isPayable(doc)) return { kind: "unavailable", doc, state };
  if (state.outstandingCents <= 0) return { kind: "paid", doc, state };
  const connection = await connectionOf(ctx);
  if (!connection || !(await canPayOnline(ctx))) return { kind: "unavailable", doc, state };
  return { kind: "payable", doc, state, allowPartial: connection.allowPartial, connection };
}

/**
 * Opens a Stripe Checkout session on the seller's connected account for what is still due (or the
 * chosen part of it, when the seller allows partial payment) and returns its URL. The idempotency
 * key is derived from the document, the amount due, the amount asked and the payer's language, so a
 * double click or a reload gets the same session back, while a new balance or a payer who switched
 * language gets a new one (Stripe refuses a key replayed with other parameters).
 */
export async function startCheckout(ctx: AccountVerbCtx, doc: DocumentRow, token: string, requestedCents: number | null): Promise<string> {
  const view = await payView(ctx, doc);
  if (view.kind === "paid") throw new AppError("conflict", ctx.t("stripe.err.nothingDue"));
  if (view.kind === "unavailable") throw new AppError("conflict", ctx.t("stripe.err.notConnected"));
  const due = view.state.outstandingCents;
  const amount = view.allowPartial && requestedCents !== null ? requestedCents : due;
  if (!Number.isSafeInteger(amount) || amount < Math.min(MIN_CHECKOUT_CENTS, due) || amount > due) {
    throw new AppError("invalid", ctx.t("form.errors"), { amount: ctx.t("stripe.err.amount") });
  }
  const stripe = stripeFor(ctx.config);
  if (!stripe) throw new AppError("conflict", ctx.t("stripe.err.notConnected"));
  const metadata = { account_id: ctx.accountId, document_id: doc.id };
  const back = `${ctx.config.APP_URL}/payer/${token}`;
  try {
    const session = await stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: amount, product_data: { name: `Facture ${doc.number ?? ""}`.trim() } } }],
        client_reference_id: doc.id,
        metadata,
        // The payment intent carries the same metadata, so payment_intent.succeeded maps on its own.
        payment_intent_data: { metadata, description: `Facture ${doc.number ?? ""}`.trim() },
        success_url: `${back}?retour=1`,
        cancel_url: back,
        locale: ctx.locale,
      },
      { stripeAccount: await openStripeAccountId(ctx, view.connection), idempotencyKey: `checkout-${doc.id}-${due}-${amount}-${ctx.locale}` },
    );
    if (!session.url) throw new Error("checkout session without url");
    // What the webhook will hold a payment to (issue #14); a replayed idempotent session is the same row.
    await ctx.db
      .insert(stripeCheckouts)
      .values({ accountId: ctx.accountId, sessionId: session.id, documentId: doc.id, amountCents: amount, createdAt: ctx.now })
      .onConflictDoNothing();
    return session.url;
  } catch (err) {
    return providerError(ctx, err);
  }
}

/**
 * The pay URL to print (QR code) on an invoice being issued, or null: quotes and credit notes are
 * not paid, and an account without an active Stripe connection offers no online payment.
 */
export async function payUrlForIssue(ctx: AccountVerbCtx, doc: Pick<DocumentRow, "id" | "type">): Promise<string | null> {
  if (doc.type !== "invoice" && doc.type !== "deposit_invoice") return null;
  return (await canPayOnline(ctx)) ? payUrl(ctx.config, ctx.accountId, doc.id) : null;
}
