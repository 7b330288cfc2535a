import { sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { Inflate } from "fflate";
import type { Config } from "../../config";
import { accountDb, type Db } from "../../db/client";
import { accounts } from "../../db/schema";
import { holdsBusinessData } from "./import-lock";
import { DOCUMENT_TYPES } from "../../db/schema";
import { documentContentHash } from "../../domain/audit-chain";
import { isBusinessDate, isBusinessYear } from "../../domain/date-window";
import type { DocumentSnapshot } from "../../domain/document";
import { MAX_NEXT_NUMBER, PREFIX_PATTERN } from "../../domain/numbering";
import { totalsOfSpec } from "../../domain/snapshot";
import { checkLogo } from "../profile/logo";
import type { Bindings } from "../../env";
import { bytesToHex, randomId, sha256 } from "../../lib/crypto/random";
import { aad, sealerFor } from "../../lib/sealer";
import { numberingFor } from "../../numbering/numbering-object";
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ArchiveError,
  type Row,
  type ZipEntry,
  ZIP_TAIL_BYTES,
  checkArchiveSizes,
  findCentralDirectory,
  isSafeEntryName,
  localHeaderLength,
  parseCentralDirectory,
  parseRows,
} from "./archive";
import { type TableInfo, accountTables, importOrder, isImported, referenceTarget } from "./tables";
import { rederiveStatements } from "./derived";

/** Rows inserted per step (one D1 batch). */
export const IMPORT_PAGE_ROWS = 100;
/** Archive entries checked per step. */
const VERIFY_PER_STEP = 8;
const FILES_PER_STEP = 10;

export const importKey = (accountId: string, id: string) => `accounts/${accountId}/imports/${id}.zip`;

/** `*_id` columns that hold no row id of the archive (left as they are): series keys, provider ids. */
export const NOT_REFERENCES: ReadonlySet<string> = new Set(["series_id", "provider_message_id", "consent_id", "payment_intent_id"]);
/** `*_id` columns an import rewrites itself rather than looking up in the archive. */
const OWN_COLUMNS = new Set(["account_id", "user_id", "requested_by"]);
/**
 * Reference columns that may also name a row of another table than their name says: a client
 * credit moved by issuing a credit note names that credit note (features/payments creditRecount).
 */
const ALSO_REFERENCES: Readonly<Record<string, readonly string[]>> = { "client_credits.payment_id": ["documents"] };
/** Account columns an import never copies: they describe the target account itself. */
const ACCOUNT_OWN_COLUMNS = new Set(["id", "frozen_at", "last_activity_at", "created_at", "updated_at", "iban_sealed", "bic_sealed"]);

interface Manifest {
  format: string;
  version: number;
  source: { accountId: string; userId: string };
  tables: Record<string, { rows: number; columns: string[]; imported: boolean; json: string }>;
  /** Each series' counter, and the date of its last issue (absent from archives made before it was exported). */
  numbering: Array<{ seriesId: string; nextNumber: number; lastIssueDate?: string | null }>;
  files: Record<string, { sha256: string; size: number }>;
}

/** The persisted cursor of an import: it survives the object's eviction, so an import resumes. */
export interface ImportCursor {
  phase: "open" | "verify" | "check" | "profile" | "tables" | "reconcile" | "aggregates" | "files" | "numbering" | "done";
  index: number;
  offset: number;
  step: number;
  total: number;
}

export const initialCursor = (): ImportCursor => ({ phase: "open", index: 0, offset: 0, step: 0, total: 1 });

/** Import phases that only read the archive: a failure there leaves the account untouched. */
export const BEFORE_WRITES: ReadonlyArray<ImportCursor["phase"]> = ["open", "verify", "check"];

/**
 * The table of documents purged after their legal period (jobs/retention.ts): keyed by the purged
 * document's id. Rows that still name such a document (its payments, its issue log entry) are
 * imported pointing at the new id given to that purge record.
 */
export const PURGES_TABLE = "retention_purges";

/** A numbering series as its object stores it; null when never set. */
export type SeriesState = { nextNumber: number; lastIssueDate: string | null };

/** What the account held before the import's first write: what a rollback puts back. */
export interface ImportSnapshot {
  /** The accounts columns the profile step overwrites, as they were. */
  profile: Row;
  /** Imported table → its archive entry (the `entry` of the id map), for deleting by new id. */
  entries: Record<string, string>;
  /** Rows of the keyed tables (no own id) the import or its triggers write, as they were. */
  tables: Array<{ table: string; rows: Row[] }>;
}

/**
 * What an import notes before and while it writes, in the job object's own storage, so that its
 * rollback (rollback.ts) needs nothing from the archive, which may be what went missing.
 */
