import * as z from "zod";
import { PWNED_PASSWORDS_API } from "./lib/pwned-passwords";
import { TURNSTILE_SITEVERIFY, TURNSTILE_TEST_KEYS, isTurnstileTestSecret } from "./lib/turnstile";

const base64Key = z
  .string()
  .refine((v) => {
    try {
      return atob(v).length === 32;
    } catch {
      return false;
    }
  }, "doit être 32 octets encodés en base64 (openssl rand -base64 32)");

const secret = (name: string) =>
  z.string({ error: `${name} manquant` }).min(32, `${name} doit faire au moins 32 caractères`);

const ConfigSchema = z
  .object({
    /** "local"/"development": `npm start` and the e2e runs; "test": vitest; "production": deployed. */
    ENVIRONMENT: z.enum(["production", "local", "development", "test"]),
    APP_URL: z.url(),
    SESSION_SECRET: secret("SESSION_SECRET"),
    PASSWORD_PEPPER: secret("PASSWORD_PEPPER"),
    DATA_KEY: base64Key,
    DATA_KEY_PREVIOUS: base64Key.optional(),
    RESEND_API_KEY: z.string().min(1).optional(),
    /** Points the Resend SDK at a local test server; never set in production. */
    RESEND_BASE_URL: z.url().optional(),
    /** Signing secret of the Resend delivery webhook (whsec_…); without it /webhooks/resend answers 404. */
    RESEND_WEBHOOK_SECRET: z.string().min(1).optional(),
    MAIL_FROM: z.string().min(3).default("Factumo <no-reply@factumo.fr>"),
    /** Bearer secret of the operator commands (`npm run keys:rotate`); without it they do not exist. */
    OPERATOR_TOKEN: secret("OPERATOR_TOKEN").optional(),
    /** Platform key of Stripe Connect (sk_…); without it online payment is unavailable. */
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    /** Signing secret of the Connect webhook endpoint (whsec_…); without it /webhooks/stripe answers 404. */
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    /** Points the Stripe SDK at a local test server (http://127.0.0.1:PORT); refused in production. */
    STRIPE_API_BASE: z.url().optional(),
    /**
     * Factumo's platform PA (e-invoicing network, LEGAL.md §7): OAuth2 token URL, Flow Service and
     * Directory Service base URLs, and the delegated client credentials. All five or none; without
     * them only accounts with their own PA credentials can transmit. In production only hosts of the
     * outbound allow-list are reached (domain/einvoice/platforms.ts, lib/outbound.ts).
     */
    PA_TOKEN_URL: z.url().optional(),
    PA_FLOW_URL: z.url().optional(),
    PA_DIRECTORY_URL: z.url().optional(),
    PA_CLIENT_ID: z.string().min(1).optional(),
    PA_CLIENT_SECRET: z.string().min(1).optional(),
    /**
     * Cloudflare Turnstile (the challenge after CAPTCHA_AFTER sign-in failures for one email). Local
     * and test defaults are Cloudflare's published test keys (always pass); production must set its
     * own. TURNSTILE_VERIFY_URL points at a local stand-in in tests and `npm start`; in production
     * the outbound guard only lets challenges.cloudflare.com through.
     */
    TURNSTILE_SITE_KEY: z.string().min(1).default(TURNSTILE_TEST_KEYS.site),
    TURNSTILE_SECRET_KEY: z.string().min(1).default(TURNSTILE_TEST_KEYS.secret),
    TURNSTILE_VERIFY_URL: z.url().default(TURNSTILE_SITEVERIFY),
    /** Pwned Passwords range API (lib/pwned-passwords.ts); a local stand-in in tests and `npm start`. */
    PWNED_PASSWORDS_URL: z.url().default(PWNED_PASSWORDS_API),
    /**
     * Reliability harness only (`npm run reliability`): probability (0..1) that an issue request fails
     * right after its number is allocated, before the D1 write. Refused in production below.
     */
    FAULT_ISSUE_WRITE_RATE: z.coerce.number().min(0).max(1).optional(),
  })
  .refine((c) => c.ENVIRONMENT !== "production" || !c.STRIPE_API_BASE, {
    message: "STRIPE_API_BASE est réservé aux tests (en production, le SDK parle à api.stripe.com)",
    path: ["STRIPE_API_BASE"],
  })
  .refine((c) => c.ENVIRONMENT !== "production" || !isTurnstileTestSecret(c.TURNSTILE_SECRET_KEY), {
    message: "TURNSTILE_SECRET_KEY est obligatoire en production (les clés de test de Cloudflare laissent tout passer)",
    path: ["TURNSTILE_SECRET_KEY"],
  })
  .refine((c) => c.ENVIRONMENT !== "production" || c.RESEND_API_KEY, {
    message: "RESEND_API_KEY est obligatoire en production (sans lui, aucun email ne part)",
    path: ["RESEND_API_KEY"],
  })
  .refine((c) => [c.PA_TOKEN_URL, c.PA_FLOW_URL, c.PA_DIRECTORY_URL, c.PA_CLIENT_ID, c.PA_CLIENT_SECRET].every((v) => v === undefined) || [c.PA_TOKEN_URL, c.PA_FLOW_URL, c.PA_DIRECTORY_URL, c.PA_CLIENT_ID, c.PA_CLIENT_SECRET].every((v) => v !== undefined), {
    message: "PA_TOKEN_URL, PA_FLOW_URL, PA_DIRECTORY_URL, PA_CLIENT_ID et PA_CLIENT_SECRET vont ensemble (tous ou aucun)",
    path: ["PA_CLIENT_ID"],
  })
  .refine((c) => c.ENVIRONMENT !== "production" || c.FAULT_ISSUE_WRITE_RATE === undefined, {
    message: "FAULT_ISSUE_WRITE_RATE est réservé aux tests de fiabilité, jamais en production",
    path: ["FAULT_ISSUE_WRITE_RATE"],
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Raised once per isolate when a secret or variable is missing or malformed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration invalide : ${problems.join(" ; ")}`);
    this.name = "ConfigError";
  }
}

const cache = new WeakMap<object, Config>();

/**
 * Validates the Worker's secrets and variables once per env object (that is, once per isolate) and
 * returns them typed. A missing or weak secret stops every request with a clear message.
 */
export function loadConfig(env: object): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  cache.set(env, parsed.data);
  return parsed.data;
}

/** Local and test modes may use the dev outbox and relaxed conveniences; production never. */
export const isLocal = (config: Config) => config.ENVIRONMENT !== "production";

/**
 * The dev tools (`/dev/outbox` page, `/dev/seed`) exist only on a developer's machine: a test run
 * behaves as production for them, so a deployment mislabelled "test" still exposes neither the
 * mails of other users nor a route that creates accounts.
 */
export const hasDevTools = (config: Config) => config.ENVIRONMENT === "local" || config.ENVIRONMENT === "development";
