import type { DocumentSnapshot, PostalAddress } from "../../domain/document";
import { formatDate, formatMoney } from "../../domain/format";
import { formatIban } from "../../domain/identifiers";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, FormErrorSummary } from "../../ui/form";
import { PublicLayout } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import type { DocumentRow } from "../documents/drafts";
import { todayInParis } from "../documents/drafts";
import { LinesTable, snapshotLinesOf, TotalsList } from "../documents/pages";
import { quoteStatus } from "../documents/quotes";
import type { PaymentState } from "../payments/verbs";

interface Props {
  ctx: PageContext;
  doc: DocumentRow;
  snapshot: DocumentSnapshot;
  token: string;
  now: number;
  errors?: FieldErrors;
  values?: Record<string, string>;
  /** The stable "Payer en ligne" URL when the seller takes online payment (features/stripe). */
  payUrl?: string | null;
  /** What the invoice still asks for after payments and credit notes; null for quotes and credit notes. */
  payment?: Pick<PaymentState, "status" | "paidCents" | "creditedCents" | "outstandingCents"> | null;
}

function Address({ address }: { address: PostalAddress }) {
  return (
    <>
      {address.line1}
      <br />
      {address.line2 ? (
        <>
          {address.line2}
          <br />
        </>
      ) : null}
      {`${address.postalCode} ${address.city}`}
      {address.country !== "FR" ? (
        <>
          <br />
          {address.country}
        </>
      ) : null}
    </>
  );
}

