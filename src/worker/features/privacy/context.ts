import { createMiddleware } from "hono/factory";
import { directoryDb } from "../../db/client";
import type { AppEnv } from "../../env";
import { readCookie } from "../../http/cookies";
import { CONSENT_COOKIE, parseConsent, type ConsentState } from "./consent";
import { measurementAllowed, privacyChoicesOf } from "./marketing";
import { needsPolicyNotice } from "./policy";
import { acceptedVersionOf } from "./verbs";

/** What the layouts need to know about privacy on this request. */
export interface PrivacyView {
  /** The valid cookie choice, or null: the banner shows. */
  consent: ConsentState | null;
  /** The signed-in user accepted an older policy version than a substantial later one. */
  policyNotice: boolean;
  /** This visit may be measured ("performance" category): consent given and no objection (§9.6). */
  measure?: boolean;
}

declare module "hono" {
  interface ContextVariableMap {
    privacy: PrivacyView;
  }
}

/**
 * Reads the cookie choice and, for a signed-in page request, whether the policy notice shows.
 * Runs after the session is loaded; API calls skip the database read (they render no layout).
 */
export const privacyContext = createMiddleware<AppEnv>(async (c, next) => {
  const now = Date.now();
  const consent = parseConsent(readCookie(c, CONSENT_COOKIE), now);
  const auth = c.var.auth;
  const policyNotice =
    auth && !c.req.path.startsWith("/api/") ? needsPolicyNotice(await acceptedVersionOf(directoryDb(c.env), auth.user.id)) : false;
  // The objection is read only when consent would otherwise allow measuring: most visits cost no query.
  const measure = consent?.performance
    ? measurementAllowed(consent, auth ? (await privacyChoicesOf(directoryDb(c.env), auth.user.id)).analyticsOptOutAt : null)
    : false;
  c.set("privacy", { consent, policyNotice, measure });
  return next();
});
