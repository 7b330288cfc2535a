import type { Context } from "hono";
import type { AppEnv } from "../env";

interface RouteLike {
  method: string;
  path: string;
}

const isPagePath = (path: string) => !/^\/(api|webhooks|dev)(\/|$)/.test(path);

/** A Hono route path as a regex: `:id` one segment, `:format{pdf|xml}` its alternatives. */
function patternOf(path: string): RegExp {
  const body = path
    .split("/")
    .map((seg) => {
      const m = /^:\w+(?:\{(.+)\})?$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return m[1] ? `(?:${m[1]})` : "[^/]+";
    })
    .join("/");
  return new RegExp(`^${body}/?$`);
}

/** How many literal segments a route path has: the more, the more specific it is. */
const literals = (path: string) => path.split("/").filter((seg) => seg && !seg.startsWith(":")).length;

/**
 * Post/Redirect/Get's safety net: the address of a form's action (`/documents/:id/emettre`) opened
 * with GET — a reload of a page a refused POST rendered, a bookmark, a shared address — leads back
 * to the page the form lives on (the nearest shorter path with a page) instead of "Page introuvable".
 * `unknownTo404` is the answer to an address no GET route took; `pageSaid404` to one a page route
 * took and answered 404, which happens when that route is less specific than the action
 * (`GET /achats/:id` takes `/achats/relever`). Returns null when the 404 stands.
 */
export function actionUrlFallback(routes: readonly RouteLike[]): (c: Context<AppEnv>, pageSaid404?: boolean) => string | null {
  const pages = routes.filter((r) => r.method === "GET" && isPagePath(r.path)).map((r) => ({ re: patternOf(r.path), literals: literals(r.path) }));
  const actions = routes.filter((r) => r.method === "POST" && isPagePath(r.path)).map((r) => ({ re: patternOf(r.path), literals: literals(r.path) }));
  const hasPage = (path: string) => pages.some((p) => p.re.test(path));
  const best = (list: typeof pages, path: string) => Math.max(-1, ...list.filter((r) => r.re.test(path)).map((r) => r.literals));
  return (c, pageSaid404 = false) => {
    if (c.req.method !== "GET") return null;
    const path = c.req.path;
    if (!isPagePath(path)) return null;
    const action = best(actions, path);
    if (action < 0) return null;
    if (pageSaid404 ? action <= best(pages, path) : hasPage(path)) return null;
    const segments = path.replace(/\/+$/, "").split("/");
    while (segments.length > 1) {
      segments.pop();
      const parent = segments.join("/") || "/";
      if (hasPage(parent)) return parent;
    }
    return "/";
  };
}
