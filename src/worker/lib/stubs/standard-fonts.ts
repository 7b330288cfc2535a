/**
 * Stands in for `@pdf-lib/standard-fonts` in the Worker (wrangler.toml `[alias]`, mirrored by
 * vitest.config.ts): its 14 AFM metric tables weigh ~127 KiB, and Factumo never draws with a
 * standard font — every string goes through the embedded DejaVu fonts (pdf/fonts.ts), as PDF/A-3
 * requires. pdf-lib only needs `FontNames` to tell a standard font name from font bytes; asking it
 * for an actual standard font (embedFont(StandardFonts.X), or drawText without a font) now throws.
 */
import type { Encodings as RealEncodings, Font as RealFont, FontNames as RealFontNames } from "@pdf-lib/standard-fonts";

export const STANDARD_FONTS_UNAVAILABLE =
  "pdf-lib's standard fonts are not bundled in Factumo (wrangler.toml [alias]): embed the DejaVu fonts with embedFonts() from src/worker/pdf/fonts.ts and pass `font` to every drawText";

function unavailable(): never {
  throw new Error(STANDARD_FONTS_UNAVAILABLE);
}

// The real enum's values: pdf-lib's isStandardFont() compares against them.
export const FontNames = {
  Courier: "Courier",
  CourierBold: "Courier-Bold",
  CourierOblique: "Courier-Oblique",
  CourierBoldOblique: "Courier-BoldOblique",
  Helvetica: "Helvetica",
  HelveticaBold: "Helvetica-Bold",
  HelveticaOblique: "Helvetica-Oblique",
  HelveticaBoldOblique: "Helvetica-BoldOblique",
  TimesRoman: "Times-Roman",
  TimesRomanBold: "Times-Bold",
  TimesRomanItalic: "Times-Italic",
  TimesRomanBoldItalic: "Times-BoldItalic",
  Symbol: "Symbol",
  ZapfDingbats: "ZapfDingbats",
} as const satisfies { [K in keyof typeof RealFontNames]: `${(typeof RealFontNames)[K]}` };

export const Font = { load: unavailable } satisfies Pick<typeof RealFont, "load">;

// Read by StandardFontEmbedder's constructor before Font.load: fail there already.
export const Encodings = {
  get Symbol() {
    return unavailable();
  },
  get ZapfDingbats() {
    return unavailable();
  },
  get WinAnsi() {
    return unavailable();
  },
} satisfies typeof RealEncodings;
