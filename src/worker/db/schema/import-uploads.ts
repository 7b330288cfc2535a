import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * An import archive being uploaded in parts (privacy policy §9.5, features/data/uploads.ts): the R2
 * multipart upload behind a data_exports row of kind "import" and status "uploading". The row goes
 * when the upload completes or is cancelled; an abandoned one is aborted with its job by the
 * retention of `data_exports` (jobs/retention.ts).
 */
export const dataImportUploads = sqliteTable(
  "data_import_uploads",
  {
    /** data_exports.id of the import job. */
    jobId: text("job_id").primaryKey(),
    accountId: text("account_id").notNull(),
    /** R2 multipart upload id (env.FILES.resumeMultipartUpload(r2Key, uploadId)). */
    uploadId: text("upload_id").notNull(),
    /** Declared size of the whole archive, in bytes. */
    size: integer("size").notNull(),
    /** Every part is exactly this long except the last (R2 wants equal parts). */
    partSize: integer("part_size").notNull(),
    parts: integer("parts").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("data_import_uploads_account").on(t.accountId)],
);

/** A part stored in R2, with the etag the completion needs. Uploading a part again replaces it. */
export const dataImportParts = sqliteTable(
  "data_import_parts",
  {
    jobId: text("job_id").notNull(),
    accountId: text("account_id").notNull(),
    partNumber: integer("part_number").notNull(),
    etag: text("etag").notNull(),
    size: integer("size").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.partNumber] }), index("data_import_parts_account").on(t.accountId)],
);
