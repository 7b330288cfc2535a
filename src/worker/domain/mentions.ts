/**
 * Legal mentions of an invoice (LEGAL.md §1, §2): the payment wording (due date, late penalties,
 * recovery indemnity, early-payment discount) and every other mention that the layout does not
 * already print as a field of its own (seller, buyer, lines and totals are fields).
 *
 * Language: French is the legal language of these mentions, so the French wording is always
 * printed. For an English document each sentence is the French wording followed by " — " and its
 * English translation ("TVA non applicable, art. 293 B du CGI — VAT not applicable, art. 293 B of
 * the French tax code"); lines that are only identifiers are the same in both languages. The XML
 * notes (PMT, PMD, AAB) carry the same strings, and the PDF's VAT rows the same exemption wording
 * ({@link exemptionWording}).
 *
 * Pure: no clock, no I/O. Dates are ISO "YYYY-MM-DD" calendar dates.
 */

import type { DocumentSnapshot, PaymentTerms, PostalAddress } from "./document.ts";
import { type Locale, formatDate, formatMoney, formatPercent } from "./format.ts";
import { VAT_EXEMPTIONS, isIsoDate, requiresExemption } from "./vat.ts";

/** Longest payment term between businesses: 60 days from the invoice date (L441-10). */
export const MAX_B2B_TERMS_DAYS = 60;

/** Fixed recovery indemnity owed by a business paying late (D441-5), in cents. */
export const RECOVERY_INDEMNITY_CENTS = 4_000;

export interface EarlyPaymentDiscount {
  /** Discount granted, in basis points (2 % = 200). */
  rateBasisPoints: number;
  /** Paid within this many days of the invoice date. */
  withinDays: number;
}

export interface PaymentTermsInput {
  /** "YYYY-MM-DD". */
  issueDate: string;
  /** Days from the issue date to the due date; 0 = payable on receipt. */
  termsDays: number;
  buyerKind: "company" | "individual";
  /** Late-payment penalty rate in basis points per year; null = ECB rate + 10 points (the legal default). */
  latePenaltyRateBp: number | null;
  /** null = no discount for early payment. */
  earlyPaymentDiscount: EarlyPaymentDiscount | null;
  locale: Locale;
  /**
   * The terms a quote proposes: they run from the future invoice's date, so the wording names no
   * date (one computed from the quote's date would be wrong as soon as the invoice comes later).
   */
  forQuote?: boolean;
}

/**
 * French wording, or French followed by its English translation for English documents: the one
 * home of that rule for every legal wording (mentions, payment terms, VAT rows of the PDF).
 */
export function say(locale: Locale, fr: string, en: string): string {
  return locale === "fr" ? fr : `${fr} — ${en}`;
}

const EXEMPTION_ENGLISH: ReadonlyMap<string, string> = new Map(Object.values(VAT_EXEMPTIONS).map((e) => [e.reason, e.reasonEn]));

/**
 * The exemption wording of a VAT row (BT-120) as printed: the French legal wording, followed on
 * an English document by its translation when it is one Factumo offers (a wording the seller
 * typed is printed as typed).
 */
export function exemptionWording(reason: string, locale: Locale): string {
  const english = EXEMPTION_ENGLISH.get(reason);
  return english === undefined ? reason : say(locale, reason, english);
}

/**
 * `isoDate` plus `days` calendar days, as "YYYY-MM-DD".
 * @throws RangeError on a malformed date or a non-integer number of days.
 */
