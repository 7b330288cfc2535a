import { describe, expect, it } from "vitest";
import { ELECTRONIC_SCHEME, electronicAddressFor, electronicAddressProblem } from "./electronic-address";

const SIREN = "732829320";

describe("electronicAddressFor", () => {
  it("defaults to the SIREN, scheme 0225, for a French company", () => {
    expect(electronicAddressFor({ kind: "company", country: "FR", siren: SIREN })).toEqual({ scheme: ELECTRONIC_SCHEME, value: SIREN });
    expect(ELECTRONIC_SCHEME).toBe("0225");
  });

  it("keeps the address the user typed over the default", () => {
    expect(electronicAddressFor({ kind: "company", country: "FR", siren: SIREN, electronicAddress: `${SIREN}_FACTURES` })).toEqual({
      scheme: "0225",
      value: `${SIREN}_FACTURES`,
    });
  });

  it("treats a blank typed address as no address", () => {
    expect(electronicAddressFor({ kind: "company", country: "FR", siren: SIREN, electronicAddress: "  " })?.value).toBe(SIREN);
  });

  it.each([
    ["a private individual", { kind: "individual" as const, country: "FR", siren: null }],
    ["a French company without a SIREN", { kind: "company" as const, country: "FR", siren: null }],
    ["a foreign company", { kind: "company" as const, country: "DE", siren: null }],
  ])("gives no default for %s", (_who, client) => {
    expect(electronicAddressFor(client)).toBeNull();
  });
});

describe("electronicAddressProblem", () => {
  it.each([SIREN, `${SIREN}_FACTURES`, `${SIREN}-compta.2`, `${SIREN}+1`])("accepts %s", (value) => {
    expect(electronicAddressProblem(value, SIREN)).toBeNull();
  });

  it.each([`compta@${SIREN}.fr`, `${SIREN} factures`, `${SIREN}/x`, `${SIREN}é`, `${SIREN}_${"x".repeat(100)}`])("refuses the shape of %s", (value) => {
    expect(electronicAddressProblem(value, SIREN)).toBe("format");
  });

  it("refuses an address that does not start with the client's SIREN", () => {
    expect(electronicAddressProblem("552100554", SIREN)).toBe("siren");
    expect(electronicAddressProblem(SIREN, null)).toBe("siren");
  });
});
