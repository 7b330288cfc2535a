import { and, asc, desc, eq, inArray, isNotNull, isNull, or } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  basisPointsToInput,
  type CatalogueItem,
  catalogueItemOf,
  centsToInput,
  type EditorLine,
  fieldOf,
  type LineJson,
  parseAllowance,
  toEditorLine,
  totalsErrors,
  totalsInputOf,
} from "../../../client/islands/line-editor";
import { accountCtx } from "../../context";
import { accounts, clients, documents, products } from "../../db/schema";
import type { DocumentSnapshot } from "../../domain/document";
import { unitPriceDecimal, formatMoney, parseAmountToCents } from "../../domain/format";
import { computeTotals, unitPriceE4Of } from "../../domain/totals";
import { isIsoDate, VAT_CATEGORIES, type VatCategory } from "../../domain/vat";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { putFlash, takeFlash } from "../../http/flash";
import { requireAuth } from "../../http/session";
import { formFields, readForm, validate } from "../../http/validate";
import type { Locale, MessageKey } from "../../ui/i18n";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { listClients } from "../clients/queries";
import { paymentsPanelData } from "../payments/page-routes";
import { sendPanelData } from "../sending/routes";
import { reminderPanelData } from "../reminders/verbs";
import { cancelInvoice } from "./cancel";
import { transmissionOf } from "../einvoicing/transmit";
import {
  type AccountVerbCtx,
  createDraft,
  deleteDraft,
  type DocumentRow,
  type DocumentType,
  type LineRow,
  loadDocument,
  todayInParis,
  totalsInputOf as draftTotalsInput,
  updateDraft,
} from "./drafts";
import { duplicateDocument } from "./duplicate";
import { issueDocument } from "./issue";
import {
  DocumentDetailPage,
  type ClientPicker,
  DocumentEditorPage,
  DocumentsListPage,
  documentPath,
  type IssueProblem,
  LISTS,
  type ListKind,
  lineEditorLabels,
  listHref,
  listKindOf,
  NEW_INVOICE_PATH,
  NEW_QUOTE_PATH,
  snapshotLinesOf,
  summaryLinesOf,
} from "./pages";
import { listDocuments, type ListStatus } from "./queries";
import { convertQuote } from "./quotes";
import { currentShareToken, publicUrlOf, revokeShare, shareDocument } from "./share";
import { DraftInput } from "./schemas";
import { recordAccess } from "../privacy/access-log";
import { contentDisposition } from "../../http/header-values";

type Ctx = Context<AppEnv>;
type InvoiceType = Exclude<DocumentType, "quote">;
const INVOICE_TYPES: readonly InvoiceType[] = ["invoice", "deposit_invoice", "credit_note"];
/** Longest list of clients or catalogue items offered in the editor's selects; beyond, a search field. */
export const PICK_LIMIT = 500;

const OK_FLASHES = {
  created: "documents.created",
  saved: "documents.saved",
  deleted: "documents.deleted",
  cancelled: "documents.cancelled.done",
  shared: "share.created",
  duplicated: "documents.duplicated",
  revoked: "share.revoked",
} as const;

function flashOf(c: Ctx, doc?: DocumentRow): Flash | null {
  const ok = c.req.query("ok");
  if (ok === "issued" && doc?.number) return { kind: "success", text: c.var.t("documents.issued.done", { number: doc.number }) };
  return ok && ok in OK_FLASHES ? { kind: "success", text: c.var.t(OK_FLASHES[ok as keyof typeof OK_FLASHES]) } : null;
}

// ——— Lists ———

async function listPage(c: Ctx, kind: ListKind): Promise<Response> {
  const spec = LISTS[kind];
  const asked = c.req.query("statut");
  const status = spec.tabs.find((s) => s === asked);
  const cursor = c.req.query("cursor")?.slice(0, 200) || undefined;
  const q = c.req.query("q")?.trim().slice(0, 100) || undefined;
  const page = await listDocuments(accountCtx(c), { types: spec.types, status, cursor, q });
  return render(
    c,
    <DocumentsListPage
      ctx={pageContext(c)}
      kind={kind}
      items={page.items}
      status={status}
      cursor={cursor}
      q={q}
      nextCursor={page.nextCursor}
      totals={page.totals}
      flash={flashOf(c)}
    />,
  );
}

