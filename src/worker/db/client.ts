import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { meteredD1 } from "./metered";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

// Outside production every handle goes through meteredD1, so each request's rows read and written
// can be budgeted (db/metered.ts). Production gets the plain binding: the meter's `raw()` relies on
// workerd internals, which a production Worker must not call (issue #15), and nothing there reads it.
type D1Env = Pick<CloudflareBindings, "DB"> & { ENVIRONMENT?: string };
const d1Of = (env: D1Env): D1Database => (env.ENVIRONMENT === "production" ? env.DB : meteredD1(env.DB));

/**
 * The directory database: users, memberships, sessions, one-time tokens, connection logs.
 * Today it is the same D1 as account data; when shards come, only this module changes.
 */
export function directoryDb(env: D1Env): Db {
  return drizzle(d1Of(env), { schema });
}

/**
 * The database that holds an account's business data. Every account-scoped read and write goes
 * through the handle this returns (via the request context), never through `env.DB`, so that
 * accounts can later be spread over several D1 shards (ARCHITECTURE.md, "Scale").
 */
export function accountDb(env: D1Env, _accountId: string): Db {
  return drizzle(d1Of(env), { schema });
}

/**
 * Operator-wide work (retention sweeps, reconcilers) walks every shard through this one helper;
 * it never joins two accounts' data.
 */
export async function forEachShard<T>(env: D1Env, fn: (db: Db) => Promise<T>): Promise<T[]> {
  return [await fn(drizzle(d1Of(env), { schema }))];
}
