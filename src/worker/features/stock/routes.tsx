import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountCtx } from "../../context";
import { stockMovements } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { requireAuth } from "../../http/session";
import { formFields, jsonBody, orThrow, validate } from "../../http/validate";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { listMovements, listStock, stockAlerts, stockItemOf } from "./queries";
import { type FormState, STOCK_FORMS, STOCK_PATH, type StockForm, StockListPage, stockPath, StockProductPage } from "./pages";
import { MovementInput, MovementsQuery, StockListQuery, ThresholdInput } from "./schemas";
import { recordMovement, setThreshold } from "./verbs";

type Ctx = Context<AppEnv>;

/** JSON API under /api/v1: levels, a product's movements, recording a movement, the threshold. */
export const stockApi = new Hono<AppEnv>()
  .use("/stock", requireAuth)
  .use("/stock/*", requireAuth)
  .get("/stock", async (c) => {
    const q = orThrow(c, validate(StockListQuery, c.req.query(), c.var.locale, c.var.t));
    const ctx = accountCtx(c);
    const [page, alerts] = await Promise.all([listStock(ctx, q), stockAlerts(ctx)]);
    return c.json({ items: page.items, nextCursor: page.nextCursor, prevCursor: page.prevCursor, alerts });
  })
  .get("/stock/:productId/movements", async (c) => {
    const q = orThrow(c, validate(MovementsQuery, c.req.query(), c.var.locale, c.var.t));
    const ctx = accountCtx(c);
    const item = await stockItemOf(ctx, c.req.param("productId"));
    const page = await listMovements(ctx, item.product.id, q);
    return c.json({ productId: item.product.id, level: item.level, status: item.status, items: page.items, nextCursor: page.nextCursor });
  })
  .post("/stock/:productId/movements", async (c) => {
    const ctx = accountCtx(c);
    const input = await jsonBody(c, MovementInput);
    const result = await recordMovement(ctx, c.req.param("productId"), input);
    return c.json(result, result.movement ? 201 : 200);
  })
  .put("/stock/:productId/threshold", async (c) => {
    const ctx = accountCtx(c);
    const input = await jsonBody(c, ThresholdInput);
    return c.json({ level: await setThreshold(ctx, c.req.param("productId"), input) });
  });

const OK_FLASH = { movement: "stock.saved.movement", same: "stock.saved.inventory.same", threshold: "stock.saved.threshold" } as const;

async function hasInitial(ctx: AccountVerbCtx, productId: string): Promise<boolean> {
  const row = await ctx.db
    .select({ id: stockMovements.id })
    .from(stockMovements)
    .where(and(eq(stockMovements.accountId, ctx.accountId), eq(stockMovements.productId, productId), eq(stockMovements.reason, "initial")))
    .get();
  return row !== undefined;
}

/** Renders a product's stock page; a rejected form comes back with its values and errors. */
async function productPage(c: Ctx, productId: string, state: FormState | null = null, status: ContentfulStatusCode = 200): Promise<Response> {
  const ctx = accountCtx(c);
  const item = await stockItemOf(ctx, productId);
  const cursor = c.req.method === "GET" ? c.req.query("cursor")?.slice(0, 300) || undefined : undefined;
  const [movements, initial] = await Promise.all([listMovements(ctx, item.product.id, { cursor }), hasInitial(ctx, item.product.id)]);
  const ok = c.req.query("ok");
  const flash: Flash | null = !state && ok && ok in OK_FLASH ? { kind: "success", text: ctx.t(OK_FLASH[ok as keyof typeof OK_FLASH]) } : null;
  return render(
    c,
    <StockProductPage
      ctx={pageContext(c)}
      {...item}
      movements={movements}
      cursor={cursor}
      hasInitial={initial}
      today={todayInParis(ctx.now)}
      state={state}
      flash={flash}
    />,
    status,
  );
}

/** The verb's field names → the form's own (quantity → purchaseQuantity…), so errors sit under their field. */
function formErrors(kind: StockForm, fields: FieldErrors | undefined, message: string): FieldErrors {
  const names = STOCK_FORMS[kind];
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields ?? { _form: message })) {
    if (k === "quantity" || k === "occurredOn" || k === "note") out[names[k]] = v;
    else out._form = v;
  }
  if (!out._form && Object.keys(out).length === 0) out._form = message;
  return out;
}

/** One movement form post: validate with the API's schema, record, redirect; or show the form again. */
function movementPost(kind: StockForm) {
  return async (c: Ctx) => {
    const ctx = accountCtx(c);
    // Read first: another account's or an unknown product is a 404 before anything else.
    const { product } = await stockItemOf(ctx, c.req.param("productId") ?? "");
    const values = await formFields(c);
    const names = STOCK_FORMS[kind];
    const again = (fields: FieldErrors | undefined, message: string, status: ContentfulStatusCode) =>
      productPage(c, product.id, { form: kind, values, errors: formErrors(kind, fields, message) }, status);
    const parsed = validate(
      MovementInput,
      { reason: kind, quantity: values[names.quantity] ?? "", occurredOn: values[names.occurredOn] ?? "", note: values[names.note] ?? "" },
      c.var.locale,
      c.var.t,
    );
    if (!parsed.ok) return again(parsed.fields, ctx.t("form.errors"), 400);
    try {
      const { movement } = await recordMovement(ctx, product.id, parsed.data);
      return c.redirect(`${stockPath(product.id)}?ok=${movement ? "movement" : "same"}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.code !== "not_found") return again(err.fields, err.message, err.status);
      throw err;
    }
  };
}

/** Pages: /stock and /stock/<productId> with its forms (plain HTML forms, no script needed). */
export const stockPages = new Hono<AppEnv>()
  .use(STOCK_PATH, requireAuth)
  .use(`${STOCK_PATH}/*`, requireAuth)
  .get(STOCK_PATH, async (c) => {
    const q = orThrow(c, validate(StockListQuery, c.req.query(), c.var.locale, c.var.t));
    const ctx = accountCtx(c);
    const [page, alerts] = await Promise.all([listStock(ctx, q), stockAlerts(ctx)]);
    return render(c, <StockListPage ctx={pageContext(c)} page={page} filter={q.filter} alerts={alerts} />);
  })
  .get(`${STOCK_PATH}/:productId`, (c) => productPage(c, c.req.param("productId")))
  .post(`${STOCK_PATH}/:productId/reception`, movementPost("purchase"))
  .post(`${STOCK_PATH}/:productId/ajustement`, movementPost("adjustment"))
  .post(`${STOCK_PATH}/:productId/inventaire`, movementPost("inventory"))
  .post(`${STOCK_PATH}/:productId/initial`, movementPost("initial"))
  .post(`${STOCK_PATH}/:productId/seuil`, async (c) => {
    const ctx = accountCtx(c);
    const { product } = await stockItemOf(ctx, c.req.param("productId"));
    const values = await formFields(c);
    const again = (errors: FieldErrors, status: ContentfulStatusCode) => productPage(c, product.id, { form: "threshold", values, errors }, status);
    const parsed = validate(ThresholdInput, { threshold: values.threshold ?? "" }, c.var.locale, c.var.t);
    if (!parsed.ok) return again(parsed.fields, 400);
    try {
      await setThreshold(ctx, product.id, parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.code !== "not_found") return again(err.fields ?? { _form: err.message }, err.status);
      throw err;
    }
    return c.redirect(`${stockPath(product.id)}?ok=threshold`, 303);
  });