// ——— Editor ———

interface EditorState {
  values: Record<string, string>;
  lines: EditorLine[];
  errors?: FieldErrors;
  status?: ContentfulStatusCode;
  /** A no-JS client search ("Rechercher"): the prefix typed. */
  clientQuery?: string;
}

/**
 * The client field of an account with more than PICK_LIMIT clients: the chosen client's name (from
 * the rows already read, else one read by id) and, after a no-JS search, the first names matching.
 */
export async function clientPickerOf(ctx: AccountVerbCtx, rows: Array<{ id: string; name: string }>, keep: string | null, query: string | undefined): Promise<ClientPicker> {
  const q = query?.trim().slice(0, 200);
  const [selected, found] = await Promise.all([
    !keep
      ? Promise.resolve(undefined)
      : (rows.find((r) => r.id === keep) ??
        ctx.db.select({ id: clients.id, name: clients.name }).from(clients).where(and(eq(clients.accountId, ctx.accountId), eq(clients.id, keep))).get()),
    q === undefined ? Promise.resolve(null) : listClients(ctx, { q, archived: false }),
  ]);
  return {
    selected: selected ?? null,
    ...(found && q !== undefined ? { search: { q, matches: found.items.map((x) => ({ id: x.id, name: x.name })) } } : {}),
  };
}

/**
 * What the editor offers: the account's active clients and catalogue, its VAT regime and terms.
 * Clients and products are read PICK_LIMIT + 1 at most: one more than a select holds says that the
 * editor must search instead, without a COUNT over every row.
 */
