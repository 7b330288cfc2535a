import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  b2bFranchiseInvoice,
  b2bVatInvoice,
  b2cInvoice,
  creditNote,
  depositInvoice,
  euReverseChargeInvoice,
  finalInvoiceAfterDeposit,
  sampleSnapshot,
  SCENARIOS,
} from "../../../test/fixtures/documents.ts";
import type { DocumentSnapshot } from "./document.ts";
import { formatMoney } from "./format.ts";
import { addDays, exemptionWording, legalMentions, MAX_B2B_TERMS_DAYS, paymentTerms, type PaymentTermsInput } from "./mentions.ts";
import { VAT_EXEMPTIONS } from "./vat.ts";

const FRANCHISE = "TVA non applicable, art. 293 B du CGI";
const DEBITS = "Option pour le paiement de la taxe d'après les débits";

const b2b: PaymentTermsInput = {
  issueDate: "2026-03-12",
  termsDays: 30,
  buyerKind: "company",
  latePenaltyRateBp: null,
  earlyPaymentDiscount: null,
  locale: "fr",
};

function has(mentions: readonly string[], fragment: string | RegExp): boolean {
  return mentions.some((mention) => (typeof fragment === "string" ? mention.includes(fragment) : fragment.test(mention)));
}

function withoutMentions(doc: DocumentSnapshot): Omit<DocumentSnapshot, "mentions"> {
  const { mentions: _ignored, ...rest } = doc;
  return rest;
}

describe("addDays", () => {
  it("crosses month ends and leap days", () => {
    expect(addDays("2026-01-31", 30)).toBe("2026-03-02");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-12-15", 30)).toBe("2027-01-14");
    expect(addDays("2026-03-12", 0)).toBe("2026-03-12");
  });

  it("is undone by adding the opposite number of days", () => {
    const isoDate = fc
      .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
    fc.assert(fc.property(isoDate, fc.integer({ min: -3650, max: 3650 }), (date, days) => addDays(addDays(date, days), -days) === date));
  });

  it("rejects an impossible date", () => {
    expect(() => addDays("2026-02-30", 1)).toThrow(RangeError);
  });
});

describe("paymentTerms", () => {
  it("puts the due date the given number of days after the issue date", () => {
    const terms = paymentTerms(b2b);
    expect(terms.dueDate).toBe("2026-04-11");
    expect(terms.text).toContain("30 jours");
    expect(terms.text).toContain("11/04/2026");
  });

  it("words a quote's terms from the future invoice's date, naming no date", () => {
    const terms = paymentTerms({ ...b2b, forQuote: true });
    expect(terms.text).toBe("Paiement à 30 jours à compter de la date de facture");
    expect(paymentTerms({ ...b2b, termsDays: 0, forQuote: true }).text).toBe("Paiement à réception de la facture");
    expect(paymentTerms({ ...b2b, forQuote: true, locale: "en" }).text).not.toMatch(/\d{2}\/\d{2}\/\d{4}|at the latest/);
  });

  it("says payable on receipt for zero days", () => {
    const terms = paymentTerms({ ...b2b, termsDays: 0 });
    expect(terms.dueDate).toBe(b2b.issueDate);
    expect(terms.text).toContain("à réception");
  });

  it("defaults the B2B late penalty to the ECB rate plus 10 points and states the 40 € indemnity", () => {
    const terms = paymentTerms(b2b);
    expect(terms.latePenalty).toContain("taux directeur semestriel de la BCE en vigueur majoré de 10 points");
    expect(terms.recoveryIndemnity).toContain("Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement");
    expect(terms.recoveryIndemnity).toContain(formatMoney(4_000, "fr"));
  });

  it("prints a given penalty rate instead of the default", () => {
    const terms = paymentTerms({ ...b2b, latePenaltyRateBp: 1250 });
    expect(terms.latePenalty).toMatch(/12,5\s%/u);
    expect(terms.latePenalty).not.toContain("BCE");
  });

  it("gives a consumer neither a penalty nor the 40 € indemnity, only a neutral wording", () => {
    const terms = paymentTerms({ ...b2b, buyerKind: "individual" });
    expect(terms.latePenalty).toContain("sans objet");
    expect(terms.recoveryIndemnity).toContain("sans objet");
    expect(terms.recoveryIndemnity).not.toMatch(/40/);
    expect(terms.latePenalty).not.toContain("BCE");
  });

  it("says there is no early-payment discount unless one is given", () => {
    expect(paymentTerms(b2b).earlyPaymentDiscount).toBe("Pas d'escompte pour paiement anticipé");
    const withDiscount = paymentTerms({ ...b2b, earlyPaymentDiscount: { rateBasisPoints: 150, withinDays: 8 } });
    expect(withDiscount.earlyPaymentDiscount).toMatch(/Escompte de 1,5\s% pour paiement sous 8 jours/u);
  });

  it("keeps the French wording and adds the English one for an English document", () => {
    const terms = paymentTerms({ ...b2b, locale: "en" });
    expect(terms.earlyPaymentDiscount).toBe("Pas d'escompte pour paiement anticipé — No discount for early payment");
    expect(terms.recoveryIndemnity).toContain("Indemnité forfaitaire");
    expect(terms.recoveryIndemnity).toContain("Fixed compensation for recovery costs");
    expect(terms.text).toContain("Payment within 30 days");
  });

  it("refuses B2B terms longer than 60 days but allows them for a consumer", () => {
    expect(() => paymentTerms({ ...b2b, termsDays: MAX_B2B_TERMS_DAYS + 1 })).toThrow(RangeError);
    expect(paymentTerms({ ...b2b, termsDays: MAX_B2B_TERMS_DAYS }).dueDate).toBe("2026-05-11");
    expect(paymentTerms({ ...b2b, buyerKind: "individual", termsDays: 90 }).dueDate).toBe("2026-06-10");
  });

  it("refuses negative days, a zero rate and an out-of-range discount", () => {
    expect(() => paymentTerms({ ...b2b, termsDays: -1 })).toThrow(RangeError);
    expect(() => paymentTerms({ ...b2b, latePenaltyRateBp: 0 })).toThrow(RangeError);
    expect(() => paymentTerms({ ...b2b, earlyPaymentDiscount: { rateBasisPoints: 0, withinDays: 10 } })).toThrow(RangeError);
  });
});

