import { type SQL, and, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { accountDb, directoryDb } from "../db/client";
import { accounts, memberships, sessions, users } from "../db/schema";
import type { AppEnv, Auth } from "../env";
import { randomToken, sha256Hex } from "../lib/crypto/random";
import { AppError } from "./errors";
import { SESSION_COOKIE, clearCookie, readCookie, writeCookie } from "./cookies";
import { rotateCsrf } from "./csrf";

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
/** A session unused this long is over, even within its 30 days (last_seen_at is its clock). */
export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;

/** The sessions still alive at `now`: not expired, and used within the idle timeout. */
export const liveSession = (now: number): SQL => sql`(${sessions.expiresAt} > ${now} AND ${sessions.lastSeenAt} > ${now - SESSION_IDLE_MS})`;
/** last_seen_at is refreshed at most this often, so reads do not each cost a write. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export function clientIp(c: Context): string | null {
  return c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? null;
}

/** Opens a session: a random id in the cookie, only its SHA-256 in D1 (revocable, not replayable from a dump). */
export async function openSession(c: Context<AppEnv>, userId: string, accountId: string, now = Date.now()) {
  const id = randomToken(32);
  await directoryDb(c.env)
    .insert(sessions)
    .values({
      idHash: await sha256Hex(id),
      userId,
      accountId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + SESSION_TTL_MS,
      ip: clientIp(c),
      userAgent: c.req.header("user-agent")?.slice(0, 300) ?? null,
    });
  writeCookie(c, SESSION_COOKIE, id, SESSION_TTL_MS / 1000);
  rotateCsrf(c);
}

export async function closeSession(c: Context<AppEnv>): Promise<void> {
  const auth = c.var.auth;
  if (auth) await directoryDb(c.env).delete(sessions).where(eq(sessions.idHash, auth.sessionIdHash));
  clearCookie(c, SESSION_COOKIE);
}

/** Resolves the session cookie into the signed-in user and account, or null. */
export const loadSession = createMiddleware<AppEnv>(async (c, next) => {
  c.set("auth", null);
  const id = readCookie(c, SESSION_COOKIE);
  if (id) {
    const auth = await findSession(c, id);
    if (auth) {
      c.set("auth", auth);
      c.set("db", accountDb(c.env, auth.account.id));
    } else {
      clearCookie(c, SESSION_COOKIE);
    }
  }
  return next();
});

async function findSession(c: Context<AppEnv>, id: string): Promise<Auth | null> {
  const now = Date.now();
  const idHash = await sha256Hex(id);
  const db = directoryDb(c.env);
  const row = await db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      user: {
        id: users.id,
        email: users.email,
        name: users.name,
        locale: users.locale,
        emailVerifiedAt: users.emailVerifiedAt,
        totpEnabledAt: users.totpEnabledAt,
      },
      account: { id: accounts.id, name: accounts.name, frozenAt: accounts.frozenAt },
      role: memberships.role,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.accountId, sessions.accountId)))
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.idHash, idHash), liveSession(now)))
    .get();
  if (!row) return null;
  if (now - row.lastSeenAt > TOUCH_EVERY_MS) {
    c.executionCtx.waitUntil(
      db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash)).run().then(() => undefined),
    );
  }
  return {
    sessionIdHash: idHash,
    user: {
      id: row.user.id,
      email: row.user.email,
      name: row.user.name,
      locale: row.user.locale,
      emailVerified: row.user.emailVerifiedAt !== null,
      totpEnabled: row.user.totpEnabledAt !== null,
    },
    account: { id: row.account.id, name: row.account.name, role: row.role, frozen: row.account.frozenAt !== null },
  };
}

/** Guards signed-in routes: API callers get 401, browsers are sent to the login page. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.auth) {
    if (c.req.path.startsWith("/api/")) throw new AppError("unauthorized", "Connexion requise.");
    const back = c.req.method === "GET" ? `?next=${encodeURIComponent(c.req.path)}` : "";
    return c.redirect(`/connexion${back}`, 303);
  }
  return next();
});

/** The signed-in context of a guarded route (requireAuth ran before). */
export function authOf(c: Context<AppEnv>): Auth {
  const auth = c.var.auth;
  if (!auth) throw new AppError("unauthorized", "Connexion requise.");
  return auth;
}
