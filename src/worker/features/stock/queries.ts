import { and, asc, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { documents, products, stockLevels, stockMovements } from "../../db/schema";
import { stockStatus, type StockStatus } from "../../domain/stock";
import { cursorOf } from "../clients/queries";
import { type Page, pageOf, PAGE_SIZE } from "../clients/search";
import type { AccountVerbCtx } from "../documents/drafts";
import { decodeCursor, encodeCursor } from "../documents/queries";
import { getProduct } from "../products/queries";
import type { StockFilter } from "./schemas";
import { stockLevelOf } from "./verbs";

/** A tracked product as the stock page shows it. */
export interface StockItem {
  productId: string;
  name: string;
  unitCode: string;
  unitPriceCents: number;
  onHandE4: number;
  lowThresholdE4: number | null;
  status: StockStatus;
}

const onHand = sql<number>`coalesce(${stockLevels.onHandE4}, 0)`;

/** Products whose stock is shown: tracked goods of the account, not archived. */
const tracked = (accountId: string) =>
  and(eq(products.accountId, accountId), eq(products.stockTracked, true), eq(products.kind, "goods"), isNull(products.archivedAt));

const FILTERS: Record<StockFilter, ReturnType<typeof sql> | undefined> = {
  all: undefined,
  // Low or out: nothing left, or at or under the threshold (a negative stock has its own filter).
  low: sql`(${onHand} = 0 OR (${onHand} > 0 AND ${onHand} <= ${stockLevels.lowThresholdE4}))`,
  negative: sql`${onHand} < 0`,
};

/**
 * One page of the tracked products ordered by name, keyset on (search_name, id) like the catalogue:
 * PAGE_SIZE + 1 products read with their one level row each, whatever the filter.
 */
export async function listStock(ctx: AccountVerbCtx, query: { filter: StockFilter; cursor?: string | undefined }): Promise<Page<StockItem>> {
  const cursor = cursorOf(ctx, query.cursor);
  const position = sql`(${products.searchName}, ${products.id})`;
  const backwards = cursor?.direction === "before";
  const rows = await ctx.db
    .select({
      productId: products.id,
      name: products.name,
      searchName: products.searchName,
      unitCode: products.unitCode,
      unitPriceCents: products.unitPriceCents,
      onHandE4: onHand,
      lowThresholdE4: stockLevels.lowThresholdE4,
    })
    .from(products)
    .leftJoin(stockLevels, and(eq(stockLevels.accountId, products.accountId), eq(stockLevels.productId, products.id)))
    .where(
      and(
        tracked(ctx.accountId),
        FILTERS[query.filter],
        cursor ? (backwards ? sql`${position} < (${cursor.key}, ${cursor.id})` : sql`${position} > (${cursor.key}, ${cursor.id})`) : undefined,
      ),
    )
    .orderBy(...(backwards ? [desc(products.searchName), desc(products.id)] : [asc(products.searchName), asc(products.id)]))
    .limit(PAGE_SIZE + 1)
    .all();
  const page = pageOf(rows, cursor, (row) => ({ key: row.searchName, id: row.productId }));
  return { ...page, items: page.items.map(({ searchName: _key, ...r }) => ({ ...r, status: stockStatus(r.onHandE4, r.lowThresholdE4) })) };
}

/** How many tracked products are low, out of stock, negative: the alert summary, one aggregate read. */
export async function stockAlerts(ctx: AccountVerbCtx): Promise<{ tracked: number; low: number; out: number; negative: number }> {
  const row = await ctx.db
    .select({
      tracked: sql<number>`count(*)`,
      low: sql<number>`coalesce(sum(CASE WHEN ${onHand} > 0 AND ${onHand} <= ${stockLevels.lowThresholdE4} THEN 1 ELSE 0 END), 0)`,
      out: sql<number>`coalesce(sum(CASE WHEN ${onHand} = 0 THEN 1 ELSE 0 END), 0)`,
      negative: sql<number>`coalesce(sum(CASE WHEN ${onHand} < 0 THEN 1 ELSE 0 END), 0)`,
    })
    .from(products)
    .leftJoin(stockLevels, and(eq(stockLevels.accountId, products.accountId), eq(stockLevels.productId, products.id)))
    .where(tracked(ctx.accountId))
    .get();
  return { tracked: row?.tracked ?? 0, low: row?.low ?? 0, out: row?.out ?? 0, negative: row?.negative ?? 0 };
}

export type MovementItem = {
  id: string;
  occurredOn: string;
  quantityE4: number;
  reason: "initial" | "purchase" | "sale" | "return" | "adjustment";
  note: string | null;
  documentId: string | null;
  documentNumber: string | null;
  createdAt: number;
};

/**
 * A product's movements, newest first, keyset on (created_at, id): PAGE_SIZE + 1 rows read, with the
 * number of the invoice or credit note that made each sale or return. 404 for another account's product.
 */
export async function listMovements(ctx: AccountVerbCtx, productId: string, query: { cursor?: string | undefined } = {}): Promise<{ items: MovementItem[]; nextCursor: string | null }> {
  const product = await getProduct(ctx, productId);
  const after = query.cursor ? decodeCursor(ctx, query.cursor) : null;
  const rows = await ctx.db
    .select({
      id: stockMovements.id,
      occurredOn: stockMovements.occurredOn,
      quantityE4: stockMovements.quantityE4,
      reason: stockMovements.reason,
      note: stockMovements.note,
      documentId: stockMovements.documentId,
      documentNumber: documents.number,
      createdAt: stockMovements.createdAt,
    })
    .from(stockMovements)
    .leftJoin(documents, and(eq(documents.id, stockMovements.documentId), eq(documents.accountId, stockMovements.accountId)))
    .where(
      and(
        eq(stockMovements.accountId, ctx.accountId),
        eq(stockMovements.productId, product.id),
        after ? or(lt(stockMovements.createdAt, after.createdAt), and(eq(stockMovements.createdAt, after.createdAt), lt(stockMovements.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(stockMovements.createdAt), desc(stockMovements.id))
    .limit(PAGE_SIZE + 1)
    .all();
  const items = rows.slice(0, PAGE_SIZE);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > PAGE_SIZE && last ? encodeCursor(last.createdAt, last.id) : null };
}

/** A product with its stock level, for the product's stock page and GET …/movements. */
export async function stockItemOf(ctx: AccountVerbCtx, productId: string) {
  const product = await getProduct(ctx, productId);
  const level = await stockLevelOf(ctx, product.id);
  return { product, level, status: stockStatus(level.onHandE4, level.lowThresholdE4) };
}
