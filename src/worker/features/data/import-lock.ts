import { and, eq, inArray } from "drizzle-orm";
import { dataExports } from "../../db/schema";
import { AppError } from "../../http/errors";
import type { AccountVerbCtx } from "../documents/drafts";

/**
 * Refuses (409 `conflict`) to issue a document or record a payment while an import runs in this
 * account, rollback included (privacy policy §9.5). An import may be undone if it fails, and its
 * rollback deletes only copies of documents issued elsewhere: nothing issued or received here may
 * land among them.
 */
export async function refuseDuringImport(ctx: AccountVerbCtx): Promise<void> {
  const running = await ctx.db
    .select({ id: dataExports.id })
    .from(dataExports)
    .where(and(eq(dataExports.accountId, ctx.accountId), eq(dataExports.kind, "import"), inArray(dataExports.status, ["queued", "running"])))
    .get();
  if (running) throw new AppError("conflict", ctx.t("data.err.importBusy"));
}
