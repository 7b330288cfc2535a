import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { dataExports } from "../../db/schema";
import { AppError } from "../../http/errors";
import type { AccountVerbCtx } from "../documents/drafts";

/** The tables whose rows make an account's history: an import goes only where none is. */
const BUSINESS_TABLES = ["documents", "clients", "products", "payments"] as const;

/** True when the account holds business data (one indexed row suffices): an import never merges two histories. */
export async function holdsBusinessData(db: Db, accountId: string): Promise<boolean> {
  for (const table of BUSINESS_TABLES) {
    const row = await db.get<{ one: number }>(sql`SELECT 1 AS one FROM ${sql.identifier(table)} WHERE account_id = ${accountId} LIMIT 1`);
    if (row) return true;
  }
  return false;
}

/** True while an import of the account is queued or running (its rollback included). */
export async function importInProgress(db: Db, accountId: string): Promise<boolean> {
  const running = await db
    .select({ id: dataExports.id })
    .from(dataExports)
    .where(and(eq(dataExports.accountId, accountId), eq(dataExports.kind, "import"), inArray(dataExports.status, ["queued", "running"])))
    .get();
  return running !== undefined;
}

/**
 * Refuses (409 `conflict`) to issue a document or record a payment while an import runs in this
 * account, rollback included (privacy policy §9.5). An import may be undone if it fails, and its
 * rollback deletes only copies of documents issued elsewhere: nothing issued or received here may
 * land among them.
 */
export async function refuseDuringImport(ctx: AccountVerbCtx): Promise<void> {
  if (await importInProgress(ctx.db, ctx.accountId)) throw new AppError("conflict", ctx.t("data.err.importBusy"));
}
