import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * The marker of an import being rolled back (privacy policy §9.5, features/data/rollback.ts): while
 * this row exists, the immutability and append-only triggers let the rows of that account be
 * deleted, so an import that failed after its first write leaves nothing behind. Written only by the
 * job object of an import that had started writing into the account, and deleted when its rollback
 * ends; no route writes it.
 */
export const importRollbacks = sqliteTable("import_rollbacks", {
  accountId: text("account_id").primaryKey(),
  /** data_exports.id of the import being undone. */
  jobId: text("job_id").notNull(),
  startedAt: timestamp("started_at").notNull(),
});
