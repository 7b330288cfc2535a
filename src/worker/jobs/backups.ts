import { sql } from "drizzle-orm";
import { forEachShard } from "../db/client";
import { dataExports } from "../db/schema";
import type { Bindings } from "../env";
import { exportObjectFor } from "../exports/export-object";
import { randomId } from "../lib/crypto/random";
import { retentionCutoff } from "../domain/retention";

// Privacy policy §8 "sauvegardes régulières": besides D1 Time Travel (the whole database, 30 days),
// every open account is exported each week to R2 by the same machinery as "Exporter mes données"
// (JSON + CSV of every table, issued PDFs and XML), unattended and without any email. A backup is
// a data export: it is purged with them after 7 days, so a new one is taken a day before.

/** Accounts given a new backup per run and shard: a bounded nightly amount of work. */
export const BACKUPS_PER_RUN = 50;
const DAY_MS = 24 * 3600 * 1000;
/** An account is backed up again once its latest backup is this old (one day before the purge). */
export const BACKUP_EVERY_MS = 6 * DAY_MS;

/** Starts a backup job for accounts whose latest backup is older than {@link BACKUP_EVERY_MS}. */
export async function scheduleBackups(env: Bindings, now: number): Promise<{ backups_scheduled: number }> {
  let scheduled = 0;
  await forEachShard(env, async (db) => {
    // Still purgeable exports are the only ones that count: an older row is gone from R2.
    const since = Math.max(now - BACKUP_EVERY_MS, retentionCutoff("data_exports", now));
    const due = await db.all<{ accountId: string; ownerId: string }>(sql`
      SELECT a.id AS accountId, (SELECT m.user_id FROM memberships m WHERE m.account_id = a.id ORDER BY m.user_id LIMIT 1) AS ownerId
      FROM accounts a
      WHERE a.closed_at IS NULL
        AND EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM data_exports e WHERE e.account_id = a.id AND e.kind = 'backup' AND e.status != 'failed' AND e.created_at > ${since})
      LIMIT ${BACKUPS_PER_RUN}`);
    for (const { accountId, ownerId } of due) {
      const id = randomId();
      await db.insert(dataExports).values({
        id,
        accountId,
        kind: "backup",
        requestedBy: ownerId,
        status: "queued",
        step: 0,
        total: 0,
        createdAt: now,
        expiresAt: now + 7 * DAY_MS,
      });
      await exportObjectFor(env, id).start({ id, accountId, requestedBy: ownerId, kind: "backup", createdAt: now });
      scheduled += 1;
    }
  });
  return { backups_scheduled: scheduled };
}
