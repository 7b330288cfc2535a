/**
 * Password hashing for Workers: PBKDF2-HMAC-SHA256 through `crypto.subtle`, the only slow KDF
 * WebCrypto offers. Production Workers cap PBKDF2 at 100 000 iterations (more throws
 * NotSupportedError "iteration counts above 100000 are not supported"); local workerd does not
 * enforce it, so hashPassword refuses more itself (see password.test.ts). A server-side pepper
 * carries the rest of the weight: the PBKDF2 input is HMAC-SHA256(pepper, password), so a leaked
 * database without the `PASSWORD_PEPPER` secret gives nothing to brute-force.
 *
 * Stored format: `pbkdf2-sha256$<iterations>$<salt base64url>$<hash base64url>`, so the cost can
 * be raised later and old hashes upgraded at next login (`needsRehash`).
 */

import { base64UrlDecode, base64UrlEncode, hmacSha256Bytes, randomBytes, timingSafeEqual } from "./random.ts";

/** Iterations for new hashes: the maximum Cloudflare Workers accept. */
export const PBKDF2_ITERATIONS = 100_000;
const SCHEME = "pbkdf2-sha256";
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const STORED = /^pbkdf2-sha256\$([1-9][0-9]{0,8})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

async function derive(
  password: string,
  pepper: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  if (pepper === "") throw new TypeError("password pepper must not be empty");
  // NFKC so the same password typed on another keyboard (composed vs decomposed accents) still matches.
  const peppered = await hmacSha256Bytes(pepper, password.normalize("NFKC"));
  const material = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password with a fresh 16-byte salt.
 * `options.iterations` exists to build legacy-cost hashes in tests; production uses the default.
 */
export async function hashPassword(
  password: string,
  pepper: string,
  options: { iterations?: number } = {},
): Promise<string> {
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be 1..${PBKDF2_ITERATIONS}, got ${iterations}`);
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, pepper, salt, iterations);
  return `${SCHEME}$${iterations}$${base64UrlEncode(salt)}$${base64UrlEncode(hash)}`;
}

export interface PasswordCheck {
  ok: boolean;
  /** Only true when `ok`: the stored hash is weaker than what hashPassword makes now. */
  needsRehash: boolean;
}

/**
 * Checks a password against a stored hash in constant time. A malformed or unsupported
 * stored string yields `{ ok: false }` instead of throwing, so login just fails.
 */
export async function verifyPassword(password: string, stored: string, pepper: string): Promise<PasswordCheck> {
  const rejected = { ok: false, needsRehash: false };
  const match = STORED.exec(stored);
  if (match === null) return rejected;
  const iterations = Number(match[1]);
  // Above the Workers cap the hash cannot be recomputed here.
  if (iterations > PBKDF2_ITERATIONS) return rejected;
  let salt: Uint8Array<ArrayBuffer>;
  let expected: Uint8Array;
  try {
    salt = base64UrlDecode(match[2] ?? "");
    expected = base64UrlDecode(match[3] ?? "");
  } catch {
    return rejected;
  }
  if (expected.length !== HASH_BYTES) return rejected;
  const actual = await derive(password, pepper, salt, iterations);
  const ok = timingSafeEqual(actual, expected);
  return { ok, needsRehash: ok && (iterations < PBKDF2_ITERATIONS || salt.length < SALT_BYTES) };
}

export type PasswordProblem = "too_short" | "too_long" | "single_character";

/**
 * Problems with a new password, empty when acceptable. Lengths count Unicode code points.
 * Deliberately minimal (NIST SP 800-63B): length matters, composition rules do not.
 */
export function passwordPolicy(password: string): PasswordProblem[] {
  const chars = [...password.normalize("NFKC")];
  const problems: PasswordProblem[] = [];
  if (chars.length < PASSWORD_MIN_LENGTH) problems.push("too_short");
  if (chars.length > PASSWORD_MAX_LENGTH) problems.push("too_long");
  if (chars.length > 0 && chars.every((c) => c === chars[0])) problems.push("single_character");
  return problems;
}
