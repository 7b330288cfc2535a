import type { Config } from "../config";

// Cloudflare Turnstile, the challenge a sign-in needs after a few failures for one email
// (features/auth/verbs.ts). One client module, reached through the outbound allow-list
// (lib/outbound.ts: challenges.cloudflare.com is Cloudflare's host in the processors table); tests
// and `npm start` point TURNSTILE_VERIFY_URL at test/stand-ins/turnstile-server.mjs.

/** Cloudflare's published test keys (always pass): the local defaults, refused in production. */
export const TURNSTILE_TEST_KEYS = { site: "1x00000000000000000000AA", secret: "1x0000000000000000000000000000000AA" } as const;

/** Cloudflare's test secrets: 1x… always passes, 2x… always fails, 3x… answers "already spent". */
export const isTurnstileTestSecret = (secret: string) => /^[123]x0{30,}A[AB]$/.test(secret);

export const TURNSTILE_SITEVERIFY = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/** The script of the widget, loaded (with the page's CSP nonce) only where a challenge is shown. */
export const TURNSTILE_SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js";

/** The widget's form field, and the JSON field API clients send the token in. */
export const TURNSTILE_FIELD = "cf-turnstile-response";

/**
 * Asks siteverify whether a widget token is good. Fails closed: no token, a token longer than
 * Turnstile's 2 048 characters, a network error, a slow (5 s), non-2xx or unreadable answer are
 * all a refusal, never a pass.
 */
export async function verifyTurnstile(config: Config, token: string | undefined, ip: string | null): Promise<boolean> {
  if (!token || token.length > 2048) return false;
  const body = new URLSearchParams({ secret: config.TURNSTILE_SECRET_KEY, response: token });
  if (ip) body.set("remoteip", ip);
  try {
    const res = await fetch(config.TURNSTILE_VERIFY_URL, { method: "POST", body, signal: AbortSignal.timeout(5000) });
    if (!res.ok) return false;
    const data = (await res.json()) as { success?: unknown };
    return data.success === true;
  } catch {
    return false;
  }
}
