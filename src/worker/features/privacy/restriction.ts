import { and, desc, eq, isNotNull, isNull } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import { accountRestrictions, accounts } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";

// Restriction of processing (policy §9.4): a frozen account keeps its data and processes nothing —
// no emails, no reminders, no exports to third parties. Each feature that processes checks
// accounts.frozen_at (sending, reminders, checkout); this module only sets and clears it.

type AccountCtx = VerbCtx & { accountId: string; userId: string };

export interface RestrictionState {
  frozenAt: number | null;
  /** The reason given with the freeze in force, if any. */
  reason: string | null;
  history: Array<{ action: "freeze" | "unfreeze"; reason: string | null; at: number }>;
}

/** The account's current restriction and its history, newest first. */
export async function restrictionOf(ctx: AccountCtx): Promise<RestrictionState> {
  const [account, history] = await ctx.db.batch([
    ctx.db.select({ frozenAt: accounts.frozenAt }).from(accounts).where(eq(accounts.id, ctx.accountId)),
    ctx.db
      .select({ action: accountRestrictions.action, reason: accountRestrictions.reason, at: accountRestrictions.at })
      .from(accountRestrictions)
      .where(eq(accountRestrictions.accountId, ctx.accountId))
      .orderBy(desc(accountRestrictions.at), desc(accountRestrictions.id))
      .limit(20),
  ]);
  const frozenAt = account[0]?.frozenAt ?? null;
  const lastFreeze = history.find((h) => h.action === "freeze");
  return { frozenAt, reason: frozenAt !== null ? (lastFreeze?.reason ?? null) : null, history };
}

/** Freezes the account with a recorded reason and time. Refused when already frozen. */
export async function freezeAccount(ctx: AccountCtx, reason: string): Promise<void> {
  const done = await ctx.db
    .update(accounts)
    .set({ frozenAt: ctx.now, updatedAt: ctx.now })
    .where(and(eq(accounts.id, ctx.accountId), isNull(accounts.frozenAt)))
    .returning({ id: accounts.id });
  if (done.length === 0) throw new AppError("conflict", ctx.t("rights.restriction.already"));
  await ctx.db.insert(accountRestrictions).values({ id: randomId(), accountId: ctx.accountId, userId: ctx.userId, action: "freeze", reason, at: ctx.now });
}

/** Lifts the restriction; processing resumes. Refused when not frozen or when the account is closed. */
export async function unfreezeAccount(ctx: AccountCtx): Promise<void> {
  const done = await ctx.db
    .update(accounts)
    .set({ frozenAt: null, updatedAt: ctx.now })
    .where(and(eq(accounts.id, ctx.accountId), isNotNull(accounts.frozenAt), isNull(accounts.closedAt)))
    .returning({ id: accounts.id });
  if (done.length === 0) throw new AppError("conflict", ctx.t("rights.restriction.notFrozen"));
  await ctx.db.insert(accountRestrictions).values({ id: randomId(), accountId: ctx.accountId, userId: ctx.userId, action: "unfreeze", reason: null, at: ctx.now });
}
