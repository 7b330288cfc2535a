import type {
  BuyerSnapshot,
  DeductedDeposit,
  DocumentSnapshot,
  DocumentType,
  LineSnapshot,
  OperationCategory,
  PrecedingInvoice,
  SellerSnapshot,
} from "./document";
import { operationCategoryOf } from "./document";
import { type EarlyPaymentDiscount, legalMentions, paymentTerms } from "./mentions";
import { computeTotals, type TotalsError, type TotalsResult } from "./totals";

/** What a document is made of before issue; totals, payment wordings and mentions derive from it. */
export interface SnapshotSpec {
  type: DocumentType;
  number: string;
  issueDate: string;
  deliveryDate?: string | null;
  seller: SellerSnapshot;
  buyer: BuyerSnapshot;
  lines: LineSnapshot[];
  allowances?: DocumentSnapshot["allowances"];
  /** Defaults to the lines' kinds (goods, services or both). */
  operationCategory?: OperationCategory;
  purchaseOrderReference?: string | null;
  precedingInvoice?: PrecedingInvoice | null;
  /** Deposit and final invoices: the quote they come from. */
  sourceQuote?: { number: string; issueDate: string } | null;
  deductedDeposits?: DeductedDeposit[];
  termsDays?: number;
  latePenaltyRateBp?: number | null;
  earlyPaymentDiscount?: EarlyPaymentDiscount | null;
  /** The seller's own early-payment wording, when they typed one in their profile. */
  earlyPaymentDiscountText?: string | null;
  note?: string | null;
  /** A quote's last day of validity. */
  validUntil?: string | null;
}

/** Totals of a spec's lines, allowances and deducted deposits (EN 16931, integer cents). */
export function totalsOfSpec(spec: Pick<SnapshotSpec, "issueDate" | "lines" | "allowances" | "deductedDeposits">): TotalsResult {
  return computeTotals({
    vatDate: spec.issueDate,
    lines: spec.lines.map((l) => ({
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
      unitPriceE4: l.unitPriceE4 ?? null,
      ...(l.discount ? { discount: l.discount } : {}),
      vat: {
        category: l.vat.category,
        rateBasisPoints: l.vat.rateBasisPoints,
        ...(l.vat.exemptionCode ? { exemptionCode: l.vat.exemptionCode } : {}),
        ...(l.vat.exemptionReason ? { exemptionReason: l.vat.exemptionReason } : {}),
      },
    })),
    allowances: spec.allowances ?? [],
    prepaidCents: (spec.deductedDeposits ?? []).reduce((sum, d) => sum + d.amountCents, 0),
  });
}

/**
 * Freezes a document: computes totals, the payment wordings and every legal mention from the
 * seller, the buyer and the lines. Used at issue time and by the test fixtures alike.
 */
export function assembleSnapshot(spec: SnapshotSpec): { ok: true; snapshot: DocumentSnapshot } | { ok: false; errors: TotalsError[] } {
  const totals = totalsOfSpec(spec);
  if (!totals.ok) return totals;
  const payment = paymentTerms({
    issueDate: spec.issueDate,
    termsDays: spec.termsDays ?? 30,
    buyerKind: spec.buyer.kind,
    latePenaltyRateBp: spec.latePenaltyRateBp ?? null,
    earlyPaymentDiscount: spec.earlyPaymentDiscount ?? null,
    locale: spec.buyer.language,
    forQuote: spec.type === "quote",
  });
  if (spec.earlyPaymentDiscountText) payment.earlyPaymentDiscount = spec.earlyPaymentDiscountText;
  const operationCategory: OperationCategory = spec.operationCategory ?? operationCategoryOf(spec.lines);
  const withoutMentions: Omit<DocumentSnapshot, "mentions"> = {
    version: 1,
    type: spec.type,
    number: spec.number,
    issueDate: spec.issueDate,
    deliveryDate: spec.deliveryDate ?? null,
    currency: "EUR",
    seller: spec.seller,
    buyer: spec.buyer,
    lines: spec.lines,
    allowances: spec.allowances ?? [],
    totals: totals.totals,
    operationCategory,
    purchaseOrderReference: spec.purchaseOrderReference ?? null,
    precedingInvoice: spec.precedingInvoice ?? null,
    // Only when there is one: the snapshots of other documents keep their shape.
    ...(spec.sourceQuote ? { sourceQuote: spec.sourceQuote } : {}),
    deductedDeposits: spec.deductedDeposits ?? [],
    payment,
    note: spec.note ?? null,
    ...(spec.type === "quote" ? { validUntil: spec.validUntil ?? null } : {}),
  };
  return { ok: true, snapshot: { ...withoutMentions, mentions: legalMentions(withoutMentions) } };
}