async function editorPage(c: Ctx, type: DocumentType, state: EditorState, documentId?: string): Promise<Response> {
  const ctx = accountCtx(c);
  const keep = state.values.clientId || null;
  const [clientRows, productRows, account, invoiceRows] = await Promise.all([
    ctx.db
      .select({ id: clients.id, name: clients.name })
      .from(clients)
      .where(and(eq(clients.accountId, ctx.accountId), keep ? or(isNull(clients.archivedAt), eq(clients.id, keep)) : isNull(clients.archivedAt)))
      .orderBy(asc(clients.searchName), asc(clients.id))
      .limit(PICK_LIMIT + 1)
      .all(),
    ctx.db
      .select()
      .from(products)
      .where(and(eq(products.accountId, ctx.accountId), isNull(products.archivedAt)))
      .orderBy(asc(products.searchName), asc(products.id))
      .limit(PICK_LIMIT + 1)
      .all(),
    ctx.db.select({ vatRegime: accounts.vatRegime, paymentTermsDays: accounts.paymentTermsDays }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
    type === "credit_note" && !documentId ? creditableInvoices(ctx) : Promise.resolve([]),
  ]);
  const clientSearch = clientRows.length > PICK_LIMIT;
  const productSearch = productRows.length > PICK_LIMIT;
  const picker = clientSearch ? await clientPickerOf(ctx, clientRows, keep, state.clientQuery) : undefined;
  const catalogue: CatalogueItem[] = productSearch ? [] : productRows.map(catalogueItemOf);
  const issueDate = state.values.issueDate ?? "";
  return render(
    c,
    <DocumentEditorPage
      ctx={pageContext(c)}
      type={type}
      documentId={documentId}
      values={state.values}
      lines={state.lines}
      errors={state.errors}
      clients={clientSearch ? [] : clientRows}
      {...(picker ? { clientPicker: picker } : {})}
      products={catalogue}
      productSearch={productSearch}
      invoices={invoiceRows.map((i) => ({ id: i.id, label: `${i.number ?? ""} — ${i.clientName ?? "—"} — ${formatMoney(i.taxInclusiveCents, ctx.locale)}` }))}
      vatRegime={account?.vatRegime ?? "franchise"}
      defaultTermsDays={account?.paymentTermsDays ?? 30}
      vatDate={isIsoDate(issueDate) ? issueDate : todayInParis(ctx.now)}
    />,
    state.status ?? 200,
  );
}

/** Issued invoices (newest first) a credit note may refer to. */
function creditableInvoices(ctx: AccountVerbCtx) {
  return ctx.db
    .select({ id: documents.id, number: documents.number, taxInclusiveCents: documents.taxInclusiveCents, clientName: clients.name })
    .from(documents)
    .leftJoin(clients, and(eq(clients.id, documents.clientId), eq(clients.accountId, documents.accountId)))
    .where(and(eq(documents.accountId, ctx.accountId), inArray(documents.type, ["invoice", "deposit_invoice"]), eq(documents.status, "issued"), isNotNull(documents.number)))
    .orderBy(desc(documents.issuedAt), desc(documents.id))
    .limit(PICK_LIMIT)
    .all();
}

function lineJsonOf(l: LineRow): LineJson {
  return {
    productId: l.productId,
    description: l.description,
    quantity: l.quantity,
    unitCode: l.unitCode,
    unitPrice: unitPriceDecimal(unitPriceE4Of(l)),
    discount:
      l.discountKind && l.discountValue ? (l.discountKind === "percent" ? { kind: "percent", basisPoints: l.discountValue } : { kind: "amount", cents: l.discountValue }) : null,
    vatCategory: l.vatCategory,
    vatRateBp: l.vatRateBp,
    exemptionCode: l.exemptionCode,
    kind: l.kind,
  };
}

/** A saved draft as form values, the same shape a submitted form has. */
function draftValues(doc: DocumentRow, locale: Locale): Record<string, string> {
  const allowance = doc.allowanceKind && doc.allowanceValue ? doc.allowanceValue : null;
  return {
    clientId: doc.clientId ?? "",
    issueDate: doc.issueDate ?? "",
    deliveryDate: doc.deliveryDate ?? "",
    validUntil: doc.validUntil ?? "",
    paymentTermsDays: doc.paymentTermsDays === null ? "" : String(doc.paymentTermsDays),
    purchaseOrderReference: doc.purchaseOrderReference ?? "",
    note: doc.note ?? "",
    allowanceKind: doc.allowanceKind ?? "percent",
    allowanceValue: allowance === null ? "" : doc.allowanceKind === "percent" ? basisPointsToInput(allowance, locale) : centsToInput(allowance, locale),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const int = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? v : null);

/** Posted JSON lines, however malformed, as editor lines to show again next to their errors. */
function editorLinesOf(raw: unknown, locale: Locale): EditorLine[] {
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 500).filter(isObject).map((o) => {
    const d = isObject(o.discount) ? o.discount : null;
    const category = VAT_CATEGORIES.find((x) => x === o.vatCategory) ?? "S";
    return toEditorLine(
      {
        productId: typeof o.productId === "string" ? o.productId : null,
        description: text(o.description),
        quantity: text(o.quantity),
        unitCode: text(o.unitCode) || "C62",
        // What the editor posts; a client of the earlier editor sent whole cents.
        unitPrice: typeof o.unitPrice === "string" ? o.unitPrice : int(o.unitPriceCents) === null ? "" : unitPriceDecimal((int(o.unitPriceCents) ?? 0) * 100),
        discount: !d ? null : d.kind === "amount" ? { kind: "amount", cents: int(d.cents) ?? Number.NaN } : { kind: "percent", basisPoints: int(d.basisPoints) ?? Number.NaN },
        vatCategory: category as VatCategory,
        vatRateBp: int(o.vatRateBp) ?? 0,
        exemptionCode: typeof o.exemptionCode === "string" ? o.exemptionCode : null,
        kind: o.kind === "goods" ? "goods" : "service",
      },
      locale,
    );
  });
}

/** Line fields whose schema errors (wrong JSON types) read better as the editor's own wording. */
const LINE_MESSAGES: Partial<Record<string, MessageKey>> = {
  quantity: "documents.err.quantity",
  unitPrice: "documents.le.err.price",
  discount: "documents.le.err.discount",
  vat: "documents.le.err.vat",
  unit: "documents.err.unit",
};

/** Schema and verb errors keyed by the editor's fields, the first per field kept. */
function editorErrors(c: Ctx, fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(fields)) {
    const key = fieldOf(path);
    const field = /^lines\.\d+\.(\w+)$/.exec(key)?.[1];
    const better = field ? LINE_MESSAGES[field] : key === "allowance" ? "documents.le.err.discount" : undefined;
    out[key] ??= better ? c.var.t(better) : message;
  }
  return out;
}

