import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64UrlEncode, utf8Bytes } from "../../lib/crypto/random";
import { type Cursor, decodeCursor, encodeCursor, pageOf, prefixUpperBound, searchKey } from "./search";

const utf8 = new TextEncoder();

/** SQLite's BINARY collation: memcmp of the UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return x.length - y.length;
}

describe("searchKey", () => {
  it("lower-cases and removes accents", () => {
    expect(searchKey("Éloïse Château")).toBe("eloise chateau");
    expect(searchKey("ÇA VA")).toBe("ca va");
  });

  it("spells out ligatures a French user types as two letters", () => {
    expect(searchKey("Œuvres d’Ærø")).toBe("oeuvres d'aero");
    expect(searchKey("Straße")).toBe("strasse");
  });

  it("collapses and trims whitespace, no-break spaces included", () => {
    expect(searchKey("  L’Atelier \u00A0 Éphémère\t")).toBe("l'atelier ephemere");
  });

  it("expands compatibility characters (NFKD)", () => {
    expect(searchKey("ﬁbre Ⅳ")).toBe("fibre iv");
  });

  it("is idempotent", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => searchKey(searchKey(s)) === searchKey(s)));
  });

  it("gives the same key whatever the case and accents of the input", () => {
    const word = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"), minLength: 1 });
    fc.assert(fc.property(word, (s) => searchKey(s.toUpperCase()) === s && searchKey(s.replace(/e/g, "é")) === s));
  });
});

describe("prefixUpperBound", () => {
  it("bounds every key that starts with the prefix, in UTF-8 byte order", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (prefix, rest) => {
        fc.pre(!rest.includes("\u{10FFFF}"));
        const key = prefix + rest;
        return compareUtf8(key, prefix) >= 0 && compareUtf8(key, prefixUpperBound(prefix)) < 0;
      }),
    );
  });

  it("excludes keys that merely sort after the prefix", () => {
    expect(compareUtf8("dupont", prefixUpperBound("dup"))).toBeLessThan(0);
    expect(compareUtf8("durand", prefixUpperBound("dup"))).toBeGreaterThan(0);
  });
});

describe("cursors", () => {
  const cursor = fc.record({
    direction: fc.constantFrom<Cursor["direction"]>("after", "before"),
    key: fc.string({ unit: "grapheme", maxLength: 100 }),
    id: fc.string({ minLength: 1, maxLength: 30 }),
  });

  it("decode what they encode", () => {
    fc.assert(
      fc.property(cursor, (c) => {
        expect(decodeCursor(encodeCursor(c))).toEqual(c);
      }),
    );
  });

  it("are URL-safe", () => {
    fc.assert(fc.property(cursor, (c) => /^[A-Za-z0-9_-]+$/.test(encodeCursor(c))));
  });

  it.each([
    ["an empty string", ""],
    ["text that is not base64url", "not a cursor!"],
    ["base64url of something that is not JSON", base64UrlEncode(utf8Bytes("hello"))],
    ["a JSON object instead of a tuple", base64UrlEncode(utf8Bytes(JSON.stringify({ d: "a", k: "x", i: "y" })))],
    ["an unknown direction", base64UrlEncode(utf8Bytes(JSON.stringify(["z", "x", "y"])))],
    ["a numeric id", base64UrlEncode(utf8Bytes(JSON.stringify(["a", "x", 3])))],
    ["an empty id", base64UrlEncode(utf8Bytes(JSON.stringify(["a", "x", ""])))],
    ["a token longer than any real one", "A".repeat(1_001)],
  ])("refuse %s", (_what, token) => {
    expect(decodeCursor(token)).toBeNull();
  });
});

describe("pageOf", () => {
  const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: `k${String(from + i).padStart(3, "0")}`, id: `id${from + i}` }));
  const keyOf = (r: { key: string; id: string }) => r;
  const at = (token: string | null) => (token === null ? null : decodeCursor(token));

  it("keeps the page size and points the next cursor at the last row shown when one more row was read", () => {
    const page = pageOf(rows(0, 26), null, keyOf, 25);
    expect(page.items).toHaveLength(25);
    expect(at(page.nextCursor)).toEqual({ direction: "after", key: "k024", id: "id24" });
    expect(page.prevCursor).toBeNull();
  });

  it("has no next page when no extra row was read", () => {
    const page = pageOf(rows(0, 25), null, keyOf, 25);
    expect(page.items).toHaveLength(25);
    expect(page.nextCursor).toBeNull();
  });

  it("offers the previous page once past the first one", () => {
    const page = pageOf(rows(25, 30), { direction: "after", key: "k024", id: "id24" }, keyOf, 25);
    expect(page.nextCursor).toBeNull();
    expect(at(page.prevCursor)).toEqual({ direction: "before", key: "k025", id: "id25" });
  });

  it("puts rows read backwards back in list order", () => {
    const backwards = rows(0, 26).reverse();
    const page = pageOf(backwards, { direction: "before", key: "k026", id: "id26" }, keyOf, 25);
    expect(page.items.map((r) => r.key)).toEqual(rows(1, 26).map((r) => r.key));
    expect(at(page.prevCursor)).toEqual({ direction: "before", key: "k001", id: "id1" });
    expect(at(page.nextCursor)).toEqual({ direction: "after", key: "k025", id: "id25" });
  });

  it("has no previous page when reading backwards reaches the start", () => {
    const page = pageOf(rows(0, 25).reverse(), { direction: "before", key: "k025", id: "id25" }, keyOf, 25);
    expect(page.items[0]?.key).toBe("k000");
    expect(page.prevCursor).toBeNull();
    expect(page.nextCursor).not.toBeNull();
  });

  it("has no cursors for an empty page", () => {
    expect(pageOf([], null, keyOf, 25)).toEqual({ items: [], nextCursor: null, prevCursor: null });
  });
});
