import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { vatOf } from "../../../client/islands/line-editor";
import { accounts, clients, documentLines, products, timeEntries } from "../../db/schema";
import { elapsedMinutes, MAX_ENTRY_MINUTES, minutesToHours } from "../../domain/duration";
import { formatDate } from "../../domain/format";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { type AccountVerbCtx, createDraft, deleteDraft, todayInParis } from "../documents/drafts";
import { defaultVat } from "../documents/pages";
import type { DraftInput } from "../documents/schemas";
import type { BillInput, TimeEntryInput, TimerInput } from "./schemas";

export type TimeEntryRow = typeof timeEntries.$inferSelect;

const notFound = (ctx: AccountVerbCtx) => new AppError("not_found", ctx.t("time.err.notFound"));
const invalid = (ctx: AccountVerbCtx, field: string, message: string) => new AppError("invalid", ctx.t("form.errors"), { [field]: message });

/** One entry of the account; 404 when it has none with that id (whether or not another account does). */
export async function getEntry(ctx: AccountVerbCtx, id: string): Promise<TimeEntryRow> {
  const row = await ctx.db
    .select()
    .from(timeEntries)
    .where(and(eq(timeEntries.id, id), eq(timeEntries.accountId, ctx.accountId)))
    .get();
  if (!row) throw notFound(ctx);
  return row;
}

/** The account's running timer, if any. */
export async function runningTimer(ctx: AccountVerbCtx): Promise<TimeEntryRow | null> {
  const row = await ctx.db
    .select()
    .from(timeEntries)
    .where(and(eq(timeEntries.accountId, ctx.accountId), isNotNull(timeEntries.startedAt)))
    .get();
  return row ?? null;
}

/**
 * Checks the client and catalogue service belong to the account (404 otherwise) and settles the
 * rate: the one typed, else the service's price. A billable entry needs a rate.
 */
async function resolveRefs(ctx: AccountVerbCtx, input: { clientId?: string | undefined; productId?: string | undefined; hourlyRateCents: number | null; billable: boolean }) {
  const [client, product] = await Promise.all([
    input.clientId
      ? ctx.db.select({ id: clients.id }).from(clients).where(and(eq(clients.id, input.clientId), eq(clients.accountId, ctx.accountId))).get()
      : Promise.resolve(null),
    input.productId
      ? ctx.db
          .select({ id: products.id, unitPriceCents: products.unitPriceCents })
          .from(products)
          .where(and(eq(products.id, input.productId), eq(products.accountId, ctx.accountId)))
          .get()
      : Promise.resolve(null),
  ]);
  if (input.clientId && !client) throw new AppError("not_found", ctx.t("time.err.client.notFound"));
  if (input.productId && !product) throw new AppError("not_found", ctx.t("time.err.product.notFound"));
  const hourlyRateCents = input.hourlyRateCents ?? product?.unitPriceCents ?? null;
  if (input.billable && hourlyRateCents === null) throw invalid(ctx, "hourlyRate", ctx.t("time.err.rate.required"));
  return { clientId: input.clientId ?? null, productId: input.productId ?? null, hourlyRateCents };
}