type ReadForm = { values: Record<string, string>; lines: EditorLine[] } & ({ ok: true; input: DraftInput } | { ok: false; errors: FieldErrors });

/**
 * Reads the editor form: the fields, and the lines the island serialised as JSON, through the
 * same DraftInput schema as the API; then the totals check the server runs on save, so every
 * problem comes back at once, tied to its field.
 */
async function readDraftForm(c: Ctx, type: DocumentType): Promise<ReadForm> {
  const { locale, t } = c.var;
  const values = await formFields(c);
  const errors: FieldErrors = {};
  let rawLines: unknown = [];
  try {
    rawLines = JSON.parse(values.lines ?? "[]");
  } catch {
    errors.lines = t("documents.err.linesJson");
  }
  const lines = editorLinesOf(rawLines, locale);
  const terms = (values.paymentTermsDays ?? "").trim();
  if (terms && !/^\d{1,3}$/.test(terms)) errors.paymentTermsDays = t("err.terms");
  const allowance = parseAllowance(values.allowanceKind === "amount" ? "amount" : "percent", values.allowanceValue ?? "");
  if (allowance === "invalid") errors.allowance = t("documents.le.err.discount");

  const parsed = validate(
    DraftInput,
    {
      clientId: values.clientId ?? "",
      issueDate: values.issueDate ?? "",
      deliveryDate: values.deliveryDate ?? "",
      validUntil: type === "quote" ? (values.validUntil ?? "") : "",
      paymentTermsDays: terms && !errors.paymentTermsDays ? Number(terms) : null,
      purchaseOrderReference: values.purchaseOrderReference ?? "",
      note: values.note ?? "",
      allowance: allowance === "invalid" ? null : allowance,
      lines: errors.lines ? [] : rawLines,
    },
    locale,
    t,
  );
  if (!parsed.ok) return { ok: false, values, lines, errors: { ...editorErrors(c, parsed.fields), ...errors } };
  const input = parsed.data;
  const totals = computeTotals(totalsInputOf(input.lines, input.allowance, input.issueDate ?? todayInParis(Date.now())));
  if (!totals.ok) for (const [k, v] of Object.entries(totalsErrors(totals.errors, lineEditorLabels(t)))) errors[k] ??= v;
  if (Object.keys(errors).length > 0) return { ok: false, values, lines, errors };
  return { ok: true, values, lines, input };
}

/**
 * The editor form posted by the no-JS "Rechercher" button of the client field: nothing is saved, the
 * editor comes back as it was (fields and lines) with the clients matching what was typed. Null for
 * an ordinary save.
 */
async function clientSearchOf(c: Ctx): Promise<EditorState | null> {
  const values = await formFields(c);
  if (values._pick !== "client") return null;
  let raw: unknown = [];
  try {
    raw = JSON.parse(values.lines ?? "[]");
  } catch {
    // Lines the server cannot read come back empty, as a failed save would show them.
  }
  return { values, lines: editorLinesOf(raw, c.var.locale), clientQuery: values.clientQ ?? "" };
}

/** The invoice a new credit note corrects: an issued invoice or deposit invoice of the account. */
async function creditableInvoice(ctx: AccountVerbCtx, id: string) {
  if (!id) return undefined;
  return ctx.db
    .select()
    .from(documents)
    .where(
      and(
        eq(documents.id, id),
        eq(documents.accountId, ctx.accountId),
        inArray(documents.type, ["invoice", "deposit_invoice"]),
        eq(documents.status, "issued"),
        isNotNull(documents.number),
      ),
    )
    .get();
}

