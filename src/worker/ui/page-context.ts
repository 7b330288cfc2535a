import type { Context } from "hono";
import { hasDevTools } from "../config";
import type { AppEnv, Auth } from "../env";
import { CONSENT_COOKIE, parseConsent } from "../features/privacy/consent";
import type { PrivacyView } from "../features/privacy/context";
import { readCookie } from "../http/cookies";
import type { Locale, Translate } from "./i18n";

/** What every server-rendered view needs, taken once from the request context. */
export interface PageContext {
  locale: Locale;
  t: Translate;
  csrfToken: string;
  nonce: string | undefined;
  auth: Auth | null;
  path: string;
  isLocal: boolean;
  /** Cookie choice and policy notice (features/privacy): the layouts show the banner or notice. */
  privacy?: PrivacyView;
}

export function pageContext(c: Context<AppEnv>): PageContext {
  return {
    locale: c.var.locale ?? "fr",
    t: c.var.t,
    csrfToken: c.var.csrfToken ?? "",
    nonce: c.var.secureHeadersNonce,
    auth: c.var.auth ?? null,
    path: c.req.path,
    isLocal: c.var.config ? hasDevTools(c.var.config) : false,
    // Pages rendered before the privacy middleware ran (early errors) still read the cookie choice.
    privacy: c.var.privacy ?? { consent: parseConsent(readCookie(c, CONSENT_COOKIE), Date.now()), policyNotice: false },
  };
}
