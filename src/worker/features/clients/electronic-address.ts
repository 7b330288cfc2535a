/**
 * The buyer's electronic address for e-invoicing (BT-49). Pure: no I/O.
 *
 * In the French reform the address is registered in the national directory under scheme 0225 and
 * starts with the company's SIREN ("732829320", "732829320_FACTURES"…) (BR-FR-21). Only letters,
 * digits and "+ - _ ." are allowed (BR-FR-23): an email address is never one.
 */

/** ISO 6523 scheme of the French directory addresses. */
export const ELECTRONIC_SCHEME = "0225";

/** Characters BR-FR-23 allows in a 0225 address. */
export const ELECTRONIC_ADDRESS_PATTERN = /^[A-Za-z0-9+_.-]+$/;

export const MAX_ELECTRONIC_ADDRESS_LENGTH = 100;

export interface ElectronicAddressOf {
  scheme: typeof ELECTRONIC_SCHEME;
  value: string;
}

/** What {@link electronicAddressFor} reads from a client. */
export interface ElectronicAddressSource {
  kind: "company" | "individual";
  country: string;
  siren?: string | null;
  /** The address typed by the user, if any (blank means "the default"). */
  electronicAddress?: string | null;
}

/**
 * The client's electronic address: the one typed when there is one, otherwise the SIREN for a
 * French company that has one, otherwise null (individuals and foreign companies are reached by
 * e-reporting, not through the directory).
 */
export function electronicAddressFor(client: ElectronicAddressSource): ElectronicAddressOf | null {
  const typed = client.electronicAddress?.trim();
  if (typed) return { scheme: ELECTRONIC_SCHEME, value: typed };
  if (client.kind === "company" && client.country === "FR" && client.siren) return { scheme: ELECTRONIC_SCHEME, value: client.siren };
  return null;
}

/** Why a typed electronic address is refused, or null when it is acceptable for this SIREN. */
export function electronicAddressProblem(value: string, siren: string | null | undefined): "format" | "siren" | null {
  if (value.length > MAX_ELECTRONIC_ADDRESS_LENGTH || !ELECTRONIC_ADDRESS_PATTERN.test(value)) return "format";
  if (!siren || !value.startsWith(siren)) return "siren";
  return null;
}
