import { AsyncLocalStorage } from "node:async_hooks";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

/**
 * What one request (or one measured call) cost in D1: the sums of `meta.rows_read` and
 * `meta.rows_written` over every statement, the number of statements, and how many of them gave
 * no meta (so a budget test can insist the count is complete). `roundTrips` counts the sequential
 * waits on D1: a call that starts while none is in flight opens a new one, calls started together
 * (Promise.all, one batch) share it. For a user far from the database, each costs one network
 * round trip (issue #15).
 */
export interface D1Usage {
  rowsRead: number;
  rowsWritten: number;
  queries: number;
  unmetered: number;
  roundTrips: number;
  /** Calls in flight now (internal: what makes the next call a new round trip or not). */
  inFlight: number;
}

const scope = new AsyncLocalStorage<D1Usage>();

const emptyUsage = (): D1Usage => ({ rowsRead: 0, rowsWritten: 0, queries: 0, unmetered: 0, roundTrips: 0, inFlight: 0 });

/** Counts one call to D1 while `call` runs: a new round trip when nothing else was in flight. */
async function trip<T>(call: () => Promise<T>): Promise<T> {
  const usage = scope.getStore();
  if (!usage) return call();
  if (usage.inFlight === 0) usage.roundTrips += 1;
  usage.inFlight += 1;
  try {
    return await call();
  } finally {
    usage.inFlight -= 1;
  }
}

function record(meta: Partial<D1Meta> | undefined): void {
  const usage = scope.getStore();
  if (!usage) return;
  usage.queries += 1;
  if (!meta || typeof meta.rows_read !== "number") {
    usage.unmetered += 1;
    return;
  }
  usage.rowsRead += meta.rows_read;
  usage.rowsWritten += meta.rows_written ?? 0;
}

/** The usage of the surrounding request or measured call, or null outside one. */
export function currentD1Usage(): Readonly<D1Usage> | null {
  return scope.getStore() ?? null;
}

/** Runs `fn` in a fresh meter (nested meters do not add to the outer one) and returns its usage. */
export async function measureD1<T>(fn: () => Promise<T>): Promise<{ result: T; usage: D1Usage }> {
  const usage = emptyUsage();
  const result = await scope.run(usage, fn);
  return { result, usage };
}

/** The `Server-Timing` entry for a usage: `d1;desc="rows_read=…,rows_written=…,queries=…,round_trips=…"`. */
export function serverTimingOf(usage: D1Usage): string {
  return `d1;desc="rows_read=${usage.rowsRead},rows_written=${usage.rowsWritten},queries=${usage.queries},round_trips=${usage.roundTrips}"`;
}

/** Reads the D1 entry back from a `Server-Timing` header (tests, the bench), or null when absent. */
export function parseD1ServerTiming(header: string | null): Omit<D1Usage, "unmetered" | "inFlight"> | null {
  const desc = header?.match(/(?:^|,)\s*d1;desc="([^"]*)"/)?.[1];
  if (desc === undefined) return null;
  const field = (name: string) => Number(desc.match(new RegExp(`(?:^|,)${name}=(\\d+)`))?.[1] ?? Number.NaN);
  return { rowsRead: field("rows_read"), rowsWritten: field("rows_written"), queries: field("queries"), roundTrips: field("round_trips") };
}

/**
 * Meters every D1 call of the request and, outside production, reports the sums in a
 * `Server-Timing` header. Mounted first, so that session lookups and error pages count too.
 */
export const meterD1 = createMiddleware<AppEnv>(async (c, next) => {
  const usage = emptyUsage();
  await scope.run(usage, next);
  if (c.env.ENVIRONMENT === "production") return;
  try {
    c.res.headers.append("server-timing", serverTimingOf(usage));
  } catch {
    // Immutable headers (a response passed through from another fetch): re-wrap to add ours.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.append("server-timing", serverTimingOf(usage));
  }
});

// ——— The wrapper ———

