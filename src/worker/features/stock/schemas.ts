import * as z from "zod";
import { parseQuantityE4, type QuantityError } from "../../domain/stock";
import { businessDate, optionalText } from "../../http/validate";
import type { MessageKey } from "../../ui/i18n";

/** What a person records by hand; sales and returns come only from issued documents. */
export const MANUAL_MOVEMENTS = ["initial", "purchase", "adjustment", "inventory"] as const;
export type ManualMovement = (typeof MANUAL_MOVEMENTS)[number];

const QUANTITY_ERRORS: Record<QuantityError, MessageKey> = {
  invalid_quantity: "stock.err.quantity",
  quantity_precision: "stock.err.precision",
  quantity_range: "stock.err.range",
};

/** A quantity as typed ("1,5") or sent as a JSON string or number; stored as ten-thousandths. */
const quantityText = z.union([z.string().max(40), z.number()], "stock.err.quantity").transform((v) => (typeof v === "number" ? String(v) : v));

/**
 * A movement recorded by hand (POST /api/v1/stock/:productId/movements and the stock page's forms).
 * `quantity` is what was received (purchase, initial: > 0), the signed change (adjustment: ≠ 0,
 * with its reason in `note`), or the quantity counted (inventory: ≥ 0, the difference is recorded).
 */
export const MovementInput = z
  .object({
    reason: z.enum(MANUAL_MOVEMENTS, "stock.err.reason"),
    quantity: quantityText,
    occurredOn: optionalText(10).pipe(businessDate("stock.err.date").optional()),
    note: optionalText(500),
  })
  .transform((v, ctx) => {
    const parsed = parseQuantityE4(v.quantity);
    const fail = (message: MessageKey, path = "quantity") => {
      ctx.addIssue({ code: "custom", path: [path], message });
      return z.NEVER;
    };
    if (!parsed.ok) return fail(QUANTITY_ERRORS[parsed.code]);
    const e4 = parsed.e4;
    if (v.reason === "inventory") {
      if (e4 < 0) return fail("stock.err.counted");
    } else if (e4 === 0) return fail("stock.err.zero");
    else if (v.reason !== "adjustment" && e4 < 0) return fail("stock.err.positive");
    if (v.reason === "adjustment" && v.note === undefined) return fail("stock.err.noteRequired", "note");
    return { reason: v.reason, quantityE4: e4, occurredOn: v.occurredOn, note: v.note };
  });
export type MovementInput = z.output<typeof MovementInput>;

/** PUT /api/v1/stock/:productId/threshold: a quantity ≥ 0, or null / "" for no alert. */
export const ThresholdInput = z
  .object({ threshold: z.union([z.string().max(40), z.number(), z.null()], "stock.err.threshold").optional() })
  .transform((v, ctx) => {
    if (v.threshold === null || v.threshold === undefined || (typeof v.threshold === "string" && v.threshold.trim() === "")) return { thresholdE4: null };
    const parsed = parseQuantityE4(String(v.threshold));
    if (!parsed.ok || parsed.e4 < 0) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: "stock.err.threshold" });
      return z.NEVER;
    }
    return { thresholdE4: parsed.e4 };
  });
export type ThresholdInput = z.output<typeof ThresholdInput>;

export const STOCK_FILTERS = ["all", "low", "negative"] as const;
export type StockFilter = (typeof STOCK_FILTERS)[number];

/** GET /api/v1/stock and /stock: filter and keyset cursor. */
export const StockListQuery = z.object({
  filter: z.preprocess((v) => (v === "" || v === undefined ? "all" : v), z.enum(STOCK_FILTERS, "stock.err.reason")),
  cursor: z.string().max(300).optional(),
});

/** GET /api/v1/stock/:productId/movements: keyset cursor. */
export const MovementsQuery = z.object({ cursor: z.string().max(300).optional() });
