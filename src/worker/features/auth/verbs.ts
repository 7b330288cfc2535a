import { and, eq, gte, isNull, ne, or, sql } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import { accounts, authTokens, connectionLog, memberships, policyAcknowledgements, recoveryCodes, sessions, users } from "../../db/schema";
import { AppError, type FieldErrors } from "../../http/errors";
import { type Hit, hitAll, ipSubject, rateLimited, refund, throttle, throttledCheck } from "../../http/throttle";
import { randomId, randomToken, sha256Hex } from "../../lib/crypto/random";
import { hashPassword, verifyPassword } from "../../lib/crypto/password";
import { hashRecoveryCode, verifyTotp } from "../../lib/crypto/totp";
import { sendMail } from "../../lib/mail";
import { compromisedPassword } from "../../lib/pwned-passwords";
import { TURNSTILE_FIELD, verifyTurnstile } from "../../lib/turnstile";
import { aad, sealerFor } from "../../lib/sealer";
import { recordLogin, recordUserAccess } from "../privacy/access-log";
import { CURRENT_POLICY, TERMS_VERSION } from "../privacy/policy";
import { translator } from "../../ui/i18n";
import type { SignUpInput } from "./schemas";
import { consumeToken, mintToken, readToken } from "./tokens";

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

const link = (ctx: VerbCtx, path: string, token: string) => `${ctx.config.APP_URL}${path}?token=${encodeURIComponent(token)}`;

async function sendVerification(ctx: VerbCtx, user: { id: string; email: string; name: string }, accountId: string | null) {
  const token = await mintToken(ctx, "verify_email", user.id);
  await sendMail(ctx.config, ctx.db, {
    to: user.email,
    subject: ctx.t("mail.verify.subject"),
    text: ctx.t("mail.verify.body", { name: user.name, link: link(ctx, "/verification", token) }),
    template: "verify_email",
    userId: user.id,
    accountId,
  });
}

/**
 * Creates the business (account), the person (user) and the owner membership in one D1 batch, or
 * returns null when the email already has an account (the unique index decides, so two sign-ups
 * racing on one email cannot both win; the failed batch rolls back whole). The password is hashed
 * first either way, so both outcomes cost the same.
 */
export async function createAccount(ctx: VerbCtx, input: SignUpInput): Promise<{ userId: string; accountId: string } | null> {
  const userId = randomId();
  const accountId = randomId();
  const passwordHash = await hashPassword(input.password, ctx.config.PASSWORD_PEPPER);
  try {
    await ctx.db.batch([
      ctx.db.insert(accounts).values({
        id: accountId,
        name: input.companyName,
        lastActivityAt: ctx.now,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      }),
      ctx.db.insert(users).values({
        id: userId,
        email: input.email,
        name: input.name,
        passwordHash,
        locale: ctx.locale,
        passwordChangedAt: ctx.now,
        // The sign-up form's required box: these terms, accepted now (part of the user's export).
        termsVersion: TERMS_VERSION,
        termsAcceptedAt: ctx.now,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      }),
      ctx.db.insert(memberships).values({ accountId, userId, role: "owner", createdAt: ctx.now }),
      // Signing up accepts the policy in force: recorded, so a later substantial version is notified (§11).
      ctx.db.insert(policyAcknowledgements).values({ userId, version: CURRENT_POLICY.version, at: ctx.now }),
    ]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) return null;
    throw err;
  }
  return { userId, accountId };
}

/**
 * Sign-up without account enumeration (issue #14): a new email gets its account and a verification
 * link; an email that already has an account gets, instead, a notice to its owner ("someone tried
 * to create an account with your address"), at most LIMITS.signupNotice per hour so the form cannot
 * flood a mailbox. The caller answers the same in both cases, opens no session (the new user signs
 * in), and each path costs one password hash, one batch and one email.
 */
