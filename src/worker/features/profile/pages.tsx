import { CompanyIds } from "../../../client/islands/company-ids";
import { Island } from "../../ui/island";
import { LEGAL_FORMS, type LegalForm } from "../../db/schema";
import { formatIban } from "../../domain/identifiers";
import type { FieldErrors } from "../../http/errors";
import { CheckboxField, CsrfField, Field, Fieldset, FormErrorSummary, SelectField } from "../../ui/form";
import type { Locale, MessageKey } from "../../ui/i18n";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { SettingsNav } from "../settings/pages";
import { isCompany, legalDisplayName } from "./completeness";
import { MAX_LOGO_BYTES } from "./logo";
import type { Profile } from "./verbs";

export const PROFILE_PATH = "/parametres/entreprise";
export const LOGO_PATH = `${PROFILE_PATH}/logo`;

/** Hundredths as typed in a form: 100050 → "1000,50" (fr) / "1000.50" (en); whole values lose ",00". */
function hundredthsToInput(n: number, locale: Locale): string {
  const units = Math.trunc(n / 100);
  const fraction = n % 100;
  return fraction === 0 ? String(units) : `${units}${locale === "fr" ? "," : "."}${String(fraction).padStart(2, "0")}`;
}

/** The stored profile as form values (strings), the same shape a submitted form has. */
export function profileValues(p: Profile, locale: Locale): Record<string, string> {
  return {
    name: p.name,
    legalForm: p.legalForm,
    siren: p.siren ?? "",
    siret: p.siret ?? "",
    registration: p.registration,
    registrationCity: p.registrationCity ?? "",
    shareCapital: p.shareCapitalCents == null ? "" : hundredthsToInput(p.shareCapitalCents, locale),
    addressLine1: p.addressLine1 ?? "",
    addressLine2: p.addressLine2 ?? "",
    postalCode: p.postalCode ?? "",
    city: p.city ?? "",
    country: p.country,
    contactEmail: p.contactEmail ?? "",
    phone: p.phone ?? "",
    vatRegime: p.vatRegime,
    vatNumber: p.vatNumber ?? "",
    vatOnDebits: p.vatOnDebits ? "on" : "",
    activityStartDate: p.activityStartDate ?? "",
    paymentTermsDays: String(p.paymentTermsDays),
    latePenaltyRate: p.latePenaltyRateBp == null ? "" : hundredthsToInput(p.latePenaltyRateBp, locale),
    earlyPaymentDiscount: p.earlyPaymentDiscount ?? "",
    iban: p.iban ? formatIban(p.iban) : "",
    bic: p.bic ?? "",
  };
}

export interface ProfilePageProps {
  ctx: PageContext;
  values: Record<string, string>;
  errors?: FieldErrors;
  /** What the saved profile still lacks before an invoice can be issued. */
  missing: MessageKey[];
  /** Set when a logo is stored; `version` changes on every upload so the browser refetches it. */
  logo: { version: number } | null;
  logoErrors?: FieldErrors;
  flash?: Flash | null;
}

function CompletenessPanel({ ctx, missing }: { ctx: PageContext; missing: MessageKey[] }) {
  const { t } = ctx;
  return missing.length > 0 ? (
    <section class="panel panel-warning" aria-labelledby="profile-completeness">
      <h2 id="profile-completeness">{t("profile.completeness")}</h2>
      <p>{t("dashboard.profile.incomplete", { count: missing.length })}</p>
      <ul class="missing">
        {missing.map((key) => (
          <li key={key}>{t(key)}</li>
        ))}
      </ul>
    </section>
  ) : (
    <section class="panel panel-success" aria-labelledby="profile-completeness">
      <h2 id="profile-completeness">{t("profile.completeness")}</h2>
      <p>{t("profile.complete")}</p>
    </section>
  );
}

