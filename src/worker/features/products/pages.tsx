import { unitPriceDecimal, formatMoney, formatPercent, formatUnitPrice } from "../../domain/format";
import { unitPriceE4Of } from "../../domain/totals";
import { VAT_EXEMPTIONS } from "../../domain/vat";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, Fieldset, FormErrorSummary, SelectField } from "../../ui/form";
import type { Locale } from "../../ui/i18n";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { hundredthsToInput } from "../clients/fields";
import { ArchiveFilter, listHref, Pagination, SearchForm } from "../clients/pages";
import type { Page } from "../clients/search";
import type { Product } from "./queries";
import { type ExemptionKey, exemptionKeyOf, PRODUCT_KINDS, PRODUCT_VAT_RATES } from "./schemas";
import { unitLabel, UNITS } from "./units";

export const PRODUCTS_PATH = "/produits";
export const NEW_PRODUCT_PATH = `${PRODUCTS_PATH}/nouveau`;
export const productPath = (id: string) => `${PRODUCTS_PATH}/${encodeURIComponent(id)}`;

const EXEMPTION_KEYS = Object.keys(VAT_EXEMPTIONS) as ExemptionKey[];

/** "20 %", or for an item without VAT the reason printed on documents. */
function vatLabel(p: Pick<Product, "vatRateBp" | "exemptionCode">, locale: Locale): string {
  const key = p.exemptionCode ? exemptionKeyOf(p.exemptionCode) : undefined;
  return key ? VAT_EXEMPTIONS[key].reason : formatPercent(p.vatRateBp, locale);
}

export interface ProductsListProps {
  ctx: PageContext;
  page: Page<Product>;
  q: string;
  archived: boolean;
  flash?: Flash | null;
}

