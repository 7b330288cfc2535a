/**
 * Fichier des écritures comptables (FEC, LPF art. L47 A and A47 A-1): the 18-column export of a
 * fiscal year's entries, built from issued invoices, deposit invoices and credit notes (sales
 * journal VT) and from the receipts book (bank journal BQ).
 *
 * Entries (accounts of the French chart, PCG):
 *   invoice         D 411 client (amount due)   D 4191 deposits deducted
 *                   C 707 goods / C 706 services (HT, pro rata of the line nets)   C 44571 VAT
 *   deposit invoice D 411 client                 C 4191 advances received
 *   credit note     the invoice entry, sides swapped
 *   receipt         D 512 bank (531 cash)        C 411 client; a correction, sides swapped
 *   purchase        D 607 goods / 604 services / 606 overheads (HT; TTC when VAT is not
 *                   deductible, as under the franchise)  D 44566 deductible VAT   C 401 supplier
 *                   (journal AC; a supplier credit note, sides swapped)
 *   payment made    D 401 supplier               C 512 bank (531 cash)
 * Every entry balances to the cent. The VAT of a deposit is booked with the final invoice, which
 * carries the VAT of the whole sale. The 411 lines of a document and of what settles it are
 * lettered when they balance (fec-lettering.ts).
 *
 * Pure: no I/O, no clock.
 */

import { allocateProportionally } from "../money";
import { type LetterableLine, letterLines } from "./fec-lettering";
import { isIsoDate } from "../vat";

export const FEC_COLUMNS = [
  "JournalCode",
  "JournalLib",
  "EcritureNum",
  "EcritureDate",
  "CompteNum",
  "CompteLib",
  "CompAuxNum",
  "CompAuxLib",
  "PieceRef",
  "PieceDate",
  "EcritureLib",
  "Debit",
  "Credit",
  "EcritureLet",
  "DateLet",
  "ValidDate",
  "Montantdevise",
  "Idevise",
] as const;

export type FecColumn = (typeof FEC_COLUMNS)[number];
export type FecRow = Record<FecColumn, string>;

/** The accounts the export uses, with their PCG labels. */
export const FEC_ACCOUNTS = {
  clients: { num: "411000", lib: "Clients" },
  advances: { num: "419100", lib: "Clients - avances et acomptes reçus" },
  services: { num: "706000", lib: "Prestations de services" },
  goods: { num: "707000", lib: "Ventes de marchandises" },
  vat: { num: "445710", lib: "TVA collectée" },
  bank: { num: "512000", lib: "Banque" },
  cash: { num: "531000", lib: "Caisse" },
  suppliers: { num: "401000", lib: "Fournisseurs" },
  purchaseGoods: { num: "607000", lib: "Achats de marchandises" },
  purchaseServices: { num: "604000", lib: "Achats d'études et prestations de services" },
  purchaseOverheads: { num: "606000", lib: "Achats non stockés de matières et fournitures" },
  deductibleVat: { num: "445660", lib: "TVA déductible sur autres biens et services" },
} as const;

const JOURNALS = { VT: "Journal des ventes", AC: "Journal des achats", BQ: "Journal de banque" } as const;
type JournalCode = keyof typeof JOURNALS;

/** An issued sales document, from its frozen snapshot. Amounts are integer cents, as printed. */
export interface FecSale {
  type: "invoice" | "deposit_invoice" | "credit_note";
  number: string;
  issueDate: string;
  /** Day the document was issued in Factumo (validation date of the entry). */
  validatedOn: string;
  /** Client auxiliary account (stable per client) and its name. */
  clientAccount: string;
  clientName: string;
  taxExclusiveCents: number;
  vatCents: number;
  taxInclusiveCents: number;
  /** Deposits deducted (BT-113). */
  prepaidCents: number;
  goodsNetCents: number;
  servicesNetCents: number;
  /** Credit note: number of the invoice it corrects, so that their client lines are lettered together. */
  correctsNumber?: string | null;
}

