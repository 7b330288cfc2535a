import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config";
import type { Bindings } from "../env";
import { ArchiveError } from "../features/data/archive";
import { ExportBuilder, saveProgress } from "../features/data/export";
import { BEFORE_WRITES, type ImportCursor, ImportRunner, initialCursor } from "../features/data/import";
import { SqlImportStore } from "../features/data/import-store";
import { ImportRollback, type RollbackCursor, initialRollbackCursor } from "../features/data/rollback";
import { notifyExportReady } from "../features/data/notify";
import { recordAccess } from "../features/privacy/access-log";
import { sql } from "drizzle-orm";
import { accountDb } from "../db/client";

/** What the object needs to run its job; stored in its own storage so alarms find it again. */
export interface DataJob {
  id: string;
  accountId: string;
  requestedBy: string;
  kind: "export" | "import" | "backup";
  /** When the job was asked for: the download link expires 7 days later. */
  createdAt: number;
  /** Import: the uploaded archive's key. */
  r2Key?: string;
}

/**
 * A step that throws is tried this many times (pauses doubling from 2 s) before the job fails; an
 * import that had started writing is then rolled back. A refused archive (ArchiveError) is not retried.
 */
export const MAX_ATTEMPTS = 3;
/** A rollback step is retried longer (pauses doubling, capped at 10 minutes): it is what leaves the account clean. */
export const ROLLBACK_MAX_ATTEMPTS = 8;

const backoffMs = (attempts: number) => Math.min(2_000 * 2 ** (attempts - 1), 600_000);

/**
 * One object per portability job (export or import), addressed by `idFromName(jobId)` in the EU
 * jurisdiction. Its alarm runs the job one small step at a time (a page of one table, a few R2
 * objects), so an account of any size never meets a Worker's CPU, memory or subrequest limits, and
 * the D1 row the pages poll shows step/total.
 *
 * An export keeps its zip stream in memory between alarms; if the object is evicted, the export
 * restarts from the beginning with a new R2 upload (the old one is aborted). An import persists its
 * cursor, id map and journal (features/data/import-store.ts) in the object's SQLite, so it resumes
 * where it stopped; if it fails after its first write, the same alarm undoes it by steps
 * (features/data/rollback.ts) and the job ends failed with `import_rolled_back`.
 */
export class ExportObject extends DurableObject<CloudflareBindings> {
  private builder: ExportBuilder | null = null;
  private importer: ImportRunner | null = null;
  private running = false;

  constructor(ctx: DurableObjectState, env: CloudflareBindings) {
    super(ctx, env);
    this.store = new SqlImportStore(ctx.storage.sql);
  }

  private readonly store: SqlImportStore;

  /** Records the job and schedules its first step. Idempotent: a second call changes nothing. */
  async start(job: DataJob): Promise<void> {
    if (await this.ctx.storage.get<DataJob>("job")) return;
    await this.ctx.storage.put("job", job);
    await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    // A manual run (tests) and the scheduled alarm must not interleave their awaits.
    if (this.running) return;
    this.running = true;
    try {
      await this.runStep();
    } finally {
      this.running = false;
    }
  }

  private async runStep(): Promise<void> {
    const job = await this.ctx.storage.get<DataJob>("job");
    if (!job) return;
    const env = this.env as Bindings;
    if (job.kind === "import" && (await this.ctx.storage.get<RollbackCursor>("rollback"))) return this.rollbackStep(env, job);
    try {
      const more = job.kind === "import" ? await this.importStep(env, job) : await this.exportStep(env, job);
      await this.ctx.storage.delete("attempts");
      if (more) await this.ctx.storage.setAlarm(Date.now());
      else await this.finish();
    } catch (err) {
      const attempts = ((await this.ctx.storage.get<number>("attempts")) ?? 0) + 1;
      // An import is checked whole before its first write (ImportRunner): past the checks, a failure
      // is no refusal of the archive, and the account may hold part of it: it is rolled back.
      const cursor = job.kind === "import" ? await this.ctx.storage.get<ImportCursor>("cursor") : undefined;
      const wrote = cursor !== undefined && !BEFORE_WRITES.includes(cursor.phase);
      // The table at fault travels with the code ("dangling_reference:payments"); pages name it.
      const code = err instanceof ArchiveError ? err.message : "internal";
      console.error(JSON.stringify({ level: "error", event: "data_job_step_failed", jobId: job.id, kind: job.kind, attempts, wrote, error: err instanceof ArchiveError ? err.message : err instanceof Error ? err.name : "unknown" }));
      // The export restarts cleanly next time; the import resumes from its persisted cursor.
      await this.builder?.abort();
      this.builder = null;
      this.importer = null;
      if (err instanceof ArchiveError || attempts >= MAX_ATTEMPTS) {
        if (wrote) {
          // All or nothing: what was written is undone by the next alarms, the job stays running.
          await this.ctx.storage.put("rollback", initialRollbackCursor());
          await this.ctx.storage.delete("attempts");
          await this.ctx.storage.setAlarm(Date.now());
          return;
        }
        await saveProgress(env, job, { status: "failed", error: code });
        if (job.kind === "import") await logImport(env, job, "import_failed");
        await this.finish();
      } else {
        await this.ctx.storage.put("attempts", attempts);
        await this.ctx.storage.setAlarm(Date.now() + backoffMs(attempts));
      }
    }
  }

