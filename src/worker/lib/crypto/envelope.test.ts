import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SealError, createSealer } from "./envelope.ts";
import { base64Encode, base64UrlDecode, base64UrlEncode, randomBytes, sha256Hex } from "./random.ts";

const newKey = (): string => base64Encode(randomBytes(32));
const IBAN = "FR7630006000011234567890189";
const AAD = "account:acc_1:iban";

async function openError(promise: Promise<unknown>): Promise<SealError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SealError);
  return error as SealError;
}

describe("createSealer", () => {
  it("accepts the DATA_KEY of the test environment", async () => {
    const sealer = await createSealer({ current: env.DATA_KEY });
    expect(await sealer.open(await sealer.seal(IBAN, AAD), AAD)).toBe(IBAN);
  });

  it("derives the key id from the first 8 hex chars of SHA-256 of the raw key", async () => {
    const raw = randomBytes(32);
    const sealer = await createSealer({ current: base64Encode(raw) });
    expect(sealer.currentKeyId).toBe((await sha256Hex(raw)).slice(0, 8));
  });

  it("rejects a DATA_KEY that is not base64 of 32 bytes, naming the secret", async () => {
    await expect(createSealer({ current: base64Encode(randomBytes(16)) })).rejects.toThrow(
      /DATA_KEY must be base64 of exactly 32 bytes \(got 16\)/,
    );
    await expect(createSealer({ current: "not base64!" })).rejects.toThrow(/DATA_KEY is not valid base64/);
    await expect(createSealer({ current: newKey(), previous: "short" })).rejects.toThrow(/DATA_KEY_PREVIOUS/);
  });
});

describe("seal and open", () => {
  it("round-trips arbitrary Unicode text", async () => {
    const sealer = await createSealer({ current: newKey() });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), async (plain) => {
        expect(await sealer.open(await sealer.seal(plain, AAD), AAD)).toBe(plain);
      }),
      { numRuns: 50 },
    );
  });

  it("produces the v1.<kid>.<iv>.<ciphertext> format with a 12-byte IV", async () => {
    const sealer = await createSealer({ current: newKey() });
    const sealed = await sealer.seal(IBAN, AAD);
    const [version, kid, iv, ciphertext] = sealed.split(".");
    expect(version).toBe("v1");
    expect(kid).toBe(sealer.currentKeyId);
    expect(base64UrlDecode(iv ?? "")).toHaveLength(12);
    // AES-GCM: ciphertext as long as the plaintext, plus a 16-byte tag.
    expect(base64UrlDecode(ciphertext ?? "")).toHaveLength(IBAN.length + 16);
  });

  it("uses a different IV each time, so equal plaintexts give different ciphertexts", async () => {
    const sealer = await createSealer({ current: newKey() });
    const sealed = await Promise.all(Array.from({ length: 20 }, () => sealer.seal(IBAN, AAD)));
    expect(new Set(sealed.map((s) => s.split(".")[2])).size).toBe(20);
    expect(new Set(sealed).size).toBe(20);
  });

  it("never contains the plaintext", async () => {
    const sealer = await createSealer({ current: newKey() });
    const sealed = await sealer.seal(IBAN, AAD);
    expect(sealed).not.toContain(IBAN);
    expect(sealed).not.toContain(base64UrlEncode(new TextEncoder().encode(IBAN)));
  });

  it("refuses to open with another context (value copied to another row or field)", async () => {
    const sealer = await createSealer({ current: newKey() });
    const sealed = await sealer.seal(IBAN, "account:acc_1:iban");
    expect((await openError(sealer.open(sealed, "account:acc_2:iban"))).code).toBe("tampered");
    expect((await openError(sealer.open(sealed, "account:acc_1:bic"))).code).toBe("tampered");
  });

  it("refuses an empty context", async () => {
    const sealer = await createSealer({ current: newKey() });
    await expect(sealer.seal(IBAN, "")).rejects.toThrow(TypeError);
  });

  it("detects any flipped bit in the IV or ciphertext", async () => {
    const sealer = await createSealer({ current: newKey() });
    const sealed = await sealer.seal(IBAN, AAD);
    const [version, kid, iv, ciphertext] = sealed.split(".") as [string, string, string, string];
    const flip = (text: string, index: number): string => {
      const bytes = base64UrlDecode(text);
      bytes[index] = (bytes[index] ?? 0) ^ 0x01;
      return base64UrlEncode(bytes);
    };
    const ivBytes = base64UrlDecode(iv).length;
    const ctBytes = base64UrlDecode(ciphertext).length;
    for (let i = 0; i < ivBytes; i++) {
      const error = await openError(sealer.open(`${version}.${kid}.${flip(iv, i)}.${ciphertext}`, AAD));
      expect(error.code).toBe("tampered");
    }
    for (let i = 0; i < ctBytes; i++) {
      const error = await openError(sealer.open(`${version}.${kid}.${iv}.${flip(ciphertext, i)}`, AAD));
      expect(error.code).toBe("tampered");
    }
  });

  it("reports an unknown key id when the key that sealed the value is not configured", async () => {
    const sealed = await (await createSealer({ current: newKey() })).seal(IBAN, AAD);
    const other = await createSealer({ current: newKey() });
    expect((await openError(other.open(sealed, AAD))).code).toBe("unknown_key");
  });

  it("reports malformed values as format errors", async () => {
    const sealer = await createSealer({ current: newKey() });
    const good = await sealer.seal(IBAN, AAD);
    const [, kid, iv, ciphertext] = good.split(".");
    const malformed = [
      "",
      IBAN,
      `v2.${kid}.${iv}.${ciphertext}`,
      `v1.${kid}.${iv}`,
      `v1.${kid}.${iv}.${ciphertext}.extra`,
      `v1.XYZ.${iv}.${ciphertext}`,
      `v1.${kid}.${base64UrlEncode(randomBytes(8))}.${ciphertext}`,
      `v1.${kid}.${iv}.${base64UrlEncode(randomBytes(15))}`,
      `v1.${kid}.${iv}.not*base64`,
    ];
    for (const value of malformed) {
      expect((await openError(sealer.open(value, AAD))).code).toBe("format");
    }
  });
});

