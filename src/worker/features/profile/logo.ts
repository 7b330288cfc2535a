/**
 * Logo checks, by content and never by file name or declared type: a PNG or JPEG is recognised by
 * its magic bytes, an SVG by its root element, and an SVG is refused when it holds anything that
 * could run script or fetch something from elsewhere once shown in a page or a PDF.
 */

/** Largest logo accepted: 1 MB. */
export const MAX_LOGO_BYTES = 1024 * 1024;

export type LogoType = "image/png" | "image/jpeg" | "image/svg+xml";

export type LogoCheck =
  | { ok: true; type: LogoType }
  /** empty: no file; size: over 1 MB; type: not PNG/JPEG/SVG; svg: an SVG with forbidden content. */
  | { ok: false; reason: "empty" | "size" | "type" | "svg" };

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** Identifies a logo from its bytes and, for an SVG, checks that it is inert. */
export function checkLogo(bytes: Uint8Array): LogoCheck {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (bytes.length > MAX_LOGO_BYTES) return { ok: false, reason: "size" };
  if (startsWith(bytes, PNG_MAGIC)) return { ok: true, type: "image/png" };
  if (startsWith(bytes, JPEG_MAGIC)) return { ok: true, type: "image/jpeg" };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: "type" };
  }
  const svg = inspectSvg(text);
  if (svg === "not_svg") return { ok: false, reason: "type" };
  if (svg === "unsafe") return { ok: false, reason: "svg" };
  return { ok: true, type: "image/svg+xml" };
}

/** Elements that run script, embed other documents or define event handlers. */
const FORBIDDEN_ELEMENTS = new Set(["script", "foreignobject", "iframe", "embed", "object", "handler", "listener", "audio", "video"]);

/** Numeric and the five XML entities, so "&#106;avascript:" is seen as "javascript:". */
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);?/gi, (m, ref: string) => {
    const r = ref.toLowerCase();
    if (r.startsWith("#x")) return safeCodePoint(Number.parseInt(r.slice(2), 16), m);
    if (r.startsWith("#")) return safeCodePoint(Number.parseInt(r.slice(1), 10), m);
    return ({ lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" } as Record<string, string>)[r] ?? m;
  });
}

function safeCodePoint(n: number, fallback: string): string {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : fallback;
}

/** Lower case without whitespace and control characters, which browsers skip inside URL schemes. */
const squash = (s: string) => s.replace(/[\u0000-\u0020\u007f-\u009f\u00a0\u2000-\u200f\u2028\u2029\u202f\ufeff]/g, "").toLowerCase();

