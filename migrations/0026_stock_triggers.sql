-- The stock book is append-only: a movement is never edited nor deleted; a mistake is corrected by
-- a new adjustment. The one exception is the product's own deletion (an unused catalogue item, or
-- the catalogue at account closure, PRIVACY.md §9.3): its movements go with it, and a movement whose
-- product no longer exists, or whose account is closed, may be deleted.
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock_movements_append_only'); END;
--> statement-breakpoint
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
WHEN EXISTS (SELECT 1 FROM products WHERE id = OLD.product_id AND account_id = OLD.account_id)
  AND (SELECT closed_at FROM accounts WHERE id = OLD.account_id) IS NULL
BEGIN SELECT RAISE(ABORT, 'stock_movements_append_only'); END;
--> statement-breakpoint
-- Quantity on hand = Σ movements, kept in the writer's own statement so the stock page reads one row
-- per product and can never see a movement without its effect.
CREATE TRIGGER stock_movements_level AFTER INSERT ON stock_movements
BEGIN
  INSERT INTO stock_levels (account_id, product_id, on_hand_e4, low_threshold_e4, updated_at)
  VALUES (NEW.account_id, NEW.product_id, NEW.quantity_e4, NULL, NEW.created_at)
  ON CONFLICT (account_id, product_id) DO UPDATE SET on_hand_e4 = on_hand_e4 + excluded.on_hand_e4, updated_at = excluded.updated_at;
END;
--> statement-breakpoint
-- A level row written whole (the import puts back the archive's thresholds with INSERT OR REPLACE,
-- after the movements) takes its quantity from the movements, never from what was written.
CREATE TRIGGER stock_levels_on_hand_from_movements AFTER INSERT ON stock_levels
BEGIN
  UPDATE stock_levels
  SET on_hand_e4 = (SELECT coalesce(sum(quantity_e4), 0) FROM stock_movements WHERE account_id = NEW.account_id AND product_id = NEW.product_id)
  WHERE account_id = NEW.account_id AND product_id = NEW.product_id
    AND on_hand_e4 IS NOT (SELECT coalesce(sum(quantity_e4), 0) FROM stock_movements WHERE account_id = NEW.account_id AND product_id = NEW.product_id);
END;
--> statement-breakpoint
-- A deleted product takes its stock book and level with it (nothing else points at them).
CREATE TRIGGER products_delete_stock AFTER DELETE ON products
BEGIN
  DELETE FROM stock_movements WHERE account_id = OLD.account_id AND product_id = OLD.id;
  DELETE FROM stock_levels WHERE account_id = OLD.account_id AND product_id = OLD.id;
END;
