import { formatDateTime } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import type { PageContext } from "../../ui/page-context";
import type { DocumentSend } from "./verbs";

export const sendFormPath = (documentId: string) => `/documents/${encodeURIComponent(documentId)}/envoyer`;

export interface SendPanelProps {
  ctx: PageContext;
  documentId: string;
  clientEmail: string | null;
  suppressed: "bounced" | "complained" | null;
  sends: DocumentSend[];
  errors?: FieldErrors;
}

/** On an issued document's page: send it by email, and the past sends with their delivery status. */
export function SendPanel({ ctx, documentId, clientEmail, suppressed, sends, errors }: SendPanelProps) {
  const { t, locale } = ctx;
  return (
    <section class="panel send-panel" id="envoi">
      <h2>{t("sending.title")}</h2>
      {suppressed ? <p class="panel-warning">{t("sending.suppressed", { reason: t(`sending.status.${suppressed}`) })}</p> : null}
      {errors?.to ? <p class="error">{errors.to}</p> : null}
      <p class="send-open">
        {clientEmail ? (
          <span>
            <span class="muted">{t("sending.to")}</span> {clientEmail}{" "}
          </span>
        ) : null}
        <a class="button primary" href={sendFormPath(documentId)}>
          {t("sending.open")}
        </a>
      </p>
      {sends.length === 0 ? (
        <p class="muted">{t("sending.none")}</p>
      ) : (
        <ul class="send-history">
          {sends.map((s) => (
            <li key={s.id} data-status={s.status}>
              {formatDateTime(s.createdAt, locale)} · {s.toAddress} · <span class={`badge send-status-${s.status}`}>{t(`sending.status.${s.status}`)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
