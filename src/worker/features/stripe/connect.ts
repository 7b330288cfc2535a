import { and, eq } from "drizzle-orm";
import { directoryDb } from "../../db/client";
import { accounts, stripeAccountMap, stripeConnections } from "../../db/schema";
import { AppError } from "../../http/errors";
import { sha256Hex } from "../../lib/crypto/random";
import { aad, sealerFor } from "../../lib/sealer";
import type { AccountVerbCtx } from "../documents/drafts";
import { stripeFor } from "./client";

export type ConnectionRow = typeof stripeConnections.$inferSelect;

/**
 * Lookup key of a Stripe account id in `stripe_account_map`. A plain, domain-separated SHA-256,
 * not an HMAC: Stripe ids carry ~95 random bits, so the hash cannot be reversed by guessing, and
 * a keyed hash would tie every lookup to a secret whose rotation would orphan the whole map.
 */
export const stripeAccountHash = (stripeAccountId: string) => sha256Hex(`factumo:stripe-account:${stripeAccountId}`);

/** The account's Stripe connection, or null. */
export async function connectionOf(ctx: AccountVerbCtx): Promise<ConnectionRow | null> {
  return (await ctx.db.select().from(stripeConnections).where(eq(stripeConnections.accountId, ctx.accountId)).get()) ?? null;
}

/** The connected Stripe account id (`acct_…`), opened from its sealed column. */
export async function openStripeAccountId(ctx: AccountVerbCtx, row: ConnectionRow): Promise<string> {
  return (await sealerFor(ctx.config)).open(row.stripeAccountSealed, aad.stripeAccount(ctx.accountId));
}

async function accountRow(ctx: AccountVerbCtx) {
  const row = await ctx.db.select({ name: accounts.name, contactEmail: accounts.contactEmail, frozenAt: accounts.frozenAt }).from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  if (!row) throw new AppError("not_found", ctx.t("err.not_found"));
  return row;
}

function requireStripe(ctx: AccountVerbCtx) {
  const stripe = stripeFor(ctx.config);
  if (!stripe) throw new AppError("precondition_failed", ctx.t("stripe.err.notConfigured"));
  return stripe;
}

/** Turns a Stripe SDK failure into a 503-like AppError without leaking Stripe's message. */
export function providerError(ctx: AccountVerbCtx, err: unknown): never {
  if (err instanceof AppError) throw err;
  console.error(JSON.stringify({ level: "error", event: "stripe_call_failed", error: String(err).slice(0, 300) }));
  throw new AppError("conflict", ctx.t("stripe.err.provider"));
}

/**
 * Starts (or resumes) Stripe Connect onboarding: creates an Express account on first use, stores
 * its id sealed plus its lookup hash, and returns the Stripe-hosted onboarding URL to redirect to.
 */
export async function startOnboarding(ctx: AccountVerbCtx): Promise<string> {
  const stripe = requireStripe(ctx);
  const account = await accountRow(ctx);
  // Privacy policy §9.4: a restricted account sends nothing to processors.
  if (account.frozenAt !== null) throw new AppError("conflict", ctx.t("stripe.err.frozen"));
  try {
    let row = await connectionOf(ctx);
    let stripeAccountId: string;
    if (row) {
      stripeAccountId = await openStripeAccountId(ctx, row);
    } else {
      const created = await stripe.accounts.create(
        {
          type: "express",
          country: "FR",
          default_currency: "eur",
          ...(account.contactEmail ? { email: account.contactEmail } : {}),
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
          metadata: { factumo_account_id: ctx.accountId },
        },
        // Two quick clicks create one Stripe account, not two.
        { idempotencyKey: `connect-${ctx.accountId}-${Math.floor(ctx.now / 86_400_000)}` },
      );
      stripeAccountId = created.id;
      const hash = await stripeAccountHash(stripeAccountId);
      const sealed = await (await sealerFor(ctx.config)).seal(stripeAccountId, aad.stripeAccount(ctx.accountId));
      // Directory first: a webhook must never find a connection it cannot map back.
      await directoryDb(ctx.env).insert(stripeAccountMap).values({ stripeAccountHash: hash, accountId: ctx.accountId, createdAt: ctx.now }).onConflictDoNothing();
      row = {
        accountId: ctx.accountId,
        stripeAccountSealed: sealed,
        stripeAccountHash: hash,
        chargesEnabled: created.charges_enabled === true,
        allowPartial: false,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      await ctx.db.insert(stripeConnections).values(row).onConflictDoNothing();
    }
    const link = await stripe.accountLinks.create({
      account: stripeAccountId,
      type: "account_onboarding",
      refresh_url: `${ctx.config.APP_URL}/parametres/paiement-en-ligne`,
      return_url: `${ctx.config.APP_URL}/parametres/paiement-en-ligne/retour`,
    });
    return link.url;
  } catch (err) {
    return providerError(ctx, err);
  }
}

/** Reads `charges_enabled` from Stripe after onboarding (the return URL) and stores it. */
export async function refreshConnection(ctx: AccountVerbCtx): Promise<ConnectionRow | null> {
  const row = await connectionOf(ctx);
  const stripe = stripeFor(ctx.config);
  if (!row || !stripe) return row;
  try {
    const acct = await stripe.accounts.retrieve(await openStripeAccountId(ctx, row));
    const chargesEnabled = acct.charges_enabled === true;
    if (chargesEnabled !== row.chargesEnabled) {
      await ctx.db.update(stripeConnections).set({ chargesEnabled, updatedAt: ctx.now }).where(eq(stripeConnections.accountId, ctx.accountId));
    }
    return { ...row, chargesEnabled };
  } catch (err) {
    return providerError(ctx, err);
  }
}

/** Whether the payer may choose an amount below what is due. */
export async function setAllowPartial(ctx: AccountVerbCtx, allowPartial: boolean): Promise<void> {
  const res = await ctx.db
    .update(stripeConnections)
    .set({ allowPartial, updatedAt: ctx.now })
    .where(eq(stripeConnections.accountId, ctx.accountId))
    .returning({ id: stripeConnections.accountId });
  if (res.length === 0) throw new AppError("not_found", ctx.t("stripe.err.notConnected"));
}

/**
 * Forgets the connected account: no more Checkout, and its webhooks map to nobody. The Stripe
 * account itself is the freelancer's and stays untouched.
 */
export async function disconnect(ctx: AccountVerbCtx): Promise<void> {
  const row = await connectionOf(ctx);
  if (!row) return;
  await ctx.db.delete(stripeConnections).where(eq(stripeConnections.accountId, ctx.accountId));
  await directoryDb(ctx.env)
    .delete(stripeAccountMap)
    .where(and(eq(stripeAccountMap.stripeAccountHash, row.stripeAccountHash), eq(stripeAccountMap.accountId, ctx.accountId)));
}
