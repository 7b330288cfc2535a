import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { Config } from "../../config";
import { accountDb, directoryDb } from "../../db/client";
import { payments, stripeAccountMap, stripeAnomalies, stripeCheckouts, stripeConnections, stripeEvents, stripePayments, type StripeAnomalyKind } from "../../db/schema";
import type { Bindings } from "../../env";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { translator } from "../../ui/i18n";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { recordPayment } from "../payments/verbs";
import { stripeFor, webCryptoProvider } from "./client";
import { stripeAccountHash } from "./connect";

/** Stripe's own default: a signature older than 5 minutes is a replay, refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** A claim older than this belongs to a request that died; another delivery may take it over. */
const CLAIM_TTL_MS = 120_000;

export type StripeWebhookOutcome =
  | { ok: false; reason: "not_configured" | "bad_signature" | "future_timestamp" }
  | { ok: true; result: "ignored" | "unknown_account" | "duplicate" | "handled"; type: string };

interface EventLike {
  id: string;
  type: string;
  created: number;
  account?: string | null;
  data: { object: Record<string, unknown> };
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 && v.length <= 255 ? v : null);
const cents = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null);
const meta = (o: Record<string, unknown>) => (o.metadata && typeof o.metadata === "object" ? (o.metadata as Record<string, unknown>) : {});

/**
 * Handles one Stripe Connect webhook. The SDK checks the signature (HMAC-SHA256 via SubtleCrypto)
 * and refuses a timestamp older than 5 minutes. The event's connected account is mapped to its
 * Factumo account by hash; the event id is then stored once in that account's shard, so a replay
 * does nothing. Payments are keyed by payment intent: whichever of checkout.session.completed or
 * payment_intent.succeeded comes first records the money, the other finds it done; a refund that
 * arrives before its payment waits for it. Money that arrives on an invoice cancelled meanwhile is
 * entered all the same and becomes client credit; a refund of a credit already spent reopens the
 * invoice that credit settled (payments recordPayment); a delayed payment that fails is marked on
 * its row and shown on the invoice, nothing counted.
 */
export async function handleStripeWebhook(
  env: Bindings,
  config: Config,
  payload: string,
  signature: string | undefined,
  now: number,
): Promise<StripeWebhookOutcome> {
  if (!config.STRIPE_WEBHOOK_SECRET) return { ok: false, reason: "not_configured" };
  let event: EventLike;
  try {
    // Verification needs no API key; the SDK only needs an instance to hang the helper on.
    const stripe = stripeFor(config) ?? new Stripe("sk_verify_only", { httpClient: Stripe.createFetchHttpClient() });
    event = (await stripe.webhooks.constructEventAsync(
      payload,
      signature ?? "",
      config.STRIPE_WEBHOOK_SECRET,
      SIGNATURE_TOLERANCE_SECONDS,
      webCryptoProvider,
      now, // milliseconds: the SDK divides by 1000 itself
    )) as unknown as EventLike;
  } catch {
    return { ok: false, reason: "bad_signature" };
  }
  const type = String(event.type).slice(0, 80);
  const stripeAccount = str(event.account);
  // The SDK refuses a signature too old, not one from the future: both it and the event's own
  // time may be ahead of ours by the tolerance at most (clock skew), never more (issue #14).
  const signedAt = Number(/(?:^|,)t=(\d+)/.exec(signature ?? "")?.[1] ?? 0);
  const future = Math.max(signedAt, Number(event.created) || 0) > now / 1000 + SIGNATURE_TOLERANCE_SECONDS;
  // Events of the platform account itself concern no freelancer.
  if (future) console.warn(JSON.stringify({ level: "warn", event: "stripe_webhook_future_timestamp", type, eventId: str(event.id) }));
  if (!stripeAccount || !str(event.id)) return future ? { ok: false, reason: "future_timestamp" } : { ok: true, result: "ignored", type };
  const hash = await stripeAccountHash(stripeAccount);
  const mapped = await directoryDb(env).select({ accountId: stripeAccountMap.accountId }).from(stripeAccountMap).where(eq(stripeAccountMap.stripeAccountHash, hash)).get();
  if (!mapped) {
    // Acknowledged (a retry would never find it either: the account was disconnected or is foreign), but visible.
    console.warn(JSON.stringify({ level: "warn", event: "stripe_webhook_unknown_account", type, eventId: event.id }));
    return { ok: true, result: "unknown_account", type };
  }
  const ctx: AccountVerbCtx = { env, config, db: accountDb(env, mapped.accountId), now, locale: "fr", t: translator("fr"), accountId: mapped.accountId };
  if (future) {
    // Refused (400), and shown to the seller: a signed event from the future is not a clock glitch.
    await anomaly(ctx, event, "future_timestamp", { documentId: str(meta(event.data?.object ?? {}).document_id) });
    return { ok: false, reason: "future_timestamp" };
  }

  const fresh = await ctx.db
    .insert(stripeEvents)
    .values({ id: event.id, accountId: ctx.accountId, type, receivedAt: now })
    .onConflictDoNothing()
    .returning({ id: stripeEvents.id });
  if (fresh.length === 0) return { ok: true, result: "duplicate", type };
  try {
    await applyEvent(ctx, event, hash);
  } catch (err) {
    // Not handled after all: forget the id so Stripe's retry is processed.
    await ctx.db.delete(stripeEvents).where(and(eq(stripeEvents.id, event.id), eq(stripeEvents.accountId, ctx.accountId)));
    throw err;
  }
  return { ok: true, result: "handled", type };
}

