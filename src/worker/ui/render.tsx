import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../env";

/** Renders a Preact tree as a full HTML document response. */
export function render(c: Context<AppEnv>, vnode: VNode, status: ContentfulStatusCode = 200): Response {
  return c.html(`<!doctype html>${renderToString(vnode)}`, status);
}
