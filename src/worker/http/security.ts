import { createMiddleware } from "hono/factory";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env";

/**
 * Security headers on every response (privacy policy §8): CSP with a per-request nonce for island
 * scripts, HSTS for two years, nosniff, no framing, a strict referrer policy.
 */
const baseHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", NONCE],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    // The Turnstile widget (login after repeated failures) runs in an iframe from Cloudflare.
    frameSrc: ["'self'", "https://challenges.cloudflare.com"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  strictTransportSecurity: "max-age=63072000; includeSubDomains; preload",
  xFrameOptions: "DENY",
  referrerPolicy: "strict-origin-when-cross-origin",
  crossOriginEmbedderPolicy: false,
  permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
});

/** Headers a route may tighten (or, for framing its own PDF preview, scope) for its response. */
const ROUTE_OVERRIDABLE = ["content-security-policy", "referrer-policy", "x-frame-options"] as const;

/**
 * The base headers on every response, except that a route's own value for one of
 * ROUTE_OVERRIDABLE wins: an uploaded SVG gets `default-src 'none'; sandbox`, a public link page
 * `same-origin`, the PDF preview `frame-ancestors 'self'`.
 */
export const securityHeaders = createMiddleware(async (c, next) => {
  const own = new Map<string, string>();
  await baseHeaders(c, async () => {
    await next();
    for (const name of ROUTE_OVERRIDABLE) {
      const value = c.res.headers.get(name);
      if (value) own.set(name, value);
    }
  });
  for (const [name, value] of own) c.res.headers.set(name, value);
});

/**
 * `Cache-Control: private, no-store` on every response to a signed-in request and on the public
 * document pages (`/p/…`, a capability link): neither a shared cache nor the browser's history
 * cache may keep a page that shows an account's data. It overrides a route's own, looser value
 * (`private, no-cache` on downloads). Registered before loadSession, so it sees the session.
 */
export const privateNoStore = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.var.auth || c.req.path === "/p" || c.req.path.startsWith("/p/")) c.res.headers.set("Cache-Control", "private, no-store");
});
