import type { Bindings } from "../../env";
import { accountDb } from "../../db/client";
import { numberingFor } from "../../numbering/numbering-object";
import type { Row } from "./archive";
import { PURGES_TABLE, rollbackKeyedTables, rollbackRowTables } from "./import";
import type { RollbackSource } from "./import-store";

/** Rows deleted or put back per step (one D1 statement or batch): an account of any size is undone by steps. */
export const ROLLBACK_PAGE = 100;
/** Passes over the keyed tables: a delete trigger may put back a total the pass before emptied. */
const MAX_KEYED_PASSES = 3;

/** Where a rollback stands; persisted by the job object so it resumes after an eviction. */
export interface RollbackCursor {
  phase: "mark" | "rows" | "keyed" | "restore" | "profile" | "files" | "numbering" | "series" | "unmark" | "done";
  index: number;
  /** Last old id, R2 key or snapshot row handled in the current table (paging). */
  after: string;
  pass: number;
}

export const initialRollbackCursor = (): RollbackCursor => ({ phase: "mark", index: 0, after: "", pass: 0 });

/**
 * Undoes an import that failed after its first write (privacy policy §9.5: an import is all or
 * nothing), one bounded step per call, from what the job object noted — never from the archive,
 * which may be what went missing:
 *
 * 1. writes the account's `import_rollbacks` marker, which lets the immutability and append-only
 *    triggers (migration 0032) allow the deletes below for this account only;
 * 2. deletes the rows the import gave new ids, table by table in reverse insertion order (payments
 *    before documents, documents before their lines…), by id: rows the account held before are kept;
 * 3. empties the keyed tables (issue log, purge records, settings, totals kept by triggers) and puts
 *    back the rows they held before the import, then the profile as it was;
 * 4. deletes the files copied under the account's R2 prefix, and in the numbering object the chain
 *    entries of the imported documents and each series the import continued (back to unset);
 * 5. removes the marker.
 *
 * Lawful because every row deleted is a copy of a document issued in the source account, whose
 * archive the user still holds; nothing issued in this account is touched: an import only runs on
 * an account without documents, and issuing or recording a payment is refused while it runs
 * (import-lock.ts).
 */
export class ImportRollback {
  constructor(
    private readonly env: Bindings,
    private readonly job: { id: string; accountId: string },
    private readonly source: RollbackSource,
  ) {}

  private get d1(): D1Database {
    // Drizzle cannot batch raw statements: the account handle's own D1 client does.
    return (accountDb(this.env, this.job.accountId) as unknown as { $client: D1Database }).$client;
  }

