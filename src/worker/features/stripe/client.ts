import Stripe from "stripe";
import type { Config } from "../../config";

export type StripeConfig = Pick<Config, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">;

const cache = new WeakMap<object, Stripe>();

/**
 * The Stripe SDK for the platform key, on the Workers fetch client. `STRIPE_API_BASE` (tests and
 * local runs only; config.ts refuses it in production) points it at a local test server.
 * Null when no key is configured: online payment is then simply unavailable.
 */
export function stripeFor(config: StripeConfig): Stripe | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const hit = cache.get(config);
  if (hit) return hit;
  const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : null;
  const stripe = new Stripe(config.STRIPE_SECRET_KEY, {
    httpClient: Stripe.createFetchHttpClient(),
    // One retry: every write we make carries an idempotency key, so a retry cannot double anything.
    maxNetworkRetries: 1,
    timeout: 15_000,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
          protocol: base.protocol === "https:" ? ("https" as const) : ("http" as const),
        }
      : {}),
  });
  cache.set(config, stripe);
  return stripe;
}

/** Signature checks use WebCrypto: the Workers runtime has no Node crypto HMAC in the SDK's path. */
export const webCryptoProvider = Stripe.createSubtleCryptoProvider();

export type { Stripe };
