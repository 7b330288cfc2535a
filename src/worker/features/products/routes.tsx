import { Hono } from "hono";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountCtx } from "../../context";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { jsonBody, orThrow, validate } from "../../http/validate";
import type { MessageKey } from "../../ui/i18n";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { listHref } from "../clients/pages";
import { ListQuery } from "../clients/schemas";
import {
  NEW_PRODUCT_PATH,
  NewProductPage,
  newProductValues,
  PRODUCTS_PATH,
  ProductDetailPage,
  productPath,
  ProductsListPage,
  productValues,
} from "./pages";
import { getProduct, isProductReferenced, listProducts, type Product, vatRegimeOf } from "./queries";
import { ProductInput } from "./schemas";
import { archiveProduct, createProduct, deleteProduct, unarchiveProduct, updateProduct } from "./verbs";

const OK_MESSAGES = {
  created: "products.created",
  saved: "form.saved",
  archived: "products.archived.done",
  unarchived: "products.unarchived.done",
  deleted: "products.deleted",
} as const satisfies Record<string, MessageKey>;

function flashOf(c: Context<AppEnv>): Flash | null {
  const ok = c.req.query("ok");
  return ok && ok in OK_MESSAGES ? { kind: "success", text: c.var.t(OK_MESSAGES[ok as keyof typeof OK_MESSAGES]) } : null;
}

function listQueryOf(c: Context<AppEnv>): ListQuery {
  return orThrow(c, validate(ListQuery, c.req.query(), c.var.locale, c.var.t));
}

interface DetailState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  flash?: Flash | null;
  status?: ContentfulStatusCode;
}

/** Renders an item's page; submitted values and errors, when given, win over the stored ones. */
async function detailPage(c: Context<AppEnv>, product: Product, state: DetailState = {}): Promise<Response> {
  const referenced = await isProductReferenced(accountCtx(c), product.id);
  return render(
    c,
    <ProductDetailPage
      ctx={pageContext(c)}
      product={product}
      values={state.values ?? productValues(product, c.var.locale)}
      errors={state.errors}
      referenced={referenced}
      flash={state.flash !== undefined ? state.flash : state.errors ? null : flashOf(c)}
    />,
    state.status ?? 200,
  );
}

/** Catalogue pages: list and search, "Nouveau produit", details with edit, archive and delete. */
export const productsPages = new Hono<AppEnv>()
  .use(PRODUCTS_PATH, requireAuth)
  .use(`${PRODUCTS_PATH}/*`, requireAuth)
  .get(PRODUCTS_PATH, async (c) => {
    const query = listQueryOf(c);
    const page = await listProducts(accountCtx(c), query);
    return render(c, <ProductsListPage ctx={pageContext(c)} page={page} q={query.q} archived={query.archived} flash={flashOf(c)} />);
  })
  .get(NEW_PRODUCT_PATH, async (c) => {
    const regime = await vatRegimeOf(accountCtx(c));
    return render(c, <NewProductPage ctx={pageContext(c)} values={newProductValues(regime, c.var.locale)} />);
  })
  .post(PRODUCTS_PATH, (c) =>
    handleForm(
      c,
      ProductInput,
      async (input) => {
        const product = await createProduct(accountCtx(c), input);
        return c.redirect(`${productPath(product.id)}?ok=created`, 303);
      },
      (values, errors, status) => render(c, <NewProductPage ctx={pageContext(c)} values={values} errors={errors} />, status),
    ),
  )
  .get(`${PRODUCTS_PATH}/:id`, async (c) => detailPage(c, await getProduct(accountCtx(c), c.req.param("id"))))
  .post(`${PRODUCTS_PATH}/:id`, async (c) => {
    const ctx = accountCtx(c);
    // Read first: an unknown id is a 404 before any validation, and a rejected form shows the saved item.
    const product = await getProduct(ctx, c.req.param("id"));
    return handleForm(
      c,
      ProductInput,
      async (input) => {
        await updateProduct(ctx, product.id, input);
        return c.redirect(`${productPath(product.id)}?ok=saved`, 303);
      },
      (values, errors, status) => detailPage(c, product, { values, errors, status }),
    );
  })
  .post(`${PRODUCTS_PATH}/:id/archiver`, async (c) => {
    const product = await archiveProduct(accountCtx(c), c.req.param("id"));
    return c.redirect(`${productPath(product.id)}?ok=archived`, 303);
  })
  .post(`${PRODUCTS_PATH}/:id/desarchiver`, async (c) => {
    const product = await unarchiveProduct(accountCtx(c), c.req.param("id"));
    return c.redirect(`${productPath(product.id)}?ok=unarchived`, 303);
  })
  .post(`${PRODUCTS_PATH}/:id/supprimer`, async (c) => {
    const ctx = accountCtx(c);
    const id = c.req.param("id");
    try {
      await deleteProduct(ctx, id);
    } catch (err) {
      // A document line uses the item: show its page again, offering to archive it.
      if (err instanceof AppError && err.code === "conflict") {
        return detailPage(c, await getProduct(ctx, id), { flash: { kind: "error", text: err.message }, status: 409 });
      }
      throw err;
    }
    return c.redirect(listHref(PRODUCTS_PATH, { ok: "deleted" }), 303);
  });

/** JSON API under /api/v1: the catalogue of the signed-in account. */
export const productsApi = new Hono<AppEnv>()
  .use("/products", requireAuth)
  .use("/products/*", requireAuth)
  .get("/products", async (c) => {
    const { items, nextCursor } = await listProducts(accountCtx(c), listQueryOf(c));
    return c.json({ items, nextCursor });
  })
  .post("/products", async (c) => {
    const input = await jsonBody(c, ProductInput);
    return c.json({ product: await createProduct(accountCtx(c), input) }, 201);
  })
  .get("/products/:id", async (c) => c.json({ product: await getProduct(accountCtx(c), c.req.param("id")) }))
  .put("/products/:id", async (c) => {
    const ctx = accountCtx(c);
    // An id this account does not have is a 404 whatever the body.
    const { id } = await getProduct(ctx, c.req.param("id"));
    const input = await jsonBody(c, ProductInput);
    return c.json({ product: await updateProduct(ctx, id, input) });
  })
  .delete("/products/:id", async (c) => {
    await deleteProduct(accountCtx(c), c.req.param("id"));
    return c.body(null, 204);
  })
  .post("/products/:id/archive", async (c) => c.json({ product: await archiveProduct(accountCtx(c), c.req.param("id")) }))
  .post("/products/:id/unarchive", async (c) => c.json({ product: await unarchiveProduct(accountCtx(c), c.req.param("id")) }));