/** workerd's statement internals, used only to keep `meta` on `raw()` (which drops it). */
interface StatementInternals {
  dbSession?: { _sendOrThrow?: (endpoint: string, sql: unknown, params: unknown, format: string) => Promise<unknown> };
  statement?: unknown;
  params?: unknown;
}

interface RowsAndColumns {
  meta?: D1Meta;
  results?: { columns: string[]; rows: unknown[][] };
}

const inner = new WeakMap<object, D1PreparedStatement>();

class MeteredStatement {
  constructor(private readonly stmt: D1PreparedStatement) {
    inner.set(this, stmt);
  }

  bind(...values: unknown[]): D1PreparedStatement {
    return metered(this.stmt.bind(...values));
  }

  async run<T>(): Promise<D1Result<T>> {
    const res = await trip(() => this.stmt.run<T>());
    record(res.meta);
    return res;
  }

  async all<T>(): Promise<D1Result<T>> {
    const res = await trip(() => this.stmt.all<T>());
    record(res.meta);
    return res;
  }

  /** Same semantics as D1's own `first()` (which runs the query in full and keeps row 0), with meta. */
  async first<T>(colName?: string): Promise<T | null> {
    const { results } = await this.all<Record<string, unknown>>();
    const row = results[0];
    if (!row) return null;
    if (colName === undefined) return row as T;
    if (row[colName] === undefined) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`);
    return row[colName] as T;
  }

  /**
   * `raw()` is what drizzle uses for most selects, and D1 returns no meta with it. The runtime's
   * own statement sends the same request `raw()` would and hands back the meta; without those
   * internals (another runtime) the call still works and counts as unmetered.
   */
  async raw<T>(options?: { columnNames?: boolean }): Promise<unknown[]> {
    const s = this.stmt as unknown as StatementInternals;
    const send = s.dbSession?._sendOrThrow;
    if (typeof send !== "function") {
      record(undefined);
      return trip<unknown[]>(() => (options?.columnNames ? this.stmt.raw<T>({ columnNames: true }) : this.stmt.raw<T>()));
    }
    const answer = await trip(() => send.call(s.dbSession, "/query", s.statement, s.params, "ROWS_AND_COLUMNS"));
    const one = (Array.isArray(answer) ? answer[0] : answer) as RowsAndColumns;
    if (!one?.results || !Array.isArray(one.results.rows)) throw new Error("D1_ERROR: unexpected answer to raw()");
    record(one.meta);
    const rows: unknown[] = one.results.rows;
    return options?.columnNames ? [one.results.columns, ...rows] : rows;
  }
}

function metered(stmt: D1PreparedStatement): D1PreparedStatement {
  return new MeteredStatement(stmt) as unknown as D1PreparedStatement;
}

/** The runtime's statements, for `batch()`, which reads their internals. */
function unwrap(statements: D1PreparedStatement[]): D1PreparedStatement[] {
  return statements.map((s) => inner.get(s) ?? s);
}

async function meteredBatch<T>(target: { batch: D1Database["batch"] }, statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
  const results = await trip(() => target.batch<T>(unwrap(statements)));
  for (const r of results) record(r.meta);
  return results;
}

/**
 * A D1Database whose every statement adds its `rows_read` / `rows_written` to the meter of the
 * surrounding request (see {@link meterD1}, {@link measureD1}); outside a meter it costs nothing.
 */
export function meteredD1(db: D1Database): D1Database {
  const wrapped = {
    prepare: (query: string) => metered(db.prepare(query)),
    batch: <T>(statements: D1PreparedStatement[]) => meteredBatch<T>(db, statements),
    exec: async (query: string) => {
      const res = await trip(() => db.exec(query));
      // exec answers a count and a duration only.
      record(undefined);
      return res;
    },
    withSession: (constraintOrBookmark?: string) => {
      const session = db.withSession(constraintOrBookmark);
      return {
        prepare: (query: string) => metered(session.prepare(query)),
        batch: <T>(statements: D1PreparedStatement[]) => meteredBatch<T>(session, statements),
        getBookmark: () => session.getBookmark(),
      };
    },
    dump: () => db.dump(),
  };
  return wrapped as unknown as D1Database;
}
