import { and, eq, sql } from "drizzle-orm";
import { Zip, ZipDeflate, ZipPassThrough, type ZipInputFile } from "fflate";
import type { Config } from "../../config";
import { accountDb, directoryDb, type Db } from "../../db/client";
import { accounts, dataExports, users } from "../../db/schema";
import type { Bindings } from "../../env";
import { bytesToHex } from "../../lib/crypto/random";
import { aad, sealerFor } from "../../lib/sealer";
import { numberingFor } from "../../numbering/numbering-object";
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type Row, csvLine, jsonClose, jsonPage } from "./archive";
import { EXPORT_ONLY, NOT_EXPORTED, type TableInfo, exportedTables, isImported } from "./tables";

/** Rows read per step: one D1 query, well under a Worker's CPU and memory limits. */
export const EXPORT_PAGE_ROWS = 500;
/** R2 objects copied into the archive per step. */
export const FILES_PER_STEP = 10;
/** R2 multipart parts must be at least 5 MiB (except the last) and all the same size. */
export const PART_BYTES = 5 * 1024 * 1024;

/** Directory tables about the requesting user, exported read-only (access right, §9.1/§9.5). */
const USER_TABLES: ReadonlyArray<{ name: string; columns: string[] }> = [
  { name: "connection_log", columns: ["id", "at", "user_id", "ip", "user_agent", "outcome"] },
  { name: "policy_acknowledgements", columns: ["user_id", "version", "at"] },
];

/** workerd's streaming SHA-256 (crypto.DigestStream): a file's hash without holding the file. */
function newDigest(): DigestStream {
  return new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
}

export const exportKey = (accountId: string, id: string) => `accounts/${accountId}/exports/${id}.zip`;

type Step =
  | { kind: "meta" }
  | { kind: "table"; table: TableInfo; scope: "account" | "user"; format: "json" | "csv"; after: number; rows: number; started: boolean }
  | { kind: "files"; after: number }
  /** Files of the other tables that keep one R2 object per row (`file_key`): received purchases, statuses. */
  | { kind: "rowFiles"; table: (typeof ROW_FILE_TABLES)[number]; after: number }
  | { kind: "finish" };

/** Account tables whose rows name one R2 object in `file_key`, exported under files/ like documents'. */
const ROW_FILE_TABLES = ["purchases", "purchase_events", "ereports"] as const;

interface EntryRecord {
  sha256: string;
  size: number;
}

/** An open archive entry: the zip stream it feeds and the running SHA-256 of its content. */
class Entry {
  private readonly digest = newDigest();
  private readonly writer = this.digest.getWriter();
  size = 0;
  constructor(
    readonly name: string,
    readonly file: ZipInputFile & { push(chunk: Uint8Array, final?: boolean): void },
  ) {}

  async push(bytes: Uint8Array, final = false): Promise<void> {
    this.size += bytes.byteLength;
    if (bytes.byteLength > 0) await this.writer.write(bytes);
    this.file.push(bytes, final);
  }

  async close(): Promise<EntryRecord> {
    this.file.push(new Uint8Array(0), true);
    await this.writer.close();
    return { sha256: bytesToHex(new Uint8Array(await this.digest.digest)), size: this.size };
  }
}

/**
 * An export being built: fflate's streaming Zip writes into a buffer that goes to an R2 multipart
 * upload in equal 5 MiB parts. It lives in the memory of the job's Durable Object between alarm
 * steps; if the object is evicted mid-way the job restarts from the beginning (a new upload), so
 * nothing in memory ever needs to be serialized.
 */
export class ExportBuilder {
  private readonly encoder = new TextEncoder();
  private readonly zip: Zip;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private zipError: Error | null = null;
  private readonly parts: R2UploadedPart[] = [];
  private readonly zipDigest = newDigest();
  private readonly zipWriter = this.zipDigest.getWriter();
  private totalBytes = 0;
  private readonly steps: Step[];
  private current: Entry | null = null;
  private readonly records: Record<string, EntryRecord> = {};
  private readonly rowCounts: Record<string, number> = {};
  private readonly missingFiles: string[] = [];
  readonly total: number;
  done = 0;

  private constructor(
    private readonly env: Bindings,
    private readonly config: Config,
    private readonly job: { id: string; accountId: string; requestedBy: string },
    private readonly upload: R2MultipartUpload,
    plan: { steps: Step[]; total: number },
  ) {
    this.steps = plan.steps;
    this.total = plan.total;
    this.zip = new Zip((err, chunk) => {
      if (err) this.zipError = err;
      else {
        this.chunks.push(chunk);
        this.buffered += chunk.byteLength;
      }
    });
  }

