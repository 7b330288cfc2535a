import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reminderMail } from "../reminders/templates";
import { defaultTemplate, documentMail, fillTemplate, PLACEHOLDERS, TEMPLATE_KINDS, unknownPlaceholders, type DocumentMailInput } from "./templates";

const base: DocumentMailInput = {
  language: "fr",
  type: "invoice",
  number: "F-2026-0007",
  sellerName: "Léa Conseil",
  clientName: "Boulangerie Kerlann",
  issueDate: "2026-11-26",
  amountCents: 123_456,
  dueDate: "2026-12-26",
  validUntil: null,
  link: "https://factumo.example/p/abc",
  payLink: null,
};

describe("placeholders", () => {
  it("names the unknown ones once each, and accepts every documented one", () => {
    expect(unknownPlaceholders("{numero} {montnat} {montnat} {}")).toEqual(["montnat", ""]);
    expect(unknownPlaceholders(PLACEHOLDERS.map((p) => `{${p}}`).join(" "))).toEqual([]);
    for (const kind of TEMPLATE_KINDS)
      for (const lang of ["fr", "en"] as const) {
        const t = defaultTemplate(kind, lang);
        expect(unknownPlaceholders(t.subject + t.body), `${kind}.${lang}`).toEqual([]);
      }
  });

  it("fills each known placeholder", () => {
    const values = Object.fromEntries(PLACEHOLDERS.map((p) => [p, p.toUpperCase()])) as Record<(typeof PLACEHOLDERS)[number], string>;
    expect(fillTemplate("{numero}/{montant}/{echeance}/{date}/{lien}/{entreprise}/{client}", values)).toBe("NUMERO/MONTANT/ECHEANCE/DATE/LIEN/ENTREPRISE/CLIENT");
  });
});

describe("documentMail", () => {
  it("says « la » for an invoice or a deposit invoice, « le » for a quote or a credit note", () => {
    expect(documentMail(base).mandatory).toContain("Vous pouvez aussi la consulter en ligne");
    expect(documentMail({ ...base, type: "deposit_invoice" }).mandatory).toContain("la consulter");
    expect(documentMail({ ...base, type: "quote", validUntil: "2027-01-31" }).mandatory).toContain("le consulter");
    expect(documentMail({ ...base, type: "credit_note" }).mandatory).toContain("le consulter");
  });

  it("writes today's built-in text from the default template, without a sentence about a missing date", () => {
    const mail = documentMail(base);
    expect(mail.subject).toBe("Léa Conseil — Facture F-2026-0007");
    expect(mail.message).toContain("d'un montant de 1\u202f234,56\u00a0€. Échéance de paiement : 26/12/2026.");
    const quote = documentMail({ ...base, type: "quote", validUntil: null });
    expect(quote.message).toContain("d'un montant de 1\u202f234,56\u00a0€.\n");
    expect(quote.message).not.toContain("valable");
  });

  it("keeps the link (and the pay link) after any message the user writes", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom("fr" as const, "en" as const), fc.boolean(), (message, language, pay) => {
        const mail = documentMail({ ...base, language, payLink: pay ? "https://factumo.example/payer/xyz" : null }, { body: message });
        expect(mail.text.endsWith(mail.mandatory)).toBe(true);
        expect(mail.text).toContain(base.link);
        if (pay) expect(mail.text).toContain("https://factumo.example/payer/xyz");
      }),
    );
  });
});

describe("reminderMail", () => {
  const reminder = {
    language: "fr" as const,
    sellerName: "Léa Conseil",
    number: "F-2026-0007",
    issueDate: "2026-10-01",
    dueDate: "2026-10-31",
    today: "2026-11-10",
    outstandingCents: 50_000,
    b2b: { latePenalty: "Pénalités de retard : 3 fois le taux d'intérêt légal", recoveryIndemnity: "Indemnité forfaitaire pour frais de recouvrement : 40 €" },
    iban: "FR7630006000011234567890189",
  };

  it("keeps the amount due, the IBAN in groups of four and the B2B mentions after a custom message", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (message) => {
        const mail = reminderMail(reminder, { body: message });
        expect(mail.text).toContain("Montant restant dû : 500,00\u00a0€.");
        expect(mail.text).toContain("FR76 3000 6000 0112 3456 7890 189");
        expect(mail.text).toContain(reminder.b2b.recoveryIndemnity);
      }),
    );
  });
});
