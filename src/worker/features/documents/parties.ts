import type { clients } from "../../db/schema";
import type { BuyerSnapshot, PostalAddress, SellerSnapshot } from "../../domain/document";
import { isCompany, legalDisplayName } from "../profile/completeness";
import type { Profile } from "../profile/verbs";

/** Printed legal form labels (French: the language of the seller's registration). */
const LEGAL_FORM_LABELS: Record<Profile["legalForm"], string> = {
  ei: "Entrepreneur individuel",
  eurl: "EURL",
  sasu: "SASU",
  sarl: "SARL",
  sas: "SAS",
  sa: "SA",
  snc: "SNC",
  association: "Association",
  other: "",
};

/** The seller as frozen on a document, from a complete profile (completeness checked before). */
export function sellerSnapshot(p: Profile): SellerSnapshot {
  const siren = p.siren ?? p.siret?.slice(0, 9) ?? "";
  return {
    name: legalDisplayName(p),
    tradeName: null,
    legalFormLabel: LEGAL_FORM_LABELS[p.legalForm],
    isCompany: isCompany(p.legalForm),
    siren,
    siret: p.siret ?? "",
    vatNumber: p.vatRegime === "vat" ? p.vatNumber : null,
    vatRegime: p.vatRegime,
    vatOnDebits: p.vatOnDebits,
    registration: p.registration !== "none" && p.registrationCity ? { kind: p.registration, city: p.registrationCity } : null,
    shareCapitalCents: isCompany(p.legalForm) ? p.shareCapitalCents : null,
    address: { line1: p.addressLine1 ?? "", line2: p.addressLine2, postalCode: p.postalCode ?? "", city: p.city ?? "", country: p.country },
    email: p.contactEmail ?? "",
    phone: p.phone,
    // The reform's directory addresses a company by its SIREN (scheme 0225).
    electronicAddress: { scheme: "0225", value: siren },
    iban: p.iban,
    bic: p.bic,
  };
}

type ClientRow = typeof clients.$inferSelect;

export function buyerSnapshot(c: ClientRow): BuyerSnapshot {
  const delivery: PostalAddress | null =
    c.deliveryLine1 && c.deliveryPostalCode && c.deliveryCity
      ? { line1: c.deliveryLine1, line2: c.deliveryLine2, postalCode: c.deliveryPostalCode, city: c.deliveryCity, country: c.deliveryCountry ?? c.country }
      : null;
  return {
    kind: c.kind,
    name: c.name,
    siren: c.siren ?? c.siret?.slice(0, 9) ?? null,
    siret: c.siret,
    vatNumber: c.vatNumber,
    address: { line1: c.addressLine1, line2: c.addressLine2, postalCode: c.postalCode, city: c.city, country: c.country },
    deliveryAddress: delivery,
    email: c.email,
    electronicAddress: c.electronicScheme && c.electronicAddress ? { scheme: c.electronicScheme, value: c.electronicAddress } : null,
    language: c.language,
  };
}

/** What a client still lacks before a document can be issued to them (i18n keys). */
export function buyerMissing(c: ClientRow): string[] {
  const missing: string[] = [];
  if (!c.addressLine1 || !c.postalCode || !c.city) missing.push("documents.missing.clientAddress");
  // French B2B e-invoices need the buyer's SIREN and electronic address (BR-FR-11, BT-49).
  if (c.kind === "company" && c.country === "FR" && !(c.siren || c.siret)) missing.push("documents.missing.clientSiren");
  return missing;
}
