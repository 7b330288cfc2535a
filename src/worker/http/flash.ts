import type { Context } from "hono";
import type { AppEnv } from "../env";
import { aad, sealerFor } from "../lib/sealer";
import { clearCookie, readCookie, writeCookie } from "./cookies";

/**
 * What a form's POST hands to the page it redirects to (Post/Redirect/Get): a refusal to show, or a
 * result shown once (2FA recovery codes). Carried by one strictly necessary cookie, sealed with
 * DATA_KEY and bound to the user, the target page and a purpose, read once, kept 5 minutes at most.
 */
export const FLASH_COOKIE = "flash";
const TTL_SECONDS = 300;
/** A cookie stays under 4 KB: a larger payload is not kept (the page then shows without it). */
const MAX_SEALED_LENGTH = 3_800;

interface Sealed<T> {
  purpose: string;
  path: string;
  exp: number;
  value: T;
}

const ownerOf = (c: Context<AppEnv>) => c.var.auth?.user.id ?? "visitor";

/** Seals `value` for the next GET of `path` (a path without query or fragment). */
export async function putFlash<T>(c: Context<AppEnv>, purpose: string, path: string, value: T): Promise<void> {
  const payload: Sealed<T> = { purpose, path, exp: Date.now() + TTL_SECONDS * 1000, value };
  const sealed = await (await sealerFor(c.var.config)).seal(JSON.stringify(payload), aad.flash(ownerOf(c)));
  if (sealed.length <= MAX_SEALED_LENGTH) writeCookie(c, FLASH_COOKIE, sealed, TTL_SECONDS);
}

/** The value put for this page and purpose, once: the cookie is cleared as it is read. */
export async function takeFlash<T>(c: Context<AppEnv>, purpose: string): Promise<T | null> {
  const raw = readCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  try {
    const payload = JSON.parse(await (await sealerFor(c.var.config)).open(raw, aad.flash(ownerOf(c)))) as Sealed<T>;
    if (payload.purpose !== purpose || payload.path !== c.req.path) return null;
    clearCookie(c, FLASH_COOKIE);
    return payload.exp >= Date.now() ? payload.value : null;
  } catch {
    clearCookie(c, FLASH_COOKIE);
    return null;
  }
}