  /** Runs one step, moving `cursor` on; true when the account is back to its state before the import. */
  async step(cursor: RollbackCursor): Promise<boolean> {
    const meta = this.source.snapshotMeta();
    const move = (phase: RollbackCursor["phase"]) => Object.assign(cursor, { phase, index: 0, after: "", pass: 0 });
    const accountId = this.job.accountId;
    switch (cursor.phase) {
      case "mark":
        await this.d1
          .prepare("INSERT OR IGNORE INTO import_rollbacks (account_id, job_id, started_at) VALUES (?, ?, ?)")
          .bind(accountId, this.job.id, Date.now())
          .run();
        // No snapshot: the import failed before its first D1 write; only files and series to check.
        move(meta ? "rows" : "files");
        return false;
      case "rows": {
        const table = rollbackRowTables()[cursor.index];
        if (!table) {
          move("keyed");
          return false;
        }
        const entry = meta?.entries[table.name];
        const page = entry ? this.source.freshIds(entry, cursor.after, ROLLBACK_PAGE) : [];
        if (page.length > 0) {
          // Names come from the drizzle schema; ids are bound.
          await this.d1
            .prepare(`DELETE FROM "${table.name}" WHERE account_id = ? AND id IN (${page.map(() => "?").join(", ")})`)
            .bind(accountId, ...page.map((p) => p.fresh))
            .run();
        }
        if (page.length < ROLLBACK_PAGE) Object.assign(cursor, { index: cursor.index + 1, after: "" });
        else cursor.after = page[page.length - 1]!.old;
        return false;
      }
      case "keyed": {
        const tables = rollbackKeyedTables();
        const table = tables[cursor.index];
        if (!table) {
          const left = await this.d1
            .prepare(`SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM "${t.name}" WHERE account_id = ?1)`).join(" + ")} AS n`)
            .bind(accountId)
            .first<{ n: number }>();
          if ((left?.n ?? 0) > 0 && cursor.pass + 1 < MAX_KEYED_PASSES) Object.assign(cursor, { index: 0, pass: cursor.pass + 1 });
          else move("restore");
          return false;
        }
        const res = await this.d1
          .prepare(`DELETE FROM "${table.name}" WHERE rowid IN (SELECT rowid FROM "${table.name}" WHERE account_id = ? LIMIT ?)`)
          .bind(accountId, ROLLBACK_PAGE)
          .run();
        if ((res.meta.changes ?? 0) < ROLLBACK_PAGE) cursor.index += 1;
        return false;
      }
      case "restore": {
        const page = this.source.snapshotRows(Number(cursor.after || 0), ROLLBACK_PAGE);
        if (page.length > 0) await this.d1.batch(page.map((p) => this.insert(p.table, p.row)));
        if (page.length < ROLLBACK_PAGE) move("profile");
        else cursor.after = String(page[page.length - 1]!.seq);
        return false;
      }
      case "profile": {
        const columns = Object.keys(meta?.profile ?? {});
        if (columns.length > 0) {
          await this.d1
            .prepare(`UPDATE accounts SET ${columns.map((c) => `"${c}" = ?`).join(", ")} WHERE id = ?`)
            .bind(...columns.map((c) => meta!.profile[c] ?? null), accountId)
            .run();
        }
        move("files");
        return false;
      }
      case "files": {
        const keys = this.source.files(cursor.after, ROLLBACK_PAGE).filter((k) => k.startsWith(`accounts/${accountId}/`));
        if (keys.length > 0) await this.env.FILES.delete(keys);
        if (keys.length < ROLLBACK_PAGE) move("numbering");
        else cursor.after = keys[keys.length - 1]!;
        return false;
      }
      case "numbering": {
        // The chain entries the import appended: its documents', and its purged documents'.
        const entries = [meta?.entries.documents, meta?.entries[PURGES_TABLE]];
        if (cursor.index >= entries.length) {
          move("series");
          return false;
        }
        const entry = entries[cursor.index];
        const page = entry ? this.source.freshIds(entry, cursor.after, ROLLBACK_PAGE) : [];
        if (page.length > 0) await this.undoNumbering(page.map((p) => p.fresh), []);
        if (page.length < ROLLBACK_PAGE) Object.assign(cursor, { index: cursor.index + 1, after: "" });
        else cursor.after = page[page.length - 1]!.old;
        return false;
      }
      case "series":
        await this.undoNumbering([], this.source.series());
        move("unmark");
        return false;
      case "unmark":
        await this.d1.prepare("DELETE FROM import_rollbacks WHERE account_id = ? AND job_id = ?").bind(accountId, this.job.id).run();
        move("done");
        return true;
      case "done":
        return true;
    }
  }

  private insert(table: string, row: Row): D1PreparedStatement {
    const columns = Object.keys(row);
    // The table name was written by this import from the schema, never read from the archive.
    if (!rollbackKeyedTables().some((t) => t.name === table)) throw new Error(`not a keyed table: ${table}`);
    return this.d1
      .prepare(`INSERT OR REPLACE INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
      .bind(...columns.map((c) => row[c] ?? null));
  }

  private async undoNumbering(documentIds: string[], series: ReturnType<RollbackSource["series"]>): Promise<void> {
    const { kept } = await numberingFor(this.env, this.job.accountId).undoImport(documentIds, series);
    // Never expected (nothing is issued during an import): said, not hidden, and nothing is forced.
    if (kept > 0) console.error(JSON.stringify({ level: "error", event: "import_rollback_numbering_kept", jobId: this.job.id, kept }));
  }
}
