/**
 * Small WebCrypto building blocks shared by the envelope, password and TOTP modules:
 * random identifiers and tokens, SHA-256, HMAC-SHA256, constant-time comparison and
 * base64 / base64url / hex codecs. Everything runs on `crypto.subtle` (no Node APIs).
 */

const utf8 = new TextEncoder();

/** Encodes a string as UTF-8 bytes. */
export function utf8Bytes(text: string): Uint8Array<ArrayBuffer> {
  return utf8.encode(text);
}

// WebCrypto's types only take ArrayBuffer-backed views; copy the rare SharedArrayBuffer-backed one.
function toBytes(data: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof data === "string") return utf8Bytes(data);
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data);
}

/**
 * workerd's non-standard `crypto.subtle.timingSafeEqual`. The DOM lib (pulled in by Preact's JSX
 * types) shadows the Workers typing of `crypto`, hence this narrow view.
 */
const workersSubtle = crypto.subtle as unknown as {
  timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean;
};

/** Returns `length` cryptographically random bytes. */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A 128-bit random identifier, 22 URL-safe characters; used as primary key. */
export function randomId(): string {
  return base64UrlEncode(randomBytes(16));
}

/** A random secret token of `bytes` bytes (default 32), base64url without padding. */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16) {
    // Anything shorter than 128 bits is guessable enough to be a bug.
    throw new RangeError(`randomToken needs at least 16 bytes, got ${bytes}`);
  }
  return base64UrlEncode(randomBytes(bytes));
}

/** SHA-256 of a string (UTF-8) or bytes, raw. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", toBytes(data)));
}

/** SHA-256 of a string (UTF-8) or bytes, as 64 lowercase hex characters. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return bytesToHex(await sha256(data));
}

/** HMAC-SHA256 of `data` under `key`, raw 32 bytes. */
export async function hmacSha256Bytes(
  key: string | Uint8Array,
  data: string | Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const keyBytes = toBytes(key);
  if (keyBytes.length === 0) {
    // WebCrypto rejects empty HMAC keys with an opaque error; say what is wrong instead.
    throw new TypeError("HMAC key must not be empty");
  }
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    keyBytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, toBytes(data)));
}

/** HMAC-SHA256 of `data` under `key`, base64url without padding. */
export async function hmacSha256(key: string, data: string): Promise<string> {
  return base64UrlEncode(await hmacSha256Bytes(key, data));
}

/**
 * Constant-time equality of two strings (compared as UTF-8) or byte arrays.
 * Only the length can leak: workerd's `timingSafeEqual` throws on different lengths,
 * so a mismatch still does one full comparison and then answers false.
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = toBytes(a);
  const right = toBytes(b);
  if (left.length !== right.length) {
    workersSubtle.timingSafeEqual(left, left);
    return false;
  }
  return workersSubtle.timingSafeEqual(left, right);
}

/** Lowercase hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Standard base64 with padding. */
export function base64Encode(bytes: Uint8Array): string {
  let binary = "";
  // Chunked so very large inputs do not overflow the argument limit of fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** URL-safe base64 (RFC 4648 §5) without padding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function binaryToBytes(binary: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Decodes standard padded base64 strictly (no whitespace, no URL alphabet).
 * @throws TypeError when the input is not canonical base64.
 */
export function base64Decode(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64.test(text)) throw new TypeError("invalid base64");
  const bytes = binaryToBytes(atob(text));
  // Non-zero unused bits would let two strings mean the same bytes; refuse them.
  if (base64Encode(bytes) !== text) throw new TypeError("invalid base64");
  return bytes;
}

/**
 * Decodes unpadded base64url strictly.
 * @throws TypeError when the input is not canonical base64url.
 */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new TypeError("invalid base64url");
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = binaryToBytes(atob(standard + "=".repeat((4 - (standard.length % 4)) % 4)));
  if (base64UrlEncode(bytes) !== text) throw new TypeError("invalid base64url");
  return bytes;
}
