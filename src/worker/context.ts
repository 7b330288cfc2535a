import type { Context } from "hono";
import type { Config } from "./config";
import { directoryDb, type Db } from "./db/client";
import type { AppEnv, Bindings } from "./env";
import type { Locale, Translate } from "./ui/i18n";

/** What a domain verb needs: bindings, validated config, a D1 handle, the clock and the language. */
export interface VerbCtx {
  env: Bindings;
  config: Config;
  db: Db;
  now: number;
  locale: Locale;
  t: Translate;
}

/** Verb context for directory work (auth, sessions): the directory database. */
export function directoryCtx(c: Context<AppEnv>): VerbCtx {
  return { env: c.env, config: c.var.config, db: directoryDb(c.env), now: Date.now(), locale: c.var.locale, t: c.var.t };
}

/** Verb context for the signed-in account: its own D1 handle from the request context. */
export function accountCtx(c: Context<AppEnv>): VerbCtx & { accountId: string; userId: string } {
  const auth = c.var.auth;
  if (!auth) throw new Error("accountCtx used on an unauthenticated request");
  return {
    env: c.env,
    config: c.var.config,
    db: c.var.db,
    now: Date.now(),
    locale: c.var.locale,
    t: c.var.t,
    accountId: auth.account.id,
    userId: auth.user.id,
  };
}
