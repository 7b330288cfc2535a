import { and, asc, eq } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import { accounts, clients, depositDeductions, documentLines, documents, DOCUMENT_TYPES } from "../../db/schema";
import { computeTotals, type TotalsInput } from "../../domain/totals";
import { issueDateRefusal } from "../../domain/issue-date";
import { profileCompleteness } from "../profile/completeness";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { immutableError, issueDateError, notFoundError, regimeErrors } from "./errors";
import type { DraftInput } from "./schemas";

export type AccountVerbCtx = VerbCtx & { accountId: string };
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentRow = typeof documents.$inferSelect;
export type LineRow = typeof documentLines.$inferSelect;

/** Today's date in Paris, where French invoices are dated. */
export function todayInParis(now: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(now));
}

/** A stored line's discount columns as the discount of a line input or snapshot (none when unset). */
export function discountOf(l: Pick<LineRow, "discountKind" | "discountValue">) {
  if (!l.discountKind || !l.discountValue) return null;
  return l.discountKind === "percent" ? { kind: "percent" as const, basisPoints: l.discountValue } : { kind: "amount" as const, cents: l.discountValue };
}

export function totalsInputOf(
  lines: Pick<LineRow, "quantity" | "unitPriceCents" | "unitPriceE4" | "discountKind" | "discountValue" | "vatCategory" | "vatRateBp" | "exemptionCode">[],
  doc: { allowanceKind: DocumentRow["allowanceKind"]; allowanceValue: number | null; issueDate?: string | null },
  vatDate: string,
  prepaidCents = 0,
): TotalsInput {
  return {
    vatDate,
    lines: lines.map((l) => {
      const discount = discountOf(l);
      return {
        quantity: l.quantity,
        unitPriceCents: l.unitPriceCents,
        unitPriceE4: l.unitPriceE4,
        ...(discount ? { discount } : {}),
        vat: { category: l.vatCategory, rateBasisPoints: l.vatRateBp, ...(l.exemptionCode ? { exemptionCode: l.exemptionCode } : {}) },
      };
    }),
    allowances:
      doc.allowanceKind && doc.allowanceValue
        ? [
            doc.allowanceKind === "percent"
              ? { kind: "percent" as const, basisPoints: doc.allowanceValue, reason: "Remise" }
              : { kind: "amount" as const, cents: doc.allowanceValue, reason: "Remise" },
          ]
        : [],
    prepaidCents,
  };
}

function lineRows(ctx: AccountVerbCtx, documentId: string, input: DraftInput): LineRow[] {
  return input.lines.map((l, i) => ({
    id: randomId(),
    accountId: ctx.accountId,
    documentId,
    position: i + 1,
    productId: l.productId ?? null,
    description: l.description,
    quantity: l.quantity,
    unitCode: l.unitCode,
    unitPriceCents: l.unitPriceCents,
    unitPriceE4: l.unitPriceE4,
    discountKind: l.discount?.kind ?? null,
    discountValue: l.discount ? (l.discount.kind === "percent" ? l.discount.basisPoints : l.discount.cents) : null,
    vatCategory: l.vatCategory,
    vatRateBp: l.vatRateBp,
    exemptionCode: l.exemptionCode ?? null,
    kind: l.kind,
  }));
}

/** D1 binds at most 100 parameters per statement: a line has 16 columns, so 6 lines per INSERT. */
const LINES_PER_INSERT = Math.floor(100 / 16);

/** The INSERTs of a draft's lines, chunked to stay under D1's bound-parameter limit. */
function lineInserts(ctx: AccountVerbCtx, rows: LineRow[]) {
  const out = [];
  for (let i = 0; i < rows.length; i += LINES_PER_INSERT) out.push(ctx.db.insert(documentLines).values(rows.slice(i, i + LINES_PER_INSERT)));
  return out;
}

/** Checks the lines add up under EN 16931 before anything is stored; returns the list totals. */
function checkedTotals(ctx: AccountVerbCtx, rows: LineRow[], input: DraftInput, allowNegative: boolean) {
  const result = computeTotals({
    ...totalsInputOf(
      rows,
      { allowanceKind: input.allowance?.kind ?? null, allowanceValue: input.allowance?.value ?? null },
      input.issueDate ?? todayInParis(ctx.now),
    ),
    allowNegative,
  });
  if (!result.ok) {
    const fields: Record<string, string> = {};
    for (const e of result.errors) fields[e.path || "_form"] = e.message;
    throw new AppError("invalid", ctx.t("documents.err.lines"), fields);
  }
  return result.totals;
}

/**
 * A draft may carry the date it will be issued with: the same rule as at issue (issue-date.ts),
 * without the series' last date, which only the issue itself can know for sure.
 */
function assertDraftDate(ctx: AccountVerbCtx, input: DraftInput) {
  if (!input.issueDate) return;
  const refusal = issueDateRefusal(input.issueDate, todayInParis(ctx.now), null);
  if (refusal) throw issueDateError(ctx, refusal);
}