async function applyEvent(ctx: AccountVerbCtx, event: EventLike, hash: string): Promise<void> {
  const o = event.data.object;
  const day = todayInParis(Math.min(event.created * 1000, ctx.now));
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      // "unpaid" sessions (bank debits still clearing) are recorded by their later success event.
      if (o.payment_status !== "paid") return;
      return paid(ctx, event, o, str(o.payment_intent), cents(o.amount_total), day);
    }
    case "checkout.session.async_payment_failed":
      return failed(ctx, o, str(o.payment_intent), cents(o.amount_total), day);
    case "payment_intent.succeeded":
      return paid(ctx, event, o, str(o.id), cents(o.amount_received), day);
    case "charge.refunded": {
      const pi = str(o.payment_intent);
      const refunded = cents(o.amount_refunded);
      if (!pi || refunded === null || o.currency !== "eur") return;
      // A refund larger than its charge, or than the payment booked for it, is not booked (issue #14).
      const charged = cents(o.amount);
      const booked = await stripeRow(ctx, pi);
      const limit = booked?.paymentId && booked.amountCents !== null ? booked.amountCents : charged;
      if (limit !== null && refunded > limit) {
        await anomaly(ctx, event, "refund_exceeds_payment", { documentId: booked?.documentId ?? null, amountCents: refunded, expectedCents: limit });
        return;
      }
      await ensureRow(ctx, pi);
      const row = await stripeRow(ctx, pi);
      if (row && refunded > row.refundedSeenCents) {
        await ctx.db
          .update(stripePayments)
          .set({ refundedSeenCents: refunded, refundedOn: day })
          .where(and(eq(stripePayments.accountId, ctx.accountId), eq(stripePayments.paymentIntentId, pi), lt(stripePayments.refundedSeenCents, refunded)));
      }
      return applyRefunds(ctx, pi, event);
    }
    case "account.updated": {
      if (typeof o.charges_enabled !== "boolean") return;
      await ctx.db
        .update(stripeConnections)
        .set({ chargesEnabled: o.charges_enabled, updatedAt: ctx.now })
        .where(and(eq(stripeConnections.accountId, ctx.accountId), eq(stripeConnections.stripeAccountHash, hash)));
      return;
    }
    default:
      return;
  }
}

const rowWhere = (ctx: AccountVerbCtx, pi: string) => and(eq(stripePayments.accountId, ctx.accountId), eq(stripePayments.paymentIntentId, pi));

async function ensureRow(ctx: AccountVerbCtx, pi: string) {
  await ctx.db.insert(stripePayments).values({ accountId: ctx.accountId, paymentIntentId: pi, createdAt: ctx.now }).onConflictDoNothing();
}

function stripeRow(ctx: AccountVerbCtx, pi: string) {
  return ctx.db.select().from(stripePayments).where(rowWhere(ctx, pi)).get();
}

