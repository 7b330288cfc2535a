import { formatDate, formatMoney } from "../../domain/format";
import { AGING_BUCKETS } from "../../domain/invoice-status";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { clientPath } from "../clients/pages";
import { documentPath } from "../documents/pages";
import { RemindNowButton } from "../reminders/pages";
import { PaymentsPanel, type PaymentsPanelProps } from "./panel";
import { paymentReferenceText } from "./verbs";
import type { listPayments, Receivables } from "./queries";

export const PAYMENTS_PATH = "/paiements";
export const RECEIVABLES_PATH = "/paiements/a-encaisser";

type PaymentItem = Awaited<ReturnType<typeof listPayments>>["items"][number];

function PaymentsNav({ ctx, current }: { ctx: PageContext; current: "book" | "receivables" }) {
  return (
    <nav class="subnav" aria-label={ctx.t("payments.title")}>
      <a href={PAYMENTS_PATH} aria-current={current === "book" ? "page" : undefined}>
        {ctx.t("payments.book")}
      </a>
      <a href={RECEIVABLES_PATH} aria-current={current === "receivables" ? "page" : undefined}>
        {ctx.t("payments.receivables")}
      </a>
    </nav>
  );
}

/**
 * The receipts book's table: the whole book (/paiements), or one client's entries on its page
 * (`ofClient`: no client column; method and reference fold away on a phone).
 */
