import { eq } from "drizzle-orm";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { accounts, memberships, users } from "../../db/schema";
import { AppError } from "../../http/errors";
import { hmacSha256, timingSafeEqual } from "../../lib/crypto/random";
import { sendMail, type OutgoingMail } from "../../lib/mail";
import type { ConsentChoice } from "./consent";
import type { Localized } from "./policy";

// Marketing consent (policy §4, §9.7) and the objection to product analytics (§9.6).

/**
 * The exact sentence the user ticks, and its version. Changing the sentence bumps the version: the
 * version recorded with an opt-in then says which sentence that person agreed to.
 */
export const MARKETING_WORDING: { version: string; text: Localized } = {
  version: "2026-11-26",
  text: {
    fr: "J'accepte de recevoir par email les nouveautés et offres de Factumo (au plus un email par mois). Je peux me désabonner à tout moment, en un clic depuis chaque email ou dans ces paramètres.",
    en: "I agree to receive Factumo's news and offers by email (at most one email a month). I can unsubscribe at any time, in one click from each email or in these settings.",
  },
};

export interface PrivacyChoices {
  marketingOptInAt: number | null;
  marketingWordingVersion: string | null;
  analyticsOptOutAt: number | null;
}

/** A user's marketing consent and analytics objection. */
export async function privacyChoicesOf(db: Db, userId: string): Promise<PrivacyChoices> {
  const row = await db
    .select({ marketingOptInAt: users.marketingOptInAt, marketingWordingVersion: users.marketingWordingVersion, analyticsOptOutAt: users.analyticsOptOutAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return row ?? { marketingOptInAt: null, marketingWordingVersion: null, analyticsOptOutAt: null };
}

/**
 * Gives or withdraws marketing consent. Giving records the time and the version of the wording shown;
 * withdrawing clears both (no marketing email can be sent without them).
 */
export async function setMarketingConsent(db: Db, userId: string, optIn: boolean, now: number): Promise<void> {
  await db
    .update(users)
    .set(optIn ? { marketingOptInAt: now, marketingWordingVersion: MARKETING_WORDING.version, updatedAt: now } : { marketingOptInAt: null, marketingWordingVersion: null, updatedAt: now })
    .where(eq(users.id, userId));
}

/** Records (or lifts) the user's objection to product analytics. */
export async function setAnalyticsOptOut(db: Db, userId: string, optOut: boolean, now: number): Promise<void> {
  await db.update(users).set({ analyticsOptOutAt: optOut ? now : null, updatedAt: now }).where(eq(users.id, userId));
}

/**
 * Whether the app may measure this visit (the "performance" cookie category): only with consent, and
 * never for a signed-in user who objected (§9.6): the objection wins over any cookie choice.
 */
export function measurementAllowed(consent: ConsentChoice | null, analyticsOptOutAt: number | null): boolean {
  return consent?.performance === true && analyticsOptOutAt === null;
}

const unsubscribeKey = (config: Pick<Config, "SESSION_SECRET">) => `${config.SESSION_SECRET}:unsubscribe`;

/** The unsubscribe token of a user: their id and an HMAC of it, so a link works without a session. */
export async function unsubscribeToken(config: Pick<Config, "SESSION_SECRET">, userId: string): Promise<string> {
  return `${userId}.${await hmacSha256(unsubscribeKey(config), userId)}`;
}

/** The user id a token was minted for, or null when the signature does not match (constant-time). */
export async function readUnsubscribeToken(config: Pick<Config, "SESSION_SECRET">, token: string): Promise<string | null> {
  const dot = token.lastIndexOf(".");
  if (dot <= 0) return null;
  const userId = token.slice(0, dot);
  if (!/^[A-Za-z0-9_-]{10,64}$/.test(userId)) return null;
  const expected = await hmacSha256(unsubscribeKey(config), userId);
  return timingSafeEqual(expected, token.slice(dot + 1)) ? userId : null;
}

/**
 * One-click unsubscribe (RFC 8058): withdraws marketing consent of the user the token names.
 * Returns false for a forged token. Idempotent.
 */
export async function unsubscribe(db: Db, config: Pick<Config, "SESSION_SECRET">, token: string, now: number): Promise<boolean> {
  const userId = await readUnsubscribeToken(config, token);
  if (!userId) return false;
  await setMarketingConsent(db, userId, false, now);
  return true;
}

/** The RFC 2369 / RFC 8058 headers of a marketing email to this user. */
export async function unsubscribeHeaders(config: Pick<Config, "SESSION_SECRET" | "APP_URL">, userId: string, mailbox: string): Promise<Record<string, string>> {
  const token = await unsubscribeToken(config, userId);
  return {
    "List-Unsubscribe": `<${config.APP_URL}/desabonnement/${token}>, <mailto:${mailbox}?subject=${encodeURIComponent(`unsubscribe ${userId}`)}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  };
}

/**
 * The only way to send a marketing email: refuses unless the user opted in, and never to a frozen or
 * closed account (§9.4); adds the one-click unsubscribe headers. `mailbox` receives mailto unsubscribes.
 */
export async function marketingMail(
  config: Config,
  db: Db,
  userId: string,
  mail: Pick<OutgoingMail, "subject" | "text" | "template">,
  mailbox: string,
): Promise<{ id: string }> {
  const user = await db
    .select({ email: users.email, optIn: users.marketingOptInAt, frozenAt: accounts.frozenAt })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(accounts, eq(accounts.id, memberships.accountId))
    .where(eq(users.id, userId))
    .get();
  if (!user || user.optIn === null) throw new AppError("precondition_failed", "No marketing consent.");
  if (user.frozenAt !== null) throw new AppError("conflict", "Account restricted: no processing.");
  const link = `${config.APP_URL}/desabonnement/${await unsubscribeToken(config, userId)}`;
  return sendMail(config, db, {
    ...mail,
    // The link in the body too: not every mail client shows a List-Unsubscribe button.
    text: `${mail.text}\n\n— Se désabonner / Unsubscribe: ${link}`,
    to: user.email,
    userId,
    headers: await unsubscribeHeaders(config, userId, mailbox),
  });
}
