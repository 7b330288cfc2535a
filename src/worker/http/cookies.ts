import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";

// Strictly necessary cookies only (privacy policy §10): the session, the CSRF token and, when the
// user explicitly picks one, the interface language. Every one is sent as `__Host-<name>`: bound to
// this host, Secure, path /, HttpOnly, SameSite=Lax.
export const SESSION_COOKIE = "session";
export const CSRF_COOKIE = "csrf";
export const LANG_COOKIE = "lang";

const base: CookieOptions = { path: "/", secure: true, httpOnly: true, sameSite: "Lax", prefix: "host" };

export function readCookie(c: Context, name: string): string | undefined {
  return getCookie(c, name, "host");
}

export function writeCookie(c: Context, name: string, value: string, maxAgeSeconds?: number): void {
  setCookie(c, name, value, maxAgeSeconds === undefined ? base : { ...base, maxAge: maxAgeSeconds });
}

export function clearCookie(c: Context, name: string): void {
  deleteCookie(c, name, base);
}
