import type { Gauge } from "../../domain/books/thresholds";
import { type Deadline, type Period, URSSAF_CATEGORIES } from "../../domain/books/urssaf";
import type { EreportDeadline } from "../../domain/einvoice/ereporting";
import { formatDate, formatMoney, type Locale } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CsrfField, FormErrorSummary, SelectField } from "../../ui/form";
import type { Translate } from "../../ui/i18n";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { documentPath } from "../documents/pages";
import { paymentReferenceText } from "../payments/verbs";
import { type BooksSettings, type ReceiptEntry, receiptsTotals, type ThresholdsView, type UrssafYear } from "./queries";
import { type RegisterEntry, registerTotals } from "./exports";

export const BOOKS_PATH = "/livres";
export const URSSAF_PATH = "/livres/urssaf";
export const RECEIPTS_PATH = "/livres/recettes";
export const SETTINGS_PATH = "/livres/reglages";
export const FEC_PATH = "/livres/fec";
export const REGISTER_PATH = "/livres/registre-des-achats";
export const EREPORTING_PATH = "/livres/e-reporting";

type Section = "overview" | "urssaf" | "receipts" | "register" | "ereporting" | "settings";

function BooksNav({ ctx, current }: { ctx: PageContext; current: Section }) {
  const items: Array<[Section, string]> = [
    ["overview", BOOKS_PATH],
    ["urssaf", URSSAF_PATH],
    ["receipts", RECEIPTS_PATH],
    ["register", REGISTER_PATH],
    ["ereporting", EREPORTING_PATH],
    ["settings", SETTINGS_PATH],
  ];
  return (
    <nav class="subnav" aria-label={ctx.t("books.title")}>
      {items.map(([key, href]) => (
        <a href={href} aria-current={current === key ? "page" : undefined} key={key}>
          {key === "ereporting" ? ctx.t("books.ereporting.title") : ctx.t(`books.nav.${key}`)}
        </a>
      ))}
    </nav>
  );
}

const euros = (value: number, locale: Locale) => formatMoney(value * 100, locale).replace(/[.,]00(?=\D*$)/, "");

/** "mars 2026", "3ᵉ trimestre 2026" / "March 2026", "Q3 2026". */
export function periodLabel(p: Period, t: Translate, locale: Locale): string {
  if (p.frequency === "quarterly") return p.index === 1 ? t("books.urssaf.quarter1", { year: p.year }) : t("books.urssaf.quarter", { index: p.index, year: p.year });
  const month = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "fr-FR", { month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(p.year, p.index - 1, 1)));
  return t("books.urssaf.month", { month, year: p.year });
}

function SettingsNotice({ ctx, settings }: { ctx: PageContext; settings: { confirmed: boolean } }) {
  if (settings.confirmed) return null;
  return (
    <div class="banner" role="status">
      <span>{ctx.t("books.settings.unconfirmed")}</span> <a href={SETTINGS_PATH}>{ctx.t("books.settings.confirm")}</a>
    </div>
  );
}

/** A threshold gauge: a native <meter> (announced by screen readers) with the figures in text. */
function GaugeView({ ctx, gauge }: { ctx: PageContext; gauge: Gauge }) {
  const { t, locale } = ctx;
  const id = `gauge-${gauge.id}`;
  const percent = `${Math.floor(gauge.percentBasisPoints / 100)} %`;
  return (
    <div class={`books-gauge books-gauge-${gauge.level}`}>
      <label for={id}>{t(`books.gauge.${gauge.id}`)}</label>
      <meter
        id={id}
        min={0}
        max={gauge.limitCents}
        low={Math.floor(gauge.limitCents * 0.8)}
        high={gauge.limitCents}
        optimum={0}
        value={Math.min(gauge.valueCents, gauge.limitCents)}
        aria-describedby={`${id}-text`}
      >
        {percent}
      </meter>
      <p id={`${id}-text`}>
        <strong>{formatMoney(gauge.valueCents, locale)}</strong> ({percent}) — {t("books.gauges.limit", { limit: formatMoney(gauge.limitCents, locale) })}
        {gauge.toleranceCents !== null ? `, ${t("books.gauges.tolerance", { tolerance: formatMoney(gauge.toleranceCents, locale) })}` : ""}
      </p>
      <p class="books-gauge-explain" role={gauge.level === "ok" ? undefined : "note"}>
        {t(gauge.explanationKey)}
      </p>
    </div>
  );
}

