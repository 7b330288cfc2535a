import { loadConfig } from "../config";
import { accountDb, forEachShard } from "../db/client";
import type { Bindings } from "../env";
import { issueDocument, pendingIssues } from "../features/documents/issue";
import { translator } from "../ui/i18n";

/** An issue left unfinished this long is finished by the cron (a live request would be done by then). */
export const RECONCILE_AFTER_MS = 5 * 60 * 1000;

/**
 * Finishes every issue whose number was allocated but whose final D1 write never landed: issueDocument
 * is idempotent per document, so it completes with the number already allocated. No gap remains.
 */
export async function reconcileIssues(env: Bindings, now: number): Promise<Record<string, number>> {
  const config = loadConfig(env);
  let finished = 0;
  let failed = 0;
  await forEachShard(env, async (db) => {
    for (const { id, accountId } of await pendingIssues(db, now - RECONCILE_AFTER_MS)) {
      const ctx = { env, config, db: accountDb(env, accountId), now, locale: "fr" as const, t: translator("fr"), accountId };
      try {
        await issueDocument(ctx, id);
        finished += 1;
      } catch (err) {
        failed += 1;
        console.error(JSON.stringify({ level: "error", event: "reconcile_failed", documentId: id, error: String(err) }));
      }
    }
  });
  return { finished, failed };
}