export async function signUp(ctx: VerbCtx, input: SignUpInput): Promise<void> {
  // Before anything, and the same for a taken email: the refusal says nothing about who has an account.
  await assertPasswordNotCompromised(ctx, input.password);
  const created = await createAccount(ctx, input);
  if (created) {
    await sendVerification(ctx, { id: created.userId, email: input.email, name: input.name }, created.accountId);
    return;
  }
  const owner = await ctx.db.select({ id: users.id, name: users.name, email: users.email, locale: users.locale }).from(users).where(eq(users.email, input.email)).get();
  if (!owner) return;
  const [hit] = await hitAll(ctx.db, [["signupNotice", owner.email]], ctx.now);
  if (hit?.over) return;
  const t = translator(owner.locale);
  await sendMail(ctx.config, ctx.db, {
    to: owner.email,
    subject: t("mail.signupExisting.subject"),
    text: t("mail.signupExisting.body", { name: owner.name, login: `${ctx.config.APP_URL}/connexion`, reset: `${ctx.config.APP_URL}/mot-de-passe/oublie` }),
    template: "signup_existing",
    userId: owner.id,
  });
}

export async function resendVerification(ctx: VerbCtx, userId: string): Promise<void> {
  const user = await ctx.db.select().from(users).where(eq(users.id, userId)).get();
  if (!user || user.emailVerifiedAt) return;
  await sendVerification(ctx, user, null);
}

export async function verifyEmail(ctx: VerbCtx, token: string): Promise<void> {
  const { userId } = await consumeToken(ctx, "verify_email", token);
  await ctx.db.update(users).set({ emailVerifiedAt: ctx.now, updatedAt: ctx.now }).where(eq(users.id, userId));
}

async function logAttempt(
  ctx: VerbCtx,
  meta: RequestMeta,
  emailHash: string,
  userId: string | null,
  outcome: (typeof connectionLog.$inferInsert)["outcome"],
) {
  await ctx.db.insert(connectionLog).values({
    id: randomId(),
    at: ctx.now,
    userId,
    emailHash,
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    outcome,
  });
}

/**
 * Refuses a new password that is common (bundled list) or in a known breach (Pwned Passwords, by
 * k-anonymity): 400 `password_compromised`, tied to the `password` field. When the service cannot
 * be reached, the bundled list alone decides.
 */
export async function assertPasswordNotCompromised(ctx: VerbCtx, password: string): Promise<void> {
  if (await compromisedPassword(ctx.config, password)) {
    const message = ctx.t("err.password.compromised");
    throw new AppError("password_compromised", message, { password: message });
  }
}

/** Sign-in failures for one email after which a Turnstile token is required (README, "Security limits"). */
export const CAPTCHA_AFTER = 3;

/** The throttles of one sign-in attempt (either step): its email, and its IP when known. */
function signInPairs(email: string, meta: RequestMeta) {
  return [
    ["loginEmail", email],
    ["loginIp", meta.ip ? ipSubject(meta.ip) : null],
  ] as const;
}

/**
 * Counts the attempt on the email and IP throttles in one atomic statement each, BEFORE any
 * password or code work, and answers 429 when either is over its limit (privacy policy §8).
 */
async function countSignInAttempt(ctx: VerbCtx, meta: RequestMeta, email: string, emailHash: string, userId: string | null): Promise<Hit[]> {
  const hits = await hitAll(ctx.db, signInPairs(email, meta), ctx.now);
  if (hits.some((h) => h.over)) {
    await logAttempt(ctx, meta, emailHash, userId, "rate_limited");
    throw rateLimited(ctx.t, hits);
  }
  return hits;
}

export type LogInResult =
  | { kind: "ok"; userId: string; accountId: string }
  | { kind: "totp_required"; challenge: string };