/** Records time spent. */
export async function createEntry(ctx: AccountVerbCtx, input: TimeEntryInput): Promise<TimeEntryRow> {
  const refs = await resolveRefs(ctx, input);
  const row: TimeEntryRow = {
    id: randomId(),
    accountId: ctx.accountId,
    ...refs,
    description: input.description,
    workDate: input.workDate,
    minutes: input.minutes,
    billable: input.billable,
    documentId: null,
    documentLineId: null,
    startedAt: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.db.insert(timeEntries).values(row);
  return row;
}

/** The 409 of an entry already on an invoice (or draft): its time is what was billed. */
function lockedError(ctx: AccountVerbCtx): AppError {
  return new AppError("conflict", ctx.t("time.err.locked"));
}

/**
 * Replaces an entry's details. Refused (409) once it is on an invoice draft or invoice, and while
 * it is the running timer (stop it first). The check is in the UPDATE itself, so billing at the
 * same moment cannot slip in between.
 */
export async function updateEntry(ctx: AccountVerbCtx, id: string, input: TimeEntryInput): Promise<TimeEntryRow> {
  const current = await getEntry(ctx, id);
  if (current.documentId !== null) throw lockedError(ctx);
  if (current.startedAt !== null) throw new AppError("conflict", ctx.t("time.err.running"));
  const refs = await resolveRefs(ctx, input);
  const updated = await ctx.db
    .update(timeEntries)
    .set({ ...refs, description: input.description, workDate: input.workDate, minutes: input.minutes, billable: input.billable, updatedAt: ctx.now })
    .where(and(eq(timeEntries.id, id), eq(timeEntries.accountId, ctx.accountId), isNull(timeEntries.documentId), isNull(timeEntries.startedAt)))
    .returning()
    .get();
  if (!updated) throw lockedError(ctx);
  return updated;
}

/** Deletes an entry (or discards the running timer); refused (409) once it is billed. */
export async function deleteEntry(ctx: AccountVerbCtx, id: string): Promise<void> {
  const current = await getEntry(ctx, id);
  if (current.documentId !== null) throw lockedError(ctx);
  const deleted = await ctx.db
    .delete(timeEntries)
    .where(and(eq(timeEntries.id, id), eq(timeEntries.accountId, ctx.accountId), isNull(timeEntries.documentId)))
    .returning({ id: timeEntries.id })
    .get();
  if (!deleted) throw lockedError(ctx);
}

/**
 * Starts the account's timer, dated today in Paris. One timer at a time: the partial unique index
 * time_entries_one_timer refuses a second, even from two requests at once (409).
 */
export async function startTimer(ctx: AccountVerbCtx, input: TimerInput): Promise<TimeEntryRow> {
  const refs = await resolveRefs(ctx, input);
  const row: TimeEntryRow = {
    id: randomId(),
    accountId: ctx.accountId,
    ...refs,
    description: input.description ?? "",
    workDate: todayInParis(ctx.now),
    minutes: 0,
    billable: input.billable,
    documentId: null,
    documentLineId: null,
    startedAt: ctx.now,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  try {
    await ctx.db.insert(timeEntries).values(row);
  } catch (err) {
    // drizzle wraps the D1 error: the constraint's name is in the cause.
    if (`${String(err)} ${String((err as { cause?: unknown }).cause ?? "")}`.includes("UNIQUE")) throw new AppError("conflict", ctx.t("time.err.timerRunning"));
    throw err;
  }
  return row;
}

/**
 * Stops the running timer: its minutes are the time elapsed, rounded up to the minute, at least 1
 * and at most one day (a timer forgotten overnight is capped; the entry can be corrected).
 */
export async function stopTimer(ctx: AccountVerbCtx): Promise<TimeEntryRow> {
  const running = await runningTimer(ctx);
  if (!running || running.startedAt === null) throw new AppError("conflict", ctx.t("time.err.noTimer"));
  const minutes = Math.min(MAX_ENTRY_MINUTES, elapsedMinutes(running.startedAt, ctx.now));
  const stopped = await ctx.db
    .update(timeEntries)
    .set({ minutes, startedAt: null, updatedAt: ctx.now })
    .where(and(eq(timeEntries.id, running.id), eq(timeEntries.accountId, ctx.accountId), isNotNull(timeEntries.startedAt)))
    .returning()
    .get();
  if (!stopped) throw new AppError("conflict", ctx.t("time.err.noTimer"));
  return stopped;
}

/** The draft line of an entry: "<date> — <description>", hours at the hourly rate. */
export function lineOf(
  entry: Pick<TimeEntryRow, "workDate" | "description" | "minutes" | "hourlyRateCents" | "productId">,
  vat: ReturnType<typeof vatOf>,
  kind: "goods" | "service",
  locale: "fr" | "en",
  fallbackDescription: string,
): DraftInput["lines"][number] {
  return {
    productId: entry.productId,
    description: `${formatDate(entry.workDate, locale)} — ${entry.description || fallbackDescription}`,
    quantity: minutesToHours(entry.minutes),
    unitCode: "HUR",
    unitPriceCents: entry.hourlyRateCents ?? 0,
    unitPriceE4: null,
    discount: null,
    ...vat,
    kind,
  };
}

/** D1 binds at most 100 parameters per statement: ids are read in chunks that leave room for the account id. */
const ID_CHUNK = 90;

/** The account's entries among `ids`, in date order (what the draft lines follow). */
async function entriesByIds(ctx: AccountVerbCtx, ids: string[]): Promise<TimeEntryRow[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) chunks.push(ids.slice(i, i + ID_CHUNK));
  const rows = (await Promise.all(chunks.map((chunk) => ctx.db.select().from(timeEntries).where(and(eq(timeEntries.accountId, ctx.accountId), inArray(timeEntries.id, chunk))).all()))).flat();
  return rows.sort((a, b) => (a.workDate === b.workDate ? a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1) : a.workDate < b.workDate ? -1 : 1));
}