const DANGEROUS_SCHEME = /(?:java|vb|live)script:|data:text\/html/;
/** `url(...)` pointing anywhere but a fragment of the same file (`url(#gradient)` is fine). */
const EXTERNAL_URL = /url\((?!['"]?#)/;

/** Attribute or style text that could execute or load something. */
function unsafeValue(raw: string): boolean {
  const v = squash(decodeEntities(raw));
  return DANGEROUS_SCHEME.test(v) || EXTERNAL_URL.test(v) || v.includes("@import") || v.includes("expression(");
}

const localName = (qname: string) => qname.slice(qname.indexOf(":") + 1).toLowerCase();

/**
 * Walks the markup tag by tag (an XML-ish tokenizer: enough to find every element and attribute,
 * and it refuses what it cannot read). Returns "not_svg" unless the root element is `<svg>`.
 */
export function inspectSvg(source: string): "safe" | "unsafe" | "not_svg" {
  const s = source.replace(/^\ufeff/, "");
  let i = 0;
  let sawRoot = false;
  let inStyle = false;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const textEnd = lt === -1 ? s.length : lt;
    const textNode = s.slice(i, textEnd);
    // Style sheets are the one text content that can load URLs; check it wherever it appears.
    if (inStyle && unsafeValue(textNode)) return "unsafe";
    if (!sawRoot && textNode.trim() !== "") return "not_svg";
    if (lt === -1) break;

    if (s.startsWith("<!--", lt)) {
      const end = s.indexOf("-->", lt + 4);
      if (end === -1) return sawRoot ? "unsafe" : "not_svg";
      i = end + 3;
      continue;
    }
    if (s.startsWith("<![CDATA[", lt)) {
      const end = s.indexOf("]]>", lt + 9);
      if (end === -1 || !sawRoot) return sawRoot ? "unsafe" : "not_svg";
      if (inStyle && unsafeValue(s.slice(lt + 9, end))) return "unsafe";
      i = end + 3;
      continue;
    }
    if (s.startsWith("<!", lt)) return "unsafe"; // <!DOCTYPE, <!ENTITY: entity expansion and external DTDs
    if (s.startsWith("<?", lt)) {
      // Only the XML declaration, first thing in the file; <?xml-stylesheet?> would load a URL.
      const end = s.indexOf("?>", lt + 2);
      const isDeclaration = /^<\?xml\s/.test(s.slice(lt, lt + 6)) && s.slice(0, lt).trim() === "";
      if (end === -1 || !isDeclaration) return "unsafe";
      i = end + 2;
      continue;
    }

    const tag = readTag(s, lt);
    if (tag === null) return sawRoot ? "unsafe" : "not_svg";
    i = tag.end;
    const name = localName(tag.name);
    if (tag.closing) {
      if (name === "style") inStyle = false;
      continue;
    }
    if (!sawRoot) {
      if (name !== "svg") return "not_svg";
      sawRoot = true;
    }
    if (FORBIDDEN_ELEMENTS.has(name)) return "unsafe";
    for (const [attrName, value] of tag.attributes) {
      const attr = attrName.toLowerCase();
      const local = localName(attrName);
      if (local.startsWith("on")) return "unsafe";
      if (local === "href" || local === "src" || attr === "xml:base") {
        if (!decodeEntities(value).trim().startsWith("#")) return "unsafe";
      }
      // <animate attributeName="href" to="javascript:…">, <set attributeName="onclick" …>
      if (local === "attributename") {
        const target = localName(squash(value));
        if (target.startsWith("on") || target === "href" || target === "src") return "unsafe";
      }
      if (unsafeValue(value)) return "unsafe";
    }
    if (name === "style" && !tag.selfClosing) inStyle = true;
  }
  return sawRoot ? "safe" : "not_svg";
}

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attributes: Array<[string, string]>;
  /** Index just after the closing ">". */
  end: number;
}

const NAME = /[A-Za-z_:][\w:.-]*/y;
const SPACE = /\s*/y;

/** Reads `<name attr="v" …>` or `</name>` starting at `start`; null when it is not well formed. */
function readTag(s: string, start: number): Tag | null {
  let i = start + 1;
  const closing = s[i] === "/";
  if (closing) i++;
  NAME.lastIndex = i;
  const nameMatch = NAME.exec(s);
  if (!nameMatch) return null;
  const name = nameMatch[0];
  i = NAME.lastIndex;
  const attributes: Array<[string, string]> = [];
  for (;;) {
    SPACE.lastIndex = i;
    SPACE.exec(s);
    i = SPACE.lastIndex;
    if (s[i] === ">") return { name, closing, selfClosing: false, attributes, end: i + 1 };
    if (s.startsWith("/>", i) && !closing) return { name, closing, selfClosing: true, attributes, end: i + 2 };
    if (closing) return null;
    NAME.lastIndex = i;
    const attr = NAME.exec(s);
    if (!attr) return null;
    i = NAME.lastIndex;
    SPACE.lastIndex = i;
    SPACE.exec(s);
    i = SPACE.lastIndex;
    if (s[i] !== "=") return null; // XML has no value-less attributes
    i++;
    SPACE.lastIndex = i;
    SPACE.exec(s);
    i = SPACE.lastIndex;
    const quote = s[i];
    if (quote !== '"' && quote !== "'") return null;
    const close = s.indexOf(quote, i + 1);
    if (close === -1) return null;
    attributes.push([attr[0], s.slice(i + 1, close)]);
    i = close + 1;
  }
}
