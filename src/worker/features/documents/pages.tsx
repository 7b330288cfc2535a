import type { ComponentChildren } from "preact";
import {
  type CatalogueItem,
  type EditorLine,
  LineEditor,
  type LineEditorLabels,
  type LineEditorProps,
  type Option,
  vatKey,
} from "../../../client/islands/line-editor";
import { Combobox, type ComboboxLabels, type ComboboxProps } from "../../../client/islands/combobox";
import type { DocumentSnapshot } from "../../domain/document";
import { formatDate, formatMoney, formatPercent, formatUnitPrice } from "../../domain/format";
import { exemptionWording } from "../../domain/mentions";
import { quoteInvoiced, quoteReferenceText } from "../../domain/quote-chain";
import { type DocumentTotals, unitPriceE4Of } from "../../domain/totals";
import { allowedVatRatesAt, VAT_EXEMPTIONS } from "../../domain/vat";
import type { FieldErrors } from "../../http/errors";
import { CsrfField, Field, Fieldset, FormErrorSummary, SelectField } from "../../ui/form";
import type { MessageKey, Translate } from "../../ui/i18n";
import { Island } from "../../ui/island";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { clientPath, NEW_CLIENT_PATH } from "../clients/pages";
import { quantityWithUnit, UNITS } from "../products/units";
import { PROFILE_PATH } from "../profile/pages";
import { type DocumentRow, type DocumentType, type LineRow, todayInParis } from "./drafts";
import { quoteDisplayStatus } from "./quotes";
import type { DisplayStatus, ListStatus, ListTotals } from "./queries";
import { ShareActions } from "./share-actions";
// ——— payments & sending panels (features/payments, features/sending) ———
import { PaymentStatusBadge, PaymentsPanel, type PaymentsPanelProps } from "../payments/panel";
import { SendPanel, type SendPanelProps } from "../sending/panel";
import { ReminderPanel } from "../reminders/pages";
import { TransmissionPanel } from "../einvoicing/pages";
import { type Transmission, statusLabel as networkStatusLabel } from "../einvoicing/transmit";
import type { ReminderPanelData } from "../reminders/verbs";

export const INVOICES_PATH = "/factures";
export const QUOTES_PATH = "/devis";
export const NEW_INVOICE_PATH = `${INVOICES_PATH}/nouvelle`;
export const NEW_QUOTE_PATH = `${QUOTES_PATH}/nouveau`;
export const documentPath = (id: string) => `/documents/${encodeURIComponent(id)}`;
export const editPath = (id: string) => `${documentPath(id)}/modifier`;
export const previewPath = (id: string) => `${documentPath(id)}/apercu.pdf`;
export const downloadPath = (id: string, ext: "pdf" | "xml") => `${documentPath(id)}/telecharger.${ext}`;

export type ListKind = "invoices" | "quotes";

/** The two lists: which types each shows, and its status tabs (after "Tous"). */
export const LISTS: Record<ListKind, { path: string; types: DocumentType[]; tabs: ListStatus[] }> = {
  invoices: {
    path: INVOICES_PATH,
    types: ["invoice", "deposit_invoice", "credit_note"],
    tabs: ["draft", "issued", "partially_paid", "paid", "overdue", "cancelled"],
  },
  quotes: { path: QUOTES_PATH, types: ["quote"], tabs: ["draft", "sent", "accepted", "refused", "expired"] },
};

export const listKindOf = (type: DocumentType): ListKind => (type === "quote" ? "quotes" : "invoices");

/** Where "new" lives for a type: quotes have their own path, the three invoice types share one. */
export const newPath = (type: DocumentType) => (type === "quote" ? NEW_QUOTE_PATH : type === "invoice" ? NEW_INVOICE_PATH : `${NEW_INVOICE_PATH}?type=${type}`);

export function listHref(kind: ListKind, params: { status?: string; cursor?: string | null; ok?: string; q?: string }): string {
  const search = new URLSearchParams();
  if (params.status) search.set("statut", params.status);
  if (params.q) search.set("q", params.q);
  if (params.cursor) search.set("cursor", params.cursor);
  if (params.ok) search.set("ok", params.ok);
  const query = search.toString();
  return query ? `${LISTS[kind].path}?${query}` : LISTS[kind].path;
}

function statusLabel(t: Translate, type: DocumentType, status: DisplayStatus): string {
  // "Émis" for the masculine nouns (un avoir, un devis), "Émise" for une facture.
  return status === "issued" && (type === "credit_note" || type === "quote") ? t("documents.status.issued.creditNote") : t(`documents.status.${status}`);
}

export function StatusBadge({ ctx, type, status, issuing }: { ctx: PageContext; type: DocumentType; status: DisplayStatus; issuing?: boolean }) {
  if (issuing) return <span class="badge doc-status doc-status-issuing">{ctx.t("documents.status.issuing")}</span>;
  return <span class={`badge doc-status doc-status-${status}`}>{statusLabel(ctx.t, type, status)}</span>;
}

export function TypeBadge({ ctx, type }: { ctx: PageContext; type: DocumentType }) {
  return <span class={`badge doc-type doc-type-${type}`}>{ctx.t(`documents.type.${type}`)}</span>;
}

// ——— Lists ———

/** The transmission column's word: a lifecycle status, or where the outbox stands. */
function transmissionWord(v: string | null, locale: "fr" | "en", t: PageContext["t"]): string {
  if (v === null) return "—";
  if (/^\d+$/.test(v)) return networkStatusLabel(Number(v), locale) ?? v;
  return t(`einv.col.${v}` as "einv.col.queued");
}

