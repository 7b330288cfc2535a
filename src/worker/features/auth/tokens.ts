import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { SignJWT, jwtVerify } from "jose";
import type { VerbCtx } from "../../context";
import { authTokens, users } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";

export type TokenPurpose = "verify_email" | "reset_password" | "change_email" | "undo_email_change" | "totp_challenge";
type LinkPurpose = Exclude<TokenPurpose, "totp_challenge">;

export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  verify_email: 24 * 3600 * 1000,
  reset_password: 3600 * 1000,
  change_email: 24 * 3600 * 1000,
  /** The old address may undo an email change for a week (issue #14). */
  undo_email_change: 7 * 24 * 3600 * 1000,
  totp_challenge: 5 * 60 * 1000,
};

const encoder = new TextEncoder();
const keyFor = (ctx: VerbCtx, purpose: TokenPurpose) =>
  // One key per purpose: a token minted for one use is never accepted for another.
  encoder.encode(`${ctx.config.SESSION_SECRET}:${purpose}`);

/**
 * Mints a signed link token (jose, HS256). Emailed links are also recorded by jti in auth_tokens
 * so that each works once; the short-lived TOTP challenge is stateless. A link is bound to the
 * user's email at minting (read in the same statement) and dies when it changes; minting a reset
 * link voids the older ones in the same batch, so only the newest works.
 */
export async function mintToken(
  ctx: VerbCtx,
  purpose: TokenPurpose,
  userId: string,
  extra: { newEmail?: string } = {},
): Promise<string> {
  const jti = randomId();
  const exp = ctx.now + TOKEN_TTL_MS[purpose];
  if (purpose !== "totp_challenge") {
    const insert = ctx.db.insert(authTokens).values({
      id: jti,
      userId,
      purpose,
      newEmail: extra.newEmail ?? null,
      boundEmail: purpose === "undo_email_change" ? null : sql`(SELECT ${users.email} FROM ${users} WHERE ${users.id} = ${userId})`,
      createdAt: ctx.now,
      expiresAt: exp,
    });
    if (purpose === "reset_password") {
      await ctx.db.batch([
        ctx.db
          .update(authTokens)
          .set({ usedAt: ctx.now })
          .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, "reset_password"), isNull(authTokens.usedAt))),
        insert,
      ]);
    } else {
      await insert;
    }
  }
  return new SignJWT({ p: purpose })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setJti(jti)
    .setIssuedAt(Math.floor(ctx.now / 1000))
    .setExpirationTime(Math.floor(exp / 1000))
    .sign(keyFor(ctx, purpose));
}

/**
 * The state a link is bound to, as SQL over its auth_tokens row: the user's email is still the one
 * it was sent for, and a reset link is younger than the last password change. An undo link is
 * bound to nothing but its own use and expiry: it must outlive the change it undoes.
 */
function stillBound(purpose: LinkPurpose) {
  if (purpose === "undo_email_change") return sql`1`;
  const passwordUnchanged = purpose === "reset_password" ? sql` AND ${users.passwordChangedAt} <= ${authTokens.createdAt}` : sql``;
  return sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${authTokens.userId} AND ${users.email} = ${authTokens.boundEmail}${passwordUnchanged})`;
}

/** Checks signature, purpose and expiry; returns the user id and jti. */
export async function readToken(ctx: VerbCtx, purpose: TokenPurpose, token: string): Promise<{ userId: string; jti: string }> {
  try {
    const { payload } = await jwtVerify(token, keyFor(ctx, purpose), {
      algorithms: ["HS256"],
      currentDate: new Date(ctx.now),
    });
    if (payload.p !== purpose || !payload.sub || !payload.jti) throw new Error("claims");
    return { userId: payload.sub, jti: payload.jti };
  } catch {
    throw new AppError("invalid", ctx.t("err.token"), { token: ctx.t("err.token") });
  }
}

/**
 * Consumes an emailed one-time token: verifies it and marks it used in one conditional update, so
 * two concurrent clicks cannot both succeed, and a link whose state moved on (stillBound) fails.
 */
export async function consumeToken(
  ctx: VerbCtx,
  purpose: LinkPurpose,
  token: string,
): Promise<{ userId: string; newEmail: string | null; createdAt: number }> {
  const { userId, jti } = await readToken(ctx, purpose, token);
  const row = await ctx.db
    .update(authTokens)
    .set({ usedAt: ctx.now })
    .where(
      and(
        eq(authTokens.id, jti),
        eq(authTokens.userId, userId),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, ctx.now),
        stillBound(purpose),
      ),
    )
    .returning({ newEmail: authTokens.newEmail, createdAt: authTokens.createdAt })
    .get();
  if (!row) throw new AppError("invalid", ctx.t("err.token"), { token: ctx.t("err.token") });
  return { userId, newEmail: row.newEmail, createdAt: row.createdAt };
}

/**
 * Checks, without using it, that a link would still be accepted (the undo page shows its button
 * only then).
 */
export async function tokenUsable(ctx: VerbCtx, purpose: LinkPurpose, token: string): Promise<boolean> {
  let jti: string;
  try {
    ({ jti } = await readToken(ctx, purpose, token));
  } catch {
    return false;
  }
  const row = await ctx.db
    .select({ id: authTokens.id })
    .from(authTokens)
    .where(and(eq(authTokens.id, jti), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt), gt(authTokens.expiresAt, ctx.now), stillBound(purpose)))
    .get();
  return !!row;
}
