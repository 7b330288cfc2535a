/**
 * The characters of the Latin cut of DejaVu Sans that invoices are drawn with
 * (src/worker/pdf/fonts/*-Latin.ttf, made by scripts/make-font-subset.sh).
 *
 * Pure and dependency-free so that forms (server and client) can refuse input the PDF could
 * not print, without pulling pdf-lib in. document-pdf.test.ts checks that these ranges are
 * exactly the code points of both generated fonts, so the two cannot drift apart.
 */

/** Inclusive code point ranges; keep in sync with `unicodes` in scripts/make-font-subset.sh. */
export const LATIN_CUT_RANGES: ReadonlyArray<readonly [from: number, to: number]> = [
  [0x0020, 0x007e], // Basic Latin
  [0x00a0, 0x00ff], // Latin-1 Supplement: no-break space, « », accented letters
  [0x0100, 0x017f], // Latin Extended-A: Œ œ, Central European and Baltic names
  [0x0192, 0x0192], // ƒ (Windows-1252)
  [0x0218, 0x021b], // Romanian Ș ș Ț ț
  [0x02c6, 0x02c7], // ˆ ˇ
  [0x02d8, 0x02dd], // ˘ ˙ ˚ ˛ ˜ ˝
  [0x2007, 0x2007], // figure space
  [0x2009, 0x2009], // thin space
  [0x2010, 0x2011], // hyphen, non-breaking hyphen
  [0x2013, 0x2014], // – —
  [0x2018, 0x201a], // ‘ ’ ‚
  [0x201c, 0x201e], // “ ” „
  [0x2020, 0x2022], // † ‡ •
  [0x2026, 0x2026], // …
  [0x202f, 0x202f], // narrow no-break space (French thousands separator)
  [0x2030, 0x2030], // ‰
  [0x2039, 0x203a], // ‹ ›
  [0x20ac, 0x20ac], // €
  [0x2122, 0x2122], // ™
  [0x2212, 0x2212], // minus sign
];

/** Whether the Latin cut has a glyph for this code point. */
export function isInLatinCut(codePoint: number): boolean {
  for (const [from, to] of LATIN_CUT_RANGES) {
    if (codePoint < from) return false;
    if (codePoint <= to) return true;
  }
  return false;
}

/** Control (Cc) and format (Cf) characters: never drawn, so never "unsupported". */
export const INVISIBLE = /^[\p{Cc}\p{Cf}]$/u;

/**
 * The distinct characters of `text` that invoices cannot print, in order of appearance
 * (control and invisible format characters such as line breaks or U+200B aside: the renderer
 * drops those). Text is NFC-normalised first, as the renderer does, so a decomposed "e" + U+0301
 * counts as the printable "é".
 * Use it to refuse a client name or a line description before it reaches an issued document.
 */
export function unsupportedInput(text: string): string[] {
  const missing = new Set<string>();
  for (const ch of text.normalize("NFC")) {
    if (!isInLatinCut(ch.codePointAt(0) ?? 0) && !INVISIBLE.test(ch)) missing.add(ch);
  }
  return [...missing];
}