/** Records the money of a payment intent once, in the receipts book, through the payments verb. */
async function paid(ctx: AccountVerbCtx, event: EventLike, o: Record<string, unknown>, pi: string | null, amount: number | null, day: string): Promise<void> {
  const m = meta(o);
  const documentId = str(m.document_id);
  if (!pi || amount === null || amount === 0 || !documentId || o.currency !== "eur") return;
  if (m.account_id !== ctx.accountId) {
    console.warn(JSON.stringify({ level: "warn", event: "stripe_webhook_account_mismatch", paymentIntent: pi }));
    return;
  }
  if (!(await matchesCheckout(ctx, event, o, documentId, amount))) return;
  await ensureRow(ctx, pi);
  const claimed = await ctx.db
    .update(stripePayments)
    .set({ documentId, amountCents: amount, claimedAt: ctx.now })
    .where(and(rowWhere(ctx, pi), isNull(stripePayments.paymentId), or(isNull(stripePayments.claimedAt), lt(stripePayments.claimedAt, ctx.now - CLAIM_TTL_MS))))
    .returning({ pi: stripePayments.paymentIntentId });
  // Already recorded, or another delivery is recording it right now.
  if (claimed.length === 0) return;
  // A taken-over claim: the dead request may have written the payment before it died.
  const earlier = await ctx.db
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.accountId, ctx.accountId), eq(payments.documentId, documentId), eq(payments.method, "stripe"), eq(payments.reference, pi)))
    .get();
  let paymentId = earlier?.id;
  if (!paymentId) {
    try {
      // Money received after the seller cancelled the invoice is still money received: entered, all of it client credit.
      paymentId = (await recordPayment(ctx, documentId, { receivedOn: day, amountCents: amount, method: "stripe", reference: pi }, { afterCancellation: true })).id;
    } catch (err) {
      await ctx.db.update(stripePayments).set({ claimedAt: null }).where(rowWhere(ctx, pi));
      if (err instanceof AppError && err.status < 500) {
        // e.g. the document is not an invoice of this account: the money is on Stripe, the seller must act.
        console.error(JSON.stringify({ level: "error", event: "stripe_payment_unrecorded", paymentIntent: pi, reason: err.code }));
        return;
      }
      throw err;
    }
  }
  await ctx.db.update(stripePayments).set({ paymentId, claimedAt: null }).where(rowWhere(ctx, pi));
  await applyRefunds(ctx, pi, event);
}

/**
 * A delayed payment (SEPA debit…) that Stripe finally refused: nothing is entered, the pending
 * checkout is marked failed so the invoice page says so. A payment already recorded for the
 * same intent is left alone (Stripe does not fail a payment it settled).
 */
async function failed(ctx: AccountVerbCtx, o: Record<string, unknown>, pi: string | null, amount: number | null, day: string): Promise<void> {
  const documentId = str(meta(o).document_id);
  if (!pi || !documentId || meta(o).account_id !== ctx.accountId) return;
  await ensureRow(ctx, pi);
  await ctx.db
    .update(stripePayments)
    .set({ documentId, amountCents: amount, failedOn: day })
    .where(and(rowWhere(ctx, pi), isNull(stripePayments.paymentId)));
}

/**
 * Enters what was refunded beyond what is already entered, as a negative receipt dated the day of
 * the refund. Not a "correction": the money was received, then paid back later, and the receipts
 * book must show both days (a correction reverses an entry made by mistake, dated like it).
 */
