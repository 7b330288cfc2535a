import { reasonCodesFor, type BuyerAction, type PurchaseState } from "../../domain/purchases";
import { formatDate, formatDateTime, formatMoney, formatPercent } from "../../domain/format";
import { formatIban } from "../../domain/identifiers";
import type { FieldErrors } from "../../http/errors";
import type { MessageKey } from "../../ui/i18n";
import { CsrfField, Field, FormErrorSummary, SelectField, TextArea } from "../../ui/form";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import type { Page } from "../clients/search";
import type { PurchaseListItem, PurchaseRow } from "./queries";
import { PAYMENT_METHODS } from "./verbs";

export const PURCHASES_PATH = "/achats";
export const purchasePath = (id: string) => `${PURCHASES_PATH}/${encodeURIComponent(id)}`;

export function StateBadge({ ctx, state }: { ctx: PageContext; state: PurchaseState }) {
  return <span class={`badge purchase-state purchase-state-${state}`}>{ctx.t(`purchases.state.${state}`)}</span>;
}

export function PurchaseListPage({ ctx, page, flash }: { ctx: PageContext; page: Page<PurchaseListItem>; flash: Flash | null }) {
  const { t, locale } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("purchases.title")} flash={flash}>
      <div class="page-header">
        <h1>{t("purchases.title")}</h1>
        <div class="page-actions">
          <form method="post" action={`${PURCHASES_PATH}/relever`}>
            <CsrfField ctx={ctx} />
            <button type="submit" class="button">
              {t("purchases.sync")}
            </button>
          </form>
          <a href={`${PURCHASES_PATH}/nouvelle`} class="button button-secondary">
            {t("purchases.add")}
          </a>
        </div>
      </div>
      <p class="lead">{t("purchases.lead")}</p>
      {page.items.length === 0 ? (
        <section class="empty-state">
          <p>{t("purchases.empty")}</p>
        </section>
      ) : (
        <div class="docs-table-wrap">
          <table class="table purchases-table">
            <thead>
              <tr>
                <th scope="col">{t("purchases.col.received")}</th>
                <th scope="col">{t("purchases.col.supplier")}</th>
                <th scope="col">{t("purchases.col.number")}</th>
                <th scope="col">{t("purchases.col.due")}</th>
                <th scope="col" class="num">
                  {t("purchases.col.total")}
                </th>
                <th scope="col">{t("purchases.col.state")}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p) => (
                <tr key={p.id} data-purchase={p.id}>
                  <td>{formatDate(new Date(p.receivedAt), locale)}</td>
                  <td>{p.supplierName}</td>
                  <td>
                    <a href={purchasePath(p.id)}>{p.number}</a>
                  </td>
                  <td>{p.dueDate ? formatDate(p.dueDate, locale) : "—"}</td>
                  <td class="num">{formatMoney(p.taxInclusiveCents, locale)}</td>
                  <td>
                    <StateBadge ctx={ctx} state={p.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.prevCursor || page.nextCursor ? (
        <nav class="pagination" aria-label={t("purchases.title")}>
          {page.prevCursor ? (
            <a href={`${PURCHASES_PATH}?cursor=${encodeURIComponent(page.prevCursor)}`} rel="prev">
              {t("purchases.prev")}
            </a>
          ) : null}
          {page.nextCursor ? (
            <a href={`${PURCHASES_PATH}?cursor=${encodeURIComponent(page.nextCursor)}`} rel="next">
              {t("purchases.next")}
            </a>
          ) : null}
        </nav>
      ) : null}
    </AppLayout>
  );
}

export interface LifecycleEntry {
  code: number;
  direction: "in" | "out";
  reasonCode: string | null;
  reason: string | null;
  amountCents: number | null;
  at: number;
}

/** The form that failed, with its values and errors (the other forms render empty). */
export interface FormState {
  form: string;
  values: Record<string, string>;
  errors: FieldErrors;
}

function statusLabel(ctx: PageContext, code: number): string {
  const key = `einvoice.status.${code}`;
  return code >= 200 && code <= 213 ? ctx.t(key as MessageKey) : String(code);
}