export interface ImportJournal {
  hasSnapshot(): boolean;
  /** Kept once: a retried step must not take its own writes for the state before. */
  saveSnapshot(snapshot: ImportSnapshot): void;
  /** An R2 key about to be written under the account's prefix. */
  noteFile(key: string): void;
  /** A series' state before the import sets it; the first note wins. */
  noteSeries(seriesId: string, before: SeriesState | null): void;
}

/** Where the import keeps its old id → new id map: the job object's own SQLite. */
export interface IdStore {
  get(old: string): string | undefined;
  /** The archive entry (table file) whose row first claimed `old`: tells a duplicate from a resumed step. */
  entryOf(old: string): string | undefined;
  put(old: string, fresh: string, entry: string): void;
}

/** Reads one entry of a zip stored in R2 by byte ranges: the archive is never loaded whole. */
class R2Zip {
  private constructor(
    private readonly bucket: R2Bucket,
    private readonly key: string,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  static async open(bucket: R2Bucket, key: string): Promise<R2Zip> {
    const head = await bucket.head(key);
    if (!head) throw new ArchiveError("archive_missing");
    const tailLength = Math.min(head.size, ZIP_TAIL_BYTES);
    const tail = await rangeBytes(bucket, key, head.size - tailLength, tailLength);
    const dir = findCentralDirectory(tail);
    if (dir.offset + dir.size > head.size) throw new ArchiveError("corrupt_directory");
    const entries = parseCentralDirectory(await rangeBytes(bucket, key, dir.offset, dir.size), dir.entries);
    const map = new Map<string, ZipEntry>();
    for (const e of entries) {
      if (e.name.endsWith("/")) continue;
      if (!isSafeEntryName(e.name)) throw new ArchiveError("unsafe_entry_name");
      map.set(e.name, e);
    }
    // Sizes and ratios within the stated limits, from the directory, before anything is inflated.
    checkArchiveSizes([...map.values()], head.size);
    return new R2Zip(bucket, key, map);
  }

  async read(name: string): Promise<Uint8Array> {
    const e = this.entries.get(name);
    if (!e) throw new ArchiveError("entry_missing");
    const headerLength = localHeaderLength(await rangeBytes(this.bucket, this.key, e.localHeaderOffset, 30));
    const data = e.compressedSize === 0 ? new Uint8Array(0) : await rangeBytes(this.bucket, this.key, e.localHeaderOffset + headerLength, e.compressedSize);
    if (e.method === 0) {
      if (data.byteLength !== e.size) throw new ArchiveError("entry_size_mismatch");
      return data;
    }
    if (e.method !== 8) throw new ArchiveError("unsupported_compression");
    return inflateWithin(data, e.size);
  }
}

/** Compressed bytes fed to the inflater at a time (at most ~8 MB of output each): counted as it streams out. */
const INFLATE_CHUNK = 8 * 1024;

/**
 * Inflates `data` into exactly `size` bytes, counting the output while it streams: the moment an
 * entry produces more than its declared size (a directory that lies about a bomb), it is refused,
 * and one that produces less is refused at its end. Never more than `size` bytes are held.
 */
export function inflateWithin(data: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let produced = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (overflow || produced + chunk.length > size) {
      overflow = true;
      return;
    }
    out.set(chunk, produced);
    produced += chunk.length;
  });
  try {
    for (let at = 0; at < data.length && !overflow; at += INFLATE_CHUNK) {
      const end = Math.min(at + INFLATE_CHUNK, data.length);
      inflater.push(data.subarray(at, end), end === data.length);
    }
    if (data.length === 0) inflater.push(new Uint8Array(0), true);
  } catch {
    throw new ArchiveError("corrupt_entry");
  }
  if (overflow || produced !== size) throw new ArchiveError("entry_size_mismatch");
  return out;
}

async function rangeBytes(bucket: R2Bucket, key: string, offset: number, length: number): Promise<Uint8Array> {
  const obj = await bucket.get(key, { range: { offset, length } });
  if (!obj) throw new ArchiveError("archive_missing");
  return new Uint8Array(await obj.arrayBuffer());
}

const decoder = new TextDecoder();

/**
 * Imports an export archive into a fresh account, one step per call (privacy policy §9.5: the
 * export re-imports with the same data). Order of work: check every entry's SHA-256 against the
 * manifest and give every row a new id (ids are global keys), copy the profile, insert the rows
 * table by table in dependency order (document lines before their issued document, so the
 * immutability triggers accept them), copy the PDFs/XMLs under the new account's R2 prefix, and
 * continue each numbering series where the source stopped (its next number and last issue date).
 * Nothing is written before the whole archive has been verified — checksums, one row per id, every
 * reference resolved inside the archive, required values present, numbering series unused — so a
 * refused archive leaves the account as it was.
 *
 * Every step may run again after a failure (the job object retries it): rows with ids go in with
 * INSERT OR IGNORE (a D1 batch lands whole or not at all), keyed rows are replaced, the reconcile
 * writes only what differs, files are overwritten, the chain append is idempotent per document and
 * series are set to the same values; the journal keeps the state from before the first attempt. A
 * failure that persists after the first write is undone by rollback.ts from that journal.
 */
