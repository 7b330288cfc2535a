import { formatDateTime } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CopyText } from "../../../client/islands/copy-text";
import { CsrfField, Field } from "../../ui/form";
import { Island } from "../../ui/island";
import type { PageContext } from "../../ui/page-context";
import type { DocumentRow } from "./drafts";

/**
 * The detail page's sharing and quote panel: the public link (shown whenever it is live, to copy or
 * revoke), the client's acceptance record, and the quote's conversions into a deposit or final invoice.
 */
export function ShareActions({ ctx, doc, shareUrl, errors, invoiced = false }: { ctx: PageContext; doc: DocumentRow; shareUrl?: string | null; errors?: FieldErrors; invoiced?: boolean }) {
  const { t, locale } = ctx;
  if (doc.status === "draft") return null;
  const base = `/documents/${doc.id}`;
  // Once its final invoice is issued, a quote offers no conversion (convertQuote refuses it anyway).
  const convertible = doc.type === "quote" && (doc.status === "sent" || doc.status === "accepted") && !invoiced;
  return (
    <section class="panel" id="lien" aria-labelledby="share-h">
      <h2 id="share-h">{t("share.title")}</h2>
      {shareUrl ? (
        <>
          <p class="hint">{t("share.live")}</p>
          <Island
            name="copy-text"
            component={CopyText}
            props={{ text: shareUrl, fieldLabel: t("share.title"), labels: { copy: t("share.copy"), copied: t("share.copied"), failed: t("share.copyFailed") } }}
          />
        </>
      ) : (
        <p class="hint">{doc.publicTokenHash ? t("share.active") : t("share.none")}</p>
      )}
      <form method="post" action={`${base}/partager`}>
        <CsrfField ctx={ctx} />
        <button type="submit" class="button">
          {doc.publicTokenHash ? t("share.renew") : t("share.create")}
        </button>
      </form>
      {doc.publicTokenHash ? (
        <form method="post" action={`${base}/lien/revoquer`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="link-button">
            {t("share.revoke")}
          </button>
        </form>
      ) : null}

      {doc.type === "quote" && doc.acceptedAt ? (
        <p class="docs-accepted">
          {t("share.accepted", {
            name: doc.acceptedByName ?? "",
            date: formatDateTime(doc.acceptedAt, locale),
            ip: doc.acceptedIp ?? "—",
            hash: (doc.acceptedPdfSha256 ?? "").slice(0, 16),
          })}
        </p>
      ) : null}

      {convertible ? (
        <div class="quote-convert">
          <h3>{t("quotes.convert.title")}</h3>
          <form method="post" action={`${base}/transformer`}>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="to" value="invoice" />
            <button type="submit" class="button primary">
              {t("quotes.convert.invoice")}
            </button>
          </form>
          <form method="post" action={`${base}/transformer`} class="form-inline" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="to" value="deposit_invoice" />
            <Field name="percent" label={t("quotes.convert.percent")} value="30" errors={errors} inputMode="decimal" maxLength={6} />
            <button type="submit" class="button">
              {t("quotes.convert.deposit")}
            </button>
          </form>
        </div>
      ) : null}
    </section>
  );
}
