import { and, isNotNull, lt, or } from "drizzle-orm";
import { forEachShard } from "../db/client";
import { authTokens, sessions } from "../db/schema";
import { loadConfig } from "../config";
import type { Bindings } from "../env";
import { scheduleBackups } from "./backups";
import { rotateSealedValues } from "./rotate-keys";

/**
 * Deletes expired sessions and spent or expired one-time tokens, and while a key rotation is under
 * way (DATA_KEY_PREVIOUS set) re-seals one batch of values under the new key, and starts the weekly
 * backup export of accounts due one (jobs/backups.ts). Idempotent.
 */
export async function housekeeping(env: Bindings, now: number): Promise<Record<string, number>> {
  const [counts] = await forEachShard(env, async (db) => {
    const [s, t] = await db.batch([
      db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.idHash }),
      db
        .delete(authTokens)
        .where(or(lt(authTokens.expiresAt, now), and(isNotNull(authTokens.usedAt), lt(authTokens.usedAt, now - 24 * 3600 * 1000))))
        .returning({ id: authTokens.id }),
    ]);
    return { sessions: s.length, tokens: t.length };
  });
  const rotation = loadConfig(env).DATA_KEY_PREVIOUS ? await rotateSealedValues(env, now) : null;
  const backups = await scheduleBackups(env, now);
  return { ...(counts ?? { sessions: 0, tokens: 0 }), ...backups, ...(rotation ? { keys_resealed: rotation.resealed, keys_remaining: rotation.remaining } : {}) };
}
