import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
  bytesToHex,
  hmacSha256,
  randomId,
  randomToken,
  sha256Hex,
  timingSafeEqual,
} from "./random.ts";

describe("randomId", () => {
  it("is 22 URL-safe characters carrying 16 bytes", () => {
    const id = randomId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(base64UrlDecode(id)).toHaveLength(16);
  });

  it("does not repeat over many draws", () => {
    const ids = new Set(Array.from({ length: 1000 }, randomId));
    expect(ids.size).toBe(1000);
  });
});

describe("randomToken", () => {
  it("encodes the requested number of bytes, 32 by default", () => {
    expect(base64UrlDecode(randomToken())).toHaveLength(32);
    expect(base64UrlDecode(randomToken(48))).toHaveLength(48);
  });

  it("refuses tokens shorter than 128 bits", () => {
    expect(() => randomToken(8)).toThrow(RangeError);
  });
});

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 test vector for 'abc'", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("hashes a string and its UTF-8 bytes identically", async () => {
    expect(await sha256Hex("événement")).toBe(await sha256Hex(new TextEncoder().encode("événement")));
  });
});

describe("hmacSha256", () => {
  it("matches RFC 4231 test case 2", async () => {
    const mac = await hmacSha256("Jefe", "what do ya want for nothing?");
    expect(bytesToHex(base64UrlDecode(mac))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("rejects an empty key with a clear message", async () => {
    await expect(hmacSha256("", "data")).rejects.toThrow(/must not be empty/);
  });
});

describe("timingSafeEqual", () => {
  it("accepts equal strings and equal bytes", () => {
    expect(timingSafeEqual("same value", "same value")).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
  });

  it("rejects values differing in one byte", () => {
    expect(timingSafeEqual("abcdef", "abcdeg")).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
  });

  it("returns false instead of throwing when lengths differ", () => {
    expect(timingSafeEqual("short", "longer value")).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(1))).toBe(false);
  });

  it("agrees with plain equality on arbitrary strings", () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => timingSafeEqual(a, b) === (a === b)));
  });
});

describe("base64 codecs", () => {
  it("round-trip arbitrary bytes through base64url and base64", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(base64UrlDecode(base64UrlEncode(bytes))).toEqual(bytes);
        expect(base64Decode(base64Encode(bytes))).toEqual(bytes);
      }),
    );
  });

  it("uses the URL-safe alphabet without padding", () => {
    const encoded = base64UrlEncode(new Uint8Array([0xfb, 0xff, 0xfe, 0x01]));
    expect(encoded).toBe("-__-AQ");
  });

  it("rejects characters outside the alphabet and impossible lengths", () => {
    expect(() => base64UrlDecode("ab+c")).toThrow(TypeError);
    expect(() => base64UrlDecode("abcde")).toThrow(TypeError);
    expect(() => base64Decode("ab-_")).toThrow(TypeError);
    expect(() => base64Decode("abc")).toThrow(TypeError);
  });

  it("rejects non-canonical encodings whose unused bits are set", () => {
    // "AB" and "AA" both start with byte 0x00; only "AA" is canonical.
    expect(base64UrlDecode("AA")).toEqual(new Uint8Array([0]));
    expect(() => base64UrlDecode("AB")).toThrow(TypeError);
    expect(() => base64Decode("AB==")).toThrow(TypeError);
  });
});
