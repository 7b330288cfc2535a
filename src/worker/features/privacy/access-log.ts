import { and, desc, eq, lt, or } from "drizzle-orm";
import { accountDb, type Db } from "../../db/client";
import { type AccessAction, accessLog, memberships } from "../../db/schema";
import type { Bindings } from "../../env";
import { randomId } from "../../lib/crypto/random";
import { decodeCursor, encodeCursor } from "../documents/queries";
import type { AccountVerbCtx } from "../documents/drafts";

// Privacy policy §8: sensitive actions (sign-ins, downloads of issued documents, exports and imports, changes to
// the profile, bank details and credentials) are logged for the account owner to review.

export const ACCESS_PAGE_SIZE = 50;

interface AccessCtx {
  db: Db;
  accountId: string;
  userId?: string | null;
  now: number;
}

/** The insert for one entry, to add to the batch of the action it records. */
export function accessEntry(ctx: AccessCtx, action: AccessAction, target?: string | null) {
  return ctx.db.insert(accessLog).values({ id: randomId(), accountId: ctx.accountId, userId: ctx.userId ?? null, action, target: target ?? null, at: ctx.now });
}

/** Records one sensitive action of the signed-in user on their account. */
export async function recordAccess(ctx: AccessCtx, action: AccessAction, target?: string | null): Promise<void> {
  await accessEntry(ctx, action, target);
}

/** Records a sign-in: the directory knows the user, the entry goes to the account's own database. */
export async function recordLogin(env: Bindings, accountId: string, userId: string, now: number): Promise<void> {
  await recordAccess({ db: accountDb(env, accountId), accountId, userId, now }, "login");
}

/** One page of the log, newest first (keyset on (at, id)); the user's name joined by the page. */
export async function listAccessLog(ctx: AccountVerbCtx, cursor?: string) {
  const after = cursor ? decodeCursor(ctx, cursor) : null;
  const rows = await ctx.db
    .select({ id: accessLog.id, action: accessLog.action, target: accessLog.target, at: accessLog.at, userId: accessLog.userId })
    .from(accessLog)
    .where(
      and(eq(accessLog.accountId, ctx.accountId), after ? or(lt(accessLog.at, after.createdAt), and(eq(accessLog.at, after.createdAt), lt(accessLog.id, after.id))) : undefined),
    )
    .orderBy(desc(accessLog.at), desc(accessLog.id))
    .limit(ACCESS_PAGE_SIZE + 1)
    .all();
  const items = rows.slice(0, ACCESS_PAGE_SIZE);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > ACCESS_PAGE_SIZE && last ? encodeCursor(last.at, last.id) : null };
}

/** Records an action on the user's own credentials in the log of every account they belong to. */
export async function recordUserAccess(ctx: { env: Bindings; db: Db; now: number }, userId: string, action: AccessAction): Promise<void> {
  const rows = await ctx.db.select({ accountId: memberships.accountId }).from(memberships).where(eq(memberships.userId, userId)).all();
  for (const { accountId } of rows) await recordAccess({ db: accountDb(ctx.env, accountId), accountId, userId, now: ctx.now }, action);
}
