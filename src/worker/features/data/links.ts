import { base64UrlEncode, hmacSha256Bytes, timingSafeEqual } from "../../lib/crypto/random";

/** How long an export's download link (and the archive itself) lives: privacy policy §9.5. */
export const EXPORT_TTL_MS = 7 * 24 * 3600 * 1000;

export const DATA_PATH = "/mes-donnees";
export const EXPORTS_PATH = `${DATA_PATH}/exports`;
export const IMPORT_PATH = `${DATA_PATH}/import`;

/** The API the page's script uploads an import archive to, in parts (features/data/uploads.ts). */
export const IMPORT_UPLOAD_API = "/api/v1/data/imports";
/** One part of an import upload, under the JSON API. */
export const IMPORT_PART_PATH = /^\/api\/v1\/data\/imports\/[^/]+\/parts\/[^/]+$/;
/** Largest part of an upload asked for (uploads.ts), under the Worker's 100 MB request body limit. */
export const MAX_PART_BYTES = 90 * 1024 * 1024;
/** Largest body of a part request: the largest part plus a margin. */
export const IMPORT_PART_MAX_BODY = MAX_PART_BYTES + 64 * 1024;

/**
 * Largest archive the import FORM accepts (the route raises the app's body limit to this: the form
 * is read whole). The page's script uploads in parts instead (uploads.ts).
 */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;
/** Largest body of the one-shot import form: the archive plus the form's envelope. */
export const IMPORT_FORM_MAX_BODY = IMPORT_MAX_BYTES + 64 * 1024;

/**
 * The body limit of a request that sets its own instead of the app-wide one (app.tsx), or null;
 * `streamed` when its handler streams the body (to R2) rather than reading it. Such requests are
 * checked from their headers alone (session, CSRF, declared length) before their body is read:
 * http/large-body.ts.
 */
export function ownBodyLimit(method: string, path: string): { maxBytes: number; streamed: boolean } | null {
  if (method === "POST" && path === IMPORT_PATH) return { maxBytes: IMPORT_FORM_MAX_BODY, streamed: false };
  // uploadImportPart wants an exact Content-Length and streams the body: a chunked part is refused there.
  if (method === "PUT" && IMPORT_PART_PATH.test(path)) return { maxBytes: IMPORT_PART_MAX_BODY, streamed: true };
  return null;
}

/** Requests that set their own body limit instead of the app-wide one (app.tsx). */
export function hasOwnBodyLimit(method: string, path: string): boolean {
  return ownBodyLimit(method, path) !== null;
}

export const exportPath = (id: string) => `${EXPORTS_PATH}/${encodeURIComponent(id)}`;

/** Purpose-bound key: a link signature can never be replayed as any other token of the app. */
async function linkKey(sessionSecret: string): Promise<Uint8Array> {
  return hmacSha256Bytes(sessionSecret, "factumo:data-export-link:v1");
}

async function signature(sessionSecret: string, id: string, expires: number): Promise<string> {
  return base64UrlEncode(await hmacSha256Bytes(await linkKey(sessionSecret), `${id}|${expires}`));
}

/**
 * The signed download link of an export, valid until `expires` (ms). The download route ALSO asks
 * for the owner's session: a forwarded or leaked link alone downloads nothing.
 */
export async function signedDownloadPath(sessionSecret: string, id: string, expires: number): Promise<string> {
  return `${exportPath(id)}/telecharger?expires=${expires}&sig=${await signature(sessionSecret, id, expires)}`;
}

export type LinkCheck = { ok: true } | { ok: false; reason: "forged" | "expired" };

/** Checks a download link's signature first (a forged link learns nothing), then its expiry. */
export async function checkDownloadLink(sessionSecret: string, id: string, expires: string | undefined, sig: string | undefined, now: number): Promise<LinkCheck> {
  if (!expires || !sig || !/^\d{1,16}$/.test(expires)) return { ok: false, reason: "forged" };
  const expected = await signature(sessionSecret, id, Number(expires));
  if (!timingSafeEqual(expected, sig)) return { ok: false, reason: "forged" };
  if (Number(expires) <= now) return { ok: false, reason: "expired" };
  return { ok: true };
}
