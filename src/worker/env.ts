import type { Config } from "./config";
import type { Db } from "./db/client";
import type { Locale, Translate } from "./ui/i18n";

/** Secrets that are optional everywhere, so `wrangler types` cannot know them. */
export interface OptionalSecrets {
  DATA_KEY_PREVIOUS?: string;
  RESEND_API_KEY?: string;
  RESEND_BASE_URL?: string;
  MAIL_FROM?: string;
}

export type Bindings = CloudflareBindings & OptionalSecrets;

/** The signed-in person and the account they act for, resolved from the session cookie. */
export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  emailVerified: boolean;
  totpEnabled: boolean;
}

export interface CurrentAccount {
  id: string;
  name: string;
  role: "owner";
  frozen: boolean;
}

export interface Auth {
  sessionIdHash: string;
  user: CurrentUser;
  account: CurrentAccount;
}

export interface AppVariables {
  requestId: string;
  config: Config;
  locale: Locale;
  t: Translate;
  /** CSP nonce set by hono/secure-headers, used by island scripts. */
  secureHeadersNonce?: string;
  csrfToken: string;
  auth: Auth | null;
  /** The account's D1 handle; set only for signed-in requests. */
  db: Db;
}

export type AppEnv = { Bindings: Bindings; Variables: AppVariables };
