import { and, isNotNull, lt, or } from "drizzle-orm";
import { forEachShard } from "../db/client";
import { authTokens, sessions } from "../db/schema";
import type { Bindings } from "../env";

/** Deletes expired sessions and spent or expired one-time tokens. Idempotent. */
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
  return counts ?? { sessions: 0, tokens: 0 };
}