describe("key rotation", () => {
  it("opens values sealed with the previous key and flags them for re-sealing", async () => {
    const oldKey = newKey();
    const newKeyValue = newKey();
    const before = await createSealer({ current: oldKey });
    const sealedWithOld = await before.seal(IBAN, AAD);

    const after = await createSealer({ current: newKeyValue, previous: oldKey });
    expect(after.currentKeyId).not.toBe(before.currentKeyId);
    expect(await after.open(sealedWithOld, AAD)).toBe(IBAN);
    expect(after.needsRotation(sealedWithOld)).toBe(true);

    const resealed = await after.seal(await after.open(sealedWithOld, AAD), AAD);
    expect(resealed.split(".")[1]).toBe(after.currentKeyId);
    expect(after.needsRotation(resealed)).toBe(false);
    expect(await after.open(resealed, AAD)).toBe(IBAN);
  });

  it("no longer opens old values once the previous key is removed", async () => {
    const oldKey = newKey();
    const sealedWithOld = await (await createSealer({ current: oldKey })).seal(IBAN, AAD);
    const withoutPrevious = await createSealer({ current: newKey() });
    expect((await openError(withoutPrevious.open(sealedWithOld, AAD))).code).toBe("unknown_key");
  });

  it("treats an empty DATA_KEY_PREVIOUS as absent", async () => {
    const sealer = await createSealer({ current: newKey(), previous: "" });
    expect(await sealer.open(await sealer.seal(IBAN, AAD), AAD)).toBe(IBAN);
  });

  it("throws a format error when asked whether a malformed value needs rotation", async () => {
    const sealer = await createSealer({ current: newKey() });
    expect(() => sealer.needsRotation("garbage")).toThrow(SealError);
  });
});
