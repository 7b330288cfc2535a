import { CLIENT_CREDIT_METHOD, RECEIVED_PAYMENT_METHODS } from "../../db/schema";
import type { Locale } from "../../domain/format";
import { formatDate, formatMoney } from "../../domain/format";
import type { InvoiceStatus } from "../../domain/invoice-status";
import type { FieldErrors } from "../../http/errors";
import { CsrfField, Field, FormErrorSummary, SelectField } from "../../ui/form";
import type { PageContext } from "../../ui/page-context";
import type { DocumentRow } from "../documents/drafts";
import { correctedIds, type PaymentState, paymentReferenceText } from "./verbs";

export const paymentsFormPath = (documentId: string) => `/documents/${encodeURIComponent(documentId)}/paiements`;
export const creditFormPath = (documentId: string) => `${paymentsFormPath(documentId)}/credit-client`;
export const correctPaymentPath = (documentId: string, paymentId: string) => `${paymentsFormPath(documentId)}/${encodeURIComponent(paymentId)}/corriger`;

/** The derived status of an issued invoice (paid, overdue…), in the documents' badge style. */
export function PaymentStatusBadge({ ctx, status }: { ctx: PageContext; status: InvoiceStatus }) {
  return <span class={`badge doc-status doc-status-${status}`}>{ctx.t(`payments.status.${status}`)}</span>;
}

export interface PaymentsPanelProps {
  ctx: PageContext;
  doc: Pick<DocumentRow, "id" | "status" | "type">;
  state: PaymentState;
  /** A refused form, shown again with its values and errors. */
  values?: Record<string, string>;
  errors?: FieldErrors;
  today: string;
  /** The client's credit balance; the credit form shows while it is positive and the invoice owes. */
  clientCreditCents?: number;
  /** A refused credit form (field creditAmount), shown again. */
  creditValues?: Record<string, string>;
  creditErrors?: FieldErrors;
}

/** Cents as typed in an amount field ("12,00" / "12.00"), integer arithmetic only. */
function amountInput(cents: number, locale: Locale): string {
  return `${Math.trunc(cents / 100)}${locale === "fr" ? "," : "."}${String(cents % 100).padStart(2, "0")}`;
}

/** A row that can still be reversed: a positive entry, not itself a correction, not yet reversed. */
const correctable = (p: PaymentState["payments"][number], reversed: ReadonlySet<string>, creditStillApplied: number) =>
  p.amountCents > 0 && !p.correctsPaymentId && !reversed.has(p.id) && (p.method !== CLIENT_CREDIT_METHOD || p.amountCents <= creditStillApplied);

/**
 * What the seller must know about the money beyond the figures: money received after the invoice
 * was cancelled, an excess that became client credit (a credit note on a paid invoice, an
 * overpayment), credit taken back after a refund, and online payments that failed.
 */
function PaymentNotices({ ctx, state }: { ctx: PageContext; state: PaymentState }) {
  const { t, locale } = ctx;
  const money = (c: number) => formatMoney(c, locale);
  const takenBack = -state.payments.reduce((s, p) => (p.method === CLIENT_CREDIT_METHOD && p.amountCents < 0 && p.correctsPaymentId === null ? s + p.amountCents : s), 0);
  const notices = [
    state.receivedAfterCancellationCents > 0 ? ["flash-error", t("payments.panel.afterCancellation", { amount: money(state.receivedAfterCancellationCents) })] : null,
    state.excessCents > 0 && state.receivedAfterCancellationCents <= 0 ? ["flash-info", t("payments.panel.excessToCredit", { amount: money(state.excessCents) })] : null,
    takenBack > 0 ? ["flash-error", t("payments.panel.creditTakenBack", { amount: money(takenBack) })] : null,
    // A failed online payment matters while the invoice still owes something.
    ...(state.outstandingCents > 0 ? state.failedCheckouts : []).map((f) => ["flash-error", t("payments.panel.checkoutFailed", { date: formatDate(f.failedOn, locale), amount: f.amountCents === null ? "—" : money(f.amountCents) })]),
    // Signed Stripe events refused as odd (issue #14): the seller checks them on Stripe.
    ...state.stripeAnomalies.map((a) => [
      "flash-error",
      t(`stripe.anomaly.${a.kind}`, {
        date: formatDate(new Date(a.at).toISOString().slice(0, 10), locale),
        amount: a.amountCents === null ? "—" : money(a.amountCents),
        expected: a.expectedCents === null ? "—" : money(a.expectedCents),
      }),
    ]),
  ].filter((n): n is string[] => n !== null);
  return (
    <>
      {notices.map(([kind, text]) => (
        <p class={`flash ${kind ?? ""} payments-notice`} role="status">
          {text}
        </p>
      ))}
    </>
  );
}

