import type { Config } from "../config";
import { COMMON_PASSWORDS_TEXT } from "./common-passwords";

// Refusing breached and common passwords (sign-up, reset, change). One client module for Have I
// Been Pwned's Pwned Passwords range API, reached through the outbound allow-list; tests and
// `npm start` point PWNED_PASSWORDS_URL at test/stand-ins/pwned-server.mjs.
// k-anonymity: only the first 5 hex characters of the password's SHA-1 leave the Worker, and
// `Add-Padding` makes every answer about the same size, so neither the request nor the answer's
// length tells an observer anything. No personal data is sent.

export const PWNED_PASSWORDS_API = "https://api.pwnedpasswords.com";

let common: ReadonlySet<string> | null = null;

/** In the bundled list of the most common passwords (case-insensitive): works offline. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(COMMON_PASSWORDS_TEXT.split("\n"));
  return common.has(password.toLowerCase());
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/**
 * Whether the password appears in a known breach: true or false from the range API, or null when
 * the service cannot answer (network error, 3 s timeout, non-2xx), for the caller to fall back on
 * the bundled list. Padding lines (count 0) are not matches.
 */
export async function isBreachedPassword(config: Config, password: string): Promise<boolean | null> {
  const hash = await sha1Hex(password);
  const prefix = hash.slice(0, 5);
  const suffix = hash.slice(5);
  try {
    const res = await fetch(`${config.PWNED_PASSWORDS_URL}/range/${prefix}`, {
      headers: { "Add-Padding": "true", "user-agent": "Factumo" },
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return null;
    for (const line of (await res.text()).split("\n")) {
      const [candidate, count] = line.trim().split(":");
      if (candidate === suffix && Number(count) > 0) return true;
    }
    return false;
  } catch {
    return null;
  }
}

/** Why a new password is refused, or null: the bundled list first (no call), then the range API. */
export async function compromisedPassword(config: Config, password: string): Promise<"common" | "breached" | null> {
  if (isCommonPassword(password)) return "common";
  return (await isBreachedPassword(config, password)) ? "breached" : null;
}
