/**
 * The Plateformes Agréées Factumo may call (pure data, no I/O). A production Worker reaches only
 * declared hosts (lib/outbound.ts, privacy policy §5): the operator's platform PA and a user's own
 * PA must both be listed here, with the hosts of their token, Flow and Directory endpoints. Adding a
 * PA = one entry here (the policy page then names it among the recipients).
 *
 * Hosts are taken from each PA's public documentation; check them against the PA's contract
 * before production (PA-API.md marks SUPER PDP's paths as uncertain).
 */
export interface PlatformEntry {
  id: string;
  name: string;
  hosts: readonly string[];
  /**
   * The PA's registration number with the DGFiP (4 characters, scheme 0238), written as Sender of
   * the e-reporting files sent through it. Unknown → the declarant is the Sender (ereporting.ts
   * senderOf); fill it from the PA's contract, never guess.
   */
  registrationId?: string;
}

export const PLATFORMS: readonly PlatformEntry[] = [{ id: "superpdp", name: "SUPER PDP", hosts: ["api.superpdp.tech"] }];

/** Every host of a listed PA. */
export const PLATFORM_HOSTS: readonly string[] = PLATFORMS.flatMap((p) => p.hosts);

/** True when `url` is an https URL on a listed PA's host (what production accepts). */
export function isPlatformUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" && PLATFORM_HOSTS.includes(u.hostname.toLowerCase());
  } catch {
    return false;
  }
}
