/**
 * A small, strict XML reader for what arrives from outside (supplier invoices, CDAR statuses).
 *
 * Why not a library: the Worker has no DOMParser, the bundle is near its budget, and what we read
 * is data-only XML (CII, UBL, CDAR). Refusing every `<!DOCTYPE`/`<!ENTITY` removes XXE and entity
 * expansion by construction, which a general parser only offers through options. Limits on size,
 * depth and element count bound the work an input can cause. Namespace prefixes are dropped: the
 * readers address elements by local name under a known root, which is how CII/UBL/CDAR are laid out.
 */

export class XmlReadError extends Error {
  constructor(
    readonly code: "too_large" | "doctype" | "malformed" | "too_deep" | "too_many",
    message: string,
  ) {
    super(message);
    this.name = "XmlReadError";
  }
}

export interface XNode {
  /** Local name, without namespace prefix. */
  name: string;
  /** Attributes by local name (`schemeID`, `currencyID`…); `xmlns` declarations are dropped. */
  attrs: Record<string, string>;
  children: XNode[];
  /** Direct text content (CDATA included), entity-decoded, not trimmed. */
  text: string;
}

export interface XmlLimits {
  maxChars: number;
  maxDepth: number;
  maxElements: number;
}

/** 10 MB of XML is far beyond any invoice Factumo's users receive; depth 64 beyond CII's ~12. */
export const DEFAULT_XML_LIMITS: XmlLimits = { maxChars: 10_000_000, maxDepth: 64, maxElements: 200_000 };

const NAME = /^[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?$/;

function localName(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function decodeEntities(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&\s]{0,12});?/g, (whole, body: string) => {
    if (!whole.endsWith(";")) throw new XmlReadError("malformed", "unterminated entity reference");
    switch (body) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
    }
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (numeric) {
      const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        throw new XmlReadError("malformed", `invalid character reference &${body};`);
      }
      return String.fromCodePoint(code);
    }
    throw new XmlReadError("malformed", `unknown entity &${body}; (no DTD is accepted)`);
  });
}

function parseAttrs(source: string, at: number): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /\s*([^\s=/>]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
  let pos = 0;
  while (pos < source.length) {
    if (/^\s*$/.test(source.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(source);
    if (!m) throw new XmlReadError("malformed", `bad attribute near offset ${at + pos}`);
    const qname = m[1] ?? "";
    if (!NAME.test(qname)) throw new XmlReadError("malformed", `bad attribute name "${qname.slice(0, 40)}"`);
    pos = re.lastIndex;
    if (qname === "xmlns" || qname.startsWith("xmlns:")) continue;
    attrs[localName(qname)] = decodeEntities(m[2] ?? m[3] ?? "");
  }
  return attrs;
}

/**
 * Parses a whole document and returns its root element.
 * @throws XmlReadError on a DTD, malformed markup, or a limit exceeded.
 */
export function readXml(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XNode {
  if (input.length > limits.maxChars) throw new XmlReadError("too_large", `XML larger than ${limits.maxChars} characters`);
  const s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const stack: XNode[] = [];
  let root: XNode | null = null;
  let elements = 0;
  let pos = 0;
  while (pos < s.length) {
    const lt = s.indexOf("<", pos);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > pos) {
      const raw = s.slice(pos, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(raw);
      else if (raw.trim() !== "") throw new XmlReadError("malformed", "text outside the root element");
    }
    if (lt < 0) break;
    if (s.startsWith("<!--", lt)) {
      const end = s.indexOf("-->", lt + 4);
      if (end < 0) throw new XmlReadError("malformed", "unterminated comment");
      pos = end + 3;
    } else if (s.startsWith("<![CDATA[", lt)) {
      const end = s.indexOf("]]>", lt + 9);
      if (end < 0) throw new XmlReadError("malformed", "unterminated CDATA");
      const top = stack[stack.length - 1];
      if (!top) throw new XmlReadError("malformed", "CDATA outside the root element");
      top.text += s.slice(lt + 9, end);
      pos = end + 3;
    } else if (s.startsWith("<!", lt)) {
      // <!DOCTYPE, <!ENTITY…: the only way to XXE and billion-laughs. Invoices never need them.
      throw new XmlReadError("doctype", "DTDs and entity declarations are refused");
    } else if (s.startsWith("<?", lt)) {
      const end = s.indexOf("?>", lt + 2);
      if (end < 0) throw new XmlReadError("malformed", "unterminated processing instruction");
      pos = end + 2;
    } else if (s.startsWith("</", lt)) {
      const end = s.indexOf(">", lt);
      if (end < 0) throw new XmlReadError("malformed", "unterminated end tag");
      const name = s.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (!top || localName(name) !== top.name) throw new XmlReadError("malformed", `unexpected </${name.slice(0, 40)}>`);
      pos = end + 1;
    } else {
      // A start tag: find its end outside quoted attribute values.
      let end = lt + 1;
      let quote = "";
      for (; end < s.length; end++) {
        const ch = s[end];
        if (quote) {
          if (ch === quote) quote = "";
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === ">") break;
        else if (ch === "<") throw new XmlReadError("malformed", "'<' inside a tag");
      }
      if (end >= s.length) throw new XmlReadError("malformed", "unterminated start tag");
      const selfClosing = s[end - 1] === "/";
      const body = s.slice(lt + 1, selfClosing ? end - 1 : end);
      const nameMatch = /^[^\s/>]+/.exec(body);
      const qname = nameMatch?.[0] ?? "";
      if (!NAME.test(qname)) throw new XmlReadError("malformed", `bad element name "${qname.slice(0, 40)}"`);
      if (stack.length === 0 && root) throw new XmlReadError("malformed", "more than one root element");
      if (++elements > limits.maxElements) throw new XmlReadError("too_many", `more than ${limits.maxElements} elements`);
      const node: XNode = { name: localName(qname), attrs: parseAttrs(body.slice(qname.length), lt), children: [], text: "" };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else root = node;
      if (!selfClosing) {
        if (stack.length >= limits.maxDepth) throw new XmlReadError("too_deep", `nesting deeper than ${limits.maxDepth}`);
        stack.push(node);
      }
      pos = end + 1;
    }
  }
  if (stack.length) throw new XmlReadError("malformed", `<${stack[stack.length - 1]?.name}> is never closed`);
  if (!root) throw new XmlReadError("malformed", "no root element");
  return root;
}

// ---- navigation ---------------------------------------------------------------------------------

/** The first child chain matching `path` (local names), or null. */
export function first(node: XNode | null | undefined, ...path: string[]): XNode | null {
  let current: XNode | null = node ?? null;
  for (const name of path) {
    if (!current) return null;
    current = current.children.find((child) => child.name === name) ?? null;
  }
  return current;
}

/** Every child named `name` of the node reached by `path`. */
export function all(node: XNode | null | undefined, ...path: string[]): XNode[] {
  const name = path[path.length - 1];
  const parent = first(node, ...path.slice(0, -1));
  return parent ? parent.children.filter((child) => child.name === name) : [];
}

/** Trimmed text at `path`, or null when absent or blank. */
export function textOf(node: XNode | null | undefined, ...path: string[]): string | null {
  const target = first(node, ...path);
  const value = target?.text.trim();
  return value ? value : null;
}
