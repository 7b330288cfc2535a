import type { LegalForm, accounts } from "../../db/schema";
import type { MessageKey } from "../../ui/i18n";

/** Legal forms that are companies: their documents must show the legal form and share capital (LEGAL.md §1). */
export const COMPANY_FORMS: ReadonlySet<LegalForm> = new Set(["eurl", "sasu", "sarl", "sas", "sa", "snc"]);

/** True for a company (EURL, SAS…), false for an individual entrepreneur, an association or "other". */
export function isCompany(legalForm: LegalForm): boolean {
  return COMPANY_FORMS.has(legalForm);
}

type AccountRow = typeof accounts.$inferSelect;

/** The profile fields the seller's mandatory mentions depend on; an `accounts` row fits as is. */
export type SellerMentions = Pick<
  AccountRow,
  | "name"
  | "legalForm"
  | "siren"
  | "siret"
  | "registration"
  | "registrationCity"
  | "shareCapitalCents"
  | "addressLine1"
  | "postalCode"
  | "city"
  | "contactEmail"
  | "vatRegime"
  | "vatNumber"
>;

const present = (v: string | null | undefined): boolean => v != null && v.trim() !== "";

/**
 * What is still missing before an invoice can carry every seller mention of LEGAL.md §1, as i18n
 * keys of the fields to fill, in form order. An empty list means the profile is complete.
 */
export function profileCompleteness(p: SellerMentions): MessageKey[] {
  const missing: MessageKey[] = [];
  if (!present(p.name)) missing.push("profile.name");
  if (!present(p.siren) && !present(p.siret)) missing.push("profile.sirenOrSiret");
  if ((p.registration === "rcs" || p.registration === "rm") && !present(p.registrationCity)) {
    missing.push("profile.registrationCity");
  }
  if (isCompany(p.legalForm) && p.shareCapitalCents == null) missing.push("profile.shareCapital");
  if (!present(p.addressLine1)) missing.push("profile.addressLine1");
  if (!present(p.postalCode)) missing.push("profile.postalCode");
  if (!present(p.city)) missing.push("profile.city");
  if (!present(p.contactEmail)) missing.push("profile.contactEmail");
  if (p.vatRegime === "vat" && !present(p.vatNumber)) missing.push("profile.vatNumber");
  return missing;
}

// "EI" / "E.I." (upper case, so a first name like "Ei" does not count) or "Entrepreneur individuel",
// already written by the user before or after the name.
const EI_INITIALS = /(?:^|[\s(,–-])(?:EI|E\.I\.?)(?=$|[\s),.–-])/;
const EI_WORDS = /\bentrepreneur individuel\b/i;

/**
 * The seller name as printed on documents. An individual entrepreneur's name must be followed or
 * preceded by "EI" (mandatory since 15 May 2022): it is appended unless the name already has it.
 */
export function legalDisplayName(p: Pick<AccountRow, "name" | "legalForm">): string {
  const name = p.name.trim();
  if (p.legalForm !== "ei" || EI_INITIALS.test(name) || EI_WORDS.test(name)) return name;
  return `${name} EI`;
}