export interface ListItem {
  id: string;
  type: DocumentType;
  /** Derived for invoices (paid, overdue…) and quotes (expired), as on the document's page. */
  status: DisplayStatus;
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  taxInclusiveCents: number;
  clientName: string | null;
  /** E-invoicing network (features/einvoicing): latest status code or outbox state. */
  transmission?: string | null;
}

export interface DocumentsListProps {
  ctx: PageContext;
  kind: ListKind;
  items: ListItem[];
  status: ListStatus | undefined;
  cursor: string | undefined;
  q?: string | undefined;
  nextCursor: string | null;
  /** Totals of the whole filtered set (every page), or of the search results. */
  totals: ListTotals;
  flash?: Flash | null;
}

/** "N documents · Total TTC … · Reste dû …" for the whole filtered set, above the table. */
function ListTotalsStrip({ ctx, kind, totals }: { ctx: PageContext; kind: ListKind; totals: ListTotals }) {
  const { t, locale } = ctx;
  const count = new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB").format(totals.documents);
  return (
    <>
    {totals.search ? <p class="muted docs-list-totals-note">{t("documents.totals.search")}</p> : null}
    <dl class="docs-list-totals" aria-label={t(totals.search ? "documents.totals.search" : "documents.listTotals")}>
      <div>
        <dt class="visually-hidden">{t("documents.totals.count")}</dt>
        <dd>{totals.documents === 1 ? t("documents.totals.countOne") : t("documents.totals.countValue", { count })}</dd>
      </div>
      <div>
        <dt>
          {t("documents.totals.ttc")}
          {kind === "invoices" ? <span class="muted"> ({t("documents.totals.ttc.hint")})</span> : null}
        </dt>
        <dd>{formatMoney(totals.taxInclusiveCents, locale)}</dd>
      </div>
      {kind === "invoices" ? (
        <div>
          <dt>{t("documents.totals.outstanding")}</dt>
          <dd>{formatMoney(totals.outstandingCents, locale)}</dd>
        </div>
      ) : null}
    </dl>
    </>
  );
}

/** A credit note gives money back: lists show it negative so a page total means something. */
const signedTotal = (d: Pick<ListItem, "type" | "taxInclusiveCents">) => (d.type === "credit_note" ? -d.taxInclusiveCents : d.taxInclusiveCents);

function NewButtons({ ctx, kind }: { ctx: PageContext; kind: ListKind }) {
  const { t } = ctx;
  if (kind === "quotes") {
    return (
      <a href={NEW_QUOTE_PATH} class="button primary">
        {t("documents.new.quote")}
      </a>
    );
  }
  return (
    <>
      <a href={newPath("deposit_invoice")} class="button">
        {t("documents.new.deposit_invoice.short")}
      </a>
      <a href={newPath("credit_note")} class="button">
        {t("documents.new.credit_note.short")}
      </a>
      <a href={NEW_INVOICE_PATH} class="button primary">
        {t("documents.new.invoice")}
      </a>
    </>
  );
}

