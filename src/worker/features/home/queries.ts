import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts } from "../../db/schema";
import type { MessageKey } from "../../ui/i18n";
import { profileCompleteness } from "../profile/completeness";

/** What the dashboard shows about the profile: one row read. */
export async function loadProfileSummary(db: Db, accountId: string): Promise<{ missing: MessageKey[] }> {
  const row = await db.select().from(accounts).where(eq(accounts.id, accountId)).get();
  return { missing: row ? profileCompleteness(row) : [] };
}