  get uploadId(): string {
    return this.upload.uploadId;
  }

  /** Plans the export (counting rows to size the progress bar) and opens the R2 upload. */
  static async start(env: Bindings, config: Config, job: { id: string; accountId: string; requestedBy: string }): Promise<ExportBuilder> {
    const db = accountDb(env, job.accountId);
    const dir = directoryDb(env);
    const steps: Step[] = [{ kind: "meta" }];
    let total = 2; // meta + finish
    const pages = (n: number) => Math.max(1, Math.ceil(n / EXPORT_PAGE_ROWS));
    for (const t of USER_TABLES) {
      const n = await countRows(dir, t.name, "user_id", job.requestedBy);
      for (const format of ["json", "csv"] as const) {
        steps.push({ kind: "table", table: { name: t.name, columns: t.columns, hasId: false }, scope: "user", format, after: 0, rows: 0, started: false });
        total += pages(n);
      }
    }
    for (const table of exportedTables()) {
      const n = await countRows(db, table.name, "account_id", job.accountId);
      for (const format of ["json", "csv"] as const) {
        steps.push({ kind: "table", table, scope: "account", format, after: 0, rows: 0, started: false });
        total += pages(n);
      }
    }
    const files = await db.get<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM documents WHERE account_id = ${job.accountId} AND (pdf_key IS NOT NULL OR xml_key IS NOT NULL)`,
    );
    steps.push({ kind: "files", after: 0 });
    total += Math.max(1, Math.ceil((files?.n ?? 0) / FILES_PER_STEP));
    for (const table of ROW_FILE_TABLES) {
      const n = await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${sql.identifier(table)} WHERE account_id = ${job.accountId} AND file_key IS NOT NULL`);
      steps.push({ kind: "rowFiles", table, after: 0 });
      total += Math.max(1, Math.ceil((n?.n ?? 0) / FILES_PER_STEP));
    }
    steps.push({ kind: "finish" });
    const upload = await env.FILES.createMultipartUpload(exportKey(job.accountId, job.id), {
      httpMetadata: { contentType: "application/zip" },
    });
    return new ExportBuilder(env, config, job, upload, { steps, total });
  }

  /** Runs one step; returns true when the archive is complete in R2. */
  async step(): Promise<{ finished: boolean; size?: number; sha256?: string }> {
    const step = this.steps[0];
    if (!step) throw new Error("export has no step left");
    this.done += 1;
    switch (step.kind) {
      case "meta":
        await this.writeMeta();
        this.steps.shift();
        break;
      case "table":
        if (await this.writeTablePage(step)) this.steps.shift();
        break;
      case "files":
        if (await this.writeFiles(step)) this.steps.shift();
        break;
      case "rowFiles":
        if (await this.writeRowFiles(step)) this.steps.shift();
        break;
      case "finish": {
        await this.writeWhole("manifest.json", this.encoder.encode(JSON.stringify(await this.manifest(), null, 2)), true);
        this.zip.end();
        await this.flush(true);
        await this.upload.complete(this.parts);
        await this.zipWriter.close();
        this.steps.shift();
        return { finished: true, size: this.totalBytes, sha256: bytesToHex(new Uint8Array(await this.zipDigest.digest)) };
      }
    }
    await this.flush(false);
    return { finished: false };
  }

  /** Gives up the upload (failure, or a restart after eviction). */
  async abort(): Promise<void> {
    await this.upload.abort().catch(() => undefined);
  }

  private async writeMeta(): Promise<void> {
    const db = accountDb(this.env, this.job.accountId);
    const account = await db.select().from(accounts).where(eq(accounts.id, this.job.accountId)).get();
    if (!account) throw new Error("account vanished during export");
    const sealer = await sealerFor(this.config);
    // IBAN and BIC are the user's own data: exported in clear for portability (and re-sealed on
    // import). The sealed columns themselves mean nothing without this deployment's key.
    const { ibanSealed, bicSealed, ...profile } = account;
    const accountJson = {
      ...profile,
      iban: ibanSealed ? await sealer.open(ibanSealed, aad.iban(account.id)) : null,
      bic: bicSealed ? await sealer.open(bicSealed, aad.bic(account.id)) : null,
    };
    await this.writeWhole("account.json", this.encoder.encode(JSON.stringify(accountJson, null, 2)), true);

    const user = await directoryDb(this.env).select().from(users).where(eq(users.id, this.job.requestedBy)).get();
    if (user) {
      // Never the password hash nor the TOTP secret: they are credentials, not portable data;
      // whether two-factor was on is said instead.
      const { passwordHash: _p, totpSecretSealed: _t, totpLastStep: _s, ...rest } = user;
      await this.writeWhole("user.json", this.encoder.encode(JSON.stringify({ ...rest, totpEnabled: user.totpEnabledAt !== null }, null, 2)), true);
    }
  }

  private async writeTablePage(step: Extract<Step, { kind: "table" }>): Promise<boolean> {
    const path = `tables/${step.table.name}.${step.format}`;
    if (!step.started) {
      this.current = this.openEntry(path, true);
      step.started = true;
      if (step.format === "csv") await this.current.push(this.encoder.encode(csvLine(step.table.columns)));
    }
    const entry = this.current;
    if (!entry) throw new Error("no open entry");
    const db = step.scope === "account" ? accountDb(this.env, this.job.accountId) : directoryDb(this.env);
    const owner = step.scope === "account" ? this.job.accountId : this.job.requestedBy;
    const rows = await readPage(db, step.table, step.scope === "account" ? "account_id" : "user_id", owner, step.after);
    const first = step.rows === 0;
    const text = step.format === "json" ? jsonPage(rows.map((r) => r.row), first) : rows.map((r) => csvLine(step.table.columns.map((c) => r.row[c] ?? null))).join("");
    step.rows += rows.length;
    const last = rows.at(-1);
    if (last) step.after = last.rowid;
    const finished = rows.length < EXPORT_PAGE_ROWS;
    if (text) await entry.push(this.encoder.encode(text));
    if (finished) {
      if (step.format === "json") await entry.push(this.encoder.encode(jsonClose()));
      this.records[path] = await entry.close();
      this.current = null;
      if (step.format === "json") this.rowCounts[step.table.name] = step.rows;
    }
    return finished;
  }

  private async writeFiles(step: Extract<Step, { kind: "files" }>): Promise<boolean> {
    const db = accountDb(this.env, this.job.accountId);
    const rows = await db.all<{ rowid: number; pdf_key: string | null; xml_key: string | null }>(
      sql`SELECT rowid, pdf_key, xml_key FROM documents WHERE account_id = ${this.job.accountId} AND (pdf_key IS NOT NULL OR xml_key IS NOT NULL) AND rowid > ${step.after} ORDER BY rowid LIMIT ${FILES_PER_STEP}`,
    );
    const keys: string[] = [];
    for (const r of rows) {
      if (r.pdf_key) keys.push(r.pdf_key);
      if (r.xml_key) keys.push(r.xml_key);
    }
    if (step.after === 0) {
      const logo = await db.select({ key: accounts.logoKey }).from(accounts).where(eq(accounts.id, this.job.accountId)).get();
      if (logo?.key) keys.push(logo.key);
    }
    for (const key of keys) await this.copyObject(key);
    const last = rows.at(-1);
    if (last) step.after = last.rowid;
    return rows.length < FILES_PER_STEP;
  }

  private async writeRowFiles(step: Extract<Step, { kind: "rowFiles" }>): Promise<boolean> {
    const db = accountDb(this.env, this.job.accountId);
    const rows = await db.all<{ rowid: number; file_key: string }>(
      sql`SELECT rowid, file_key FROM ${sql.identifier(step.table)} WHERE account_id = ${this.job.accountId} AND file_key IS NOT NULL AND rowid > ${step.after} ORDER BY rowid LIMIT ${FILES_PER_STEP}`,
    );
    for (const r of rows) await this.copyObject(r.file_key);
    const last = rows.at(-1);
    if (last) step.after = last.rowid;
    return rows.length < FILES_PER_STEP;
  }

  /** Streams one R2 object into the archive; PDFs are already compressed, so they are stored as is. */
  private async copyObject(key: string): Promise<void> {
    const obj = await this.env.FILES.get(key);
    if (!obj) {
      this.missingFiles.push(key);
      return;
    }
    const entry = this.openEntry(`files/${key}`, !key.endsWith(".pdf"));
    const reader = obj.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await entry.push(value);
      // Keep memory flat for large files: hand full parts to R2 as they fill.
      await this.flush(false);
    }
    this.records[`files/${key}`] = await entry.close();
  }

  private openEntry(name: string, deflate: boolean): Entry {
    const file = deflate ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    this.zip.add(file);
    return new Entry(name, file);
  }

  private async writeWhole(name: string, bytes: Uint8Array, deflate: boolean): Promise<void> {
    const entry = this.openEntry(name, deflate);
    await entry.push(bytes);
    this.records[name] = await entry.close();
  }

  private async manifest() {
    const db = accountDb(this.env, this.job.accountId);
    const series = await db.all<{ series_id: string }>(
      sql`SELECT DISTINCT series_id FROM documents WHERE account_id = ${this.job.accountId} AND series_id IS NOT NULL AND number IS NOT NULL`,
    );
    const numbering = numberingFor(this.env, this.job.accountId);
    const seriesStates = [];
    for (const s of series) seriesStates.push({ seriesId: s.series_id, ...(await numbering.seriesState(s.series_id)) });
    const tables: Record<string, { rows: number; columns: string[]; imported: boolean; json: string; csv: string }> = {};
    for (const t of exportedTables()) {
      tables[t.name] = { rows: this.rowCounts[t.name] ?? 0, columns: t.columns, imported: isImported(t.name), json: `tables/${t.name}.json`, csv: `tables/${t.name}.csv` };
    }
    const userTables: Record<string, { rows: number; columns: string[] }> = {};
    for (const t of USER_TABLES) userTables[t.name] = { rows: this.rowCounts[t.name] ?? 0, columns: t.columns };
    return {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      exportId: this.job.id,
      createdAt: new Date().toISOString(),
      source: { accountId: this.job.accountId, userId: this.job.requestedBy },
      tables,
      userTables,
      numbering: seriesStates,
      notExported: NOT_EXPORTED,
      exportOnly: EXPORT_ONLY,
      leftOut: {
        "users.password_hash": "a credential, not portable data",
        "users.totp_secret_sealed": "a credential: two-factor is set up again on the new account",
        "documents.public_token_hash": "the hash of a public link; links are shared again from the new account",
        "documents.public_token_sealed": "the public link itself, sealed with this deployment's key; shared again from the new account",
      },
      missingFiles: this.missingFiles,
      files: this.records,
    };
  }

  /** Sends full parts to R2; on `final`, the remainder as the last (shorter) part. */
  private async flush(final: boolean): Promise<void> {
    if (this.zipError) throw this.zipError;
    if (this.buffered < PART_BYTES && !final) return;
    const all = concat(this.chunks, this.buffered);
    let offset = 0;
    while (all.byteLength - offset >= PART_BYTES) {
      await this.uploadPart(all.subarray(offset, offset + PART_BYTES));
      offset += PART_BYTES;
    }
    const rest = all.subarray(offset);
    if (final && (rest.byteLength > 0 || this.parts.length === 0)) {
      await this.uploadPart(rest);
      this.chunks = [];
      this.buffered = 0;
      return;
    }
    this.chunks = rest.byteLength > 0 ? [rest.slice()] : [];
    this.buffered = rest.byteLength;
  }

  private async uploadPart(bytes: Uint8Array): Promise<void> {
    const part = await this.upload.uploadPart(this.parts.length + 1, bytes);
    this.parts.push(part);
    this.totalBytes += bytes.byteLength;
    await this.zipWriter.write(bytes);
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(length);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

async function countRows(db: Db, table: string, ownerColumn: string, owner: string): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${sql.identifier(table)} WHERE ${sql.identifier(ownerColumn)} = ${owner}`);
  return row?.n ?? 0;
}

/** One keyset page of a table's rows for one owner, in rowid order (stable across steps). */
async function readPage(db: Db, table: TableInfo, ownerColumn: string, owner: string, after: number): Promise<Array<{ rowid: number; row: Row }>> {
  const cols = sql.join(
    table.columns.map((c) => sql.identifier(c)),
    sql`, `,
  );
  const rows = await db.all<Record<string, string | number | null>>(
    sql`SELECT rowid AS "__rowid", ${cols} FROM ${sql.identifier(table.name)} WHERE ${sql.identifier(ownerColumn)} = ${owner} AND rowid > ${after} ORDER BY rowid LIMIT ${EXPORT_PAGE_ROWS}`,
  );
  return rows.map((r) => {
    const row: Row = {};
    for (const c of table.columns) row[c] = r[c] ?? null;
    return { rowid: Number(r.__rowid), row };
  });
}

/** Updates the job row the pages poll. */
export async function saveProgress(env: Bindings, job: { id: string; accountId: string }, values: Partial<typeof dataExports.$inferInsert>): Promise<void> {
  await accountDb(env, job.accountId)
    .update(dataExports)
    .set(values)
    .where(and(eq(dataExports.id, job.id), eq(dataExports.accountId, job.accountId)));
}
