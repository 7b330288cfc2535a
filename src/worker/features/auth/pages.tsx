import type { FieldErrors } from "../../http/errors";
import { isSafeRedirect } from "../../http/header-values";
import { CsrfField, Field, FormErrorSummary } from "../../ui/form";
import { type Flash, PublicLayout } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { TURNSTILE_SCRIPT } from "../../lib/turnstile";

interface FormPageProps {
  ctx: PageContext;
  values?: Record<string, string>;
  errors?: FieldErrors;
  flash?: Flash | null;
}

/**
 * The required box of the sign-up form, with links to the terms and the privacy policy (opened in
 * a new tab, so the form being filled is not lost).
 */
function TermsBox({ ctx, checked, error }: { ctx: PageContext; checked: boolean; error?: string | undefined }) {
  const { t } = ctx;
  const [before, middle, after] = t("auth.signup.termsHint").split(/\{terms\}|\{privacy\}/);
  const describedBy = `f-acceptTerms-hint${error ? " f-acceptTerms-error" : ""}`;
  return (
    <div class={`field field-checkbox${error ? " has-error" : ""}`}>
      <p class="hint" id="f-acceptTerms-hint">
        {before}
        <a href="/conditions" target="_blank" rel="noopener">
          {t("auth.signup.termsLink")}
        </a>
        {middle}
        <a href="/confidentialite" target="_blank" rel="noopener">
          {t("auth.signup.privacyLink")}
        </a>
        {after}
      </p>
      <input type="checkbox" id="f-acceptTerms" name="acceptTerms" value="on" checked={checked} required aria-describedby={describedBy} aria-invalid={error ? "true" : undefined} />
      <label for="f-acceptTerms">{t("auth.signup.terms")}</label>
      {error ? (
        <p class="error" id="f-acceptTerms-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SignUpPage({ ctx, values = {}, errors }: FormPageProps) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("auth.signup.title")}>
      <section class="card">
        <h1>{t("auth.signup.title")}</h1>
        <p class="lead">{t("auth.signup.lead")}</p>
        <form method="post" action="/inscription" novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errors} />
          <Field name="name" label={t("field.name")} value={values.name} errors={errors} required autocomplete="name" maxLength={120} />
          <Field name="email" type="email" label={t("field.email")} value={values.email} errors={errors} required autocomplete="email" />
          <Field
            name="password"
            type="password"
            label={t("field.password")}
            hint={t("field.password.hint")}
            errors={errors}
            required
            autocomplete="new-password"
          />
          <Field
            name="companyName"
            label={t("field.companyName")}
            hint={t("field.companyName.hint")}
            value={values.companyName}
            errors={errors}
            required
            autocomplete="organization"
          />
          <TermsBox ctx={ctx} checked={values.acceptTerms === "on"} error={errors?.acceptTerms} />
          <button type="submit" class="button primary">
            {t("auth.signup.submit")}
          </button>
        </form>
        <p class="muted">
          {t("auth.signup.have")} <a href="/connexion">{t("auth.login.submit")}</a>
        </p>
      </section>
    </PublicLayout>
  );
}

/**
 * Cloudflare Turnstile's widget, shown after repeated failures for an email: the real script (under
 * the page's CSP nonce) puts its token in the form's `cf-turnstile-response` field.
 */
function Captcha({ ctx, siteKey, message }: { ctx: PageContext; siteKey: string; message: string }) {
  return (
    <div class="field has-error" id="captcha" role="group" aria-labelledby="captcha-label" aria-describedby="captcha-error">
      <p class="label" id="captcha-label">
        {ctx.t("auth.captcha.label")}
      </p>
      <p class="error" id="captcha-error">
        {message}
      </p>
      <div class="cf-turnstile" data-sitekey={siteKey} data-action="login" data-language={ctx.locale} />
      <script src={TURNSTILE_SCRIPT} async defer nonce={ctx.nonce} />
    </div>
  );
}

export function LogInPage({ ctx, values = {}, errors, flash, next, captchaSiteKey }: FormPageProps & { next?: string; captchaSiteKey?: string | undefined }) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("auth.login.title")} flash={flash}>
      <section class="card">
        <h1>{t("auth.login.title")}</h1>
        <form method="post" action="/connexion" novalidate>
          <CsrfField ctx={ctx} />
          {isSafeRedirect(next) ? <input type="hidden" name="next" value={next} /> : null}
          <FormErrorSummary ctx={ctx} errors={errors} />
          <Field name="email" type="email" label={t("field.email")} value={values.email} errors={errors} required autocomplete="username" />
          <Field name="password" type="password" label={t("field.password")} errors={errors} required autocomplete="current-password" />
          {captchaSiteKey && errors?.captcha ? <Captcha ctx={ctx} siteKey={captchaSiteKey} message={errors.captcha} /> : null}
          <button type="submit" class="button primary">
            {t("auth.login.submit")}
          </button>
        </form>
        <p>
          <a href="/mot-de-passe/oublie">{t("auth.login.forgot")}</a>
        </p>
        <p class="muted">
          {t("auth.login.noaccount")} <a href="/inscription">{t("auth.login.signup")}</a>
        </p>
      </section>
    </PublicLayout>
  );
}

