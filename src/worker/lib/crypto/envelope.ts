/**
 * Authenticated encryption at rest (privacy policy §8): AES-256-GCM under a key from the
 * `DATA_KEY` secret, with `DATA_KEY_PREVIOUS` still accepted for reading during a rotation.
 *
 * Sealed format: `v1.<kid>.<iv base64url>.<ciphertext+tag base64url>` where kid is the first
 * 8 hex characters of SHA-256(raw key), so each value says which key opens it and keys need
 * no names. The caller's context string (e.g. `account:<id>:iban`) is bound as AAD, so a
 * ciphertext copied into another row or column does not open.
 */

import { base64Decode, base64UrlDecode, base64UrlEncode, randomBytes, sha256Hex, utf8Bytes } from "./random.ts";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KID = /^[0-9a-f]{8}$/;

export type SealErrorCode = "unknown_key" | "tampered" | "format";

/** Failure to open a sealed value; `code` says why (never includes the plaintext). */
export class SealError extends Error {
  override readonly name = "SealError";
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Sealer {
  /** Key id of the key new values are sealed with. */
  readonly currentKeyId: string;
  /** Encrypts `plain`, bound to the context string `aad`. */
  seal(plain: string, aad: string): Promise<string>;
  /** Decrypts a sealed value; throws {@link SealError} if it is malformed, foreign or altered. */
  open(sealed: string, aad: string): Promise<string>;
  /**
   * True when the value was sealed with another key than the current one (re-seal it).
   * Throws {@link SealError} "format" for a malformed value rather than hiding the corruption.
   */
  needsRotation(sealed: string): boolean;
}

export interface SealerKeys {
  /** `DATA_KEY`: base64 of 32 random bytes (`openssl rand -base64 32`). */
  current: string;
  /** `DATA_KEY_PREVIOUS`: the key being rotated out, accepted for opening only. */
  previous?: string | undefined;
}

interface ParsedSealed {
  kid: string;
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
}

function parseSealed(sealed: string): ParsedSealed {
  const parts = sealed.split(".");
  if (parts.length !== 4) throw new SealError("format", "sealed value must have 4 dot-separated parts");
  const [version, kid, ivText, ciphertextText] = parts as [string, string, string, string];
  if (version !== VERSION) throw new SealError("format", `unsupported sealed version "${version.slice(0, 8)}"`);
  if (!KID.test(kid)) throw new SealError("format", "sealed value has a malformed key id");
  let iv: Uint8Array<ArrayBuffer>;
  let ciphertext: Uint8Array<ArrayBuffer>;
  try {
    iv = base64UrlDecode(ivText);
    ciphertext = base64UrlDecode(ciphertextText);
  } catch {
    throw new SealError("format", "sealed value is not valid base64url");
  }
  if (iv.length !== IV_BYTES) throw new SealError("format", "sealed value has a malformed IV");
  if (ciphertext.length < TAG_BYTES) throw new SealError("format", "sealed value is too short");
  return { kid, iv, ciphertext };
}

function decodeKey(value: string, name: string): Uint8Array<ArrayBuffer> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = base64Decode(value.trim());
  } catch {
    throw new TypeError(`${name} is not valid base64; generate one with: openssl rand -base64 32`);
  }
  if (raw.length !== KEY_BYTES) {
    throw new TypeError(
      `${name} must be base64 of exactly ${KEY_BYTES} bytes (got ${raw.length}); generate one with: openssl rand -base64 32`,
    );
  }
  return raw;
}

async function loadKey(
  value: string,
  name: string,
  usages: ("encrypt" | "decrypt")[],
): Promise<{ kid: string; key: CryptoKey }> {
  const raw = decodeKey(value, name);
  const kid = (await sha256Hex(raw)).slice(0, 8);
  const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, usages);
  return { kid, key };
}

/**
 * Builds a sealer from the `DATA_KEY` (and optional `DATA_KEY_PREVIOUS`) secrets.
 * @throws TypeError naming the secret when a key is not base64 of 32 bytes.
 */
export async function createSealer(keys: SealerKeys): Promise<Sealer> {
  const current = await loadKey(keys.current, "DATA_KEY", ["encrypt", "decrypt"]);
  const openers = new Map<string, CryptoKey>([[current.kid, current.key]]);
  if (keys.previous !== undefined && keys.previous.trim() !== "") {
    const previous = await loadKey(keys.previous, "DATA_KEY_PREVIOUS", ["decrypt"]);
    // Same kid means the same key was configured twice (a real 32-bit collision is ~2^-32): harmless.
    if (!openers.has(previous.kid)) openers.set(previous.kid, previous.key);
  }

  const requireAad = (aad: string): Uint8Array<ArrayBuffer> => {
    // An empty context would let a value move freely between fields, which AAD exists to prevent.
    if (aad === "") throw new TypeError("seal/open need a non-empty context string (AAD)");
    return utf8Bytes(aad);
  };

  return {
    currentKeyId: current.kid,

    async seal(plain, aad) {
      const additionalData = requireAad(aad);
      const iv = randomBytes(IV_BYTES);
      const ciphertext = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData },
        current.key,
        utf8Bytes(plain),
      );
      return `${VERSION}.${current.kid}.${base64UrlEncode(iv)}.${base64UrlEncode(new Uint8Array(ciphertext))}`;
    },

    async open(sealed, aad) {
      const additionalData = requireAad(aad);
      const { kid, iv, ciphertext } = parseSealed(sealed);
      const key = openers.get(kid);
      if (key === undefined) throw new SealError("unknown_key", `no configured key has id ${kid}`);
      let plain: ArrayBuffer;
      try {
        plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData }, key, ciphertext);
      } catch {
        // GCM cannot tell a wrong context from altered bytes; both mean "not this value".
        throw new SealError("tampered", "sealed value failed authentication (altered, or wrong context)");
      }
      return new TextDecoder("utf-8", { fatal: true }).decode(plain);
    },

    needsRotation(sealed) {
      return parseSealed(sealed).kid !== current.kid;
    },
  };
}