/** The document itself in HTML, from its frozen snapshot: parties, lines, totals and conditions. */
function DocumentView({ ctx, doc, snapshot }: { ctx: PageContext; doc: DocumentRow; snapshot: DocumentSnapshot }) {
  const { t, locale } = ctx;
  const { seller, buyer } = snapshot;
  const quote = doc.type === "quote";
  return (
    <section class="public-view" aria-labelledby="doc-h">
      <h2 id="doc-h" class="visually-hidden">
        {t("public.view.title")}
      </h2>
      <div class="public-parties">
        <div data-testid="public-seller">
          <h3>{t("public.view.seller")}</h3>
          <p>
            <strong>{seller.name}</strong>
            <br />
            <Address address={seller.address} />
          </p>
          <p class="muted">
            {t("public.view.siret", { siret: seller.siret })}
            {seller.vatNumber ? (
              <>
                <br />
                {t("public.view.vat", { vat: seller.vatNumber })}
              </>
            ) : null}
            <br />
            {seller.email}
          </p>
        </div>
        <div data-testid="public-buyer">
          <h3>{t("public.view.buyer")}</h3>
          <p>
            <strong>{buyer.name}</strong>
            <br />
            <Address address={buyer.address} />
          </p>
        </div>
      </div>
      <LinesTable ctx={ctx} lines={snapshotLinesOf(snapshot)} totals={snapshot.totals} />
      <div class="public-totals">
        <TotalsList ctx={ctx} totals={snapshot.totals} />
      </div>
      <div class="public-conditions">
        <h3>{t("public.view.conditions")}</h3>
        <ul>
          {quote && doc.validUntil ? <li>{t("public.validUntil", { date: formatDate(doc.validUntil, locale) })}</li> : null}
          {doc.type !== "credit_note" && snapshot.payment.text ? <li>{snapshot.payment.text}</li> : null}
          {!quote && doc.type !== "credit_note" && seller.iban ? <li>{t("public.view.iban", { iban: formatIban(seller.iban) })}</li> : null}
          {snapshot.mentions.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
        {snapshot.note ? <p class="docs-desc">{snapshot.note}</p> : null}
      </div>
    </section>
  );
}

/** What the client sees behind a public link: the document, its PDF, and for a quote the approval. */
export function PublicDocumentPage({ ctx, doc, snapshot, token, now, errors, values, payUrl, payment }: Props) {
  const { t, locale } = ctx;
  const status = quoteStatus(doc, todayInParis(now));
  const title = t(`public.title.${doc.type}`, { number: doc.number ?? "" });
  const paid = payment?.status === "paid";
  return (
    <PublicLayout ctx={ctx} title={title}>
      <section class="card wide public-document">
        <h1>
          {title}{" "}
          {payment ? <span class={`badge doc-status doc-status-${payment.status}`}>{t(`payments.status.${payment.status}`)}</span> : null}
        </h1>
        <p class="lead">{t(`public.from.${doc.type}`, { seller: snapshot.seller.name, date: formatDate(snapshot.issueDate, locale) })}</p>
        <dl class="summary">
          <div>
            <dt>{t("public.total")}</dt>
            <dd class="num">{formatMoney(snapshot.totals.taxInclusiveCents, locale)}</dd>
          </div>
          {payment ? (
            <>
              {payment.paidCents > 0 ? (
                <div>
                  <dt>{t("public.paid")}</dt>
                  <dd class="num">{formatMoney(payment.paidCents, locale)}</dd>
                </div>
              ) : null}
              {payment.creditedCents > 0 ? (
                <div>
                  <dt>{t("public.credited")}</dt>
                  <dd class="num">{formatMoney(payment.creditedCents, locale)}</dd>
                </div>
              ) : null}
              <div>
                <dt>{t("public.due")}</dt>
                <dd class="num" data-testid="public-due">
                  {formatMoney(payment.outstandingCents, locale)}
                </dd>
              </div>
              {!paid && payment.status !== "cancelled" ? (
                <div>
                  <dt>{t("public.dueDate")}</dt>
                  <dd>{formatDate(snapshot.payment.dueDate, locale)}</dd>
                </div>
              ) : null}
            </>
          ) : doc.type === "quote" && doc.validUntil ? (
            <div>
              <dt>{t("public.validUntil", { date: "" })}</dt>
              <dd>{formatDate(doc.validUntil, locale)}</dd>
            </div>
          ) : null}
        </dl>
        {paid ? (
          <p class="flash flash-success" role="status">
            {t("public.paidInFull")}
          </p>
        ) : null}
        <p class="public-actions">
          <a class="button" href={`/p/${token}/document.pdf`}>
            {t("public.download")}
          </a>
          {payUrl && !paid ? (
            <>
              {" "}
              <a class="button primary" href={payUrl}>
                {t("stripe.pay.link")}
              </a>
            </>
          ) : null}
        </p>

        <DocumentView ctx={ctx} doc={doc} snapshot={snapshot} />

        {doc.type === "quote" && status === "accepted" && doc.acceptedAt ? (
          <p class="flash flash-success" role="status">
            {t("public.accepted", { name: doc.acceptedByName ?? "", date: formatDate(new Date(doc.acceptedAt), locale) })}
          </p>
        ) : null}
        {doc.type === "quote" && status === "refused" ? <p class="flash flash-info">{t("public.refused")}</p> : null}
        {doc.type === "quote" && status === "expired" && doc.validUntil ? (
          <p class="flash flash-info">{t("public.expired", { date: formatDate(doc.validUntil, locale) })}</p>
        ) : null}

        {doc.type === "quote" && status === "sent" ? (
          <section class="panel" aria-labelledby="accept-h">
            <h2 id="accept-h">{t("public.accept.title")}</h2>
            <p>{t("public.accept.lead", { number: doc.number ?? "", hash: (doc.pdfSha256 ?? "").slice(0, 16) })}</p>
            <form method="post" action={`/p/${token}/accepter`} novalidate>
              <CsrfField ctx={ctx} />
              <FormErrorSummary ctx={ctx} errors={errors} />
              <Field name="name" label={t("public.accept.name")} value={values?.name} errors={errors} required autocomplete="name" maxLength={120} />
              <CheckboxField name="accept" label={t("public.accept.check")} checked={values?.accept === "on"} />
              {errors?.accept ? <p class="error">{errors.accept}</p> : null}
              <button type="submit" class="button primary">
                {t("public.accept.submit")}
              </button>
            </form>
            <form method="post" action={`/p/${token}/refuser`}>
              <CsrfField ctx={ctx} />
              <button type="submit" class="button">
                {t("public.refuse.submit")}
              </button>
            </form>
          </section>
        ) : null}
      </section>
    </PublicLayout>
  );
}