/** Checks email and password, throttled per email and per IP; every attempt is logged. */
export async function logIn(
  ctx: VerbCtx,
  input: { email: string; password: string; [TURNSTILE_FIELD]?: string | undefined },
  meta: RequestMeta,
): Promise<LogInResult> {
  const emailHash = await sha256Hex(input.email);
  const user = await ctx.db.select().from(users).where(eq(users.email, input.email)).get();
  const hits = await countSignInAttempt(ctx, meta, input.email, emailHash, user?.id ?? null);
  // Past CAPTCHA_AFTER failures for this email, a Turnstile token first: the owner is slowed, not
  // locked out, and a script without one costs no password check (its hit is given back).
  const failures = hits.find((h) => h.rule === "loginEmail")?.hits ?? 1;
  if (failures > CAPTCHA_AFTER && !(await verifyTurnstile(ctx.config, input[TURNSTILE_FIELD], meta.ip))) {
    await refund(ctx.db, hits);
    const message = ctx.t(input[TURNSTILE_FIELD] ? "err.captcha.failed" : "err.captcha.required");
    throw new AppError("captcha_required", message, { captcha: message });
  }

  // Without a user, still run the KDF so timing does not reveal which emails have accounts.
  const check = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH, ctx.config.PASSWORD_PEPPER);
  if (!user || !check.ok) {
    await logAttempt(ctx, meta, emailHash, user?.id ?? null, "bad_credentials");
    // The failure that reaches the threshold already shows the challenge for the next attempt.
    const fields: FieldErrors = { _form: ctx.t("err.login") };
    if (failures >= CAPTCHA_AFTER) fields.captcha = ctx.t("err.captcha.next");
    throw new AppError("unauthorized", ctx.t("err.login"), fields);
  }
  // A right password is not a failure: its hit is given back (the 2FA step counts its own).
  await refund(ctx.db, hits);
  if (check.needsRehash) {
    const passwordHash = await hashPassword(input.password, ctx.config.PASSWORD_PEPPER);
    await ctx.db.update(users).set({ passwordHash }).where(eq(users.id, user.id));
  }
  if (user.totpEnabledAt) {
    await logAttempt(ctx, meta, emailHash, user.id, "totp_required");
    return { kind: "totp_required", challenge: await mintToken(ctx, "totp_challenge", user.id) };
  }
  await logAttempt(ctx, meta, emailHash, user.id, "success");
  return { kind: "ok", userId: user.id, accountId: await signedIn(ctx, user.id) };
}

/** A real hash of a random password, so unknown emails cost the same KDF time. */
const DUMMY_HASH = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

async function ownerAccountOf(ctx: VerbCtx, userId: string): Promise<string> {
  const m = await ctx.db.select({ accountId: memberships.accountId }).from(memberships).where(eq(memberships.userId, userId)).get();
  if (!m) throw new AppError("forbidden", ctx.t("err.unexpected"));
  return m.accountId;
}

/** The account a successful sign-in opens, with the sign-in in that account's access log. */
async function signedIn(ctx: VerbCtx, userId: string): Promise<string> {
  const accountId = await ownerAccountOf(ctx, userId);
  await recordLogin(ctx.env, accountId, userId, ctx.now);
  return accountId;
}

/** Second step of a 2FA login: a TOTP code (never the same time step twice) or a recovery code. */
export async function completeTotpLogin(
  ctx: VerbCtx,
  input: { challenge: string; code: string },
  meta: RequestMeta,
): Promise<{ userId: string; accountId: string }> {
  const { userId } = await readToken(ctx, "totp_challenge", input.challenge);
  const user = await ctx.db.select().from(users).where(eq(users.id, userId)).get();
  if (!user?.totpSecretSealed) throw new AppError("invalid", ctx.t("err.token"));
  const emailHash = await sha256Hex(user.email);
  const hits = await countSignInAttempt(ctx, meta, user.email, emailHash, user.id);

  const code = input.code.replace(/\s/g, "");
  if (/^\d{6}$/.test(code)) {
    const sealer = await sealerFor(ctx.config);
    const secret = await sealer.open(user.totpSecretSealed, aad.totp(user.id));
    const step = await verifyTotp(secret, code, ctx.now);
    if (step !== null && (user.totpLastStep === null || step > user.totpLastStep)) {
      // Conditional update: a code replayed concurrently loses the race.
      const won = await ctx.db
        .update(users)
        .set({ totpLastStep: step })
        .where(and(eq(users.id, user.id), sql`coalesce(${users.totpLastStep}, -1) < ${step}`))
        .returning({ id: users.id })
        .get();
      if (won) {
        await refund(ctx.db, hits);
        await logAttempt(ctx, meta, emailHash, user.id, "success");
        return { userId: user.id, accountId: await signedIn(ctx, user.id) };
      }
    }
  } else {
    const used = await ctx.db
      .update(recoveryCodes)
      .set({ usedAt: ctx.now })
      .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, await hashRecoveryCode(code, ctx.config.PASSWORD_PEPPER)), isNull(recoveryCodes.usedAt)))
      .returning({ userId: recoveryCodes.userId })
      .get();
    if (used) {
      await refund(ctx.db, hits);
      await logAttempt(ctx, meta, emailHash, user.id, "recovery_code_used");
      return { userId: user.id, accountId: await signedIn(ctx, user.id) };
    }
  }
  await logAttempt(ctx, meta, emailHash, user.id, "totp_failed");
  throw new AppError("unauthorized", ctx.t("err.totp"), { code: ctx.t("err.totp") });
}

