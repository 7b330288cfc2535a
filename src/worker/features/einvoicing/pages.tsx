import { formatDate } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, FormErrorSummary, SelectField } from "../../ui/form";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { SettingsNav } from "../settings/pages";
import type { SettingsView } from "./settings";
import type { Transmission } from "./transmit";

export const EINVOICING_SETTINGS_PATH = "/parametres/facturation-electronique";

/** Paramètres → Facturation électronique: which PA, transmission and mandate, test, directory lines, queue. */
export function EinvoicingSettingsPage({ ctx, view, flash, errors, values }: { ctx: PageContext; view: SettingsView; flash?: Flash | null; errors?: FieldErrors; values?: Record<string, string> }) {
  const { t, locale } = ctx;
  const { connection: conn } = view;
  const mode = values?.mode ?? conn.mode ?? (view.platformAvailable ? "platform" : "own");
  const row = conn.row;
  return (
    <AppLayout ctx={ctx} title={t("einv.title")} flash={flash}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />
      <section class="panel" aria-labelledby="einv-h">
        <h2 id="einv-h">{t("einv.title")}</h2>
        <p class="lead">{t("einv.lead")}</p>
        <p role="status" data-testid="einv-status">
          {conn.mode === "platform" && view.siren
            ? t("einv.status.platform", { siren: view.siren })
            : conn.mode === "own"
              ? t("einv.status.own", { host: view.ownHost ?? "" })
              : conn.mode === "platform"
                ? t("einv.status.noSiren")
                : t("einv.status.none")}
        </p>
        {conn.implicit ? <p class="flash flash-info">{t("einv.status.local")}</p> : null}
        {conn.mandateBy ? (
          <p data-testid="einv-mandate">{conn.mandateAt ? t("einv.mandate.record", { who: conn.mandateBy, date: formatDate(new Date(conn.mandateAt), locale) }) : t("einv.mandate.implicit", { who: conn.mandateBy })}</p>
        ) : null}
        <form method="post" action={`${EINVOICING_SETTINGS_PATH}/enregistrer`} novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errors} />
          <SelectField
            name="mode"
            label={t("einv.mode")}
            value={mode}
            errors={errors}
            options={[
              { value: "platform", label: t("einv.mode.platform") },
              { value: "own", label: t("einv.mode.own") },
            ]}
          />
          <fieldset>
            <legend>{t("einv.own.legend")}</legend>
            <Field name="tokenUrl" type="url" label={t("einv.own.tokenUrl")} value={values?.tokenUrl ?? row?.tokenUrl ?? ""} errors={errors} maxLength={500} />
            <Field name="flowUrl" type="url" label={t("einv.own.flowUrl")} value={values?.flowUrl ?? row?.flowUrl ?? ""} errors={errors} maxLength={500} />
            <Field name="directoryUrl" type="url" label={t("einv.own.directoryUrl")} value={values?.directoryUrl ?? row?.directoryUrl ?? ""} errors={errors} maxLength={500} />
            <Field name="clientId" label={t("einv.own.clientId")} value={values?.clientId ?? row?.clientId ?? ""} errors={errors} maxLength={200} autocomplete="off" />
            <Field name="clientSecret" type="password" label={t("einv.own.clientSecret")} hint={t("einv.own.clientSecret.hint")} errors={errors} maxLength={500} autocomplete="new-password" />
          </fieldset>
          <CheckboxField name="transmit" label={t("einv.transmit")} hint={t("einv.transmit.hint")} checked={values ? values.transmit === "on" : conn.transmit} />
          <CheckboxField name="mandate" label={t("einv.mandate")} checked={values ? values.mandate === "on" : false} />
          {errors?.mandate ? <p class="error">{errors.mandate}</p> : null}
          <button type="submit" class="button primary">
            {t("einv.save")}
          </button>
        </form>
        <form method="post" action={`${EINVOICING_SETTINGS_PATH}/tester`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="button">
            {t("einv.test")}
          </button>
        </form>
      </section>
      {view.siren && conn.mode ? (
        <section class="panel" aria-labelledby="einv-lines-h">
          <h2 id="einv-lines-h">{t("einv.lines.title")}</h2>
          {view.linesError ? (
            <p class="flash flash-error">{t("einv.lines.error", { message: view.linesError })}</p>
          ) : view.lines && view.lines.length > 0 ? (
            <table class="table" data-testid="einv-lines">
              <thead>
                <tr>
                  <th scope="col">{t("einv.lines.address")}</th>
                  <th scope="col">{t("einv.lines.status")}</th>
                </tr>
              </thead>
              <tbody>
                {view.lines.map((l) => (
                  <tr key={l.addressingIdentifier}>
                    <td>{l.addressingIdentifier}</td>
                    <td>{t(`einv.line.${l.directoryLineStatus}` as "einv.line.Enabled")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{t("einv.lines.none", { siren: view.siren })}</p>
          )}
        </section>
      ) : null}
      <section class="panel" aria-labelledby="einv-queue-h">
        <h2 id="einv-queue-h">{t("einv.queue.title")}</h2>
        <p data-testid="einv-queue">{view.queued > 0 ? t("einv.queue.count", { count: String(view.queued) }) : t("einv.queue.none")}</p>
      </section>
    </AppLayout>
  );
}

/** The invoice page's transmission panel: state, timeline of statuses, and the credit-note path. */
export function TransmissionPanel({ ctx, tx, creditNoteAction }: { ctx: PageContext; tx: Transmission; creditNoteAction: string | null }) {
  const { t, locale } = ctx;
  const summary =
    tx.status === "not_sent"
      ? t("einv.tx.not_sent")
      : tx.status === "skipped"
        ? tx.note === "unknown_buyer"
          ? t("einv.tx.skipped.unknown_buyer")
          : t("einv.tx.skipped.not_connected")
        : tx.status === "queued"
          ? t("einv.tx.queued", { attempts: String(tx.attempts) })
          : tx.status === "submitted"
            ? t("einv.tx.submitted")
            : tx.status === "platform_error"
              ? t("einv.tx.platform_error", { reason: tx.note ?? "" })
              : null;
  return (
    <section class="panel transmission" aria-labelledby="tx-h" data-testid="transmission">
      <h2 id="tx-h">{t("einv.tx.title")}</h2>
      {summary ? <p role="status">{summary}</p> : null}
      {tx.buyerAddress ? <p class="hint">{t("einv.tx.address", { address: tx.buyerAddress })}</p> : null}
      {tx.lifecycle.length > 0 ? (
        <ol class="timeline" data-testid="transmission-timeline">
          {tx.lifecycle.map((e) => (
            <li key={`${e.code}-${e.at}`} data-code={e.code}>
              <strong>{e.label}</strong> <time dateTime={e.at}>{formatDate(new Date(e.at), locale)}</time>
              {e.reason ? <span class="reason"> — {e.reason}</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {tx.needsCreditNote ? (
        <div class="flash flash-error" role="alert">
          <p>{t("einv.tx.creditNote")}</p>
          {creditNoteAction ? (
            <form method="post" action={creditNoteAction}>
              <CsrfField ctx={ctx} />
              <button type="submit" class="button">
                {t("einv.tx.createCreditNote")}
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
