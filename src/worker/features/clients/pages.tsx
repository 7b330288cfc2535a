import { formatMoney } from "../../domain/format";
import type { FieldErrors } from "../../http/errors";
import { CsrfField, Field, Fieldset, FormErrorSummary, SelectField } from "../../ui/form";
import type { MessageKey } from "../../ui/i18n";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { fecClientAccount } from "./code";
import { NEW_INVOICE_PATH, NEW_QUOTE_PATH } from "../documents/pages";
import { type ClientActivity, ClientActivitySections } from "./activity";
import type { Client, ClientBalance } from "./queries";
import { CLIENT_KINDS, CLIENT_LANGUAGES } from "./schemas";
import type { Page } from "./search";

export const CLIENTS_PATH = "/clients";
export const NEW_CLIENT_PATH = `${CLIENTS_PATH}/nouveau`;
export const clientPath = (id: string) => `${CLIENTS_PATH}/${encodeURIComponent(id)}`;

/** A list URL keeping the search and the filter; empty parameters are left out. */
export function listHref(path: string, params: { q?: string; archived?: boolean; cursor?: string | null; ok?: string }): string {
  const search = new URLSearchParams();
  if (params.q) search.set("q", params.q);
  if (params.archived) search.set("archived", "1");
  if (params.cursor) search.set("cursor", params.cursor);
  if (params.ok) search.set("ok", params.ok);
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

/** "Actifs" / "Archivés": archived rows only show under their own filter. */
export function ArchiveFilter({ ctx, path, q, archived }: { ctx: PageContext; path: string; q: string; archived: boolean }) {
  const { t } = ctx;
  return (
    <nav class="subnav" aria-label={t("clients.filter")}>
      <a href={listHref(path, { q })} aria-current={archived ? undefined : "page"}>
        {t("clients.filter.active")}
      </a>
      <a href={listHref(path, { q, archived: true })} aria-current={archived ? "page" : undefined}>
        {t("clients.filter.archived")}
      </a>
    </nav>
  );
}

/** The name search: a GET form, so a search is a shareable URL and needs no CSRF token. */
export function SearchForm({ ctx, path, q, archived, label }: { ctx: PageContext; path: string; q: string; archived: boolean; label: string }) {
  const { t } = ctx;
  return (
    <form method="get" action={path} role="search" class="search-form">
      {archived ? <input type="hidden" name="archived" value="1" /> : null}
      <Field name="q" label={label} value={q} hint={t("clients.search.hint")} maxLength={200} autocomplete="off" />
      <button type="submit" class="button">
        {t("clients.search.submit")}
      </button>
    </form>
  );
}

/** "Précédent" / "Suivant" links of a keyset-paginated list; nothing when there is one page. */
export function Pagination<T>({ ctx, path, q, archived, page }: { ctx: PageContext; path: string; q: string; archived: boolean; page: Page<T> }) {
  const { t } = ctx;
  if (!page.prevCursor && !page.nextCursor) return null;
  return (
    <nav class="pagination" aria-label={t("clients.pagination")}>
      {page.prevCursor ? (
        <a href={listHref(path, { q, archived, cursor: page.prevCursor })} rel="prev">
          {t("clients.prev")}
        </a>
      ) : null}
      {page.nextCursor ? (
        <a href={listHref(path, { q, archived, cursor: page.nextCursor })} rel="next">
          {t("clients.next")}
        </a>
      ) : null}
    </nav>
  );
}

const KIND_LABELS: Record<Client["kind"], MessageKey> = { company: "clients.kind.company", individual: "clients.kind.individual" };

export interface ClientsListProps {
  ctx: PageContext;
  page: Page<Client>;
  q: string;
  archived: boolean;
  flash?: Flash | null;
}

/** /clients: search by name, active or archived, 25 per page. */
export function ClientsListPage({ ctx, page, q, archived, flash }: ClientsListProps) {
  const { t } = ctx;
  const empty = q ? t("clients.empty.search", { q }) : archived ? t("clients.empty.archived") : t("clients.empty");
  return (
    <AppLayout ctx={ctx} title={t("clients.title")} flash={flash}>
      <div class="page-header">
        <h1>{t("clients.title")}</h1>
        <a href={NEW_CLIENT_PATH} class="button primary">
          {t("clients.new")}
        </a>
      </div>
      <ArchiveFilter ctx={ctx} path={CLIENTS_PATH} q={q} archived={archived} />
      <SearchForm ctx={ctx} path={CLIENTS_PATH} q={q} archived={archived} label={t("clients.search")} />
      {page.items.length === 0 ? (
        <section class="empty-state">
          <p>{empty}</p>
        </section>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("clients.name")}</th>
              <th scope="col">{t("clients.kind")}</th>
              <th scope="col">{t("clients.siren")}</th>
              <th scope="col">{t("clients.city")}</th>
              <th scope="col">{t("clients.email")}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={clientPath(c.id)}>{c.name}</a>
                </td>
                <td>{t(KIND_LABELS[c.kind])}</td>
                <td>{c.siren ?? ""}</td>
                <td>{c.city}</td>
                <td>{c.email ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination ctx={ctx} path={CLIENTS_PATH} q={q} archived={archived} page={page} />
    </AppLayout>
  );
}

/** A stored client as form values (strings), the same shape a submitted form has. */
export function clientValues(c: Client): Record<string, string> {
  return {
    kind: c.kind,
    name: c.name,
    siren: c.siren ?? "",
    siret: c.siret ?? "",
    vatNumber: c.vatNumber ?? "",
    addressLine1: c.addressLine1,
    addressLine2: c.addressLine2 ?? "",
    postalCode: c.postalCode,
    city: c.city,
    country: c.country,
    deliveryLine1: c.deliveryLine1 ?? "",
    deliveryLine2: c.deliveryLine2 ?? "",
    deliveryPostalCode: c.deliveryPostalCode ?? "",
    deliveryCity: c.deliveryCity ?? "",
    deliveryCountry: c.deliveryCountry ?? "FR",
    email: c.email ?? "",
    language: c.language,
    paymentTermsDays: c.paymentTermsDays === null ? "" : String(c.paymentTermsDays),
    // The default (the SIREN) is shown empty, so that a new SIREN brings its own default along.
    electronicAddress: c.electronicAddress && c.electronicAddress !== c.siren ? c.electronicAddress : "",
  };
}

function ClientFields({ ctx, values, errors, current }: { ctx: PageContext; values: Record<string, string>; errors?: FieldErrors; current?: string | null }) {
  const { t } = ctx;
  const addressHint = current
    ? `${t("clients.electronicAddress.hint")} ${t("clients.electronicAddress.current", { value: current })}`
    : t("clients.electronicAddress.hint");
  const optional = t("form.optional");
  return (
    <>
      <Fieldset legend={t("clients.identity")}>
        <SelectField
          name="kind"
          label={t("clients.kind")}
          value={values.kind ?? "company"}
          errors={errors}
          options={CLIENT_KINDS.map((k) => ({ value: k, label: t(KIND_LABELS[k]) }))}
        />
        <Field name="name" label={t("clients.name")} value={values.name} errors={errors} required maxLength={200} autocomplete="off" />
        <Field
          name="siren"
          label={t("clients.siren")}
          value={values.siren}
          errors={errors}
          inputMode="numeric"
          maxLength={11}
          hint={t("clients.identifiers.hint")}
          // Required for a business in France (buyer SIREN on the invoice, checked at issue), else optional.
          optionalLabel={t("clients.siren.when")}
        />
        <Field name="siret" label={t("clients.siret")} value={values.siret} errors={errors} inputMode="numeric" maxLength={17} optionalLabel={optional} />
        <Field name="vatNumber" label={t("clients.vatNumber")} value={values.vatNumber} errors={errors} maxLength={20} optionalLabel={optional} />
      </Fieldset>

      <Fieldset legend={t("clients.billingAddress")}>
        <Field name="addressLine1" label={t("clients.addressLine1")} value={values.addressLine1} errors={errors} required maxLength={200} />
        <Field name="addressLine2" label={t("clients.addressLine2")} value={values.addressLine2} errors={errors} maxLength={200} optionalLabel={optional} />
        <Field name="postalCode" label={t("clients.postalCode")} value={values.postalCode} errors={errors} required maxLength={12} />
        <Field name="city" label={t("clients.city")} value={values.city} errors={errors} required maxLength={100} />
        <Field name="country" label={t("clients.country")} value={values.country ?? "FR"} errors={errors} maxLength={2} hint={t("clients.country.hint")} />
      </Fieldset>

      <Fieldset legend={t("clients.deliveryAddress")}>
        <p class="hint">{t("clients.delivery.hint")}</p>
        <Field name="deliveryLine1" label={t("clients.addressLine1")} value={values.deliveryLine1} errors={errors} maxLength={200} optionalLabel={optional} />
        <Field name="deliveryLine2" label={t("clients.addressLine2")} value={values.deliveryLine2} errors={errors} maxLength={200} optionalLabel={optional} />
        <Field name="deliveryPostalCode" label={t("clients.postalCode")} value={values.deliveryPostalCode} errors={errors} maxLength={12} optionalLabel={optional} />
        <Field name="deliveryCity" label={t("clients.city")} value={values.deliveryCity} errors={errors} maxLength={100} optionalLabel={optional} />
        <Field name="deliveryCountry" label={t("clients.country")} value={values.deliveryCountry ?? "FR"} errors={errors} maxLength={2} />
      </Fieldset>

      <Fieldset legend={t("clients.contact")}>
        <Field name="email" type="email" label={t("clients.email")} value={values.email} errors={errors} optionalLabel={optional} />
        <SelectField
          name="language"
          label={t("clients.language")}
          value={values.language ?? "fr"}
          errors={errors}
          options={CLIENT_LANGUAGES.map((l) => ({ value: l, label: t(`clients.language.${l}`) }))}
        />
        <Field
          name="paymentTermsDays"
          type="number"
          label={t("clients.paymentTermsDays")}
          value={values.paymentTermsDays}
          errors={errors}
          inputMode="numeric"
          hint={t("clients.paymentTermsDays.hint")}
          optionalLabel={optional}
        />
      </Fieldset>

      <Fieldset legend={t("clients.einvoicing")}>
        <Field
          name="electronicAddress"
          label={t("clients.electronicAddress")}
          value={values.electronicAddress}
          errors={errors}
          maxLength={100}
          hint={addressHint}
          optionalLabel={optional}
        />
      </Fieldset>
    </>
  );
}

export interface NewClientProps {
  ctx: PageContext;
  values: Record<string, string>;
  errors?: FieldErrors;
}

/** /clients/nouveau: the "Nouveau client" form. */
export function NewClientPage({ ctx, values, errors }: NewClientProps) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("clients.new")}>
      <p>
        <a href={CLIENTS_PATH}>{t("clients.back")}</a>
      </p>
      <h1>{t("clients.new")}</h1>
      <form method="post" action={CLIENTS_PATH} novalidate>
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={errors} />
        <ClientFields ctx={ctx} values={values} errors={errors} />
        <button type="submit" class="button primary">
          {t("clients.create")}
        </button>
      </form>
    </AppLayout>
  );
}

