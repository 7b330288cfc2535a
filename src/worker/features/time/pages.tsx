import { amountForMinutes, formatDuration } from "../../domain/duration";
import { formatDate, formatDateTime, formatMoney } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, Fieldset, FormErrorSummary, SelectField } from "../../ui/form";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { ClientPickerField, type ClientPicker, documentPath } from "../documents/pages";
import type { TimeListItem, TimePage } from "./queries";
import type { TimeListQuery } from "./schemas";
import type { TimeEntryRow } from "./verbs";

export const TIME_PATH = "/temps";
export const TIMER_START_PATH = `${TIME_PATH}/minuteur/demarrer`;
export const TIMER_STOP_PATH = `${TIME_PATH}/minuteur/arreter`;
export const BILL_PATH = `${TIME_PATH}/facturer`;
export const entryEditPath = (id: string) => `${TIME_PATH}/${encodeURIComponent(id)}/modifier`;
export const entryDeletePath = (id: string) => `${TIME_PATH}/${encodeURIComponent(id)}/supprimer`;

type Option = { value: string; label: string };

/** Where the entry form takes its client: a select, or the search field of a large account. */
export interface ClientChoice {
  options: Array<{ id: string; name: string }>;
  picker?: ClientPicker;
}

/** The date shifted by whole days (YYYY-MM-DD, calendar arithmetic in UTC). */
export function addDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Monday to Sunday of the week holding `date`. */
export function weekOf(date: string): { from: string; to: string } {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  const from = addDaysIso(date, -weekday);
  return { from, to: addDaysIso(from, 6) };
}

/** The page's query names for the list filters (French URLs, and no id clash with the add form). */
export const FILTER_PARAMS = { clientId: "client", billed: "facturation", from: "du", to: "au", cursor: "cursor" } as const;

/** A /temps URL with its filters (empty ones left out). */
export function timeHref(q: Partial<Record<keyof typeof FILTER_PARAMS | "ok", string | undefined>>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v) params.set(k in FILTER_PARAMS ? FILTER_PARAMS[k as keyof typeof FILTER_PARAMS] : k, v);
  const s = params.toString();
  return s ? `${TIME_PATH}?${s}` : TIME_PATH;
}

function ClientField({ ctx, choice, value, errors, name = "clientId", none }: { ctx: PageContext; choice: ClientChoice; value: string; errors?: FieldErrors | undefined; name?: string; none: string }) {
  if (choice.picker) return <ClientPickerField ctx={ctx} picker={choice.picker} errors={errors} />;
  return (
    <SelectField
      name={name}
      label={ctx.t("time.field.client")}
      value={value}
      errors={errors}
      options={[{ value: "", label: none }, ...choice.options.map((c) => ({ value: c.id, label: c.name }))]}
    />
  );
}

/** Field names of the timer form: prefixed, so its ids never clash with the add form on the same page. */
export const TIMER_PREFIX = "timer-";

const prefixed = (errors: FieldErrors | undefined, prefix: string): FieldErrors | undefined =>
  errors && prefix ? Object.fromEntries(Object.entries(errors).map(([k, v]) => [k === "_form" ? k : `${prefix}${k}`, v])) : errors;

