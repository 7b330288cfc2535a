import type { DocumentSnapshot } from "../../domain/document";
import { formatDate, formatMoney } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, FormErrorSummary } from "../../ui/form";
import { PublicLayout } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import type { DocumentRow } from "../documents/drafts";
import { todayInParis } from "../documents/drafts";
import { quoteStatus } from "../documents/quotes";

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
}

/** What the client sees behind a public link: the document, its PDF, and for a quote the approval. */
export function PublicDocumentPage({ ctx, doc, snapshot, token, now, errors, values, payUrl }: Props) {
  const { t, locale } = ctx;
  const status = quoteStatus(doc, todayInParis(now));
  const title = t(`public.title.${doc.type}`, { number: doc.number ?? "" });
  return (
    <PublicLayout ctx={ctx} title={title}>
      <section class="card wide public-document">
        <h1>{title}</h1>
        <p class="lead">{t("public.from", { seller: snapshot.seller.name, date: formatDate(snapshot.issueDate, locale) })}</p>
        <dl class="summary">
          <div>
            <dt>{t("public.total")}</dt>
            <dd class="num">{formatMoney(snapshot.totals.taxInclusiveCents, locale)}</dd>
          </div>
          {doc.type !== "quote" ? (
            <>
              <div>
                <dt>{t("public.due")}</dt>
                <dd class="num">{formatMoney(snapshot.totals.dueCents, locale)}</dd>
              </div>
              <div>
                <dt>{t("public.dueDate")}</dt>
                <dd>{formatDate(snapshot.payment.dueDate, locale)}</dd>
              </div>
            </>
          ) : doc.validUntil ? (
            <div>
              <dt>{t("public.validUntil", { date: "" })}</dt>
              <dd>{formatDate(doc.validUntil, locale)}</dd>
            </div>
          ) : null}
        </dl>
        <p>
          <a class="button" href={`/p/${token}/document.pdf`}>
            {t("public.download")}
          </a>
          {payUrl ? (
            <>
              {" "}
              <a class="button primary" href={payUrl}>
                {t("stripe.pay.link")}
              </a>
            </>
          ) : null}
        </p>

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
