/**
 * The e-invoicing network's dated rules (LEGAL.md §7, PA-API.md §1, §3, §4). Pure: no I/O.
 *
 * - Which issued documents go through the PA (domestic B2B), and from when it is the law rather
 *   than the account's choice (1 Sept 2027 for micro, small and medium businesses).
 * - When a 212 Encaissée is owed and with which amounts per VAT rate.
 * - The backoff of a submission the PA could not take.
 * - The French and English words for each lifecycle status.
 */
import type { BuyerSnapshot, DocumentSnapshot } from "../document.ts";
import type { CdarInput } from "./cdar.ts";

/** Issuing domestic B2B invoices through a PA becomes mandatory for SMEs and micro businesses. */
export const ISSUE_MANDATORY_FROM = "2027-09-01";

/** Documents that are invoices in the reform's sense (quotes never travel). */
const E_INVOICE_TYPES = new Set(["invoice", "deposit_invoice", "credit_note"]);

/**
 * Domestic B2B: a French company buyer with a SIREN. Individuals and foreign buyers are reported
 * (e-reporting, Flux 10), not sent through the network.
 */
export function isDomesticB2b(buyer: Pick<BuyerSnapshot, "kind" | "siren" | "address">): boolean {
  return buyer.kind === "company" && Boolean(buyer.siren) && (buyer.address?.country ?? "FR") === "FR";
}

/** In the network's scope: an e-invoice type sent to a domestic B2B buyer. */
export function inNetworkScope(doc: { type: string; buyer: Pick<BuyerSnapshot, "kind" | "siren" | "address"> }): boolean {
  return E_INVOICE_TYPES.has(doc.type) && isDomesticB2b(doc.buyer);
}

/**
 * Does this document go through the PA? Before {@link ISSUE_MANDATORY_FROM} only when the account
 * chose to transmit; from that date every in-scope document does (the account's choice no longer
 * matters, only whether a PA is connected to carry it).
 */
export function mustTransmit(doc: { type: string; issueDate: string; buyer: Pick<BuyerSnapshot, "kind" | "siren" | "address"> }, accountChoseToTransmit: boolean): boolean {
  if (!inNetworkScope(doc)) return false;
  return doc.issueDate >= ISSUE_MANDATORY_FROM || accountChoseToTransmit;
}

/** Directory line statuses (PA-API.md §3). */
export type LineStatus = "Enabled" | "Disabled" | "Upcoming";

/** What to put in BT-49 and whether to send, from the buyer's directory lines (PA-API.md §3). */
export type Addressing =
  /** An Enabled line: BT-49 = its addressing identifier. */
  | { kind: "enabled"; address: string }
  /** Lines exist, none Enabled: send to the SIREN anyway; the PA-E files 200 NON_TRANSMISE. */
  | { kind: "no_platform"; address: string }
  /** The SIREN is unknown to the directory: not VAT-registered, the sale is e-reported as B2C. */
  | { kind: "unknown_buyer" };

/**
 * Chooses the buyer's address: the one typed on the client when it is an Enabled line, otherwise the
 * bare-SIREN Enabled line, otherwise the first Enabled line.
 */
export function chooseAddressing(siren: string, typed: string | null, lines: ReadonlyArray<{ addressingIdentifier: string; directoryLineStatus: string }>, sirenKnown: boolean): Addressing {
  const enabled = lines.filter((l) => l.directoryLineStatus === "Enabled").map((l) => l.addressingIdentifier);
  if (typed && enabled.includes(typed)) return { kind: "enabled", address: typed };
  if (enabled.includes(siren)) return { kind: "enabled", address: siren };
  if (enabled[0]) return { kind: "enabled", address: enabled[0] };
  if (lines.length > 0 || sirenKnown) return { kind: "no_platform", address: typed || siren };
  return { kind: "unknown_buyer" };
}

/**
 * When a 212 Encaissée is owed, as a dated table (first matching row wins). VAT is due on
 * collection for services by a VAT-registered seller who did not opt for VAT on debits (CGI art.
 * 269-2-c); that is when the PPF must learn of each collection. Goods (VAT due on delivery) and
 * sellers under the franchise (no VAT due; PA-API.md §5 marks this uncertain) send none.
 */