export interface ClientDetailProps {
  ctx: PageContext;
  client: Client;
  values: Record<string, string>;
  errors?: FieldErrors;
  /** True when a document names the client: it can be archived, not deleted. */
  referenced: boolean;
  flash?: Flash | null;
  /** What the client owes and holds as credit; not shown when absent. */
  balance?: ClientBalance;
  /** Its quotes, invoices, credit notes and payments (clients/activity.tsx); not shown when absent. */
  activity?: ClientActivity;
}

/** Left to pay and client credit, side by side under the client's name. */
function BalanceFacts({ ctx, balance }: { ctx: PageContext; balance: ClientBalance }) {
  return (
    <dl class="client-balance">
      <div>
        <dt>{ctx.t("payments.panel.outstanding")}</dt>
        <dd class="num">{formatMoney(balance.dueCents, ctx.locale)}</dd>
      </div>
      <div>
        <dt>{ctx.t("receivables.credit")}</dt>
        <dd class="num">{formatMoney(balance.creditCents, ctx.locale)}</dd>
      </div>
    </dl>
  );
}

/** /clients/:id: the client's details to edit, archive or unarchive, and delete while unused. */
export function ClientDetailPage({ ctx, client, values, errors, referenced, flash, balance, activity }: ClientDetailProps) {
  const { t } = ctx;
  const path = clientPath(client.id);
  const archived = client.archivedAt !== null;
  return (
    <AppLayout ctx={ctx} title={client.name} flash={flash}>
      <p>
        <a href={listHref(CLIENTS_PATH, { archived })}>{t("clients.back")}</a>
      </p>
      <h1>
        {client.name}
        {archived ? (
          <>
            {" "}
            <span class="badge">{t("clients.archived.badge")}</span>
          </>
        ) : null}
      </h1>
      {archived ? <p class="muted">{t("clients.archived.notice")}</p> : null}
      {client.code ? <p class="muted">{t("clients.code", { code: client.code, account: fecClientAccount(client.code) })}</p> : null}
      {archived ? null : (
        // The editor opens with this client chosen (features/documents page-routes, ?client=).
        <div class="docs-header-actions client-new-docs">
          <a href={`${NEW_QUOTE_PATH}?client=${encodeURIComponent(client.id)}`} class="button">
            {t("documents.new.quote")}
          </a>
          <a href={`${NEW_INVOICE_PATH}?client=${encodeURIComponent(client.id)}`} class="button primary">
            {t("documents.new.invoice")}
          </a>
        </div>
      )}
      {balance ? <BalanceFacts ctx={ctx} balance={balance} /> : null}
      {activity ? <ClientActivitySections ctx={ctx} base={path} activity={activity} /> : null}
      <h2>{t("clients.details")}</h2>
      <form method="post" action={path} novalidate>
        <CsrfField ctx={ctx} />
        <FormErrorSummary ctx={ctx} errors={errors} />
        <ClientFields ctx={ctx} values={values} errors={errors} current={client.electronicAddress} />
        <button type="submit" class="button primary">
          {t("form.submit")}
        </button>
      </form>

      <section class="panel" aria-labelledby="client-actions">
        <h2 id="client-actions">{t("clients.actions")}</h2>
        <form method="post" action={`${path}/${archived ? "desarchiver" : "archiver"}`}>
          <CsrfField ctx={ctx} />
          <p class="hint">{t(archived ? "clients.unarchive.hint" : "clients.archive.hint")}</p>
          <button type="submit" class="button">
            {t(archived ? "clients.unarchive" : "clients.archive")}
          </button>
        </form>
        {referenced ? (
          <p class="hint">{t("clients.delete.referenced")}</p>
        ) : (
          <form method="post" action={`${path}/supprimer`}>
            <CsrfField ctx={ctx} />
            <p class="hint">{t("clients.delete.hint")}</p>
            <button type="submit" class="button danger">
              {t("clients.delete")}
            </button>
          </form>
        )}
      </section>
    </AppLayout>
  );
}
