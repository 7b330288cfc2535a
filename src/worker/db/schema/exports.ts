import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/** "backup": the weekly unattended export of the account (privacy policy §8), never emailed nor listed. */
export const DATA_JOB_KINDS = ["export", "import", "backup"] as const;
/** "uploading": an import archive still arriving in parts (data_import_uploads), not yet started. */
export const DATA_JOB_STATUSES = ["uploading", "queued", "running", "ready", "failed", "expired"] as const;
export type DataJobKind = (typeof DATA_JOB_KINDS)[number];
export type DataJobStatus = (typeof DATA_JOB_STATUSES)[number];

/**
 * Portability jobs (privacy policy §9.5): an export of the account into a zip in R2, or the import
 * of such a zip into a fresh account. The work runs by steps in the job's ExportObject; this row is
 * what the pages read (status, progress step/total). The R2 object is deleted 7 days after creation
 * (retention class `data_exports`) and the row marked `expired`.
 */
export const dataExports = sqliteTable(
  "data_exports",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    kind: text("kind", { enum: DATA_JOB_KINDS }).notNull().default("export"),
    /** users.id of who asked: the email "ready" goes to them. */
    requestedBy: text("requested_by").notNull(),
    status: text("status", { enum: DATA_JOB_STATUSES }).notNull(),
    /** Steps done and steps planned (a step is a page of one table or a few files). */
    step: integer("step").notNull().default(0),
    total: integer("total").notNull().default(0),
    r2Key: text("r2_key"),
    size: integer("size"),
    sha256: text("sha256"),
    /** Stable error code when `failed` (never a message with data in it). */
    error: text("error"),
    createdAt: timestamp("created_at").notNull(),
    readyAt: timestamp("ready_at"),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (t) => [index("data_exports_account").on(t.accountId, t.createdAt), index("data_exports_expires").on(t.status, t.expiresAt)],
);
