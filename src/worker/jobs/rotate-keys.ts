import { sql } from "drizzle-orm";
import { loadConfig } from "../config";
import { forEachShard, type Db } from "../db/client";
import type { Bindings } from "../env";
import { aad, sealerFor } from "../lib/sealer";

// Key rotation (privacy policy §8): after DATA_KEY gets a new value and the old one moves to
// DATA_KEY_PREVIOUS, every sealed value is re-sealed under the new key, a bounded batch per column
// and run, until none is left; then DATA_KEY_PREVIOUS can be removed.

/** Every sealed column: its table, the row key, and the AAD context the value is bound to. */
export interface SealedColumn {
  table: string;
  id: string;
  column: string;
  context: (id: string) => string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "accounts", id: "id", column: "iban_sealed", context: aad.iban },
  { table: "accounts", id: "id", column: "bic_sealed", context: aad.bic },
  { table: "users", id: "id", column: "totp_secret_sealed", context: aad.totp },
  { table: "stripe_connections", id: "account_id", column: "stripe_account_sealed", context: aad.stripeAccount },
  { table: "pa_connections", id: "account_id", column: "client_secret_sealed", context: aad.paClientSecret },
  { table: "documents", id: "id", column: "public_token_sealed", context: aad.publicToken },
];

/** Values re-sealed per column and run: a long backlog drains over a few runs, each well within limits. */
export const ROTATION_BATCH = 500;

export interface RotationSummary extends Record<string, number> {
  resealed: number;
  /** Values still under another key after this run, unreadable ones included (0: DATA_KEY_PREVIOUS may go). */
  remaining: number;
  /** Values no configured key opens (left untouched and logged by column). */
  unreadable: number;
}

/**
 * Re-seals values whose key id is not the current key's. Each update is conditional on the value
 * read, so a concurrent change by the user wins. Idempotent: a second run finds nothing to do.
 */
export async function rotateSealedValues(env: Bindings, _now: number, batch = ROTATION_BATCH): Promise<RotationSummary> {
  const sealer = await sealerFor(loadConfig(env));
  const current = `v1.${sealer.currentKeyId}.%`;
  const summary: RotationSummary = { resealed: 0, remaining: 0, unreadable: 0 };
  await forEachShard(env, async (db) => {
    for (const col of SEALED_COLUMNS) await rotateColumn(db, sealer, col, current, batch, summary);
  });
  return summary;
}

type Sealer = Awaited<ReturnType<typeof sealerFor>>;

async function rotateColumn(db: Db, sealer: Sealer, col: SealedColumn, current: string, batch: number, summary: RotationSummary): Promise<void> {
  // Identifiers come from the constant table above, never from input.
  const table = sql.identifier(col.table);
  const id = sql.identifier(col.id);
  const column = sql.identifier(col.column);
  const stale = await db.all<{ id: string; sealed: string }>(
    sql`SELECT ${id} AS id, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL AND ${column} NOT LIKE ${current} LIMIT ${batch}`,
  );
  let unreadable = 0;
  for (const row of stale) {
    let plain: string;
    try {
      plain = await sealer.open(row.sealed, col.context(row.id));
    } catch {
      unreadable += 1;
      continue;
    }
    const resealed = await sealer.seal(plain, col.context(row.id));
    const done = await db.run(sql`UPDATE ${table} SET ${column} = ${resealed} WHERE ${id} = ${row.id} AND ${column} = ${row.sealed}`);
    summary.resealed += done.meta.changes ?? 0;
  }
  if (unreadable > 0) console.error(JSON.stringify({ level: "error", event: "rotation_unreadable", table: col.table, column: col.column, count: unreadable }));
  summary.unreadable += unreadable;
  const left = await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IS NOT NULL AND ${column} NOT LIKE ${current}`);
  summary.remaining += Number(left?.n ?? 0);
}
