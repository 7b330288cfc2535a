import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { randomToken, timingSafeEqual } from "../lib/crypto/random";
import type { AppEnv } from "../env";
import { AppError } from "./errors";
import { CSRF_COOKIE, readCookie, writeCookie } from "./cookies";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/**
 * Paths authenticated by something other than the cookie: signed webhooks, the HMAC-signed
 * one-click unsubscribe, which mail providers POST without any cookie (RFC 8058), and operator
 * commands, which carry the OPERATOR_TOKEN bearer secret and no cookie at all.
 */
const EXEMPT = [/^\/webhooks\//, /^\/desabonnement\/[^/]+$/, /^\/api\/v1\/operator\//];

/**
 * Double-submit CSRF protection for every state-changing request: the token lives in an HttpOnly
 * `__Host-` cookie and must come back in the `_csrf` form field or the `X-CSRF-Token` header.
 * A cross-site origin is refused outright when the browser tells us (Origin / Sec-Fetch-Site).
 */
export const csrf = createMiddleware<AppEnv>(async (c, next) => {
  let token = readCookie(c, CSRF_COOKIE);
  if (!token) {
    token = randomToken(32);
    writeCookie(c, CSRF_COOKIE, token);
  }
  c.set("csrfToken", token);

  if (SAFE_METHODS.has(c.req.method) || EXEMPT.some((re) => re.test(c.req.path))) return next();

  const crossSite = isCrossSite(c);
  const sent = c.req.header(CSRF_HEADER) ?? (crossSite ? undefined : await formToken(c.req.raw, c.var.t));
  const cookie = readCookie(c, CSRF_COOKIE);
  if (crossSite || !sent || !cookie || !timingSafeEqual(sent, cookie)) {
    throw new AppError("forbidden", c.var.t("err.csrf"));
  }
  return next();
});

/**
 * Whether the browser tells us (Origin / Sec-Fetch-Site) that the request comes from another site.
 * `Origin: null` counts as foreign: it is what a sandboxed iframe, a `data:` page or a cross-site
 * redirect sends, never one of our pages (those with a token in the URL use `Referrer-Policy:
 * same-origin`, which keeps the real Origin on their own posts).
 */
function isCrossSite(c: Context<AppEnv>): boolean {
  const site = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  return (site !== undefined && site !== "same-origin" && site !== "none") || (origin !== undefined && origin !== new URL(c.req.url).origin);
}

/** A fresh CSRF token, e.g. at sign-in, so a token planted or seen before the session is worthless after. */
export function rotateCsrf(c: Context<AppEnv>): void {
  const token = randomToken(32);
  writeCookie(c, CSRF_COOKIE, token);
  c.set("csrfToken", token);
}

/**
 * The CSRF check a large-body route can make from its headers alone, before a byte of its body is
 * read: the `X-CSRF-Token` header matching the cookie (the upload script), or, for the no-script
 * form whose token travels in the body, the browser's positive word that the post comes from our
 * own origin (`Origin` or `Sec-Fetch-Site: same-origin`, which every current browser sends on a
 * form post). The body's token is still checked afterwards by {@link csrf}, on a capped read.
 */
export function csrfFromHeaders(c: Context<AppEnv>): boolean {
  if (isCrossSite(c)) return false;
  const sent = c.req.header(CSRF_HEADER);
  const cookie = readCookie(c, CSRF_COOKIE);
  if (sent !== undefined) return cookie !== undefined && timingSafeEqual(sent, cookie);
  return c.req.header("origin") === new URL(c.req.url).origin || c.req.header("sec-fetch-site") === "same-origin";
}

async function formToken(req: Request, t: AppEnv["Variables"]["t"]): Promise<string | undefined> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
    return undefined;
  }
  // Read a clone so the handler can still parse the body. A body the runtime cannot parse (a
  // multipart part without a name, a missing boundary) is the client's error, not a 500.
  let form: FormData;
  try {
    form = await req.clone().formData();
  } catch {
    throw new AppError("invalid", t("err.formUnreadable"));
  }
  const value = form.get(CSRF_FIELD);
  return typeof value === "string" ? value : undefined;
}
