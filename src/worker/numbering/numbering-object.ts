import { DurableObject } from "cloudflare:workers";

/** Result of an allocation: the number and whether this call created it. */
export interface Allocation {
  number: number;
  issueDate: string;
  created: boolean;
}

export class NumberingError extends Error {
  constructor(
    readonly code: "date_before_last_issue" | "series_already_started" | "invalid_number",
    message: string,
  ) {
    super(message);
    this.name = "NumberingError";
  }
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
      issue_date TEXT NOT NULL,
      allocated_at INTEGER NOT NULL,
      confirmed_at INTEGER,
      UNIQUE (series_id, number)
    )`);
  }

  /**
   * Gives `documentId` its number in `seriesId`, or returns the number it already holds.
   * `issueDate` is an ISO date (YYYY-MM-DD); it must not precede the series' last issue date.
   */
  allocate(seriesId: string, documentId: string, issueDate: string): Allocation {
    const existing = this.sql
      .exec<{ number: number; issue_date: string }>(
        "SELECT number, issue_date FROM allocations WHERE document_id = ?",
        documentId,
      )
      .toArray()[0];
    if (existing) return { number: existing.number, issueDate: existing.issue_date, created: false };

    const series = this.readSeries(seriesId);
    if (series.last_issue_date && issueDate < series.last_issue_date) {
      throw new NumberingError(
        "date_before_last_issue",
        `La date d'émission ${issueDate} précède celle du dernier document émis (${series.last_issue_date}).`,
      );
    }
    const number = series.next_number;
    // Both writes run in the object's implicit transaction: they land together or not at all.
    this.sql.exec(
      "INSERT INTO series (id, next_number, last_issue_date) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET next_number = excluded.next_number, last_issue_date = excluded.last_issue_date",
      seriesId,
      number + 1,
      issueDate,
    );
    this.sql.exec(
      "INSERT INTO allocations (document_id, series_id, number, issue_date, allocated_at) VALUES (?, ?, ?, ?, ?)",
      documentId,
      seriesId,
      number,
      issueDate,
      Date.now(),
    );
    return { number, issueDate, created: true };
  }

  /** Sets the next number of a series once, before its first issue (moving from another tool). */
  setNextNumber(seriesId: string, next: number): void {
    if (!Number.isSafeInteger(next) || next < 1) {
      throw new NumberingError("invalid_number", "Le prochain numéro doit être un entier positif.");
    }
    const used = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM allocations WHERE series_id = ?", seriesId)
      .one().n;
    if (used > 0) {
      throw new NumberingError(
        "series_already_started",
        "La numérotation a déjà commencé : le prochain numéro ne peut plus être modifié.",
      );
    }
    this.sql.exec(
      "INSERT INTO series (id, next_number) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET next_number = excluded.next_number",
      seriesId,
      next,
    );
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

/** The numbering object of an account, always in the EU jurisdiction (privacy policy §7). */
export function numberingFor(env: Pick<CloudflareBindings, "NUMBERING">, accountId: string) {
  const ns = env.NUMBERING.jurisdiction("eu");
  return ns.get(ns.idFromName(accountId));
}
