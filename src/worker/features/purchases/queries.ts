import { and, asc, desc, eq, gte, lte, sql } from "drizzle-orm";
import { purchases } from "../../db/schema";
import { purchaseState, type PurchaseState } from "../../domain/purchases";
import { AppError } from "../../http/errors";
import { cursorOf } from "../clients/queries";
import { type Page, pageOf, PAGE_SIZE } from "../clients/search";
import type { AccountCtx } from "./verbs";

export interface PurchaseListItem {
  id: string;
  source: "network" | "manual";
  number: string;
  supplierName: string;
  supplierSiren: string | null;
  issueDate: string;
  dueDate: string | null;
  taxInclusiveCents: number;
  statusCode: number | null;
  paidOn: string | null;
  state: PurchaseState;
  receivedAt: number;
}

/**
 * The inbox: newest received first, keyset on (received_at, id) — PAGE_SIZE + 1 rows read per page
 * whatever the account's size (index purchases_account_received).
 */
export async function listPurchases(ctx: AccountCtx, query: { cursor?: string | undefined }): Promise<Page<PurchaseListItem>> {
  const cursor = cursorOf(ctx, query.cursor);
  const position = sql`(${purchases.receivedAt}, ${purchases.id})`;
  const backwards = cursor?.direction === "before";
  // Keys are encoded as text; received_at is an integer: compare as numbers.
  const key = cursor ? Number(cursor.key) : 0;
  if (!Number.isSafeInteger(key)) throw new AppError("invalid", ctx.t("clients.err.cursor"), { cursor: ctx.t("clients.err.cursor") });
  const rows = await ctx.db
    .select({
      id: purchases.id,
      source: purchases.source,
      number: purchases.number,
      supplierName: purchases.supplierName,
      supplierSiren: purchases.supplierSiren,
      issueDate: purchases.issueDate,
      dueDate: purchases.dueDate,
      taxInclusiveCents: purchases.taxInclusiveCents,
      statusCode: purchases.statusCode,
      paidOn: purchases.paidOn,
      receivedAt: purchases.receivedAt,
    })
    .from(purchases)
    .where(
      and(
        eq(purchases.accountId, ctx.accountId),
        cursor ? (backwards ? sql`${position} > (${key}, ${cursor.id})` : sql`${position} < (${key}, ${cursor.id})`) : undefined,
      ),
    )
    .orderBy(...(backwards ? [asc(purchases.receivedAt), asc(purchases.id)] : [desc(purchases.receivedAt), desc(purchases.id)]))
    .limit(PAGE_SIZE + 1)
    .all();
  const page = pageOf(rows, cursor, (row) => ({ key: String(row.receivedAt), id: row.id }));
  return { ...page, items: page.items.map((r) => ({ ...r, state: purchaseState(r) })) };
}

export async function getPurchase(ctx: AccountCtx, id: string) {
  const row = await ctx.db
    .select()
    .from(purchases)
    .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.id, id)))
    .get();
  if (!row) throw new AppError("not_found", ctx.t("purchases.err.notFound"));
  return row;
}

export type PurchaseRow = Awaited<ReturnType<typeof getPurchase>>;

/** Purchases issued in [from, to], oldest first: the registre des achats (index purchases_account_issue). */
export async function purchasesBetween(ctx: AccountCtx, from: string, to: string) {
  return ctx.db
    .select()
    .from(purchases)
    .where(and(eq(purchases.accountId, ctx.accountId), gte(purchases.issueDate, from), lte(purchases.issueDate, to)))
    .orderBy(asc(purchases.issueDate), asc(purchases.createdAt), asc(purchases.id))
    .limit(10_000)
    .all();
}