/** A row of the receipts book. */
export interface FecReceipt {
  receivedOn: string;
  /** Day it was recorded (validation date). */
  recordedOn: string;
  /** Signed: a correction is negative. */
  amountCents: number;
  cash: boolean;
  invoiceNumber: string;
  reference: string | null;
  clientAccount: string;
  clientName: string;
}

/** A received supplier invoice (Achats) and, when recorded, its payment. */
export interface FecPurchase {
  /** 380 invoice, 381 credit note. */
  typeCode: string;
  number: string;
  issueDate: string;
  recordedOn: string;
  supplierAccount: string;
  supplierName: string;
  category: "goods" | "services" | "overheads";
  taxExclusiveCents: number;
  vatCents: number;
  taxInclusiveCents: number;
  /** False under the VAT franchise: the VAT paid is part of the cost. */
  vatDeductible: boolean;
  paidOn: string | null;
  paidCents: number | null;
  paidCash: boolean;
}

export interface FecInput {
  /** SIREN of the business, 9 digits. */
  siren: string;
  /** Calendar fiscal year (the micro-entrepreneur's year is the calendar year). */
  year: number;
  sales: readonly FecSale[];
  receipts: readonly FecReceipt[];
  purchases?: readonly FecPurchase[];
}

export interface FecFile {
  /** SIRENFECYYYYMMDD.txt, the date being the closing date of the year. */
  fileName: string;
  rows: FecRow[];
  /** Tab-separated, header line first, CRLF line ends. */
  text: string;
}

export class FecError extends Error {
  constructor(
    readonly code: "siren" | "date" | "amount",
    message: string,
  ) {
    super(message);
    this.name = "FecError";
  }
}

/** Cents as the FEC writes amounts: comma decimal, no thousands separator ("1234,56"). */
export function fecAmount(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new FecError("amount", `FEC amounts are non-negative cents, got ${cents}`);
  return `${Math.trunc(cents / 100)},${String(cents % 100).padStart(2, "0")}`;
}

/** "2026-11-26" → "20261126". */
export function fecDate(isoDate: string): string {
  if (!isIsoDate(isoDate)) throw new FecError("date", `expected a YYYY-MM-DD date, got "${isoDate}"`);
  return isoDate.replaceAll("-", "");
}

/**
 * Free text made safe for a tab-separated field: separators, line breaks and every other control
 * character (C0, DEL, C1) become spaces. Nothing else changes: the FEC is a legal format whose
 * labels must read as recorded, so a would-be spreadsheet formula is NOT prefixed with `'` here
 * (README, Security limits: the file is a tab-separated .txt served as an attachment, never CSV).
 */
export function fecText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f|\u2028\u2029]+/g, " ").trim();
}

interface Line {
  account: { num: string; lib: string };
  aux?: { num: string; lib: string };
  /** Positive: debit; negative: credit. */
  signedCents: number;
  /** Client lines: number of the invoice the line belongs to or settles (lettering). */
  letterKey?: string;
}

interface Entry {
  journal: JournalCode;
  date: string;
  pieceRef: string;
  pieceDate: string;
  lib: string;
  validatedOn: string;
  lines: Line[];
}