export class ImportRunner {
  private zip: R2Zip | null = null;
  private manifest: Manifest | null = null;
  private cache: { table: string; rows: Row[] } | null = null;

  constructor(
    private readonly env: Bindings,
    private readonly config: Config,
    private readonly job: { id: string; accountId: string; requestedBy: string; r2Key: string },
    private readonly ids: IdStore,
    private readonly journal: ImportJournal,
  ) {}

  private get db(): Db {
    return accountDb(this.env, this.job.accountId);
  }

  /** The handle's own D1 client: drizzle cannot batch raw statements (metered all the same). */
  private d1(): D1Database {
    return (this.db as unknown as { $client: D1Database }).$client;
  }

  /** The tables this import re-creates, in insertion order, as the current schema knows them. */
  private tables(): TableInfo[] {
    const m = this.mustManifest();
    const schema = new Map(accountTables().map((t) => [t.name, t]));
    const names = Object.keys(m.tables).filter((n) => m.tables[n]?.imported && isImported(n) && schema.has(n));
    return importOrder(names).map((n) => schema.get(n)!);
  }

  /**
   * Rows with their own id go first; tables keyed otherwise (series prefixes, monthly totals,
   * balances and tallies kept by triggers) last, so the archive's values replace whatever the
   * triggers derived while the rows went in.
   */
  private phases(): { rows: TableInfo[]; aggregates: TableInfo[] } {
    const all = this.tables();
    return { rows: all.filter((t) => t.hasId), aggregates: all.filter((t) => !t.hasId) };
  }

  private mustManifest(): Manifest {
    if (!this.manifest) throw new Error("manifest not loaded");
    return this.manifest;
  }

  private async load(): Promise<void> {
    if (this.zip && this.manifest) return;
    this.zip = await R2Zip.open(this.env.FILES, this.job.r2Key);
    if (!this.zip.entries.has("manifest.json")) throw new ArchiveError("manifest_missing");
    let manifest: unknown;
    try {
      manifest = JSON.parse(decoder.decode(await this.zip.read("manifest.json")));
    } catch (err) {
      throw err instanceof ArchiveError ? err : new ArchiveError("manifest_invalid");
    }
    this.manifest = checkManifest(manifest, this.zip);
  }

