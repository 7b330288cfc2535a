import { and, eq } from "drizzle-orm";
import { documents } from "../../db/schema";
import type { DocumentSnapshot } from "../../domain/document";
import { AppError } from "../../http/errors";
import { type AccountVerbCtx, createDraft, deleteDraft, loadDocument, type DocumentRow } from "./drafts";
import { issueDocument } from "./issue";

/**
 * Cancels an issued invoice the only lawful way: a credit note for its full amount, referencing it
 * (LEGAL.md §4). The invoice itself is never edited; only its derived status becomes "cancelled".
 */
export async function cancelInvoice(ctx: AccountVerbCtx, invoiceId: string): Promise<DocumentRow> {
  const { doc } = await loadDocument(ctx, invoiceId);
  if ((doc.type !== "invoice" && doc.type !== "deposit_invoice") || doc.status !== "issued" || !doc.snapshot || !doc.clientId) {
    throw new AppError("conflict", ctx.t("documents.err.cancelPaid"));
  }
  const snap = doc.snapshot as DocumentSnapshot;
  const creditId = await createDraft(
    ctx,
    "credit_note",
    {
      clientId: doc.clientId,
      issueDate: null,
      deliveryDate: null,
      validUntil: null,
      paymentTermsDays: 0,
      purchaseOrderReference: snap.purchaseOrderReference ?? undefined,
      note: `Annulation de la facture ${doc.number}`,
      allowance: doc.allowanceKind && doc.allowanceValue ? { kind: doc.allowanceKind, value: doc.allowanceValue } : null,
      lines: snap.lines.map((l) => ({
        productId: null,
        description: l.description,
        quantity: l.quantity,
        unitCode: l.unitCode,
        unitPriceCents: l.unitPriceCents,
        unitPriceE4: l.unitPriceE4 ?? null,
        discount: l.discount ?? null,
        vatCategory: l.vat.category,
        vatRateBp: l.vat.rateBasisPoints,
        exemptionCode: l.vat.exemptionCode ?? null,
        kind: l.kind,
      })),
    },
    { precedingDocumentId: doc.id },
  );
  let credit: DocumentRow;
  try {
    credit = await issueDocument(ctx, creditId);
  } catch (err) {
    // A refusal (incomplete profile, date conflict) must not leave a credit-note draft behind, nor
    // one more per retry. Once a number is allocated the draft is kept: the reconciler finishes it.
    if (err instanceof AppError && err.status < 500) await deleteDraft(ctx, creditId).catch(() => undefined);
    throw err;
  }
  await ctx.db
    .update(documents)
    .set({ status: "cancelled", updatedAt: ctx.now })
    .where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId), eq(documents.status, "issued")));
  return credit;
}
