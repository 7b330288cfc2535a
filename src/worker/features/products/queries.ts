import { and, asc, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { accounts, documentLines, products } from "../../db/schema";
import { AppError } from "../../http/errors";
import { cursorOf } from "../clients/queries";
import { type Cursor, type Page, pageOf, PAGE_SIZE, searchKey } from "../clients/search";
import { PRODUCT_INDEX, mergeHits, wordSearch } from "../clients/terms";
import type { AccountCtx } from "../profile/verbs";

type ProductRow = typeof products.$inferSelect;

/** A catalogue item as the pages and the API show it: the row without the tenancy and search columns. */
export type Product = Omit<ProductRow, "accountId" | "searchName">;

const productColumns = {
  id: products.id,
  name: products.name,
  description: products.description,
  unitCode: products.unitCode,
  unitPriceCents: products.unitPriceCents,
  unitPriceE4: products.unitPriceE4,
  vatCategory: products.vatCategory,
  vatRateBp: products.vatRateBp,
  exemptionCode: products.exemptionCode,
  kind: products.kind,
  stockTracked: products.stockTracked,
  archivedAt: products.archivedAt,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
};

/** The 404 of an item that does not exist in this account (whether or not it exists in another). */
export function productNotFound(ctx: AccountCtx): AppError {
  return new AppError("not_found", ctx.t("products.err.notFound"));
}

export interface ProductListQuery {
  /** Start of any word of the name, as typed; matched on the accent-free lower-case key (terms.ts). */
  q: string;
  cursor?: string;
  /** true: only archived items; false: only active ones. */
  archived: boolean;
}

/**
 * One page of the account's catalogue ordered by name, reading exactly PAGE_SIZE + 1 rows after
 * (or before) the cursor: keyset pagination on (search_name, id), served by products_account_name.
 */
export async function listProducts(ctx: AccountCtx, query: ProductListQuery): Promise<Page<Product>> {
  const cursor = cursorOf(ctx, query.cursor);
  const key = searchKey(query.q);
  if (key) return searchByProductWords(ctx, key, query.archived, cursor);
  const position = sql`(${products.searchName}, ${products.id})`;
  const backwards = cursor?.direction === "before";
  const rows = await ctx.db
    .select({ ...productColumns, searchName: products.searchName })
    .from(products)
    .where(
      and(
        eq(products.accountId, ctx.accountId),
        query.archived ? isNotNull(products.archivedAt) : isNull(products.archivedAt),
        cursor ? (backwards ? sql`${position} < (${cursor.key}, ${cursor.id})` : sql`${position} > (${cursor.key}, ${cursor.id})`) : undefined,
      ),
    )
    .orderBy(...(backwards ? [desc(products.searchName), desc(products.id)] : [asc(products.searchName), asc(products.id)]))
    .limit(PAGE_SIZE + 1)
    .all();
  const page = pageOf(rows, cursor, (row) => ({ key: row.searchName, id: row.id }));
  return { ...page, items: page.items.map(({ searchName: _key, ...product }) => product) };
}

/** The account's catalogue item with this id, or a 404. */
export async function getProduct(ctx: AccountCtx, id: string): Promise<Product> {
  const row = await ctx.db
    .select(productColumns)
    .from(products)
    .where(and(eq(products.id, id), eq(products.accountId, ctx.accountId)))
    .get();
  if (!row) throw productNotFound(ctx);
  return row;
}

/** True when at least one document line of the account was made from this item. */
export async function isProductReferenced(ctx: AccountCtx, id: string): Promise<boolean> {
  const row = await ctx.db
    .select({ one: sql<number>`1` })
    .from(documentLines)
    .where(and(eq(documentLines.accountId, ctx.accountId), eq(documentLines.productId, id)))
    .limit(1)
    .get();
  return row !== undefined;
}

/** The account's VAT regime, which picks the VAT a new item starts with (none under the franchise). */
export async function vatRegimeOf(ctx: AccountCtx): Promise<"franchise" | "vat"> {
  const row = await ctx.db.select({ vatRegime: accounts.vatRegime }).from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  return row?.vatRegime ?? "franchise";
}

/**
 * One page of a name search: the rows any word of whose name starts with the key, in one statement
 * over the name and word indexes, merged here (clients/terms.ts).
 */
async function searchByProductWords(ctx: AccountCtx, key: string, archived: boolean, cursor: Cursor | null): Promise<Page<Product>> {
  const [byName, byWord] = wordSearch(PRODUCT_INDEX, productColumns, ctx.accountId, key, archived, cursor, PAGE_SIZE + 1);
  type Hit = Product & { k: string };
  const [a, b] = await Promise.all([ctx.db.all<Hit>(byName), ctx.db.all<Hit>(byWord)]);
  const rows = mergeHits(a, b, cursor?.direction === "before", PAGE_SIZE + 1);
  const page = pageOf(rows, cursor, (r) => ({ key: r.k, id: r.id }));
  return { ...page, items: page.items.map(({ k: _k, ...r }) => ({ ...r, stockTracked: Boolean(r.stockTracked), })) };
}