/** POST of a new draft: validated, created, then its page; or the form again with every error. */
async function createFromForm(c: Ctx, type: DocumentType): Promise<Response> {
  const ctx = accountCtx(c);
  const searched = await clientSearchOf(c);
  if (searched) return editorPage(c, type, searched);
  const form = await readDraftForm(c, type);
  const again = (errors: FieldErrors, status: ContentfulStatusCode) => editorPage(c, type, { values: form.values, lines: form.lines, errors, status });
  let preceding: string | undefined;
  if (type === "credit_note") {
    const invoice = await creditableInvoice(ctx, form.values.precedingDocumentId ?? "");
    if (!invoice) {
      const errors = form.ok ? {} : form.errors;
      return again({ ...errors, precedingDocumentId: ctx.t("documents.err.preceding") }, 400);
    }
    preceding = invoice.id;
  }
  if (!form.ok) return again(form.errors, 400);
  try {
    const id = await createDraft(ctx, type, form.input, preceding ? { precedingDocumentId: preceding } : {});
    return c.redirect(`${documentPath(id)}?ok=created`, 303);
  } catch (err) {
    if (err instanceof AppError && err.status < 500 && err.code !== "forbidden") return again(editorErrors(c, err.fields ?? { _form: err.message }), err.status);
    throw err;
  }
}

/**
 * "Nouveau devis" / "Nouvelle facture" from a client's page (?client=): the editor opens with that
 * client chosen. Only an id of this account's clients is ever listed (editorPage reads by account).
 */
function clientChosen(c: Ctx): Record<string, string> {
  const id = c.req.query("client");
  return id ? { clientId: id.slice(0, 100) } : {};
}

function invoiceTypeOf(value: string | undefined): InvoiceType {
  return INVOICE_TYPES.find((x) => x === value) ?? "invoice";
}

/** A new credit note from ?facture=: the invoice's client and lines, to reduce to what is credited. */
async function newCreditNoteValues(c: Ctx): Promise<EditorState> {
  const ctx = accountCtx(c);
  const invoice = await creditableInvoice(ctx, c.req.query("facture") ?? "");
  if (!invoice?.snapshot) return { values: {}, lines: [] };
  const snap = invoice.snapshot as DocumentSnapshot;
  return {
    values: { precedingDocumentId: invoice.id, clientId: invoice.clientId ?? "", purchaseOrderReference: snap.purchaseOrderReference ?? "" },
    lines: snap.lines.map((l) =>
      toEditorLine(
        {
          productId: null,
          description: l.description,
          quantity: l.quantity,
          unitCode: l.unitCode,
          unitPrice: unitPriceDecimal(unitPriceE4Of(l)),
          discount: l.discount ?? null,
          vatCategory: l.vat.category,
          vatRateBp: l.vat.rateBasisPoints,
          exemptionCode: l.vat.exemptionCode ?? null,
          kind: l.kind,
        },
        ctx.locale,
      ),
    ),
  };
}

/** Drafts only: an issued document (or one being issued) answers 409 with the credit-note way. */
async function editableDraft(c: Ctx, id: string) {
  const ctx = accountCtx(c);
  const loaded = await loadDocument(ctx, id);
  if (loaded.doc.status !== "draft" || loaded.doc.issueRequestedAt !== null) {
    throw new AppError("conflict", ctx.t("documents.err.immutable", { number: loaded.doc.number ?? "" }));
  }
  return loaded;
}

// ——— Detail ———

interface DetailState {
  problem?: IssueProblem;
  flash?: Flash | null;
  status?: ContentfulStatusCode;
  shareErrors?: Record<string, string>;
}