function Gauges({ ctx, view }: { ctx: PageContext; view: ThresholdsView }) {
  return (
    <section class="books-gauges" aria-labelledby="books-gauges-title">
      <h2 id="books-gauges-title">{ctx.t("books.gauges.title", { year: view.year })}</h2>
      <p class="muted">{ctx.t("books.gauges.lead")}</p>
      {view.gauges.length === 0 ? <p>{ctx.t("books.gauges.none")}</p> : view.gauges.map((g) => <GaugeView ctx={ctx} gauge={g} key={g.id} />)}
    </section>
  );
}

function Calendar({ ctx, deadlines, ereporting }: { ctx: PageContext; deadlines: Deadline[]; ereporting: EreportDeadline[] }) {
  const { t, locale } = ctx;
  const [next] = deadlines;
  // URSSAF returns and e-reporting periods in one list, by date (a day may hold both).
  const items = [
    ...deadlines.map((d) => ({ key: `u-${d.key}`, date: d.deadline, kind: "urssaf", label: periodLabel(d.period, t, locale) })),
    ...ereporting.map((e) => ({
      key: `e-${e.period.start}`,
      date: e.deadline,
      kind: "ereporting",
      label: t("books.ereporting.calendar", { start: formatDate(e.period.start, locale), end: formatDate(e.period.end, locale) }),
    })),
  ].sort((a, b) => a.date.localeCompare(b.date));
  return (
    <section class="books-calendar" aria-labelledby="books-calendar-title">
      <h2 id="books-calendar-title">{t("books.calendar.title")}</h2>
      {next ? <p>{t("books.calendar.next", { period: periodLabel(next.period, t, locale), date: formatDate(next.deadline, locale) })}</p> : null}
      <ul>
        {items.map((d) => (
          <li key={d.key} data-kind={d.kind}>
            <time dateTime={d.date}>{formatDate(d.date, locale)}</time> — {d.kind === "ereporting" ? <a href={EREPORTING_PATH}>{d.label}</a> : d.label}
          </li>
        ))}
      </ul>
      <p class="muted">{t("books.calendar.reminder")}</p>
    </section>
  );
}

function YearForm({ ctx, action, year, label, id }: { ctx: PageContext; action: string; year: number; label: string; id: string }) {
  return (
    <form method="get" action={action} class="books-period">
      <div class="field">
        <label for={id}>{ctx.t("books.urssaf.year")}</label>
        <input id={id} name="year" type="number" min={2000} max={2100} value={String(year)} inputMode="numeric" />
      </div>
      <button type="submit" class="button">
        {label}
      </button>
    </form>
  );
}

/** /livres: the year's gauges, the next deadlines, the FEC download. */
export function BooksOverviewPage(p: { ctx: PageContext; thresholds: ThresholdsView; deadlines: Deadline[]; ereporting: EreportDeadline[]; settings: BooksSettings & { confirmed: boolean } }) {
  const { ctx } = p;
  return (
    <AppLayout ctx={ctx} title={ctx.t("books.title")}>
      <h1>{ctx.t("books.title")}</h1>
      <p class="lead">{ctx.t("books.lead")}</p>
      <BooksNav ctx={ctx} current="overview" />
      <SettingsNotice ctx={ctx} settings={p.settings} />
      <Calendar ctx={ctx} deadlines={p.deadlines} ereporting={p.ereporting} />
      <Gauges ctx={ctx} view={p.thresholds} />
      <section aria-labelledby="books-fec-title">
        <h2 id="books-fec-title">{ctx.t("books.fec.title")}</h2>
        <p class="muted">{ctx.t("books.fec.lead")}</p>
        <p class="muted">{ctx.t("books.fec.lettering")}</p>
        <YearForm ctx={ctx} action={FEC_PATH} year={p.thresholds.year} label={ctx.t("books.fec.download")} id="f-fec-year" />
      </section>
    </AppLayout>
  );
}