/** Always answers the same way, whether or not the email has an account (no account enumeration). */
export async function requestPasswordReset(ctx: VerbCtx, email: string, meta: RequestMeta): Promise<void> {
  // Counted for every address, known or not, so a 429 reveals nothing either.
  await throttle(ctx, [
    ["resetEmail", email],
    ["resetIp", meta.ip ? ipSubject(meta.ip) : null],
  ]);
  const user = await ctx.db.select().from(users).where(eq(users.email, email)).get();
  if (!user) return;
  const token = await mintToken(ctx, "reset_password", user.id);
  await sendMail(ctx.config, ctx.db, {
    to: user.email,
    subject: ctx.t("mail.reset.subject"),
    text: ctx.t("mail.reset.body", { name: user.name, link: link(ctx, "/mot-de-passe/nouveau", token) }),
    template: "reset_password",
    userId: user.id,
  });
}

/** Sets a new password from an emailed link and closes every session of the user. */
export async function resetPassword(ctx: VerbCtx, input: { token: string; password: string }): Promise<void> {
  // Before the link is used up: a refused password leaves it valid for a second try.
  await assertPasswordNotCompromised(ctx, input.password);
  const { userId } = await consumeToken(ctx, "reset_password", input.token);
  const passwordHash = await hashPassword(input.password, ctx.config.PASSWORD_PEPPER);
  await ctx.db.batch([
    ctx.db.update(users).set({ passwordHash, passwordChangedAt: ctx.now, updatedAt: ctx.now }).where(eq(users.id, userId)),
    ctx.db.delete(sessions).where(eq(sessions.userId, userId)),
  ]);
  await recordUserAccess(ctx, userId, "password_changed");
}

/** The current password of a signed-in user, its wrong guesses throttled per user (LIMITS.passwordCheck). */
export async function assertPassword(ctx: VerbCtx, userId: string, password: string, field = "current") {
  await throttledCheck(ctx, [["passwordCheck", userId]], async () => {
    const user = await ctx.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).get();
    const check = user ? await verifyPassword(password, user.passwordHash, ctx.config.PASSWORD_PEPPER) : { ok: false };
    if (!check.ok) throw new AppError("invalid", ctx.t("err.password.current"), { [field]: ctx.t("err.password.current") });
  });
}

/** Changes the password (current one required) and closes the user's other sessions. */
export async function changePassword(
  ctx: VerbCtx,
  userId: string,
  currentSessionHash: string,
  input: { current: string; password: string },
): Promise<void> {
  await assertPassword(ctx, userId, input.current);
  await assertPasswordNotCompromised(ctx, input.password);
  const passwordHash = await hashPassword(input.password, ctx.config.PASSWORD_PEPPER);
  await ctx.db.batch([
    ctx.db.update(users).set({ passwordHash, passwordChangedAt: ctx.now, updatedAt: ctx.now }).where(eq(users.id, userId)),
    ctx.db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.idHash, currentSessionHash))),
  ]);
  await recordUserAccess(ctx, userId, "password_changed");
}

