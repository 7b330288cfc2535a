import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

export const STOCK_REASONS = ["initial", "purchase", "sale", "return", "adjustment"] as const;
export type StockReason = (typeof STOCK_REASONS)[number];

/**
 * The stock book: one row per change of a tracked product's quantity on hand. Rows are never edited
 * nor deleted (triggers, migration stock_triggers); a mistake is corrected by a new adjustment.
 * Quantities are signed integers in ten-thousandths of the product's unit (no floats).
 */
export const stockMovements = sqliteTable(
  "stock_movements",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    productId: text("product_id").notNull(),
    /** Day of the movement (YYYY-MM-DD): the issue date for sales and returns. */
    occurredOn: text("occurred_on").notNull(),
    /** Signed quantity × 10 000: positive in, negative out. */
    quantityE4: integer("quantity_e4").notNull(),
    reason: text("reason", { enum: STOCK_REASONS }).notNull(),
    note: text("note"),
    /** Sales and returns: the issued invoice or credit note and its line. */
    documentId: text("document_id"),
    documentLineId: text("document_line_id"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    index("stock_movements_account_product").on(t.accountId, t.productId, t.createdAt, t.id),
    // A document line moves stock once, however many times its issue batch runs (reconciler retries).
    uniqueIndex("stock_movements_line_once").on(t.accountId, t.documentLineId).where(sql`document_line_id IS NOT NULL`),
    // At most one initial quantity per product.
    uniqueIndex("stock_movements_initial_once").on(t.accountId, t.productId).where(sql`reason = 'initial'`),
  ],
);

/**
 * Per tracked product: the quantity on hand (Σ of its movements, kept by a trigger on
 * stock_movements) and the low-stock threshold, so the stock page reads one row per product.
 */
export const stockLevels = sqliteTable(
  "stock_levels",
  {
    accountId: text("account_id").notNull(),
    productId: text("product_id").notNull(),
    onHandE4: integer("on_hand_e4").notNull().default(0),
    /** Below or at this quantity the product is "low"; null: no alert. */
    lowThresholdE4: integer("low_threshold_e4"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.productId] })],
);
