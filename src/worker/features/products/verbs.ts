import { and, eq, notExists, type SQL, sql } from "drizzle-orm";
import { documentLines, products } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { searchKey } from "../clients/search";
import type { AccountCtx } from "../profile/verbs";
import { PRODUCT_INDEX, termWrites } from "../clients/terms";
import { getProduct, type Product, productNotFound } from "./queries";
import type { ProductInput } from "./schemas";

/** The stored columns of a validated input (absent optional fields are cleared). */
function columnsOf(input: ProductInput) {
  return {
    name: input.name,
    searchName: searchKey(input.name),
    description: input.description ?? null,
    unitCode: input.unitCode,
    unitPriceCents: input.unitPriceCents,
    unitPriceE4: input.unitPriceE4,
    vatCategory: input.vatCategory,
    vatRateBp: input.vatRateBp,
    exemptionCode: input.exemptionCode ?? null,
    kind: input.kind,
    stockTracked: input.stockTracked,
  };
}

/** Adds an item to the signed-in account's catalogue. */
export async function createProduct(ctx: AccountCtx, input: ProductInput): Promise<Product> {
  const id = randomId();
  const columns = columnsOf(input);
  // The row and its word index in one batch: a search never sees one without the other.
  await ctx.db.batch([
    ctx.db.insert(products).values({ id, accountId: ctx.accountId, ...columns, createdAt: ctx.now, updatedAt: ctx.now }),
    ...termWrites(ctx.db, PRODUCT_INDEX, ctx.accountId, id, columns.searchName),
  ]);
  return getProduct(ctx, id);
}

/**
 * Replaces an item's details with a validated input; 404 when the account has no such item.
 * Documents already made from it keep their own copy of the lines.
 */
export async function updateProduct(ctx: AccountCtx, id: string, input: ProductInput): Promise<Product> {
  const columns = columnsOf(input);
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(products)
      .set({ ...columns, updatedAt: ctx.now })
      .where(and(eq(products.id, id), eq(products.accountId, ctx.accountId)))
      .returning({ id: products.id }),
    // Scoped by account and id: for another account's id these write nothing.
    ...termWrites(ctx.db, PRODUCT_INDEX, ctx.accountId, id, columns.searchName),
  ]);
  if (updated.length === 0) throw productNotFound(ctx);
  return getProduct(ctx, id);
}

/** Hides an item from the catalogue list and pickers. Archiving an archived item keeps the first date. */
export async function archiveProduct(ctx: AccountCtx, id: string): Promise<Product> {
  return setArchived(ctx, id, sql`coalesce(${products.archivedAt}, ${ctx.now})`);
}

/** Brings an archived item back into the catalogue. */
export async function unarchiveProduct(ctx: AccountCtx, id: string): Promise<Product> {
  return setArchived(ctx, id, null);
}

async function setArchived(ctx: AccountCtx, id: string, archivedAt: SQL | null): Promise<Product> {
  const updated = await ctx.db
    .update(products)
    .set({ archivedAt, updatedAt: ctx.now })
    .where(and(eq(products.id, id), eq(products.accountId, ctx.accountId)))
    .returning({ id: products.id })
    .get();
  if (!updated) throw productNotFound(ctx);
  return getProduct(ctx, id);
}

/**
 * Deletes an item no document line was made from. The check and the delete are one statement, so
 * a line added meanwhile cannot be left pointing at nothing. A referenced item is a 409
 * `conflict` whose message explains archiving instead.
 */
export async function deleteProduct(ctx: AccountCtx, id: string): Promise<void> {
  const deleted = await ctx.db
    .delete(products)
    .where(
      and(
        eq(products.id, id),
        eq(products.accountId, ctx.accountId),
        notExists(
          ctx.db
            .select({ one: sql`1` })
            .from(documentLines)
            .where(and(eq(documentLines.accountId, ctx.accountId), eq(documentLines.productId, id))),
        ),
      ),
    )
    .returning({ id: products.id })
    .get();
  if (deleted) return;
  // Nothing deleted: either there is no such item here (404) or a document line uses it (409).
  await getProduct(ctx, id);
  throw new AppError("conflict", ctx.t("products.err.referenced"));
}
