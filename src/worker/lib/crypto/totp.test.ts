import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hmacSha256, sha256Hex } from "./random.ts";
import {

  base32Decode,
  base32Encode,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  otpauthUri,
  totpCode,
  totpStep,
  verifyTotp,
} from "./totp.ts";

const PEPPER = "test-pepper-0123456789abcdef0123456789abcdef";

// RFC 6238 Appendix B uses the ASCII seed "12345678901234567890" for SHA-1.
const RFC_SECRET = base32Encode(new TextEncoder().encode("12345678901234567890"));

describe("base32", () => {
  it("matches the RFC 4648 §10 test vectors (without padding)", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "MY"],
      ["fo", "MZXQ"],
      ["foo", "MZXW6"],
      ["foob", "MZXW6YQ"],
      ["fooba", "MZXW6YTB"],
      ["foobar", "MZXW6YTBOI"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base32Decode(encoded))).toBe(plain);
    }
  });

  it("round-trips arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
      }),
    );
  });

  it("decodes lower case, spaces and padding as typed by people", () => {
    expect(base32Decode("mzxw 6ytb oi======")).toEqual(new TextEncoder().encode("foobar"));
  });

  it("rejects characters outside the alphabet and impossible lengths", () => {
    expect(() => base32Decode("MZXW1")).toThrow(TypeError);
    expect(() => base32Decode("M")).toThrow(TypeError);
    expect(() => base32Decode("MZX")).toThrow(TypeError);
  });
});

describe("generateTotpSecret", () => {
  it("encodes 20 random bytes as 32 base32 characters", () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
  });
});

describe("totpCode", () => {
  it("matches the RFC 6238 Appendix B SHA-1 vectors", async () => {
    const vectors: [number, string][] = [
      [59, "94287082"],
      [1111111109, "07081804"],
      [1111111111, "14050471"],
      [1234567890, "89005924"],
      [2000000000, "69279037"],
      [20000000000, "65353130"],
    ];
    for (const [seconds, code] of vectors) {
      expect(await totpCode(RFC_SECRET, seconds * 1000, 8)).toBe(code);
    }
  });

  it("gives 6 digits by default, the last 6 of the 8-digit value", async () => {
    const code = await totpCode(RFC_SECRET, 1234567890 * 1000);
    expect(code).toBe("005924");
  });

  it("is constant within a 30-second step and changes at its boundary", async () => {
    const start = 1_700_000_010_000; // a multiple of 30 s
    expect(start % 30_000).toBe(0);
    const first = await totpCode(RFC_SECRET, start);
    expect(await totpCode(RFC_SECRET, start + 29_999)).toBe(first);
    expect(await totpCode(RFC_SECRET, start + 30_000)).not.toBe(first);
  });

  it("refuses digit counts outside 6 to 8", async () => {
    await expect(totpCode(RFC_SECRET, 0, 5)).rejects.toThrow(RangeError);
    await expect(totpCode(RFC_SECRET, 0, 9)).rejects.toThrow(RangeError);
  });
});

