import { base64UrlEncode, hmacSha256Bytes, timingSafeEqual } from "../../lib/crypto/random";

/** How long an export's download link (and the archive itself) lives: privacy policy §9.5. */
export const EXPORT_TTL_MS = 7 * 24 * 3600 * 1000;

export const DATA_PATH = "/mes-donnees";
export const EXPORTS_PATH = `${DATA_PATH}/exports`;
export const IMPORT_PATH = `${DATA_PATH}/import`;

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
