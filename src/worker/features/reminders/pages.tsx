import { formatDateTime, formatMoney } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CsrfField, Field, FormErrorSummary } from "../../ui/form";
import type { Translate } from "../../ui/i18n";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { SettingsNav } from "../settings/pages";
import type { ReminderLogRow, ReminderPanelData } from "./verbs";

export const REMINDER_SETTINGS_PATH = "/parametres/relances";
export const reminderNowPath = (documentId: string) => `/documents/${encodeURIComponent(documentId)}/relancer`;
export const reminderPausePath = (documentId: string) => `/documents/${encodeURIComponent(documentId)}/relances/pause`;

/** "3 j avant l'échéance", "le jour de l'échéance", "7 j après l'échéance". */
export function stepLabel(t: Translate, offset: number): string {
  if (offset === 0) return t("reminders.step.on");
  return offset < 0 ? t("reminders.step.before", { days: -offset }) : t("reminders.step.after", { days: offset });
}

export const planLabel = (t: Translate, plan: readonly number[]) => (plan.length === 0 ? t("reminders.off") : plan.map((o) => stepLabel(t, o)).join(", "));

/** /parametres/relances: the account's reminder plan, as a list of offsets. */
export function ReminderSettingsPage(p: { ctx: PageContext; offsets: string; isDefault: boolean; errors?: FieldErrors; flash?: Flash | null }) {
  const { t } = p.ctx;
  return (
    <AppLayout ctx={p.ctx} title={t("reminders.title")} flash={p.flash}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={p.ctx} />
      <section class="panel" aria-labelledby="reminders-h">
        <h2 id="reminders-h">{t("reminders.title")}</h2>
        <p>{t("reminders.lead")}</p>
        <p class="muted">{t("reminders.default")}</p>
        <FormErrorSummary ctx={p.ctx} errors={p.errors} />
        <form method="post" action={REMINDER_SETTINGS_PATH} novalidate>
          <CsrfField ctx={p.ctx} />
          <Field name="offsets" label={t("reminders.offsets")} value={p.offsets} errors={p.errors} hint={t("reminders.offsets.hint")} maxLength={80} />
          <button type="submit" class="button primary">
            {t("reminders.save")}
          </button>
        </form>
        <p class="hint">{t("reminders.b2b")}</p>
      </section>
    </AppLayout>
  );
}

function HistoryEntry({ ctx, r }: { ctx: PageContext; r: ReminderLogRow }) {
  const { t, locale } = ctx;
  const what = r.kind === "manual" || r.offsetDays === null ? t("reminders.kind.manual") : stepLabel(t, r.offsetDays);
  return (
    <li data-status={r.status}>
      {formatDateTime(r.createdAt, locale)} · {what} · {formatMoney(r.outstandingCents, locale)} ·{" "}
      <span class={`badge reminder-status-${r.status}`}>{t(`reminders.status.${r.status}`)}</span>
      {r.reason === "no_email" || r.reason === "bounced" || r.reason === "complained" || r.reason === "provider" ? ` (${t(`reminders.reason.${r.reason}`)})` : null}
    </li>
  );
}

/** On an issued invoice's page: the plan it follows, pause/resume, remind now, and the log. */
export function ReminderPanel({ ctx, documentId, paused, outstandingCents, plan, history }: ReminderPanelData & { ctx: PageContext }) {
  const { t } = ctx;
  const open = outstandingCents > 0;
  return (
    <section class="panel reminder-panel" id="relances" aria-labelledby="relances-h">
      <h2 id="relances-h">{t("reminders.title")}</h2>
      {!open ? (
        <p class="muted">{t("reminders.panel.settled")}</p>
      ) : paused ? (
        <p class="panel-warning">{t("reminders.panel.paused")}</p>
      ) : (
        <p>
          {t("reminders.panel.plan", { plan: planLabel(t, plan) })} <a href={REMINDER_SETTINGS_PATH}>{t("settings.title")}</a>
        </p>
      )}
      {open ? (
        <div class="reminder-actions">
          <form method="post" action={reminderPausePath(documentId)}>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="paused" value={paused ? "0" : "1"} />
            <button type="submit" class="button">
              {paused ? t("reminders.resume") : t("reminders.pause")}
            </button>
          </form>
          <a class="button" href={reminderNowPath(documentId)}>
            {t("reminders.preview.open")}
          </a>
        </div>
      ) : null}
      {history.length === 0 ? (
        <p class="muted">{t("reminders.none")}</p>
      ) : (
        <ul class="reminder-history">
          {history.map((r) => (
            <HistoryEntry key={r.id} ctx={ctx} r={r} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** The one-click reminder (a POST form with its CSRF field); already used today → a plain mark. */
export function RemindNowButton({ ctx, documentId, back, number, remindedToday }: { ctx: PageContext; documentId: string; back: string; number?: string | null; remindedToday?: boolean }) {
  const { t } = ctx;
  if (remindedToday) return <span class="badge reminder-status-sent">{t("reminders.sentToday")}</span>;
  // The preview first (issue #13: subject and message shown and editable before a reminder leaves),
  // which comes back to `back` once sent.
  return (
    <a class="button small reminder-now" href={`${reminderNowPath(documentId)}?retour=${encodeURIComponent(back)}`} aria-label={number ? t("reminders.sendNow.label", { number }) : undefined}>
      {t("reminders.sendNow")}
    </a>
  );
}