/** The fields of an entry (add and edit forms); the timer form has no date nor duration. */
function EntryFields(p: { ctx: PageContext; values: Record<string, string>; errors?: FieldErrors | undefined; clients: ClientChoice; products: Option[]; timer?: boolean }) {
  const { ctx, values, clients, products, timer } = p;
  const { t } = ctx;
  const optional = t("form.optional");
  const n = timer ? TIMER_PREFIX : "";
  const errors = prefixed(p.errors, n);
  return (
    <div class="form-grid time-form-grid">
      {timer ? null : <Field name="workDate" type="date" label={t("time.field.date")} value={values.workDate} errors={errors} required />}
      {timer && clients.picker ? null : (
        <div>
          <ClientField ctx={ctx} choice={clients} value={values.clientId ?? ""} errors={errors} name={`${n}clientId`} none={t("time.field.client.none")} />
        </div>
      )}
      {timer ? null : (
        <Field name="duration" label={t("time.field.duration")} value={values.duration} errors={errors} hint={t("time.field.duration.hint")} required inputMode="text" maxLength={20} />
      )}
      <Field name={`${n}description`} label={t("time.field.description")} value={values.description} errors={errors} maxLength={500} required={!timer} {...(timer ? { optionalLabel: optional } : {})} />
      {products.length ? (
        <SelectField
          name={`${n}productId`}
          label={t("time.field.product")}
          value={values.productId ?? ""}
          errors={errors}
          hint={t("time.field.product.hint")}
          options={[{ value: "", label: t("time.field.product.none") }, ...products]}
        />
      ) : null}
      <Field name={`${n}hourlyRate`} label={t("time.field.rate")} value={values.hourlyRate} errors={errors} hint={t("time.field.rate.hint")} inputMode="decimal" optionalLabel={optional} maxLength={20} />
      <CheckboxField name={`${n}billable`} label={t("time.field.billable")} checked={values.billable === "on"} />
    </div>
  );
}

export interface TimerState {
  entry: TimeEntryRow;
  clientName: string | null;
}

/** The timer panel: what runs and since when, or a form to start one. Plain forms, no script needed. */
function TimerPanel({ ctx, timer, values, errors, clients, products }: { ctx: PageContext; timer: TimerState | null; values: Record<string, string>; errors?: FieldErrors | undefined; clients: ClientChoice; products: Option[] }) {
  const { t, locale } = ctx;
  return (
    <section class="panel time-timer" aria-labelledby="time-timer-title">
      <h2 id="time-timer-title">{t("time.timer.title")}</h2>
      {timer ? (
        <div class="time-timer-running">
          <p class="time-timer-since">
            <span class="time-dot" aria-hidden="true" />
            <strong>{t("time.timer.running", { since: formatDateTime(timer.entry.startedAt ?? 0, locale) })}</strong>
          </p>
          <p>{t("time.timer.runningFor", { client: timer.clientName ?? t("time.field.client.none"), description: timer.entry.description || t("time.noDescription") })}</p>
          <div class="time-timer-actions">
            <form method="post" action={TIMER_STOP_PATH}>
              <CsrfField ctx={ctx} />
              <button type="submit" class="button primary">
                {t("time.timer.stop")}
              </button>
            </form>
            <form method="post" action={entryDeletePath(timer.entry.id)}>
              <CsrfField ctx={ctx} />
              <button type="submit" class="button">
                {t("time.timer.discard")}
              </button>
            </form>
          </div>
        </div>
      ) : (
        <form method="post" action={TIMER_START_PATH} novalidate>
          <CsrfField ctx={ctx} />
          <p class="hint">{t("time.timer.idle")}</p>
          <FormErrorSummary ctx={ctx} errors={errors} />
          <EntryFields ctx={ctx} values={values} errors={errors} clients={clients} products={products} timer />
          <button type="submit" class="button primary">
            {t("time.timer.start")}
          </button>
        </form>
      )}
    </section>
  );
}

function Filters({ ctx, query, clients }: { ctx: PageContext; query: TimeListQuery; clients: ClientChoice }) {
  const { t } = ctx;
  return (
    <form method="get" action={TIME_PATH} class="time-filters" aria-label={t("time.filters")}>
      {clients.picker ? (
        query.clientId ? <input type="hidden" name={FILTER_PARAMS.clientId} value={query.clientId} /> : null
      ) : (
        <SelectField
          name={FILTER_PARAMS.clientId}
          label={t("time.field.client")}
          value={query.clientId ?? ""}
          options={[{ value: "", label: t("time.filter.client.all") }, ...clients.options.map((c) => ({ value: c.id, label: c.name }))]}
        />
      )}
      <SelectField
        name={FILTER_PARAMS.billed}
        label={t("time.filter.billed")}
        value={query.billed ?? ""}
        options={[
          { value: "", label: t("time.filter.billed.all") },
          { value: "unbilled", label: t("time.filter.billed.unbilled") },
          { value: "billed", label: t("time.filter.billed.billed") },
        ]}
      />
      <Field name={FILTER_PARAMS.from} type="date" label={t("time.filter.from")} value={query.from} />
      <Field name={FILTER_PARAMS.to} type="date" label={t("time.filter.to")} value={query.to} />
      <button type="submit" class="button">
        {t("time.filter.apply")}
      </button>
    </form>
  );
}

