import { and, eq, gt, isNull } from "drizzle-orm";
import { SignJWT, jwtVerify } from "jose";
import type { VerbCtx } from "../../context";
import { authTokens } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";

export type TokenPurpose = "verify_email" | "reset_password" | "change_email" | "totp_challenge";

export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  verify_email: 24 * 3600 * 1000,
  reset_password: 3600 * 1000,
  change_email: 24 * 3600 * 1000,
  totp_challenge: 5 * 60 * 1000,
};

const encoder = new TextEncoder();
const keyFor = (ctx: VerbCtx, purpose: TokenPurpose) =>
  // One key per purpose: a token minted for one use is never accepted for another.
  encoder.encode(`${ctx.config.SESSION_SECRET}:${purpose}`);

/**
 * Mints a signed link token (jose, HS256). Emailed links are also recorded by jti in auth_tokens
 * so that each works once; the short-lived TOTP challenge is stateless.
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
    await ctx.db.insert(authTokens).values({
      id: jti,
      userId,
      purpose,
      newEmail: extra.newEmail ?? null,
      createdAt: ctx.now,
      expiresAt: exp,
    });
  }
  return new SignJWT({ p: purpose })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setJti(jti)
    .setIssuedAt(Math.floor(ctx.now / 1000))
    .setExpirationTime(Math.floor(exp / 1000))
    .sign(keyFor(ctx, purpose));
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
 * two concurrent clicks cannot both succeed.
 */
export async function consumeToken(
  ctx: VerbCtx,
  purpose: Exclude<TokenPurpose, "totp_challenge">,
  token: string,
): Promise<{ userId: string; newEmail: string | null }> {
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
      ),
    )
    .returning({ newEmail: authTokens.newEmail })
    .get();
  if (!row) throw new AppError("invalid", ctx.t("err.token"), { token: ctx.t("err.token") });
  return { userId, newEmail: row.newEmail };
}
