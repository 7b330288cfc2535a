#!/usr/bin/env bash
# Regenerates the Latin cut of DejaVu Sans (regular and bold) that the Worker embeds in
# invoices: the full fonts add ~730 KiB gzip to the bundle, this cut a few dozen.
#   scripts/make-font-subset.sh          (needs pyftsubset: apt-get install fonttools)
# The character list must stay equal to LATIN_CUT_RANGES in src/worker/pdf/charset.ts;
# src/worker/pdf/document-pdf.test.ts compares it with the generated fonts' cmap.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/node_modules/dejavu-fonts-ttf"
out="$root/src/worker/pdf/fonts"

command -v pyftsubset >/dev/null || { echo "pyftsubset not found: apt-get install -y fonttools" >&2; exit 1; }
[ -f "$src/ttf/DejaVuSans.ttf" ] || { echo "$src missing: npm install first" >&2; exit 1; }

# Basic Latin, Latin-1, Latin Extended-A (Œ œ, Central European names), ƒ, Romanian Ș ș Ț ț,
# the spacing accents of Windows-1252, and the punctuation French typography and pasted Word
# text use: thin, narrow no-break and figure spaces, hyphens and dashes, quotes ‘ ’ ‚ “ ” „,
# † ‡ •, …, ‰, ‹ ›, €, ™, minus sign.
unicodes="U+0020-007E,U+00A0-00FF,U+0100-017F,U+0192,U+0218-021B,U+02C6-02C7,U+02D8-02DD,\
U+2007,U+2009,U+2010-2011,U+2013-2014,U+2018-201A,U+201C-201E,U+2020-2022,U+2026,U+202F,\
U+2030,U+2039-203A,U+20AC,U+2122,U+2212"

mkdir -p "$out"
for face in DejaVuSans DejaVuSans-Bold; do
  # No hinting (PDF viewers do not use it), no layout tables (no shaping cost: pdf-lib draws
  # advance widths only, and the renderer NFC-normalises text so no mark positioning is needed),
  # no glyph names. cmap, name, OS/2, head, hhea, hmtx, maxp, post, glyf, loca stay.
  pyftsubset "$src/ttf/$face.ttf" \
    --unicodes="$unicodes" \
    --output-file="$out/$face-Latin.ttf" \
    --no-hinting \
    --layout-features= \
    --drop-tables+=GSUB,GPOS,GDEF,kern,FFTM,BASE,JSTF,MATH,DSIG \
    --name-IDs='*' \
    --name-languages=0x0409 \
    --notdef-outline \
    --recalc-bounds
done

{
  printf 'The fonts in this directory are a subset of DejaVu Sans %s (npm package dejavu-fonts-ttf),\n' \
    "$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$src/package.json")"
  printf 'cut to Latin characters by scripts/make-font-subset.sh; glyph outlines are unchanged.\n'
  printf 'DejaVu'"'"'s licence follows, verbatim.\n\n'
  cat "$src/LICENSE"
} >"$out/LICENSE"

ls -l "$out"