function LogoSection({ ctx, logo, errors }: Pick<ProfilePageProps, "ctx" | "logo"> & { errors?: FieldErrors }) {
  const { t } = ctx;
  const error = errors?.logo ?? errors?._form;
  const describedBy = ["f-logo-hint", error ? "f-logo-error" : null].filter(Boolean).join(" ");
  return (
    <Fieldset legend={t("profile.logo")}>
      {logo ? (
        <figure class="logo-preview">
          <img src={`${LOGO_PATH}?v=${logo.version}`} alt={t("profile.logo.current")} />
          <figcaption>{t("profile.logo.current")}</figcaption>
        </figure>
      ) : (
        <p class="muted">{t("profile.logo.none")}</p>
      )}
      <form method="post" action={LOGO_PATH} enctype="multipart/form-data">
        <CsrfField ctx={ctx} />
        <div class={`field${error ? " has-error" : ""}`}>
          <label for="f-logo">{t("profile.logo.file")}</label>
          <input
            id="f-logo"
            name="logo"
            type="file"
            accept="image/png,image/jpeg,image/svg+xml"
            required
            data-max-bytes={MAX_LOGO_BYTES}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={describedBy}
          />
          <p class="hint" id="f-logo-hint">
            {t("profile.logo.hint")}
          </p>
          {error ? (
            <p class="error" id="f-logo-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" class="button">
          {t("profile.logo.upload")}
        </button>
      </form>
      {logo ? (
        <form method="post" action={`${LOGO_PATH}/supprimer`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="button danger">
            {t("profile.logo.remove")}
          </button>
        </form>
      ) : null}
    </Fieldset>
  );
}

/** Paramètres → Entreprise: the seller identity every document's legal mentions come from. */
export function ProfilePage({ ctx, values, errors, missing, logo, logoErrors, flash }: ProfilePageProps) {
  const { t } = ctx;
  const optional = t("form.optional");
  const legalForm = (LEGAL_FORMS as readonly string[]).includes(values.legalForm ?? "") ? (values.legalForm as LegalForm) : "ei";
  const nameHint =
    legalForm === "ei" && values.name
      ? `${t("profile.ei.hint")} ${t("profile.displayName", { name: legalDisplayName({ name: values.name, legalForm }) })}`
      : legalForm === "ei"
        ? t("profile.ei.hint")
        : undefined;
  return (
    <AppLayout ctx={ctx} title={t("profile.title")} flash={flash} islands={["company-ids"]}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />
      <h2>{t("profile.title")}</h2>
      <p class="lead">{t("profile.lead")}</p>
      <CompletenessPanel ctx={ctx} missing={missing} />

      <form method="post" action={PROFILE_PATH} novalidate class="profile-form">
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={errors} />

        <Fieldset legend={t("profile.identity")}>
          <Field name="name" label={t("profile.name")} value={values.name} errors={errors} required autocomplete="organization" maxLength={200} hint={nameHint} />
          <SelectField
            name="legalForm"
            label={t("profile.legalForm")}
            value={legalForm}
            errors={errors}
            options={LEGAL_FORMS.map((f) => ({ value: f, label: t(`legalForm.${f}`) }))}
          />
          <Field
            name="activityStartDate"
            type="date"
            label={t("profile.activityStartDate")}
            value={values.activityStartDate}
            errors={errors}
            hint={t("profile.activityStartDate.hint")}
            optionalLabel={t("form.optional")}
          />
        </Fieldset>

        <Fieldset legend={t("profile.legal")}>
          <Island
            name="company-ids"
            component={CompanyIds}
            props={{
              siren: values.siren ?? "",
              siret: values.siret ?? "",
              errors: { siren: errors?.siren, siret: errors?.siret },
              labels: {
                siren: t("profile.siren"),
                siret: t("profile.siret"),
                sirenInvalid: t("err.siren"),
                siretInvalid: t("err.siret"),
                siretMismatch: t("err.siret.siren"),
                valid: t("profile.ids.valid"),
                vatNumber: t("profile.vatNumber"),
              },
            }}
          />
          <SelectField
            name="registration"
            label={t("profile.registration")}
            value={values.registration ?? "none"}
            errors={errors}
            options={[
              { value: "none", label: t("profile.registration.none") },
              { value: "rcs", label: t("profile.registration.rcs") },
              { value: "rm", label: t("profile.registration.rm") },
            ]}
          />
          <Field name="registrationCity" label={t("profile.registrationCity")} value={values.registrationCity} errors={errors} maxLength={100} />
          <Field
            name="shareCapital"
            label={t("profile.shareCapital")}
            value={values.shareCapital}
            errors={errors}
            inputMode="decimal"
            hint={t("profile.capital.hint")}
            required={isCompany(legalForm)}
            optionalLabel={isCompany(legalForm) ? undefined : optional}
          />
        </Fieldset>

        <Fieldset legend={t("profile.address")}>
          <Field name="addressLine1" label={t("profile.addressLine1")} value={values.addressLine1} errors={errors} autocomplete="address-line1" maxLength={200} />
          <Field
            name="addressLine2"
            label={t("profile.addressLine2")}
            value={values.addressLine2}
            errors={errors}
            autocomplete="address-line2"
            maxLength={200}
            optionalLabel={optional}
          />
          <Field name="postalCode" label={t("profile.postalCode")} value={values.postalCode} errors={errors} autocomplete="postal-code" maxLength={12} />
          <Field name="city" label={t("profile.city")} value={values.city} errors={errors} autocomplete="address-level2" maxLength={100} />
          <Field
            name="country"
            label={t("profile.country")}
            value={values.country ?? "FR"}
            errors={errors}
            autocomplete="country"
            maxLength={2}
            hint={t("profile.country.hint")}
          />
        </Fieldset>

        <Fieldset legend={t("profile.contact")}>
          <Field name="contactEmail" type="email" label={t("profile.contactEmail")} value={values.contactEmail} errors={errors} autocomplete="email" />
          <Field name="phone" type="tel" label={t("profile.phone")} value={values.phone} errors={errors} autocomplete="tel" optionalLabel={optional} />
        </Fieldset>

        <Fieldset legend={t("profile.vat")}>
          <SelectField
            name="vatRegime"
            label={t("profile.vatRegime")}
            value={values.vatRegime ?? "franchise"}
            errors={errors}
            options={[
              { value: "franchise", label: t("profile.vatRegime.franchise") },
              { value: "vat", label: t("profile.vatRegime.vat") },
            ]}
          />
          {/* Hidden by the stylesheet while "franchise" is selected (no script needed); shown again if they hold an error. */}
          <div class="vat-only">
            <Field name="vatNumber" label={t("profile.vatNumber")} value={values.vatNumber} errors={errors} hint={t("profile.vatNumber.hint")} maxLength={20} />
            <CheckboxField name="vatOnDebits" label={t("profile.vatOnDebits")} checked={values.vatOnDebits === "on"} />
          </div>
        </Fieldset>

        <Fieldset legend={t("profile.payment")}>
          <Field
            name="paymentTermsDays"
            type="number"
            label={t("profile.paymentTermsDays")}
            value={values.paymentTermsDays ?? "30"}
            errors={errors}
            inputMode="numeric"
            hint={t("profile.paymentTermsDays.hint")}
          />
          <Field
            name="latePenaltyRate"
            label={t("profile.latePenaltyRate")}
            value={values.latePenaltyRate}
            errors={errors}
            inputMode="decimal"
            hint={t("profile.latePenaltyRate.hint")}
            optionalLabel={optional}
          />
          <Field
            name="earlyPaymentDiscount"
            label={t("profile.earlyPaymentDiscount")}
            value={values.earlyPaymentDiscount}
            errors={errors}
            hint={t("profile.earlyPaymentDiscount.hint")}
            maxLength={300}
            optionalLabel={optional}
          />
        </Fieldset>

        <Fieldset legend={t("profile.bank")}>
          <p class="hint">{t("profile.bank.hint")}</p>
          <Field name="iban" label={t("profile.iban")} value={values.iban} errors={errors} autocomplete="off" maxLength={42} optionalLabel={optional} />
          <Field name="bic" label={t("profile.bic")} value={values.bic} errors={errors} autocomplete="off" maxLength={11} optionalLabel={optional} />
        </Fieldset>

        <button type="submit" class="button primary">
          {t("form.submit")}
        </button>
      </form>

      <LogoSection ctx={ctx} logo={logo} errors={logoErrors} />
    </AppLayout>
  );
}
