/**
 * Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits), the parameters
 * every authenticator app supports, plus single-use recovery codes for a lost device.
 * Time is always passed in (milliseconds) so this module stays pure and testable.
 */

import { hmacSha256, randomBytes, timingSafeEqual } from "./random.ts";

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const STEP_SECONDS = 30;
const SECRET_BYTES = 20;

/** RFC 4648 base32, upper case, without padding (authenticator apps expect it unpadded). */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32; tolerates lower case, spaces and `=` padding as people type them.
 * @throws TypeError on any other character or an impossible length.
 */
export function base32Decode(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  // 1, 3 or 6 trailing characters cannot come from whole bytes.
  if ([1, 3, 6].includes(clean.length % 8)) throw new TypeError("invalid base32 length");
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value === -1) throw new TypeError("invalid base32 character");
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >>> bits) & 0xff;
    }
  }
  return out;
}

/** A new TOTP secret: 20 random bytes (the HMAC-SHA1 block-size recommendation of RFC 4226), base32. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

/** The 30-second time step containing `timeMs`. */
export function totpStep(timeMs: number): number {
  return Math.floor(timeMs / 1000 / STEP_SECONDS);
}

async function hotp(key: CryptoKey, counter: number, digits: number): Promise<string> {
  const message = new Uint8Array(8);
  // Counter is a 64-bit big-endian integer; steps fit comfortably in a double.
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  const offset = (mac[19] ?? 0) & 0x0f;
  const view = new DataView(mac.buffer, offset, 4);
  const binary = view.getUint32(0) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

function importSecret(secretBase32: string): Promise<CryptoKey> {
  const secret = base32Decode(secretBase32);
  if (secret.length === 0) throw new TypeError("TOTP secret is empty");
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

/** The TOTP code for `timeMs` (default 6 digits; 6 to 8 allowed). */
export async function totpCode(secretBase32: string, timeMs: number, digits = 6): Promise<string> {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new RangeError("TOTP digits must be 6, 7 or 8");
  return hotp(await importSecret(secretBase32), totpStep(timeMs), digits);
}

/**
 * Checks a 6-digit code against the steps within `window` of `timeMs` (clock drift).
 * Returns the matched time step, or null. The caller must store the step and refuse any
 * step not greater than the last one used, so an observed code cannot be replayed.
 */
export async function verifyTotp(
  secretBase32: string,
  code: string,
  timeMs: number,
  window = 1,
): Promise<number | null> {
  const normalized = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(normalized)) return null;
  const key = await importSecret(secretBase32);
  const current = totpStep(timeMs);
  let matched: number | null = null;
  // Every step is checked, even after a match, so timing does not reveal which one matched.
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    if (timingSafeEqual(await hotp(key, step, 6), normalized) && matched === null) matched = step;
  }
  return matched;
}

/** The `otpauth://` URI authenticator apps scan (Key Uri Format), shown as a QR code. */
export function otpauthUri({
  secret,
  account,
  issuer = "Factumo",
}: {
  secret: string;
  account: string;
  issuer?: string;
}): string {
  // encodeURIComponent, not URLSearchParams: some apps show a "+" literally instead of a space.
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = [
    `secret=${encodeURIComponent(secret)}`,
    `issuer=${encodeURIComponent(issuer)}`,
    "algorithm=SHA1",
    "digits=6",
    `period=${STEP_SECONDS}`,
  ];
  return `otpauth://totp/${label}?${params.join("&")}`;
}

/** Lower case letters and digits without look-alikes (0/o, 1/l/i). 31 symbols. */
const RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
// Largest multiple of the alphabet size below 256, for unbiased rejection sampling.
const RECOVERY_LIMIT = 256 - (256 % RECOVERY_ALPHABET.length);

function randomRecoveryChars(count: number): string {
  let out = "";
  while (out.length < count) {
    for (const byte of randomBytes(count * 2)) {
      if (byte < RECOVERY_LIMIT && out.length < count) out += RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length];
    }
  }
  return out;
}

/** `n` distinct recovery codes `xxxx-xxxx` (about 40 bits each); show once, store only hashes. */
export function generateRecoveryCodes(n = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < n) {
    const chars = randomRecoveryChars(8);
    codes.add(`${chars.slice(0, 4)}-${chars.slice(4)}`);
  }
  return [...codes];
}

/**
 * HMAC-SHA256 (keyed by the password pepper) of a recovery code after normalizing case, dashes and
 * spaces as users type them. Keyed because ~40 bits would fall to brute force from a leaked table.
 */
export function hashRecoveryCode(code: string, pepper: string): Promise<string> {
  return hmacSha256(pepper, code.toLowerCase().replace(/[\s-]/g, ""));
}
