import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { csrfFromHeaders } from "./csrf";
import { AppError } from "./errors";

/** A route's own body limit: its size, whether its handler streams the body, its own 413 answer. */
export interface OwnBodyLimit {
  maxBytes: number;
  streamed: boolean;
  /** The answer to a body over the limit (a page with the form's error); a JSON/page 413 otherwise. */
  tooLarge?: (c: Context<AppEnv>) => Response | Promise<Response>;
}

/**
 * Guards the few requests allowed a body above the app-wide limit (an import archive): everything
 * that can be checked from the headers is checked BEFORE a byte of the body is read (the CSRF
 * middleware would otherwise parse a whole multipart to find its token, for anyone):
 * 1. CSRF from the headers (csrf.ts csrfFromHeaders): 403;
 * 2. a session: 401 for the API, the login page for a form;
 * 3. the declared `Content-Length`: over the route's limit (or not a number) is a 413 at once;
 * and a body the handler reads (not streams) is read through a counting cap, so a chunked body
 * cannot exceed the limit either. `limitOf` answers the route's own limit, or null for routes
 * under the app-wide one.
 */
export function guardLargeBody(limitOf: (method: string, path: string) => OwnBodyLimit | null) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const limit = limitOf(c.req.method, c.req.path);
    if (limit === null) return next();
    const max = limit.maxBytes;
    if (!csrfFromHeaders(c)) throw new AppError("forbidden", c.var.t("err.csrf"));
    if (!c.var.auth) {
      if (c.req.path.startsWith("/api/")) throw new AppError("unauthorized", "Connexion requise.");
      return c.redirect("/connexion", 303);
    }
    const declared = c.req.header("content-length");
    const refuse = (ctx: Context<AppEnv>) => (limit.tooLarge ? limit.tooLarge(ctx) : Promise.reject(tooLarge(ctx.var.locale)));
    if (declared !== undefined && !(/^\d{1,16}$/.test(declared) && Number(declared) <= max)) return refuse(c);
    if (limit.streamed) return next();
    return bodyLimit({ maxSize: max, onError: refuse })(c, next);
  });
}

function tooLarge(locale: string): AppError {
  return new AppError("payload_too_large", locale === "en" ? "The request is too large." : "La requête est trop volumineuse.");
}
