import { and, desc, eq, inArray, ne } from "drizzle-orm";
import { dataExports } from "../../db/schema";
import { holdsBusinessData, importInProgress } from "./import-lock";
import { exportObjectFor } from "../../exports/export-object";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { accessEntry, recordAccess } from "../privacy/access-log";
import type { AccountVerbCtx } from "../documents/drafts";
import { importKey } from "./import";
import { EXPORT_TTL_MS, IMPORT_MAX_BYTES, checkDownloadLink } from "./links";

export type Ctx = AccountVerbCtx & { userId: string };
export type DataJobRow = typeof dataExports.$inferSelect;

export { IMPORT_MAX_BYTES };

/** An expired link or a purged archive: 410, code `gone` (stable). */
export class GoneError extends AppError {
  constructor(message: string) {
    super("gone", message);
  }
}

/**
 * Starts an export of the whole account (privacy policy §9.5). One job at a time per account: a
 * second request while one runs returns the running one instead of piling up work.
 */
export async function requestExport(ctx: Ctx): Promise<DataJobRow> {
  const running = await ctx.db
    .select()
    .from(dataExports)
    .where(and(eq(dataExports.accountId, ctx.accountId), eq(dataExports.kind, "export"), inArray(dataExports.status, ["queued", "running"])))
    .get();
  if (running) return running;
  const row: DataJobRow = {
    id: randomId(),
    accountId: ctx.accountId,
    kind: "export",
    requestedBy: ctx.userId,
    status: "queued",
    step: 0,
    total: 0,
    r2Key: null,
    size: null,
    sha256: null,
    error: null,
    createdAt: ctx.now,
    readyAt: null,
    expiresAt: ctx.now + EXPORT_TTL_MS,
  };
  await ctx.db.batch([ctx.db.insert(dataExports).values(row), accessEntry(ctx, "export_requested", row.id)]);
  await exportObjectFor(ctx.env, row.id).start({ id: row.id, accountId: ctx.accountId, requestedBy: ctx.userId, kind: "export", createdAt: ctx.now });
  return row;
}

const archiveError = (ctx: Ctx, key: "data.err.importFile" | "data.err.importSize") => new AppError("invalid", ctx.t(key), { archive: ctx.t(key) });

/**
 * What every import checks before it touches anything, however the archive arrives (the form, or
 * the upload in parts of uploads.ts): a non-empty archive, an account that holds no business data
 * yet (an import never merges two histories), and no other import queued or running.
 */
export async function assertImportAllowed(ctx: Ctx, size: number): Promise<void> {
  if (!Number.isSafeInteger(size) || size <= 0) throw archiveError(ctx, "data.err.importFile");
  if (await holdsBusinessData(ctx.db, ctx.accountId)) throw new AppError("conflict", ctx.t("data.err.notFresh"), { archive: ctx.t("data.err.notFresh") });
  if (await importInProgress(ctx.db, ctx.accountId)) throw new AppError("conflict", ctx.t("data.err.importRunning"), { archive: ctx.t("data.err.importRunning") });
}

/** The row of an import job whose archive is (or will be) at `importKey(accountId, id)`. */
export function importJobRow(ctx: Ctx, id: string, status: "uploading" | "queued", size: number): DataJobRow {
  return {
    id,
    accountId: ctx.accountId,
    kind: "import",
    requestedBy: ctx.userId,
    status,
    step: 0,
    total: 0,
    r2Key: importKey(ctx.accountId, id),
    size,
    sha256: null,
    error: null,
    createdAt: ctx.now,
    readyAt: null,
    expiresAt: ctx.now + EXPORT_TTL_MS,
  };
}

/** The access log entry of an import: written in the same batch as the row that queues the job. */
export const importRequestedEntry = (ctx: Ctx, id: string) => accessEntry(ctx, "import_requested", id);

/** Hands a queued import (its archive complete in R2) to its job object, which runs it by steps. */
export async function startImportJob(ctx: Ctx, row: DataJobRow): Promise<void> {
  await exportObjectFor(ctx.env, row.id).start({ id: row.id, accountId: ctx.accountId, requestedBy: ctx.userId, kind: "import", createdAt: row.createdAt, r2Key: row.r2Key ?? importKey(ctx.accountId, row.id) });
}

/**
 * Starts importing an export archive posted by the form (no JavaScript: the body is read whole, so
 * it is capped at IMPORT_MAX_BYTES; the page uploads larger archives in parts, see uploads.ts).
 * The archive goes to R2 first; the job object then checks and imports it by steps.
 */
export async function requestImport(ctx: Ctx, file: File): Promise<DataJobRow> {
  if (file.size > IMPORT_MAX_BYTES) throw archiveError(ctx, "data.err.importSize");
  await assertImportAllowed(ctx, file.size);
  const row = importJobRow(ctx, randomId(), "queued", file.size);
  await ctx.env.FILES.put(row.r2Key!, file.stream(), { httpMetadata: { contentType: "application/zip" } });
  await ctx.db.batch([ctx.db.insert(dataExports).values(row), importRequestedEntry(ctx, row.id)]);
  await startImportJob(ctx, row);
  return row;
}

/** The account's portability jobs, newest first. */
export async function listDataJobs(ctx: AccountVerbCtx, limit = 20): Promise<DataJobRow[]> {
  return ctx.db
    .select()
    .from(dataExports)
    .where(and(eq(dataExports.accountId, ctx.accountId), ne(dataExports.kind, "backup")))
    .orderBy(desc(dataExports.createdAt), desc(dataExports.id))
    .limit(limit)
    .all();
}

/** One job of this account; another account's id is answered exactly like an unknown one. */
export async function loadDataJob(ctx: AccountVerbCtx, id: string): Promise<DataJobRow> {
  const row = await ctx.db
    .select()
    .from(dataExports)
    .where(and(eq(dataExports.id, id), eq(dataExports.accountId, ctx.accountId), ne(dataExports.kind, "backup")))
    .get();
  if (!row) throw new AppError("not_found", ctx.t("data.err.notFound"));
  return row;
}

/**
 * Opens an export's archive for download. Checked in this order, each refusal before any read of
 * the archive: the job belongs to the signed-in account (else 404, as for an unknown id), the link
 * is signed by us (403), not expired (410), and the archive is still there (410). Logged.
 */
export async function openExportDownload(ctx: Ctx, id: string, expires: string | undefined, sig: string | undefined): Promise<{ row: DataJobRow; object: R2ObjectBody }> {
  const row = await loadDataJob(ctx, id);
  const link = await checkDownloadLink(ctx.config.SESSION_SECRET, id, expires, sig, ctx.now);
  if (!link.ok && link.reason === "forged") throw new AppError("forbidden", ctx.t("data.err.forged"));
  if (!link.ok || row.status === "expired" || row.expiresAt <= ctx.now) throw new GoneError(ctx.t("data.err.expired"));
  if (row.kind !== "export" || row.status !== "ready" || !row.r2Key) throw new AppError("conflict", ctx.t("data.err.notReady"));
  const object = await ctx.env.FILES.get(row.r2Key);
  if (!object) throw new GoneError(ctx.t("data.err.expired"));
  await recordAccess({ db: ctx.db, accountId: ctx.accountId, userId: ctx.userId, now: ctx.now }, "export_downloaded", id);
  return { row, object };
}