export const COLLECTION_STATUS_RULES: ReadonlyArray<{
  from: string;
  vatRegime: "franchise" | "vat";
  vatOnDebits: boolean | "any";
  category: "goods" | "services" | "mixed" | "any";
  owed: boolean;
  why: string;
}> = [
  { from: "2026-09-01", vatRegime: "franchise", vatOnDebits: "any", category: "any", owed: false, why: "franchise: no VAT due [uncertain]" },
  { from: "2026-09-01", vatRegime: "vat", vatOnDebits: true, category: "any", owed: false, why: "VAT on debits: due at invoicing" },
  { from: "2026-09-01", vatRegime: "vat", vatOnDebits: false, category: "goods", owed: false, why: "goods: VAT due on delivery" },
  { from: "2026-09-01", vatRegime: "vat", vatOnDebits: false, category: "services", owed: true, why: "services: VAT due on collection" },
  { from: "2026-09-01", vatRegime: "vat", vatOnDebits: false, category: "mixed", owed: true, why: "mixed: the services part is due on collection" },
];

/** True when a payment received on `receivedOn` for this invoice must be reported with a 212. */
export function collectionStatusOwed(doc: Pick<DocumentSnapshot, "type" | "operationCategory"> & { seller: Pick<DocumentSnapshot["seller"], "vatRegime" | "vatOnDebits"> }, receivedOn: string): boolean {
  if (doc.type === "credit_note") return false;
  const rule = COLLECTION_STATUS_RULES.filter((r) => receivedOn >= r.from).find(
    (r) =>
      r.vatRegime === doc.seller.vatRegime &&
      (r.vatOnDebits === "any" || r.vatOnDebits === doc.seller.vatOnDebits) &&
      (r.category === "any" || r.category === doc.operationCategory),
  );
  return rule?.owed ?? false;
}

/**
 * Splits an amount received (tax included) across the invoice's VAT rates in proportion to each
 * rate's tax-inclusive total, in integer cents (largest remainder, so the parts add up exactly).
 * BR-FR-CDV-14: a 212 carries one MEN amount per VAT rate.
 */
export function collectedPerRate(breakdown: ReadonlyArray<{ rateBasisPoints: number; taxableCents: number; vatCents: number }>, amountCents: number): Array<{ rateBasisPoints: number; amountCents: number }> {
  const byRate = new Map<number, number>();
  for (const b of breakdown) byRate.set(b.rateBasisPoints, (byRate.get(b.rateBasisPoints) ?? 0) + b.taxableCents + b.vatCents);
  const rates = [...byRate.entries()].filter(([, total]) => total > 0);
  const total = rates.reduce((s, [, t]) => s + t, 0);
  if (rates.length === 0 || total <= 0) return [{ rateBasisPoints: breakdown[0]?.rateBasisPoints ?? 0, amountCents }];
  // BigInt: amount × share can exceed 2^53 for large invoices.
  const parts = rates.map(([rate, t]) => {
    const num = BigInt(amountCents) * BigInt(t);
    const q = num / BigInt(total);
    return { rateBasisPoints: rate, amountCents: Number(q), rem: num - q * BigInt(total) };
  });
  let left = amountCents - parts.reduce((s, p) => s + p.amountCents, 0);
  for (const p of [...parts].sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : 0))) {
    if (left <= 0) break;
    p.amountCents += 1;
    left -= 1;
  }
  return parts.map(({ rateBasisPoints, amountCents: cents }) => ({ rateBasisPoints, amountCents: cents }));
}

/** Minutes to wait before the n-th retry (1-based) of a submission the PA could not take. */
export function retryDelayMinutes(attempt: number): number {
  return Math.min(2 ** Math.max(0, attempt - 1), 360);
}

/** Lifecycle status words, French first (the statuses' own names, PA-API.md §4). */
export const STATUS_LABELS: Readonly<Record<number, { fr: string; en: string }>> = {
  200: { fr: "Déposée", en: "Filed" },
  201: { fr: "Émise par la plateforme", en: "Sent by the platform" },
  202: { fr: "Reçue par la plateforme du client", en: "Received by the buyer's platform" },
  203: { fr: "Mise à disposition du client", en: "Made available to the buyer" },
  204: { fr: "Prise en charge", en: "Being processed" },
  205: { fr: "Approuvée", en: "Approved" },
  206: { fr: "Approuvée partiellement", en: "Partly approved" },
  207: { fr: "En litige", en: "Disputed" },
  208: { fr: "Suspendue", en: "Suspended" },
  209: { fr: "Complétée", en: "Completed" },
  210: { fr: "Refusée", en: "Refused" },
  211: { fr: "Paiement transmis", en: "Payment sent" },
  212: { fr: "Encaissée", en: "Collected" },
  213: { fr: "Rejetée", en: "Rejected" },
};