describe("legalMentions, per LEGAL.md case", () => {
  it("B2B with VAT: company status, registry, VAT number, débits option, category, buyer SIREN, order, delivery", () => {
    const doc = b2bVatInvoice();
    const m = doc.mentions;
    expect(has(m, /^SAS au capital de 10\s000,00\s€$/u)).toBe(true);
    expect(m).toContain("SIREN 123 456 782 – SIRET 123 456 782 00010");
    expect(m).toContain("RCS Lyon 123 456 782");
    expect(m).toContain("N° TVA intracommunautaire : FR11123456782");
    expect(m).toContain(DEBITS);
    expect(m).toContain("Catégorie de l'opération : Livraison de biens et prestation de services");
    expect(m).toContain("SIREN du client : 732 829 320");
    expect(m).toContain("N° TVA intracommunautaire du client : FR44732829320");
    expect(m).toContain("Bon de commande n° PO-2026/4521");
    expect(m).toContain("Date de livraison : 06/03/2026");
    expect(has(m, "Adresse de livraison : Entrepôt Nord, 8 rue des Docks, 93200 Saint-Denis")).toBe(true);
    expect(has(m, "293 B")).toBe(false);
    expect(has(m, "Autoliquidation")).toBe(false);
    expect(has(m, "Entrepreneur individuel")).toBe(false);
    expect(doc.payment.recoveryIndemnity).toContain("40,00");
  });

  it("B2B under the franchise: EI, 293 B, no VAT number, no débits option, B2B payment mentions", () => {
    const doc = b2bFranchiseInvoice();
    const m = doc.mentions;
    expect(m).toContain("Entrepreneur individuel (EI)");
    expect(m).toContain(FRANCHISE);
    expect(m).toContain("Catégorie de l'opération : Prestation de services");
    expect(m).toContain("SIREN du client : 732 829 320");
    expect(has(m, "N° TVA intracommunautaire :")).toBe(false);
    expect(has(m, "débits")).toBe(false);
    expect(has(m, "RCS")).toBe(false);
    expect(has(m, "capital")).toBe(false);
    expect(doc.payment.latePenalty).toMatch(/12\s% l'an/u);
    expect(doc.payment.recoveryIndemnity).toContain("40,00");
  });

  it("B2C: no penalty or 40 € indemnity, no buyer identifiers, VAT charged so no 293 B", () => {
    const doc = b2cInvoice();
    const m = doc.mentions;
    expect(m).toContain("Entrepreneur individuel (EI)");
    expect(m).toContain("RM Lyon 123 456 782");
    expect(m).toContain("N° TVA intracommunautaire : FR11123456782");
    expect(m).toContain("Catégorie de l'opération : Livraison de biens et prestation de services");
    expect(has(m, "Adresse de livraison : 12 route de Bœuf, 69440 Mornant")).toBe(true);
    expect(has(m, "SIREN du client")).toBe(false);
    expect(has(m, "293 B")).toBe(false);
    expect(has(m, "débits")).toBe(false);
    expect(doc.payment.recoveryIndemnity).not.toMatch(/40/);
    expect(doc.payment.latePenalty).toContain("sans objet (client particulier)");
  });

  it("EU reverse charge, English document: Autoliquidation, buyer VAT number, no débits since no VAT is charged", () => {
    const doc = euReverseChargeInvoice();
    const m = doc.mentions;
    expect(m).toContain("Autoliquidation — Reverse charge");
    expect(m).toContain("N° TVA intracommunautaire du client : DE123456789 — Customer VAT number: DE123456789");
    expect(m).toContain("Catégorie de l'opération : Prestation de services — Type of transaction: Supply of services");
    expect(has(m, "SIREN du client")).toBe(false);
    expect(has(m, "débits")).toBe(false);
    expect(has(m, "293 B")).toBe(false);
    expect(doc.payment.recoveryIndemnity).toContain("Indemnité forfaitaire");
  });

  it("credit note: references the corrected invoice by number and date", () => {
    const m = creditNote().mentions;
    expect(m).toContain("Avoir sur la facture F-2026-0007 du 12/03/2026");
    expect(has(m, "Acompte")).toBe(false);
  });

  it("deposit then final invoice: only the final invoice lists the deposit it deducts", () => {
    const deposit = depositInvoice();
    const final = finalInvoiceAfterDeposit();
    expect(has(deposit.mentions, "Acompte déduit")).toBe(false);
    const amount = formatMoney(deposit.totals.taxInclusiveCents, "fr");
    expect(final.mentions).toContain(`Acompte déduit : facture d'acompte FA-2026-0003 du 02/02/2026, ${amount} TTC`);
    expect(final.totals.dueCents).toBe(final.totals.taxInclusiveCents - deposit.totals.taxInclusiveCents);
    expect(final.payment.earlyPaymentDiscount).toMatch(/Escompte de 2\s% pour paiement sous 10 jours/u);
  });

  it("never repeats a mention", () => {
    for (const make of Object.values(SCENARIOS)) {
      const { mentions } = make();
      expect(new Set(mentions).size).toBe(mentions.length);
    }
  });
});

describe("legalMentions, conditions", () => {
  it("states the débits option only when the seller chose it", () => {
    const chosen = sampleSnapshot();
    const notChosen = sampleSnapshot({ seller: { vatOnDebits: false } });
    expect(chosen.mentions).toContain(DEBITS);
    expect(notChosen.mentions).not.toContain(DEBITS);
  });

  it("prints the legal form alone for a company without declared capital", () => {
    const doc = sampleSnapshot({ seller: { legalFormLabel: "SARL", shareCapitalCents: null } });
    expect(doc.mentions[0]).toBe("SARL");
  });

  it("omits the delivery address when it is the billing address", () => {
    const buyer = b2bVatInvoice().buyer;
    const doc = sampleSnapshot({ buyer: { deliveryAddress: { ...buyer.address, city: buyer.address.city.toUpperCase() } } });
    expect(has(doc.mentions, "Adresse de livraison")).toBe(false);
  });

  it("omits the delivery date when it is the issue date", () => {
    const doc = sampleSnapshot({ deliveryDate: "2026-03-12" });
    expect(has(doc.mentions, "Date de livraison")).toBe(false);
  });

  it("says services were performed, not delivered, for a services invoice", () => {
    const doc = sampleSnapshot({ operationCategory: "services", deliveryDate: "2026-03-01" });
    expect(doc.mentions).toContain("Date d'exécution de la prestation : 01/03/2026");
  });

  it("adds the total of the deposits when several are deducted", () => {
    const deposits = [
      { number: "FA-2026-0001", issueDate: "2026-01-10", amountCents: 50_000 },
      { number: "FA-2026-0002", issueDate: "2026-02-10", amountCents: 25_000 },
    ];
    const m = legalMentions({ ...withoutMentions(b2bVatInvoice()), deductedDeposits: deposits });
    expect(m.filter((mention) => mention.startsWith("Acompte déduit"))).toHaveLength(2);
    expect(m).toContain(`Total des acomptes déduits : ${formatMoney(75_000, "fr")} TTC`);
  });

  it("follows the requested locale rather than the buyer's language", () => {
    const m = legalMentions(withoutMentions(b2bFranchiseInvoice()), "en");
    expect(m).toContain(`${FRANCHISE} — VAT not applicable, art. 293 B of the French tax code`);
    expect(m).toContain("Entrepreneur individuel (EI) — Sole proprietorship");
  });

  it("prints every exemption Factumo offers in French, then in English on an English document (issue #13)", () => {
    expect(exemptionWording(FRANCHISE, "en")).toBe("TVA non applicable, art. 293 B du CGI — VAT not applicable, art. 293 B of the French tax code");
    for (const exemption of Object.values(VAT_EXEMPTIONS)) {
      const base = withoutMentions(b2bVatInvoice());
      const row = { ...base.totals.vatBreakdown[0]!, category: exemption.category, rateBasisPoints: 0, vatCents: 0, exemptionCode: exemption.code, exemptionReason: exemption.reason };
      const doc = { ...base, totals: { ...base.totals, vatBreakdown: [row] } };
      expect(legalMentions(doc, "fr"), exemption.code).toContain(exemption.reason);
      const english = legalMentions(doc, "en");
      expect(english, exemption.code).toContain(`${exemption.reason} — ${exemption.reasonEn}`);
      expect(english, exemption.code).not.toContain(exemption.reason);
    }
    // A wording the seller typed is printed as typed.
    expect(exemptionWording("Exonéré, art. 261-4-4° du CGI", "en")).toBe("Exonéré, art. 261-4-4° du CGI");
  });
});
