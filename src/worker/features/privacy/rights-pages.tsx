import type { RightsRequestType } from "../../db/schema";
import { RIGHTS_REQUEST_TYPES } from "../../db/schema";
import { formatDate } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, FormErrorSummary, SelectField, TextArea } from "../../ui/form";
import type { MessageKey } from "../../ui/i18n";
import { AppLayout, PublicLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { SettingsNav } from "../settings/pages";
import type { ClosurePlan } from "./closure";
import { MARKETING_WORDING, type PrivacyChoices } from "./marketing";
import type { RestrictionState } from "./restriction";
import type { LegalHold } from "./rights";

const day = (t: number, ctx: PageContext) => formatDate(new Date(t), ctx.locale);
const typeLabel = (ctx: PageContext, type: RightsRequestType) => ctx.t(`rights.type.${type}` as MessageKey);

/** /mes-donnees/cloture: the export first, then exactly what goes and what stays, then the confirmation. */
export function ClosurePage({ ctx, plan, totp, errors }: { ctx: PageContext; plan: ClosurePlan; totp: boolean; errors?: FieldErrors | undefined }) {
  const { t } = ctx;
  const d = plan.deleted;
  const k = plan.kept;
  return (
    <AppLayout ctx={ctx} title={t("rights.closure.title")}>
      <h1>{t("rights.closure.title")}</h1>
      <p>{t("rights.closure.lead")}</p>
      <section class="panel" aria-labelledby="export-h">
        <h2 id="export-h">{t("rights.closure.export.title")}</h2>
        <p>{t("rights.closure.export.text")}</p>
        <p>
          <a class="button" href="/mes-donnees/exports">
            {t("rights.closure.export.link")}
          </a>
        </p>
      </section>
      <section class="panel" aria-labelledby="deleted-h" data-closure="deleted">
        <h2 id="deleted-h">{t("rights.closure.deleted.title")}</h2>
        <ul>
          <li>{t("rights.closure.deleted.user")}</li>
          <li>{t("rights.closure.deleted.sessions", { n: d.sessions, connections: d.connections })}</li>
          <li>{t("rights.closure.deleted.contact")}</li>
          <li>{t("rights.closure.deleted.clients", { n: d.clients })}</li>
          <li>{t("rights.closure.deleted.drafts", { n: d.drafts })}</li>
          <li>{t("rights.closure.deleted.products", { n: d.products })}</li>
          <li>{t("rights.closure.deleted.sends", { n: d.sends })}</li>
          <li>{t("rights.closure.deleted.exports", { n: d.exports })}</li>
          <li>{t("time.closure.deleted", { n: d.timeEntries })}</li>
          <li>{t("rights.closure.deleted.links")}</li>
        </ul>
      </section>
      <section class="panel" aria-labelledby="kept-h" data-closure="kept">
        <h2 id="kept-h">{t("rights.closure.kept.title")}</h2>
        <KeptList ctx={ctx} kept={k} hold={plan.hold} />
      </section>
      <section class="panel" aria-labelledby="confirm-h">
        <h2 id="confirm-h">{t("rights.closure.confirm.title")}</h2>
        {plan.issuing ? <p role="status">{t("rights.closure.err.issuing")}</p> : null}
        <form method="post" action="/mes-donnees/cloture" novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errors} />
          <Field name="password" type="password" label={t("rights.closure.password")} autocomplete="current-password" required errors={errors} />
          {totp ? <Field name="code" label={t("rights.closure.code")} inputMode="numeric" autocomplete="one-time-code" required errors={errors} /> : null}
          <Field name="confirmation" label={t("rights.closure.phrase")} autocomplete="off" required errors={errors} />
          <button type="submit" class="button danger">
            {t("rights.closure.submit")}
          </button>
        </form>
      </section>
    </AppLayout>
  );
}