function reasonLabel(ctx: PageContext, code: string): string {
  const key = `einvoice.reason.${code}` as MessageKey;
  const label = ctx.t(key);
  return label === key || label === undefined ? code : label;
}

function ActionForm({ ctx, id, code, state, maxCents }: { ctx: PageContext; id: string; code: BuyerAction; state: FormState | null; maxCents: number }) {
  const { t } = ctx;
  const mine = state?.form === String(code) ? state : null;
  const values = mine?.values ?? {};
  const errors = mine?.errors;
  const reasons = reasonCodesFor(code);
  const needsReason = code === 207 || code === 210;
  return (
    <form method="post" action={`${purchasePath(id)}/statut`} class={`purchase-action purchase-action-${code}`} novalidate>
      <CsrfField ctx={ctx} />
      <input type="hidden" name="code" value={String(code)} />
      <FormErrorSummary ctx={ctx} errors={errors} />
      {needsReason ? (
        <>
          <SelectField
            name={`reasonCode`}
            label={t("purchases.field.reasonCode")}
            value={values.reasonCode ?? ""}
            options={[{ value: "", label: "—" }, ...reasons.map((r) => ({ value: r, label: reasonLabel(ctx, r) }))]}
            errors={errors}
          />
          <TextArea name="reason" label={t("purchases.field.reason")} value={values.reason} errors={errors} maxLength={1000} />
        </>
      ) : null}
      {code === 211 ? <Field name="amount" label={t("purchases.field.amount")} value={values.amount ?? formatMoney(maxCents, ctx.locale).replace(/\s?€$/, "")} errors={errors} inputMode="decimal" /> : null}
      <button type="submit" class={`button${code === 210 ? " button-danger" : ""}`}>
        {t(`purchases.action.${code}`)}
      </button>
    </form>
  );
}

export interface PurchaseDetailProps {
  ctx: PageContext;
  purchase: PurchaseRow;
  state: PurchaseState;
  lifecycle: LifecycleEntry[];
  actions: BuyerAction[];
  form: FormState | null;
  flash: Flash | null;
  today: string;
}

