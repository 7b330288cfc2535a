import type { FieldErrors } from "../../http/errors";
import { formatDateTime } from "../../domain/format";
import { ImportUpload } from "../../../client/islands/import-upload";
import { CsrfField, FormErrorSummary } from "../../ui/form";
import { Island } from "../../ui/island";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { DATA_PATH, EXPORTS_PATH, IMPORT_PATH, IMPORT_UPLOAD_API } from "./links";
import { dataTableLabel, jobErrorMessage, parseJobError } from "./i18n";
import type { DataOverview } from "./queries";
import type { DataJobRow } from "./verbs";

/** A job as the pages list it: the row plus its signed download link when ready. */
export interface JobView {
  row: DataJobRow;
  downloadHref: string | null;
}

const ACCESS_LOG_PATH = "/parametres/journal";

function bytes(n: number | null, locale: PageContext["locale"]): string {
  if (n === null) return "—";
  const fmt = new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 1 });
  if (n < 1024 * 1024) return `${fmt.format(n / 1024)} ${locale === "fr" ? "Ko" : "KB"}`;
  return `${fmt.format(n / 1024 / 1024)} ${locale === "fr" ? "Mo" : "MB"}`;
}

/** The jobs table with a <progress> per running job and the download link of ready exports. */
export function JobsTable({ ctx, jobs }: { ctx: PageContext; jobs: JobView[] }) {
  const { t, locale } = ctx;
  if (jobs.length === 0) return <p class="muted">{t("data.exports.empty")}</p>;
  return (
    <div class="docs-table-wrap">
      <table class="table data-jobs">
        <thead>
          <tr>
            <th scope="col">{t("data.exports.col.createdAt")}</th>
            <th scope="col">{t("data.exports.col.kind")}</th>
            <th scope="col">{t("data.exports.col.status")}</th>
            <th scope="col" class="num">
              {t("data.exports.col.size")}
            </th>
            <th scope="col">{t("data.exports.col.action")}</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map(({ row, downloadHref }) => (
            <tr key={row.id} id={`job-${row.id}`} data-status={row.status}>
              <td>{formatDateTime(row.createdAt, locale)}</td>
              <td>{t(row.kind === "export" ? "data.kind.export" : "data.kind.import")}</td>
              <td>
                {row.status === "ready" && row.kind === "import" ? t("data.status.importReady") : t(`data.status.${row.status}`)}
                {row.status === "uploading" || row.status === "queued" || row.status === "running" ? (
                  <>
                    {" "}
                    <progress max={Math.max(row.total, 1)} value={row.step} aria-label={t("data.exports.progress", { step: row.step, total: row.total })}>
                      {t("data.exports.progress", { step: row.step, total: row.total })}
                    </progress>
                  </>
                ) : null}
                {row.status === "failed" && row.error ? (
                  <span class="muted" data-error={parseJobError(row.error)?.code}>
                    {" "}
                    {jobErrorMessage(t, row.error, locale)}
                  </span>
                ) : null}
              </td>
              <td class="num">{row.kind === "export" ? bytes(row.size, locale) : "—"}</td>
              <td>
                {downloadHref ? (
                  <>
                    <a href={downloadHref} download>
                      {t("data.exports.download")}
                    </a>{" "}
                    <span class="muted">{t("data.exports.until", { date: formatDateTime(row.expiresAt, locale) })}</span>
                  </>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

/** /mes-donnees: everything held about the user and their business (privacy policy §9.1). */
export function DataIndexPage({ ctx, data, jobs, flash }: { ctx: PageContext; data: DataOverview; jobs: JobView[]; flash?: Flash | null }) {
  const { t, locale } = ctx;
  const a = data.account;
  const none = t("data.business.none");
  const address = [a.addressLine1, a.addressLine2, [a.postalCode, a.city].filter(Boolean).join(" "), a.country].filter(Boolean).join(", ");
  return (
    <AppLayout ctx={ctx} title={t("data.title")} flash={flash ?? null}>
      <h1>{t("data.title")}</h1>
      <p class="lead">{t("data.lead")}</p>

      <section aria-labelledby="data-you">
        <h2 id="data-you">{t("data.you")}</h2>
        <dl class="data-facts">
          <Row label={t("data.you.name")} value={data.user.name} />
          <Row label={t("data.you.email")} value={data.user.email} />
          <Row label={t("data.you.locale")} value={data.user.locale} />
          <Row
            label={t("data.you.verified")}
            value={data.user.emailVerifiedAt ? formatDateTime(data.user.emailVerifiedAt, locale) : t("data.you.notVerified")}
          />
          <Row label={t("data.you.twoFactor")} value={data.user.totpEnabled ? t("data.yes") : t("data.no")} />
          <Row label={t("data.you.createdAt")} value={formatDateTime(data.user.createdAt, locale)} />
        </dl>
      </section>

      <section aria-labelledby="data-business">
        <h2 id="data-business">{t("data.business")}</h2>
        <dl class="data-facts">
          <Row label={t("data.business.name")} value={a.name} />
          <Row label={t("data.business.siret")} value={a.siret ?? none} />
          <Row label={t("data.business.address")} value={address || none} />
          <Row label={t("data.business.contact")} value={a.contactEmail ?? none} />
          <Row label={t("data.business.phone")} value={a.phone ?? none} />
          <Row label={t("data.business.vat")} value={a.vatRegime} />
          <Row label={t("data.business.iban")} value={data.ibanLast4 ? t("data.business.ibanHeld", { last4: data.ibanLast4 }) : none} />
        </dl>
        <p>
          <a href="/parametres/entreprise">{t("data.business.edit")}</a>
        </p>
      </section>

      <section aria-labelledby="data-counts">
        <h2 id="data-counts">{t("data.counts")}</h2>
        <p class="muted">{t("data.counts.intro")}</p>
        <table class="table data-counts">
          <thead>
            <tr>
              <th scope="col">{t("data.counts.col.table")}</th>
              <th scope="col" class="num">
                {t("data.counts.col.rows")}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.counts.map((c) => (
              <tr key={c.table} data-table={c.table}>
                <td>{dataTableLabel(c.table, locale)}</td>
                <td class="num">{c.rows}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="data-connections">
        <h2 id="data-connections">{t("data.connections")}</h2>
        <p class="muted">{t("data.connections.intro")}</p>
        {data.connections.length === 0 ? (
          <p>{t("data.connections.empty")}</p>
        ) : (
          <table class="table data-connections">
            <thead>
              <tr>
                <th scope="col">{t("data.connections.col.at")}</th>
                <th scope="col">{t("data.connections.col.ip")}</th>
                <th scope="col">{t("data.connections.col.agent")}</th>
                <th scope="col">{t("data.connections.col.outcome")}</th>
              </tr>
            </thead>
            <tbody>
              {data.connections.map((l) => (
                <tr key={l.id}>
                  <td>{formatDateTime(l.at, locale)}</td>
                  <td>{l.ip ?? "—"}</td>
                  <td>{l.userAgent ?? "—"}</td>
                  <td>{t(`outcome.${l.outcome}` as Parameters<typeof t>[0])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="data-consents">
        <h2 id="data-consents">{t("data.consents")}</h2>
        <dl class="data-facts">
          <Row
            label={t("data.consents.marketing")}
            value={
              data.user.marketingOptInAt
                ? t("data.consents.marketingOn", { date: formatDateTime(data.user.marketingOptInAt, locale), version: data.user.marketingWordingVersion ?? "?" })
                : t("data.consents.marketingOff")
            }
          />
          <Row
            label={t("data.consents.analytics")}
            value={data.user.analyticsOptOutAt ? t("data.consents.analyticsOff", { date: formatDateTime(data.user.analyticsOptOutAt, locale) }) : t("data.consents.analyticsOn")}
          />
        </dl>
        <h3>{t("data.consents.policy")}</h3>
        {data.acknowledgements.length === 0 ? (
          <p>{t("data.consents.policyEmpty")}</p>
        ) : (
          <ul>
            {data.acknowledgements.map((p) => (
              <li key={p.version}>{t("data.consents.policyRow", { version: p.version, date: formatDateTime(p.at, locale) })}</li>
            ))}
          </ul>
        )}
        <h3>{t("data.consents.cookies")}</h3>
        {data.consents.length === 0 ? (
          <p>{t("data.consents.cookiesEmpty")}</p>
        ) : (
          <ul class="data-cookie-proofs">
            {data.consents.map((p) => (
              <li key={p.id}>
                {t("data.consents.cookie", {
                  date: formatDateTime(p.at, locale),
                  action: p.action,
                  performance: p.performance ? t("data.on") : t("data.off"),
                  functional: p.functional ? t("data.on") : t("data.off"),
                })}
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href="/parametres/confidentialite">{t("data.consents.manage")}</a>
        </p>
      </section>

      <section aria-labelledby="data-exports">
        <h2 id="data-exports">{t("data.exports")}</h2>
        <p>{t("data.exports.intro")}</p>
        <form method="post" action={EXPORTS_PATH}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="button primary">
            {t("data.exports.start")}
          </button>
        </form>
        <JobsTable ctx={ctx} jobs={jobs} />
        <p>
          <a href={EXPORTS_PATH}>{t("data.exports.all")}</a>
        </p>
      </section>

      <section aria-labelledby="data-access-log">
        <h2 id="data-access-log">{t("data.accessLog")}</h2>
        <p class="muted">{t("data.accessLog.intro")}</p>
        <p>
          <a href={ACCESS_LOG_PATH}>{t("data.accessLog.link")}</a>
        </p>
      </section>

      {/* SLOT (rights: closure, freeze, requests — features/privacy/rights-*): links to the other
          rights' pages under /mes-donnees/. Owned by the rights engineer: add or change links here. */}
      <section aria-labelledby="data-rights-h" id="data-rights">
        <h2 id="data-rights-h">{t("data.rights")}</h2>
        <ul>
          <li>
            <a href={`${DATA_PATH}/restriction`}>{t("data.rights.restriction")}</a>
          </li>
          <li>
            <a href={`${DATA_PATH}/cloture`}>{t("data.rights.closure")}</a>
          </li>
          <li>
            <a href={`${DATA_PATH}/demandes`}>{t("data.rights.requests")}</a>
          </li>
          <li>
            <a href="/parametres/confidentialite">{t("rights.data.settingsLink")}</a>
          </li>
        </ul>
      </section>
      {/* END SLOT (rights) */}
    </AppLayout>
  );
}

/** /mes-donnees/exports: start an export, follow its progress, download it; import an archive. */
export function ExportsPage({ ctx, jobs, flash, errors }: { ctx: PageContext; jobs: JobView[]; flash?: Flash | null; errors?: FieldErrors }) {
  const { t } = ctx;
  const archiveError = errors?.archive;
  return (
    <AppLayout ctx={ctx} title={t("data.exports")} flash={flash ?? null} islands={["import-upload"]}>
      <p>
        <a href={DATA_PATH}>← {t("data.title")}</a>
      </p>
      <h1>{t("data.exports")}</h1>
      <p>{t("data.exports.intro")}</p>
      <form method="post" action={EXPORTS_PATH}>
        <CsrfField ctx={ctx} />
        <button type="submit" class="button primary">
          {t("data.exports.start")}
        </button>
      </form>
      <JobsTable ctx={ctx} jobs={jobs} />

      <section aria-labelledby="data-import">
        <h2 id="data-import">{t("data.import")}</h2>
        <p>{t("data.import.intro")}</p>
        <FormErrorSummary ctx={ctx} errors={errors} />
        {/* The island posts this same form without JavaScript (32 MB), in parts with it (no limit). */}
        <Island
          name="import-upload"
          component={ImportUpload}
          props={{
            action: IMPORT_PATH,
            api: IMPORT_UPLOAD_API,
            done: `${EXPORTS_PATH}?lance=import`,
            csrfToken: ctx.csrfToken,
            locale: ctx.locale,
            error: archiveError ?? null,
            labels: {
              file: t("data.import.file"),
              hint: t("data.import.hint"),
              submit: t("data.import.submit"),
              progress: t("data.upload.progress"),
              preparing: t("data.upload.preparing"),
              sent: t("data.upload.sent"),
              completing: t("data.upload.completing"),
              failed: t("data.upload.failed"),
            },
          }}
        />
      </section>
    </AppLayout>
  );
}
