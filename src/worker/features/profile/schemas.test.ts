import { describe, expect, it } from "vitest";
import { frenchVatNumberFromSiren } from "../../domain/identifiers";
import { ProfileInput } from "./schemas";

// Real-shaped identifiers: the SIREN and SIRET pass Luhn, the IBAN passes MOD 97.
const SIREN = "732829320";
const SIRET = "73282932000074";
const IBAN = "FR7630006000011234567890189";

/** A valid form post for an individual entrepreneur, as the browser sends it (all strings). */
const form: Record<string, string> = {
  name: "Camille Martin",
  legalForm: "ei",
  siren: "",
  siret: "732 829 320 00074",
  registration: "none",
  registrationCity: "",
  shareCapital: "",
  addressLine1: "12 rue des Lilas",
  addressLine2: "",
  postalCode: "75011",
  city: "Paris",
  country: "fr",
  contactEmail: "Camille@Example.fr",
  phone: "+33 6 12 34 56 78",
  vatRegime: "franchise",
  vatNumber: "",
  paymentTermsDays: "30",
  latePenaltyRate: "",
  earlyPaymentDiscount: "",
  iban: "fr76 3000 6000 0112 3456 7890 189",
  bic: "bnpafrpp",
};

/** The i18n keys of the issues, by field. */
function errorsOf(input: unknown): Record<string, string> {
  const result = ProfileInput.safeParse(input);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("§3.1 ProfileInput: name, email, optional phone, company, SIRET, address", () => {
  it("normalises a valid form post and derives the SIREN from the SIRET", () => {
    const out = ProfileInput.parse(form);
    expect(out.siret).toBe(SIRET);
    expect(out.siren).toBe(SIREN);
    expect(out.country).toBe("FR");
    expect(out.contactEmail).toBe("camille@example.fr");
    expect(out.iban).toBe(IBAN);
    expect(out.bic).toBe("BNPAFRPP");
    expect(out.addressLine2).toBeUndefined();
    expect(out.vatOnDebits).toBe(false);
    expect(out.shareCapitalCents).toBeUndefined();
    expect(out.latePenaltyRateBp).toBeUndefined();
  });

  it("reads French decimals: share capital in cents, penalty rate in basis points", () => {
    const out = ProfileInput.parse({ ...form, legalForm: "sas", shareCapital: "1 000,50", latePenaltyRate: "12,5" });
    expect(out.shareCapitalCents).toBe(100_050);
    expect(out.latePenaltyRateBp).toBe(1_250);
  });

  it("accepts JSON numbers and booleans from the API", () => {
    const out = ProfileInput.parse({ ...form, legalForm: "sarl", shareCapital: 1500, paymentTermsDays: 45, vatRegime: "vat", vatOnDebits: true });
    expect(out.shareCapitalCents).toBe(150_000);
    expect(out.paymentTermsDays).toBe(45);
    expect(out.vatOnDebits).toBe(true);
  });

  it("reads a ticked checkbox as true, only for a VAT-registered business", () => {
    expect(ProfileInput.parse({ ...form, vatRegime: "vat", vatOnDebits: "on" }).vatOnDebits).toBe(true);
    expect(ProfileInput.parse({ ...form, vatRegime: "franchise", vatOnDebits: "on" }).vatOnDebits).toBe(false);
  });

  it("computes the French VAT number from the SIREN when VAT-registered and none is given", () => {
    const out = ProfileInput.parse({ ...form, vatRegime: "vat" });
    expect(out.vatNumber).toBe(frenchVatNumberFromSiren(SIREN));
  });

  it("leaves the VAT number empty under the franchise", () => {
    expect(ProfileInput.parse(form).vatNumber).toBeUndefined();
  });

  it("rejects a SIRET whose Luhn key is wrong", () => {
    expect(errorsOf({ ...form, siret: "73282932000075" })).toEqual({ siret: "err.siret" });
  });

  it("rejects a SIRET that does not start with the SIREN given", () => {
    expect(errorsOf({ ...form, siren: "552100554" })).toEqual({ siret: "err.siret.siren" });
  });

  it("rejects a malformed SIREN", () => {
    expect(errorsOf({ ...form, siret: "", siren: "123456789" })).toEqual({ siren: "err.siren" });
  });

  it("rejects a French VAT number that belongs to another SIREN", () => {
    const other = frenchVatNumberFromSiren("552100554");
    expect(errorsOf({ ...form, vatRegime: "vat", vatNumber: other })).toEqual({ vatNumber: "err.vat.siren" });
  });

  it("rejects a VAT number with a wrong French key", () => {
    expect(errorsOf({ ...form, vatNumber: "FR00732829320" })).toEqual({ vatNumber: "err.vat" });
  });

  it("accepts another EU VAT number without a SIREN check", () => {
    expect(ProfileInput.parse({ ...form, vatNumber: "DE123456789" }).vatNumber).toBe("DE123456789");
  });

  it("rejects an IBAN whose check digits are wrong, and a malformed BIC", () => {
    expect(errorsOf({ ...form, iban: "FR7630006000011234567890188", bic: "BNP" })).toEqual({ iban: "err.iban", bic: "err.bic" });
  });

  it("refuses payment terms beyond 60 days, negative or fractional (L441-10)", () => {
    for (const paymentTermsDays of ["61", "-1", "12.5", "trente"]) {
      expect(errorsOf({ ...form, paymentTermsDays })).toEqual({ paymentTermsDays: "err.terms" });
    }
    expect(ProfileInput.parse({ ...form, paymentTermsDays: "60" }).paymentTermsDays).toBe(60);
    expect(ProfileInput.parse({ ...form, paymentTermsDays: "0" }).paymentTermsDays).toBe(0);
  });

  it("defaults the payment terms to 30 days when left empty", () => {
    expect(ProfileInput.parse({ ...form, paymentTermsDays: "" }).paymentTermsDays).toBe(30);
  });

  it("refuses a penalty rate above 100 % or with more than two decimals", () => {
    expect(errorsOf({ ...form, latePenaltyRate: "100,01" })).toEqual({ latePenaltyRate: "err.rate" });
    expect(errorsOf({ ...form, latePenaltyRate: "12,345" })).toEqual({ latePenaltyRate: "err.rate" });
  });

  it("requires a registration city for the RCS or the RM", () => {
    expect(errorsOf({ ...form, registration: "rcs" })).toEqual({ registrationCity: "err.registration.city" });
    expect(ProfileInput.parse({ ...form, registration: "rm", registrationCity: "Lyon" }).registrationCity).toBe("Lyon");
  });

  it("requires share capital from companies only", () => {
    expect(errorsOf({ ...form, legalForm: "sasu" })).toEqual({ shareCapital: "err.capital.required" });
    expect(errorsOf({ ...form, legalForm: "association" })).toEqual({});
  });

  it("rejects a share capital that is negative or not a number", () => {
    expect(errorsOf({ ...form, legalForm: "sas", shareCapital: "-5" })).toEqual({ shareCapital: "err.capital" });
    expect(errorsOf({ ...form, legalForm: "sas", shareCapital: "beaucoup" })).toEqual({ shareCapital: "err.capital" });
  });

  it("requires five digits as a French postal code but not elsewhere", () => {
    expect(errorsOf({ ...form, postalCode: "7501" })).toEqual({ postalCode: "err.postal" });
    expect(ProfileInput.parse({ ...form, country: "GB", postalCode: "SW1A 1AA" }).postalCode).toBe("SW1A 1AA");
  });

  it("rejects a country that is not a 2-letter code", () => {
    expect(errorsOf({ ...form, country: "France" })).toEqual({ country: "err.country" });
  });

  it("rejects an email and a phone number that cannot be right", () => {
    expect(errorsOf({ ...form, contactEmail: "camille@", phone: "call me" })).toEqual({ contactEmail: "err.email", phone: "err.phone" });
  });

  it("requires a name", () => {
    expect(errorsOf({ ...form, name: "   " })).toEqual({ name: "form.required" });
  });

  it("reports cross-field errors together with field errors, so the form shows them all at once", () => {
    expect(errorsOf({ ...form, siret: "123", legalForm: "sas", registration: "rcs", postalCode: "7501" })).toEqual({
      siret: "err.siret",
      shareCapital: "err.capital.required",
      registrationCity: "err.registration.city",
      postalCode: "err.postal",
    });
  });

  it("skips a cross-field rule whose fields are themselves invalid", () => {
    expect(errorsOf({ ...form, siren: "123", vatNumber: "FR44732829320" })).toEqual({ siren: "err.siren" });
  });
});
