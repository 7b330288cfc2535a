import type { ComponentChildren } from "preact";
import { formatDateTime } from "../../domain/format";
import { INACTIVITY_WARNING, RETENTION_CLASSES, RETENTION_CLASS_IDS, describeDuration, type CalendarDuration, type RetentionClass, type RetentionClassId } from "../../domain/retention";
import type { MessageKey } from "../../ui/i18n";
import { CheckboxField, CsrfField } from "../../ui/form";
import { AppLayout, type Flash, PublicLayout } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { cookieCategoryLabels } from "./banner";
import type { ConsentState } from "./consent";
import { COOKIE_CATEGORIES, CURRENT_POLICY, type Controller, DATA_CATEGORIES, PROCESSORS, PURPOSES } from "./policy";

/** Public pages use the visitor layout, or the app layout for a signed-in user. */
function Page({ ctx, title, flash, children }: { ctx: PageContext; title: string; flash?: Flash | null; children: ComponentChildren }) {
  const Layout = ctx.auth ? AppLayout : PublicLayout;
  return (
    <Layout ctx={ctx} title={title} flash={flash}>
      <section class="card wide legal-page">{children}</section>
    </Layout>
  );
}

/** "12 mois", "10 ans", or "during the contract" for a class without a fixed period. */
export function retentionPeriod(ctx: PageContext, id: RetentionClassId): string {
  const duration: CalendarDuration | null = RETENTION_CLASSES[id].duration;
  if (!duration) return ctx.t("privacy.policy.contract");
  if (!duration.months && !duration.days) return ctx.t("privacy.immediately");
  return describeDuration(duration, ctx.locale);
}

function retentionStart(ctx: PageContext, id: RetentionClassId): string {
  const c: RetentionClass = RETENTION_CLASSES[id];
  const text = ctx.t(`privacy.start.${c.start}` as MessageKey, { warning: describeDuration(INACTIVITY_WARNING, ctx.locale) });
  return c.enforcedBy === "pending" ? `${text} ${ctx.t("privacy.policy.pending")}` : text;
}

function ConsentSummary({ ctx, consent }: { ctx: PageContext; consent: ConsentState | null }) {
  if (!consent) return <p>{ctx.t("privacy.cookies.none")}</p>;
  const summary = COOKIE_CATEGORIES.filter((c) => c.optional)
    .map((c) => ctx.t(consent[c.id as "performance" | "functional"] ? "privacy.choice.on" : "privacy.choice.off", { category: ctx.t(`privacy.cat.${c.id}` as MessageKey) }))
    .join(", ");
  return <p class="consent-current">{ctx.t("privacy.cookies.current", { date: formatDateTime(consent.decidedAt, ctx.locale), summary })}</p>;
}

/** "Gérer les cookies": the full choice, reachable from the footer at any time, without JavaScript. */
export function CookiesPage({ ctx, consent, next, flash }: { ctx: PageContext; consent: ConsentState | null; next: string; flash?: Flash | null }) {
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t("privacy.cookies.title")} flash={flash}>
      <h1>{t("privacy.cookies.title")}</h1>
      <p class="lead">{t("privacy.cookies.lead", { duration: describeDuration(RETENTION_CLASSES.cookie_choice.duration, ctx.locale) })}</p>
      <ConsentSummary ctx={ctx} consent={consent} />
      <form method="post" action="/cookies" class="cookie-preferences">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="next" value={next} />
        {cookieCategoryLabels(ctx).map((c) =>
          c.optional ? (
            <CheckboxField key={c.id} name={c.id} label={c.label} hint={c.purpose} checked={consent ? consent[c.id as "performance" | "functional"] : false} />
          ) : (
            <div class="field field-checkbox" key={c.id}>
              <input type="checkbox" id={`f-${c.id}`} checked disabled aria-describedby={`f-${c.id}-hint`} />
              <label for={`f-${c.id}`}>
                {c.label} ({t("privacy.cookies.alwaysOn")})
              </label>
              <p class="hint" id={`f-${c.id}-hint`}>
                {c.purpose}
              </p>
            </div>
          ),
        )}
        <div class="consent-actions">
          <button type="submit" name="action" value="accept_all" class="button consent-choice">
            {t("privacy.banner.acceptAll")}
          </button>
          <button type="submit" name="action" value="refuse_all" class="button consent-choice">
            {t("privacy.banner.refuseAll")}
          </button>
          <button type="submit" name="action" value="custom" class="button consent-choice">
            {t("privacy.banner.save")}
          </button>
        </div>
      </form>
    </Page>
  );
}