export function TotpPage({ ctx, challenge, errors, next }: FormPageProps & { challenge: string; next?: string }) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("auth.totp.title")}>
      <section class="card">
        <h1>{t("auth.totp.title")}</h1>
        <p class="lead">{t("auth.totp.lead")}</p>
        <form method="post" action="/connexion/2fa" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="challenge" value={challenge} />
          {isSafeRedirect(next) ? <input type="hidden" name="next" value={next} /> : null}
          <FormErrorSummary ctx={ctx} errors={errors} />
          <Field name="code" label={t("auth.totp.code")} errors={errors} required autocomplete="one-time-code" inputMode="numeric" maxLength={20} />
          <button type="submit" class="button primary">
            {t("auth.totp.submit")}
          </button>
        </form>
      </section>
    </PublicLayout>
  );
}

export function ForgotPage({ ctx, values = {}, errors, flash }: FormPageProps) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("auth.forgot.title")} flash={flash}>
      <section class="card">
        <h1>{t("auth.forgot.title")}</h1>
        <p class="lead">{t("auth.forgot.lead")}</p>
        <form method="post" action="/mot-de-passe/oublie" novalidate>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errors} />
          <Field name="email" type="email" label={t("field.email")} value={values.email} errors={errors} required autocomplete="email" />
          <button type="submit" class="button primary">
            {t("auth.forgot.submit")}
          </button>
        </form>
      </section>
    </PublicLayout>
  );
}

export function ResetPage({ ctx, token, errors, flash }: FormPageProps & { token: string }) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("auth.reset.title")} flash={flash}>
      <section class="card">
        <h1>{t("auth.reset.title")}</h1>
        <form method="post" action="/mot-de-passe/nouveau" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="token" value={token} />
          <FormErrorSummary ctx={ctx} errors={errors} />
          {errors?.token ? <p class="error">{errors.token}</p> : null}
          <Field
            name="password"
            type="password"
            label={t("field.password.new")}
            hint={t("field.password.hint")}
            errors={errors}
            required
            autocomplete="new-password"
          />
          <Field name="confirm" type="password" label={t("field.password.confirm")} errors={errors} required autocomplete="new-password" />
          <button type="submit" class="button primary">
            {t("auth.reset.submit")}
          </button>
        </form>
      </section>
    </PublicLayout>
  );
}

/**
 * The page the email-change undo link opens: a button, so a mail scanner fetching the link undoes
 * nothing; the POST does the work (undoEmailChange).
 */
export function UndoEmailChangePage({ ctx, token, usable, errors }: FormPageProps & { token: string; usable: boolean }) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t("auth.undo.title")}>
      <section class="card">
        <h1>{t("auth.undo.title")}</h1>
        {usable ? (
          <form method="post" action="/email/annuler" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="token" value={token} />
            <FormErrorSummary ctx={ctx} errors={errors} />
            <p class="lead">{t("auth.undo.lead")}</p>
            <button type="submit" class="button primary">
              {t("auth.undo.submit")}
            </button>
          </form>
        ) : (
          <p class="error" role="alert">
            {errors?._form ?? t("err.token")}
          </p>
        )}
      </section>
    </PublicLayout>
  );
}
