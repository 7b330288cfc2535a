import { createMiddleware } from "hono/factory";
import { NONCE, secureHeaders } from "hono/secure-headers";

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

/**
 * The base headers, except that a route may set a stricter CSP of its own (an uploaded SVG served
 * with `default-src 'none'; sandbox`): that one is kept.
 */
export const securityHeaders = createMiddleware(async (c, next) => {
  let routeCsp: string | null = null;
  await baseHeaders(c, async () => {
    await next();
    routeCsp = c.res.headers.get("content-security-policy");
  });
  if (routeCsp) c.res.headers.set("content-security-policy", routeCsp);
});
