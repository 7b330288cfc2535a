import { formatDate, formatMoney } from "../../domain/format";
import { formatQuantityE4, stockValueCents, type StockStatus } from "../../domain/stock";
import type { FieldErrors } from "../../http/errors";
import { CsrfField, Field, FormErrorSummary } from "../../ui/form";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import type { Page } from "../clients/search";
import { documentPath } from "../documents/pages";
import { productPath } from "../products/pages";
import type { Product } from "../products/queries";
import { unitLabel } from "../products/units";
import type { MovementItem, StockItem } from "./queries";
import { STOCK_FILTERS, type StockFilter } from "./schemas";
import type { StockLevel } from "./verbs";

export const STOCK_PATH = "/stock";
export const stockPath = (productId: string) => `${STOCK_PATH}/${encodeURIComponent(productId)}`;

/** The page forms: each has its own field names, so ids and errors never collide on the page. */
export const STOCK_FORMS = {
  purchase: { action: "reception", quantity: "purchaseQuantity", occurredOn: "purchaseOn", note: "purchaseNote" },
  adjustment: { action: "ajustement", quantity: "adjustQuantity", occurredOn: "adjustOn", note: "adjustNote" },
  inventory: { action: "inventaire", quantity: "countedQuantity", occurredOn: "countedOn", note: "countedNote" },
  initial: { action: "initial", quantity: "initialQuantity", occurredOn: "initialOn", note: "initialNote" },
} as const;
export type StockForm = keyof typeof STOCK_FORMS;

function listHref(filter: StockFilter, cursor?: string | null): string {
  const search = new URLSearchParams();
  if (filter !== "all") search.set("filter", filter);
  if (cursor) search.set("cursor", cursor);
  const query = search.toString();
  return query ? `${STOCK_PATH}?${query}` : STOCK_PATH;
}

/** The status as a badge; a negative stock carries its explanation for screen readers and on hover. */
export function StockBadge({ ctx, status }: { ctx: PageContext; status: StockStatus }) {
  return (
    <span class={`badge stock-status stock-status-${status}`} title={status === "negative" ? ctx.t("stock.negative.explain") : undefined}>
      {ctx.t(`stock.status.${status}`)}
    </span>
  );
}

function AlertSummary({ ctx, alerts }: { ctx: PageContext; alerts: { tracked: number; low: number; out: number; negative: number } }) {
  const { t } = ctx;
  if (alerts.tracked === 0) return null;
  const parts = [
    alerts.low > 0 ? { filter: "low" as const, text: t("stock.alert.low", { n: alerts.low }), cls: "low" } : null,
    alerts.out > 0 ? { filter: "low" as const, text: t("stock.alert.out", { n: alerts.out }), cls: "out" } : null,
    alerts.negative > 0 ? { filter: "negative" as const, text: t("stock.alert.negative", { n: alerts.negative }), cls: "negative" } : null,
  ].filter((p) => p !== null);
  return (
    <section class={`stock-alerts${parts.length ? " stock-alerts-on" : ""}`} aria-labelledby="stock-alerts-h" data-stock-alerts>
      <h2 id="stock-alerts-h">{t("stock.alert.title")}</h2>
      {parts.length === 0 ? (
        <p>{t("stock.alert.none")}</p>
      ) : (
        <ul>
          {parts.map((p) => (
            <li key={p.cls} class={`stock-alert-${p.cls}`}>
              <a href={listHref(p.filter)}>{p.text}</a>
            </li>
          ))}
        </ul>
      )}
      {alerts.negative > 0 ? <p class="hint">{t("stock.negative.explain")}</p> : null}
    </section>
  );
}

export interface StockListProps {
  ctx: PageContext;
  page: Page<StockItem>;
  filter: StockFilter;
  alerts: { tracked: number; low: number; out: number; negative: number };
}

