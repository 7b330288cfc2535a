import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

/**
 * The directory database: users, memberships, sessions, one-time tokens, connection logs.
 * Today it is the same D1 as account data; when shards come, only this module changes.
 */
export function directoryDb(env: Pick<CloudflareBindings, "DB">): Db {
  return drizzle(env.DB, { schema });
}

/**
 * The database that holds an account's business data. Every account-scoped read and write goes
 * through the handle this returns (via the request context), never through `env.DB`, so that
 * accounts can later be spread over several D1 shards (ARCHITECTURE.md, "Scale").
 */
export function accountDb(env: Pick<CloudflareBindings, "DB">, _accountId: string): Db {
  return drizzle(env.DB, { schema });
}

/**
 * Operator-wide work (retention sweeps, reconcilers) walks every shard through this one helper;
 * it never joins two accounts' data.
 */
export async function forEachShard<T>(env: Pick<CloudflareBindings, "DB">, fn: (db: Db) => Promise<T>): Promise<T[]> {
  return [await fn(drizzle(env.DB, { schema }))];
}
