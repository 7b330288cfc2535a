import { and, eq, isNotNull } from "drizzle-orm";
import { directoryDb, type Db } from "../../db/client";
import { accounts, memberships, users } from "../../db/schema";
import type { Bindings } from "../../env";
import { AppError } from "../../http/errors";
import { type Hit, hitAll, LIMITS, refund } from "../../http/throttle";
import type { Translate } from "../../ui/i18n";

/**
 * Who may email third parties (clients: documents, quotes, reminders), issue #14. Two rules, both
 * before anything is sent:
 * - an account whose owner has not verified their email sends nothing to anyone else (a throwaway
 *   sign-up cannot make Factumo mail strangers);
 * - an account younger than NEW_ACCOUNT_DAYS sends at most LIMITS.newAccountSend.limit emails per
 *   24 hours, counted by the throttles' one conditional statement (http/throttle.ts), so parallel
 *   sends cannot pass it.
 * Emails to the account's own user (verification, reset, notices) are not third-party mail.
 */
export const NEW_ACCOUNT_DAYS = 30;

export type SendRefusal = { reason: "unverified" } | { reason: "quota"; retryAfterS: number };

/** The admission of one email to a third party: the counted hit (given back if nothing leaves), or why not. */
export type SendAdmission = { ok: true; hits: Hit[] } | ({ ok: false } & SendRefusal);

export async function admitThirdPartySend(deps: { env: Pick<Bindings, "DB">; db: Db; now: number }, accountId: string): Promise<SendAdmission> {
  const [verified, account] = await Promise.all([
    directoryDb(deps.env)
      .select({ id: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.accountId, accountId), eq(memberships.role, "owner"), isNotNull(users.emailVerifiedAt)))
      .get(),
    deps.db.select({ createdAt: accounts.createdAt }).from(accounts).where(eq(accounts.id, accountId)).get(),
  ]);
  if (!verified) return { ok: false, reason: "unverified" };
  if (!account || deps.now - account.createdAt >= NEW_ACCOUNT_DAYS * 86_400_000) return { ok: true, hits: [] };
  const hits = await hitAll(deps.db, [["newAccountSend", accountId]], deps.now);
  const over = hits.find((h) => h.over);
  if (over) return { ok: false, reason: "quota", retryAfterS: over.retryAfterS };
  return { ok: true, hits };
}

/** Gives the quota back when the email did not leave after all (provider error, missing PDF). */
export function releaseSend(db: Db, admission: { hits: Hit[] }): Promise<void> {
  return refund(db, admission.hits);
}

/** The API error of a refusal: stable codes `email_unverified` (403) and `send_quota_exceeded` (429). */
export function sendRefusalError(t: Translate, refusal: SendRefusal): AppError {
  if (refusal.reason === "unverified") return new AppError("email_unverified", t("sending.err.unverified"));
  const hours = Math.max(1, Math.ceil(refusal.retryAfterS / 3600));
  return new AppError(
    "send_quota_exceeded",
    t("sending.err.quota", { limit: LIMITS.newAccountSend.limit, days: NEW_ACCOUNT_DAYS, hours }),
    undefined,
    { "Retry-After": String(refusal.retryAfterS) },
  );
}

/** Throws the refusal, or returns the admission to release if the email then fails. */
export async function requireThirdPartySend(ctx: { env: Pick<Bindings, "DB">; db: Db; now: number; t: Translate }, accountId: string): Promise<{ hits: Hit[] }> {
  const admission = await admitThirdPartySend(ctx, accountId);
  if (!admission.ok) throw sendRefusalError(ctx.t, admission);
  return admission;
}