/** Reason codes in words (DGFiP Annexe 7), for the reasons people meet first. */
export const REASON_LABELS: Readonly<Record<string, { fr: string; en: string }>> = {
  DOUBLON: { fr: "facture déjà déposée avec ce numéro (doublon)", en: "an invoice with this number was already filed (duplicate)" },
  DEST_INC: { fr: "destinataire inconnu de l'annuaire", en: "recipient unknown to the directory" },
  DEST_ERR: { fr: "erreur de destinataire", en: "wrong recipient" },
  ADR_ERR: { fr: "adresse de facturation erronée", en: "wrong billing address" },
  CALCUL_ERR: { fr: "erreur de calcul", en: "calculation error" },
  MONTANTTOTAL_ERR: { fr: "montant total erroné", en: "wrong total amount" },
  NON_CONFORME: { fr: "facture non conforme", en: "non-compliant invoice" },
  NON_TRANSMISE: { fr: "le client n'a pas de plateforme de réception : facture déposée mais non transmise", en: "the buyer has no receiving platform: filed but not transmitted" },
  TX_TVA_ERR: { fr: "taux de TVA erroné", en: "wrong VAT rate" },
  TRANSAC_INC: { fr: "transaction inconnue du client", en: "transaction unknown to the buyer" },
  EMMET_INC: { fr: "émetteur inconnu du client", en: "issuer unknown to the buyer" },
  CONTRAT_TERM: { fr: "contrat terminé", en: "contract ended" },
  DOUBLE_FACT: { fr: "facturé deux fois", en: "invoiced twice" },
  CMD_ERR: { fr: "référence de commande erronée", en: "wrong order reference" },
  REF_CT_ABSENT: { fr: "référence de contrat absente", en: "contract reference missing" },
  COORD_BANC_ERR: { fr: "coordonnées bancaires erronées", en: "wrong bank details" },
  AUTRE: { fr: "autre motif", en: "other reason" },
};

/** Statuses after which the invoice must be cancelled by a credit note (PA-API.md §4). */
export const CANCELLING_STATUSES: ReadonlySet<number> = new Set([210, 213]);

/**
 * A 213 DOUBLON about an invoice the platform already filed (200) concerns a second copy of it (the
 * same number uploaded again, by another tool or by hand): the PA rejected the copy and the invoice
 * filed first stands, so it neither becomes the invoice's status nor asks for a credit note.
 */
export function isRejectedCopy(e: { code: number; reasonCode: string | null }, codes: readonly number[]): boolean {
  return e.code === 213 && e.reasonCode === "DOUBLON" && codes.includes(200);
}

/** What the timeline says about a rejected copy (see {@link isRejectedCopy}). */
export const REJECTED_COPY = {
  fr: "un second dépôt de ce numéro a été rejeté (doublon) ; la facture déposée en premier reste valable",
  en: "a second filing of this number was rejected (duplicate); the invoice filed first stands",
} as const;

/** Words for a status and its reason, in one locale. */
export function describeStatus(code: number, reasonCode: string | null, locale: "fr" | "en"): { label: string; reason: string | null } {
  const label = STATUS_LABELS[code]?.[locale] ?? String(code);
  const reason = reasonCode ? (REASON_LABELS[reasonCode]?.[locale] ?? reasonCode) : null;
  return { label, reason };
}

/**
 * The 212 Encaissée for a payment on an invoice, or null when none is owed (see
 * {@link COLLECTION_STATUS_RULES}). The amount counted is what the payment brings to the invoice,
 * at most its total with VAT; it is split per VAT rate as BR-FR-CDV-14 requires.
 */
export function collectionStatusInput(
  doc: Pick<DocumentSnapshot, "type" | "number" | "issueDate" | "operationCategory" | "totals"> & { seller: Pick<DocumentSnapshot["seller"], "siren" | "name" | "vatRegime" | "vatOnDebits">; buyer: Pick<DocumentSnapshot["buyer"], "siren" | "name"> },
  payment: { amountCents: number; receivedOn: string },
  at: number,
): CdarInput | null {
  if (payment.amountCents <= 0 || !doc.buyer.siren) return null;
  if (!collectionStatusOwed(doc, payment.receivedOn)) return null;
  const amount = Math.min(payment.amountCents, doc.totals.taxInclusiveCents);
  return {
    code: 212,
    invoice: { number: doc.number, issueDate: doc.issueDate, typeCode: doc.type === "deposit_invoice" ? "386" : "380" },
    seller: { siren: doc.seller.siren, name: doc.seller.name },
    buyer: { siren: doc.buyer.siren, name: doc.buyer.name },
    at,
    collected: collectedPerRate(doc.totals.vatBreakdown, amount),
  };
}
