import { DurableObject } from "cloudflare:workers";
import { type ChainEntry, GENESIS_HASH, chainHash } from "../domain/audit-chain";
import { formatDocumentNumber } from "../domain/numbering";

/** Result of an allocation: the number and whether this call created it. */
export interface Allocation {
  ok: true;
  /** The counter within the series. */
  number: number;
  /** The printed number, formatted once at allocation so a retry gets exactly the same text. */
  formatted: string;
  issueDate: string;
  created: boolean;
}

/** Why an allocation was refused: nothing was consumed. */
export interface AllocationRefusal {
  ok: false;
  code: "date_before_last_issue";
  lastIssueDate: string;
}

/**
 * One object per account serializes invoice-number allocation (ARCHITECTURE.md, "Gapless
 * numbering"). The object's own SQLite is the source of truth for numbers: an allocation is
 * idempotent per document, numbers are never freed, and no issue date may precede the last one
 * issued in the same series.
 */
export class NumberingObject extends DurableObject<CloudflareBindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: CloudflareBindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS series (
      id TEXT PRIMARY KEY,
      next_number INTEGER NOT NULL DEFAULT 1,
      last_issue_date TEXT
    )`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS allocations (
      document_id TEXT PRIMARY KEY,
      series_id TEXT NOT NULL,
      number INTEGER NOT NULL,
      formatted TEXT NOT NULL,
      issue_date TEXT NOT NULL,
      allocated_at INTEGER NOT NULL,
      confirmed_at INTEGER,
      UNIQUE (series_id, number)
    )`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS issue_log (
      seq INTEGER PRIMARY KEY,
      document_id TEXT NOT NULL UNIQUE,
      content_hash TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`);
  }

  /**
   * Appends an issued document to the account's hash chain, or returns its existing entry (a retry
   * after a failed D1 write gets the same entry back). Runs without yielding, so two appends never
   * read the same head.
   */
  appendIssueLog(documentId: string, contentHash: string): ChainEntry {
    const existing = this.sql
      .exec<{ seq: number; content_hash: string; prev_hash: string; hash: string }>(
        "SELECT seq, content_hash, prev_hash, hash FROM issue_log WHERE document_id = ?",
        documentId,
      )
      .toArray()[0];
    if (existing) {
      return { seq: existing.seq, documentId, contentHash: existing.content_hash, prevHash: existing.prev_hash, hash: existing.hash };
    }
    const head = this.sql.exec<{ seq: number; hash: string }>("SELECT seq, hash FROM issue_log ORDER BY seq DESC LIMIT 1").toArray()[0];
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const hash = chainHash(prevHash, seq, documentId, contentHash);
    this.sql.exec("INSERT INTO issue_log (seq, document_id, content_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?)", seq, documentId, contentHash, prevHash, hash);
    return { seq, documentId, contentHash, prevHash, hash };
  }

  /**
   * Gives `documentId` its number in `seriesId`, or returns the number it already holds.
   * `issueDate` is an ISO date (YYYY-MM-DD); it must not precede the series' last issue date.
   * `floor` is the lowest number it may give (see the issue verb's nextFreeNumber).
   */
  allocate(seriesId: string, documentId: string, issueDate: string, prefix: string, floor = 1): Allocation | AllocationRefusal {
    const existing = this.sql
      .exec<{ number: number; formatted: string; issue_date: string }>(
        "SELECT number, formatted, issue_date FROM allocations WHERE document_id = ?",
        documentId,
      )
      .toArray()[0];
    if (existing) return { ok: true, number: existing.number, formatted: existing.formatted, issueDate: existing.issue_date, created: false };

    const series = this.readSeries(seriesId);
    if (series.last_issue_date && issueDate < series.last_issue_date) {
      // Returned, not thrown: RPC keeps only an error's message, and callers branch on the code.
      return { ok: false, code: "date_before_last_issue", lastIssueDate: series.last_issue_date };
    }
    // `floor`: the first number D1 does not hold yet (the caller reads it before a series' first
    // allocation); a number D1 already holds would be consumed by a write it refuses.
    const number = Math.max(series.next_number, Number.isSafeInteger(floor) ? floor : 1);
    const formatted = formatDocumentNumber(prefix, issueDate, number);
    // Both writes run in the object's implicit transaction: they land together or not at all.
    this.sql.exec(
      "INSERT INTO series (id, next_number, last_issue_date) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET next_number = excluded.next_number, last_issue_date = excluded.last_issue_date",
      seriesId,
      number + 1,
      issueDate,
    );
    this.sql.exec(
      "INSERT INTO allocations (document_id, series_id, number, formatted, issue_date, allocated_at) VALUES (?, ?, ?, ?, ?, ?)",
      documentId,
      seriesId,
      number,
      formatted,
      issueDate,
      Date.now(),
    );
    return { ok: true, number, formatted, issueDate, created: true };
  }

  /**
   * Sets the next number of a series once, before its first issue (moving from another tool). An
   * import also passes `lastIssueDate`, the date of the last document the source issued in the
   * series: numbering stays chronological across the move (LEGAL.md §3), so no document can then be
   * dated before it. Without it, the series' last issue date is left as it is.
   */
  setNextNumber(
    seriesId: string,
    next: number,
    lastIssueDate?: string | null,
  ): { ok: true } | { ok: false; code: "series_already_started" | "invalid_number" | "invalid_date" } {
    if (!Number.isSafeInteger(next) || next < 1) return { ok: false, code: "invalid_number" };
    if (lastIssueDate != null && !isIsoDate(lastIssueDate)) return { ok: false, code: "invalid_date" };
    const used = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM allocations WHERE series_id = ?", seriesId).one().n;
    if (used > 0) return { ok: false, code: "series_already_started" };
    if (lastIssueDate == null) {
      this.sql.exec(
        "INSERT INTO series (id, next_number) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET next_number = excluded.next_number",
        seriesId,
        next,
      );
    } else {
      this.sql.exec(
        "INSERT INTO series (id, next_number, last_issue_date) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET next_number = excluded.next_number, last_issue_date = excluded.last_issue_date",
        seriesId,
        next,
        lastIssueDate,
      );
    }
    return { ok: true };
  }

  /** A series as stored, or null when it was never set nor used (what an import's rollback puts back). */
  seriesRow(seriesId: string): { nextNumber: number; lastIssueDate: string | null } | null {
    const row = this.sql
      .exec<{ next_number: number; last_issue_date: string | null }>("SELECT next_number, last_issue_date FROM series WHERE id = ?", seriesId)
      .toArray()[0];
    return row ? { nextNumber: row.next_number, lastIssueDate: row.last_issue_date } : null;
  }

  /**
   * Undoes what a failed import wrote here (features/data/rollback.ts): the chain entries it
   * appended for its documents, and each series it continued, put back as it was before (`before`
   * null: never set). Numbers allocated in this account are never touched: a series with an
   * allocation, or an entry of an allocated document, is left as is and reported.
   */
  undoImport(documentIds: string[], series: Array<{ seriesId: string; before: { nextNumber: number; lastIssueDate: string | null } | null }>): { kept: number } {
    let kept = 0;
    for (const id of documentIds) {
      if (this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM allocations WHERE document_id = ?", id).one().n > 0) kept += 1;
      else this.sql.exec("DELETE FROM issue_log WHERE document_id = ?", id);
    }
    for (const s of series) {
      if (this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM allocations WHERE series_id = ?", s.seriesId).one().n > 0) {
        kept += 1;
        continue;
      }
      if (s.before === null) this.sql.exec("DELETE FROM series WHERE id = ?", s.seriesId);
      else {
        this.sql.exec(
          "INSERT INTO series (id, next_number, last_issue_date) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET next_number = excluded.next_number, last_issue_date = excluded.last_issue_date",
          s.seriesId,
          s.before.nextNumber,
          s.before.lastIssueDate,
        );
      }
    }
    return { kept };
  }

  /** Marks allocations whose issued state has landed in D1, so the reconciler skips them. */
  confirm(documentIds: string[]): void {
    const now = Date.now();
    for (const id of documentIds) {
      this.sql.exec("UPDATE allocations SET confirmed_at = ? WHERE document_id = ? AND confirmed_at IS NULL", now, id);
    }
  }

  /** Allocations not yet confirmed, oldest first: the reconciler finishes their D1 write. */
  pending(olderThanMs: number): Array<{ documentId: string; seriesId: string; number: number; issueDate: string }> {
    const cutoff = Date.now() - olderThanMs;
    return this.sql
      .exec<{ document_id: string; series_id: string; number: number; issue_date: string }>(
        "SELECT document_id, series_id, number, issue_date FROM allocations WHERE confirmed_at IS NULL AND allocated_at <= ? ORDER BY allocated_at",
        cutoff,
      )
      .toArray()
      .map((r) => ({ documentId: r.document_id, seriesId: r.series_id, number: r.number, issueDate: r.issue_date }));
  }

  /** The state of a series: what the settings page shows. */
  seriesState(seriesId: string): { nextNumber: number; lastIssueDate: string | null; issued: number } {
    const s = this.readSeries(seriesId);
    const issued = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM allocations WHERE series_id = ?", seriesId)
      .one().n;
    return { nextNumber: s.next_number, lastIssueDate: s.last_issue_date, issued };
  }

  private readSeries(seriesId: string): { next_number: number; last_issue_date: string | null } {
    return (
      this.sql
        .exec<{ next_number: number; last_issue_date: string | null }>(
          "SELECT next_number, last_issue_date FROM series WHERE id = ?",
          seriesId,
        )
        .toArray()[0] ?? { next_number: 1, last_issue_date: null }
    );
  }
}

/** A real calendar date written YYYY-MM-DD (what issue dates are). */
function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * The numbering object of an account, always in the EU jurisdiction (privacy policy §7). Local
 * workerd has no jurisdictions and throws "not implemented" (cloudflare/workerd#4167): only that
 * exact refusal falls back to the plain namespace, so production can never silently leave the EU.
 */
export function numberingFor(env: Pick<CloudflareBindings, "NUMBERING">, accountId: string) {
  const ns = euNamespace(env.NUMBERING);
  return ns.get(ns.idFromName(accountId));
}

function euNamespace(ns: CloudflareBindings["NUMBERING"]): CloudflareBindings["NUMBERING"] {
  try {
    return ns.jurisdiction("eu");
  } catch (err) {
    if (err instanceof Error && err.message.includes("not implemented in workerd")) return ns;
    throw err;
  }
}
