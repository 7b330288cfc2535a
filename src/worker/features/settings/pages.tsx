import { formatDate, formatDateTime } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CsrfField, Field, FormErrorSummary, SelectField } from "../../ui/form";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { CopyText } from "../../../client/islands/copy-text";
import { Island } from "../../ui/island";
import { deviceName } from "./device";

export function SettingsNav({ ctx }: { ctx: PageContext }) {
  const links = [
    { href: "/parametres/entreprise", label: ctx.t("settings.company") },
    { href: "/parametres/numerotation", label: ctx.t("settings.numbering") },
    { href: "/parametres/relances", label: ctx.t("reminders.title") },
    { href: "/parametres/emails", label: ctx.t("emailTpl.nav") },
    { href: "/parametres/paiement-en-ligne", label: ctx.t("stripe.settings.nav") },
    { href: "/parametres/facturation-electronique", label: ctx.t("einv.nav") },
    { href: "/parametres/securite", label: ctx.t("settings.security") },
    { href: "/parametres/preferences", label: ctx.t("settings.preferences") },
    { href: "/parametres/confidentialite", label: ctx.t("rights.settings.nav") },
    { href: "/parametres/journal", label: ctx.t("accessLog.title") },
  ];
  return (
    <nav class="subnav" aria-label={ctx.t("settings.title")}>
      {links.map((l) => (
        <a key={l.href} href={l.href} aria-current={ctx.path === l.href ? "page" : undefined}>
          {l.label}
        </a>
      ))}
    </nav>
  );
}

interface SessionRow {
  idHash: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
}

interface ConnectionRow {
  at: number;
  ip: string | null;
  userAgent: string | null;
  outcome: "success" | "bad_credentials" | "rate_limited" | "totp_required" | "totp_failed" | "recovery_code_used";
}

export interface SecurityPageProps {
  ctx: PageContext;
  sessions: SessionRow[];
  connections: ConnectionRow[];
  totpEnabledAt: number | null;
  enrolment?: { secret: string; qr: string } | null;
  recoveryCodes?: string[] | null;
  errors?: FieldErrors;
  /** Which form the errors belong to. */
  form?: "password" | "email" | "totp" | "totp-off";
  values?: Record<string, string>;
  flash?: Flash | null;
}