function statusOf(ctx: PageContext, e: TimeListItem) {
  const { t } = ctx;
  if (e.documentId) {
    return <a href={documentPath(e.documentId)}>{e.documentNumber ? t("time.status.billed", { number: e.documentNumber }) : t("time.status.draft")}</a>;
  }
  return <span class={e.billable ? "badge" : "badge badge-muted"}>{t(e.billable ? "time.status.unbilled" : "time.status.notBillable")}</span>;
}

const amountOf = (e: Pick<TimeListItem, "billable" | "hourlyRateCents" | "minutes">) => (e.billable && e.hourlyRateCents !== null ? amountForMinutes(e.minutes, e.hourlyRateCents) : null);

/** The entries grouped by day (newest first), each day with its total on this page. */
function EntriesTable({ ctx, items }: { ctx: PageContext; items: TimeListItem[] }) {
  const { t, locale } = ctx;
  const days: Array<{ date: string; items: TimeListItem[] }> = [];
  for (const e of items) {
    const last = days.at(-1);
    if (last?.date === e.workDate) last.items.push(e);
    else days.push({ date: e.workDate, items: [e] });
  }
  return (
    <table class="table time-table">
      <thead>
        <tr>
          <th scope="col">{t("time.col.description")}</th>
          <th scope="col">{t("time.col.client")}</th>
          <th scope="col" class="num">
            {t("time.col.duration")}
          </th>
          <th scope="col" class="num">
            {t("time.col.rate")}
          </th>
          <th scope="col" class="num">
            {t("time.col.amount")}
          </th>
          <th scope="col">{t("time.col.status")}</th>
          <th scope="col">{t("time.col.actions")}</th>
        </tr>
      </thead>
      {days.map((d) => {
        const minutes = d.items.reduce((s, e) => s + e.minutes, 0);
        return (
          <tbody key={d.date}>
            <tr class="time-day">
              <th scope="rowgroup" colSpan={2}>
                {formatDate(d.date, locale)}
              </th>
              <td class="num">{formatDuration(minutes)}</td>
              <td colSpan={4} />
            </tr>
            {d.items.map((e) => {
              const amount = amountOf(e);
              return (
                <tr key={e.id}>
                  <td>{e.description || t("time.noDescription")}</td>
                  <td>{e.clientName ?? "—"}</td>
                  <td class="num">{formatDuration(e.minutes)}</td>
                  <td class="num">{e.hourlyRateCents === null ? "—" : formatMoney(e.hourlyRateCents, locale)}</td>
                  <td class="num">{amount === null ? "—" : formatMoney(amount, locale)}</td>
                  <td>{statusOf(ctx, e)}</td>
                  <td>
                    {e.documentId ? null : (
                      <div class="time-actions">
                        <a href={entryEditPath(e.id)} aria-label={`${t("time.edit")} — ${e.description || t("time.noDescription")}`}>
                          {t("time.edit")}
                        </a>
                        <form method="post" action={entryDeletePath(e.id)}>
                          <CsrfField ctx={ctx} />
                          <button type="submit" class="link-button" aria-label={`${t("time.delete")} — ${e.description || t("time.noDescription")}`}>
                            {t("time.delete")}
                          </button>
                        </form>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        );
      })}
    </table>
  );
}

export interface TimePageProps {
  ctx: PageContext;
  timer: TimerState | null;
  /** The add form (and the timer form when no timer runs). */
  values: Record<string, string>;
  errors?: FieldErrors | undefined;
  /** Errors of the timer form, shown next to it. */
  timerErrors?: FieldErrors | undefined;
  timerValues?: Record<string, string>;
  clients: ClientChoice;
  products: Option[];
  query: TimeListQuery;
  page: TimePage;
  flash?: Flash | null;
}

/** /temps: the timer on top, the form to add time, then the period's entries with their totals. */
export function TimePage(p: TimePageProps) {
  const { ctx, query, page } = p;
  const { t, locale } = ctx;
  const shift = (days: number) =>
    timeHref({ clientId: query.clientId, billed: query.billed, from: query.from && addDaysIso(query.from, days), to: query.to && addDaysIso(query.to, days) });
  return (
    <AppLayout ctx={ctx} title={t("time.title")} flash={p.flash} islands={p.clients.picker && !p.clients.picker.search ? ["combobox"] : []}>
      <div class="page-header">
        <h1>{t("time.title")}</h1>
        <a href={BILL_PATH} class="button primary">
          {t("time.bill")}
        </a>
      </div>
      <p class="lead">{t("time.lead")}</p>
      <TimerPanel ctx={ctx} timer={p.timer} values={p.timerValues ?? p.values} errors={p.timerErrors} clients={p.clients} products={p.products} />
      <section class="panel time-add" aria-labelledby="time-add-title">
        <h2 id="time-add-title">{t("time.add.title")}</h2>
        <form method="post" action={TIME_PATH} novalidate>
          <CsrfField ctx={ctx} />
          {p.clients.picker ? (
            // Entrée in a field submits with the form's first button: make it "Ajouter", not the client search.
            <button type="submit" class="visually-hidden" tabIndex={-1} aria-hidden="true">
              {t("time.add.submit")}
            </button>
          ) : null}
          <FormErrorSummary ctx={ctx} errors={p.errors} />
          <EntryFields ctx={ctx} values={p.values} errors={p.errors} clients={p.clients} products={p.products} />
          <button type="submit" class="button primary">
            {t("time.add.submit")}
          </button>
        </form>
      </section>
      <section aria-labelledby="time-list-title">
        <h2 id="time-list-title">
          {query.from && query.to ? `${formatDate(query.from, locale)} – ${formatDate(query.to, locale)}` : t("time.totals")}
        </h2>
        <nav class="time-period" aria-label={t("time.filters")}>
          {query.from && query.to ? <a href={shift(-7)}>{t("time.period.previous")}</a> : null}
          <a href={TIME_PATH}>{t("time.period.current")}</a>
          {query.from && query.to ? <a href={shift(7)}>{t("time.period.next")}</a> : null}
        </nav>
        <Filters ctx={ctx} query={query} clients={p.clients} />
        <dl class="time-totals" aria-label={t("time.totals")}>
          <div>
            <dt>{t("time.totals.hours")}</dt>
            <dd>{formatDuration(page.totals.minutes)}</dd>
          </div>
          <div>
            <dt>{t("time.totals.billable")}</dt>
            <dd>{formatMoney(page.totals.billableCents, locale)}</dd>
          </div>
        </dl>
        {page.items.length === 0 ? (
          <section class="empty-state">
            <p>{t("time.empty")}</p>
          </section>
        ) : (
          <EntriesTable ctx={ctx} items={page.items} />
        )}
        {page.nextCursor ? (
          <p class="pagination">
            <a href={timeHref({ clientId: query.clientId, billed: query.billed, from: query.from, to: query.to, cursor: page.nextCursor })} rel="next">
              {t("time.more")}
            </a>
          </p>
        ) : null}
      </section>
    </AppLayout>
  );
}

/** /temps/:id/modifier: an unbilled entry's form. */
export function EditEntryPage({ ctx, id, values, errors, clients, products }: { ctx: PageContext; id: string; values: Record<string, string>; errors?: FieldErrors | undefined; clients: ClientChoice; products: Option[] }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("time.edit.title")} islands={clients.picker && !clients.picker.search ? ["combobox"] : []}>
      <a href={TIME_PATH} class="docs-back">{`← ${t("time.edit.cancel")}`}</a>
      <h1>{t("time.edit.title")}</h1>
      <form method="post" action={entryEditPath(id)} novalidate>
        <CsrfField ctx={ctx} />
        {clients.picker ? (
          <button type="submit" class="visually-hidden" tabIndex={-1} aria-hidden="true">
            {t("time.edit.submit")}
          </button>
        ) : null}
        <FormErrorSummary ctx={ctx} errors={errors} />
        <Fieldset legend={t("time.edit.title")}>
          <EntryFields ctx={ctx} values={values} errors={errors} clients={clients} products={products} />
        </Fieldset>
        <button type="submit" class="button primary">
          {t("time.edit.submit")}
        </button>
      </form>
    </AppLayout>
  );
}

export interface BillPageProps {
  ctx: PageContext;
  clients: ClientChoice;
  clientId: string;
  entries: TimeEntryRow[];
  /** Ticked ids (all by default). */
  checked: Set<string>;
  errors?: FieldErrors | undefined;
}

/** /temps/facturer: pick a client, tick its unbilled billable entries, make the draft invoice. */
export function BillPage({ ctx, clients, clientId, entries, checked, errors }: BillPageProps) {
  const { t, locale } = ctx;
  const total = entries.reduce((s, e) => s + (checked.has(e.id) ? (amountOf(e) ?? 0) : 0), 0);
  const entriesError = errors?.entryIds;
  return (
    <AppLayout ctx={ctx} title={t("time.bill.title")} islands={clients.picker && !clients.picker.search ? ["combobox"] : []}>
      <a href={TIME_PATH} class="docs-back">
        {t("time.bill.back")}
      </a>
      <h1>{t("time.bill.title")}</h1>
      <p class="lead">{t("time.bill.lead")}</p>
      <form method="get" action={BILL_PATH} class="time-bill-client">
        <ClientField ctx={ctx} choice={clients} value={clientId} errors={errors} none={t("time.bill.client.choose")} />
        <button type="submit" class="button">
          {t("time.bill.choose")}
        </button>
      </form>
      {clientId ? (
        entries.length === 0 ? (
          <section class="empty-state">
            <p>{t("time.bill.none")}</p>
          </section>
        ) : (
          <form method="post" action={BILL_PATH} novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="clientId" value={clientId} />
            <FormErrorSummary ctx={ctx} errors={errors} />
            <fieldset class={entriesError ? "has-error" : undefined} aria-describedby={entriesError ? "f-entryIds-error" : undefined}>
              <legend>{t("time.bill.select")}</legend>
              {entriesError ? (
                <p class="error" id="f-entryIds-error">
                  {entriesError}
                </p>
              ) : null}
              <table class="table time-table">
                <thead>
                  <tr>
                    <th scope="col">{t("time.bill.select")}</th>
                    <th scope="col">{t("time.field.date")}</th>
                    <th scope="col">{t("time.col.description")}</th>
                    <th scope="col" class="num">
                      {t("time.col.duration")}
                    </th>
                    <th scope="col" class="num">
                      {t("time.col.rate")}
                    </th>
                    <th scope="col" class="num">
                      {t("time.col.amount")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => {
                    const amount = amountOf(e);
                    const label = `${formatDate(e.workDate, locale)} — ${e.description || t("time.noDescription")}`;
                    return (
                      <tr key={e.id}>
                        <td>
                          <input type="checkbox" id={`e-${e.id}`} name="entryIds" value={e.id} checked={checked.has(e.id)} disabled={amount === null} aria-label={label} />
                        </td>
                        <td>
                          <label for={`e-${e.id}`}>{formatDate(e.workDate, locale)}</label>
                        </td>
                        <td>{e.description || t("time.noDescription")}</td>
                        <td class="num">{formatDuration(e.minutes)}</td>
                        <td class="num">{e.hourlyRateCents === null ? "—" : formatMoney(e.hourlyRateCents, locale)}</td>
                        <td class="num">{amount === null ? "—" : formatMoney(amount, locale)}</td>
                      </tr>
                    );
                  })}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={5}>
                      {t("time.totals.billable")}
                    </th>
                    <td class="num">{formatMoney(total, locale)}</td>
                  </tr>
                </tfoot>
              </table>
            </fieldset>
            <button type="submit" class="button primary">
              {t("time.bill.submit")}
            </button>
          </form>
        )
      ) : null}
    </AppLayout>
  );
}
