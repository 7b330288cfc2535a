// Reading the server-rendered pages the way a browser would, just enough for the fuzzers: which
// forms a page holds (action, method, fields with their prefilled values) and which query
// parameter names its links and GET forms use. New forms and filters are picked up without
// editing the tests.

export interface HtmlForm {
  /** Path the form posts to (the page's own path when it has no action). */
  action: string;
  method: "get" | "post";
  multipart: boolean;
  /** Field name → value as the page rendered it (first option or checked value for choices). */
  fields: Map<string, string>;
  /** Names of its file inputs. */
  files: string[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", nbsp: "\u00a0" };

/** Decodes the entities preact-render-to-string writes in attributes and text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e.startsWith("#x") || e.startsWith("#X")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith("#") && e !== "#39") return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (out.has(name)) continue;
    out.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ""));
  }
  return out;
}

/** The forms of a page, fields in document order. */
export function formsIn(html: string, pagePath: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1]!);
    const action = decodeEntities(attrs.get("action") || pagePath);
    const fields = new Map<string, string>();
    const files: string[] = [];
    const body = m[2]!;
    for (const t of body.matchAll(/<(input|textarea|select|button)\b([^>]*)>([\s\S]*?(?=<\/\1>))?/gi)) {
      const kind = t[1]!.toLowerCase();
      const a = attributes(t[2]!);
      const name = a.get("name");
      if (!name) continue;
      const type = (a.get("type") ?? "").toLowerCase();
      let value = a.get("value") ?? "";
      if (kind === "textarea") value = decodeEntities(t[3] ?? "");
      if (kind === "select") {
        const options = [...(t[3] ?? "").matchAll(/<option\b([^>]*)>/gi)].map((o) => attributes(o[1]!));
        value = (options.find((o) => o.has("selected")) ?? options[0])?.get("value") ?? "";
      }
      if ((type === "checkbox" || type === "radio") && !a.has("checked") && fields.has(name)) continue;
      if (type === "checkbox" && !a.has("checked")) value = "";
      if (type === "file") {
        files.push(name);
        continue;
      }
      if (kind === "button" && fields.has(name)) continue;
      fields.set(name, value);
    }
    forms.push({ action: action.split("#")[0]!, method: (attrs.get("method") ?? "get").toLowerCase() === "post" ? "post" : "get", multipart: /multipart/i.test(attrs.get("enctype") ?? ""), fields, files });
  }
  return forms;
}

/** Query parameter names a page uses: its links' query strings and its GET forms' fields. */
export function queryNamesIn(html: string, pagePath: string): Set<string> {
  const names = new Set<string>();
  for (const m of html.matchAll(/\bhref="([^"]*)"/gi)) {
    const href = decodeEntities(m[1]!);
    const query = href.split("#")[0]!.split("?")[1];
    if (!query) continue;
    for (const pair of query.split("&")) {
      const name = safeDecode(pair.split("=")[0] ?? "");
      if (name) names.add(name);
    }
  }
  for (const form of formsIn(html, pagePath)) if (form.method === "get") for (const name of form.fields.keys()) names.add(name);
  return names;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** A regex matching the concrete paths of a route pattern (`/clients/:id/archiver`). */
export function routePattern(path: string): RegExp {
  const source = path
    .split(/(:\w+(?:\{[^}]*\})?)/)
    .map((part) => {
      const m = /^:(\w+)(?:\{([^}]*)\})?$/.exec(part);
      if (m) return m[2] ? `(?:${m[2]})` : "[^/]+";
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`);
}
