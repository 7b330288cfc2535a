import * as z from "zod";

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
    ENVIRONMENT: z.enum(["production", "local", "test"]),
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
  })
  .refine((c) => c.ENVIRONMENT !== "production" || c.RESEND_API_KEY, {
    message: "RESEND_API_KEY est obligatoire en production (sans lui, aucun email ne part)",
    path: ["RESEND_API_KEY"],
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
