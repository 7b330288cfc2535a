import { describe, expect, it } from "vitest";
import { ClientInput, ListQuery } from "./schemas";

// Real-shaped identifiers: the SIRENs and SIRETs pass Luhn, the VAT keys match their SIREN.
const SIREN = "732829320";
const SIRET = "73282932000074";
const OTHER_SIRET = "35600000000048";
const VAT = "FR44732829320";
const OTHER_VAT = "FR39356000000";

/** A company client as the browser posts it (all strings, empty fields included). */
const form: Record<string, string> = {
  kind: "company",
  name: "Atelier Dupont",
  siren: "",
  siret: "732 829 320 00074",
  vatNumber: "fr 44 732 829 320",
  addressLine1: "3 place Bellecour",
  addressLine2: "",
  postalCode: "69002",
  city: "Lyon",
  country: "fr",
  deliveryLine1: "",
  deliveryLine2: "",
  deliveryPostalCode: "",
  deliveryCity: "",
  deliveryCountry: "FR",
  email: "Compta@Dupont.example",
  language: "fr",
  paymentTermsDays: "",
  electronicAddress: "",
};

const individual: Record<string, string> = { ...form, kind: "individual", name: "Jeanne Moreau", siret: "", vatNumber: "" };

/** The i18n keys of the issues, by field. */
function errorsOf(input: unknown): Record<string, string> {
  const result = ClientInput.safeParse(input);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("ClientInput", () => {
  it("normalises a company, derives its SIREN from the SIRET and its electronic address from the SIREN", () => {
    const out = ClientInput.parse(form);
    expect(out).toMatchObject({ kind: "company", siret: SIRET, siren: SIREN, vatNumber: VAT, country: "FR", email: "compta@dupont.example" });
    expect(out.electronicAddress).toBe(SIREN);
    expect(out.delivery).toBeUndefined();
    expect(out.addressLine2).toBeUndefined();
    expect(out.paymentTermsDays).toBeUndefined();
  });

  it("accepts a private individual with no business identifier and gives them no electronic address", () => {
    const out = ClientInput.parse(individual);
    expect(out.kind).toBe("individual");
    expect(out.siren).toBeUndefined();
    expect(out.electronicAddress).toBeUndefined();
  });

  it.each(["siren", "siret", "vatNumber"] as const)("refuses a %s on a private individual", (field) => {
    const value = { siren: SIREN, siret: SIRET, vatNumber: VAT }[field];
    expect(errorsOf({ ...individual, [field]: value })).toEqual({ [field]: "clients.err.individual" });
  });

  it("refuses a SIRET that does not start with the SIREN", () => {
    expect(errorsOf({ ...form, siren: SIREN, siret: OTHER_SIRET })).toEqual({ siret: "err.siret.siren" });
  });

  it("refuses a French VAT number that belongs to another SIREN", () => {
    expect(errorsOf({ ...form, vatNumber: OTHER_VAT })).toEqual({ vatNumber: "err.vat.siren" });
  });

  it.each([
    ["siren", "732829321", "err.siren"],
    ["siret", "73282932000075", "err.siret"],
    ["vatNumber", "FR00732829320", "err.vat"],
    ["email", "compta@", "err.email"],
    ["country", "France", "err.country"],
    ["paymentTermsDays", "61", "err.terms"],
    ["paymentTermsDays", "-1", "err.terms"],
    ["paymentTermsDays", "30,5", "err.terms"],
    ["language", "de", "form.required"],
    ["name", "  ", "form.required"],
    ["city", "", "form.required"],
  ])("refuses %s = %j with %s", (field, value, key) => {
    expect(errorsOf({ ...form, [field]: value })[field]).toBe(key);
  });

  it("wants five digits for a French postal code, and a plausible code elsewhere", () => {
    expect(errorsOf({ ...form, postalCode: "6900" })).toEqual({ postalCode: "err.postal" });
    expect(errorsOf({ ...form, postalCode: "SW1A 1AA" })).toEqual({ postalCode: "err.postal" });
    expect(errorsOf({ ...form, siret: "", vatNumber: "", postalCode: "SW1A 1AA", country: "GB" })).toEqual({});
  });

  it("keeps payment terms from 0 to 60 days", () => {
    expect(ClientInput.parse({ ...form, paymentTermsDays: "0" }).paymentTermsDays).toBe(0);
    expect(ClientInput.parse({ ...form, paymentTermsDays: 60 }).paymentTermsDays).toBe(60);
  });

  it("keeps a complete delivery address and asks for the missing parts of an incomplete one", () => {
    const out = ClientInput.parse({ ...form, deliveryLine1: "Entrepôt 4", deliveryPostalCode: "69007", deliveryCity: "Lyon" });
    expect(out.delivery).toEqual({ line1: "Entrepôt 4", line2: undefined, postalCode: "69007", city: "Lyon", country: "FR" });
    expect(errorsOf({ ...form, deliveryLine2: "Bâtiment B" })).toEqual({
      deliveryLine1: "form.required",
      deliveryPostalCode: "form.required",
      deliveryCity: "form.required",
    });
    expect(errorsOf({ ...form, deliveryLine1: "Entrepôt 4", deliveryPostalCode: "697", deliveryCity: "Lyon" })).toEqual({
      deliveryPostalCode: "err.postal",
    });
  });

  it("keeps a typed electronic address that starts with the SIREN", () => {
    expect(ClientInput.parse({ ...form, electronicAddress: `${SIREN}_FACTURES` }).electronicAddress).toBe(`${SIREN}_FACTURES`);
  });

  it.each([
    [`factures@${SIREN}.fr`, "clients.err.electronicAddress"],
    ["552100554", "clients.err.electronicAddress.siren"],
  ])("refuses the electronic address %s", (value, key) => {
    expect(errorsOf({ ...form, electronicAddress: value })).toEqual({ electronicAddress: key });
  });

  it("refuses an electronic address for a client without a SIREN", () => {
    expect(errorsOf({ ...individual, electronicAddress: SIREN })).toEqual({ electronicAddress: "clients.err.electronicAddress.siren" });
  });

  it("reads JSON nulls as empty fields", () => {
    const out = ClientInput.parse({ ...form, siret: null, vatNumber: null, email: null, paymentTermsDays: null, deliveryCountry: null });
    expect(out.siren).toBeUndefined();
    expect(out.email).toBeUndefined();
    expect(out.electronicAddress).toBeUndefined();
  });

  it("reports every invalid field at once", () => {
    expect(Object.keys(errorsOf({ ...form, name: "", siret: "1", postalCode: "x" })).sort()).toEqual(["name", "postalCode", "siret"]);
  });
});

describe("ListQuery", () => {
  it("reads the search, the cursor and the archived filter from a query string", () => {
    expect(ListQuery.parse({ q: "dup", cursor: "abc", archived: "1" })).toEqual({ q: "dup", cursor: "abc", archived: true });
    expect(ListQuery.parse({})).toEqual({ q: "", cursor: undefined, archived: false });
    expect(ListQuery.parse({ archived: "true" }).archived).toBe(true);
  });
});
