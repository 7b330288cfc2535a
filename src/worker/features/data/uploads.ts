import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { dataExports, dataImportParts, dataImportUploads } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { MAX_PART_BYTES } from "./links";
import { type Ctx, type DataJobRow, assertImportAllowed, importJobRow, importRequestedEntry, startImportJob } from "./verbs";

// Import archives of any size (privacy policy §9.5): the page sends the archive in parts, each part
// streamed from the request straight into an R2 multipart upload, so no request holds the archive
// and the Worker's request body limit (100 MB) bounds a part, not the archive.

const MiB = 1024 * 1024;
/** R2: every part but the last is at least 5 MiB, and all of them are the same size. */
export const MIN_PART_BYTES = 5 * MiB;
/** The usual part: a few seconds of upload, far under the Worker's request body limit. */
export const PART_BYTES = 8 * MiB;
/** R2: part numbers 1…10 000. */
export const MAX_PARTS = 10_000;
/** Largest archive accepted: 10 000 parts of 90 MiB, about 879 GiB (R2 objects go to 5 TiB). */
export const MAX_UPLOAD_BYTES = MAX_PART_BYTES * MAX_PARTS;

export interface PartPlan {
  partSize: number;
  parts: number;
}

/** How an archive of `size` bytes is cut: 8 MiB parts, larger (whole MiB) past 10 000 of them. */
export function partPlan(size: number): PartPlan | null {
  if (!Number.isSafeInteger(size) || size <= 0 || size > MAX_UPLOAD_BYTES) return null;
  const partSize = Math.max(PART_BYTES, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  return { partSize, parts: Math.ceil(size / partSize) };
}

/** Exact length of part `n` (1-based): the part size, except the last part which holds the rest. */
export function expectedPartSize(plan: PartPlan & { size: number }, n: number): number {
  return n < plan.parts ? plan.partSize : plan.size - (plan.parts - 1) * plan.partSize;
}

type Upload = typeof dataImportUploads.$inferSelect;

const invalid = (field: string, message: string) => new AppError("invalid", message, { [field]: message });

/** The job and its upload; an unknown id, another account's, or one no longer uploading: 404. */
async function loadUpload(ctx: Ctx, id: string): Promise<{ row: DataJobRow; upload: Upload }> {
  const row = await ctx.db
    .select()
    .from(dataExports)
    .where(and(eq(dataExports.id, id), eq(dataExports.accountId, ctx.accountId), eq(dataExports.kind, "import"), eq(dataExports.status, "uploading")))
    .get();
  const upload = row
    ? await ctx.db
        .select()
        .from(dataImportUploads)
        .where(and(eq(dataImportUploads.jobId, id), eq(dataImportUploads.accountId, ctx.accountId)))
        .get()
    : undefined;
  if (!row || !upload || !row.r2Key) throw new AppError("not_found", ctx.t("data.err.uploadNotFound"));
  return { row, upload };
}

/** Aborts the R2 multipart upload; one R2 already dropped (aborted, completed, expired) is fine. */
async function abortR2Upload(bucket: R2Bucket, key: string, uploadId: string): Promise<void> {
  try {
    await bucket.resumeMultipartUpload(key, uploadId).abort();
  } catch {
    // Nothing left to abort: R2 forgets an upload once completed or aborted.
  }
}

/**
 * Drops an upload that will never complete: its R2 parts, its bookkeeping rows and, unless
 * `keepJob`, the job row itself (a job that never started leaves nothing to show). Used by
 * the cancel route, by a new upload replacing an abandoned one, and by the retention of
 * `data_exports` on a shard (operator-wide: `db` is the shard, `jobId` says whose rows).
 */
export async function discardImportUpload(bucket: R2Bucket, db: Db, jobId: string, r2Key: string, keepJob = false): Promise<void> {
  const upload = await db.select({ uploadId: dataImportUploads.uploadId }).from(dataImportUploads).where(eq(dataImportUploads.jobId, jobId)).get();
  if (upload) await abortR2Upload(bucket, r2Key, upload.uploadId);
  await db.batch([
    db.delete(dataImportParts).where(eq(dataImportParts.jobId, jobId)),
    db.delete(dataImportUploads).where(eq(dataImportUploads.jobId, jobId)),
    ...(keepJob ? [] : [db.delete(dataExports).where(and(eq(dataExports.id, jobId), eq(dataExports.status, "uploading")))]),
  ]);
}

export interface UploadStart {
  row: DataJobRow;
  partSize: number;
  parts: number;
}

/**
 * Opens the upload of an import archive of `size` bytes: the import job (status `uploading`,
 * progress = parts received) and its R2 multipart upload. Refused (nothing written) exactly as
 * the import itself would be: empty or oversized archive, account not fresh, import running. An
 * upload of this account left unfinished (a closed tab) is discarded: one upload at a time.
 */
export async function createImportUpload(ctx: Ctx, size: number): Promise<UploadStart> {
  await assertImportAllowed(ctx, size);
  const plan = partPlan(size);
  if (!plan) throw invalid("archive", ctx.t("data.err.uploadTooLarge"));
  const stale = await ctx.db
    .select({ id: dataExports.id, r2Key: dataExports.r2Key })
    .from(dataExports)
    .where(and(eq(dataExports.accountId, ctx.accountId), eq(dataExports.kind, "import"), eq(dataExports.status, "uploading")))
    .all();
  for (const job of stale) if (job.r2Key) await discardImportUpload(ctx.env.FILES, ctx.db, job.id, job.r2Key);

  const row = { ...importJobRow(ctx, randomId(), "uploading", size), total: plan.parts };
  const multipart = await ctx.env.FILES.createMultipartUpload(row.r2Key!, { httpMetadata: { contentType: "application/zip" } });
  try {
    await ctx.db.batch([
      ctx.db.insert(dataExports).values(row),
      ctx.db.insert(dataImportUploads).values({ jobId: row.id, accountId: ctx.accountId, uploadId: multipart.uploadId, size, ...plan, createdAt: ctx.now }),
    ]);
  } catch (err) {
    await abortR2Upload(ctx.env.FILES, row.r2Key!, multipart.uploadId);
    throw err;
  }
  return { row, ...plan };
}

/**
 * Stores part `n` of an upload, streamed from `body` into R2 (never buffered). The request must
 * say its length (Content-Length), and that length must be exactly the part's: R2 needs a known
 * length and equal parts. Sending a part again replaces it. Returns how many parts are stored.
 */
export async function uploadImportPart(
  ctx: Ctx,
  id: string,
  n: string,
  contentLength: string | undefined,
  body: ReadableStream<Uint8Array> | null,
): Promise<{ partNumber: number; received: number; parts: number }> {
  const { row, upload } = await loadUpload(ctx, id);
  const partNumber = /^\d{1,5}$/.test(n) ? Number(n) : Number.NaN;
  if (!(partNumber >= 1 && partNumber <= upload.parts)) throw invalid("part", ctx.t("data.err.partNumber", { parts: String(upload.parts) }));
  const expected = expectedPartSize(upload, partNumber);
  if (contentLength === undefined || !/^\d{1,12}$/.test(contentLength)) throw invalid("part", ctx.t("data.err.partLength"));
  const length = Number(contentLength);
  if (length < expected || !body) throw invalid("part", ctx.t("data.err.partTooSmall", { expected: String(expected), got: String(length) }));
  if (length > expected) throw invalid("part", ctx.t("data.err.partTooLarge", { expected: String(expected), got: String(length) }));

  const part = await ctx.env.FILES.resumeMultipartUpload(row.r2Key!, upload.uploadId).uploadPart(partNumber, body);
  await ctx.db
    .insert(dataImportParts)
    .values({ jobId: id, accountId: ctx.accountId, partNumber, etag: part.etag, size: length })
    .onConflictDoUpdate({ target: [dataImportParts.jobId, dataImportParts.partNumber], set: { etag: part.etag, size: length } });
  const received = (await storedParts(ctx, id)).length;
  // Progress shown in the jobs table (step of total parts); only while the upload is still open.
  await ctx.db
    .update(dataExports)
    .set({ step: received })
    .where(and(eq(dataExports.id, id), eq(dataExports.accountId, ctx.accountId), eq(dataExports.status, "uploading")));
  return { partNumber, received, parts: upload.parts };
}

function storedParts(ctx: Ctx, id: string) {
  return ctx.db
    .select({ partNumber: dataImportParts.partNumber, etag: dataImportParts.etag, size: dataImportParts.size })
    .from(dataImportParts)
    .where(and(eq(dataImportParts.jobId, id), eq(dataImportParts.accountId, ctx.accountId)))
    .orderBy(asc(dataImportParts.partNumber))
    .all();
}

/**
 * Completes an upload and starts its import, as the form does. Refused with nothing changed (the
 * upload stays open, the parts kept) while a part is missing, when the parts do not add up to the
 * declared size, or when the import itself would be refused. R2 then assembles the object, whose
 * size is checked once more before the job object is started.
 */
export async function completeImportUpload(ctx: Ctx, id: string): Promise<DataJobRow> {
  const { row, upload } = await loadUpload(ctx, id);
  const parts = await storedParts(ctx, id);
  const have = new Set(parts.map((p) => p.partNumber));
  const missing: number[] = [];
  for (let n = 1; n <= upload.parts && missing.length < 5; n++) if (!have.has(n)) missing.push(n);
  if (missing.length > 0) throw invalid("parts", ctx.t("data.err.partsMissing", { missing: missing.join(", "), parts: String(upload.parts) }));
  const total = parts.reduce((s, p) => s + p.size, 0);
  if (total !== upload.size) throw invalid("size", ctx.t("data.err.uploadSize", { expected: String(upload.size), got: String(total) }));
  await assertImportAllowed(ctx, upload.size);

  const key = row.r2Key!;
  const object = await ctx.env.FILES.resumeMultipartUpload(key, upload.uploadId).complete(parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
  if (object.size !== upload.size) {
    // R2 assembled something else than what was declared: never import it.
    await ctx.env.FILES.delete(key);
    await discardImportUpload(ctx.env.FILES, ctx.db, id, key);
    throw invalid("size", ctx.t("data.err.uploadSize", { expected: String(upload.size), got: String(object.size) }));
  }
  const queued: DataJobRow = { ...row, status: "queued", step: 0, total: 0, size: object.size };
  await ctx.db.batch([
    ctx.db
      .update(dataExports)
      .set({ status: "queued", step: 0, total: 0, size: object.size })
      .where(and(eq(dataExports.id, id), eq(dataExports.accountId, ctx.accountId))),
    ctx.db.delete(dataImportParts).where(and(eq(dataImportParts.jobId, id), eq(dataImportParts.accountId, ctx.accountId))),
    ctx.db.delete(dataImportUploads).where(and(eq(dataImportUploads.jobId, id), eq(dataImportUploads.accountId, ctx.accountId))),
    importRequestedEntry(ctx, id),
  ]);
  await startImportJob(ctx, queued);
  return queued;
}

/** Cancels an upload: its R2 parts are aborted and the job row deleted (nothing was imported). */
export async function cancelImportUpload(ctx: Ctx, id: string): Promise<void> {
  const { row } = await loadUpload(ctx, id);
  await discardImportUpload(ctx.env.FILES, ctx.db, id, row.r2Key!);
}