export function addDays(isoDate: string, days: number): string {
  if (!isIsoDate(isoDate)) throw new RangeError(`expected a YYYY-MM-DD date, got "${isoDate}"`);
  if (!Number.isSafeInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  const [year, month, day] = isoDate.split("-").map(Number) as [number, number, number];
  // UTC midnight has no daylight-saving jump, so adding whole days is exact.
  return new Date(Date.UTC(year, month - 1, day) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Due date and the four payment wordings of an invoice (the XML notes AAB, PMD, PMT).
 *
 * B2B: late penalties at the given rate, or at the ECB rate + 10 points when none is given, and
 * the 40 € recovery indemnity. B2C: neither applies to consumers, so both wordings say
 * "sans objet" — the e-invoice still needs one PMD and one PMT note (BR-FR-05), and a neutral
 * wording never promises what the law does not allow.
 * The rate is not checked against 3 × the legal interest rate: that rate changes every half-year
 * and is not known here; the settings form must check it.
 * @throws RangeError on a malformed date, negative or non-integer days, more than 60 days for a
 *   business buyer (L441-10), or a negative rate.
 */
export function paymentTerms(input: PaymentTermsInput): PaymentTerms {
  const { termsDays, locale } = input;
  if (!Number.isSafeInteger(termsDays) || termsDays < 0) {
    throw new RangeError(`termsDays must be a non-negative integer, got ${termsDays}`);
  }
  const b2b = input.buyerKind === "company";
  if (b2b && termsDays > MAX_B2B_TERMS_DAYS) {
    throw new RangeError(`payment terms between businesses are at most ${MAX_B2B_TERMS_DAYS} days (L441-10)`);
  }
  const rate = input.latePenaltyRateBp;
  if (rate !== null && (!Number.isSafeInteger(rate) || rate <= 0)) {
    throw new RangeError(`latePenaltyRateBp must be a positive integer, got ${rate}`);
  }
  const discount = input.earlyPaymentDiscount;
  if (
    discount !== null &&
    (!Number.isSafeInteger(discount.rateBasisPoints) ||
      discount.rateBasisPoints <= 0 ||
      discount.rateBasisPoints > 10_000 ||
      !Number.isSafeInteger(discount.withinDays) ||
      discount.withinDays < 0)
  ) {
    throw new RangeError("earlyPaymentDiscount needs a rate of 1 to 10000 bp and a non-negative number of days");
  }

  const dueDate = addDays(input.issueDate, termsDays);
  const due = formatDate(dueDate, locale);
  const text = input.forQuote
    ? termsDays === 0
      ? say(locale, "Paiement à réception de la facture", "Payment on receipt of the invoice")
      : say(locale, `Paiement à ${termsDays} jours à compter de la date de facture`, `Payment within ${termsDays} days of the invoice date`)
    : termsDays === 0
      ? say(locale, `Paiement à réception de la facture, le ${due}`, `Payment on receipt, on ${due}`)
      : say(
          locale,
          `Paiement à ${termsDays} jours à compter de la date de facture, soit le ${due} au plus tard`,
          `Payment within ${termsDays} days of the invoice date, by ${due} at the latest`,
        );

  let latePenalty: string;
  let recoveryIndemnity: string;
  if (b2b) {
    const fromWhen = "exigibles dès le lendemain de la date d'échéance, sans qu'un rappel soit nécessaire";
    latePenalty =
      rate === null
        ? say(
            locale,
            `Pénalités de retard ${fromWhen} : taux directeur semestriel de la BCE en vigueur majoré de 10 points`,
            "Late-payment penalties from the day after the due date, without reminder: ECB refinancing rate plus 10 points",
          )
        : say(
            locale,
            `Pénalités de retard ${fromWhen} : ${formatPercent(rate, "fr")} l'an`,
            `Late-payment penalties from the day after the due date, without reminder: ${formatPercent(rate, "en")} a year`,
          );
    recoveryIndemnity = say(
      locale,
      `Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : ${formatMoney(RECOVERY_INDEMNITY_CENTS, "fr")}`,
      `Fixed compensation for recovery costs in case of late payment: ${formatMoney(RECOVERY_INDEMNITY_CENTS, "en")}`,
    );
  } else {
    latePenalty = say(
      locale,
      "Pénalités de retard : sans objet (client particulier)",
      "Late-payment penalties: not applicable (private customer)",
    );
    recoveryIndemnity = say(
      locale,
      "Indemnité forfaitaire pour frais de recouvrement : sans objet (client particulier)",
      "Fixed recovery compensation: not applicable (private customer)",
    );
  }

  const earlyPaymentDiscount =
    discount === null
      ? say(locale, "Pas d'escompte pour paiement anticipé", "No discount for early payment")
      : say(
          locale,
          `Escompte de ${formatPercent(discount.rateBasisPoints, "fr")} pour paiement sous ${discount.withinDays} jours`,
          `${formatPercent(discount.rateBasisPoints, "en")} discount for payment within ${discount.withinDays} days`,
        );

  return { dueDate, text, latePenalty, recoveryIndemnity, earlyPaymentDiscount };
}

/** "123456782" → "123 456 782"; "12345678200010" → "123 456 782 00010". */
function groupSiren(value: string): string {
  const digits = value.replace(/\s/g, "");
  if (/^\d{9}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
  if (/^\d{14}$/.test(digits)) return `${groupSiren(digits.slice(0, 9))} ${digits.slice(9)}`;
  return value;
}

function oneLineAddress(address: PostalAddress): string {
  const parts = [address.line1, address.line2, `${address.postalCode} ${address.city}`];
  if (address.country !== "FR") parts.push(address.country);
  return parts.filter((part): part is string => Boolean(part && part.trim())).join(", ");
}

/** Same postal address, ignoring case and surrounding spaces. */
export function sameAddress(a: PostalAddress, b: PostalAddress): boolean {
  const norm = (s: string | null | undefined) => (s ?? "").trim().toLowerCase();
  return (
    norm(a.line1) === norm(b.line1) &&
    norm(a.line2) === norm(b.line2) &&
    norm(a.postalCode) === norm(b.postalCode) &&
    norm(a.city) === norm(b.city) &&
    norm(a.country) === norm(b.country)
  );
}

const CATEGORY_WORDING = {
  goods: ["Livraison de biens", "Supply of goods"],
  services: ["Prestation de services", "Supply of services"],
  mixed: ["Livraison de biens et prestation de services", "Supply of goods and services"],
} as const;

/** A snapshot before its mentions are generated. */
export type SnapshotWithoutMentions = Omit<DocumentSnapshot, "mentions">;

/**
 * Every printed legal mention that is not a field of the layout, in print order: seller status
 * and registrations, VAT status, operation category, buyer identifiers, references (order,
 * corrected invoice, deducted deposits), delivery. Payment wordings are in `payment`, not here.
 * `locale` defaults to the buyer's language; see the module comment for English documents.
 */
export function legalMentions(doc: SnapshotWithoutMentions, locale: Locale = doc.buyer.language): string[] {
  const { seller, buyer, totals } = doc;
  const mentions: string[] = [];
  const add = (mention: string) => {
    if (!mentions.includes(mention)) mentions.push(mention);
  };
  const date = (iso: string) => formatDate(iso, locale);
  const money = (cents: number) => formatMoney(cents, locale);

  // Seller status (EI mandatory since 15 May 2022; legal form and capital for companies).
  if (seller.isCompany) {
    const capital = seller.shareCapitalCents;
    add(
      capital === null || capital === undefined
        ? seller.legalFormLabel
        : say(
            locale,
            `${seller.legalFormLabel} au capital de ${formatMoney(capital, "fr")}`,
            `${seller.legalFormLabel} with a share capital of ${formatMoney(capital, "en")}`,
          ),
    );
  } else {
    add(say(locale, "Entrepreneur individuel (EI)", "Sole proprietorship"));
  }
  add(`SIREN ${groupSiren(seller.siren)} – SIRET ${groupSiren(seller.siret)}`);
  if (seller.registration) {
    add(`${seller.registration.kind === "rcs" ? "RCS" : "RM"} ${seller.registration.city} ${groupSiren(seller.siren)}`);
  }
  if (seller.vatNumber) add(say(locale, `N° TVA intracommunautaire : ${seller.vatNumber}`, `VAT number: ${seller.vatNumber}`));

  // VAT status: one wording per exemption actually used, then the débits option when VAT is charged.
  const chargesVat = totals.vatBreakdown.some((row) => row.category === "S");
  for (const row of totals.vatBreakdown) {
    if (!requiresExemption(row.category) || !row.exemptionReason) continue;
    add(exemptionWording(row.exemptionReason, locale));
  }
  if (seller.vatRegime === "franchise" && !chargesVat) {
    add(exemptionWording(VAT_EXEMPTIONS.franchise.reason, locale));
  }
  if (seller.vatRegime === "vat" && seller.vatOnDebits && chargesVat) {
    add(say(locale, "Option pour le paiement de la taxe d'après les débits", "VAT paid on an accruals basis (option for débits)"));
  }

  const [categoryFr, categoryEn] = CATEGORY_WORDING[doc.operationCategory];
  add(say(locale, `Catégorie de l'opération : ${categoryFr}`, `Type of transaction: ${categoryEn}`));

  // Buyer identifiers (reform mentions; the VAT number is mandatory for a business buyer).
  if (buyer.kind === "company") {
    if (buyer.siren) add(say(locale, `SIREN du client : ${groupSiren(buyer.siren)}`, `Customer SIREN: ${groupSiren(buyer.siren)}`));
    if (buyer.vatNumber) {
      add(say(locale, `N° TVA intracommunautaire du client : ${buyer.vatNumber}`, `Customer VAT number: ${buyer.vatNumber}`));
    }
  }

  if (doc.purchaseOrderReference) {
    add(say(locale, `Bon de commande n° ${doc.purchaseOrderReference}`, `Purchase order ${doc.purchaseOrderReference}`));
  }
  if (doc.type === "credit_note" && doc.precedingInvoice) {
    const { number, issueDate } = doc.precedingInvoice;
    add(say(locale, `Avoir sur la facture ${number} du ${date(issueDate)}`, `Credit note for invoice ${number} of ${date(issueDate)}`));
  }
  for (const deposit of doc.deductedDeposits) {
    add(
      say(
        locale,
        `Acompte déduit : facture d'acompte ${deposit.number} du ${date(deposit.issueDate)}, ${money(deposit.amountCents)} TTC`,
        `Deposit deducted: deposit invoice ${deposit.number} of ${date(deposit.issueDate)}, ${money(deposit.amountCents)} incl. VAT`,
      ),
    );
  }
  if (doc.deductedDeposits.length > 1) {
    const total = doc.deductedDeposits.reduce((sum, deposit) => sum + deposit.amountCents, 0);
    add(say(locale, `Total des acomptes déduits : ${money(total)} TTC`, `Total deposits deducted: ${money(total)} incl. VAT`));
  }
  if (doc.deliveryDate && doc.deliveryDate !== doc.issueDate) {
    const when = date(doc.deliveryDate);
    add(
      doc.operationCategory === "services"
        ? say(locale, `Date d'exécution de la prestation : ${when}`, `Date of service: ${when}`)
        : say(locale, `Date de livraison : ${when}`, `Date of delivery: ${when}`),
    );
  }
  if (buyer.deliveryAddress && !sameAddress(buyer.deliveryAddress, buyer.address)) {
    const where = oneLineAddress(buyer.deliveryAddress);
    add(say(locale, `Adresse de livraison : ${where}`, `Delivery address: ${where}`));
  }
  return mentions;
}