  /** Runs one step, moving `cursor` on; returns true when the import is complete. */
  async step(cursor: ImportCursor): Promise<boolean> {
    await this.load();
    const m = this.mustManifest();
    const zip = this.zip!;
    const fileNames = Object.keys(m.files).filter((n) => n.startsWith("files/"));
    const tables = this.tables();
    const { rows: rowTables, aggregates } = this.phases();
    switch (cursor.phase) {
      case "open": {
        await this.assertFresh();
        // Files may only land under the new account's own prefix: refused before anything is written.
        for (const name of fileNames) if (!name.startsWith(`files/accounts/${m.source.accountId}/`)) throw new ArchiveError("foreign_file_path");
        const entryCount = Object.keys(m.files).length;
        const rowPages = tables.reduce((n, t) => n + Math.max(1, Math.ceil((m.tables[t.name]?.rows ?? 0) / IMPORT_PAGE_ROWS)), 0);
        const reconcilePages = rowTables.reduce((n, t) => n + Math.max(1, Math.ceil((m.tables[t.name]?.rows ?? 0) / IMPORT_PAGE_ROWS)), 0);
        cursor.total = 1 + Math.ceil(entryCount / VERIFY_PER_STEP) + tables.length + 1 + 1 + rowPages + reconcilePages + Math.ceil(fileNames.length / FILES_PER_STEP) + 1;
        Object.assign(cursor, { phase: "verify", index: 0, offset: 0 });
        break;
      }
      case "verify": {
        const names = Object.keys(m.files);
        for (const name of names.slice(cursor.index, cursor.index + VERIFY_PER_STEP)) {
          const bytes = await zip.read(name);
          const expected = m.files[name]!;
          if (bytesToHex(await sha256(bytes)) !== expected.sha256) throw new ArchiveError("checksum_mismatch");
          const table = tables.find((t) => m.tables[t.name]?.json === name);
          if (table) {
            const keyColumns = table.columns.filter((c) => c.endsWith("_key") && !table.generated?.includes(c));
            // The whole entry is read in this step: a retry reads it again from the start.
            const seen = new Set<string>();
            const idColumns = table.hasId ? ["id"] : table.name === PURGES_TABLE ? ["document_id"] : [];
            for (const row of parseRows(decoder.decode(bytes), [...idColumns, ...keyColumns])) {
              for (const c of keyColumns) {
                const key = row[c];
                if (isR2Key(c, key) && !String(key).startsWith(`accounts/${m.source.accountId}/`)) throw new ArchiveError("foreign_file_path");
              }
              if (table.name === PURGES_TABLE) {
                // A purged document is in no other table: its purge record gives it its new id. An id
                // claimed by a live document too is refused (a purge record would unlock its delete).
                const purged = row.document_id;
                if (typeof purged !== "string") throw new ArchiveError("row_without_id", table.name);
                const claimedBy = this.ids.entryOf(purged);
                if (seen.has(purged) || (claimedBy !== undefined && claimedBy !== name)) throw new ArchiveError("duplicate_id", table.name);
                seen.add(purged);
                if (!this.ids.get(purged)) this.ids.put(purged, randomId(), name);
              }
              if (!table.hasId) continue;
              if (typeof row.id !== "string") throw new ArchiveError("row_without_id", table.name);
              // Ids are global keys: the same id twice (in one table or two) would merge two rows.
              const claimedBy = this.ids.entryOf(row.id);
              if (seen.has(row.id) || (claimedBy !== undefined && claimedBy !== name)) throw new ArchiveError("duplicate_id", table.name);
              seen.add(row.id);
              if (!this.ids.get(row.id)) this.ids.put(row.id, randomId(), name);
            }
          }
        }
        cursor.index += VERIFY_PER_STEP;
        if (cursor.index >= names.length) Object.assign(cursor, { phase: "check", index: 0, offset: 0 });
        break;
      }
      case "check": {
        // One table per step, every id known by now; the numbering last, still before any write.
        const table = tables[cursor.index];
        if (table) {
          this.checkRows(table, await this.tableRows(table));
          cursor.index += 1;
          break;
        }
        await this.checkContent();
        await this.checkNumbering();
        Object.assign(cursor, { phase: "profile", index: 0, offset: 0 });
        break;
      }
      case "profile":
        await this.saveSnapshot();
        await this.importProfile();
        Object.assign(cursor, { phase: "tables", index: 0, offset: 0 });
        break;
      case "tables":
      case "reconcile":
      case "aggregates": {
        const list = cursor.phase === "aggregates" ? aggregates : rowTables;
        const table = list[cursor.index];
        if (!table) {
          // Every row is in: the figures the triggers derived on the way (twice for keyed rows put
          // back over them) are recomputed from the documents and payments (derived.ts).
          if (cursor.phase === "aggregates") await this.d1().batch(rederiveStatements(this.d1(), this.job.accountId));
          const next = cursor.phase === "tables" ? "reconcile" : cursor.phase === "reconcile" ? "aggregates" : "files";
          Object.assign(cursor, { phase: next, index: 0, offset: 0 });
          break;
        }
        const rows = await this.tableRows(table);
        const page = rows.slice(cursor.offset, cursor.offset + IMPORT_PAGE_ROWS);
        if (cursor.phase === "reconcile") await this.reconcileRows(table, page);
        else await this.insertRows(table, page);
        cursor.offset += IMPORT_PAGE_ROWS;
        if (cursor.offset >= rows.length) Object.assign(cursor, { index: cursor.index + 1, offset: 0 });
        break;
      }
      case "files": {
        for (const name of fileNames.slice(cursor.index, cursor.index + FILES_PER_STEP)) {
          const key = this.mapKey(name.slice("files/".length));
          const bytes = await zip.read(name);
          this.journal.noteFile(key);
          await this.env.FILES.put(key, bytes, {
            httpMetadata: { contentType: key.endsWith(".pdf") ? "application/pdf" : key.endsWith(".xml") ? "application/xml" : "application/octet-stream" },
            customMetadata: { sha256: m.files[name]!.sha256 },
          });
        }
        cursor.index += FILES_PER_STEP;
        if (cursor.index >= fileNames.length) Object.assign(cursor, { phase: "numbering", index: 0, offset: 0 });
        break;
      }
      case "numbering": {
        const numbering = numberingFor(this.env, this.job.accountId);
        for (const s of m.numbering) {
          this.journal.noteSeries(s.seriesId, await numbering.seriesRow(s.seriesId));
          const set = await numbering.setNextNumber(s.seriesId, s.nextNumber, s.lastIssueDate ?? null);
          if (!set.ok) throw new ArchiveError(set.code);
        }
        Object.assign(cursor, { phase: "done", index: 0, offset: 0 });
        return true;
      }
      case "done":
        return true;
    }
    cursor.step += 1;
    return false;
  }

  /** An import goes only into an account without business data: it never merges two histories. */
  private async assertFresh(): Promise<void> {
    if (await holdsBusinessData(this.db, this.job.accountId)) throw new ArchiveError("account_not_fresh");
  }

