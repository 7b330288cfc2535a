/**
 * Embedded fonts for PDF/A documents. PDF/A forbids the non-embedded standard 14 fonts
 * (pdf-lib's `StandardFonts`), so every string on an invoice is drawn with these.
 */
import fontkit from "@pdf-lib/fontkit";
import type { PDFDocument, PDFFont } from "pdf-lib";

/** Raw TrueType bytes of the two cuts an invoice uses. */
export interface FontBytes {
  regular: Uint8Array;
  bold: Uint8Array;
}

/** The fonts once embedded in one document. */
export interface EmbeddedFonts {
  regular: PDFFont;
  bold: PDFFont;
}

type Fontkit = Parameters<PDFDocument["registerFontkit"]>[0];
type FontkitFont = ReturnType<Fontkit["create"]>;

// Parsing a full TTF dominates rendering time, so each font is parsed once per isolate and
// the parsed font is shared by every document (fontkit subsets clone what they change).
// Keyed by the backing buffer so that fresh views over the same imported bytes still hit.
const parsed = new WeakMap<object, FontkitFont>();

function cacheKey(bytes: Uint8Array): object {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes;
}

const cachingFontkit: Fontkit = {
  create(buffer, postscriptName) {
    // A postscript name picks one face of a collection: not worth caching, never used here.
    if (postscriptName !== undefined) return fontkit.create(buffer, postscriptName);
    const key = cacheKey(buffer);
    let font = parsed.get(key);
    if (!font) {
      font = fontkit.create(buffer);
      parsed.set(key, font);
    }
    return font;
  },
};

/**
 * Registers fontkit on `doc` and embeds both cuts as subsets (only the glyphs drawn end up
 * in the file). Pass the same `Uint8Array`s (or views over the same buffers) on every call:
 * parsed fonts are cached per isolate by buffer identity.
 */
export async function embedFonts(doc: PDFDocument, fontBytes: FontBytes): Promise<EmbeddedFonts> {
  doc.registerFontkit(cachingFontkit);
  const [regular, bold] = await Promise.all([
    doc.embedFont(fontBytes.regular, { subset: true }),
    doc.embedFont(fontBytes.bold, { subset: true }),
  ]);
  return { regular, bold };
}

const characterSets = new WeakMap<PDFFont, Set<number>>();

/**
 * The distinct characters of `text` that `font` has no glyph for (control characters aside),
 * in order of appearance. pdf-lib would draw them as the empty .notdef box, so callers either
 * refuse such input or draw it with a fallback font.
 */
export function unsupportedCharacters(font: PDFFont, text: string): string[] {
  let set = characterSets.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    characterSets.set(font, set);
  }
  const missing = new Set<string>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x20 && cp !== 0x7f && !set.has(cp)) missing.add(ch);
  }
  return [...missing];
}
