import { and, desc, eq, gt, isNull, ne } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import { connectionLog, recoveryCodes, sessions, users } from "../../db/schema";
import { AppError } from "../../http/errors";
import { liveSession } from "../../http/session";
import { generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, otpauthUri, verifyTotp } from "../../lib/crypto/totp";
import { aad, sealerFor } from "../../lib/sealer";
import { assertPassword } from "../auth/verbs";
import { recordUserAccess } from "../privacy/access-log";
import type { Locale } from "../../ui/i18n";

/** The user's open sessions, newest activity first (Paramètres → Sécurité). */
export function listSessions(ctx: VerbCtx, userId: string) {
  return ctx.db
    .select({ idHash: sessions.idHash, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, ip: sessions.ip, userAgent: sessions.userAgent })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), liveSession(ctx.now)))
    .orderBy(desc(sessions.lastSeenAt))
    .all();
}

/** Closes one session of this user (never another user's: the user id is in the filter). */
export async function revokeSession(ctx: VerbCtx, userId: string, idHash: string): Promise<void> {
  const gone = await ctx.db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.idHash, idHash)))
    .returning({ idHash: sessions.idHash })
    .get();
  if (!gone) throw new AppError("not_found", ctx.t("err.not_found"));
}

export async function revokeOtherSessions(ctx: VerbCtx, userId: string, currentIdHash: string): Promise<void> {
  await ctx.db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.idHash, currentIdHash)));
}

/** The user's last sign-in attempts, as the privacy policy promises they can see (§3.3, §9.1). */
export function recentConnections(ctx: VerbCtx, userId: string, limit = 20) {
  return ctx.db
    .select({ at: connectionLog.at, ip: connectionLog.ip, userAgent: connectionLog.userAgent, outcome: connectionLog.outcome })
    .from(connectionLog)
    .where(eq(connectionLog.userId, userId))
    .orderBy(desc(connectionLog.at))
    .limit(limit)
    .all();
}

/**
 * Starts TOTP enrolment: a fresh secret, stored sealed but not yet enabled; the user proves their
 * app works with a first code before it is switched on.
 */
export async function beginTotp(ctx: VerbCtx, userId: string, email: string): Promise<{ secret: string; uri: string }> {
  const user = await ctx.db.select({ enabled: users.totpEnabledAt }).from(users).where(eq(users.id, userId)).get();
  if (user?.enabled) throw new AppError("conflict", ctx.t("security.totp.on", { date: "" }));
  const secret = generateTotpSecret();
  const sealer = await sealerFor(ctx.config);
  await ctx.db
    .update(users)
    .set({ totpSecretSealed: await sealer.seal(secret, aad.totp(userId)), totpLastStep: null, updatedAt: ctx.now })
    .where(eq(users.id, userId));
  return { secret, uri: otpauthUri({ secret, account: email }) };
}

/** Reads back the pending secret (to show the QR code again after a wrong code). */
export async function pendingTotp(ctx: VerbCtx, userId: string, email: string): Promise<{ secret: string; uri: string } | null> {
  const user = await ctx.db.select().from(users).where(eq(users.id, userId)).get();
  if (!user?.totpSecretSealed || user.totpEnabledAt) return null;
  const secret = await (await sealerFor(ctx.config)).open(user.totpSecretSealed, aad.totp(userId));
  return { secret, uri: otpauthUri({ secret, account: email }) };
}

/** Confirms enrolment with a first valid code; returns the recovery codes, shown once. */
export async function confirmTotp(ctx: VerbCtx, userId: string, code: string): Promise<string[]> {
  const user = await ctx.db.select().from(users).where(eq(users.id, userId)).get();
  if (!user?.totpSecretSealed || user.totpEnabledAt) throw new AppError("conflict", ctx.t("err.totp"));
  const secret = await (await sealerFor(ctx.config)).open(user.totpSecretSealed, aad.totp(userId));
  const step = await verifyTotp(secret, code, ctx.now);
  if (step === null) throw new AppError("invalid", ctx.t("err.totp"), { code: ctx.t("err.totp") });
  const codes = generateRecoveryCodes(10);
  const hashes = await Promise.all(codes.map((c) => hashRecoveryCode(c, ctx.config.PASSWORD_PEPPER)));
  await ctx.db.batch([
    ctx.db.update(users).set({ totpEnabledAt: ctx.now, totpLastStep: step, updatedAt: ctx.now }).where(and(eq(users.id, userId), isNull(users.totpEnabledAt))),
    ctx.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    ctx.db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash }))),
  ]);
  await recordUserAccess(ctx, userId, "two_factor_enabled");
  return codes;
}

/** Turns 2FA off (password required), forgetting the secret and the recovery codes. */
export async function disableTotp(ctx: VerbCtx, userId: string, password: string): Promise<void> {
  await assertPassword(ctx, userId, password);
  await ctx.db.batch([
    ctx.db.update(users).set({ totpSecretSealed: null, totpEnabledAt: null, totpLastStep: null, updatedAt: ctx.now }).where(eq(users.id, userId)),
    ctx.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
  ]);
  await recordUserAccess(ctx, userId, "two_factor_disabled");
}

export async function setLocale(ctx: VerbCtx, userId: string, locale: Locale): Promise<void> {
  await ctx.db.update(users).set({ locale, updatedAt: ctx.now }).where(eq(users.id, userId));
}

export async function totpEnabledAt(ctx: VerbCtx, userId: string): Promise<number | null> {
  const u = await ctx.db.select({ at: users.totpEnabledAt }).from(users).where(eq(users.id, userId)).get();
  return u?.at ?? null;
}
