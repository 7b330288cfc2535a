import { formatDate, formatMoney } from "../../domain/format";
import type { DocumentSnapshot } from "../../domain/document";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, FormErrorSummary } from "../../ui/form";
import { AppLayout, type Flash, PublicLayout } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { SettingsNav } from "../settings/pages";
import type { PayView } from "./checkout";
import type { ConnectionRow } from "./connect";

export const STRIPE_SETTINGS_PATH = "/parametres/paiement-en-ligne";

export interface StripeSettingsProps {
  ctx: PageContext;
  configured: boolean;
  frozen: boolean;
  connection: ConnectionRow | null;
  flash?: Flash | null;
}

/** Paramètres → Paiement en ligne: connect a Stripe account, see its status, partial payments, disconnect. */
export function StripeSettingsPage({ ctx, configured, frozen, connection, flash }: StripeSettingsProps) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("stripe.settings.title")} flash={flash}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />
      <section class="panel stripe-settings" aria-labelledby="stripe-h">
        <h2 id="stripe-h">{t("stripe.settings.title")}</h2>
        <p class="lead">{t("stripe.settings.lead")}</p>
        {!configured ? (
          <p class="flash flash-info">{t("stripe.settings.unavailable")}</p>
        ) : frozen ? (
          <p class="flash flash-info">{t("stripe.settings.frozen")}</p>
        ) : null}
        {connection ? (
          <>
            <p role="status" class={connection.chargesEnabled ? "stripe-status stripe-active" : "stripe-status stripe-pending"}>
              {t(connection.chargesEnabled ? "stripe.settings.active" : "stripe.settings.pending")}
            </p>
            {!connection.chargesEnabled && configured && !frozen ? (
              <form method="post" action={`${STRIPE_SETTINGS_PATH}/connecter`}>
                <CsrfField ctx={ctx} />
                <button type="submit" class="button primary">
                  {t("stripe.settings.resume")}
                </button>
              </form>
            ) : null}
            <form method="post" action={`${STRIPE_SETTINGS_PATH}/options`}>
              <CsrfField ctx={ctx} />
              <CheckboxField name="allowPartial" label={t("stripe.settings.partial")} checked={connection.allowPartial} />
              <button type="submit" class="button">
                {t("stripe.settings.save")}
              </button>
            </form>
            <details class="docs-confirm">
              <summary>{t("stripe.settings.disconnect")}</summary>
              <p class="hint">{t("stripe.settings.disconnect.hint")}</p>
              <form method="post" action={`${STRIPE_SETTINGS_PATH}/delier`}>
                <CsrfField ctx={ctx} />
                <button type="submit" class="button danger">
                  {t("stripe.settings.disconnect")}
                </button>
              </form>
            </details>
          </>
        ) : (
          <>
            <p>{t("stripe.settings.none")}</p>
            {configured && !frozen ? (
              <form method="post" action={`${STRIPE_SETTINGS_PATH}/connecter`}>
                <CsrfField ctx={ctx} />
                <button type="submit" class="button primary">
                  {t("stripe.settings.connect")}
                </button>
              </form>
            ) : null}
          </>
        )}
      </section>
    </AppLayout>
  );
}

export interface PayPageProps {
  ctx: PageContext;
  view: PayView;
  token: string;
  returned: boolean;
  errors?: FieldErrors;
  values?: Record<string, string>;
}

/** The payer's page behind "Payer en ligne": what is due and one button to Stripe Checkout. */
export function PayPage({ ctx, view, token, returned, errors, values }: PayPageProps) {
  const { t, locale } = ctx;
  const snapshot = view.doc.snapshot as DocumentSnapshot;
  const number = view.doc.number ?? "";
  return (
    <PublicLayout ctx={ctx} title={t("stripe.pay.title", { number })}>
      <section class="card wide public-document stripe-pay">
        <h1>{t("stripe.pay.title", { number })}</h1>
        <p class="lead">{t("stripe.pay.lead", { number, seller: snapshot.seller.name })}</p>
        {view.state ? (
          <dl class="summary">
            <div>
              <dt>{t("stripe.pay.due")}</dt>
              <dd class="num" data-testid="pay-due">
                {formatMoney(view.state.outstandingCents, locale)}
              </dd>
            </div>
            <div>
              <dt>{t("public.dueDate")}</dt>
              <dd>{formatDate(snapshot.payment.dueDate, locale)}</dd>
            </div>
          </dl>
        ) : null}
        {view.kind === "paid" ? (
          <p class="flash flash-success" role="status">
            {t("stripe.pay.paid")}
          </p>
        ) : view.kind === "unavailable" ? (
          <p class="flash flash-info">{t("stripe.pay.unavailable")}</p>
        ) : (
          <>
            {returned ? (
              <p class="flash flash-info" role="status">
                {t("stripe.pay.returned")}
              </p>
            ) : null}
            <form method="post" action={`/payer/${token}`} novalidate>
              <CsrfField ctx={ctx} />
              <FormErrorSummary ctx={ctx} errors={errors} />
              {view.allowPartial ? (
                <Field
                  name="amount"
                  label={t("stripe.pay.amount")}
                  hint={t("stripe.pay.amount.hint")}
                  value={values?.amount ?? (view.state.outstandingCents / 100).toFixed(2).replace(".", ",")}
                  errors={errors}
                  inputMode="decimal"
                  required
                />
              ) : null}
              <button type="submit" class="button primary">
                {t("stripe.pay.submit")}
              </button>
              <p class="hint">{t("stripe.pay.secure")}</p>
            </form>
          </>
        )}
      </section>
    </PublicLayout>
  );
}