function KeptList({ ctx, kept, hold }: { ctx: PageContext; kept: ClosurePlan["kept"]; hold: LegalHold }) {
  const { t } = ctx;
  return (
    <ul>
      <li>
        {t("rights.closure.kept.billing", { n: kept.billingDocuments })}
        {hold.until !== null ? ` ${t("rights.closure.kept.until", { date: day(hold.until, ctx) })}` : null}
      </li>
      <li>{t("rights.closure.kept.log", { n: kept.issueLog })}</li>
      <li>{t("rights.closure.kept.payments", { n: kept.payments })}</li>
      <li>{t("rights.closure.kept.clients", { n: kept.clients })}</li>
      <li>{t("rights.closure.kept.quotes", { n: kept.quotes })}</li>
      <li>{t("rights.closure.kept.seller")}</li>
      <li>{t("rights.closure.kept.request")}</li>
    </ul>
  );
}

/** After the closure: the session is gone, so a public page says what stays. */
export function ClosedPage({ ctx, plan }: { ctx: PageContext; plan: ClosurePlan }) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("rights.closure.done.title")}>
      <h1>{t("rights.closure.done.title")}</h1>
      <p>{t("rights.closure.done.text")}</p>
      <h2>{t("rights.closure.kept.title")}</h2>
      <KeptList ctx={ctx} kept={plan.kept} hold={plan.hold} />
    </PublicLayout>
  );
}

