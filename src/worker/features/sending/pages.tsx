import type { FieldErrors } from "../../http/errors";
import { CsrfField, Field, FormErrorSummary, TextArea } from "../../ui/form";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { SettingsNav } from "../settings/pages";
import { type MailLanguage, MESSAGE_MAX, PLACEHOLDERS, SUBJECT_MAX, TEMPLATE_KINDS, type TemplateKind } from "./templates";

export const EMAIL_TEMPLATES_PATH = "/parametres/emails";
export const EMAIL_TEMPLATES_RESET_PATH = "/parametres/emails/reinitialiser";
export const templatePath = (kind: TemplateKind, language: MailLanguage) => `${EMAIL_TEMPLATES_PATH}?type=${kind}&langue=${language}`;

export interface PreviewProps {
  ctx: PageContext;
  /** Where the form posts: the document send or the reminder. */
  action: string;
  back: string;
  /** Posted with the form: where to go once sent (the receivables page's reminders come back to it). */
  next?: string | null;
  title: string;
  submit: string;
  kind: TemplateKind;
  language: MailLanguage;
  /** null: the recipient is the client's address, not editable here (a reminder). */
  to: string | null;
  subject: string;
  message: string;
  mandatory: string;
  attachment: string | null;
  /** A fresh key per preview shown: the verb sends once per key. */
  requestKey: string | null;
  notice?: string | null;
  errors?: FieldErrors | undefined;
}

/** The email about to go: recipient, subject and message editable, the mandatory part shown as is. */
export function SendPreviewPage(p: PreviewProps) {
  const { t } = p.ctx;
  return (
    <AppLayout ctx={p.ctx} title={p.title}>
      <p>
        <a href={p.back}>← {t("sending.preview.back")}</a>
      </p>
      <h1>{p.title}</h1>
      <section class="panel send-preview">
        <p>{t("sending.preview.lead", { language: t(`sending.lang.${p.language}`) })}</p>
        {p.notice ? <p class="panel-warning">{p.notice}</p> : null}
        <FormErrorSummary ctx={p.ctx} errors={p.errors} />
        <form method="post" action={p.action} novalidate>
          <CsrfField ctx={p.ctx} />
          {p.requestKey ? <input type="hidden" name="key" value={p.requestKey} /> : null}
          {p.next ? <input type="hidden" name="back" value={p.next} /> : null}
          {p.to !== null ? <Field name="to" type="email" label={t("sending.to")} value={p.to} errors={p.errors} maxLength={254} /> : null}
          <Field name="subject" label={t("sending.preview.subject")} value={p.subject} errors={p.errors} maxLength={SUBJECT_MAX} />
          <TextArea name="message" label={t("sending.preview.message")} value={p.message} errors={p.errors} maxLength={MESSAGE_MAX} rows={12} lang={p.language} />
          <div class="mail-mandatory">
            <p class="hint">{t("sending.preview.mandatory")}</p>
            <pre lang={p.language}>{p.mandatory}</pre>
            {p.attachment ? <p class="hint">{t("sending.preview.attachment", { name: p.attachment })}</p> : null}
          </div>
          <div class="form-actions">
            <button type="submit" class="button primary">
              {p.submit}
            </button>
            <a href={templatePath(p.kind, p.language)}>{t("sending.preview.template")}</a>
          </div>
        </form>
      </section>
    </AppLayout>
  );
}

export interface TemplatesPageProps {
  ctx: PageContext;
  kind: TemplateKind;
  language: MailLanguage;
  subject: string;
  message: string;
  isCustom: boolean;
  errors?: FieldErrors | undefined;
  flash?: Flash | null;
}

/** Paramètres › Emails: one template at a time, picked by type and language. */
export function EmailTemplatesPage(p: TemplatesPageProps) {
  const { t } = p.ctx;
  const pick = (label: string, items: { href: string; label: string; current: boolean }[], extra = "") => (
    <nav class={`subnav tpl-pick${extra}`} aria-label={label}>
      {items.map((i) => (
        <a key={i.href} href={i.href} aria-current={i.current ? "page" : undefined}>
          {i.label}
        </a>
      ))}
    </nav>
  );
  return (
    <AppLayout ctx={p.ctx} title={t("emailTpl.title")} flash={p.flash}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={p.ctx} />
      <section class="panel" aria-labelledby="tpl-h">
        <h2 id="tpl-h">{t("emailTpl.title")}</h2>
        <p>{t("emailTpl.lead")}</p>
        {pick(
          t("emailTpl.kinds"),
          TEMPLATE_KINDS.map((k) => ({ href: templatePath(k, p.language), label: t(`emailTpl.kind.${k}`), current: k === p.kind })),
        )}
        {pick(
          t("emailTpl.langs"),
          (["fr", "en"] as const).map((l) => ({ href: templatePath(p.kind, l), label: t(`sending.lang.${l}`), current: l === p.language })),
          " tpl-lang",
        )}
        <p class="muted">
          {p.isCustom ? t("emailTpl.isCustom") : t("emailTpl.isDefault")}
          {p.kind === "reminder" && !p.isCustom ? ` ${t("emailTpl.reminderNote")}` : null}
        </p>
        <FormErrorSummary ctx={p.ctx} errors={p.errors} />
        <form method="post" action={EMAIL_TEMPLATES_PATH} novalidate>
          <CsrfField ctx={p.ctx} />
          <input type="hidden" name="kind" value={p.kind} />
          <input type="hidden" name="language" value={p.language} />
          <Field name="subject" label={t("emailTpl.subject")} value={p.subject} errors={p.errors} maxLength={SUBJECT_MAX} />
          <TextArea name="message" label={t("emailTpl.message")} value={p.message} errors={p.errors} maxLength={MESSAGE_MAX} rows={12} lang={p.language} />
          <button type="submit" class="button primary">
            {t("emailTpl.save")}
          </button>
        </form>
        {p.isCustom ? (
          <form method="post" action={EMAIL_TEMPLATES_RESET_PATH} class="inline-form">
            <CsrfField ctx={p.ctx} />
            <input type="hidden" name="kind" value={p.kind} />
            <input type="hidden" name="language" value={p.language} />
            <button type="submit" class="button">
              {t("emailTpl.reset")}
            </button>
          </form>
        ) : null}
        <h3>{t("emailTpl.placeholders")}</h3>
        <dl class="placeholders">
          {PLACEHOLDERS.map((name) => (
            <div key={name}>
              <dt>
                <code>{`{${name}}`}</code>
              </dt>
              <dd>{t(`emailTpl.ph.${name}`)}</dd>
            </div>
          ))}
        </dl>
      </section>
    </AppLayout>
  );
}