function saleEntry(s: FecSale): Entry | null {
  const client = { num: fecText(s.clientAccount), lib: fecText(s.clientName) };
  // An invoice debits the client; a credit note is the same entry with every side swapped.
  const sign = s.type === "credit_note" ? -1 : 1;
  const letterKey = s.type === "credit_note" && s.correctsNumber ? s.correctsNumber : s.number;
  const lines: Line[] = [];
  if (s.type === "deposit_invoice") {
    lines.push({ account: FEC_ACCOUNTS.clients, aux: client, signedCents: sign * s.taxInclusiveCents, letterKey });
    lines.push({ account: FEC_ACCOUNTS.advances, signedCents: -sign * s.taxInclusiveCents });
  } else {
    const goods = Math.max(0, s.goodsNetCents);
    const services = Math.max(0, s.servicesNetCents);
    const [goodsHt = 0, servicesHt = 0] = goods + services === 0 ? [0, s.taxExclusiveCents] : allocateProportionally(s.taxExclusiveCents, [goods, services]);
    lines.push({ account: FEC_ACCOUNTS.clients, aux: client, signedCents: sign * (s.taxInclusiveCents - s.prepaidCents), letterKey });
    lines.push({ account: FEC_ACCOUNTS.advances, signedCents: sign * s.prepaidCents });
    lines.push({ account: FEC_ACCOUNTS.goods, signedCents: -sign * goodsHt });
    lines.push({ account: FEC_ACCOUNTS.services, signedCents: -sign * servicesHt });
    lines.push({ account: FEC_ACCOUNTS.vat, signedCents: -sign * s.vatCents });
  }
  const kept = lines.filter((l) => l.signedCents !== 0);
  if (kept.length === 0) return null;
  const kind = { invoice: "Facture", deposit_invoice: "Facture d'acompte", credit_note: "Avoir" }[s.type];
  return {
    journal: "VT",
    date: s.issueDate,
    pieceRef: s.number,
    pieceDate: s.issueDate,
    lib: `${kind} ${s.number} ${s.clientName}`,
    validatedOn: s.validatedOn,
    lines: kept,
  };
}

function receiptEntry(r: FecReceipt): Entry | null {
  if (r.amountCents === 0) return null;
  const client = { num: fecText(r.clientAccount), lib: fecText(r.clientName) };
  const label = r.amountCents < 0 ? "Correction règlement" : "Règlement";
  return {
    journal: "BQ",
    date: r.receivedOn,
    pieceRef: r.invoiceNumber,
    pieceDate: r.receivedOn,
    lib: `${label} ${r.invoiceNumber} ${r.clientName}${r.reference ? ` ${r.reference}` : ""}`,
    validatedOn: r.recordedOn,
    lines: [
      { account: r.cash ? FEC_ACCOUNTS.cash : FEC_ACCOUNTS.bank, signedCents: r.amountCents },
      { account: FEC_ACCOUNTS.clients, aux: client, signedCents: -r.amountCents, letterKey: r.invoiceNumber },
    ],
  };
}

function purchaseEntry(p: FecPurchase): Entry | null {
  const supplier = { num: fecText(p.supplierAccount), lib: fecText(p.supplierName) };
  const sign = p.typeCode === "381" ? -1 : 1;
  const charge = { goods: FEC_ACCOUNTS.purchaseGoods, services: FEC_ACCOUNTS.purchaseServices, overheads: FEC_ACCOUNTS.purchaseOverheads }[p.category];
  const lines: Line[] = p.vatDeductible
    ? [
        { account: charge, signedCents: sign * p.taxExclusiveCents },
        { account: FEC_ACCOUNTS.deductibleVat, signedCents: sign * p.vatCents },
      ]
    : [{ account: charge, signedCents: sign * p.taxInclusiveCents }];
  lines.push({ account: FEC_ACCOUNTS.suppliers, aux: supplier, signedCents: -sign * p.taxInclusiveCents, letterKey: `AC ${p.number}` });
  const kept = lines.filter((l) => l.signedCents !== 0);
  if (kept.length === 0) return null;
  return {
    journal: "AC",
    date: p.issueDate,
    pieceRef: p.number,
    pieceDate: p.issueDate,
    lib: `${sign < 0 ? "Avoir fournisseur" : "Facture fournisseur"} ${p.number} ${p.supplierName}`,
    validatedOn: p.recordedOn,
    lines: kept,
  };
}