/** /produits: the catalogue, searched by name, active or archived, 25 per page. */
export function ProductsListPage({ ctx, page, q, archived, flash }: ProductsListProps) {
  const { t, locale } = ctx;
  const empty = q ? t("products.empty.search", { q }) : archived ? t("products.empty.archived") : t("products.empty");
  return (
    <AppLayout ctx={ctx} title={t("products.title")} flash={flash}>
      <div class="page-header">
        <h1>{t("products.title")}</h1>
        <a href={NEW_PRODUCT_PATH} class="button primary">
          {t("products.new")}
        </a>
      </div>
      <ArchiveFilter ctx={ctx} path={PRODUCTS_PATH} q={q} archived={archived} />
      <SearchForm ctx={ctx} path={PRODUCTS_PATH} q={q} archived={archived} label={t("products.search")} />
      {page.items.length === 0 ? (
        <section class="empty-state">
          <p>{empty}</p>
        </section>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("products.name")}</th>
              <th scope="col">{t("products.kind")}</th>
              <th scope="col">{t("products.unitCode")}</th>
              <th scope="col" class="num">
                {t("products.unitPrice")}
              </th>
              <th scope="col">{t("products.vatRate")}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((p) => (
              <tr key={p.id}>
                <td>
                  <a href={productPath(p.id)}>{p.name}</a>
                </td>
                <td>{t(`products.kind.${p.kind}`)}</td>
                <td>{unitLabel(p.unitCode, locale)}</td>
                <td class="num">{formatUnitPrice(unitPriceE4Of(p), locale)}</td>
                <td>{vatLabel(p, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination ctx={ctx} path={PRODUCTS_PATH} q={q} archived={archived} page={page} />
    </AppLayout>
  );
}

/** A stored item as form values (strings), the same shape a submitted form has. */
export function productValues(p: Product, locale: Locale): Record<string, string> {
  return {
    name: p.name,
    description: p.description ?? "",
    unitCode: p.unitCode,
    unitPrice: p.unitPriceE4 === null ? hundredthsToInput(p.unitPriceCents, locale) : unitPriceDecimal(p.unitPriceE4).replace(".", locale === "fr" ? "," : "."),
    vatRate: hundredthsToInput(p.vatRateBp, locale),
    exemptionCode: p.exemptionCode ?? "",
    kind: p.kind,
    stockTracked: p.stockTracked ? "on" : "",
  };
}

/** Form values of a new item: no VAT under the franchise, the standard rate otherwise. */
export function newProductValues(vatRegime: "franchise" | "vat", locale: Locale): Record<string, string> {
  return {
    unitCode: "C62",
    kind: "service",
    vatRate: hundredthsToInput(vatRegime === "franchise" ? 0 : 2000, locale),
    exemptionCode: vatRegime === "franchise" ? VAT_EXEMPTIONS.franchise.code : "",
  };
}

function DescriptionField({ ctx, value, errors }: { ctx: PageContext; value?: string; errors?: FieldErrors }) {
  const error = errors?.description;
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for="f-description">
        {ctx.t("products.description")}
        <span class="optional"> ({ctx.t("form.optional")})</span>
      </label>
      <textarea
        id="f-description"
        name="description"
        rows={3}
        maxLength={2000}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? "f-description-error" : undefined}
      >
        {value ?? ""}
      </textarea>
      {error ? (
        <p class="error" id="f-description-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function ProductFields({ ctx, values, errors }: { ctx: PageContext; values: Record<string, string>; errors?: FieldErrors }) {
  const { t, locale } = ctx;
  return (
    <>
      <Fieldset legend={t("products.identity")}>
        <Field name="name" label={t("products.name")} value={values.name} errors={errors} required maxLength={200} autocomplete="off" />
        <DescriptionField ctx={ctx} value={values.description} errors={errors} />
        <SelectField
          name="kind"
          label={t("products.kind")}
          value={values.kind ?? "service"}
          errors={errors}
          hint={t("products.kind.hint")}
          options={PRODUCT_KINDS.map((k) => ({ value: k, label: t(`products.kind.${k}`) }))}
        />
        <CheckboxField name="stockTracked" label={t("products.stockTracked")} checked={values.stockTracked === "on"} hint={t("products.stockTracked.hint")} />
        {errors?.stockTracked ? (
          <p class="error" id="f-stockTracked-error">
            {errors.stockTracked}
          </p>
        ) : null}
      </Fieldset>

      <Fieldset legend={t("products.pricing")}>
        <SelectField
          name="unitCode"
          label={t("products.unitCode")}
          value={values.unitCode ?? "C62"}
          errors={errors}
          options={UNITS.map((u) => ({ value: u.code, label: u[locale] }))}
        />
        <Field
          name="unitPrice"
          label={t("products.unitPrice")}
          value={values.unitPrice}
          errors={errors}
          required
          inputMode="decimal"
          hint={t("products.unitPrice.hint")}
        />
        <SelectField
          name="vatRate"
          label={t("products.vatRate")}
          value={values.vatRate}
          errors={errors}
          options={PRODUCT_VAT_RATES.map((bp) => ({ value: hundredthsToInput(bp, locale), label: formatPercent(bp, locale) }))}
        />
        <SelectField
          name="exemptionCode"
          label={t("products.exemptionCode")}
          value={values.exemptionCode ?? ""}
          errors={errors}
          hint={t("products.exemptionCode.hint")}
          options={[
            { value: "", label: t("products.exemption.none") },
            ...EXEMPTION_KEYS.map((key) => ({ value: VAT_EXEMPTIONS[key].code, label: `${t(`products.exemption.${key}`)} (« ${VAT_EXEMPTIONS[key].reason} »)` })),
          ]}
        />
      </Fieldset>
    </>
  );
}

/** /produits/nouveau: the "Nouveau produit" form. */
export function NewProductPage({ ctx, values, errors }: { ctx: PageContext; values: Record<string, string>; errors?: FieldErrors }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("products.new")}>
      <p>
        <a href={PRODUCTS_PATH}>{t("products.back")}</a>
      </p>
      <h1>{t("products.new")}</h1>
      <form method="post" action={PRODUCTS_PATH} novalidate>
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={errors} />
        <ProductFields ctx={ctx} values={values} errors={errors} />
        <button type="submit" class="button primary">
          {t("products.create")}
        </button>
      </form>
    </AppLayout>
  );
}

export interface ProductDetailProps {
  ctx: PageContext;
  product: Product;
  values: Record<string, string>;
  errors?: FieldErrors;
  /** True when a document line was made from the item: it can be archived, not deleted. */
  referenced: boolean;
  flash?: Flash | null;
}

/** /produits/:id: the item's details to edit, archive or unarchive, and delete while unused. */
export function ProductDetailPage({ ctx, product, values, errors, referenced, flash }: ProductDetailProps) {
  const { t } = ctx;
  const path = productPath(product.id);
  const archived = product.archivedAt !== null;
  return (
    <AppLayout ctx={ctx} title={product.name} flash={flash}>
      <p>
        <a href={listHref(PRODUCTS_PATH, { archived })}>{t("products.back")}</a>
      </p>
      <h1>
        {product.name}
        {archived ? (
          <>
            {" "}
            <span class="badge">{t("products.archived.badge")}</span>
          </>
        ) : null}
      </h1>
      {archived ? <p class="muted">{t("products.archived.notice")}</p> : null}
      <form method="post" action={path} novalidate>
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={errors} />
        <ProductFields ctx={ctx} values={values} errors={errors} />
        <button type="submit" class="button primary">
          {t("form.submit")}
        </button>
      </form>

      <section class="panel" aria-labelledby="product-actions">
        <h2 id="product-actions">{t("products.actions")}</h2>
        <form method="post" action={`${path}/${archived ? "desarchiver" : "archiver"}`}>
          <CsrfField ctx={ctx} />
          <p class="hint">{t(archived ? "products.unarchive.hint" : "products.archive.hint")}</p>
          <button type="submit" class="button">
            {t(archived ? "products.unarchive" : "products.archive")}
          </button>
        </form>
        {referenced ? (
          <p class="hint">{t("products.delete.referenced")}</p>
        ) : (
          <form method="post" action={`${path}/supprimer`}>
            <CsrfField ctx={ctx} />
            <p class="hint">{t("products.delete.hint")}</p>
            <button type="submit" class="button danger">
              {t("products.delete")}
            </button>
          </form>
        )}
      </section>
    </AppLayout>
  );
}