/** /stock: the tracked products with their quantity, threshold, status and value; alerts on top. */
export function StockListPage({ ctx, page, filter, alerts }: StockListProps) {
  const { t, locale } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("stock.title")}>
      <div class="page-header">
        <h1>{t("stock.title")}</h1>
        <a href="/produits" class="button">
          {t("stock.catalogue")}
        </a>
      </div>
      <p class="lead">{t("stock.lead")}</p>
      <AlertSummary ctx={ctx} alerts={alerts} />
      {alerts.tracked > 0 ? (
        <form method="get" action={STOCK_PATH} class="stock-filter">
          <label for="f-filter">{t("stock.filter.label")}</label>
          <select id="f-filter" name="filter">
            {STOCK_FILTERS.map((f) => (
              <option value={f} selected={f === filter} key={f}>
                {t(`stock.filter.${f}`)}
              </option>
            ))}
          </select>
          <button type="submit" class="button">
            {t("stock.filter.submit")}
          </button>
        </form>
      ) : null}
      {page.items.length === 0 ? (
        <section class="empty-state">
          <p>{alerts.tracked === 0 ? t("stock.empty") : t("stock.empty.filter")}</p>
        </section>
      ) : (
        <div class="docs-table-wrap">
          <table class="table stock-table">
            <thead>
              <tr>
                <th scope="col">{t("stock.col.product")}</th>
                <th scope="col">{t("stock.col.unit")}</th>
                <th scope="col" class="num">
                  {t("stock.col.onHand")}
                </th>
                <th scope="col" class="num">
                  {t("stock.col.threshold")}
                </th>
                <th scope="col">{t("stock.col.status")}</th>
                <th scope="col" class="num">
                  {t("stock.col.value")}
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item) => (
                <tr key={item.productId} class={`stock-row-${item.status}`} data-product={item.productId}>
                  <td>
                    <a href={stockPath(item.productId)}>{item.name}</a>
                  </td>
                  <td>{unitLabel(item.unitCode, locale)}</td>
                  <td class={`num stock-qty${item.onHandE4 < 0 ? " stock-negative" : ""}`}>{formatQuantityE4(item.onHandE4, locale)}</td>
                  <td class="num">{item.lowThresholdE4 === null ? t("stock.threshold.none") : formatQuantityE4(item.lowThresholdE4, locale)}</td>
                  <td>
                    <StockBadge ctx={ctx} status={item.status} />
                  </td>
                  <td class="num">{formatMoney(stockValueCents(item.onHandE4, item.unitPriceCents), locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.prevCursor || page.nextCursor ? (
        <nav class="pagination" aria-label={t("stock.title")}>
          {page.prevCursor ? (
            <a href={listHref(filter, page.prevCursor)} rel="prev">
              {t("stock.prev")}
            </a>
          ) : null}
          {page.nextCursor ? (
            <a href={listHref(filter, page.nextCursor)} rel="next">
              {t("stock.next")}
            </a>
          ) : null}
        </nav>
      ) : null}
    </AppLayout>
  );
}

/** The form that failed, with the values typed and its errors; the other forms render empty. */
export interface FormState {
  form: StockForm | "threshold";
  values: Record<string, string>;
  errors: FieldErrors;
}

function MovementForm({ ctx, productId, kind, state, today }: { ctx: PageContext; productId: string; kind: StockForm; state: FormState | null; today: string }) {
  const { t } = ctx;
  const names = STOCK_FORMS[kind];
  const mine = state?.form === kind ? state : null;
  const values = mine?.values ?? {};
  const errors = mine?.errors;
  const quantityLabel = { purchase: "stock.field.quantity", adjustment: "stock.field.adjustQuantity", inventory: "stock.field.counted", initial: "stock.field.initial" } as const;
  return (
    <section class="stock-form card" aria-labelledby={`stock-${kind}-h`}>
      <h3 id={`stock-${kind}-h`}>{t(`stock.form.${kind}.title`)}</h3>
      {kind === "inventory" ? <p class="hint">{t("stock.form.inventory.lead")}</p> : null}
      {kind === "initial" ? <p class="hint">{t("stock.form.initial.lead")}</p> : null}
      <form method="post" action={`${stockPath(productId)}/${names.action}`} novalidate>
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={errors} />
        <Field
          name={names.quantity}
          label={t(quantityLabel[kind])}
          value={values[names.quantity] ?? ""}
          errors={errors}
          inputMode={kind === "adjustment" ? "text" : "decimal"}
          hint={kind === "adjustment" ? t("stock.field.adjustQuantity.hint") : t("stock.field.quantity.hint")}
          required
        />
        <Field name={names.occurredOn} label={t("stock.field.occurredOn")} type="date" value={values[names.occurredOn] ?? today} errors={errors} required />
        {kind === "initial" ? null : (
          <Field
            name={names.note}
            label={kind === "adjustment" ? t("stock.field.reason") : t("stock.field.note")}
            value={values[names.note] ?? ""}
            errors={errors}
            maxLength={500}
            hint={kind === "adjustment" ? t("stock.field.reason.hint") : kind === "purchase" ? t("stock.field.note.hint") : undefined}
            required={kind === "adjustment"}
            optionalLabel={kind === "adjustment" ? undefined : t("form.optional")}
          />
        )}
        <button type="submit" class={kind === "purchase" ? "button primary" : "button"}>
          {t(`stock.form.${kind}.submit`)}
        </button>
      </form>
    </section>
  );
}

export interface StockProductProps {
  ctx: PageContext;
  product: Product;
  level: StockLevel;
  status: StockStatus;
  movements: { items: MovementItem[]; nextCursor: string | null };
  cursor?: string | undefined;
  hasInitial: boolean;
  today: string;
  state?: FormState | null;
  flash?: Flash | null;
}

/** /stock/<productId>: the level, the movement history, and the forms that record movements. */
export function StockProductPage({ ctx, product, level, status, movements, cursor, hasInitial, today, state, flash }: StockProductProps) {
  const { t, locale } = ctx;
  const trackable = product.kind === "goods" && product.stockTracked;
  const unit = unitLabel(product.unitCode, locale);
  const thresholdErrors = state?.form === "threshold" ? state.errors : undefined;
  const thresholdValue = state?.form === "threshold" ? (state.values.threshold ?? "") : level.lowThresholdE4 === null ? "" : formatQuantityE4(level.lowThresholdE4, locale, { grouping: false });
  return (
    <AppLayout ctx={ctx} title={`${t("stock.title")} — ${product.name}`} flash={flash}>
      <p>
        <a href={STOCK_PATH}>{`← ${t("stock.back")}`}</a>
      </p>
      <div class="page-header">
        <h1>{product.name}</h1>
        <a href={productPath(product.id)} class="button">
          {t("stock.detail.product")}
        </a>
      </div>
      <section class={`stock-level stock-level-${status}`} aria-label={t("stock.col.onHand")}>
        <p class="stock-level-qty">
          <span class={level.onHandE4 < 0 ? "stock-negative" : undefined} data-on-hand={level.onHandE4}>
            {t("stock.detail.onHand", { quantity: formatQuantityE4(level.onHandE4, locale), unit })}
          </span>{" "}
          <StockBadge ctx={ctx} status={status} />
        </p>
        <p>{level.lowThresholdE4 === null ? t("stock.detail.thresholdNone") : t("stock.detail.threshold", { quantity: formatQuantityE4(level.lowThresholdE4, locale) })}</p>
        {status === "negative" ? (
          <p class="stock-negative-explain" role="note">
            {t("stock.negative.explain")}
          </p>
        ) : null}
      </section>
      {!trackable ? (
        <section class="empty-state">
          <p>{product.kind === "goods" ? t("stock.detail.notTracked") : t("stock.err.service")}</p>
        </section>
      ) : (
        <div class="stock-forms">
          <MovementForm ctx={ctx} productId={product.id} kind="purchase" state={state ?? null} today={today} />
          <MovementForm ctx={ctx} productId={product.id} kind="inventory" state={state ?? null} today={today} />
          <MovementForm ctx={ctx} productId={product.id} kind="adjustment" state={state ?? null} today={today} />
          {hasInitial ? null : <MovementForm ctx={ctx} productId={product.id} kind="initial" state={state ?? null} today={today} />}
          <section class="stock-form card" aria-labelledby="stock-threshold-h">
            <h3 id="stock-threshold-h">{t("stock.form.threshold.title")}</h3>
            <form method="post" action={`${stockPath(product.id)}/seuil`} novalidate>
              <CsrfField ctx={ctx} />
              <FormErrorSummary ctx={ctx} errors={thresholdErrors} />
              <Field name="threshold" label={t("stock.field.threshold")} value={thresholdValue} errors={thresholdErrors} inputMode="decimal" hint={t("stock.field.threshold.hint")} />
              <button type="submit" class="button">
                {t("stock.form.threshold.submit")}
              </button>
            </form>
          </section>
        </div>
      )}
      <section aria-labelledby="stock-history-h">
        <h2 id="stock-history-h">{t("stock.history.title")}</h2>
        <p class="hint">{t("stock.history.lead")}</p>
        {movements.items.length === 0 ? (
          <p>{t("stock.history.empty")}</p>
        ) : (
          <div class="docs-table-wrap">
            <table class="table stock-movements">
              <thead>
                <tr>
                  <th scope="col">{t("stock.col.date")}</th>
                  <th scope="col">{t("stock.col.reason")}</th>
                  <th scope="col" class="num">
                    {t("stock.col.quantity")}
                  </th>
                  <th scope="col">{t("stock.col.document")}</th>
                  <th scope="col">{t("stock.col.note")}</th>
                </tr>
              </thead>
              <tbody>
                {movements.items.map((m) => (
                  <tr key={m.id} data-movement={m.reason}>
                    <td>{formatDate(m.occurredOn, locale)}</td>
                    <td>{t(`stock.reason.${m.reason}`)}</td>
                    <td class={`num ${m.quantityE4 < 0 ? "stock-out-qty" : "stock-in-qty"}`}>{formatQuantityE4(m.quantityE4, locale, { signed: true })}</td>
                    <td>{m.documentId && m.documentNumber ? <a href={documentPath(m.documentId)}>{m.documentNumber}</a> : ""}</td>
                    <td>{m.note ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor || movements.nextCursor ? (
          <nav class="pagination" aria-label={t("stock.history.title")}>
            {cursor ? <a href={stockPath(product.id)}>{t("stock.prev")}</a> : null}
            {movements.nextCursor ? (
              <a href={`${stockPath(product.id)}?cursor=${encodeURIComponent(movements.nextCursor)}`} rel="next">
                {t("stock.next")}
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </AppLayout>
  );
}
