/**
 * The one home for text that ends up in an HTTP or mail header: redirect targets (`Location`),
 * download names (`Content-Disposition`) and mail subjects. A CR or LF in a header value splits the
 * header (response splitting, a forged mail header), and workerd throws on one (a 500): so every
 * such value passes through here, and control characters never reach a header.
 */

/** C0 controls, DEL and C1 controls; also the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Longest redirect target followed; longer ones are ignored (the fallback is used). */
export const MAX_REDIRECT_LENGTH = 2000;

/** Text for a header: control characters replaced by a space, runs of spaces collapsed, trimmed. */
export function headerText(value: string): string {
  return value.replace(CONTROL, " ").replace(/ {2,}/g, " ").trim();
}

const ORIGIN = "https://factumo.invalid";

/**
 * A redirect target taken from input (`next`, `back`…), or `fallback`. Only a same-origin path is
 * followed: it starts with one `/` and then neither `/` nor `\`; it holds no control character,
 * no space and no backslash at all (browsers drop tabs and newlines from URLs and read `\` as `/`,
 * so `/\t/evil.example` and `/\evil` are `//evil…`, another site); and the URL it resolves to
 * stays on our origin. Anything else is ignored, never echoed.
 */
export function safeRedirect(next: string | null | undefined, fallback: string): string {
  return isSafeRedirect(next) ? next : fallback;
}

/** Whether {@link safeRedirect} would follow `next`. */
export function isSafeRedirect(next: string | null | undefined): next is string {
  if (typeof next !== "string" || next.length === 0 || next.length > MAX_REDIRECT_LENGTH) return false;
  if (next[0] !== "/" || next[1] === "/" || next[1] === "\\") return false;
  // eslint-disable-next-line no-control-regex
  if (/[\s\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(next)) return false;
  try {
    const url = new URL(next, ORIGIN);
    return url.origin === ORIGIN;
  } catch {
    return false;
  }
}

/**
 * A `Content-Disposition` value (RFC 6266): `filename` holds an ASCII fallback (quotes, backslashes
 * and anything outside printable ASCII replaced by `_`), and `filename*` the UTF-8 name
 * percent-encoded (RFC 5987), so accents survive and nothing can break out of the header.
 */
export function contentDisposition(disposition: "attachment" | "inline", fileName: string): string {
  const clean = headerText(fileName).replace(/[/\\]/g, "_") || "download";
  const ascii = clean.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
