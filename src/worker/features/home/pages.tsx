import { STATUS_LABELS } from "../../domain/einvoice/transmission";
import type { ComponentChildren } from "preact";
import { formatDateTime, formatMoney } from "../../domain/format";
import { CsrfField } from "../../ui/form";
import type { MessageKey } from "../../ui/i18n";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { clientPath } from "../clients/pages";
import { RECEIVABLES_PATH } from "../payments/pages";
import { GroupedBarChart, HBarChart } from "./charts";
import type { Treasury } from "./queries";
import type { QuoteAnswer } from "../documents/answers";

/** Where the dashboard's "Vu" button of a client's answer posts. */
export const answerSeenPath = (documentId: string) => `/tableau-de-bord/reponses/${encodeURIComponent(documentId)}/vu`;

/** Quotes the client accepted or refused, until the seller dismisses each notice. */
function AnswersPanel({ ctx, answers }: { ctx: PageContext; answers: QuoteAnswer[] }) {
  if (answers.length === 0) return null;
  const { t, locale } = ctx;
  return (
    <section class="panel answers-panel" aria-labelledby="answers-h">
      <h2 id="answers-h">{t("dashboard.answers.title")}</h2>
      <ul class="answers">
        {answers.map((a) => (
          <li key={a.id} class={`answer answer-${a.status}`}>
            <span>
              <a href={`/documents/${encodeURIComponent(a.id)}`}>{t("dashboard.answers.quote", { number: a.number ?? "" })}</a>{" "}
              {t(a.status === "accepted" ? "dashboard.answers.accepted" : "dashboard.answers.refused", {
                client: a.clientName ?? "—",
                name: a.acceptedByName ?? "",
                amount: formatMoney(a.taxInclusiveCents, locale),
                date: formatDateTime(a.answeredAt, locale),
              })}
            </span>
            <form method="post" action={answerSeenPath(a.id)}>
              <CsrfField ctx={ctx} />
              <button type="submit" class="link-button">
                {t("dashboard.answers.seen")}
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}

function monthName(month: string, locale: "fr" | "en", style: "short" | "long"): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", { month: style, year: style === "long" ? "numeric" : undefined, timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, 1)),
  );
}

function Figure({ label, value, hint, tone }: { label: string; value: string; hint?: string; tone?: "warn" }) {
  return (
    <div class={`dash-figure${tone === "warn" ? " dash-warn" : ""}`}>
      <dt>{label}</dt>
      <dd>
        {value}
        {hint ? <span class="muted dash-hint">{hint}</span> : null}
      </dd>
    </div>
  );
}

/** A chart's numbers as a table, folded under "see the figures as a table" (screen readers, copy). */
function FiguresTable(p: { ctx: PageContext; name: string; caption: string; head?: ComponentChildren; children: ComponentChildren }) {
  return (
    <details class="dash-table">
      <summary>{p.ctx.t("home.table")}</summary>
      <table class="table" data-table={p.name}>
        <caption class="visually-hidden">{p.caption}</caption>
        {p.head}
        <tbody>{p.children}</tbody>
      </table>
    </details>
  );
}

/** Header of an invoiced / received table, after its first column. */
function InvoicedReceivedHead({ ctx, first }: { ctx: PageContext; first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col" class="num">
          {ctx.t("home.invoiced")}
        </th>
        <th scope="col" class="num">
          {ctx.t("home.received")}
        </th>
      </tr>
    </thead>
  );
}

/** The invoiced and received cells of a row, with the raw cents in data attributes. */
function InvoicedReceivedCells({ money, invoicedCents, receivedCents }: { money: (c: number) => string; invoicedCents: number; receivedCents: number }) {
  return (
    <>
      <td class="num" data-invoiced={invoicedCents}>
        {money(invoicedCents)}
      </td>
      <td class="num" data-received={receivedCents}>
        {money(receivedCents)}
      </td>
    </>
  );
}

/** The treasury part of the dashboard: key figures, three charts, each with its table. */
export function TreasuryPanels({ ctx, data }: { ctx: PageContext; data: Treasury }) {
  const { t, locale } = ctx;
  const money = (c: number) => formatMoney(c, locale);
  const expected = [
    { key: "d30", label: t("home.expected.d30"), value: data.expected.d30 },
    { key: "d60", label: t("home.expected.d60"), value: data.expected.d60 },
    { key: "d90", label: t("home.expected.d90"), value: data.expected.d90 },
  ];
  return (
    <>
      <dl class="dash-figures">
        <Figure label={t("home.invoiced12")} value={money(data.invoiced12Cents)} />
        <Figure label={t("home.received12")} value={money(data.received12Cents)} />
        <Figure label={t("home.outstanding")} value={money(data.outstandingCents)} />
        <Figure label={t("home.overdue")} value={money(data.overdueCents)} hint={t("home.overdue.count", { count: data.overdueInvoices })} tone={data.overdueCents > 0 ? "warn" : undefined} />
      </dl>

      <section class="panel dash-panel" aria-labelledby="dash-monthly-h">
        <h2 id="dash-monthly-h">{t("home.monthly")}</h2>
        <GroupedBarChart
          id="dash-monthly"
          title={t("home.monthly")}
          desc={t("home.monthly.desc")}
          locale={locale}
          money={money}
          series={[
            { key: "invoiced", label: t("home.invoiced") },
            { key: "received", label: t("home.received") },
          ]}
          groups={data.months.map((m) => ({ label: monthName(m.month, locale, "short"), longLabel: monthName(m.month, locale, "long"), values: [m.invoicedCents, m.receivedCents] }))}
        />
        <FiguresTable ctx={ctx} name="monthly" caption={t("home.monthly")} head={<InvoicedReceivedHead ctx={ctx} first={t("home.col.month")} />}>
          {data.months.map((m) => (
            <tr key={m.month} data-month={m.month}>
              <th scope="row">{monthName(m.month, locale, "long")}</th>
              <InvoicedReceivedCells money={money} invoicedCents={m.invoicedCents} receivedCents={m.receivedCents} />
            </tr>
          ))}
        </FiguresTable>
      </section>

      <div class="dash-columns">
        <section class="panel dash-panel" aria-labelledby="dash-expected-h">
          <h2 id="dash-expected-h">{t("home.expected")}</h2>
          <p class="muted">{t("home.expected.desc")}</p>
          <HBarChart
            id="dash-expected"
            title={t("home.expected")}
            desc={t("home.expected.desc")}
            locale={locale}
            money={money}
            bars={[{ label: t("home.overdue"), value: data.overdueCents, tone: "warn" as const }, ...expected.map((e) => ({ label: e.label, value: e.value }))]}
          />
          <FiguresTable ctx={ctx} name="expected" caption={t("home.expected")}>
            <tr>
              <th scope="row">{t("home.overdue")}</th>
              <td class="num" data-expected="overdue">
                {money(data.overdueCents)}
              </td>
            </tr>
            {expected.map((e) => (
              <tr key={e.key}>
                <th scope="row">{e.label}</th>
                <td class="num" data-expected={e.key}>
                  {money(e.value)}
                </td>
              </tr>
            ))}
            <tr>
              <th scope="row">{t("home.outstanding")}</th>
              <td class="num" data-expected="total">
                {money(data.outstandingCents)}
              </td>
            </tr>
          </FiguresTable>
          <p>
            <a href={RECEIVABLES_PATH}>{t("home.receivables")}</a>
          </p>
        </section>

        <section class="panel dash-panel" aria-labelledby="dash-top-h">
          <h2 id="dash-top-h">{t("home.topClients")}</h2>
          {data.topClients.length === 0 ? (
            <p class="muted">{t("home.topClients.none")}</p>
          ) : (
            <>
              <HBarChart
                id="dash-top"
                title={t("home.topClients")}
                desc={t("home.topClients.desc")}
                locale={locale}
                money={money}
                bars={data.topClients.map((c) => ({ label: c.name ?? "—", value: c.invoicedCents }))}
              />
              <FiguresTable ctx={ctx} name="top-clients" caption={t("home.topClients")} head={<InvoicedReceivedHead ctx={ctx} first={t("home.col.client")} />}>
                {data.topClients.map((c) => (
                  <tr key={c.clientId} data-client={c.clientId}>
                    <th scope="row">
                      <a href={clientPath(c.clientId)}>{c.name ?? "—"}</a>
                    </th>
                    <InvoicedReceivedCells money={money} invoicedCents={c.invoicedCents} receivedCents={c.receivedCents} />
                  </tr>
                ))}
              </FiguresTable>
            </>
          )}
        </section>
      </div>
    </>
  );
}

export function DashboardPage({
  ctx,
  missing,
  flash,
  treasury,
  answers = [],
  network = [],
}: {
  ctx: PageContext;
  missing: MessageKey[];
  flash: Flash | null;
  treasury: Treasury;
  answers?: QuoteAnswer[];
  /** Invoices refused (210) or rejected (213) on the e-invoicing network, not cancelled yet. */
  network?: Array<{ id: string; number: string | null; code: number }>;
}) {
  const { t, locale } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("dashboard.title")} flash={flash}>
      <h1>{t("dashboard.welcome", { name: ctx.auth?.user.name ?? "" })}</h1>
      <AnswersPanel ctx={ctx} answers={answers} />
      {network.length > 0 ? (
        <section class="panel panel-warning" aria-labelledby="network-notice" data-testid="network-notice">
          <h2 id="network-notice">{t("einv.title")}</h2>
          <p>{t("einv.notice", { count: String(network.length) })}</p>
          <ul>
            {network.map((d) => (
              <li key={d.id}>
                <a href={`/documents/${d.id}`}>{d.number ?? d.id}</a> — {STATUS_LABELS[d.code]?.[locale] ?? d.code}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {missing.length > 0 ? (
        <section class="panel panel-warning" aria-labelledby="profile-status">
          <h2 id="profile-status">{t("profile.completeness")}</h2>
          <p>{t("dashboard.profile.incomplete", { count: missing.length })}</p>
          <ul>
            {missing.map((key) => (
              <li key={key}>{t(key)}</li>
            ))}
          </ul>
          <a class="button primary" href="/parametres/entreprise">
            {t("dashboard.profile.cta")}
          </a>
        </section>
      ) : null}
      <TreasuryPanels ctx={ctx} data={treasury} />
    </AppLayout>
  );
}