  /** One export step; false when the archive is in R2 and the row says ready. */
  private async exportStep(env: Bindings, job: DataJob): Promise<boolean> {
    const config = loadConfig(env);
    if (!this.builder) {
      const stale = await this.ctx.storage.get<{ key: string; uploadId: string }>("upload");
      if (stale) await env.FILES.resumeMultipartUpload(stale.key, stale.uploadId).abort().catch(() => undefined);
      this.builder = await ExportBuilder.start(env, config, job);
      await this.ctx.storage.put("upload", { key: `accounts/${job.accountId}/exports/${job.id}.zip`, uploadId: this.builder.uploadId });
      await saveProgress(env, job, { status: "running", step: 0, total: this.builder.total });
    }
    const builder = this.builder;
    const result = await builder.step();
    if (!result.finished) {
      await saveProgress(env, job, { step: Math.min(builder.done, builder.total - 1), total: builder.total });
      return true;
    }
    const readyAt = Date.now();
    await saveProgress(env, job, {
      status: "ready",
      step: builder.total,
      total: builder.total,
      size: result.size ?? null,
      sha256: result.sha256 ?? null,
      r2Key: `accounts/${job.accountId}/exports/${job.id}.zip`,
      readyAt,
    });
    this.builder = null;
    // The user exercises their own right: allowed even while the account is frozen (restriction
    // stops processing for third parties, not the owner's access to their data).
    // A backup is the operator's safety net: nobody is told about it.
    if (job.kind === "backup") return false;
    await notifyExportReady(env, config, job, job.createdAt).catch((err: unknown) => {
      console.error(JSON.stringify({ level: "error", event: "export_ready_mail_failed", jobId: job.id, error: err instanceof Error ? err.name : "unknown" }));
    });
    return false;
  }

  /** One import step; false when every row and file is in the new account. */
  private async importStep(env: Bindings, job: DataJob): Promise<boolean> {
    if (!job.r2Key) throw new ArchiveError("archive_missing");
    this.importer ??= new ImportRunner(env, loadConfig(env), { ...job, r2Key: job.r2Key }, this.store, this.store);
    const cursor = (await this.ctx.storage.get<ImportCursor>("cursor")) ?? initialCursor();
    if (cursor.phase === "open") await saveProgress(env, job, { status: "running" });
    const done = await this.importer.step(cursor);
    await this.ctx.storage.put("cursor", cursor);
    if (!done) {
      await saveProgress(env, job, { step: Math.min(cursor.step, cursor.total - 1), total: cursor.total });
      return true;
    }
    await saveProgress(env, job, { status: "ready", step: cursor.total, total: cursor.total, readyAt: Date.now() });
    await logImport(env, job, "import_completed");
    // The uploaded archive has served its purpose: not kept longer than needed.
    await env.FILES.delete(job.r2Key);
    this.importer = null;
    return false;
  }

  /**
   * One step of undoing a failed import. When done: the uploaded archive is deleted (the user holds
   * it; a retry uploads it again), the job ends failed with `import_rolled_back`, logged. A step
   * that keeps failing ends the job as `import_interrupted` (support), the marker removed.
   */
  private async rollbackStep(env: Bindings, job: DataJob): Promise<void> {
    const cursor = (await this.ctx.storage.get<RollbackCursor>("rollback")) ?? initialRollbackCursor();
    try {
      const done = await new ImportRollback(env, job, this.store).step(cursor);
      await this.ctx.storage.put("rollback", cursor);
      await this.ctx.storage.delete("attempts");
      if (!done) {
        await this.ctx.storage.setAlarm(Date.now());
        return;
      }
      if (job.r2Key) await env.FILES.delete(job.r2Key);
      await saveProgress(env, job, { status: "failed", error: "import_rolled_back" });
      await logImport(env, job, "import_rolled_back");
      await this.finish();
    } catch (err) {
      const attempts = ((await this.ctx.storage.get<number>("attempts")) ?? 0) + 1;
      console.error(JSON.stringify({ level: "error", event: "import_rollback_step_failed", jobId: job.id, phase: cursor.phase, attempts, error: err instanceof Error ? err.name : "unknown" }));
      if (attempts < ROLLBACK_MAX_ATTEMPTS) {
        await this.ctx.storage.put("attempts", attempts);
        await this.ctx.storage.setAlarm(Date.now() + backoffMs(attempts));
        return;
      }
      await accountDb(env, job.accountId)
        .run(sql`DELETE FROM import_rollbacks WHERE account_id = ${job.accountId} AND job_id = ${job.id}`)
        .catch(() => undefined);
      await saveProgress(env, job, { status: "failed", error: "import_interrupted" });
      await logImport(env, job, "import_failed");
      await this.finish();
    }
  }

  /** Forgets the job: the object's storage is emptied, only the D1 row remains. */
  private async finish(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }
}

/** The end of an import in the account's access log (privacy policy §8), next to its request. */
async function logImport(env: Bindings, job: DataJob, action: "import_completed" | "import_failed" | "import_rolled_back"): Promise<void> {
  await recordAccess({ db: accountDb(env, job.accountId), accountId: job.accountId, userId: job.requestedBy, now: Date.now() }, action, job.id);
}

/**
 * The job object of a portability job, in the EU jurisdiction (privacy policy §7). Local workerd
 * has no jurisdictions and throws "not implemented" (cloudflare/workerd#4167): only that exact
 * refusal falls back to the plain namespace, as numberingFor does.
 */
export function exportObjectFor(env: Pick<CloudflareBindings, "EXPORTS">, jobId: string) {
  let ns: CloudflareBindings["EXPORTS"];
  try {
    ns = env.EXPORTS.jurisdiction("eu");
  } catch (err) {
    if (!(err instanceof Error && err.message.includes("not implemented in workerd"))) throw err;
    ns = env.EXPORTS;
  }
  return ns.get(ns.idFromName(jobId));
}
