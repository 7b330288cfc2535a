import type { Config } from "../config";
import { createSealer } from "./crypto/envelope";

type Sealer = Awaited<ReturnType<typeof createSealer>>;
const cache = new WeakMap<Config, Promise<Sealer>>();

/** The AES-GCM sealer for sensitive columns, built once per isolate from DATA_KEY. */
export function sealerFor(config: Config): Promise<Sealer> {
  let s = cache.get(config);
  if (!s) {
    s = createSealer({ current: config.DATA_KEY, ...(config.DATA_KEY_PREVIOUS ? { previous: config.DATA_KEY_PREVIOUS } : {}) });
    cache.set(config, s);
  }
  return s;
}

/** AAD strings bind a sealed value to its row and column: a copied ciphertext does not open elsewhere. */
export const aad = {
  totp: (userId: string) => `user:${userId}:totp`,
  iban: (accountId: string) => `account:${accountId}:iban`,
  bic: (accountId: string) => `account:${accountId}:bic`,
  stripeAccount: (accountId: string) => `account:${accountId}:stripe_account`,
  paClientSecret: (accountId: string) => `account:${accountId}:pa_client_secret`,
  publicToken: (documentId: string) => `document:${documentId}:public_token`,
  flash: (userId: string) => `user:${userId}:flash`,
};
