import type { Row } from "./archive";
import type { IdStore, ImportJournal, ImportSnapshot, SeriesState } from "./import";

/** What a rollback reads back from the job object's storage (rollback.ts). */
export interface RollbackSource {
  /** The profile and entries noted before the first write; null when nothing was written. */
  snapshotMeta(): Pick<ImportSnapshot, "profile" | "entries"> | null;
  /** New ids given to the rows of one archive entry, in pages ordered by old id (after `after`). */
  freshIds(entry: string, after: string, limit: number): Array<{ old: string; fresh: string }>;
  /** R2 keys the import wrote, in pages (after `after`). */
  files(after: string, limit: number): string[];
  series(): Array<{ seriesId: string; before: SeriesState | null }>;
  /** Snapshot rows of the keyed tables, in pages of the snapshot's own order (after `after`). */
  snapshotRows(after: number, limit: number): Array<{ seq: number; table: string; row: Row }>;
}

/**
 * The id map, journal and rollback source of one import, in its job object's SQLite: it survives
 * the object's eviction, and is emptied with the rest of the object's storage when the job ends.
 */
export class SqlImportStore implements IdStore, ImportJournal, RollbackSource {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS idmap (old TEXT PRIMARY KEY, fresh TEXT NOT NULL, entry TEXT)");
    // An object created before `entry` existed (an import in flight across a deploy) gains the column.
    if (!sql.exec<{ name: string }>("PRAGMA table_info(idmap)").toArray().some((c) => c.name === "entry")) {
      sql.exec("ALTER TABLE idmap ADD COLUMN entry TEXT");
    }
    sql.exec("CREATE INDEX IF NOT EXISTS idmap_entry ON idmap (entry, old)");
    sql.exec("CREATE TABLE IF NOT EXISTS import_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS import_snapshot (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, row TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS import_files (key TEXT PRIMARY KEY)");
    sql.exec("CREATE TABLE IF NOT EXISTS import_series (series_id TEXT PRIMARY KEY, before TEXT)");
  }

  get(old: string): string | undefined {
    return this.sql.exec<{ fresh: string }>("SELECT fresh FROM idmap WHERE old = ?", old).toArray()[0]?.fresh;
  }

  entryOf(old: string): string | undefined {
    return this.sql.exec<{ entry: string | null }>("SELECT entry FROM idmap WHERE old = ?", old).toArray()[0]?.entry ?? undefined;
  }

  put(old: string, fresh: string, entry: string): void {
    this.sql.exec("INSERT OR IGNORE INTO idmap (old, fresh, entry) VALUES (?, ?, ?)", old, fresh, entry);
  }

  hasSnapshot(): boolean {
    return this.sql.exec("SELECT 1 FROM import_meta WHERE key = 'snapshot'").toArray().length > 0;
  }

  saveSnapshot(snapshot: ImportSnapshot): void {
    if (this.hasSnapshot()) return;
    // One synchronous run: the object's implicit transaction keeps the snapshot whole or absent.
    this.sql.exec("DELETE FROM import_snapshot");
    for (const t of snapshot.tables) for (const row of t.rows) this.sql.exec("INSERT INTO import_snapshot (tbl, row) VALUES (?, ?)", t.table, JSON.stringify(row));
    this.sql.exec("INSERT INTO import_meta (key, value) VALUES ('snapshot', ?)", JSON.stringify({ profile: snapshot.profile, entries: snapshot.entries }));
  }

  noteFile(key: string): void {
    this.sql.exec("INSERT OR IGNORE INTO import_files (key) VALUES (?)", key);
  }

  noteSeries(seriesId: string, before: SeriesState | null): void {
    this.sql.exec("INSERT OR IGNORE INTO import_series (series_id, before) VALUES (?, ?)", seriesId, before === null ? null : JSON.stringify(before));
  }

  snapshotMeta(): Pick<ImportSnapshot, "profile" | "entries"> | null {
    const meta = this.sql.exec<{ value: string }>("SELECT value FROM import_meta WHERE key = 'snapshot'").toArray()[0];
    return meta ? (JSON.parse(meta.value) as Pick<ImportSnapshot, "profile" | "entries">) : null;
  }

  freshIds(entry: string, after: string, limit: number): Array<{ old: string; fresh: string }> {
    return this.sql.exec<{ old: string; fresh: string }>("SELECT old, fresh FROM idmap WHERE entry = ? AND old > ? ORDER BY old LIMIT ?", entry, after, limit).toArray();
  }

  files(after: string, limit: number): string[] {
    return this.sql.exec<{ key: string }>("SELECT key FROM import_files WHERE key > ? ORDER BY key LIMIT ?", after, limit).toArray().map((r) => r.key);
  }

  series(): Array<{ seriesId: string; before: SeriesState | null }> {
    return this.sql
      .exec<{ series_id: string; before: string | null }>("SELECT series_id, before FROM import_series ORDER BY series_id")
      .toArray()
      .map((r) => ({ seriesId: r.series_id, before: r.before === null ? null : (JSON.parse(r.before) as SeriesState) }));
  }

  snapshotRows(after: number, limit: number): Array<{ seq: number; table: string; row: Row }> {
    return this.sql
      .exec<{ seq: number; tbl: string; row: string }>("SELECT seq, tbl, row FROM import_snapshot WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
      .toArray()
      .map((r) => ({ seq: r.seq, table: r.tbl, row: JSON.parse(r.row) as Row }));
  }
}