/** /livres/urssaf: every period of the year, zero periods included, with the deadline. */
export function UrssafPage({ ctx, data }: { ctx: PageContext; data: UrssafYear }) {
  const { t, locale } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("books.urssaf.title")}>
      <h1>{t("books.urssaf.title")}</h1>
      <p class="lead">{t("books.urssaf.lead")}</p>
      <BooksNav ctx={ctx} current="urssaf" />
      <SettingsNotice ctx={ctx} settings={data.settings} />
      <YearForm ctx={ctx} action={URSSAF_PATH} year={data.year} label={t("books.urssaf.show")} id="f-urssaf-year" />
      <div class="docs-table-wrap">
        <table class="table books-urssaf">
          <thead>
            <tr>
              <th scope="col">{t("books.urssaf.col.period")}</th>
              <th scope="col">{t("books.urssaf.col.deadline")}</th>
              {URSSAF_CATEGORIES.map((c) => (
                <th scope="col" class="num" key={c}>
                  {t(`books.cat.${c}`)}
                </th>
              ))}
              <th scope="col" class="num">
                {t("books.total")}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.periods.map((p) => (
              <tr key={p.key} data-period={p.key}>
                <th scope="row">
                  {periodLabel(p.period, t, locale)}
                  {p.totalEuros === 0 ? <span class="badge">{t("books.urssaf.zero")}</span> : null}
                </th>
                <td>
                  <time dateTime={p.deadline}>{formatDate(p.deadline, locale)}</time>
                </td>
                {URSSAF_CATEGORIES.map((c) => (
                  <td class="num" key={c}>
                    {euros(p.euros[c], locale)}
                  </td>
                ))}
                <td class="num">
                  <strong>{euros(p.totalEuros, locale)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={2 + URSSAF_CATEGORIES.length}>
                {t("books.total")}
              </th>
              <td class="num">
                <strong>{euros(data.totalEuros, locale)}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p class="muted">{t("books.urssaf.corrections")}</p>
    </AppLayout>
  );
}

/** /livres/recettes: the receipts book of a period, with its downloads. */
export function ReceiptsPage(p: { ctx: PageContext; from: string; to: string; entries: ReceiptEntry[]; errors?: FieldErrors }) {
  const { ctx, entries } = p;
  const { t, locale } = ctx;
  const query = `from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`;
  const totals = receiptsTotals(entries);
  const error = p.errors?.to ?? p.errors?.from;
  return (
    <AppLayout ctx={ctx} title={t("books.receipts.title")}>
      <h1>{t("books.receipts.title")}</h1>
      <p class="lead">{t("books.receipts.lead")}</p>
      <BooksNav ctx={ctx} current="receipts" />
      <form method="get" action={RECEIPTS_PATH} class="books-period" novalidate>
        <FormErrorSummary ctx={ctx} errors={p.errors} />
        <div class={`field${error ? " has-error" : ""}`}>
          <label for="f-from">{t("books.receipts.from")}</label>
          <input id="f-from" name="from" type="date" value={p.from} required aria-invalid={error ? "true" : undefined} aria-describedby={error ? "f-period-error" : undefined} />
        </div>
        <div class={`field${error ? " has-error" : ""}`}>
          <label for="f-to">{t("books.receipts.to")}</label>
          <input id="f-to" name="to" type="date" value={p.to} required aria-invalid={error ? "true" : undefined} aria-describedby={error ? "f-period-error" : undefined} />
        </div>
        {error ? (
          <p class="error" id="f-period-error">
            {error}
          </p>
        ) : null}
        <button type="submit" class="button">
          {t("books.receipts.show")}
        </button>
      </form>
      {error ? null : (
        <>
          <p class="books-downloads">
            <a class="button" href={`${RECEIPTS_PATH}.csv?${query}`} download>
              {t("books.receipts.csv")}
            </a>{" "}
            <a class="button" href={`${RECEIPTS_PATH}.pdf?${query}`} download>
              {t("books.receipts.pdf")}
            </a>
          </p>
          {entries.length === 0 ? (
            <section class="empty-state">
              <p>{t("books.receipts.empty")}</p>
            </section>
          ) : (
            <div class="docs-table-wrap">
              <table class="table books-receipts">
                <thead>
                  <tr>
                    {(["date", "client", "nature", "invoice", "method", "reference"] as const).map((k) => (
                      <th scope="col" key={k}>
                        {t(`books.receipts.col.${k}`)}
                      </th>
                    ))}
                    <th scope="col" class="num">
                      {t("books.receipts.col.amount")}
                    </th>
                    <th scope="col" class="num">
                      {t("books.receipts.col.cash")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.id} class={e.correctsPaymentId ? "payments-correction" : undefined}>
                      <td>{formatDate(e.receivedOn, locale)}</td>
                      <td>{e.clientName ?? "—"}</td>
                      <td>
                        {e.correctsPaymentId ? `${t("books.receipts.correction")} — ` : ""}
                        {t(e.nature === "goods" ? "books.nature.goods" : e.nature === "mixed" ? "books.nature.mixed" : "books.nature.services")}
                      </td>
                      <td>
                        <a href={documentPath(e.documentId)}>{e.documentNumber ?? "—"}</a>
                      </td>
                      <td>{t(`payments.method.${e.method}`)}</td>
                      <td>{paymentReferenceText(e.reference, t)}</td>
                      <td class="num">{formatMoney(e.amountCents, locale)}</td>
                      <td class="num">{e.method === "especes" ? formatMoney(e.amountCents, locale) : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p>
            <strong>{t("books.receipts.totals", { total: formatMoney(totals.totalCents, locale), cash: formatMoney(totals.cashCents, locale) })}</strong>
          </p>
        </>
      )}
    </AppLayout>
  );
}

/** /livres/reglages: service category and declaration frequency. */
export function BooksSettingsPage(p: { ctx: PageContext; values: Record<string, string>; confirmed: boolean; errors?: FieldErrors; flash?: Flash | null }) {
  const { ctx } = p;
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("books.settings.title")} flash={p.flash ?? null}>
      <h1>{t("books.settings.title")}</h1>
      <p class="lead">{t("books.settings.lead")}</p>
      <BooksNav ctx={ctx} current="settings" />
      <SettingsNotice ctx={ctx} settings={{ confirmed: p.confirmed }} />
      <form method="post" action={SETTINGS_PATH} novalidate>
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={p.errors} />
        <SelectField
          name="serviceCategory"
          label={t("books.settings.serviceCategory")}
          value={p.values.serviceCategory}
          options={[
            { value: "bnc", label: t("books.settings.serviceCategory.bnc") },
            { value: "bic", label: t("books.settings.serviceCategory.bic") },
          ]}
          errors={p.errors}
          hint={t("books.settings.serviceCategory.hint")}
        />
        <SelectField
          name="declarationFrequency"
          label={t("books.settings.frequency")}
          value={p.values.declarationFrequency}
          options={[
            { value: "quarterly", label: t("books.settings.frequency.quarterly") },
            { value: "monthly", label: t("books.settings.frequency.monthly") },
          ]}
          errors={p.errors}
        />
        <button type="submit" class="button button-primary">
          {t("books.settings.save")}
        </button>
      </form>
    </AppLayout>
  );
}

/** /livres/registre-des-achats — the purchases register over a period, with its CSV and PDF. */
export function RegisterPage(p: { ctx: PageContext; from: string; to: string; entries: RegisterEntry[]; errors?: FieldErrors }) {
  const { ctx, entries } = p;
  const { t, locale } = ctx;
  const query = `from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`;
  const totals = registerTotals(entries);
  const error = p.errors?.to ?? p.errors?.from;
  return (
    <AppLayout ctx={ctx} title={t("books.register.title")}>
      <h1>{t("books.register.title")}</h1>
      <p class="lead">{t("books.register.lead")}</p>
      <BooksNav ctx={ctx} current="register" />
      <form method="get" action={REGISTER_PATH} class="books-period" novalidate>
        <FormErrorSummary ctx={ctx} errors={p.errors} />
        <div class={`field${error ? " has-error" : ""}`}>
          <label for="f-from">{t("books.receipts.from")}</label>
          <input id="f-from" name="from" type="date" value={p.from} required aria-invalid={error ? "true" : undefined} />
        </div>
        <div class={`field${error ? " has-error" : ""}`}>
          <label for="f-to">{t("books.receipts.to")}</label>
          <input id="f-to" name="to" type="date" value={p.to} required aria-invalid={error ? "true" : undefined} />
        </div>
        {error ? <p class="error">{error}</p> : null}
        <button type="submit" class="button">
          {t("books.register.show")}
        </button>
      </form>
      {error ? null : (
        <>
          <p class="books-downloads">
            <a class="button" href={`${REGISTER_PATH}.csv?${query}`} download>
              {t("books.register.csv")}
            </a>{" "}
            <a class="button" href={`${REGISTER_PATH}.pdf?${query}`} download>
              {t("books.register.pdf")}
            </a>
          </p>
          {entries.length === 0 ? (
            <section class="empty-state">
              <p>{t("books.register.empty")}</p>
            </section>
          ) : (
            <div class="docs-table-wrap">
              <table class="table books-register">
                <thead>
                  <tr>
                    {(["date", "supplier", "number", "nature"] as const).map((k) => (
                      <th scope="col" key={k}>
                        {t(`books.register.col.${k}`)}
                      </th>
                    ))}
                    {(["ht", "vat", "ttc"] as const).map((k) => (
                      <th scope="col" class="num" key={k}>
                        {t(`books.register.col.${k}`)}
                      </th>
                    ))}
                    <th scope="col">{t("books.register.col.paidOn")}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e, i) => (
                    <tr key={i}>
                      <td>{formatDate(e.issueDate, locale)}</td>
                      <td>{e.supplierName}</td>
                      <td>{e.number}</td>
                      <td>{t(`purchases.category.${e.category}`)}</td>
                      <td class="num">{formatMoney(e.taxExclusiveCents, locale)}</td>
                      <td class="num">{formatMoney(e.vatCents, locale)}</td>
                      <td class="num">{formatMoney(e.taxInclusiveCents, locale)}</td>
                      <td>{e.paidOn ? formatDate(e.paidOn, locale) : "—"}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colspan={4}>
                      {t("books.total")}
                    </th>
                    <td class="num">{formatMoney(totals.taxExclusiveCents, locale)}</td>
                    <td class="num">{formatMoney(totals.vatCents, locale)}</td>
                    <td class="num">{formatMoney(totals.taxInclusiveCents, locale)}</td>
                    <td />
                  </tr>
                </tfoot>
              </table>
            </div>
          )}
        </>
      )}
    </AppLayout>
  );
}

export interface EreportingRow {
  start: string;
  end: string;
  deadline: string;
  status: "open" | "todo" | "sent" | "accepted" | "changed" | "error";
  /** The PA's reason when it rejected the period's last file. */
  reason?: string | null;
}

/** /livres/e-reporting — the periods of the account's regime, their deadline and state, and the send button. */
export function EreportingPage({ ctx, rows, flash }: { ctx: PageContext; rows: EreportingRow[]; flash?: Flash | null }) {
  const { t, locale } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("books.ereporting.title")} flash={flash ?? null}>
      <h1>{t("books.ereporting.title")}</h1>
      <p class="lead">{t("books.ereporting.lead")}</p>
      <BooksNav ctx={ctx} current="ereporting" />
      {rows.length === 0 ? (
        <section class="empty-state">
          <p>{t("books.ereporting.none")}</p>
        </section>
      ) : (
        <div class="docs-table-wrap">
          <table class="table books-ereporting">
            <thead>
              <tr>
                <th scope="col">{t("books.ereporting.col.period")}</th>
                <th scope="col">{t("books.ereporting.col.deadline")}</th>
                <th scope="col">{t("books.ereporting.col.status")}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.start} data-period={r.start} data-status={r.status}>
                  <td>
                    {formatDate(r.start, locale)} – {formatDate(r.end, locale)}
                  </td>
                  <td>{formatDate(r.deadline, locale)}</td>
                  <td>
                    {t(`books.ereporting.status.${r.status}`)}
                    {r.status === "error" && r.reason ? <p class="muted ereport-reason">{t("books.ereporting.reason", { reason: r.reason })}</p> : null}
                  </td>
                  <td>
                    {r.status === "todo" || r.status === "changed" || r.status === "error" ? (
                      <form method="post" action={EREPORTING_PATH}>
                        <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                        <input type="hidden" name="period" value={r.start} />
                        <button type="submit" class="button">
                          {r.status === "changed" ? t("books.ereporting.resubmit") : r.status === "error" ? t("books.ereporting.correct") : t("books.ereporting.submit")}
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AppLayout>
  );
}