async function detailPage(c: Ctx, id: string, state: DetailState = {}): Promise<Response> {
  const ctx = accountCtx(c);
  const refused = await takeFlash<RefusalFlash>(c, "document-refusal");
  if (refused) state = { ...state, problem: refused.problem, ...(refused.shareErrors ? { shareErrors: refused.shareErrors } : {}) };
  const { doc, lines } = await loadDocument(ctx, id);
  const [client, preceding, creditNotes, sourceQuote, chain] = await Promise.all([
    doc.clientId
      ? ctx.db.select({ name: clients.name }).from(clients).where(and(eq(clients.id, doc.clientId), eq(clients.accountId, ctx.accountId))).get()
      : Promise.resolve(undefined),
    doc.precedingDocumentId
      ? ctx.db
          .select({ id: documents.id, number: documents.number })
          .from(documents)
          .where(and(eq(documents.id, doc.precedingDocumentId), eq(documents.accountId, ctx.accountId)))
          .get()
      : Promise.resolve(undefined),
    doc.type === "invoice" || doc.type === "deposit_invoice"
      ? ctx.db
          .select({ id: documents.id, number: documents.number })
          .from(documents)
          .where(and(eq(documents.accountId, ctx.accountId), eq(documents.precedingDocumentId, doc.id), eq(documents.type, "credit_note")))
          .orderBy(asc(documents.createdAt))
          .all()
      : Promise.resolve([]),
    // The quote chain both ways: the quote a deposit or final invoice names, the invoices of a quote.
    doc.sourceQuoteId
      ? ctx.db
          .select({ id: documents.id, number: documents.number, issueDate: documents.issueDate })
          .from(documents)
          .where(and(eq(documents.id, doc.sourceQuoteId), eq(documents.accountId, ctx.accountId)))
          .get()
      : Promise.resolve(undefined),
    doc.type === "quote" && doc.status !== "draft"
      ? ctx.db
          .select({ id: documents.id, type: documents.type, status: documents.status, number: documents.number, taxInclusiveCents: documents.taxInclusiveCents, depositBp: documents.depositBp })
          .from(documents)
          .where(and(eq(documents.accountId, ctx.accountId), eq(documents.sourceQuoteId, doc.id)))
          .orderBy(asc(documents.createdAt), asc(documents.id))
          .all()
      : Promise.resolve([]),
  ]);
  const [payments, sending, reminders, shareToken, transmission] = await Promise.all([
    paymentsPanelData(ctx, doc),
    sendPanelData(ctx, doc),
    reminderPanelData(ctx, doc),
    currentShareToken(ctx, doc),
    doc.status !== "draft" && doc.type !== "quote" ? transmissionOf(ctx, doc.id, ctx.locale) : Promise.resolve(null),
  ]);
  const snapshot = doc.status !== "draft" && doc.snapshot ? (doc.snapshot as DocumentSnapshot) : null;
  let totals = snapshot?.totals ?? null;
  if (!snapshot) {
    const computed = computeTotals(draftTotalsInput(lines, doc, doc.issueDate ?? todayInParis(ctx.now)));
    totals = computed.ok ? computed.totals : null;
  }
  return render(
    c,
    <DocumentDetailPage
      ctx={pageContext(c)}
      doc={doc}
      lines={snapshot ? snapshotLinesOf(snapshot) : summaryLinesOf(lines)}
      totals={totals}
      clientName={client?.name ?? null}
      preceding={preceding ?? null}
      creditNotes={creditNotes}
      sourceQuote={sourceQuote ?? null}
      chain={chain}
      problem={state.problem ?? null}
      flash={state.flash !== undefined ? state.flash : state.problem ? null : flashOf(c, doc)}
      shareUrl={shareToken ? publicUrlOf(ctx.config, shareToken) : null}
      payments={payments}
      sending={sending}
      reminders={reminders}
      transmission={transmission}
      shareErrors={state.shareErrors}
    />,
    state.status ?? 200,
  );
}

/** A refused action shown on the document's page: a 412's missing items, a 409's explanation. */
function refusal(err: unknown): DetailState | null {
  if (!(err instanceof AppError) || err.status >= 500 || err.code === "not_found" || err.code === "forbidden") return null;
  return { problem: { message: err.message, fields: err.fields ?? {} }, status: err.status };
}