function purchasePaymentEntry(p: FecPurchase): Entry | null {
  if (!p.paidOn || !p.paidCents) return null;
  const supplier = { num: fecText(p.supplierAccount), lib: fecText(p.supplierName) };
  const sign = p.typeCode === "381" ? -1 : 1;
  return {
    journal: "BQ",
    date: p.paidOn,
    pieceRef: p.number,
    pieceDate: p.paidOn,
    lib: `Paiement ${p.number} ${p.supplierName}`,
    validatedOn: p.paidOn,
    lines: [
      { account: FEC_ACCOUNTS.suppliers, aux: supplier, signedCents: sign * p.paidCents, letterKey: `AC ${p.number}` },
      { account: p.paidCash ? FEC_ACCOUNTS.cash : FEC_ACCOUNTS.bank, signedCents: -sign * p.paidCents },
    ],
  };
}

const JOURNAL_ORDER: Record<JournalCode, number> = { VT: 0, AC: 1, BQ: 2 };

/**
 * The FEC of a calendar year: sales documents issued in the year and receipts received in it,
 * in chronological order, each entry numbered per journal (VT000001…) and balanced; the client
 * lines of a settled invoice lettered together (EcritureLet, DateLet).
 * @throws FecError when the SIREN is not 9 digits, or on a malformed date or amount.
 */
export function buildFec(input: FecInput): FecFile {
  if (!/^\d{9}$/.test(input.siren)) throw new FecError("siren", "a FEC needs the SIREN of the business (9 digits)");
  const from = `${input.year}-01-01`;
  const to = `${input.year}-12-31`;
  const within = (d: string) => d >= from && d <= to;
  const entries = [
    ...input.sales.filter((s) => within(s.issueDate)).map(saleEntry),
    ...input.receipts.filter((r) => within(r.receivedOn)).map(receiptEntry),
    ...(input.purchases ?? []).filter((p) => within(p.issueDate)).map(purchaseEntry),
    ...(input.purchases ?? []).filter((p) => p.paidOn !== null && within(p.paidOn)).map(purchasePaymentEntry),
  ].filter((e): e is Entry => e !== null);
  // Stable sort: within a day and journal, the caller's order (issue order, recording order) holds.
  entries.sort((a, b) => (a.date === b.date ? JOURNAL_ORDER[a.journal] - JOURNAL_ORDER[b.journal] : a.date < b.date ? -1 : 1));

  const counters: Record<JournalCode, number> = { VT: 0, AC: 0, BQ: 0 };
  const rows: FecRow[] = [];
  // One per row: only client lines with a document to match can be lettered.
  const letterable: LetterableLine[] = [];
  for (const e of entries) {
    counters[e.journal] += 1;
    const num = `${e.journal}${String(counters[e.journal]).padStart(6, "0")}`;
    for (const l of e.lines) {
      letterable.push({ account: l.letterKey ? `${l.account.num}|${l.aux?.num ?? ""}` : "", matchKey: l.letterKey ?? "", date: e.date, signedCents: l.signedCents });
      rows.push({
        JournalCode: e.journal,
        JournalLib: JOURNALS[e.journal],
        EcritureNum: num,
        EcritureDate: fecDate(e.date),
        CompteNum: l.account.num,
        CompteLib: l.account.lib,
        CompAuxNum: l.aux?.num ?? "",
        CompAuxLib: l.aux?.lib ?? "",
        PieceRef: fecText(e.pieceRef),
        PieceDate: fecDate(e.pieceDate),
        EcritureLib: fecText(e.lib),
        Debit: fecAmount(l.signedCents > 0 ? l.signedCents : 0),
        Credit: fecAmount(l.signedCents < 0 ? -l.signedCents : 0),
        EcritureLet: "",
        DateLet: "",
        ValidDate: fecDate(e.validatedOn),
        Montantdevise: "",
        Idevise: "",
      });
    }
  }
  for (const [i, lettering] of letterLines(letterable, to)) {
    const row = rows[i] as FecRow;
    row.EcritureLet = lettering.code;
    row.DateLet = fecDate(lettering.date);
  }
  const lines = [FEC_COLUMNS.join("\t"), ...rows.map((r) => FEC_COLUMNS.map((c) => r[c]).join("\t"))];
  return { fileName: `${input.siren}FEC${input.year}1231.txt`, rows, text: `${lines.join("\r\n")}\r\n` };
}