/** On an issued invoice's page: what was received, what is left, the entries and the payment form. */
export function PaymentsPanel({ ctx, doc, state, values, errors, today, clientCreditCents = 0, creditValues, creditErrors }: PaymentsPanelProps) {
  const { t, locale } = ctx;
  const money = (c: number) => formatMoney(c, locale);
  const reversed = correctedIds(state.payments);
  const open = doc.status === "issued";
  const creditStillApplied = state.creditUsedCents;
  return (
    <section class="panel payments-panel" id="paiements">
      <h2>
        {t("payments.panel.title")} <PaymentStatusBadge ctx={ctx} status={state.status} />
      </h2>
      <dl class="docs-totals">
        {state.creditedCents > 0 ? (
          <div>
            <dt>{t("payments.panel.credited")}</dt>
            <dd>{money(-state.creditedCents)}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t("payments.panel.paid")}</dt>
          <dd>{money(state.paidCents - state.creditUsedCents)}</dd>
        </div>
        {state.creditUsedCents !== 0 ? (
          <div>
            <dt>{t("payments.panel.creditUsed")}</dt>
            <dd>{money(state.creditUsedCents)}</dd>
          </div>
        ) : null}
        <div class="docs-grand">
          <dt>{t("payments.panel.outstanding")}</dt>
          <dd>{money(state.outstandingCents)}</dd>
        </div>
        {state.excessCents > 0 ? (
          <div>
            <dt>{t("payments.panel.excess")}</dt>
            <dd>{money(state.excessCents)}</dd>
          </div>
        ) : null}
      </dl>
      <PaymentNotices ctx={ctx} state={state} />
      {state.payments.length === 0 ? (
        <p class="muted">{t("payments.panel.none")}</p>
      ) : (
        <ul class="payments-entries">
          {state.payments.map((p) => (
            <li key={p.id} class={p.correctsPaymentId ? "payments-correction" : undefined}>
              <span>{formatDate(p.receivedOn, locale)}</span> · <span>{p.correctsPaymentId ? t("payments.correction") : t(`payments.method.${p.method}`)}</span>
              {p.reference ? <span class="muted"> · {paymentReferenceText(p.reference, t)}</span> : null} · <strong>{money(p.amountCents)}</strong>
              {reversed.has(p.id) ? <span class="muted"> ({t("payments.corrected")})</span> : null}
              {open && correctable(p, reversed, creditStillApplied) ? (
                <details class="docs-confirm">
                  <summary>{t("payments.correct")}</summary>
                  <p class="hint">{t("payments.correct.hint")}</p>
                  <form method="post" action={correctPaymentPath(doc.id, p.id)}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="button danger">
                      {t("payments.correct")}
                    </button>
                  </form>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {open && ((clientCreditCents > 0 && state.outstandingCents > 0) || creditErrors) ? (
        <form method="post" action={creditFormPath(doc.id)} novalidate class="payments-form payments-credit-form">
          <h3>{t("payments.credit.title", { amount: money(Math.max(0, clientCreditCents)) })}</h3>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={creditErrors} />
          <Field
            name="creditAmount"
            label={t("payments.credit.amount")}
            value={creditValues?.creditAmount ?? amountInput(Math.max(0, Math.min(clientCreditCents, state.outstandingCents)), locale)}
            errors={creditErrors}
            inputMode="decimal"
            hint={t("payments.credit.hint")}
            maxLength={20}
          />
          <button type="submit" class="button">
            {t("payments.credit.submit")}
          </button>
        </form>
      ) : null}
      {open ? (
        <form method="post" action={paymentsFormPath(doc.id)} novalidate class="payments-form">
          <h3>{t("payments.form.title")}</h3>
          <CsrfField ctx={ctx} />
          <FormErrorSummary ctx={ctx} errors={errors} />
          <Field name="receivedOn" type="date" label={t("payments.form.receivedOn")} value={values?.receivedOn ?? today} errors={errors} />
          <Field
            name="amount"
            label={t("payments.form.amount")}
            value={values?.amount ?? ""}
            errors={errors}
            inputMode="decimal"
            hint={t("payments.form.amount.hint")}
            maxLength={20}
          />
          <SelectField
            name="method"
            label={t("payments.form.method")}
            value={values?.method ?? "virement"}
            errors={errors}
            options={RECEIVED_PAYMENT_METHODS.map((m) => ({ value: m, label: t(`payments.method.${m}`) }))}
          />
          <Field name="reference" label={t("payments.form.reference")} value={values?.reference ?? ""} errors={errors} maxLength={200} optionalLabel={t("form.optional")} />
          <button type="submit" class="button primary">
            {t("payments.form.submit")}
          </button>
        </form>
      ) : null}
    </section>
  );
}
