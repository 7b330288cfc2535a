import { addDays } from "../../domain/mentions";
import { daysBetween } from "../../domain/invoice-status";
import { AppError } from "../../http/errors";
import { type AccountVerbCtx, createDraft, discountOf, loadDocument, todayInParis } from "./drafts";
import type { DocumentLineInput } from "./schemas";

/**
 * A new draft from any quote or invoice (draft or issued): the same client, lines, prices,
 * discounts and VAT as the source — its lines are frozen rows, so a catalogue price changed since
 * does not leak in, and the catalogue is not touched — with today's dates: no issue date (it is
 * given at issue), no delivery date, and a quote keeps its validity span from today.
 * Deposit invoices and credit notes belong to the quote or invoice they derive from: not duplicated.
 */
export async function duplicateDocument(ctx: AccountVerbCtx, id: string): Promise<string> {
  const { doc, lines } = await loadDocument(ctx, id);
  if ((doc.type !== "quote" && doc.type !== "invoice") || !doc.clientId) {
    throw new AppError("conflict", ctx.t("documents.err.duplicateType"));
  }
  const today = todayInParis(ctx.now);
  const from = doc.issueDate ?? todayInParis(doc.createdAt);
  const span = doc.type === "quote" && doc.validUntil ? daysBetween(from, doc.validUntil) : null;
  const lineInputs: DocumentLineInput[] = lines.map((l) => ({
    productId: l.productId,
    description: l.description,
    quantity: l.quantity,
    unitCode: l.unitCode,
    unitPriceCents: l.unitPriceCents,
    unitPriceE4: l.unitPriceE4,
    discount: discountOf(l),
    vatCategory: l.vatCategory,
    vatRateBp: l.vatRateBp,
    exemptionCode: l.exemptionCode,
    kind: l.kind,
  }));
  return createDraft(ctx, doc.type, {
    clientId: doc.clientId,
    issueDate: null,
    deliveryDate: null,
    validUntil: span !== null && span >= 0 ? addDays(today, span) : null,
    paymentTermsDays: doc.paymentTermsDays,
    purchaseOrderReference: undefined,
    note: doc.note ?? undefined,
    allowance: doc.allowanceKind && doc.allowanceValue ? { kind: doc.allowanceKind, value: doc.allowanceValue } : null,
    lines: lineInputs,
  });
}