/** /mes-donnees/restriction: freeze with a reason, or unfreeze; the history of both. */
export function RestrictionPage({ ctx, state, errors, flash }: { ctx: PageContext; state: RestrictionState; errors?: FieldErrors | undefined; flash?: Flash | null }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("rights.restriction.title")} flash={flash ?? null}>
      <h1>{t("rights.restriction.title")}</h1>
      <p>{t("rights.restriction.lead")}</p>
      <section class="panel">
        {state.frozenAt !== null ? (
          <>
            <p data-frozen="true">{t("rights.restriction.frozenSince", { date: day(state.frozenAt, ctx) })}</p>
            {state.reason ? <p>{t("rights.restriction.frozenReason", { reason: state.reason })}</p> : null}
            <form method="post" action="/mes-donnees/restriction/degeler">
              <CsrfField ctx={ctx} />
              <FormErrorSummary ctx={ctx} errors={errors} />
              <button type="submit" class="button">
                {t("rights.restriction.unfreeze")}
              </button>
            </form>
          </>
        ) : (
          <>
            <p data-frozen="false">{t("rights.restriction.active")}</p>
            <form method="post" action="/mes-donnees/restriction" novalidate>
              <CsrfField ctx={ctx} />
              <FormErrorSummary ctx={ctx} errors={errors} />
              <TextArea name="reason" label={t("rights.restriction.reason")} hint={t("rights.restriction.reason.hint")} errors={errors} maxLength={1000} />
              <button type="submit" class="button danger">
                {t("rights.restriction.freeze")}
              </button>
            </form>
          </>
        )}
      </section>
      {state.history.length ? (
        <section class="panel" aria-labelledby="history-h">
          <h2 id="history-h">{t("rights.restriction.history")}</h2>
          <ul>
            {state.history.map((h) => (
              <li key={`${h.at}-${h.action}`}>
                {day(h.at, ctx)} · {t(`rights.restriction.history.${h.action}`)}
                {h.reason ? ` · ${h.reason}` : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </AppLayout>
  );
}

export interface RequestRow {
  id: string;
  type: RightsRequestType;
  createdAt: number;
  dueAt: number;
  status: "open" | "answered" | "refused";
}

/** /mes-donnees/demandes: the request form, the email route, and the user's own requests. */
export function RequestsPage(p: {
  ctx: PageContext;
  mine: RequestRow[];
  contactEmail: string;
  values?: Record<string, string>;
  errors?: FieldErrors | undefined;
  sent?: { dueAt: number; hold: LegalHold | null } | null;
}) {
  const { ctx } = p;
  const { t } = ctx;
  const flash: Flash | null = p.sent ? { kind: "success", text: t("rights.requests.sent", { date: day(p.sent.dueAt, ctx) }) } : null;
  return (
    <AppLayout ctx={ctx} title={t("rights.requests.title")} flash={flash}>
      <h1>{t("rights.requests.title")}</h1>
      {p.sent?.hold && p.sent.hold.until !== null ? (
        <div class="panel legal-hold" role="status" data-legal-hold="true">
          <p>{t("rights.requests.hold", { n: p.sent.hold.documents, date: day(p.sent.hold.until, ctx) })}</p>
          <p>
            <a href="/mes-donnees/cloture">{t("rights.requests.hold.link")}</a>
          </p>
        </div>
      ) : null}
      <p>{t("rights.requests.lead", { email: p.contactEmail })}</p>
      <form method="post" action="/mes-donnees/demandes" novalidate class="panel">
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={p.errors} />
        <SelectField
          name="type"
          label={t("rights.requests.type")}
          value={p.values?.type ?? "access"}
          options={RIGHTS_REQUEST_TYPES.map((type) => ({ value: type, label: typeLabel(ctx, type) }))}
          errors={p.errors}
        />
        <TextArea name="message" label={t("rights.requests.message")} value={p.values?.message} errors={p.errors} maxLength={5000} />
        <button type="submit" class="button">
          {t("rights.requests.submit")}
        </button>
      </form>
      <section aria-labelledby="mine-h">
        <h2 id="mine-h">{t("rights.requests.mine")}</h2>
        {p.mine.length === 0 ? (
          <p>{t("rights.requests.none")}</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t("rights.requests.col.date")}</th>
                <th scope="col">{t("rights.requests.col.type")}</th>
                <th scope="col">{t("rights.requests.col.due")}</th>
                <th scope="col">{t("rights.requests.col.status")}</th>
              </tr>
            </thead>
            <tbody>
              {p.mine.map((r) => (
                <tr key={r.id}>
                  <td>{day(r.createdAt, ctx)}</td>
                  <td>{typeLabel(ctx, r.type)}</td>
                  <td>{day(r.dueAt, ctx)}</td>
                  <td>{t(`rights.status.${r.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AppLayout>
  );
}

/** Paramètres → Confidentialité: marketing consent with its exact wording, and the analytics objection. */
export function PrivacySettingsPage({ ctx, choices, flash }: { ctx: PageContext; choices: PrivacyChoices; flash?: Flash | null }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("rights.settings.title")} flash={flash ?? null}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />
      <form method="post" action="/parametres/confidentialite" class="panel">
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>{t("rights.settings.marketing")}</legend>
          <CheckboxField name="marketing" label={MARKETING_WORDING.text[ctx.locale]} checked={choices.marketingOptInAt !== null} />
          <p class="hint">
            {choices.marketingOptInAt !== null
              ? t("rights.settings.marketing.on", { date: day(choices.marketingOptInAt, ctx), version: choices.marketingWordingVersion ?? "" })
              : t("rights.settings.marketing.off")}
          </p>
        </fieldset>
        <fieldset>
          <legend>{t("rights.settings.analytics")}</legend>
          <CheckboxField name="analyticsOptOut" label={t("rights.settings.analytics.label")} hint={t("rights.settings.analytics.hint")} checked={choices.analyticsOptOutAt !== null} />
        </fieldset>
        <button type="submit" class="button">
          {t("rights.settings.save")}
        </button>
      </form>
      <p>
        <a href="/mes-donnees/demandes">{t("rights.requests.title")}</a> · <a href="/mes-donnees/restriction">{t("rights.restriction.title")}</a> ·{" "}
        <a href="/mes-donnees/cloture">{t("rights.closure.title")}</a>
      </p>
    </AppLayout>
  );
}

/** GET /desabonnement/:token: a confirmation button (a link prefetcher must not unsubscribe anyone). */
export function UnsubscribePage({ ctx, token, state }: { ctx: PageContext; token: string; state: "ask" | "done" | "invalid" }) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("rights.unsubscribe.title")}>
      <h1>{t("rights.unsubscribe.title")}</h1>
      {state === "ask" ? (
        <>
          <p>{t("rights.unsubscribe.text")}</p>
          <form method="post" action={`/desabonnement/${encodeURIComponent(token)}`}>
            <button type="submit" class="button">
              {t("rights.unsubscribe.submit")}
            </button>
          </form>
        </>
      ) : (
        <p role="status">{t(state === "done" ? "rights.unsubscribe.done" : "rights.unsubscribe.invalid")}</p>
      )}
    </PublicLayout>
  );
}

export interface OperatorRow {
  id: string;
  email: string;
  type: RightsRequestType;
  message: string;
  channel: "form" | "email";
  createdAt: number;
  dueAt: number;
}

/** /operateur/demandes: open requests, oldest due first, overdue ones marked; record an emailed one. */
export function OperatorRequestsPage({ ctx, rows, now, errors, values }: { ctx: PageContext; rows: OperatorRow[]; now: number; errors?: FieldErrors | undefined; values?: Record<string, string> }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("rights.operator.title")}>
      <h1>{t("rights.operator.title")}</h1>
      {rows.length === 0 ? (
        <p>{t("rights.operator.none")}</p>
      ) : (
        <table class="table rights-requests">
          <thead>
            <tr>
              <th scope="col">{t("rights.requests.col.due")}</th>
              <th scope="col">{t("rights.requests.col.date")}</th>
              <th scope="col">{t("rights.operator.col.email")}</th>
              <th scope="col">{t("rights.requests.col.type")}</th>
              <th scope="col">{t("rights.operator.col.message")}</th>
              <th scope="col">{t("rights.operator.col.channel")}</th>
              <th scope="col">{t("rights.requests.col.status")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const overdue = r.dueAt < now;
              return (
                <tr key={r.id} class={overdue ? "overdue" : undefined} data-request-id={r.id} data-overdue={overdue ? "true" : "false"}>
                  <td>
                    {day(r.dueAt, ctx)}
                    {overdue ? <strong class="badge badge-danger"> {t("rights.operator.overdue")}</strong> : null}
                  </td>
                  <td>{day(r.createdAt, ctx)}</td>
                  <td>{r.email}</td>
                  <td>{typeLabel(ctx, r.type)}</td>
                  <td>{r.message}</td>
                  <td>{r.channel}</td>
                  <td>
                    <form method="post" action={`/operateur/demandes/${r.id}`}>
                      <CsrfField ctx={ctx} />
                      <button type="submit" name="status" value="answered" class="link-button">
                        {t("rights.operator.answered")}
                      </button>{" "}
                      <button type="submit" name="status" value="refused" class="link-button">
                        {t("rights.operator.refused")}
                      </button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <section class="panel" aria-labelledby="record-h">
        <h2 id="record-h">{t("rights.operator.record")}</h2>
        <form method="post" action="/operateur/demandes" novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errors} />
          <Field name="email" type="email" label={t("rights.operator.email")} value={values?.email} required errors={errors} />
          <Field name="receivedOn" type="date" label={t("rights.operator.receivedOn")} value={values?.receivedOn} required errors={errors} />
          <SelectField
            name="type"
            label={t("rights.requests.type")}
            value={values?.type ?? "access"}
            options={RIGHTS_REQUEST_TYPES.map((type) => ({ value: type, label: typeLabel(ctx, type) }))}
            errors={errors}
          />
          <TextArea name="message" label={t("rights.requests.message")} value={values?.message} errors={errors} maxLength={5000} />
          <button type="submit" class="button">
            {t("rights.operator.submit")}
          </button>
        </form>
      </section>
    </AppLayout>
  );
}