describe("verifyTotp", () => {
  const now = 1_750_000_000_000;
  const step = totpStep(now);

  it("returns the current step for the current code", async () => {
    const secret = generateTotpSecret();
    expect(await verifyTotp(secret, await totpCode(secret, now), now)).toBe(step);
  });

  it("accepts codes one step early or late and reports which step matched", async () => {
    const secret = generateTotpSecret();
    expect(await verifyTotp(secret, await totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(await verifyTotp(secret, await totpCode(secret, now + 30_000), now)).toBe(step + 1);
  });

  it("rejects codes two steps away with the default window, accepts them with window 2", async () => {
    const secret = generateTotpSecret();
    const old = await totpCode(secret, now - 60_000);
    const ahead = await totpCode(secret, now + 60_000);
    // A random secret can, rarely, give the same code at two nearby steps; skip that case.
    const nearby = await Promise.all([-1, 0, 1].map((d) => totpCode(secret, now + d * 30_000)));
    if (!nearby.includes(old)) expect(await verifyTotp(secret, old, now)).toBeNull();
    if (!nearby.includes(ahead)) expect(await verifyTotp(secret, ahead, now)).toBeNull();
    expect(await verifyTotp(secret, old, now, 2)).not.toBeNull();
    expect(await verifyTotp(secret, ahead, now, 2)).not.toBeNull();
  });

  it("with window 0 accepts only the current step", async () => {
    const secret = generateTotpSecret();
    const current = await totpCode(secret, now);
    const previous = await totpCode(secret, now - 30_000);
    expect(await verifyTotp(secret, current, now, 0)).toBe(step);
    if (previous !== current) expect(await verifyTotp(secret, previous, now, 0)).toBeNull();
  });

  it("rejects a wrong code and malformed input", async () => {
    const secret = generateTotpSecret();
    const code = await totpCode(secret, now);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    const nearby = await Promise.all([-1, 1].map((d) => totpCode(secret, now + d * 30_000)));
    if (!nearby.includes(wrong)) expect(await verifyTotp(secret, wrong, now)).toBeNull();
    expect(await verifyTotp(secret, code.slice(0, 5), now)).toBeNull();
    expect(await verifyTotp(secret, `${code}0`, now)).toBeNull();
    expect(await verifyTotp(secret, "abcdef", now)).toBeNull();
  });

  it("tolerates spaces inside the typed code", async () => {
    const secret = generateTotpSecret();
    const code = await totpCode(secret, now);
    expect(await verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(step);
  });
});

describe("otpauthUri", () => {
  it("builds the Key Uri Format with issuer in label and parameter", () => {
    const uri = otpauthUri({ secret: "JBSWY3DPEHPK3PXP", account: "marie@example.fr" });
    expect(uri).toBe(
      "otpauth://totp/Factumo:marie%40example.fr?secret=JBSWY3DPEHPK3PXP&issuer=Factumo&algorithm=SHA1&digits=6&period=30",
    );
  });

  it("percent-encodes spaces and colons so the label stays unambiguous", () => {
    const uri = otpauthUri({ secret: "JBSWY3DPEHPK3PXP", account: "a:b c", issuer: "Factumo Test" });
    expect(uri).toContain("otpauth://totp/Factumo%20Test:a%3Ab%20c?");
    expect(uri).toContain("issuer=Factumo%20Test");
  });
});

describe("recovery codes", () => {
  it("generates n distinct codes of the form xxxx-xxxx from an unambiguous alphabet", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$/);
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it("never uses look-alike characters over many codes", () => {
    const all = generateRecoveryCodes(500).join("");
    expect(all).not.toMatch(/[01ilo]/);
  });

  it("hashes codes as an HMAC of the normalized form, keyed by the pepper", async () => {
    const [code] = generateRecoveryCodes(1) as [string];
    const hash = await hashRecoveryCode(code, PEPPER);
    expect(hash).toBe(await hmacSha256(PEPPER, code.replace("-", "")));
    expect(hash).not.toBe(await sha256Hex(code.replace("-", "")));
    expect(hash).not.toBe(await hashRecoveryCode(code, `${PEPPER}-other`));
  });

  it("gives the same hash regardless of case, dash and spaces", async () => {
    const [code] = generateRecoveryCodes(1) as [string];
    const hash = await hashRecoveryCode(code, PEPPER);
    expect(await hashRecoveryCode(code.toUpperCase(), PEPPER)).toBe(hash);
    expect(await hashRecoveryCode(code.replace("-", ""), PEPPER)).toBe(hash);
    expect(await hashRecoveryCode(` ${code.replace("-", " - ")} `, PEPPER)).toBe(hash);
  });

  it("gives different hashes to different codes", async () => {
    const codes = generateRecoveryCodes(10);
    const hashes = await Promise.all(codes.map((c) => hashRecoveryCode(c, PEPPER)));
    expect(new Set(hashes).size).toBe(10);
  });
});
