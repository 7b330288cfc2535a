import { describe, expect, it } from "vitest";
import { type SellerMentions, legalDisplayName, profileCompleteness } from "./completeness";

const complete: SellerMentions = {
  name: "Camille Martin",
  legalForm: "ei",
  siren: "732829320",
  siret: "73282932000074",
  registration: "none",
  registrationCity: null,
  shareCapitalCents: null,
  addressLine1: "12 rue des Lilas",
  postalCode: "75011",
  city: "Paris",
  contactEmail: "camille@example.fr",
  vatRegime: "franchise",
  vatNumber: null,
};

describe("profileCompleteness", () => {
  it("finds nothing missing in a complete micro-entrepreneur profile", () => {
    expect(profileCompleteness(complete)).toEqual([]);
  });

  it("lists every missing item of a freshly signed-up account, in form order", () => {
    const fresh: SellerMentions = {
      ...complete,
      siren: null,
      siret: null,
      addressLine1: null,
      postalCode: null,
      city: null,
      contactEmail: null,
    };
    expect(profileCompleteness(fresh)).toEqual([
      "profile.sirenOrSiret",
      "profile.addressLine1",
      "profile.postalCode",
      "profile.city",
      "profile.contactEmail",
    ]);
  });

  it("counts blank strings as missing", () => {
    expect(profileCompleteness({ ...complete, name: "  ", city: "" })).toEqual(["profile.name", "profile.city"]);
  });

  it("accepts a SIRET alone or a SIREN alone", () => {
    expect(profileCompleteness({ ...complete, siren: null })).toEqual([]);
    expect(profileCompleteness({ ...complete, siret: null })).toEqual([]);
  });

  it("asks for the registration city only when registered at the RCS or RM", () => {
    expect(profileCompleteness({ ...complete, registration: "rcs" })).toEqual(["profile.registrationCity"]);
    expect(profileCompleteness({ ...complete, registration: "rm" })).toEqual(["profile.registrationCity"]);
    expect(profileCompleteness({ ...complete, registration: "rcs", registrationCity: "Lyon" })).toEqual([]);
  });

  it("asks companies for their share capital but not individual entrepreneurs or associations", () => {
    for (const legalForm of ["eurl", "sasu", "sarl", "sas", "sa", "snc"] as const) {
      expect(profileCompleteness({ ...complete, legalForm })).toEqual(["profile.shareCapital"]);
      expect(profileCompleteness({ ...complete, legalForm, shareCapitalCents: 100_000 })).toEqual([]);
    }
    for (const legalForm of ["ei", "association", "other"] as const) {
      expect(profileCompleteness({ ...complete, legalForm })).toEqual([]);
    }
  });

  it("treats a share capital of zero as given", () => {
    expect(profileCompleteness({ ...complete, legalForm: "sas", shareCapitalCents: 0 })).toEqual([]);
  });

  it("asks for the VAT number only when VAT-registered", () => {
    expect(profileCompleteness({ ...complete, vatRegime: "vat" })).toEqual(["profile.vatNumber"]);
    expect(profileCompleteness({ ...complete, vatRegime: "vat", vatNumber: "FR44732829320" })).toEqual([]);
  });
});

describe("legalDisplayName", () => {
  it("appends EI to an individual entrepreneur's name", () => {
    expect(legalDisplayName({ name: "Camille Martin", legalForm: "ei" })).toBe("Camille Martin EI");
  });

  it("trims the name before appending", () => {
    expect(legalDisplayName({ name: "  Camille Martin ", legalForm: "ei" })).toBe("Camille Martin EI");
  });

  it("does not add EI twice when the name already carries the mention, before or after", () => {
    for (const name of ["Camille Martin EI", "EI Camille Martin", "Camille Martin (EI)", "Camille Martin E.I.", "Camille Martin, entrepreneur individuel"]) {
      expect(legalDisplayName({ name, legalForm: "ei" })).toBe(name);
    }
  });

  it("does not mistake a word containing or resembling EI for the mention", () => {
    expect(legalDisplayName({ name: "REIMS Conseil", legalForm: "ei" })).toBe("REIMS Conseil EI");
    expect(legalDisplayName({ name: "Ei Tanaka", legalForm: "ei" })).toBe("Ei Tanaka EI");
  });

  it("leaves companies and associations unchanged", () => {
    expect(legalDisplayName({ name: "Martin Conseil", legalForm: "sas" })).toBe("Martin Conseil");
    expect(legalDisplayName({ name: "Les Amis du Code", legalForm: "association" })).toBe("Les Amis du Code");
  });
});
