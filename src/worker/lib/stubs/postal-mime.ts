/**
 * Stands in for `postal-mime` in the Worker (wrangler.toml `[alias]`, mirrored by vitest.config.ts).
 * The `resend` SDK imports it only to parse a received email it forwards (emails.receiving
 * forward); Factumo only sends and verifies webhooks, so the ~71 KiB MIME parser is left out and
 * any call fails loudly instead of forwarding something half-parsed.
 */
import type RealPostalMime from "postal-mime";

export const POSTAL_MIME_UNAVAILABLE =
  "postal-mime is not bundled in Factumo (wrangler.toml [alias]): the Worker only sends email through Resend and never parses received messages";

export default class PostalMime {
  static parse(..._args: Parameters<typeof RealPostalMime.parse>): ReturnType<typeof RealPostalMime.parse> {
    return Promise.reject(new Error(POSTAL_MIME_UNAVAILABLE));
  }
}
