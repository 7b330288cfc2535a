import { and, count, eq, inArray, isNotNull } from "drizzle-orm";
import { documentSeries, documents, DOCUMENT_TYPES } from "../../db/schema";
import { DEFAULT_PREFIXES, PREFIX_PATTERN, seriesIdFor } from "../../domain/numbering";
import { AppError } from "../../http/errors";
import { numberingFor } from "../../numbering/numbering-object";
import { type AccountVerbCtx, type DocumentType, todayInParis } from "./drafts";

export interface SeriesState {
  type: DocumentType;
  prefix: string;
  year: number;
  nextNumber: number;
  issued: number;
  lastIssueDate: string | null;
}

/**
 * Numbered documents per series as D1 holds them. The numbering object counts only the numbers it
 * gave itself; an imported history lives in D1 alone, and it has used its numbers all the same.
 */
async function numberedInD1(ctx: AccountVerbCtx, seriesIds: string[]): Promise<Map<string, number>> {
  const rows = await ctx.db
    .select({ seriesId: documents.seriesId, n: count() })
    .from(documents)
    .where(and(eq(documents.accountId, ctx.accountId), inArray(documents.seriesId, seriesIds), isNotNull(documents.number)))
    .groupBy(documents.seriesId)
    .all();
  return new Map(rows.map((r) => [r.seriesId ?? "", r.n]));
}

/** The numbering of each document type for the current year, as the settings page shows it. */
export async function listSeries(ctx: AccountVerbCtx): Promise<SeriesState[]> {
  const today = todayInParis(ctx.now);
  const rows = await ctx.db.select().from(documentSeries).where(eq(documentSeries.accountId, ctx.accountId)).all();
  const numbering = numberingFor(ctx.env, ctx.accountId);
  const inD1 = await numberedInD1(ctx, DOCUMENT_TYPES.map((type) => seriesIdFor(type, today)));
  return Promise.all(
    DOCUMENT_TYPES.map(async (type) => {
      const seriesId = seriesIdFor(type, today);
      const state = await numbering.seriesState(seriesId);
      return {
        type,
        prefix: rows.find((r) => r.type === type)?.prefix ?? DEFAULT_PREFIXES[type],
        year: Number(today.slice(0, 4)),
        nextNumber: state.nextNumber,
        issued: Math.max(state.issued, inD1.get(seriesId) ?? 0),
        lastIssueDate: state.lastIssueDate,
      };
    }),
  );
}

/**
 * Changes a series' prefix and/or next number — only while this year's series has issued nothing,
 * so a number, once printed, is never followed by another format or a jump (LEGAL.md §3).
 */
export async function configureSeries(ctx: AccountVerbCtx, type: DocumentType, input: { prefix?: string; nextNumber?: number }): Promise<void> {
  const seriesId = seriesIdFor(type, todayInParis(ctx.now));
  const numbering = numberingFor(ctx.env, ctx.accountId);
  const state = await numbering.seriesState(seriesId);
  // Issued here (the object's allocations) or in an imported history (D1 only): either way the
  // series has printed numbers, so it never restarts nor changes its prefix — a restart would hand
  // out a number D1 already holds (UNIQUE refusal after the number is consumed).
  if (state.issued > 0 || ((await numberedInD1(ctx, [seriesId])).get(seriesId) ?? 0) > 0) throw new AppError("conflict", ctx.t("series.err.started"));
  if (input.prefix !== undefined && !PREFIX_PATTERN.test(input.prefix)) {
    throw new AppError("invalid", ctx.t("series.err.prefix"), { prefix: ctx.t("series.err.prefix") });
  }
  if (input.nextNumber !== undefined) {
    const set = await numbering.setNextNumber(seriesId, input.nextNumber);
    if (!set.ok) {
      throw set.code === "series_already_started"
        ? new AppError("conflict", ctx.t("series.err.started"))
        : new AppError("invalid", ctx.t("series.err.next"), { nextNumber: ctx.t("series.err.next") });
    }
  }
  if (input.prefix !== undefined) {
    await ctx.db
      .insert(documentSeries)
      .values({ accountId: ctx.accountId, type, prefix: input.prefix, updatedAt: ctx.now })
      .onConflictDoUpdate({ target: [documentSeries.accountId, documentSeries.type], set: { prefix: input.prefix, updatedAt: ctx.now } });
  }

}