  /**
   * Refuses, before any write, a table whose rows the inserts would choke on half-way: a required
   * value missing, or a reference (`*_id`) to a row the archive does not hold. A dangling optional
   * reference is legitimate (a product deleted after it was invoiced) and is cleared on insert.
   */
  private checkRows(table: TableInfo, rows: Row[]): void {
    const m = this.mustManifest();
    const names = this.tables().map((t) => t.name);
    // Keys the database holds unique: a second row with the same key would be silently dropped
    // (INSERT OR IGNORE) or fail half-way. Columns the import rewrites to one value are left out.
    const keys = (table.unique ?? []).filter((k) => !k.some((c) => c === "user_id" || c === "requested_by") && k.some((c) => c !== "account_id"));
    const seen = keys.map(() => new Set<string>());
    const dateColumns = table.columns.filter((c) => DATE_COLUMN.test(c) && !table.generated?.includes(c));
    for (const row of rows) {
      // The same bounds as the screens and the API: a business date within 2000–2099.
      for (const c of dateColumns) if (row[c] !== null && row[c] !== undefined && !isBusinessDate(row[c])) throw new ArchiveError("date_out_of_window", table.name);
      if (table.name === "document_series" && (!PREFIX_PATTERN.test(String(row.prefix)) || !(DOCUMENT_TYPES as readonly unknown[]).includes(row.type))) {
        throw new ArchiveError("numbering_invalid", table.name);
      }
      // A purge record the database would refuse (migrations 0005, 0028: invoices after 10 years,
      // quotes only in a closed account) is refused here, before any write, not half-way.
      if (table.name === PURGES_TABLE && (row.type === "quote" || Number(row.purged_at) - Number(row.issued_at) < TEN_YEARS_FLOOR_MS)) {
        throw new ArchiveError("purge_not_due", table.name);
      }
      for (const [col, value] of Object.entries(row)) {
        if (value === null) {
          if (table.required?.includes(col) && col !== "account_id") throw new ArchiveError("missing_value", table.name);
          continue;
        }
        if (!col.endsWith("_id") || NOT_REFERENCES.has(col) || OWN_COLUMNS.has(col)) continue;
        if (table.name === PURGES_TABLE && col === "document_id") continue;
        const target = referenceTarget(col, names);
        const entry = this.ids.entryOf(String(value));
        // A document purged after its legal period is named by its purge record, not by a row of
        // `documents`: its payments and its issue log entry are not dangling.
        const purged = target === "documents" && entry !== undefined && entry === m.tables[PURGES_TABLE]?.json && m.tables[PURGES_TABLE]?.imported;
        if (entry === undefined) {
          if (table.required?.includes(col)) throw new ArchiveError("dangling_reference", table.name);
        } else if (target && entry !== m.tables[target]?.json && !purged && !(ALSO_REFERENCES[`${table.name}.${col}`] ?? []).some((t) => entry === m.tables[t]?.json)) {
          // An id of the archive, but of another table (a payment pointing at a client): forged.
          throw new ArchiveError("dangling_reference", table.name);
        }
      }
      keys.forEach((key, i) => {
        const values = key.map((c) => (c === "account_id" ? "" : row[c]));
        if (values.some((v) => v === null || v === undefined)) return;
        const text = JSON.stringify(values);
        if (seen[i]!.has(text)) throw new ArchiveError("duplicate_id", table.name);
        seen[i]!.add(text);
      });
    }
  }

  /**
   * Checks the content the screens would have checked, before any write: the logo is an image
   * recognised by its bytes (profile/logo.ts), and every issued document still matches its entry
   * in the issue log — the content hash of its number, date, totals and PDF/XML hashes, the files'
   * own hashes, and its snapshot's totals recomputed from its lines. An archive whose amounts were
   * edited would import and then fail `/audit/verify` (content_mismatch): it is refused here.
   */
  private async checkContent(): Promise<void> {
    const m = this.mustManifest();
    const zip = this.zip!;
    let profile: Record<string, unknown>;
    try {
      profile = JSON.parse(decoder.decode(await zip.read("account.json"))) as Record<string, unknown>;
    } catch (err) {
      throw err instanceof ArchiveError ? err : new ArchiveError("account_invalid");
    }
    if (profile.logoKey !== null && profile.logoKey !== undefined) {
      const name = `files/${String(profile.logoKey)}`;
      if (!zip.entries.has(name) || !(name in m.files) || !checkLogo(await zip.read(name)).ok) throw new ArchiveError("logo_invalid");
    }
    const tables = this.tables();
    const docs = tables.find((t) => t.name === "documents");
    if (!docs) return;
    const log = tables.find((t) => t.name === "issue_log");
    const hashes = new Map<string, string>();
    for (const e of log ? await this.tableRows(log) : []) if (e.action === "issue" || e.action == null) hashes.set(String(e.document_id), String(e.content_hash));
    for (const d of await this.tableRows(docs)) {
      if (d.number === null || d.number === undefined) continue;
      if (!documentMatchesChain(d, hashes.get(String(d.id)), m.files)) throw new ArchiveError("document_tampered", "documents");
    }
  }

