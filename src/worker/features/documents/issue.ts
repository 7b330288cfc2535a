import { and, eq, gte, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { accounts, clients, depositDeductions, documentSeries, documents, issueLog } from "../../db/schema";
import { documentContentHash } from "../../domain/audit-chain";
import type { DeductedDeposit, DocumentSnapshot, LineSnapshot } from "../../domain/document";
import { toCii } from "../../domain/einvoice/cii";
import { queueInvoiceStatement, submitQueued } from "../einvoicing/outbox";
import { planTransmission, skippedStatement } from "../einvoicing/transmit";
import type { Config } from "../../config";
import { DEFAULT_PREFIXES, seriesIdFor } from "../../domain/numbering";
import { issueDateRefusal } from "../../domain/issue-date";
import { formatMoney } from "../../domain/format";
import { creditableCents } from "../../domain/quote-chain";
import { assembleSnapshot, type SnapshotSpec } from "../../domain/snapshot";
import { AppError } from "../../http/errors";
import { sha256Hex } from "../../lib/crypto/random";
import { numberingFor } from "../../numbering/numbering-object";
import { documentFonts } from "../../pdf/assets";
import { renderDocumentPdf } from "../../pdf/document-pdf";
import { aggregateStatementsForIssue } from "../payments/aggregates";
import { creditStatementsForIssue } from "../payments/verbs";
import { stockStatementsForIssue } from "../stock/issue";
import { profileCompleteness } from "../profile/completeness";
import { getProfile, logoKeyOf } from "../profile/verbs";
import { type AccountVerbCtx, type DocumentRow, type LineRow, discountOf, loadDocument, todayInParis } from "./drafts";
import { issueDateError, notFoundError, regimeErrors } from "./errors";
import { refuseDuringImport } from "../data/import-lock";
import { payUrlForIssue } from "../stripe/checkout";
import { buyerMissing, buyerSnapshot, sellerSnapshot } from "./parties";

/** Test-only hooks to inject failures between the steps of an issue; only issueFaultsFrom builds them for a route. */
export interface IssueFaults {
  afterAllocation?: () => void | Promise<void>;
}

/**
 * The reliability harness's fault switch: with FAULT_ISSUE_WRITE_RATE set (local/test only, config
 * refuses it in production), that share of issue requests fail after the number is allocated, as a
 * lost D1 write would. No faults when unset or outside local/test.
 */
export function issueFaultsFrom(config: Config, random: () => number = Math.random): IssueFaults {
  const rate = config.FAULT_ISSUE_WRITE_RATE;
  if (!rate || config.ENVIRONMENT === "production") return {};
  return {
    afterAllocation: () => {
      if (random() < rate) throw new AppError("internal", "injected fault: issue write failed after allocation (FAULT_ISSUE_WRITE_RATE)");
    },
  };
}

export const documentKey = (accountId: string, documentId: string, ext: "pdf" | "xml") => `accounts/${accountId}/documents/${documentId}.${ext}`;

function lineSnapshots(lines: LineRow[]): LineSnapshot[] {
  return lines.map((l) => ({
    position: l.position,
    description: l.description,
    quantity: l.quantity,
    unitCode: l.unitCode,
    unitPriceCents: l.unitPriceCents,
    // Only a sub-cent price adds the key: whole-cent snapshots stay byte for byte as before.
    ...(l.unitPriceE4 === null ? {} : { unitPriceE4: l.unitPriceE4 }),
    discount: discountOf(l),
    vat: { category: l.vatCategory, rateBasisPoints: l.vatRateBp, exemptionCode: l.exemptionCode },
    kind: l.kind,
  }));
}

async function deductedDepositsOf(ctx: AccountVerbCtx, doc: DocumentRow): Promise<DeductedDeposit[]> {
  if (doc.type !== "invoice") return [];
  const rows = await ctx.db
    .select({ number: documents.number, issueDate: documents.issueDate, amount: documents.taxInclusiveCents })
    .from(depositDeductions)
    .innerJoin(documents, eq(documents.id, depositDeductions.depositDocumentId))
    .where(and(eq(depositDeductions.finalDocumentId, doc.id), eq(depositDeductions.accountId, ctx.accountId), eq(documents.accountId, ctx.accountId)))
    .all();
  return rows.map((r) => ({ number: r.number ?? "", issueDate: r.issueDate ?? "", amountCents: r.amount }));
}

/** Everything an issue needs, read in one go and checked: refusals happen before any number exists. */
async function prepare(ctx: AccountVerbCtx, doc: DocumentRow, lines: LineRow[], issueDate: string) {
  const [profile, accountRow, client, series, deposits, preceding, quote] = await Promise.all([
    getProfile(ctx),
    ctx.db.select().from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
    doc.clientId ? ctx.db.select().from(clients).where(and(eq(clients.id, doc.clientId), eq(clients.accountId, ctx.accountId))).get() : undefined,
    ctx.db.select().from(documentSeries).where(and(eq(documentSeries.accountId, ctx.accountId), eq(documentSeries.type, doc.type))).get(),
    deductedDepositsOf(ctx, doc),
    doc.precedingDocumentId
      ? ctx.db.select().from(documents).where(and(eq(documents.id, doc.precedingDocumentId), eq(documents.accountId, ctx.accountId))).get()
      : undefined,
    // A deposit or final invoice names its quote in its frozen snapshot (issued documents never change).
    doc.sourceQuoteId
      ? ctx.db
          .select({ number: documents.number, issueDate: documents.issueDate })
          .from(documents)
          .where(and(eq(documents.id, doc.sourceQuoteId), eq(documents.accountId, ctx.accountId)))
          .get()
      : undefined,
  ]);
  const fields: Record<string, string> = {};
  if (!accountRow) throw notFoundError(ctx);
  // The keys are field paths already ("profile.siren…"): prefixing them again doubled them.
  for (const key of profileCompleteness(accountRow)) fields[key] = ctx.t(key);
  if (!client) fields.clientId = ctx.t("documents.err.client");
  else for (const key of buyerMissing(client)) fields[key] = ctx.t(key as "documents.missing.clientAddress");
  if (lines.length === 0) fields.lines = ctx.t("documents.err.noLines");
  if (doc.type === "credit_note" && (!preceding || preceding.status === "draft" || !preceding.number)) fields.precedingDocumentId = ctx.t("documents.err.preceding");
  if (Object.keys(fields).length > 0 || !client) throw new AppError("precondition_failed", ctx.t("documents.err.incomplete"), fields);
  // Checked when the draft was saved, and again here: the regime may have changed since.
  const regime = regimeErrors(ctx, accountRow.vatRegime, lines);
  if (regime) throw regime;

  const spec: SnapshotSpec = {
    type: doc.type,
    number: "",
    issueDate,
    deliveryDate: doc.deliveryDate,
    seller: sellerSnapshot(profile),
    buyer: buyerSnapshot(client),
    lines: lineSnapshots(lines),
    allowances:
      doc.allowanceKind && doc.allowanceValue
        ? [doc.allowanceKind === "percent" ? { kind: "percent", basisPoints: doc.allowanceValue, reason: "Remise" } : { kind: "amount", cents: doc.allowanceValue, reason: "Remise" }]
        : [],
    purchaseOrderReference: doc.purchaseOrderReference,
    precedingInvoice:
      preceding?.number && preceding.issueDate
        ? // Its delivery date dates the credit note's operation (BT-72, einvoice/cii.ts actualDeliveryDate).
          { number: preceding.number, issueDate: preceding.issueDate, deliveryDate: (preceding.snapshot as DocumentSnapshot | null)?.deliveryDate ?? preceding.deliveryDate ?? null }
        : null,
    sourceQuote: quote?.number && quote.issueDate ? { number: quote.number, issueDate: quote.issueDate } : null,
    deductedDeposits: deposits,
    termsDays: doc.paymentTermsDays ?? client.paymentTermsDays ?? profile.paymentTermsDays,
    latePenaltyRateBp: profile.latePenaltyRateBp,
    earlyPaymentDiscountText: profile.earlyPaymentDiscount,
    note: doc.note,
    validUntil: doc.type === "quote" ? doc.validUntil : null,
  };
  const trial = assembleSnapshot({ ...spec, number: "TRIAL" });
  if (!trial.ok) {
    const errs: Record<string, string> = {};
    for (const e of trial.errors) errs[e.path || "_form"] = e.message;
    throw new AppError("invalid", ctx.t("documents.err.lines"), errs);
  }
  return { spec, prefix: series?.prefix ?? DEFAULT_PREFIXES[doc.type], logoKey: profile.logoKey ? logoKeyOf(ctx.accountId) : null, logoType: profile.logoType };
}

/** Stores bytes once under a fixed key; a retry keeps the first stored version and its hash. */
async function storeOnce(ctx: AccountVerbCtx, key: string, bytes: Uint8Array, contentType: string): Promise<string> {
  const existing = await ctx.env.FILES.head(key);
  const stored = existing?.customMetadata?.sha256;
  if (stored) return stored;
  const sha256 = await sha256Hex(bytes);
  await ctx.env.FILES.put(key, bytes, { httpMetadata: { contentType }, customMetadata: { sha256 } });
  return sha256;
}

async function loadLogo(ctx: AccountVerbCtx, key: string | null, type: string | null) {
  if (!key || (type !== "image/png" && type !== "image/jpeg")) return null;
  const obj = await ctx.env.FILES.get(key);
  return obj ? { bytes: new Uint8Array(await obj.arrayBuffer()), type: type as "image/png" | "image/jpeg" } : null;
}

/**
 * Issues a document (the legal act): checks completeness, takes the next number from the account's
 * numbering object, freezes the snapshot, renders the PDF (Factur-X for invoices) and XML, stores
 * them in R2 with their SHA-256, appends to the hash chain, then writes the issued state to D1 in one
 * batch. Every step is idempotent per document, so a retry after any failure — by the user or the
 * reconciler cron — finishes the same issue with the same number: no gap, no duplicate.
 */
export async function issueDocument(
  ctx: AccountVerbCtx,
  documentId: string,
  input: { issueDate?: string } = {},
  faults: IssueFaults = {},
): Promise<DocumentRow> {
  const { doc, lines } = await loadDocument(ctx, documentId);
  if (doc.status !== "draft") throw new AppError("conflict", ctx.t("documents.err.alreadyIssued", { number: doc.number ?? "" }));
  const resuming = doc.issueRequestedAt !== null;
  // A resumed issue holds its number already; a new one waits for a running import to end.
  if (!resuming) await refuseDuringImport(ctx);
  const today = todayInParis(ctx.now);
  const issueDate = resuming ? (doc.issueDate ?? today) : (input.issueDate ?? doc.issueDate ?? today);
  const numbering = numberingFor(ctx.env, ctx.accountId);
  // A resumed issue holds its date and number already: only a new one is held to today's window.
  const seriesNow = resuming ? null : await numbering.seriesState(seriesIdFor(doc.type, today));
  if (seriesNow) {
    const refusal = issueDateRefusal(issueDate, today, seriesNow.lastIssueDate);
    if (refusal) throw issueDateError(ctx, refusal);
  }
  const { spec, prefix, logoKey, logoType } = await prepare(ctx, doc, lines, issueDate);
  // The e-invoicing network: the buyer's directory address goes into BT-49 of the immutable file.
  const network = await planTransmission(ctx, { type: doc.type, issueDate, buyer: spec.buyer });
  if (network.address) spec.buyer = { ...spec.buyer, electronicAddress: { scheme: "0225", value: network.address } };

  if (!resuming) {
    // Freeze the draft before a number exists: from here on it can only end issued.
    const frozen = await ctx.db
      .update(documents)
      .set({ issueRequestedAt: ctx.now, issueDate, updatedAt: ctx.now })
      .where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId), eq(documents.status, "draft"), isNull(documents.issueRequestedAt), creditFits(ctx, doc)))
      .returning({ id: documents.id })
      .get();
    if (!frozen) {
      const now = await ctx.db.select({ status: documents.status, frozen: documents.issueRequestedAt }).from(documents).where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId))).get();
      // Still an unfrozen draft: the credit note no longer fits on its invoice; nothing was written.
      if (now?.status === "draft" && now.frozen === null && doc.type === "credit_note") throw await creditExceeded(ctx, doc);
      return issueDocument(ctx, documentId, input, faults);
    }
  }

  // The first number the object gives in a series must not be one D1 already holds (an imported
  // history, or a series put back by hand): it would be consumed by a write UNIQUE refuses.
  const floor = seriesNow && seriesNow.issued === 0 ? await nextFreeNumber(ctx, doc.type, prefix, issueDate) : 1;
  const allocation = await numbering.allocate(seriesIdFor(doc.type, issueDate), doc.id, issueDate, prefix, floor);
  if (!allocation.ok) {
    // Nothing was consumed (another issue of the series took a later date meanwhile): the draft
    // goes back exactly as it was, its own date and last change included, and the refusal explains.
    await ctx.db
      .update(documents)
      .set({ issueRequestedAt: null, issueDate: doc.issueDate, updatedAt: doc.updatedAt })
      .where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId), eq(documents.status, "draft")));
    throw issueDateError(ctx, { code: "issue_date_before_last", lastIssueDate: allocation.lastIssueDate });
  }
  await faults.afterAllocation?.();

  const assembled = assembleSnapshot({ ...spec, number: allocation.formatted, issueDate: allocation.issueDate });
  if (!assembled.ok) throw new AppError("internal", "snapshot assembly failed after the trial succeeded");
  const snapshot: DocumentSnapshot = assembled.snapshot;
  const isEInvoice = doc.type !== "quote";
  const xml = isEInvoice ? new TextEncoder().encode(toCii(snapshot)) : null;
  const pdf = await renderDocumentPdf(snapshot, { fonts: documentFonts(), logo: await loadLogo(ctx, logoKey, logoType), xml, payUrl: await payUrlForIssue(ctx, doc) });

  const pdfKey = documentKey(ctx.accountId, doc.id, "pdf");
  const xmlKey = xml ? documentKey(ctx.accountId, doc.id, "xml") : null;
  const [pdfSha256, xmlSha256] = await Promise.all([
    storeOnce(ctx, pdfKey, pdf, "application/pdf"),
    xml && xmlKey ? storeOnce(ctx, xmlKey, xml, "text/xml") : Promise.resolve(null),
  ]);
  const totals = snapshot.totals;
  const contentHash = documentContentHash({
    type: doc.type,
    number: snapshot.number,
    issueDate: snapshot.issueDate,
    taxInclusiveCents: totals.taxInclusiveCents,
    dueCents: totals.dueCents,
    pdfSha256,
    xmlSha256,
  });
  const entry = await numbering.appendIssueLog(doc.id, contentHash);

  const [updated] = await ctx.db.batch([
    ctx.db
      .update(documents)
      .set({
        status: doc.type === "quote" ? "sent" : "issued",
        number: snapshot.number,
        seriesId: seriesIdFor(doc.type, issueDate),
        issueDate: snapshot.issueDate,
        dueDate: doc.type === "quote" ? null : snapshot.payment.dueDate,
        taxExclusiveCents: totals.taxExclusiveCents,
        vatTotalCents: totals.vatTotalCents,
        taxInclusiveCents: totals.taxInclusiveCents,
        dueCents: totals.dueCents,
        snapshot,
        pdfKey,
        pdfSha256,
        xmlKey,
        xmlSha256,
        issuedAt: ctx.now,
        updatedAt: ctx.now,
      })
      .where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId), eq(documents.status, "draft")))
      .returning(),
    ctx.db
      .insert(issueLog)
      .values({ accountId: ctx.accountId, seq: entry.seq, documentId: doc.id, action: "issue", at: ctx.now, contentHash: entry.contentHash, prevHash: entry.prevHash, hash: entry.hash })
      .onConflictDoNothing(),
    // Monthly invoiced totals for the dashboard, counted only by the batch that issues.
    ...aggregateStatementsForIssue(ctx.db, ctx.accountId, { id: doc.id, type: doc.type, issueDate: snapshot.issueDate, dueCents: totals.dueCents, issuedAt: ctx.now }),
    // A credit note on an invoice already paid beyond what it now asks: that part becomes client credit.
    ...creditStatementsForIssue(ctx.db, ctx.accountId, { id: doc.id, type: doc.type, precedingDocumentId: doc.precedingDocumentId, issuedAt: ctx.now }),
    // Goods leave stock when their invoice is issued (back on a credit note), in this same batch.
    ...stockStatementsForIssue(ctx.db, ctx.accountId, { id: doc.id, type: doc.type, issueDate: snapshot.issueDate, issuedAt: ctx.now }, lines),
    // Its transmission through the PA is owed from the same batch: an outage loses nothing.
    ...(network.transmit
      ? [queueInvoiceStatement(ctx.db, { accountId: ctx.accountId, documentId: doc.id, sha256: pdfSha256, fileKey: pdfKey, fileName: `${snapshot.number}.pdf`, buyerAddress: snapshot.buyer.electronicAddress?.value ?? null, now: ctx.now })]
      : network.note
        ? [skippedStatement(ctx.db, { accountId: ctx.accountId, documentId: doc.id, note: network.note, now: ctx.now })]
        : []),
  ]);
  await numbering.confirm([doc.id]);
  // First attempt right away; the cron retries with backoff if the PA is down (features/einvoicing/outbox.ts).
  if (network.transmit) await submitQueued(ctx, doc.id).catch(() => undefined);
  const row = updated[0];
  if (!row) return (await loadDocument(ctx, documentId)).doc;
  return row;
}