/**
 * Puts billable, unbilled entries of one client on ONE new invoice draft (features/documents
 * createDraft), one line per entry in date order, then links each entry to the draft and its line.
 * Every check runs before anything is written: an entry of another account is a 404; one not
 * billable, already billed, running or of another client is `invalid` on `entryIds`. Line VAT is
 * the service's when the entry names one, else what the editor gives a new line (defaultVat).
 * If another request billed one of the entries meanwhile, the draft is deleted again (the trigger
 * frees the entries it had linked) and the call is a 409.
 */
export async function billEntries(ctx: AccountVerbCtx, clientId: string, entryIds: BillInput["entryIds"]): Promise<{ documentId: string }> {
  const ids = [...new Set(entryIds)];
  if (ids.length === 0) throw invalid(ctx, "entryIds", ctx.t("time.err.bill.none"));
  const [client, account, entries] = await Promise.all([
    ctx.db.select({ id: clients.id, language: clients.language }).from(clients).where(and(eq(clients.id, clientId), eq(clients.accountId, ctx.accountId))).get(),
    ctx.db.select({ vatRegime: accounts.vatRegime }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
    entriesByIds(ctx, ids),
  ]);
  if (!client) throw new AppError("not_found", ctx.t("time.err.client.notFound"));
  if (entries.length !== ids.length) throw notFound(ctx);
  for (const e of entries) {
    if (e.clientId !== clientId) throw invalid(ctx, "entryIds", ctx.t("time.err.bill.otherClient"));
    if (e.startedAt !== null) throw invalid(ctx, "entryIds", ctx.t("time.err.bill.running"));
    if (e.documentId !== null) throw invalid(ctx, "entryIds", ctx.t("time.err.bill.billed"));
    if (!e.billable || e.hourlyRateCents === null) throw invalid(ctx, "entryIds", ctx.t("time.err.bill.notBillable"));
  }
  const productIds = [...new Set(entries.map((e) => e.productId).filter((p): p is string => p !== null))];
  const productRows = productIds.length
    ? await ctx.db
        .select({ id: products.id, vatCategory: products.vatCategory, vatRateBp: products.vatRateBp, exemptionCode: products.exemptionCode, kind: products.kind })
        .from(products)
        .where(and(eq(products.accountId, ctx.accountId), inArray(products.id, productIds)))
        .all()
    : [];
  const byId = new Map(productRows.map((p) => [p.id, p]));
  // The same default as a new free line in the document editor.
  const fallbackVat = vatOf(defaultVat(account?.vatRegime ?? "franchise"));
  const locale = client.language;
  const lines = entries.map((e) => {
    const p = e.productId ? byId.get(e.productId) : undefined;
    const vat = p ? { vatCategory: p.vatCategory, vatRateBp: p.vatRateBp, exemptionCode: p.exemptionCode } : fallbackVat;
    return lineOf(e, vat, p?.kind ?? "service", locale, ctx.t("time.line.fallback"));
  });
  const documentId = await createDraft(ctx, "invoice", { clientId, lines });

  // createDraft numbers its lines 1..n in the order given: entry i is on the line at position i + 1.
  const links = entries.map((e, i) =>
    ctx.db
      .update(timeEntries)
      .set({
        documentId,
        documentLineId: sql`(SELECT ${documentLines.id} FROM ${documentLines} WHERE ${documentLines.documentId} = ${documentId} AND ${documentLines.accountId} = ${ctx.accountId} AND ${documentLines.position} = ${i + 1})`,
        updatedAt: ctx.now,
      })
      .where(and(eq(timeEntries.id, e.id), eq(timeEntries.accountId, ctx.accountId), isNull(timeEntries.documentId), isNull(timeEntries.startedAt)))
      .returning({ id: timeEntries.id }),
  );
  const results = (await ctx.db.batch(links as unknown as Parameters<typeof ctx.db.batch>[0])) as unknown as unknown[][];
  if (results.some((r) => r.length === 0)) {
    await deleteDraft(ctx, documentId);
    throw new AppError("conflict", ctx.t("time.err.bill.billed"));
  }
  return { documentId };
}
