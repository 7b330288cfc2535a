import { and, eq, sql } from "drizzle-orm";
import { stockLevels, stockMovements } from "../../db/schema";
import { formatQuantityE4 } from "../../domain/stock";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { getProduct } from "../products/queries";
import type { MovementInput, ThresholdInput } from "./schemas";

export type StockMovement = Omit<typeof stockMovements.$inferSelect, "accountId">;
export type StockLevel = { productId: string; onHandE4: number; lowThresholdE4: number | null; updatedAt: number | null };

const movementColumns = {
  id: stockMovements.id,
  productId: stockMovements.productId,
  occurredOn: stockMovements.occurredOn,
  quantityE4: stockMovements.quantityE4,
  reason: stockMovements.reason,
  note: stockMovements.note,
  documentId: stockMovements.documentId,
  documentLineId: stockMovements.documentLineId,
  createdAt: stockMovements.createdAt,
};

/** The level of a product (zero and no threshold before its first movement). */
export async function stockLevelOf(ctx: AccountVerbCtx, productId: string): Promise<StockLevel> {
  const row = await ctx.db
    .select({ onHandE4: stockLevels.onHandE4, lowThresholdE4: stockLevels.lowThresholdE4, updatedAt: stockLevels.updatedAt })
    .from(stockLevels)
    .where(and(eq(stockLevels.accountId, ctx.accountId), eq(stockLevels.productId, productId)))
    .get();
  return { productId, onHandE4: row?.onHandE4 ?? 0, lowThresholdE4: row?.lowThresholdE4 ?? null, updatedAt: row?.updatedAt ?? null };
}

/**
 * Why nothing was written for a product: another account's or unknown (404), a service, or not
 * tracked (400 on `productId`). Returns normally when the product could take a movement.
 */
async function refuseUntracked(ctx: AccountVerbCtx, productId: string): Promise<void> {
  const product = await getProduct(ctx, productId);
  if (product.kind !== "goods") throw new AppError("invalid", ctx.t("stock.err.service"), { productId: ctx.t("stock.err.service") });
  if (!product.stockTracked) throw new AppError("invalid", ctx.t("stock.err.notTracked"), { productId: ctx.t("stock.err.notTracked") });
}

/**
 * Records a movement typed by hand: a reception (purchase), an adjustment (signed, with its reason),
 * the opening stock (once), or a stock count (inventory: the difference with the recorded quantity
 * becomes an adjustment, computed in the same statement so a sale landing meanwhile is not lost).
 * One INSERT…SELECT guarded by the product's own row: an untracked product, a service or another
 * account's product gets nothing written. A count equal to the stock records nothing (`movement: null`).
 */
export async function recordMovement(ctx: AccountVerbCtx, productId: string, input: MovementInput): Promise<{ movement: StockMovement | null; level: StockLevel }> {
  const today = todayInParis(ctx.now);
  const occurredOn = input.occurredOn ?? today;
  if (occurredOn > today) throw new AppError("invalid", ctx.t("stock.err.future"), { occurredOn: ctx.t("stock.err.future") });
  const a = ctx.accountId;
  const onHand = sql`coalesce((SELECT on_hand_e4 FROM stock_levels WHERE account_id = ${a} AND product_id = ${productId}), 0)`;
  const quantity = input.reason === "inventory" ? sql`(${input.quantityE4} - ${onHand})` : sql`${input.quantityE4}`;
  const reason = input.reason === "inventory" ? "adjustment" : input.reason;
  const note =
    input.reason === "inventory"
      ? `${ctx.t("stock.form.inventory.title")} : ${formatQuantityE4(input.quantityE4, ctx.locale, { grouping: false })}${input.note ? ` — ${input.note}` : ""}`
      : (input.note ?? null);
  const onlyOnce =
    input.reason === "initial" ? sql`AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.account_id = ${a} AND m.product_id = p.id AND m.reason = 'initial')` : sql``;
  const inserted = await ctx.db
    .insert(stockMovements)
    .select(
      sql`SELECT ${randomId()}, ${a}, p.id, ${occurredOn}, ${quantity}, ${reason}, ${note}, NULL, NULL, ${ctx.now}
          FROM products p
          WHERE p.id = ${productId} AND p.account_id = ${a} AND p.kind = 'goods' AND p.stock_tracked = 1 AND ${quantity} != 0 ${onlyOnce}`,
    )
    .returning(movementColumns)
    .get();
  if (!inserted) {
    await refuseUntracked(ctx, productId);
    if (input.reason === "initial") throw new AppError("conflict", ctx.t("stock.err.initialTwice"), { quantity: ctx.t("stock.err.initialTwice") });
    if (input.reason !== "inventory") throw new AppError("internal", "stock movement not written");
  }
  return { movement: inserted ?? null, level: await stockLevelOf(ctx, productId) };
}

/** Sets (or clears, with null) the low-stock threshold of a tracked product. */
export async function setThreshold(ctx: AccountVerbCtx, productId: string, input: ThresholdInput): Promise<StockLevel> {
  const a = ctx.accountId;
  const row = await ctx.db
    .insert(stockLevels)
    .select(
      sql`SELECT ${a}, p.id, 0, ${input.thresholdE4}, ${ctx.now} FROM products p WHERE p.id = ${productId} AND p.account_id = ${a} AND p.kind = 'goods' AND p.stock_tracked = 1`,
    )
    .onConflictDoUpdate({ target: [stockLevels.accountId, stockLevels.productId], set: { lowThresholdE4: sql`excluded.low_threshold_e4`, updatedAt: sql`excluded.updated_at` } })
    .returning({ productId: stockLevels.productId })
    .get();
  if (!row) {
    await refuseUntracked(ctx, productId);
    throw new AppError("internal", "stock threshold not written");
  }
  return stockLevelOf(ctx, productId);
}
