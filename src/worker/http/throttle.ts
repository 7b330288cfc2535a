import { and, eq, gt, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import { throttles } from "../db/schema";
import type { AppEnv } from "../env";
import { sha256Hex } from "../lib/crypto/random";
import type { Translate } from "../ui/i18n";
import { AppError } from "./errors";
import { clientIp } from "./session";

/**
 * Every throttle of the app, with its numbers (README, "Security choices"). A window opens at the
 * first hit of a subject and lasts `windowMs`; within it, at most `limit` hits pass.
 */
export const LIMITS = {
  /** Sign-in failures (password, TOTP or recovery code) per email. */
  loginEmail: { limit: 10, windowMs: 15 * 60_000 },
  /** Sign-in failures per IP address (an IPv6 address counts as its /64). */
  loginIp: { limit: 50, windowMs: 15 * 60_000 },
  /** Password-reset emails asked for one address (whether or not it has an account). */
  resetEmail: { limit: 5, windowMs: 60 * 60_000 },
  /** Password-reset requests per IP address. */
  resetIp: { limit: 20, windowMs: 60 * 60_000 },
  /** Wrong current passwords (or 2FA codes) of a signed-in user: password or email change, 2FA off, closure. */
  passwordCheck: { limit: 5, windowMs: 15 * 60_000 },
  /** Documents emailed by one account. */
  documentSend: { limit: 60, windowMs: 60 * 60_000 },
  /** "Someone tried to sign up with your address" notices to one address (features/auth/verbs.ts signUp). */
  signupNotice: { limit: 3, windowMs: 60 * 60_000 },
  /** Emails to third parties (documents, quotes, reminders) of an account in its first 30 days (features/sending/gate.ts). */
  newAccountSend: { limit: 20, windowMs: 24 * 60 * 60_000 },
} as const satisfies Record<string, { limit: number; windowMs: number }>;

export type ThrottleRule = keyof typeof LIMITS;

/** One counted hit: the count in the window including this one, and when the window closes. */
export interface Hit {
  rule: ThrottleRule;
  key: string;
  hits: number;
  windowStart: number;
  over: boolean;
  retryAfterS: number;
}

/**
 * The subject of an IP rule: the address itself for IPv4, its /64 for IPv6 (one machine usually
 * holds a whole /64, so per-address counting would let it rotate freely).
 */
export function ipSubject(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/** The row key: the rule and a SHA-256 of the subject, so no email or IP is stored in clear. */
export async function throttleKey(rule: ThrottleRule, subject: string): Promise<string> {
  return `${rule}:${await sha256Hex(`${rule}\u0000${subject}`)}`;
}

/**
 * The one statement a hit costs: insert the row, or count one more in the open window, or open a
 * new window when the old one closed, and read the result back. SQLite evaluates every SET
 * expression on the row as it was, and D1 runs each statement atomically, so 200 concurrent hits
 * read back 1..200 and exactly `limit` of them are under the limit.
 */
function hitStatement(db: Db, rule: ThrottleRule, key: string, now: number) {
  const closed = now - LIMITS[rule].windowMs;
  return db
    .insert(throttles)
    .values({ key, windowStart: now, hits: 1 })
    .onConflictDoUpdate({
      target: throttles.key,
      set: {
        hits: sql`CASE WHEN ${throttles.windowStart} <= ${closed} THEN 1 ELSE ${throttles.hits} + 1 END`,
        windowStart: sql`CASE WHEN ${throttles.windowStart} <= ${closed} THEN ${now} ELSE ${throttles.windowStart} END`,
      },
    })
    .returning({ hits: throttles.hits, windowStart: throttles.windowStart });
}

function toHit(rule: ThrottleRule, key: string, row: { hits: number; windowStart: number } | undefined, now: number): Hit {
  const { limit, windowMs } = LIMITS[rule];
  const hits = row?.hits ?? 1;
  const windowStart = row?.windowStart ?? now;
  return { rule, key, hits, windowStart, over: hits > limit, retryAfterS: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)) };
}

/**
 * Counts one hit on each (rule, subject) pair in one D1 batch, BEFORE the work they guard (a
 * password hash, an email). Pairs whose subject is null (no client IP known) are skipped.
 */
