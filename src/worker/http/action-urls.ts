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

/**
 * Post/Redirect/Get's safety net: the address of a form's action (`/documents/:id/emettre`) opened
 * with GET — a reload of a page a refused POST rendered, a bookmark, a shared address — leads back
 * to the page the form lives on (the nearest shorter path with a page) instead of "Page introuvable".
 * Returns null for any other unknown address, which stays a 404.
 */
export function actionUrlFallback(routes: readonly RouteLike[]): (c: Context<AppEnv>) => string | null {
  const pages = routes.filter((r) => r.method === "GET" && isPagePath(r.path)).map((r) => patternOf(r.path));
  const actions = routes.filter((r) => r.method === "POST" && isPagePath(r.path)).map((r) => patternOf(r.path));
  const hasPage = (path: string) => pages.some((p) => p.test(path));
  return (c) => {
    if (c.req.method !== "GET") return null;
    const path = c.req.path;
    if (!isPagePath(path) || hasPage(path) || !actions.some((a) => a.test(path))) return null;
    const segments = path.replace(/\/+$/, "").split("/");
    while (segments.length > 1) {
      segments.pop();
      const parent = segments.join("/") || "/";
      if (hasPage(parent)) return parent;
    }
    return "/";
  };
}