async function applyRefunds(ctx: AccountVerbCtx, pi: string, event: EventLike): Promise<void> {
  const row = await stripeRow(ctx, pi);
  if (!row?.paymentId || !row.documentId) return;
  const delta = row.refundedSeenCents - row.refundedAppliedCents;
  if (delta <= 0) return;
  // A refund seen before its payment landed, larger than that payment: held, shown, not booked.
  if (row.amountCents !== null && row.refundedSeenCents > row.amountCents) {
    await anomaly(ctx, event, "refund_exceeds_payment", { documentId: row.documentId, amountCents: row.refundedSeenCents, expectedCents: row.amountCents });
    return;
  }
  const moved = await ctx.db
    .update(stripePayments)
    .set({ refundedAppliedCents: row.refundedSeenCents })
    .where(and(rowWhere(ctx, pi), eq(stripePayments.refundedAppliedCents, row.refundedAppliedCents)))
    .returning({ pi: stripePayments.paymentIntentId });
  if (moved.length === 0) return;
  try {
    // Entered after the payment it reduces, even within the same millisecond (the book's order).
    await recordPayment({ ...ctx, now: Math.max(Date.now(), ctx.now + 1) }, row.documentId, {
      receivedOn: row.refundedOn ?? todayInParis(ctx.now),
      amountCents: -delta,
      method: "stripe",
      reference: `Remboursement ${pi}`,
    }, { afterCancellation: true });
  } catch (err) {
    await ctx.db
      .update(stripePayments)
      .set({ refundedAppliedCents: row.refundedAppliedCents })
      .where(and(rowWhere(ctx, pi), eq(stripePayments.refundedAppliedCents, row.refundedSeenCents)));
    if (err instanceof AppError && err.status < 500) {
      console.error(JSON.stringify({ level: "error", event: "stripe_refund_unrecorded", paymentIntent: pi, reason: err.code }));
      return;
    }
    throw err;
  }
}

/**
 * A payment is booked only when it matches a Checkout session Factumo opened for that document
 * (stripe_checkouts): by the session's id and amount for checkout.session events, by an amount
 * of one of the document's sessions for payment_intent.succeeded (which names no session).
 * Anything else is recorded as an anomaly for the seller, and not booked (issue #14).
 */
async function matchesCheckout(ctx: AccountVerbCtx, event: EventLike, o: Record<string, unknown>, documentId: string, amount: number): Promise<boolean> {
  const ofDocument = and(eq(stripeCheckouts.accountId, ctx.accountId), eq(stripeCheckouts.documentId, documentId));
  if (event.type.startsWith("checkout.session.")) {
    const sessionId = str(o.id);
    const opened = sessionId
      ? await ctx.db.select({ amountCents: stripeCheckouts.amountCents }).from(stripeCheckouts).where(and(ofDocument, eq(stripeCheckouts.sessionId, sessionId))).get()
      : undefined;
    if (!opened) {
      await anomaly(ctx, event, "unknown_checkout", { documentId, amountCents: amount });
      return false;
    }
    if (opened.amountCents !== amount) {
      await anomaly(ctx, event, "amount_mismatch", { documentId, amountCents: amount, expectedCents: opened.amountCents });
      return false;
    }
    return true;
  }
  const sessions = await ctx.db.select({ amountCents: stripeCheckouts.amountCents }).from(stripeCheckouts).where(ofDocument).all();
  if (sessions.some((c) => c.amountCents === amount)) return true;
  if (sessions.length === 0) await anomaly(ctx, event, "unknown_checkout", { documentId, amountCents: amount });
  else await anomaly(ctx, event, "amount_mismatch", { documentId, amountCents: amount, expectedCents: sessions[sessions.length - 1]!.amountCents });
  return false;
}

/** Records an odd signed event (never booked) for the seller, and logs it (ids only). */
async function anomaly(
  ctx: AccountVerbCtx,
  event: EventLike,
  kind: StripeAnomalyKind,
  detail: { documentId?: string | null; amountCents?: number | null; expectedCents?: number | null },
): Promise<void> {
  console.warn(JSON.stringify({ level: "warn", event: "stripe_webhook_anomaly", kind, eventId: event.id, type: event.type }));
  await ctx.db.insert(stripeAnomalies).values({
    id: randomId(),
    accountId: ctx.accountId,
    documentId: detail.documentId ?? null,
    eventId: String(event.id).slice(0, 255),
    eventType: String(event.type).slice(0, 80),
    kind,
    amountCents: detail.amountCents ?? null,
    expectedCents: detail.expectedCents ?? null,
    createdAt: ctx.now,
  });
}

/** Odd Stripe events refused for the account in the last 30 days: the dashboard's notice. */
export async function recentAnomalyCount(ctx: AccountVerbCtx): Promise<number> {
  const row = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(stripeAnomalies)
    .where(and(eq(stripeAnomalies.accountId, ctx.accountId), gt(stripeAnomalies.createdAt, ctx.now - 30 * 86_400_000)))
    .get();
  return Number(row?.n ?? 0);
}