export function PaymentsTable({ ctx, items, ofClient = false }: { ctx: PageContext; items: PaymentItem[]; ofClient?: boolean }) {
  const { t, locale } = ctx;
  const optional = ofClient ? "col-optional" : undefined;
  return (
    <div class="docs-table-wrap">
      <table class="table payments-table">
        <thead>
          <tr>
            <th scope="col">{t("payments.col.date")}</th>
            <th scope="col">{t("payments.col.document")}</th>
            {ofClient ? null : <th scope="col">{t("payments.col.client")}</th>}
            <th scope="col" class={optional}>
              {t("payments.col.method")}
            </th>
            <th scope="col" class={optional}>
              {t("payments.col.reference")}
            </th>
            <th scope="col" class="num">
              {t("payments.col.amount")}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id} class={p.correctsPaymentId ? "payments-correction" : undefined}>
              <td>{formatDate(p.receivedOn, locale)}</td>
              <td>
                <a href={documentPath(p.documentId)}>{p.documentNumber ?? "—"}</a>
              </td>
              {ofClient ? null : <td>{p.clientName ? <a href={clientPath(p.clientId)}>{p.clientName}</a> : "—"}</td>}
              <td class={optional}>{p.correctsPaymentId ? t("payments.correction") : t(`payments.method.${p.method}`)}</td>
              <td class={optional}>{paymentReferenceText(p.reference, t)}</td>
              <td class="num">{formatMoney(p.amountCents, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** /paiements: the receipts book, newest entry first, one keyset page at a time. */
export function PaymentsListPage({ ctx, items, cursor, nextCursor }: { ctx: PageContext; items: PaymentItem[]; cursor?: string; nextCursor: string | null }) {
  const { t, locale } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("payments.title")}>
      <h1>{t("payments.title")}</h1>
      <p class="lead">{t("payments.lead")}</p>
      <PaymentsNav ctx={ctx} current="book" />
      {items.length === 0 ? (
        <section class="empty-state">
          <p>{t("payments.empty")}</p>
        </section>
      ) : (
        <PaymentsTable ctx={ctx} items={items} />
      )}
      {cursor || nextCursor ? (
        <nav class="docs-pagination" aria-label={t("payments.title")}>
          {cursor ? <a href={PAYMENTS_PATH}>{`← ${t("payments.first")}`}</a> : <span />}
          {nextCursor ? (
            <a href={`${PAYMENTS_PATH}?cursor=${encodeURIComponent(nextCursor)}`} rel="next" class="button">
              {`${t("payments.next")} →`}
            </a>
          ) : null}
        </nav>
      ) : null}
    </AppLayout>
  );
}

/** /paiements/a-encaisser: totals by aging bucket, the same per client, and the overdue invoices. */
export function ReceivablesPage({ ctx, data, remindedToday }: { ctx: PageContext; data: Receivables; remindedToday?: ReadonlySet<string> }) {
  const { t, locale } = ctx;
  const money = (c: number) => formatMoney(c, locale);
  return (
    <AppLayout ctx={ctx} title={t("receivables.title")}>
      <h1>{t("receivables.title")}</h1>
      <p class="lead">{t("receivables.lead")}</p>
      <PaymentsNav ctx={ctx} current="receivables" />
      {data.totals.invoices === 0 ? (
        <section class="empty-state">
          <p>{t("receivables.empty")}</p>
        </section>
      ) : (
        <>
          <dl class="receivables-buckets">
            <div class="docs-grand">
              <dt>{t("receivables.total")}</dt>
              <dd data-bucket="total">{money(data.totals.totalCents)}</dd>
            </div>
            {AGING_BUCKETS.map((b) => (
              <div key={b}>
                <dt>{t(`receivables.bucket.${b}`)}</dt>
                <dd data-bucket={b}>{money(data.totals[b])}</dd>
              </div>
            ))}
          </dl>
          <h2>{t("receivables.byClient")}</h2>
          <div class="docs-table-wrap">
            <table class="table receivables-table">
              <thead>
                <tr>
                  <th scope="col">{t("payments.col.client")}</th>
                  {AGING_BUCKETS.map((b) => (
                    <th scope="col" class="num" key={b}>
                      {t(`receivables.bucket.${b}`)}
                    </th>
                  ))}
                  <th scope="col" class="num">
                    {t("receivables.total")}
                  </th>
                  <th scope="col" class="num">
                    {t("receivables.credit")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.clients.map((c) => (
                  <tr key={c.clientId}>
                    <td>
                      <a href={clientPath(c.clientId)}>{c.clientName ?? "—"}</a>
                    </td>
                    {AGING_BUCKETS.map((b) => (
                      <td class="num" key={b}>
                        {c[b] ? money(c[b]) : "—"}
                      </td>
                    ))}
                    <td class="num">
                      <strong>{money(c.totalCents)}</strong>
                    </td>
                    <td class="num">{c.creditCents ? money(c.creditCents) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>{t("receivables.overdue")}</h2>
          {data.overdue.length === 0 ? (
            <p class="muted">{t("receivables.overdue.none")}</p>
          ) : (
            <div class="docs-table-wrap">
              <table class="table receivables-overdue">
                <thead>
                  <tr>
                    <th scope="col">{t("payments.col.document")}</th>
                    <th scope="col">{t("payments.col.client")}</th>
                    <th scope="col">{t("receivables.col.dueDate")}</th>
                    <th scope="col" class="num">
                      {t("receivables.col.late")}
                    </th>
                    <th scope="col" class="num">
                      {t("payments.panel.outstanding")}
                    </th>
                    <th scope="col">{t("reminders.col.action")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.overdue.map((o) => (
                    <tr key={o.id}>
                      <td>
                        <a href={documentPath(o.id)}>{o.number ?? "—"}</a>
                      </td>
                      <td>{o.clientName ?? "—"}</td>
                      <td>{formatDate(o.dueDate, locale)}</td>
                      <td class="num">{t("receivables.days", { days: o.daysLate })}</td>
                      <td class="num">{money(o.outstandingCents)}</td>
                      <td>
                        <RemindNowButton ctx={ctx} documentId={o.id} number={o.number} back={RECEIVABLES_PATH} remindedToday={remindedToday?.has(o.id) ?? false} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </AppLayout>
  );
}

/** A refused payment form, shown on its own page with the document it belongs to. */
export function PaymentFormPage(p: PaymentsPanelProps & { number: string | null; flash?: Flash | null }) {
  return (
    <AppLayout ctx={p.ctx} title={p.ctx.t("payments.form.title")} flash={p.flash}>
      <a href={documentPath(p.doc.id)} class="docs-back">{`← ${p.number ?? ""}`}</a>
      <h1>{`${p.ctx.t("payments.form.title")} — ${p.number ?? ""}`}</h1>
      <PaymentsPanel {...p} />
    </AppLayout>
  );
}
