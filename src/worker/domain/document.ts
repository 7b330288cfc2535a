import type { DocumentTotals } from "./totals";
import type { VatCategory } from "./vat";

/**
 * The frozen content of an issued document: everything the PDF, the Factur-X/UBL XML and any later
 * display need, copied at issue time and never changed afterwards (ARCHITECTURE.md, "snapshots").
 * Pure data: no I/O, JSON-serialisable.
 */

export type DocumentType = "quote" | "invoice" | "deposit_invoice" | "credit_note";

/** UNTDID 1001 document type codes (BT-3). Quotes are not e-invoices. */
export const UNTDID_1001: Record<Exclude<DocumentType, "quote">, "380" | "386" | "381"> = {
  invoice: "380",
  deposit_invoice: "386",
  credit_note: "381",
};

export type LineKind = "goods" | "service";
/** Operation category mention (décret 2022-1299): goods, services, or both. */
export type OperationCategory = "goods" | "services" | "mixed";

export interface PostalAddress {
  line1: string;
  line2?: string | null;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** An electronic address (BT-34 / BT-49), e.g. scheme "0225" with a SIREN-based value. */
export interface ElectronicAddress {
  scheme: string;
  value: string;
}

export interface SellerSnapshot {
  /** The legal name as printed, "EI" included for an individual entrepreneur. */
  name: string;
  tradeName?: string | null;
  /** Printed legal form label ("SAS", "Entrepreneur individuel"…). */
  legalFormLabel: string;
  isCompany: boolean;
  siren: string;
  siret: string;
  vatNumber?: string | null;
  vatRegime: "franchise" | "vat";
  vatOnDebits: boolean;
  registration?: { kind: "rcs" | "rm"; city: string } | null;
  shareCapitalCents?: number | null;
  address: PostalAddress;
  email: string;
  phone?: string | null;
  electronicAddress: ElectronicAddress;
  iban?: string | null;
  bic?: string | null;
}

export interface BuyerSnapshot {
  kind: "company" | "individual";
  name: string;
  siren?: string | null;
  siret?: string | null;
  vatNumber?: string | null;
  address: PostalAddress;
  deliveryAddress?: PostalAddress | null;
  email?: string | null;
  electronicAddress?: ElectronicAddress | null;
  /** Language of the printed document and emails. */
  language: "fr" | "en";
}

export interface LineSnapshot {
  position: number;
  description: string;
  /** Decimal string, up to 4 decimals ("1.5"). */
  quantity: string;
  /** UN/ECE Recommendation 20 unit code (C62 unit, HUR hour, DAY day…). */
  unitCode: string;
  unitPriceCents: number;
  /** Ten-thousandths of a euro, only when the price has more than 2 decimals (domain/totals.ts unitPriceE4Of). */
  unitPriceE4?: number | null;
  discount?: { kind: "percent"; basisPoints: number } | { kind: "amount"; cents: number } | null;
  vat: { category: VatCategory; rateBasisPoints: number; exemptionCode?: string | null; exemptionReason?: string | null };
  kind: LineKind;
}

/** A deposit invoice deducted on a final invoice (LEGAL.md §4). */
export interface DeductedDeposit {
  number: string;
  issueDate: string;
  amountCents: number;
}

export interface PaymentTerms {
  dueDate: string;
  /** Human wording of the terms ("30 jours à compter de la date de facture"). */
  text: string;
  /** Late-payment penalty wording (note PMD); present for B2B, "non applicable" wording for B2C. */
  latePenalty: string;
  /** Fixed recovery indemnity wording (note PMT). */
  recoveryIndemnity: string;
  /** Early-payment discount wording (note AAB). */
  earlyPaymentDiscount: string;
}

/** The invoice a credit note corrects, as its snapshot records it. */
export interface PrecedingInvoice {
  number: string;
  issueDate: string;
  deliveryDate?: string | null;
}

export interface DocumentSnapshot {
  version: 1;
  type: DocumentType;
  number: string;
  /** ISO dates (YYYY-MM-DD). */
  issueDate: string;
  /** Date of the sale or end of the service, when it differs from the issue date. */
  deliveryDate?: string | null;
  currency: "EUR";
  seller: SellerSnapshot;
  buyer: BuyerSnapshot;
  lines: LineSnapshot[];
  /** Document allowances and charges as entered; the per-VAT-group split is in `totals`. */
  allowances: Array<{ kind: "percent"; basisPoints: number; reason: string } | { kind: "amount"; cents: number; reason: string }>;
  totals: DocumentTotals;
  operationCategory: OperationCategory;
  purchaseOrderReference?: string | null;
  /**
   * For a credit note: the invoice it corrects (BT-25/BT-26), and that invoice's own delivery date
   * when it had one (the credit note's BT-72; absent from snapshots issued before it was kept).
   */
  precedingInvoice?: PrecedingInvoice | null;
  /** For a deposit or final invoice: the quote it comes from (printed, and a note in the XML). */
  sourceQuote?: { number: string; issueDate: string } | null;
  deductedDeposits: DeductedDeposit[];
  payment: PaymentTerms;
  /** Every legal mention printed on the document, in order, generated from the profile and client. */
  mentions: string[];
  /** Free note typed by the seller. */
  note?: string | null;
  /** A quote's last day of validity (YYYY-MM-DD), when the seller set one. */
  validUntil?: string | null;
}

/** Goods, services or both, from the lines' kinds. */
export function operationCategoryOf(lines: Pick<LineSnapshot, "kind">[]): OperationCategory {
  const kinds = new Set(lines.map((l) => l.kind));
  if (kinds.size > 1) return "mixed";
  return kinds.has("goods") ? "goods" : "services";
}
