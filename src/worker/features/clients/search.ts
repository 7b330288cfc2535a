import { base64UrlDecode, base64UrlEncode, utf8Bytes } from "../../lib/crypto/random";

/**
 * Name search and keyset pagination shared by the clients and the catalogue lists. Pure: no I/O.
 *
 * Lists are ordered by (search_name, id), which the `<table>_account_name` indexes cover, and a
 * page is read as "the next PAGE_SIZE + 1 rows after (or before) this position": one more row
 * than shown tells whether another page exists, without any COUNT or OFFSET.
 */

/** Rows shown on one page of a list. */
export const PAGE_SIZE = 25;

// Letters NFKD does not split but that a French user types as two: "Œuvre" is found with "oeuvre".
const LIGATURES: Readonly<Record<string, string>> = { œ: "oe", æ: "ae", ß: "ss", ø: "o", đ: "d", ł: "l" };

/**
 * The key a name is searched and sorted by: lower case, accents removed (NFKD, combining marks
 * dropped), ligatures spelled out, typographic apostrophes made plain, whitespace collapsed.
 * "  L’Atelier  Éphémère " → "l'atelier ephemere".
 */
export function searchKey(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[œæßøđł]/g, (ch) => LIGATURES[ch] ?? ch)
    .replace(/[\u2018\u2019\u02BC\u2032]/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The end of the range of keys that start with `prefix`: every such key k satisfies
 * prefix <= k < prefixUpperBound(prefix) in SQLite's binary (UTF-8) order, so a prefix search
 * is an index range scan rather than a LIKE over every row.
 */
export function prefixUpperBound(prefix: string): string {
  // U+10FFFF is the largest code point, hence the largest UTF-8 sequence after the prefix.
  return `${prefix}\u{10FFFF}`;
}

/** A position in a list: the (search_name, id) of a row, and which way to read from it. */
export interface Cursor {
  /** "after": the rows that follow this one (Suivant); "before": the rows that precede it (Précédent). */
  direction: "after" | "before";
  key: string;
  id: string;
}

/** Longest cursor accepted from a URL; a real one is well under this. */
const MAX_CURSOR_LENGTH = 1_000;

/** Encodes a position as an opaque base64url token for a URL. */
export function encodeCursor(cursor: Cursor): string {
  return base64UrlEncode(utf8Bytes(JSON.stringify([cursor.direction === "after" ? "a" : "b", cursor.key, cursor.id])));
}

/** Decodes a token made by {@link encodeCursor}; null for anything else (tampered, truncated…). */
export function decodeCursor(token: string): Cursor | null {
  if (token.length === 0 || token.length > MAX_CURSOR_LENGTH) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64UrlDecode(token)));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [direction, key, id] = parsed as unknown[];
  if ((direction !== "a" && direction !== "b") || typeof key !== "string" || typeof id !== "string" || id === "") return null;
  return { direction: direction === "a" ? "after" : "before", key, id };
}

/** One page of a list, with the cursors of its neighbours (null when there is none). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  prevCursor: string | null;
}

/**
 * Cuts the rows read for a page into the page itself and its neighbours' cursors.
 *
 * `rows` are what the query returned for `cursor`, at most `pageSize + 1` of them: in list order
 * when reading forwards (no cursor, or "after"), in reverse list order when reading backwards
 * ("before"). The extra row only says that one more page exists in the reading direction; the
 * page we came from exists by construction in the other direction.
 */
export function pageOf<T>(
  rows: readonly T[],
  cursor: Cursor | null,
  keyOf: (row: T) => { key: string; id: string },
  pageSize = PAGE_SIZE,
): Page<T> {
  const more = rows.length > pageSize;
  const kept = rows.slice(0, pageSize);
  const backwards = cursor?.direction === "before";
  const items = backwards ? kept.reverse() : kept;
  const first = items[0];
  const last = items.at(-1);
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : cursor !== null;
  return {
    items,
    nextCursor: hasNext && last ? encodeCursor({ direction: "after", ...keyOf(last) }) : null,
    prevCursor: hasPrev && first ? encodeCursor({ direction: "before", ...keyOf(first) }) : null,
  };
}
