import { eq } from "drizzle-orm";
import { loadConfig } from "../../config";
import { type Db, accountDb, forEachShard } from "../../db/client";
import { paConnections } from "../../db/schema";
import type { Bindings } from "../../env";
import { base64Decode, hmacSha256Bytes, timingSafeEqual } from "../../lib/crypto/random";
import { type NetCtx, transmittingAccounts, webhookKey } from "./connection";
import { syncStatuses } from "./inbound";
import { accountsWithDueSubmissions, processOutbox } from "./outbox";

/** A network context for one account outside a request (cron, webhook). */
export function netCtx(env: Bindings, db: Db, accountId: string, now: number): NetCtx {
  return { env, config: loadConfig(env), db, accountId, now };
}

/**
 * The cron of the e-invoicing network: sends what is due in the outbox (backoff after an outage),
 * then polls the statuses of every transmitting account from its cursor. An account's failure is
 * logged and does not stop the others; its rows stay queued and its cursor where it was.
 */
export async function runPaNetwork(env: Bindings, now: number): Promise<Record<string, number>> {
  const totals = { accounts: 0, sent: 0, found: 0, retry: 0, failed: 0, flows: 0, statuses: 0, acks: 0, errors: 0 };
  await forEachShard(env, async (db) => {
    const ids = new Set<string>();
    for (const r of await accountsWithDueSubmissions(db, now)) ids.add(r.accountId);
    for (const r of await transmittingAccounts(db)) ids.add(r.accountId);
    for (const accountId of ids) {
      totals.accounts += 1;
      try {
        const ctx = netCtx(env, accountDb(env, accountId), accountId, now);
        const out = await processOutbox(ctx);
        totals.sent += out.sent;
        totals.found += out.found;
        totals.retry += out.retry;
        totals.failed += out.failed;
        const sync = await syncStatuses(ctx);
        totals.flows += sync.flows;
        totals.statuses += sync.statuses;
        totals.acks += sync.acks;
      } catch (err) {
        totals.errors += 1;
        console.error(JSON.stringify({ level: "error", event: "pa_network_account_failed", error: err instanceof Error ? err.message : String(err) }));
      }
    }
  });
  return totals;
}

/**
 * A webhook from the PA for one account: checks the `Signature` (base64 HMAC-SHA256 of the raw
 * body under the account's derived key), then polls that account — the payload itself is only a
 * hint (PA-API.md §2: keep the search as the reliable source). Returns false for a bad signature.
 */
export async function handlePaWebhook(env: Bindings, accountId: string, body: string, signature: string | undefined, now: number): Promise<"bad_signature" | "unknown_account" | "synced"> {
  const config = loadConfig(env);
  if (!signature || accountId.length > 64) return "bad_signature";
  let given: Uint8Array;
  try {
    given = base64Decode(signature.trim());
  } catch {
    return "bad_signature";
  }
  const expected = await hmacSha256Bytes(await webhookKey(config, accountId), body);
  if (!timingSafeEqual(given, expected)) return "bad_signature";
  const db = accountDb(env, accountId);
  const [conn] = await db.select({ accountId: paConnections.accountId }).from(paConnections).where(eq(paConnections.accountId, accountId)).limit(1);
  if (!conn) return "unknown_account";
  const ctx = netCtx(env, db, accountId, now);
  await processOutbox(ctx);
  await syncStatuses(ctx);
  return "synced";
}
