import { addDuration, RETENTION_CLASSES } from "../../domain/retention";

/**
 * The cookie choice (privacy policy §10). It lives in the strictly necessary `__Host-consent` cookie
 * (HttpOnly, so no script reads it) and every choice leaves a proof row server-side.
 */
export const CONSENT_COOKIE = "consent";

/**
 * Version of the banner's wording and categories. Changing what the banner says or which categories
 * exist bumps it: earlier choices then no longer count and the banner asks again.
 */
export const CONSENT_WORDING_VERSION = "1";

export type ConsentAction = "accept_all" | "refuse_all" | "custom" | "closed";

export interface ConsentChoice {
  performance: boolean;
  functional: boolean;
}

export interface ConsentState extends ConsentChoice {
  consentId: string;
  wordingVersion: string;
  decidedAt: number;
}

/** What each action means. Closing the banner without choosing is a refusal (CNIL). */
export function choiceFor(action: ConsentAction, custom: ConsentChoice): ConsentChoice {
  if (action === "accept_all") return { performance: true, functional: true };
  if (action === "custom") return custom;
  return { performance: false, functional: false };
}

/** When a choice made at `decidedAt` stops counting (6 months, then the banner asks again). */
export function consentExpiresAt(decidedAt: number): number {
  return addDuration(decidedAt, RETENTION_CLASSES.cookie_choice.duration);
}

/** `<id>.<performance><functional>.<wording version>.<decided at, base 36>` */
export function encodeConsent(state: ConsentState): string {
  return `${state.consentId}.${state.performance ? 1 : 0}${state.functional ? 1 : 0}.${state.wordingVersion}.${state.decidedAt.toString(36)}`;
}

/**
 * The choice a cookie value carries, or null when there is no valid choice: absent, malformed,
 * made on another wording, more than 6 months old, or (clock skew) in the future.
 */
export function parseConsent(value: string | undefined, now: number): ConsentState | null {
  const m = value?.match(/^([A-Za-z0-9_-]{10,40})\.([01])([01])\.([0-9A-Za-z]{1,8})\.([0-9a-z]{1,12})$/);
  if (!m) return null;
  const [, consentId, p, f, wordingVersion, at] = m as unknown as [string, string, string, string, string, string];
  const decidedAt = parseInt(at, 36);
  if (wordingVersion !== CONSENT_WORDING_VERSION || !Number.isSafeInteger(decidedAt)) return null;
  if (decidedAt > now + 5 * 60 * 1000 || now >= consentExpiresAt(decidedAt)) return null;
  return { consentId, performance: p === "1", functional: f === "1", wordingVersion, decidedAt };
}