/** Sends a confirmation link to the new address; the email changes only when it is opened. */
export async function requestEmailChange(ctx: VerbCtx, userId: string, input: { email: string; current: string }): Promise<void> {
  await assertPassword(ctx, userId, input.current);
  const taken = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get();
  if (taken) throw new AppError("conflict", ctx.t("err.email.taken"), { email: ctx.t("err.email.taken") });
  const user = await ctx.db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw new AppError("not_found", ctx.t("err.not_found"));
  const token = await mintToken(ctx, "change_email", userId, { newEmail: input.email });
  await sendMail(ctx.config, ctx.db, {
    to: input.email,
    subject: ctx.t("mail.changeEmail.subject"),
    text: ctx.t("mail.changeEmail.body", { name: user.name, link: link(ctx, "/email/confirmer", token) }),
    template: "change_email",
    userId,
  });
}

/**
 * Opens a change link: the email becomes the new address, and the old address is told, with a
 * link that undoes the change for 7 days (undoEmailChange).
 */
export async function confirmEmailChange(ctx: VerbCtx, token: string): Promise<void> {
  const { userId, newEmail } = await consumeToken(ctx, "change_email", token);
  if (!newEmail) throw new AppError("invalid", ctx.t("err.token"));
  const before = await ctx.db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId)).get();
  if (!before) throw new AppError("not_found", ctx.t("err.not_found"));
  try {
    await ctx.db.update(users).set({ email: newEmail, emailVerifiedAt: ctx.now, updatedAt: ctx.now }).where(eq(users.id, userId));
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", ctx.t("err.email.taken"));
    throw err;
  }
  await recordUserAccess(ctx, userId, "email_changed");
  const undo = await mintToken(ctx, "undo_email_change", userId, { newEmail: before.email });
  await sendMail(ctx.config, ctx.db, {
    to: before.email,
    subject: ctx.t("mail.emailChanged.subject"),
    text: ctx.t("mail.emailChanged.body", { name: before.name, newEmail, link: link(ctx, "/email/annuler", undo) }),
    template: "email_changed",
    userId,
  });
}

/**
 * Undoes an email change from the link sent to the old address. Whoever changed the email knew
 * the password and may hold sessions, so in one batch: the old address comes back (verified: the
 * link was opened from it), every session closes, the password is replaced by a random one
 * (nobody knows it: a reset link is the way back in), and every link minted since that change is
 * voided, later undo links included. Older undo links stay valid until they expire, so the first
 * owner keeps the last word for 7 days. Two-factor settings are left as they are: owning a mailbox
 * is not a second factor. Returns a fresh reset link token for the person who clicked.
 */
export async function undoEmailChange(ctx: VerbCtx, token: string): Promise<{ resetToken: string }> {
  const { userId, newEmail: restored, createdAt } = await consumeToken(ctx, "undo_email_change", token);
  if (!restored) throw new AppError("invalid", ctx.t("err.token"));
  const passwordHash = await hashPassword(randomToken(32), ctx.config.PASSWORD_PEPPER);
  try {
    await ctx.db.batch([
      ctx.db
        .update(users)
        .set({ email: restored, emailVerifiedAt: ctx.now, passwordHash, passwordChangedAt: ctx.now, updatedAt: ctx.now })
        .where(eq(users.id, userId)),
      ctx.db.delete(sessions).where(eq(sessions.userId, userId)),
      ctx.db
        .update(authTokens)
        .set({ usedAt: ctx.now })
        .where(
          and(
            eq(authTokens.userId, userId),
            isNull(authTokens.usedAt),
            or(ne(authTokens.purpose, "undo_email_change"), gte(authTokens.createdAt, createdAt)),
          ),
        ),
    ]);
  } catch (err) {
    // The old address was taken by a new sign-up meanwhile: nothing changed (the batch rolled back).
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", ctx.t("auth.undo.taken"));
    throw err;
  }
  await recordUserAccess(ctx, userId, "email_change_undone");
  return { resetToken: await mintToken(ctx, "reset_password", userId) };
}