/** What a refused action hands to the document's page it redirects to (Post/Redirect/Get). */
interface RefusalFlash {
  problem: IssueProblem;
  shareErrors?: Record<string, string>;
}

/**
 * Post/Redirect/Get for a refused action: the refusal travels in the sealed flash cookie and the
 * document's page shows it, so a reload never posts again nor lands on the action's address.
 * Anything else (a 404, a server error) is rethrown.
 */
async function redirectWithRefusal(c: Ctx, id: string, err: unknown, shareErrors?: Record<string, string>): Promise<Response> {
  const state = refusal(err);
  if (!state?.problem) throw err;
  await putFlash<RefusalFlash>(c, "document-refusal", documentPath(id), { problem: state.problem, ...(shareErrors ? { shareErrors } : {}) });
  return c.redirect(`${documentPath(id)}#probleme`, 303);
}

/** An issued document's stored file, or a 404 (drafts have none); a download goes to the access log. */
async function storedFile(c: Ctx, ext: "pdf" | "xml", download = false) {
  const ctx = accountCtx(c);
  const { doc } = await loadDocument(ctx, c.req.param("id") ?? "");
  const key = ext === "pdf" ? doc.pdfKey : doc.xmlKey;
  const obj = key ? await ctx.env.FILES.get(key) : null;
  if (!obj) throw new AppError("not_found", ctx.t("err.not_found"));
  const name = `${doc.number ?? doc.id}.${ext}`;
  if (download) await recordAccess(ctx, "document_downloaded", name);
  return { name, obj };
}