async function assertClient(ctx: AccountVerbCtx, clientId: string, lines: DraftInput["lines"]) {
  // The lines must fit the seller's VAT regime (checked again at issue), once the profile is
  // complete: before that the regime is only the default, and the issue is refused anyway.
  const account = await ctx.db.select().from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  const regime = account && profileCompleteness(account).length === 0 ? regimeErrors(ctx, account.vatRegime, lines) : null;
  if (regime) throw regime;
  const client = await ctx.db
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.id, clientId), eq(clients.accountId, ctx.accountId)))
    .get();
  if (!client) throw new AppError("invalid", ctx.t("documents.err.client"), { clientId: ctx.t("documents.err.client") });
}

function draftColumns(input: DraftInput) {
  return {
    clientId: input.clientId,
    issueDate: input.issueDate ?? null,
    deliveryDate: input.deliveryDate ?? null,
    validUntil: input.validUntil ?? null,
    paymentTermsDays: input.paymentTermsDays ?? null,
    purchaseOrderReference: input.purchaseOrderReference ?? null,
    note: input.note ?? null,
    allowanceKind: input.allowance?.kind ?? null,
    allowanceValue: input.allowance?.value ?? null,
  };
}

/** Creates a draft (no number: numbers are given at issue only, LEGAL.md §3). */
export async function createDraft(ctx: AccountVerbCtx, type: DocumentType, input: DraftInput, links: { precedingDocumentId?: string; sourceQuoteId?: string; depositBp?: number } = {}): Promise<string> {
  assertDraftDate(ctx, input);
  await assertClient(ctx, input.clientId, input.lines);
  const id = randomId();
  const rows = lineRows(ctx, id, input);
  const totals = checkedTotals(ctx, rows, input, false);
  const statements = [
    ctx.db.insert(documents).values({
      id,
      accountId: ctx.accountId,
      type,
      status: "draft",
      ...draftColumns(input),
      precedingDocumentId: links.precedingDocumentId ?? null,
      sourceQuoteId: links.sourceQuoteId ?? null,
      depositBp: links.depositBp ?? null,
      taxExclusiveCents: totals.taxExclusiveCents,
      vatTotalCents: totals.vatTotalCents,
      taxInclusiveCents: totals.taxInclusiveCents,
      dueCents: totals.dueCents,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }),
    ...lineInserts(ctx, rows),
  ] as const;
  await ctx.db.batch(statements as unknown as Parameters<typeof ctx.db.batch>[0]);
  return id;
}

export async function loadDocument(ctx: AccountVerbCtx, id: string): Promise<{ doc: DocumentRow; lines: LineRow[] }> {
  const [doc, lines] = await ctx.db.batch([
    ctx.db.select().from(documents).where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId))),
    ctx.db
      .select()
      .from(documentLines)
      .where(and(eq(documentLines.documentId, id), eq(documentLines.accountId, ctx.accountId)))
      .orderBy(asc(documentLines.position)),
  ]);
  const row = doc[0];
  if (!row) throw notFoundError(ctx);
  return { doc: row, lines };
}

/** Only an untouched draft may change: issued documents are corrected by a credit note. */
function assertEditable(ctx: AccountVerbCtx, doc: DocumentRow) {
  if (doc.status !== "draft" || doc.issueRequestedAt !== null) throw immutableError(ctx, doc.number);
}

/** Replaces a draft's content; refused (409) once the document is issued or being issued. */
export async function updateDraft(ctx: AccountVerbCtx, id: string, input: DraftInput): Promise<void> {
  const { doc } = await loadDocument(ctx, id);
  assertEditable(ctx, doc);
  assertDraftDate(ctx, input);
  await assertClient(ctx, input.clientId, input.lines);
  const rows = lineRows(ctx, id, input);
  const totals = checkedTotals(ctx, rows, input, false);
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(documents)
      .set({
        ...draftColumns(input),
        taxExclusiveCents: totals.taxExclusiveCents,
        vatTotalCents: totals.vatTotalCents,
        taxInclusiveCents: totals.taxInclusiveCents,
        dueCents: totals.dueCents,
        updatedAt: ctx.now,
      })
      .where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId), eq(documents.status, "draft")))
      .returning({ id: documents.id }),
    ctx.db.delete(documentLines).where(and(eq(documentLines.documentId, id), eq(documentLines.accountId, ctx.accountId))),
    ...lineInserts(ctx, rows),
  ] as unknown as Parameters<typeof ctx.db.batch>[0]);
  if ((updated as unknown[]).length === 0) throw immutableError(ctx, doc.number);
}

/** Deletes a draft. Issued documents (and drafts whose issue has started) are never deleted. */
export async function deleteDraft(ctx: AccountVerbCtx, id: string): Promise<void> {
  const { doc } = await loadDocument(ctx, id);
  assertEditable(ctx, doc);
  await ctx.db.batch([
    ctx.db.delete(depositDeductions).where(and(eq(depositDeductions.finalDocumentId, id), eq(depositDeductions.accountId, ctx.accountId))),
    ctx.db.delete(documentLines).where(and(eq(documentLines.documentId, id), eq(documentLines.accountId, ctx.accountId))),
    ctx.db.delete(documents).where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId), eq(documents.status, "draft"))),
  ]);
}