export async function hitAll(db: Db, pairs: ReadonlyArray<readonly [ThrottleRule, string | null]>, now: number): Promise<Hit[]> {
  const keyed = await Promise.all(
    pairs.filter((p): p is readonly [ThrottleRule, string] => p[1] !== null).map(async ([rule, subject]) => ({ rule, key: await throttleKey(rule, subject) })),
  );
  if (keyed.length === 0) return [];
  const [first, ...rest] = keyed.map(({ rule, key }) => hitStatement(db, rule, key, now));
  const results = await db.batch([first!, ...rest]);
  return keyed.map(({ rule, key }, i) => toHit(rule, key, results[i]?.[0], now));
}

/**
 * Gives back hits that turned out legitimate (a right password, a request refused before any work
 * was done), so a throttle that counts failures does not count them. Only within the window the
 * hit was counted in: a hit from a closed window is not taken from the next one.
 */
export async function refund(db: Db, hits: readonly Hit[]): Promise<void> {
  if (hits.length === 0) return;
  const [first, ...rest] = hits.map((h) =>
    db
      .update(throttles)
      .set({ hits: sql`${throttles.hits} - 1` })
      .where(and(eq(throttles.key, h.key), eq(throttles.windowStart, h.windowStart), gt(throttles.hits, 0))),
  );
  await db.batch([first!, ...rest]);
}

/** The 429 of a throttle: a French (or English) message with the minutes left, and Retry-After. */
export function rateLimited(t: Translate, hits: readonly Hit[]): AppError {
  const retryAfterS = Math.max(...hits.filter((h) => h.over).map((h) => h.retryAfterS), 1);
  return new AppError("rate_limited", t("err.rate_limited", { minutes: Math.ceil(retryAfterS / 60) }), undefined, {
    "Retry-After": String(retryAfterS),
  });
}

/** Counts the hits and throws the 429 when any rule is over its limit. */
export async function throttle(
  ctx: { db: Db; now: number; t: Translate },
  pairs: ReadonlyArray<readonly [ThrottleRule, string | null]>,
): Promise<Hit[]> {
  const hits = await hitAll(ctx.db, pairs, ctx.now);
  if (hits.some((h) => h.over)) throw rateLimited(ctx.t, hits);
  return hits;
}

/**
 * Guards a check that may fail (a password, a code): counts the attempt first, runs the check, and
 * gives the attempt back when it succeeds, so only failures (and attempts in flight) are counted.
 */
export async function throttledCheck<T>(
  ctx: { db: Db; now: number; t: Translate },
  pairs: ReadonlyArray<readonly [ThrottleRule, string | null]>,
  check: () => Promise<T>,
): Promise<T> {
  const hits = await throttle(ctx, pairs);
  const result = await check();
  await refund(ctx.db, hits);
  return result;
}

/** Deletes the rows whose window closed (retention cron): the longest window is the horizon. */
export function purgeClosedThrottles(db: Db, now: number) {
  const longest = Math.max(...Object.values(LIMITS).map((l) => l.windowMs));
  return db.delete(throttles).where(sql`${throttles.windowStart} <= ${now - longest}`).returning({ key: throttles.key });
}

/** Unauthenticated posts that lead to a password, code or email: the outer layer guards them. */
const OUTER_PATHS = /^\/(connexion(\/2fa)?|inscription|mot-de-passe\/(oublie|nouveau)|api\/v1\/auth\/.+)$/;

/** Requests per IP (/64 for IPv6) and minute let through by the outer layer (wrangler.toml). */
export const OUTER_LIMIT = { limit: 300, periodS: 60 } as const;

/**
 * The outer layer: Cloudflare's Rate Limiting binding (AUTH_RATE_LIMITER, wrangler.toml) counts
 * the auth posts per IP at each Cloudflare location, before the Worker touches D1. Approximate by
 * design (per location, eventually consistent); the exact limits are the D1 throttles above. When
 * the binding is absent (a deployment without it) or the client IP unknown, the layer is skipped.
 */
export const outerRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = (c.env as Partial<CloudflareBindings>).AUTH_RATE_LIMITER;
  const ip = clientIp(c);
  if (c.req.method !== "POST" || !limiter || !ip || !OUTER_PATHS.test(c.req.path)) return next();
  const { success } = await limiter.limit({ key: ipSubject(ip) });
  if (!success) {
    throw new AppError("rate_limited", c.var.t("err.rate_limited", { minutes: 1 }), undefined, { "Retry-After": String(OUTER_LIMIT.periodS) });
  }
  return next();
});