export function SecurityPage(p: SecurityPageProps) {
  const { ctx } = p;
  const { t } = ctx;
  const errs = (form: SecurityPageProps["form"]) => (p.form === form ? p.errors : undefined);
  return (
    <AppLayout ctx={ctx} title={t("security.title")} flash={p.flash} {...(p.recoveryCodes ? { islands: ["copy-text"] } : {})}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />

      <section class="panel" aria-labelledby="totp-h">
        <h2 id="totp-h">{t("security.totp")}</h2>
        {p.recoveryCodes ? (
          <div class="recovery-codes" role="status">
            <p>{t("security.totp.codes")}</p>
            <Island
              name="copy-text"
              component={CopyText}
              props={{
                text: p.recoveryCodes.join("\n"),
                rows: p.recoveryCodes.length,
                fieldLabel: t("security.totp.codes"),
                labels: { copy: t("security.totp.copyCodes"), copied: t("security.totp.copied"), failed: t("security.totp.copyFailed") },
              }}
            />
          </div>
        ) : null}
        {p.totpEnabledAt ? (
          <>
            <p>{t("security.totp.on", { date: formatDate(new Date(p.totpEnabledAt), ctx.locale) })}</p>
            <form method="post" action="/parametres/securite/2fa/desactiver" novalidate>
              <CsrfField ctx={ctx} />
              <FormErrorSummary ctx={ctx} errors={errs("totp-off")} />
              <Field name="current" type="password" label={t("field.password.current")} errors={errs("totp-off")} required autocomplete="current-password" />
              <button type="submit" class="button">
                {t("security.totp.disable")}
              </button>
            </form>
          </>
        ) : p.enrolment ? (
          <div class="enrolment">
            <p>{t("security.totp.scan")}</p>
            <div class="qr" dangerouslySetInnerHTML={{ __html: p.enrolment.qr }} />
            <p>
              {t("security.totp.key")} : <code class="secret">{p.enrolment.secret}</code>
            </p>
            <form method="post" action="/parametres/securite/2fa/confirmer" novalidate>
              <CsrfField ctx={ctx} />
              <FormErrorSummary ctx={ctx} errors={errs("totp")} />
              <Field name="code" label={t("auth.totp.code")} errors={errs("totp")} required autocomplete="one-time-code" inputMode="numeric" maxLength={6} />
              <button type="submit" class="button primary">
                {t("security.totp.confirm")}
              </button>
            </form>
          </div>
        ) : (
          <>
            <p>{t("security.totp.off")}</p>
            <form method="post" action="/parametres/securite/2fa">
              <CsrfField ctx={ctx} />
              <button type="submit" class="button primary">
                {t("security.totp.enable")}
              </button>
            </form>
          </>
        )}
      </section>

      <section class="panel" aria-labelledby="password-h">
        <h2 id="password-h">{t("security.password")}</h2>
        <form method="post" action="/parametres/securite/mot-de-passe" novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errs("password")} />
          <Field name="current" type="password" label={t("field.password.current")} errors={errs("password")} required autocomplete="current-password" />
          <Field name="password" type="password" label={t("field.password.new")} hint={t("field.password.hint")} errors={errs("password")} required autocomplete="new-password" />
          <Field name="confirm" type="password" label={t("field.password.confirm")} errors={errs("password")} required autocomplete="new-password" />
          <button type="submit" class="button primary">
            {t("security.password")}
          </button>
        </form>
      </section>

      <section class="panel" aria-labelledby="email-h">
        <h2 id="email-h">{t("security.email")}</h2>
        <p class="muted">{ctx.auth?.user.email}</p>
        <form method="post" action="/parametres/securite/email" novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errs("email")} />
          <Field name="email" type="email" label={t("security.email.new")} value={p.form === "email" ? p.values?.email : undefined} errors={errs("email")} required autocomplete="email" />
          <Field name="current" type="password" label={t("field.password.current")} errors={errs("email")} required autocomplete="current-password" />
          <button type="submit" class="button primary">
            {t("security.email")}
          </button>
        </form>
      </section>

      <section class="panel" aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t("security.sessions")}</h2>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("security.sessions.device")}</th>
              <th scope="col">{t("security.sessions.ip")}</th>
              <th scope="col">{t("security.sessions.lastSeen")}</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.sessions.map((s) => (
              <tr key={s.idHash}>
                <td title={s.userAgent ?? undefined}>{deviceName(s.userAgent, t)}</td>
                <td>{s.ip ?? "—"}</td>
                <td>{formatDateTime(s.lastSeenAt, ctx.locale)}</td>
                <td>
                  {s.idHash === ctx.auth?.sessionIdHash ? (
                    <span class="badge">{t("security.sessions.current")}</span>
                  ) : (
                    <form method="post" action="/parametres/securite/sessions/fermer">
                      <CsrfField ctx={ctx} />
                      <input type="hidden" name="id" value={s.idHash} />
                      <button type="submit" class="link-button">
                        {t("security.sessions.revoke")}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {p.sessions.length > 1 ? (
          <form method="post" action="/parametres/securite/sessions/fermer-autres">
            <CsrfField ctx={ctx} />
            <button type="submit" class="button">
              {t("security.sessions.revokeOthers")}
            </button>
          </form>
        ) : null}
      </section>

      <section class="panel" aria-labelledby="connections-h">
        <h2 id="connections-h">{t("security.connections")}</h2>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("security.sessions.lastSeen")}</th>
              <th scope="col">{t("security.sessions.ip")}</th>
              <th scope="col">{t("security.sessions.device")}</th>
              <th scope="col">{t("security.connections.outcome")}</th>
            </tr>
          </thead>
          <tbody>
            {p.connections.map((row) => (
              <tr key={row.at}>
                <td>{formatDateTime(row.at, ctx.locale)}</td>
                <td>{row.ip ?? "—"}</td>
                <td title={row.userAgent ?? undefined}>{deviceName(row.userAgent, t)}</td>
                <td>{t(`outcome.${row.outcome}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </AppLayout>
  );
}

export function PreferencesPage({ ctx, flash }: { ctx: PageContext; flash?: Flash | null }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("prefs.title")} flash={flash}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />
      <section class="panel">
        <h2>{t("prefs.title")}</h2>
        <form method="post" action="/preferences/langue">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="next" value="/parametres/preferences?ok=saved" />
          <SelectField
            name="locale"
            label={t("prefs.locale")}
            value={ctx.locale}
            options={[
              { value: "fr", label: "Français" },
              { value: "en", label: "English" },
            ]}
          />
          <button type="submit" class="button primary">
            {t("form.submit")}
          </button>
        </form>
      </section>
    </AppLayout>
  );
}
