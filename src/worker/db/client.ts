import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { meteredD1 } from "./metered";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

// Every handle goes through meteredD1, so each request's rows read and written can be budgeted
// (db/metered.ts); the wrapper adds nothing outside a meter.

/**
 * The directory database: users, memberships, sessions, one-time tokens, connection logs.
 * Today it is the same D1 as account data; when shards come, only this module changes.
 */
export function directoryDb(env: Pick<CloudflareBindings, "DB">): Db {
  return drizzle(meteredD1(env.DB), { schema });
}

/**
 * The database that holds an account's business data. Every account-scoped read and write goes
 * through the handle this returns (via the request context), never through `env.DB`, so that
 * accounts can later be spread over several D1 shards (ARCHITECTURE.md, "Scale").
 */
export function accountDb(env: Pick<CloudflareBindings, "DB">, _accountId: string): Db {
  return drizzle(meteredD1(env.DB), { schema });
}

/**
 * Operator-wide work (retention sweeps, reconcilers) walks every shard through this one helper;
 * it never joins two accounts' data.
 */
export async function forEachShard<T>(env: Pick<CloudflareBindings, "DB">, fn: (db: Db) => Promise<T>): Promise<T[]> {
  return [await fn(drizzle(meteredD1(env.DB), { schema }))];
}
