/**
 * Rules of received supplier invoices (Achats), pure: the duplicate key, which lifecycle status the
 * buyer may send from which state, and what each status needs. The statuses themselves (labels,
 * reason codes per status) are the CDAR module's (einvoice/cdar.ts).
 */
import { CDAR_RULES, type CdarCode } from "./einvoice/cdar.ts";

/** The statuses a buyer sends from Achats (XP Z12-012): taken over, approved, disputed, refused, paid. */
export const BUYER_ACTIONS = [204, 205, 207, 210, 211] as const satisfies readonly CdarCode[];
export type BuyerAction = (typeof BUYER_ACTIONS)[number];

export function isBuyerAction(code: unknown): code is BuyerAction {
  return typeof code === "number" && (BUYER_ACTIONS as readonly number[]).includes(code);
}

/**
 * One purchase per (supplier, number, year) — the rule platforms apply to invoices (213 DOUBLON).
 * The supplier is its SIREN, else its VAT number, else its name folded (a foreign or paper invoice).
 */
export function purchaseDedupKey(p: { supplierSiren?: string | null; supplierVatNumber?: string | null; supplierName: string; number: string; issueDate: string }): string {
  const supplier = p.supplierSiren
    ? `siren:${p.supplierSiren}`
    : p.supplierVatNumber
      ? `vat:${p.supplierVatNumber.replace(/\s/g, "").toUpperCase()}`
      : `name:${p.supplierName.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim()}`;
  const number = p.number.trim().toUpperCase().replace(/\s+/g, "");
  return `${supplier}|${number}|${p.issueDate.slice(0, 4)}`;
}

export type ActionRefusal = "final" | "already" | "paid" | "no_network";

/**
 * Whether the buyer may send `next` given the statuses already on the purchase (any order).
 * A refusal (210) ends the lifecycle; a payment (211) is final too except for a dispute after it
 * being pointless; each of 204/205/211 is sent once; 204 makes no sense after a decision.
 */
export function refuseAction(next: BuyerAction, history: readonly number[], opts: { network: boolean }): ActionRefusal | null {
  if (!opts.network) return "no_network";
  const has = (code: number) => history.includes(code);
  if (has(210)) return "final";
  if (next === 210 && has(211)) return "paid";
  if ((next === 204 || next === 205 || next === 211) && has(next)) return "already";
  if (next === 204 && (has(205) || has(207) || has(211))) return "already";
  if (next === 207 && has(211)) return "paid";
  return null;
}

/** The actions offered on a purchase (the page hides the others). */
export function availableActions(history: readonly number[], opts: { network: boolean }): BuyerAction[] {
  return BUYER_ACTIONS.filter((code) => refuseAction(code, history, opts) === null);
}

/** Reason codes the user picks from for a status (BR-FR-CDV-CL-09), empty when none is needed. */
export function reasonCodesFor(code: BuyerAction): readonly string[] {
  return CDAR_RULES[code].reasonCodes;
}

/** A purchase's display state, from its latest status and payment. */
export type PurchaseState = "received" | "taken" | "approved" | "disputed" | "refused" | "paid";

export function purchaseState(p: { statusCode: number | null; paidOn: string | null }): PurchaseState {
  if (p.statusCode === 210) return "refused";
  if (p.paidOn || p.statusCode === 211) return "paid";
  if (p.statusCode === 207) return "disputed";
  if (p.statusCode === 205) return "approved";
  if (p.statusCode === 204) return "taken";
  return "received";
}