/**
 * The freeze's condition for a credit note: what its invoice can still be credited (domain/quote-chain.ts:
 * its total less the credit notes issued or being issued on it) covers this one. Evaluated inside the
 * freezing UPDATE, so two credit notes frozen at once cannot both take the same remainder.
 */
function creditFits(ctx: AccountVerbCtx, doc: DocumentRow) {
  if (doc.type !== "credit_note" || !doc.precedingDocumentId) return undefined;
  return sql`(SELECT p.tax_inclusive_cents FROM documents p WHERE p.id = ${doc.precedingDocumentId} AND p.account_id = ${ctx.accountId})
    - (SELECT COALESCE(SUM(c.tax_inclusive_cents), 0) FROM documents c WHERE c.account_id = ${ctx.accountId} AND c.preceding_document_id = ${doc.precedingDocumentId}
       AND c.type = 'credit_note' AND c.id != ${doc.id} AND (c.status != 'draft' OR c.issue_requested_at IS NOT NULL)) >= ${documents.taxInclusiveCents}`;
}

/** The refusal of a credit note beyond its invoice's remainder, naming the remainder. */
async function creditExceeded(ctx: AccountVerbCtx, doc: DocumentRow): Promise<AppError> {
  const rows = await ctx.db
    .select({ id: documents.id, type: documents.type, status: documents.status, frozen: documents.issueRequestedAt, total: documents.taxInclusiveCents, number: documents.number })
    .from(documents)
    .where(and(eq(documents.accountId, ctx.accountId), or(eq(documents.id, doc.precedingDocumentId ?? ""), eq(documents.precedingDocumentId, doc.precedingDocumentId ?? ""))))
    .all();
  const invoice = rows.find((r) => r.id === doc.precedingDocumentId);
  const credited = rows.filter((r) => r.type === "credit_note" && r.id !== doc.id && (r.status !== "draft" || r.frozen !== null)).map((r) => r.total);
  const remaining = creditableCents(invoice?.total ?? 0, credited);
  const message = ctx.t("documents.err.creditExceeds", { remaining: formatMoney(remaining, ctx.locale), number: invoice?.number ?? "" });
  return new AppError("conflict", message, { lines: message });
}

/** One past the highest counter D1 holds among the numbers `prefix-YYYY-…` of a type (1 when none). */
async function nextFreeNumber(ctx: AccountVerbCtx, type: DocumentRow["type"], prefix: string, issueDate: string): Promise<number> {
  const head = `${prefix}-${issueDate.slice(0, 4)}-`;
  // A range on the (account, type, number) index; '.' is the character after '-'.
  const row = await ctx.db
    .select({ max: sql<number | null>`MAX(CAST(substr(${documents.number}, ${head.length + 1}) AS INTEGER))` })
    .from(documents)
    .where(and(eq(documents.accountId, ctx.accountId), eq(documents.type, type), gte(documents.number, head), lt(documents.number, `${head.slice(0, -1)}.`)))
    .get();
  return (row?.max ?? 0) + 1;
}

/** Drafts whose issue started but never finished (crash, failed D1 write): the reconciler's work. */
export function pendingIssues(db: AccountVerbCtx["db"], olderThan: number) {
  return db
    .select({ id: documents.id, accountId: documents.accountId })
    .from(documents)
    .where(and(eq(documents.status, "draft"), isNotNull(documents.issueRequestedAt), lt(documents.issueRequestedAt, olderThan)))
    .all();
}