  /** Every series the archive continues must be unused here, and its dates real dates. */
  private async checkNumbering(): Promise<void> {
    const numbering = numberingFor(this.env, this.job.accountId);
    for (const s of this.mustManifest().numbering) {
      const state = await numbering.seriesState(s.seriesId);
      if (state.issued > 0) throw new ArchiveError("series_already_started");
    }
  }

  private async tableRows(table: TableInfo): Promise<Row[]> {
    if (this.cache?.table === table.name) return this.cache.rows;
    const m = this.mustManifest();
    const info = m.tables[table.name]!;
    const columns = info.columns.filter((c) => table.columns.includes(c) && !table.generated?.includes(c));
    let rows = parseRows(decoder.decode(await this.zip!.read(info.json)), columns);
    // The hash chain is rebuilt in order: entries go to the numbering object by ascending seq.
    if (table.name === "issue_log") rows = rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    this.cache = { table: table.name, rows };
    return rows;
  }

  private async insertRows(table: TableInfo, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const mapped: Row[] = [];
    for (const row of rows) {
      const out = this.mapRow(table, row);
      if (table.name === "issue_log") {
        // The chain hashes the document id, which changed: the new account's numbering object
        // appends each entry again (idempotent per document), and D1 stores what it returns.
        const entry = await numberingFor(this.env, this.job.accountId).appendIssueLog(String(out.document_id), String(out.content_hash));
        Object.assign(out, { seq: entry.seq, prev_hash: entry.prevHash, hash: entry.hash });
      }
      mapped.push(out);
    }
    const columns = Object.keys(mapped[0]!);
    // Rows with their own id never overwrite (a resumed step finds them there); keyed aggregates
    // (series prefixes, monthly totals, trigger-kept balances) take the archive's values over what
    // the inserts before them derived, so they end exactly as exported.
    const verb = table.hasId || table.name === "issue_log" ? "INSERT OR IGNORE" : "INSERT OR REPLACE";
    // Names come from the drizzle schema, never from the archive; values are bound.
    const text = `${verb} INTO "${table.name}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
    // Drizzle cannot batch raw statements: the handle's own D1 client does (metered all the same).
    const d1 = (this.db as unknown as { $client: D1Database }).$client;
    await d1.batch(mapped.map((row) => d1.prepare(text).bind(...columns.map((c) => row[c] ?? null))));
  }

  /**
   * Puts back the archive's values where a trigger changed them while later rows went in (an
   * invoice's paid or credited amounts grow when its payments and credit notes are inserted).
   * Only differing columns are written, so the immutability triggers see no change to content.
   */
  private async reconcileRows(table: TableInfo, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const mapped = rows.map((r) => this.mapRow(table, r));
    const d1 = (this.db as unknown as { $client: D1Database }).$client;
    const ids = mapped.map((r) => String(r.id));
    const { results } = await d1
      .prepare(`SELECT * FROM "${table.name}" WHERE account_id = ? AND id IN (${ids.map(() => "?").join(", ")})`)
      .bind(this.job.accountId, ...ids)
      .all<Row>();
    const current = new Map(results.map((r) => [String(r.id), r]));
    const updates: D1PreparedStatement[] = [];
    for (const row of mapped) {
      const now = current.get(String(row.id));
      if (!now) continue;
      const changed = Object.keys(row).filter((c) => c !== "id" && (now[c] ?? null) !== (row[c] ?? null));
      if (changed.length === 0) continue;
      updates.push(
        d1
          .prepare(`UPDATE "${table.name}" SET ${changed.map((c) => `"${c}" = ?`).join(", ")} WHERE id = ? AND account_id = ?`)
          .bind(...changed.map((c) => row[c] ?? null), row.id, this.job.accountId),
      );
    }
    if (updates.length > 0) await d1.batch(updates);
  }

  /** A row of the archive with ids, owner and R2 keys moved to the new account. */
  private mapRow(table: TableInfo, row: Row): Row {
    const out: Row = {};
    for (const [col, value] of Object.entries(row)) {
      if (col === "account_id") out[col] = this.job.accountId;
      else if (value === null) out[col] = null;
      else if (col === "user_id" || col === "requested_by") out[col] = this.job.requestedBy;
      else if (col === "id" && table.hasId) out[col] = this.ids.get(String(value)) ?? raise("row_without_id");
      else if (col.endsWith("_id") && !NOT_REFERENCES.has(col)) {
        const mappedId = this.ids.get(String(value));
        // A reference to a row the archive does not hold (a deleted product…) is dropped where the
        // column allows it; it is never kept as is, since it would point into another account.
        if (mappedId) out[col] = mappedId;
        else if (table.required?.includes(col)) throw new ArchiveError("dangling_reference", table.name);
        else out[col] = null;
      } else if (isR2Key(col, value)) out[col] = this.mapKey(String(value));
      else out[col] = value;
    }
    return out;
  }

  /** An R2 key of the source account moved under the new account's prefix; any other key is refused. */
  mapKey(key: string): string {
    const source = this.mustManifest().source.accountId;
    const mapped = key
      .split("/")
      .map((segment) => {
        if (segment === source) return this.job.accountId;
        const dot = segment.indexOf(".");
        const base = dot === -1 ? segment : segment.slice(0, dot);
        const fresh = this.ids.get(base);
        return fresh ? fresh + segment.slice(base.length) : segment;
      })
      .join("/");
    if (!mapped.startsWith(`accounts/${this.job.accountId}/`)) throw new ArchiveError("foreign_file_path");
    return mapped;
  }

  /**
   * Notes what the account holds before the first write (its profile, its keyed rows: settings,
   * totals kept by triggers…): small, since an import only runs on an account without documents.
   */
  private async saveSnapshot(): Promise<void> {
    if (this.journal.hasSnapshot()) return;
    const m = this.mustManifest();
    const d1 = (this.db as unknown as { $client: D1Database }).$client;
    const profile = (await d1.prepare(`SELECT ${PROFILE_COLUMNS().map((c) => `"${c}"`).join(", ")} FROM accounts WHERE id = ?`).bind(this.job.accountId).first<Row>()) ?? {};
    const tables: ImportSnapshot["tables"] = [];
    for (const t of rollbackKeyedTables()) {
      const { results } = await d1.prepare(`SELECT * FROM "${t.name}" WHERE account_id = ?`).bind(this.job.accountId).all<Row>();
      const columns = t.columns.filter((c) => !t.generated?.includes(c));
      tables.push({ table: t.name, rows: results.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))) });
    }
    const entries: Record<string, string> = {};
    for (const [name, info] of Object.entries(m.tables)) if (info.imported && isImported(name)) entries[name] = info.json;
    this.journal.saveSnapshot({ profile, entries, tables });
  }

  private async importProfile(): Promise<void> {
    let profile: Record<string, unknown>;
    try {
      profile = JSON.parse(decoder.decode(await this.zip!.read("account.json"))) as Record<string, unknown>;
    } catch (err) {
      throw err instanceof ArchiveError ? err : new ArchiveError("account_invalid");
    }
    const assignments = [];
    const camel = (c: string) => c.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    for (const column of getTableConfig(accounts).columns) {
      if (ACCOUNT_OWN_COLUMNS.has(column.name)) continue;
      const value = profile[camel(column.name)];
      if (value === undefined) continue;
      if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new ArchiveError("account_invalid");
      const stored = typeof value === "boolean" ? Number(value) : column.name === "logo_key" && typeof value === "string" ? this.mapKey(value) : value;
      assignments.push(sql`${sql.identifier(column.name)} = ${stored}`);
    }
    const sealer = await sealerFor(this.config);
    const iban = typeof profile.iban === "string" ? profile.iban : null;
    const bic = typeof profile.bic === "string" ? profile.bic : null;
    assignments.push(sql`iban_sealed = ${iban ? await sealer.seal(iban, aad.iban(this.job.accountId)) : null}`);
    assignments.push(sql`bic_sealed = ${bic ? await sealer.seal(bic, aad.bic(this.job.accountId)) : null}`);
    assignments.push(sql`updated_at = ${Date.now()}`);
    await this.db.run(sql`UPDATE accounts SET ${sql.join(assignments, sql`, `)} WHERE id = ${this.job.accountId}`);
  }
}

/** The floor under 10 calendar years that the retention_purges insert trigger enforces (3650 days). */
const TEN_YEARS_FLOOR_MS = 315_360_000_000;

/** The accounts columns an import's profile step writes (what a rollback puts back). */
export const PROFILE_COLUMNS = (): string[] => [
  ...getTableConfig(accounts)
    .columns.map((c) => c.name)
    .filter((c) => !ACCOUNT_OWN_COLUMNS.has(c)),
  "iban_sealed",
  "bic_sealed",
  "updated_at",
];

/**
 * Keyed account tables (no own id) an import writes, directly or through the triggers of the rows
 * it inserts: a rollback empties them and puts back what the snapshot held.
 */
export function rollbackKeyedTables(): TableInfo[] {
  return accountTables().filter((t) => !t.hasId && isImported(t.name));
}

/** Account tables with their own id an import fills, in the order a rollback empties them. */
export function rollbackRowTables(): TableInfo[] {
  const schema = new Map(accountTables().map((t) => [t.name, t]));
  return importOrder(accountTables().filter((t) => t.hasId && isImported(t.name)).map((t) => t.name))
    .reverse()
    .map((n) => schema.get(n)!);
}

/** Columns naming an R2 object: always these, and any other `*_key` whose value is a path. */
const R2_KEY_COLUMNS = new Set(["pdf_key", "xml_key", "logo_key"]);
function isR2Key(column: string, value: unknown): boolean {
  if (typeof value !== "string") return false;
  return R2_KEY_COLUMNS.has(column) || (column.endsWith("_key") && value.includes("/"));
}

function raise(code: string): never {
  throw new ArchiveError(code);
}

/** A numbering series id as the numbering object keys it: `type:year` (domain/numbering.ts seriesIdFor). */
const SERIES_ID = new RegExp(`^(?:${DOCUMENT_TYPES.join("|")}):(\\d{4})$`);

/** Text date columns of the schema (`issue_date`, `received_on`, `valid_until`…): business dates. */
const DATE_COLUMN = /(_date|_on|_until)$/;

/**
 * Whether an issued document row of an archive matches its issue-log `contentHash` the way
 * `/audit/verify` checks it (documents/queries.ts verifyIssueChain), its PDF and XML hashes match
 * the archive's files, and its snapshot agrees with the row: same number, date and type, and
 * totals that its own lines give again (domain/snapshot.ts totalsOfSpec).
 */
export function documentMatchesChain(d: Row, contentHash: string | undefined, files: Manifest["files"]): boolean {
  if (!contentHash || typeof d.pdf_sha256 !== "string" || typeof d.number !== "string" || typeof d.issue_date !== "string") return false;
  const expected = documentContentHash({
    type: String(d.type),
    number: d.number,
    issueDate: d.issue_date,
    taxInclusiveCents: Number(d.tax_inclusive_cents),
    dueCents: Number(d.due_cents),
    pdfSha256: d.pdf_sha256,
    xmlSha256: typeof d.xml_sha256 === "string" ? d.xml_sha256 : null,
  });
  if (expected !== contentHash) return false;
  for (const [key, sha] of [[d.pdf_key, d.pdf_sha256], [d.xml_key, d.xml_sha256]] as const) {
    if (key === null || key === undefined) {
      if (sha !== null && sha !== undefined) return false;
      continue;
    }
    if (files[`files/${String(key)}`]?.sha256 !== sha) return false;
  }
  let snapshot: DocumentSnapshot;
  try {
    snapshot = JSON.parse(String(d.snapshot)) as DocumentSnapshot;
  } catch {
    return false;
  }
  if (!snapshot || snapshot.number !== d.number || snapshot.issueDate !== d.issue_date || snapshot.type !== d.type) return false;
  if (snapshot.totals?.taxInclusiveCents !== Number(d.tax_inclusive_cents) || snapshot.totals?.dueCents !== Number(d.due_cents)) return false;
  try {
    const again = totalsOfSpec(snapshot);
    return again.ok && again.totals.taxInclusiveCents === snapshot.totals.taxInclusiveCents && again.totals.dueCents === snapshot.totals.dueCents;
  } catch {
    return false;
  }
}

/** Checks the manifest's shape and that every entry it names is in the archive. */
function checkManifest(value: unknown, zip: R2Zip): Manifest {
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== "object" || m.format !== ARCHIVE_FORMAT) throw new ArchiveError("manifest_invalid");
  if (m.version !== ARCHIVE_VERSION) throw new ArchiveError("unsupported_version");
  if (!m.source || typeof m.source.accountId !== "string" || !m.tables || typeof m.tables !== "object" || !m.files || typeof m.files !== "object" || !Array.isArray(m.numbering)) {
    throw new ArchiveError("manifest_invalid");
  }
  for (const [name, f] of Object.entries(m.files)) {
    if (!zip.entries.has(name) || typeof f?.sha256 !== "string") throw new ArchiveError("entry_missing");
  }
  for (const t of Object.values(m.tables)) {
    if (!t || !Array.isArray(t.columns) || typeof t.json !== "string" || !(t.json in m.files)) throw new ArchiveError("manifest_invalid");
  }
  if (!("account.json" in m.files)) throw new ArchiveError("manifest_invalid");
  for (const s of m.numbering) {
    if (typeof s?.seriesId !== "string" || !Number.isSafeInteger(s.nextNumber) || s.nextNumber < 1) throw new ArchiveError("manifest_invalid");
    if (s.lastIssueDate != null && (typeof s.lastIssueDate !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(s.lastIssueDate))) throw new ArchiveError("manifest_invalid");
    // Within what the series API accepts (PUT /series/:type): a known type and a business year,
    // a next number up to MAX_NEXT_NUMBER, a last issue date in the business window.
    const series = SERIES_ID.exec(s.seriesId);
    if (!series || !isBusinessYear(Number(series[1])) || s.nextNumber > MAX_NEXT_NUMBER || (s.lastIssueDate != null && !isBusinessDate(s.lastIssueDate))) {
      throw new ArchiveError("numbering_invalid");
    }
  }
  return m as Manifest;
}