function ControllerBlock({ controller }: { controller: Controller }) {
  return (
    <address class="controller">
      {controller.name} ({controller.legalForm})
      <br />
      SIRET {controller.siret}
      <br />
      {controller.address}
      <br />
      <a href={`mailto:${controller.email}`}>{controller.email}</a>
    </address>
  );
}

/** The privacy policy, rendered from the tables the code enforces (processors, retention, cookies). */
export function PolicyPage({ ctx, controller }: { ctx: PageContext; controller: Controller }) {
  const { t, locale } = ctx;
  return (
    <Page ctx={ctx} title={t("privacy.policy.title")}>
      <h1>{t("privacy.policy.title")}</h1>
      <p class="muted">
        {t("privacy.policy.version", { version: CURRENT_POLICY.version })} <a href={locale === "fr" ? "/privacy" : "/confidentialite"} lang={locale === "fr" ? "en" : "fr"}>{t("privacy.otherLanguage")}</a>
      </p>
      <p>{t("privacy.policy.intro", { controller: controller.name })}</p>

      <h2 id="responsable">{t("privacy.policy.controller")}</h2>
      <ControllerBlock controller={controller} />

      <h2 id="donnees">{t("privacy.policy.data")}</h2>
      <ul class="data-categories">
        {DATA_CATEGORIES.map((d) => (
          <li key={d.id} data-category={d.id}>
            {d.label[locale]} — {retentionPeriod(ctx, d.retention)}
          </li>
        ))}
      </ul>

      <h2 id="finalites">{t("privacy.policy.purposes")}</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t("privacy.policy.purpose")}</th>
            <th scope="col">{t("privacy.policy.basis")}</th>
          </tr>
        </thead>
        <tbody>
          {PURPOSES.map((p) => (
            <tr key={p.purpose.fr}>
              <td>{p.purpose[locale]}</td>
              <td>{p.basis[locale]}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="sous-traitants">{t("privacy.policy.processors")}</h2>
      <table class="table processors">
        <thead>
          <tr>
            <th scope="col">{t("privacy.policy.processor")}</th>
            <th scope="col">{t("privacy.policy.processorPurpose")}</th>
            <th scope="col">{t("privacy.policy.location")}</th>
            <th scope="col">{t("privacy.policy.safeguards")}</th>
          </tr>
        </thead>
        <tbody>
          {PROCESSORS.map((p) => (
            <tr key={p.id} data-processor={p.id}>
              <th scope="row">{locale === "en" ? (p.nameEn ?? p.name) : p.name}</th>
              <td>{p.purpose[locale]}</td>
              <td>{p.location[locale]}</td>
              <td>{p.safeguards?.[locale] ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="conservation">{t("privacy.policy.retention")}</h2>
      <table class="table retention">
        <thead>
          <tr>
            <th scope="col">{t("privacy.policy.retentionClass")}</th>
            <th scope="col">{t("privacy.policy.duration")}</th>
            <th scope="col">{t("privacy.policy.start")}</th>
          </tr>
        </thead>
        <tbody>
          {RETENTION_CLASS_IDS.map((id) => (
            <tr key={id} data-retention-class={id}>
              <th scope="row">{t(`privacy.class.${id}` as MessageKey)}</th>
              <td class="retention-duration">{retentionPeriod(ctx, id)}</td>
              <td>{retentionStart(ctx, id)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="cookies">{t("privacy.policy.cookies")}</h2>
      <p>{t("privacy.policy.cookiesLead")}</p>
      <ul class="cookie-categories-list">
        {COOKIE_CATEGORIES.map((c) => (
          <li key={c.id} data-cookie-category={c.id}>
            <strong>{t(`privacy.cat.${c.id}` as MessageKey)}</strong> : {t(`privacy.cat.${c.id}.purpose` as MessageKey)}{" "}
            {c.cookies.length ? t("privacy.cookies.list", { names: c.cookies.join(", ") }) : t("privacy.cookies.none.stored")}
          </li>
        ))}
      </ul>
      <p>
        <a href="/cookies">{t("footer.cookies")}</a>
      </p>

      <h2 id="securite">{t("privacy.policy.security")}</h2>
      <p>{t("privacy.policy.securityText")}</p>

      <h2 id="droits">{t("privacy.policy.rights")}</h2>
      <p>{t("privacy.policy.rightsText", { email: controller.email, controller: controller.name, address: controller.address })}</p>
      <p>{t("privacy.policy.cnil")}</p>

      <h2 id="modifications">{t("privacy.policy.changes")}</h2>
      <p>{t("privacy.policy.changesText")}</p>
    </Page>
  );
}

/** The host named on the legal notice (LCEN art. 6): the hosting processor. */
export const HOST = { name: "Cloudflare, Inc.", address: "101 Townsend St, San Francisco, CA 94107, USA", phone: "+1 (650) 319-8930" } as const;

/** Mentions légales (LCEN art. 6): publisher, publication director, host; configured per deployment. */
export function LegalNoticePage({ ctx, controller }: { ctx: PageContext; controller: Controller }) {
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t("privacy.legal.title")}>
      <h1>{t("privacy.legal.title")}</h1>
      <h2>{t("privacy.legal.publisher")}</h2>
      <ControllerBlock controller={controller} />
      <p>{t("privacy.legal.director", { name: controller.publicationDirector })}</p>
      <h2>{t("privacy.legal.host")}</h2>
      <p>
        {HOST.name}, {HOST.address}, {HOST.phone}
      </p>
      <p>
        <a href={ctx.locale === "en" ? "/privacy" : "/confidentialite"}>{t("privacy.policy.title")}</a> · <a href={ctx.locale === "en" ? "/terms" : "/conditions"}>{t("privacy.terms.title")}</a>
      </p>
    </Page>
  );
}

/** Terms of use, with the controller of this deployment and the retention periods from the table. */
export function TermsPage({ ctx, controller }: { ctx: PageContext; controller: Controller }) {
  const { t } = ctx;
  const sections: Array<[MessageKey, string]> = [
    ["privacy.terms.object", t("privacy.terms.objectText", { controller: controller.name })],
    ["privacy.terms.account", t("privacy.terms.accountText")],
    ["privacy.terms.documents", t("privacy.terms.documentsText", { duration: retentionPeriod(ctx, "billing_records") })],
    ["privacy.terms.data", t("privacy.terms.dataText")],
    ["privacy.terms.end", t("privacy.terms.endText")],
    ["privacy.terms.law", t("privacy.terms.lawText", { email: controller.email })],
  ];
  return (
    <Page ctx={ctx} title={t("privacy.terms.title")}>
      <h1>{t("privacy.terms.title")}</h1>
      {sections.map(([title, text]) => (
        <section key={title}>
          <h2>{t(title)}</h2>
          <p>{text}</p>
        </section>
      ))}
      <p>
        <a href={ctx.locale === "en" ? "/privacy" : "/confidentialite"}>{t("privacy.policy.title")}</a>
      </p>
    </Page>
  );
}
