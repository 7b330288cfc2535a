import { and, asc, desc, eq, gte, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import { clients, documents, timeEntries } from "../../db/schema";
import { AppError } from "../../http/errors";
import { decodeCursor, encodeCursor } from "../clients/search";
import type { AccountVerbCtx } from "../documents/drafts";
import type { TimeListQuery } from "./schemas";

export const PAGE_SIZE = 50;

/** An entry as lists show it: its row, its client's name, the number of the document it is billed on. */
export interface TimeListItem {
  id: string;
  clientId: string | null;
  clientName: string | null;
  productId: string | null;
  description: string;
  workDate: string;
  minutes: number;
  hourlyRateCents: number | null;
  billable: boolean;
  documentId: string | null;
  documentLineId: string | null;
  documentNumber: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface TimeTotals {
  minutes: number;
  /** Σ over billable entries with a rate of minutes × rate / 60, each rounded half up to the cent. */
  billableCents: number;
}

export interface TimePage {
  items: TimeListItem[];
  nextCursor: string | null;
  totals: TimeTotals;
}

/** The filters as SQL, without the cursor: what the totals cover. Running timers are not listed. */
function filtersOf(ctx: AccountVerbCtx, q: TimeListQuery): SQL | undefined {
  return and(
    eq(timeEntries.accountId, ctx.accountId),
    isNull(timeEntries.startedAt),
    q.clientId ? eq(timeEntries.clientId, q.clientId) : undefined,
    q.billed === "billed" ? isNotNull(timeEntries.documentId) : q.billed === "unbilled" ? isNull(timeEntries.documentId) : undefined,
    q.from ? gte(timeEntries.workDate, q.from) : undefined,
    q.to ? lte(timeEntries.workDate, q.to) : undefined,
  );
}

/** Same rounding as domain/duration amountForMinutes, in SQLite integer arithmetic. */
const billableCentsSql = sql<number>`COALESCE(SUM(CASE WHEN ${timeEntries.billable} = 1 AND ${timeEntries.hourlyRateCents} IS NOT NULL THEN (${timeEntries.minutes} * ${timeEntries.hourlyRateCents} * 2 + 60) / 120 ELSE 0 END), 0)`;

/**
 * One page of the account's time, newest day first, by keyset on (work_date, id) served by
 * time_entries_account_date: page size + 1 rows after the cursor, and the totals of the filter
 * (one aggregate over the same range, read through the same index).
 */
export async function listEntries(ctx: AccountVerbCtx, q: TimeListQuery): Promise<TimePage> {
  const limit = q.limit ?? PAGE_SIZE;
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  if (q.cursor && (!cursor || cursor.direction !== "after")) throw new AppError("invalid", ctx.t("form.errors"), { cursor: ctx.t("time.err.cursor") });
  const where = filtersOf(ctx, q);
  const [rows, totals] = await ctx.db.batch([
    ctx.db
      .select({
        id: timeEntries.id,
        clientId: timeEntries.clientId,
        clientName: clients.name,
        productId: timeEntries.productId,
        description: timeEntries.description,
        workDate: timeEntries.workDate,
        minutes: timeEntries.minutes,
        hourlyRateCents: timeEntries.hourlyRateCents,
        billable: timeEntries.billable,
        documentId: timeEntries.documentId,
        documentLineId: timeEntries.documentLineId,
        documentNumber: documents.number,
        createdAt: timeEntries.createdAt,
        updatedAt: timeEntries.updatedAt,
      })
      .from(timeEntries)
      .leftJoin(clients, and(eq(clients.id, timeEntries.clientId), eq(clients.accountId, timeEntries.accountId)))
      .leftJoin(documents, and(eq(documents.id, timeEntries.documentId), eq(documents.accountId, timeEntries.accountId)))
      .where(and(where, cursor ? sql`(${timeEntries.workDate}, ${timeEntries.id}) < (${cursor.key}, ${cursor.id})` : undefined))
      .orderBy(desc(timeEntries.workDate), desc(timeEntries.id))
      .limit(limit + 1),
    ctx.db.select({ minutes: sql<number>`COALESCE(SUM(${timeEntries.minutes}), 0)`, billableCents: billableCentsSql }).from(timeEntries).where(where),
  ]);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ direction: "after", key: last.workDate, id: last.id }) : null,
    totals: { minutes: Number(totals[0]?.minutes ?? 0), billableCents: Number(totals[0]?.billableCents ?? 0) },
  };
}

/** Most entries offered at once on the billing page (a draft holds 500 lines). */
export const BILL_LIMIT = 500;

/** A client's billable entries not yet on any document, oldest first (the partial index time_entries_unbilled_client). */
export function unbilledEntries(ctx: AccountVerbCtx, clientId: string) {
  return ctx.db
    .select()
    .from(timeEntries)
    .where(
      and(
        eq(timeEntries.accountId, ctx.accountId),
        eq(timeEntries.clientId, clientId),
        isNull(timeEntries.documentId),
        // Literal, so the planner matches the partial index's WHERE.
        sql`${timeEntries.billable} = 1`,
        isNull(timeEntries.startedAt),
      ),
    )
    .orderBy(asc(timeEntries.workDate), asc(timeEntries.createdAt))
    .limit(BILL_LIMIT)
    .all();
}