/** Pages of quotes, invoices, deposit invoices and credit notes: lists, editor, detail, files. */
export const documentsPages = new Hono<AppEnv>()
  .use(LISTS.invoices.path, requireAuth)
  .use(`${LISTS.invoices.path}/*`, requireAuth)
  .use(LISTS.quotes.path, requireAuth)
  .use(`${LISTS.quotes.path}/*`, requireAuth)
  .use("/documents/*", requireAuth)
  .get(LISTS.invoices.path, (c) => listPage(c, "invoices"))
  .get(LISTS.quotes.path, (c) => listPage(c, "quotes"))
  .get(NEW_INVOICE_PATH, async (c) => {
    const type = invoiceTypeOf(c.req.query("type"));
    return editorPage(c, type, type === "credit_note" ? await newCreditNoteValues(c) : { values: clientChosen(c), lines: [] });
  })
  .post(NEW_INVOICE_PATH, async (c) => {
    // The type travels in the form; the query string is the fallback of a hand-made post.
    const body = await readForm(c);
    return createFromForm(c, invoiceTypeOf(typeof body.type === "string" ? body.type : c.req.query("type")));
  })
  .get(NEW_QUOTE_PATH, (c) => editorPage(c, "quote", { values: clientChosen(c), lines: [] }))
  .post(NEW_QUOTE_PATH, (c) => createFromForm(c, "quote"))
  .get("/documents/:id", (c) => detailPage(c, c.req.param("id")))
  .get("/documents/:id/modifier", async (c) => {
    const { doc, lines } = await editableDraft(c, c.req.param("id"));
    const locale = c.var.locale;
    return editorPage(c, doc.type, { values: draftValues(doc, locale), lines: lines.map((l) => toEditorLine(lineJsonOf(l), locale)) }, doc.id);
  })
  .post("/documents/:id/modifier", async (c) => {
    const ctx = accountCtx(c);
    // Read first: an unknown id is a 404 and an issued document a 409, before any validation.
    const { doc } = await editableDraft(c, c.req.param("id"));
    const searched = await clientSearchOf(c);
    if (searched) return editorPage(c, doc.type, searched, doc.id);
    const form = await readDraftForm(c, doc.type);
    const again = (errors: FieldErrors, status: ContentfulStatusCode) => editorPage(c, doc.type, { values: form.values, lines: form.lines, errors, status }, doc.id);
    if (!form.ok) return again(form.errors, 400);
    try {
      await updateDraft(ctx, doc.id, form.input);
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.code !== "forbidden" && err.code !== "not_found") {
        return again(editorErrors(c, err.fields ?? { _form: err.message }), err.status);
      }
      throw err;
    }
    return c.redirect(`${documentPath(doc.id)}?ok=saved`, 303);
  })
  .post("/documents/:id/supprimer", async (c) => {
    const ctx = accountCtx(c);
    const { doc } = await loadDocument(ctx, c.req.param("id"));
    try {
      await deleteDraft(ctx, doc.id);
    } catch (err) {
      return redirectWithRefusal(c, doc.id, err);
    }
    return c.redirect(listHref(listKindOf(doc.type), { ok: "deleted" }), 303);
  })
  .post("/documents/:id/emettre", async (c) => {
    const id = c.req.param("id");
    try {
      await issueDocument(accountCtx(c), id);
    } catch (err) {
      return redirectWithRefusal(c, id, err);
    }
    return c.redirect(`${documentPath(id)}?ok=issued`, 303);
  })
  .post("/documents/:id/annuler", async (c) => {
    const id = c.req.param("id");
    let creditId: string;
    try {
      creditId = (await cancelInvoice(accountCtx(c), id)).id;
    } catch (err) {
      return redirectWithRefusal(c, id, err);
    }
    return c.redirect(`${documentPath(creditId)}?ok=cancelled`, 303);
  })
  .post("/documents/:id/dupliquer", async (c) => {
    const id = c.req.param("id");
    let copy: string;
    try {
      copy = await duplicateDocument(accountCtx(c), id);
    } catch (err) {
      return redirectWithRefusal(c, id, err);
    }
    return c.redirect(`${documentPath(copy)}?ok=duplicated`, 303);
  })
  .post("/documents/:id/partager", async (c) => {
    const id = c.req.param("id");
    await shareDocument(accountCtx(c), id);
    // The page shows the link (opened from its sealed copy), never the URL of this redirect.
    return c.redirect(`${documentPath(id)}?ok=shared#lien`, 303);
  })
  .post("/documents/:id/lien/revoquer", async (c) => {
    const id = c.req.param("id");
    await revokeShare(accountCtx(c), id);
    return c.redirect(`${documentPath(id)}?ok=revoked#lien`, 303);
  })
  .post("/documents/:id/transformer", async (c) => {
    const id = c.req.param("id");
    const form = await formFields(c);
    const percent = parseAmountToCents(form.percent ?? "");
    try {
      const target =
        form.to === "deposit_invoice"
          ? { to: "deposit_invoice" as const, percentBp: percent.ok ? percent.cents : 0 }
          : { to: "invoice" as const };
      const draftId = await convertQuote(accountCtx(c), id, target);
      return c.redirect(`${documentPath(draftId)}?ok=created`, 303);
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.code !== "not_found") {
        return redirectWithRefusal(c, id, new AppError(err.code, err.message), err.fields ?? { percent: err.message });
      }
      throw err;
    }
  })
  .get("/documents/:id/apercu.pdf", async (c) => {
    const { name, obj } = await storedFile(c, "pdf");
    // Framed by the detail page only: same-origin framing, and nothing else may load from it.
    return c.body(obj.body, 200, {
      "Content-Type": "application/pdf",
      "Content-Disposition": contentDisposition("inline", name),
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
      "X-Frame-Options": "SAMEORIGIN",
      "Cache-Control": "private, no-cache",
    });
  })
  .get("/documents/:id/telecharger.pdf", async (c) => {
    const { name, obj } = await storedFile(c, "pdf", true);
    return c.body(obj.body, 200, { "Content-Type": "application/pdf", "Content-Disposition": contentDisposition("attachment", name), "Cache-Control": "private, no-cache" });
  })
  .get("/documents/:id/telecharger.xml", async (c) => {
    const { name, obj } = await storedFile(c, "xml", true);
    return c.body(obj.body, 200, { "Content-Type": "application/xml", "Content-Disposition": contentDisposition("attachment", name), "Cache-Control": "private, no-cache" });
  });