/** /achats/:id — the invoice read from the file (a readable view of the XML), its file, lifecycle, answers and payment. */
export function PurchaseDetailPage({ ctx, purchase: p, state, lifecycle, actions, form, flash, today }: PurchaseDetailProps) {
  const { t, locale } = ctx;
  const lines = JSON.parse(p.lines) as Array<{ name: string; quantity: string; netCents: number; rateBasisPoints: number | null }>;
  const vat = JSON.parse(p.vatBreakdown) as Array<{ rateBasisPoints: number; baseCents: number; vatCents: number; category: string }>;
  const pay = form?.form === "payment" ? form : null;
  return (
    <AppLayout ctx={ctx} title={t("purchases.detail.title", { number: p.number })} flash={flash}>
      <p>
        <a href={PURCHASES_PATH}>← {t("purchases.back")}</a>
      </p>
      <div class="page-header">
        <h1>{t("purchases.detail.title", { number: p.number })}</h1>
        <StateBadge ctx={ctx} state={state} />
      </div>
      <section class="card purchase-summary" aria-labelledby="purchase-h">
        <h2 id="purchase-h">{p.supplierName}</h2>
        <dl class="facts">
          {p.supplierSiren ? (
            <>
              <dt>{t("purchases.detail.siren")}</dt>
              <dd>{p.supplierSiren}</dd>
            </>
          ) : null}
          {p.supplierVatNumber ? (
            <>
              <dt>{t("purchases.detail.vat")}</dt>
              <dd>{p.supplierVatNumber}</dd>
            </>
          ) : null}
          <dt>{t("purchases.detail.issueDate")}</dt>
          <dd>{formatDate(p.issueDate, locale)}</dd>
          <dt>{t("purchases.detail.dueDate")}</dt>
          <dd>{p.dueDate ? formatDate(p.dueDate, locale) : "—"}</dd>
          {p.iban ? (
            <>
              <dt>{t("purchases.detail.iban")}</dt>
              <dd>{formatIban(p.iban)}</dd>
            </>
          ) : null}
          <dt>{t("purchases.detail.totalHt")}</dt>
          <dd>{formatMoney(p.taxExclusiveCents, locale)}</dd>
          <dt>{t("purchases.detail.totalVat")}</dt>
          <dd>{formatMoney(p.vatCents, locale)}</dd>
          <dt>{t("purchases.detail.totalTtc")}</dt>
          <dd>
            <strong>{formatMoney(p.taxInclusiveCents, locale)}</strong>
          </dd>
        </dl>
        {p.fileKey ? (
          <p>
            <a href={`${purchasePath(p.id)}/fichier`} download={p.fileName ?? undefined}>
              {p.fileType === "application/pdf" ? t("purchases.detail.pdf") : t("purchases.detail.file")}
            </a>
            <br />
            <small class="hint">
              {t("purchases.detail.fileSha")} : <code>{p.fileSha256}</code>
            </small>
          </p>
        ) : (
          <p class="hint">{t("purchases.detail.noFile")}</p>
        )}
      </section>
      {lines.length ? (
        <section aria-labelledby="lines-h">
          <h2 id="lines-h">{t("purchases.detail.lines")}</h2>
          <div class="docs-table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t("purchases.detail.line.name")}</th>
                  <th scope="col" class="num">
                    {t("purchases.detail.line.quantity")}
                  </th>
                  <th scope="col" class="num">
                    {t("purchases.detail.line.rate")}
                  </th>
                  <th scope="col" class="num">
                    {t("purchases.detail.line.net")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {lines.map((l, i) => (
                  <tr key={i}>
                    <td>{l.name}</td>
                    <td class="num">{l.quantity.replace(".", locale === "fr" ? "," : ".")}</td>
                    <td class="num">{l.rateBasisPoints === null ? "—" : formatPercent(l.rateBasisPoints, locale)}</td>
                    <td class="num">{formatMoney(l.netCents, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {vat.length ? (
        <section aria-labelledby="vat-h">
          <h2 id="vat-h">{t("purchases.detail.vatRates")}</h2>
          <ul>
            {vat.map((v, i) => (
              <li key={i}>
                {formatPercent(v.rateBasisPoints, locale)} : {formatMoney(v.baseCents, locale)} → {formatMoney(v.vatCents, locale)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="lifecycle-h">
        <h2 id="lifecycle-h">{t("purchases.detail.lifecycle")}</h2>
        {lifecycle.length === 0 ? (
          <p class="hint">{t("purchases.detail.lifecycle.empty")}</p>
        ) : (
          <ol class="timeline" data-lifecycle>
            {lifecycle.map((e, i) => (
              <li key={i} data-code={e.code}>
                <strong>{statusLabel(ctx, e.code)}</strong> ({e.direction === "out" ? t("purchases.detail.sent") : t("purchases.detail.receivedStatus")}) — {formatDateTime(e.at, locale)}
                {e.reasonCode ? ` — ${reasonLabel(ctx, e.reasonCode)}` : ""}
                {e.reason ? ` : ${e.reason}` : ""}
                {e.amountCents !== null ? ` — ${formatMoney(e.amountCents, locale)}` : ""}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section class="card" aria-labelledby="actions-h">
        <h2 id="actions-h">{t("purchases.actions")}</h2>
        {p.source === "manual" ? (
          <p class="hint">{t("purchases.actions.manual")}</p>
        ) : actions.length === 0 ? (
          <p class="hint">{t("purchases.actions.none")}</p>
        ) : (
          <>
            <p class="hint">{t("purchases.actions.lead")}</p>
            <div class="purchase-actions">
              {actions.map((code) => (
                <ActionForm key={code} ctx={ctx} id={p.id} code={code} state={form} maxCents={p.taxInclusiveCents} />
              ))}
            </div>
          </>
        )}
      </section>
      <section class="card" aria-labelledby="payment-h">
        <h2 id="payment-h">{t("purchases.detail.payment")}</h2>
        <p data-payment>
          {p.paidOn && p.paidCents !== null
            ? t("purchases.detail.paid", {
                date: formatDate(p.paidOn, locale),
                amount: formatMoney(p.paidCents, locale),
                method: t(`purchases.method.${(p.paymentMethod ?? "other") as (typeof PAYMENT_METHODS)[number]}`),
              })
            : t("purchases.detail.unpaid")}
        </p>
        <form method="post" action={`${purchasePath(p.id)}/paiement`} novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={pay?.errors} />
          <Field name="paidOn" type="date" label={t("purchases.field.paidOn")} value={pay?.values.paidOn ?? p.paidOn ?? today} errors={pay?.errors} required />
          <Field
            name="amountCents"
            label={t("purchases.field.amount")}
            value={pay?.values.amountCents ?? formatMoney(p.paidCents ?? p.taxInclusiveCents, locale).replace(/\s?€$/, "")}
            errors={pay?.errors}
            inputMode="decimal"
            required
          />
          <SelectField
            name="method"
            label={t("purchases.field.method")}
            value={pay?.values.method ?? p.paymentMethod ?? "transfer"}
            options={PAYMENT_METHODS.map((m) => ({ value: m, label: t(`purchases.method.${m}`) }))}
            errors={pay?.errors}
          />
          <button type="submit" class="button">
            {t("purchases.recordPayment")}
          </button>
        </form>
      </section>
    </AppLayout>
  );
}

export function NewPurchasePage({ ctx, values, errors, today }: { ctx: PageContext; values: Record<string, string>; errors?: FieldErrors; today: string }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("purchases.new.title")}>
      <p>
        <a href={PURCHASES_PATH}>← {t("purchases.back")}</a>
      </p>
      <h1>{t("purchases.new.title")}</h1>
      <p class="lead">{t("purchases.new.lead")}</p>
      <form method="post" action={`${PURCHASES_PATH}/nouvelle`} enctype="multipart/form-data" novalidate class="card">
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={errors} />
        <Field name="supplierName" label={t("purchases.field.supplierName")} value={values.supplierName ?? ""} errors={errors} required maxLength={200} />
        <Field name="supplierSiren" label={t("purchases.field.supplierSiren")} value={values.supplierSiren ?? ""} errors={errors} optionalLabel={t("form.optional")} inputMode="numeric" />
        <Field name="supplierVatNumber" label={t("purchases.field.supplierVatNumber")} value={values.supplierVatNumber ?? ""} errors={errors} optionalLabel={t("form.optional")} />
        <Field name="number" label={t("purchases.field.number")} value={values.number ?? ""} errors={errors} required maxLength={100} />
        <Field name="issueDate" type="date" label={t("purchases.field.issueDate")} value={values.issueDate ?? today} errors={errors} required />
        <Field name="dueDate" type="date" label={t("purchases.field.dueDate")} value={values.dueDate ?? ""} errors={errors} optionalLabel={t("form.optional")} />
        <Field name="taxExclusiveCents" label={t("purchases.field.taxExclusive")} value={values.taxExclusiveCents ?? ""} errors={errors} inputMode="decimal" required />
        <Field name="vatCents" label={t("purchases.field.vat")} value={values.vatCents ?? "0"} errors={errors} inputMode="decimal" required />
        <SelectField
          name="category"
          label={t("purchases.field.category")}
          value={values.category ?? "services"}
          options={(["goods", "services", "overheads"] as const).map((c) => ({ value: c, label: t(`purchases.category.${c}`) }))}
          errors={errors}
        />
        <div class={`field${errors?.file ? " has-error" : ""}`}>
          <label for="f-file">{t("purchases.field.file")}</label>
          <input id="f-file" name="file" type="file" accept=".pdf,.xml,.jpg,.jpeg,.png,application/pdf,application/xml,text/xml,image/*" />
          {errors?.file ? <p class="error">{errors.file}</p> : null}
        </div>
        <button type="submit" class="button">
          {t("purchases.new.submit")}
        </button>
      </form>
    </AppLayout>
  );
}