/** /factures and /devis: status tabs, one keyset page, the page total, cursor links. */
export function DocumentsListPage({ ctx, kind, items, status, cursor, q, nextCursor, totals, flash }: DocumentsListProps) {
  const { t, locale } = ctx;
  const title = t(kind === "quotes" ? "documents.quotes.title" : "documents.invoices.title");
  const showType = kind === "invoices";
  const filtered = status !== undefined || cursor !== undefined || q !== undefined;
  // Drafts bill nothing yet: they are listed, never summed (the list totals leave them out too).
  const pageTotal = items.reduce((sum, d) => (d.status === "draft" ? sum : sum + BigInt(signedTotal(d))), 0n);
  return (
    <AppLayout ctx={ctx} title={title} flash={flash}>
      <div class="docs-header docs-list-header">
        <h1>{title}</h1>
        <div class="docs-header-actions">
          <NewButtons ctx={ctx} kind={kind} />
        </div>
      </div>
      <p class="lead docs-lead">{t(kind === "quotes" ? "documents.quotes.lead" : "documents.invoices.lead")}</p>
      <nav class="subnav docs-tabs" aria-label={t("documents.filter")}>
        <a href={listHref(kind, {})} aria-current={status === undefined ? "page" : undefined}>
          {t("documents.tab.all")}
        </a>
        {LISTS[kind].tabs.map((s) => (
          <a href={listHref(kind, { status: s })} aria-current={status === s ? "page" : undefined} key={s}>
            {t(`documents.tab.${s}`)}
          </a>
        ))}
      </nav>
      {/* The same search form as the clients list (clients/pages.tsx SearchForm): one look for every list. */}
      <form method="get" action={LISTS[kind].path} role="search" class="search-form">
        {status ? <input type="hidden" name="statut" value={status} /> : null}
        <Field name="q" label={t("documents.search")} value={q ?? ""} maxLength={100} autocomplete="off" />
        <button type="submit" class="button">
          {t("documents.search.submit")}
        </button>
      </form>
      {items.length === 0 ? (
        filtered ? (
          <section class="empty-state">
            <p>{t("documents.empty.filtered")}</p>
          </section>
        ) : (
          <section class="empty-state docs-empty">
            <h2>{t(kind === "quotes" ? "documents.empty.quotes" : "documents.empty.invoices")}</h2>
            <p>{t(kind === "quotes" ? "documents.empty.quotes.body" : "documents.empty.invoices.body")}</p>
            <a href={kind === "quotes" ? NEW_QUOTE_PATH : NEW_INVOICE_PATH} class="button primary">
              {t(kind === "quotes" ? "documents.new.quote" : "documents.new.invoice")}
            </a>
          </section>
        )
      ) : (
        <div class="docs-table-wrap">
          <ListTotalsStrip ctx={ctx} kind={kind} totals={totals} />
          <table class="table docs-table">
            <thead>
              <tr>
                <th scope="col">{t("documents.col.number")}</th>
                {showType ? <th scope="col">{t("documents.col.type")}</th> : null}
                <th scope="col">{t("documents.col.client")}</th>
                <th scope="col">{t("documents.col.issueDate")}</th>
                {showType ? (
                  // The overdue tab is sorted by due date, oldest first (features/documents/queries.ts listOverdue).
                  <th scope="col" aria-sort={status === "overdue" && !q ? "ascending" : undefined}>
                    {t("documents.col.dueDate")}
                  </th>
                ) : null}
                <th scope="col" class="num">
                  {t("documents.col.total")}
                </th>
                <th scope="col">{t("documents.col.status")}</th>
                {showType ? <th scope="col">{t("einv.col")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={documentPath(d.id)} class={d.number ? "doc-number" : "doc-number doc-draft"}>
                      {d.number ?? t("documents.draftNumber")}
                    </a>
                  </td>
                  {showType ? (
                    <td>
                      <TypeBadge ctx={ctx} type={d.type} />
                    </td>
                  ) : null}
                  <td>{d.clientName ?? "—"}</td>
                  <td>{d.issueDate ? formatDate(d.issueDate, locale) : "—"}</td>
                  {showType ? <td>{d.dueDate ? formatDate(d.dueDate, locale) : "—"}</td> : null}
                  <td class="num">{formatMoney(signedTotal(d), locale)}</td>
                  <td>
                    <StatusBadge ctx={ctx} type={d.type} status={d.status} />
                  </td>
                  {showType ? <td data-transmission={d.transmission ?? ""}>{transmissionWord(d.transmission ?? null, locale, t)}</td> : null}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={showType ? 5 : 3}>
                  {t("documents.pageTotal")}
                  {showType ? <span class="muted"> ({t("documents.pageTotal.hint")})</span> : null}
                </th>
                <td class="num">{formatMoney(pageTotal, locale)}</td>
                <td />
                {showType ? <td /> : null}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {cursor || nextCursor ? (
        <nav class="docs-pagination" aria-label={t("documents.pagination")}>
          {cursor ? <a href={listHref(kind, { status, q })}>{`← ${t("documents.first")}`}</a> : <span />}
          {nextCursor ? (
            <a href={listHref(kind, { status, q, cursor: nextCursor })} rel="next" class="button">
              {`${t("documents.next")} →`}
            </a>
          ) : null}
        </nav>
      ) : null}
    </AppLayout>
  );
}

// ——— Editor ———

export function lineEditorLabels(t: Translate): LineEditorLabels {
  return {
    line: t("documents.le.line"),
    description: t("documents.le.description"),
    quantity: t("documents.le.quantity"),
    unit: t("documents.le.unit"),
    unitPrice: t("documents.le.unitPrice"),
    discount: t("documents.le.discount"),
    vat: t("documents.le.vat"),
    kind: t("documents.le.kind"),
    kindService: t("documents.le.kind.service"),
    kindGoods: t("documents.le.kind.goods"),
    lineTotal: t("documents.le.lineTotal"),
    up: t("documents.le.up"),
    down: t("documents.le.down"),
    remove: t("documents.le.remove"),
    addFree: t("documents.le.addFree"),
    catalogue: t("documents.le.catalogue"),
    catalogueChoose: t("documents.le.catalogue.choose"),
    addProduct: t("documents.le.addProduct"),
    empty: t("documents.le.empty"),
    allowance: t("documents.le.allowance"),
    allowanceKind: t("documents.le.allowance.kind"),
    linesTotal: t("documents.le.linesTotal"),
    totalHt: t("documents.le.totalHt"),
    vatLine: t("documents.le.vatLine"),
    totalTtc: t("documents.le.totalTtc"),
    excluded: t("documents.le.excluded"),
    errRequired: t("documents.le.err.required"),
    errQuantity: t("documents.err.quantity"),
    errPrice: t("documents.le.err.price"),
    errDiscount: t("documents.le.err.discount"),
    errVat: t("documents.le.err.vat"),
    errExemptionConflict: t("documents.le.err.exemptionConflict"),
    errOutsideMixed: t("documents.le.err.outsideMixed"),
    errTooLarge: t("documents.le.err.tooLarge"),
    errAllowance: t("documents.le.err.allowance"),
    errNoLines: t("documents.err.noLines"),
    errFix: t("documents.le.err.fix"),
  };
}

const EXEMPTION_KEYS = Object.keys(VAT_EXEMPTIONS) as Array<keyof typeof VAT_EXEMPTIONS>;

/** The VAT choices of a line: the positive rates in force on the date, then each exemption. */
export function vatOptions(ctx: PageContext, vatDate: string): Option[] {
  const rates = allowedVatRatesAt(vatDate).filter((bp) => bp > 0);
  return [
    ...rates.map((bp) => ({ value: vatKey("S", bp), label: formatPercent(bp, ctx.locale) })),
    ...EXEMPTION_KEYS.map((k) => ({
      value: vatKey(VAT_EXEMPTIONS[k].category, 0, VAT_EXEMPTIONS[k].code),
      label: ctx.t(`documents.vat.${k}`),
    })),
  ];
}

/** The VAT a new free line starts with: none under the franchise, the standard rate otherwise. */
export function defaultVat(vatRegime: "franchise" | "vat"): string {
  return vatRegime === "franchise" ? vatKey("E", 0, VAT_EXEMPTIONS.franchise.code) : vatKey("S", 2000);
}

export interface EditorPageProps {
  ctx: PageContext;
  type: DocumentType;
  /** Set when editing a saved draft. */
  documentId?: string;
  values: Record<string, string>;
  lines: EditorLine[];
  errors?: FieldErrors;
  clients: Array<{ id: string; name: string }>;
  /** More clients than a select holds: a search field instead of {@link clients}. */
  clientPicker?: ClientPicker;
  products: CatalogueItem[];
  /** More catalogue items than a select holds: the line editor searches instead. */
  productSearch?: boolean;
  /** Issued invoices a credit note may correct. */
  invoices: Array<{ id: string; label: string }>;
  vatRegime: "franchise" | "vat";
  defaultTermsDays: number;
  vatDate: string;
}

/** The client field of a large account: the current choice and, after a no-JS search, its matches. */
export interface ClientPicker {
  selected: { id: string; name: string } | null;
  /** Set after a no-JS search (the "Rechercher" button): what was typed and the names found. */
  search?: { q: string; matches: Array<{ id: string; name: string }> };
}

export const CLIENTS_SEARCH_API = "/api/v1/clients";
export const PRODUCTS_SEARCH_API = "/api/v1/products";

/** The combobox's words; the hint says what choosing does (hold a client, add a product line). */
export function pickerLabels(t: Translate, kind: "client" | "product"): ComboboxLabels {
  return {
    search: t("documents.picker.search"),
    loading: t("documents.picker.loading"),
    none: t("documents.picker.none"),
    one: t("documents.picker.one"),
    many: t("documents.picker.many"),
    more: t("documents.picker.more"),
    error: t("documents.picker.error"),
    hint: t(kind === "client" ? "documents.picker.hint.client" : "documents.picker.hint.product"),
  };
}

/**
 * The client field when the account has too many clients for a select. With JS: the combobox
 * island, searching the clients API. Without JS: the same text input and a "Rechercher" button that
 * posts the whole form (nothing typed is lost) and comes back with a select of the matches.
 */
export function ClientPickerField({ ctx, picker, errors }: { ctx: PageContext; picker: ClientPicker; errors?: FieldErrors }) {
  const { t } = ctx;
  const { selected, search } = picker;
  if (search) {
    const offered = selected && !search.matches.some((m) => m.id === selected.id) ? [selected, ...search.matches] : search.matches;
    return (
      <>
        <SelectField
          name="clientId"
          label={t("documents.client")}
          value={selected?.id ?? ""}
          errors={errors}
          hint={t("documents.picker.client.matches", { q: search.q, n: search.matches.length })}
          options={[{ value: "", label: t("documents.client.choose") }, ...offered.map((c) => ({ value: c.id, label: c.name }))]}
        />
        <div class="field cb-nojs">
          <label for="f-clientQ">{t("documents.picker.client.query")}</label>
          <div class="cb-control">
            <input id="f-clientQ" type="text" name="clientQ" value={search.q} autocomplete="off" />
            <button type="submit" name="_pick" value="client" formNoValidate class="button">
              {t("documents.picker.search")}
            </button>
          </div>
        </div>
      </>
    );
  }
  const props: ComboboxProps = {
    id: "f-clientId",
    name: "clientId",
    queryName: "clientQ",
    searchValue: "client",
    label: t("documents.client"),
    placeholder: t("documents.client.choose"),
    endpoint: CLIENTS_SEARCH_API,
    selected,
    ...(errors?.clientId ? { error: errors.clientId } : {}),
    labels: pickerLabels(t, "client"),
  };
  return <Island name="combobox" component={Combobox} props={props} />;
}

function NoteField({ ctx, value, errors }: { ctx: PageContext; value?: string; errors?: FieldErrors }) {
  const error = errors?.note;
  const describedBy = ["f-note-hint", error ? "f-note-error" : null].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for="f-note">
        {ctx.t("documents.note")}
        <span class="optional"> ({ctx.t("form.optional")})</span>
      </label>
      <textarea id="f-note" name="note" rows={3} maxLength={2000} aria-invalid={error ? "true" : undefined} aria-describedby={describedBy}>
        {value ?? ""}
      </textarea>
      <p class="hint" id="f-note-hint">
        {ctx.t("documents.note.hint")}
      </p>
      {error ? (
        <p class="error" id="f-note-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** /factures/nouvelle, /devis/nouveau and /documents/:id/modifier: the draft form and its lines island. */
export function DocumentEditorPage(p: EditorPageProps) {
  const { ctx, type, values, errors } = p;
  const { t } = ctx;
  const kind = listKindOf(type);
  const title = p.documentId ? `${t("documents.edit.title")} — ${t(`documents.type.${type}`)}` : t(`documents.new.${type}`);
  const optional = t("form.optional");
  const island: LineEditorProps = {
    locale: ctx.locale,
    vatDate: p.vatDate,
    lines: p.lines,
    allowanceKind: values.allowanceKind === "amount" ? "amount" : "percent",
    allowanceValue: values.allowanceValue ?? "",
    errors: errors ?? {},
    products: p.products,
    ...(p.productSearch ? { productSearch: { endpoint: PRODUCTS_SEARCH_API, labels: pickerLabels(t, "product") } } : {}),
    units: UNITS.map((u) => ({ value: u.code, label: u[ctx.locale] })),
    vatOptions: vatOptions(ctx, p.vatDate),
    defaults: { vat: defaultVat(p.vatRegime), unitCode: "C62", kind: "service" },
    labels: lineEditorLabels(t),
  };
  const back = p.documentId ? documentPath(p.documentId) : LISTS[kind].path;
  return (
    <AppLayout ctx={ctx} title={title} islands={p.clientPicker && !p.clientPicker.search ? ["line-editor", "combobox"] : ["line-editor"]}>
      <a href={back} class="docs-back">
        {`← ${t(p.documentId ? "documents.cancelEdit" : kind === "quotes" ? "documents.back.quotes" : "documents.back.invoices")}`}
      </a>
      <h1>{title}</h1>
      {p.clients.length === 0 && !p.clientPicker ? (
        <section class="panel panel-warning docs-noclient">
          <p>{t("documents.client.none")}</p>
          <a href={NEW_CLIENT_PATH} class="button primary">
            {t("documents.client.create")}
          </a>
        </section>
      ) : null}
      <form method="post" action={p.documentId ? editPath(p.documentId) : newPath(type)} novalidate class="docs-editor">
        <CsrfField ctx={ctx} />
        {p.documentId ? null : <input type="hidden" name="type" value={type} />}
        {p.clientPicker ? (
          // Entrée in any field submits with the form's first button: make it the save, not the client search.
          <button type="submit" class="visually-hidden" tabIndex={-1} aria-hidden="true">
            {t(p.documentId ? "documents.save" : "documents.save.create")}
          </button>
        ) : null}
        <FormErrorSummary ctx={ctx} errors={errors} />
        <Fieldset legend={t("documents.general")}>
          <div class="form-grid">
            <div>
              {p.clientPicker ? (
                <ClientPickerField ctx={ctx} picker={p.clientPicker} errors={errors} />
              ) : (
                <SelectField
                  name="clientId"
                  label={t("documents.client")}
                  value={values.clientId ?? ""}
                  errors={errors}
                  options={[{ value: "", label: t("documents.client.choose") }, ...p.clients.map((c) => ({ value: c.id, label: c.name }))]}
                />
              )}
              {type === "credit_note" && !p.documentId ? (
                <SelectField
                  name="precedingDocumentId"
                  label={t("documents.preceding")}
                  value={values.precedingDocumentId ?? ""}
                  errors={errors}
                  hint={t("documents.preceding.hint")}
                  options={[{ value: "", label: t("documents.preceding.choose") }, ...p.invoices.map((i) => ({ value: i.id, label: i.label }))]}
                />
              ) : null}
              <Field name="purchaseOrderReference" label={t("documents.purchaseOrderReference")} value={values.purchaseOrderReference} errors={errors} maxLength={100} optionalLabel={optional} />
              <NoteField ctx={ctx} value={values.note} errors={errors} />
            </div>
            <div>
              <Field name="issueDate" type="date" label={t("documents.issueDate")} value={values.issueDate} errors={errors} hint={t("documents.issueDate.hint")} optionalLabel={optional} />
              <Field
                name="deliveryDate"
                type="date"
                label={t("documents.deliveryDate")}
                value={values.deliveryDate}
                errors={errors}
                hint={t("documents.deliveryDate.hint")}
                optionalLabel={optional}
              />
              {type === "quote" ? <Field name="validUntil" type="date" label={t("documents.validUntil")} value={values.validUntil} errors={errors} optionalLabel={optional} /> : null}
              <Field
                name="paymentTermsDays"
                label={t("documents.paymentTermsDays")}
                value={values.paymentTermsDays}
                errors={errors}
                inputMode="numeric"
                maxLength={2}
                hint={t("documents.paymentTermsDays.hint", { days: p.defaultTermsDays })}
                optionalLabel={optional}
              />
            </div>
          </div>
        </Fieldset>
        <Fieldset legend={t("documents.lines")}>
          <noscript>
            <p class="hint">{t("documents.nojs")}</p>
          </noscript>
          <Island name="line-editor" component={LineEditor} props={island} />
        </Fieldset>
        <div class="docs-form-actions">
          <button type="submit" class="button primary">
            {t(p.documentId ? "documents.save" : "documents.save.create")}
          </button>
          <a href={back} class="button">
            {t("documents.cancelEdit")}
          </a>
        </div>
      </form>
    </AppLayout>
  );
}

// ——— Detail ———

export type SummaryLine = Pick<LineRow, "description" | "quantity" | "unitCode" | "unitPriceCents" | "vatCategory" | "vatRateBp"> & {
  unitPriceE4?: number | null;
  discount: { kind: "percent"; basisPoints: number } | { kind: "amount"; cents: number } | null;
};

/** Stored draft lines in the shape the summary table shows. */
export function summaryLinesOf(lines: LineRow[]): SummaryLine[] {
  return lines.map((l) => ({
    ...l,
    discount: l.discountKind && l.discountValue ? (l.discountKind === "percent" ? { kind: "percent", basisPoints: l.discountValue } : { kind: "amount", cents: l.discountValue }) : null,
  }));
}

/** Issued lines, from the frozen snapshot. */
export function snapshotLinesOf(s: DocumentSnapshot): SummaryLine[] {
  return s.lines.map((l) => ({ ...l, discount: l.discount ?? null, vatCategory: l.vat.category, vatRateBp: l.vat.rateBasisPoints }));
}

export function LinesTable({ ctx, lines, totals }: { ctx: PageContext; lines: SummaryLine[]; totals: DocumentTotals | null }) {
  const { t, locale } = ctx;
  return (
    <div class="docs-table-wrap">
      <table class="table docs-lines">
        <thead>
          <tr>
            <th scope="col">{t("documents.le.description")}</th>
            <th scope="col" class="num">
              {t("documents.le.quantity")}
            </th>
            <th scope="col" class="num">
              {t("documents.le.unitPrice")}
            </th>
            <th scope="col" class="num">
              {t("documents.le.discount")}
            </th>
            <th scope="col" class="num">
              {t("documents.le.vat")}
            </th>
            <th scope="col" class="num">
              {t("documents.le.lineTotal")}
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => {
            const net = totals?.lines[i]?.netCents;
            return (
              <tr key={i}>
                <td class="docs-desc">{l.description}</td>
                <td class="num">{quantityWithUnit(l.quantity, l.unitCode, locale)}</td>
                <td class="num">{formatUnitPrice(unitPriceE4Of(l), locale)}</td>
                <td class="num">{!l.discount ? "—" : l.discount.kind === "percent" ? formatPercent(l.discount.basisPoints, locale) : formatMoney(l.discount.cents, locale)}</td>
                <td class="num">{formatPercent(l.vatCategory === "S" ? l.vatRateBp : 0, locale)}</td>
                <td class="num">{net === undefined ? "—" : formatMoney(net, locale)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function TotalsList({ ctx, totals }: { ctx: PageContext; totals: DocumentTotals }) {
  const { t, locale } = ctx;
  const money = (c: number) => formatMoney(c, locale);
  return (
    <dl class="docs-totals">
      {totals.allowanceTotalCents > 0 ? (
        <>
          <div>
            <dt>{t("documents.le.linesTotal")}</dt>
            <dd>{money(totals.lineNetTotalCents)}</dd>
          </div>
          <div>
            <dt>{t("documents.le.allowance")}</dt>
            <dd>{money(-totals.allowanceTotalCents)}</dd>
          </div>
        </>
      ) : null}
      <div>
        <dt>{t("documents.le.totalHt")}</dt>
        <dd>{money(totals.taxExclusiveCents)}</dd>
      </div>
      {totals.vatBreakdown.map((b) => (
        <div key={`${b.category}:${b.rateBasisPoints}`}>
          <dt>{b.category === "S" ? t("documents.le.vatLine", { rate: formatPercent(b.rateBasisPoints, locale) }) : b.exemptionReason ? exemptionWording(b.exemptionReason, locale) : t("documents.le.vat")}</dt>
          <dd>{money(b.vatCents)}</dd>
        </div>
      ))}
      <div class="docs-grand">
        <dt>{t("documents.le.totalTtc")}</dt>
        <dd>{money(totals.taxInclusiveCents)}</dd>
      </div>
      {totals.prepaidCents > 0 ? (
        <div>
          <dt>{t("documents.totals.due")}</dt>
          <dd>{money(totals.dueCents)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** Why an issue was refused: the 412's missing items with where to fix each, or another message. */
export interface IssueProblem {
  message: string;
  fields: FieldErrors;
}

function fixLinkOf(key: string, doc: DocumentRow): { href: string; label: MessageKey } {
  if (key.startsWith("profile.")) return { href: PROFILE_PATH, label: "documents.missing.fixProfile" };
  if (key.startsWith("documents.missing.") && doc.clientId) return { href: clientPath(doc.clientId), label: "documents.missing.fixClient" };
  return { href: editPath(doc.id), label: "documents.missing.fixDocument" };
}

function ProblemPanel({ ctx, doc, problem }: { ctx: PageContext; doc: DocumentRow; problem: IssueProblem }) {
  // One item per place to fix (the profile, the client, the draft), listing what is missing there.
  const groups = new Map<string, { label: MessageKey; messages: string[] }>();
  for (const [key, message] of Object.entries(problem.fields)) {
    if (key === "_form") continue;
    const fix = fixLinkOf(key, doc);
    const group = groups.get(fix.href) ?? { label: fix.label, messages: [] };
    group.messages.push(message.replace(/[.\s]+$/, ""));
    groups.set(fix.href, group);
  }
  return (
    <section class="panel panel-warning docs-problem" id="probleme" role="alert" tabIndex={-1}>
      <p>
        <strong>{problem.message}</strong>
      </p>
      {groups.size > 0 ? (
        <>
          <p>{ctx.t("documents.missing.title")}</p>
          <ul class="docs-missing">
            {[...groups].map(([href, group]) => (
              <li key={href}>
                <span>{group.messages.join(" · ")}</span> — <a href={href}>{ctx.t(group.label)}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export interface DetailPageProps {
  ctx: PageContext;
  doc: DocumentRow;
  lines: SummaryLine[];
  totals: DocumentTotals | null;
  clientName: string | null;
  preceding: { id: string; number: string | null } | null;
  creditNotes: Array<{ id: string; number: string | null }>;
  /** Deposit and final invoices: the quote they come from. */
  sourceQuote?: { id: string; number: string | null; issueDate: string | null } | null;
  /** Quotes: their deposit and final invoices, oldest first. */
  chain?: ChainDocument[];
  problem?: IssueProblem | null;
  flash?: Flash | null;
  /** The live public link, opened from its sealed copy (features/documents/share). */
  shareUrl?: string | null;
  shareErrors?: FieldErrors;
  /** Payments of an issued invoice (features/payments paymentsPanelData); absent elsewhere. */
  payments?: Omit<PaymentsPanelProps, "ctx"> | null;
  /** Sends by email of an issued document (features/sending sendPanelData). */
  sending?: Omit<SendPanelProps, "ctx"> | null;
  /** Reminders of an issued invoice (features/reminders reminderPanelData). */
  reminders?: ReminderPanelData | null;
  /** E-invoicing network: transmission and lifecycle of an issued e-invoice (features/einvoicing). */
  transmission?: Transmission | null;
}

export interface ChainDocument {
  id: string;
  type: DocumentType;
  status: DocumentRow["status"];
  number: string | null;
  taxInclusiveCents: number;
}

/** A quote's deposit and final invoices: number (a link), kind, amount and state. */
function ChainPanel({ ctx, chain, invoiced }: { ctx: PageContext; chain: ChainDocument[]; invoiced: boolean }) {
  const { t, locale } = ctx;
  return (
    <section class="panel" aria-labelledby="chain-h">
      <h2 id="chain-h">{t("documents.chain")}</h2>
      {invoiced ? <p class="hint">{t("documents.chain.invoiced")}</p> : null}
      <ul class="docs-chain">
        {chain.map((d) => (
          <li key={d.id}>
            <a href={documentPath(d.id)} class={d.number ? "doc-number" : "doc-number doc-draft"}>
              {d.number ?? t("documents.draftNumber")}
            </a>{" "}
            <TypeBadge ctx={ctx} type={d.type} /> <StatusBadge ctx={ctx} type={d.type} status={d.status} />{" "}
            <span class="num">{formatMoney(d.taxInclusiveCents, locale)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** /documents/:id: a draft's content and actions, or an issued document's PDF, files and fingerprint. */
export function DocumentDetailPage({ ctx, doc, lines, totals, clientName, preceding, creditNotes, sourceQuote, chain = [], problem, flash, shareUrl, shareErrors, payments, sending, reminders, transmission }: DetailPageProps) {
  const { t, locale } = ctx;
  const kind = listKindOf(doc.type);
  const draft = doc.status === "draft";
  const issuing = draft && doc.issueRequestedAt !== null;
  const editable = draft && !issuing;
  const typeLabel = t(`documents.type.${doc.type}`);
  const heading = doc.number ?? `${typeLabel} — ${t("documents.draftNumber").toLowerCase()}`;
  const cancellable = (doc.type === "invoice" || doc.type === "deposit_invoice") && doc.status === "issued";
  // Any quote or invoice, draft or issued, can start a new draft (features/documents/duplicate).
  const duplicable = (doc.type === "quote" || doc.type === "invoice") && !issuing;
  const date = (d: string | null) => (d ? formatDate(d, locale) : "—");
  const invoiced = doc.type === "quote" && quoteInvoiced(chain);
  return (
    <AppLayout ctx={ctx} title={doc.number ?? typeLabel} flash={flash} {...(shareUrl ? { islands: ["copy-text"] } : {})}>
      <a href={LISTS[kind].path} class="docs-back">
        {`← ${t(kind === "quotes" ? "documents.back.quotes" : "documents.back.invoices")}`}
      </a>
      <div class="docs-header">
        <div>
          <p class="docs-badges">
            <TypeBadge ctx={ctx} type={doc.type} /> {payments ? <PaymentStatusBadge ctx={ctx} status={payments.state.status} /> : <StatusBadge ctx={ctx} type={doc.type} status={quoteDisplayStatus(doc, todayInParis(Date.now()), invoiced)} issuing={issuing} />}
          </p>
          <h1>{heading}</h1>
          <p class="lead">
            {clientName ?? "—"} · {formatMoney(doc.taxInclusiveCents, locale)}
          </p>
        </div>
        {draft || duplicable ? (
          <div class="docs-header-actions">
            {duplicable ? (
              <form method="post" action={`${documentPath(doc.id)}/dupliquer`} title={t("documents.duplicate.hint")}>
                <CsrfField ctx={ctx} />
                <button type="submit" class="button">
                  {t("documents.duplicate")}
                </button>
              </form>
            ) : null}
            {editable ? (
              <a href={editPath(doc.id)} class="button">
                {t("documents.edit")}
              </a>
            ) : null}
            {draft ? (
              <form method="post" action={`${documentPath(doc.id)}/emettre`}>
                <CsrfField ctx={ctx} />
                <button type="submit" class="button primary">
                  {t("documents.issue")}
                </button>
              </form>
            ) : null}
          </div>
        ) : null}
      </div>
      {problem ? <ProblemPanel ctx={ctx} doc={doc} problem={problem} /> : null}
      {draft ? (
        <p class="hint docs-issue-hint">{issuing ? t("documents.issue.pending") : t(doc.type === "quote" ? "documents.issue.hint" : "documents.issue.hint.invoice")}</p>
      ) : (
        <p class="docs-frozen">{t("documents.issuedOn", { date: date(doc.issueDate) })}</p>
      )}

      <div class="docs-detail">
        <div class="docs-main">
          {draft ? (
            <section class="panel">
              <h2>{t("documents.lines")}</h2>
              <LinesTable ctx={ctx} lines={lines} totals={totals} />
            </section>
          ) : (
            <section class="panel docs-preview">
              <h2>{t("documents.preview")}</h2>
              <iframe src={`${previewPath(doc.id)}#navpanes=0&view=FitH`} title={`${t("documents.preview")} ${doc.number ?? ""}`} loading="lazy" />
              <p class="hint">
                {t("documents.preview.fallback")} <a href={downloadPath(doc.id, "pdf")}>{t("documents.download.pdf")}</a>
              </p>
            </section>
          )}
        </div>
        <aside class="docs-side">
          <section class="panel">
            <dl class="docs-facts">
              <Fact label={t("documents.client")}>{doc.clientId && clientName ? <a href={clientPath(doc.clientId)}>{clientName}</a> : "—"}</Fact>
              {doc.number ? <Fact label={t("documents.col.number")}>{doc.number}</Fact> : null}
              <Fact label={t("documents.detail.issueDate")}>{doc.issueDate ? date(doc.issueDate) : t("documents.detail.issueDate.pending")}</Fact>
              {doc.deliveryDate ? <Fact label={t("documents.deliveryDate")}>{date(doc.deliveryDate)}</Fact> : null}
              {doc.validUntil ? <Fact label={t("documents.validUntil")}>{date(doc.validUntil)}</Fact> : null}
              {doc.dueDate ? <Fact label={t("documents.detail.dueDate")}>{date(doc.dueDate)}</Fact> : null}
              {draft && doc.type !== "quote" ? (
                <Fact label={t("documents.detail.paymentTerms")}>
                  {doc.paymentTermsDays === null ? t("documents.detail.paymentTerms.default") : t("documents.detail.paymentTerms.days", { days: doc.paymentTermsDays })}
                </Fact>
              ) : null}
              {doc.purchaseOrderReference ? <Fact label={t("documents.detail.reference")}>{doc.purchaseOrderReference}</Fact> : null}
              {sourceQuote ? (
                <Fact label={t("documents.sourceQuote")}>
                  <a href={documentPath(sourceQuote.id)}>
                    {sourceQuote.number && sourceQuote.issueDate ? quoteReferenceText({ number: sourceQuote.number, issueDate: sourceQuote.issueDate }, locale) : (sourceQuote.number ?? "—")}
                  </a>
                </Fact>
              ) : null}
              {preceding ? (
                <Fact label={t("documents.preceding")}>
                  <a href={documentPath(preceding.id)}>{preceding.number ?? "—"}</a>
                </Fact>
              ) : null}
              {creditNotes.length > 0 ? (
                <Fact label={t("documents.creditNotes")}>
                  {creditNotes.map((cn, i) => (
                    <span key={cn.id}>
                      {i > 0 ? ", " : null}
                      <a href={documentPath(cn.id)}>{cn.number ?? t("documents.draftNumber")}</a>
                    </span>
                  ))}
                </Fact>
              ) : null}
              {doc.note ? <Fact label={t("documents.note")}>{doc.note}</Fact> : null}
            </dl>
          </section>
          <section class="panel">
            <h2>{t("documents.totals")}</h2>
            {totals ? <TotalsList ctx={ctx} totals={totals} /> : <p class="muted">—</p>}
          </section>
          {!draft ? (
            <section class="panel">
              <h2>{t("documents.downloads")}</h2>
              <ul class="docs-files">
                <li>
                  <a href={downloadPath(doc.id, "pdf")} download>
                    {t("documents.download.pdf")}
                  </a>
                </li>
                {doc.xmlKey ? (
                  <li>
                    <a href={downloadPath(doc.id, "xml")} download>
                      {t("documents.download.xml")}
                    </a>
                  </li>
                ) : null}
              </ul>
              {doc.pdfSha256 ? (
                <p class="docs-hash">
                  <span class="muted">{t("documents.sha256")}</span>
                  <code>{doc.pdfSha256}</code>
                </p>
              ) : null}
            </section>
          ) : null}
          {transmission ? <TransmissionPanel ctx={ctx} tx={transmission} creditNoteAction={cancellable ? `${documentPath(doc.id)}/annuler` : null} /> : null}
          {payments ? <PaymentsPanel ctx={ctx} {...payments} /> : null}
          {sending ? <SendPanel ctx={ctx} {...sending} /> : null}
          {reminders ? <ReminderPanel ctx={ctx} {...reminders} /> : null}
          {chain.length > 0 ? <ChainPanel ctx={ctx} chain={chain} invoiced={invoiced} /> : null}
          <ShareActions ctx={ctx} doc={doc} shareUrl={shareUrl ?? null} errors={shareErrors} invoiced={invoiced} />
          {cancellable ? (
            <section class="panel">
              <h2>{t("documents.actions")}</h2>
              <details class="docs-confirm">
                <summary class="button danger">{t("documents.cancel")}</summary>
                <p class="hint">{t("documents.cancel.hint")}</p>
                <form method="post" action={`${documentPath(doc.id)}/annuler`}>
                  <CsrfField ctx={ctx} />
                  <button type="submit" class="button danger">
                    {t("documents.cancel.confirm")}
                  </button>
                </form>
              </details>
              {doc.type === "invoice" ? (
                <p>
                  <a href={`${newPath("credit_note")}&facture=${encodeURIComponent(doc.id)}`}>{t("documents.creditNote.partial")}</a>
                </p>
              ) : null}
            </section>
          ) : null}
          {editable ? (
            <section class="panel">
              <details class="docs-confirm">
                <summary class="button danger">{t("documents.delete")}</summary>
                <p class="hint">{t("documents.delete.hint")}</p>
                <form method="post" action={`${documentPath(doc.id)}/supprimer`}>
                  <CsrfField ctx={ctx} />
                  <button type="submit" class="button danger">
                    {t("documents.delete.confirm")}
                  </button>
                </form>
              </details>
            </section>
          ) : null}
        </aside>
      </div>
    </AppLayout>
  );
}
