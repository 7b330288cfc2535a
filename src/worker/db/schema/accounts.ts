import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

export const LEGAL_FORMS = ["ei", "eurl", "sasu", "sarl", "sas", "sa", "snc", "association", "other"] as const;
export type LegalForm = (typeof LEGAL_FORMS)[number];

/**
 * The business: its company profile feeds every document's legal mentions (LEGAL.md §1).
 * Ids are random so an account can move between D1 shards.
 */
export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  legalForm: text("legal_form", { enum: LEGAL_FORMS }).notNull().default("ei"),
  siren: text("siren"),
  siret: text("siret"),
  registration: text("registration", { enum: ["none", "rcs", "rm"] }).notNull().default("none"),
  registrationCity: text("registration_city"),
  shareCapitalCents: integer("share_capital_cents"),
  addressLine1: text("address_line1"),
  addressLine2: text("address_line2"),
  postalCode: text("postal_code"),
  city: text("city"),
  country: text("country").notNull().default("FR"),
  contactEmail: text("contact_email"),
  phone: text("phone"),
  vatRegime: text("vat_regime", { enum: ["franchise", "vat"] }).notNull().default("franchise"),
  vatNumber: text("vat_number"),
  vatOnDebits: integer("vat_on_debits", { mode: "boolean" }).notNull().default(false),
  /** The day the business started (YYYY-MM-DD): no URSSAF period is due before it. Null: the sign-up day. */
  activityStartDate: text("activity_start_date"),
  paymentTermsDays: integer("payment_terms_days").notNull().default(30),
  /** Late-payment penalty rate in basis points; null = ECB rate + 10 points (the legal default). */
  latePenaltyRateBp: integer("late_penalty_rate_bp"),
  earlyPaymentDiscount: text("early_payment_discount"),
  /** AES-GCM sealed IBAN and BIC (privacy policy §8). */
  ibanSealed: text("iban_sealed"),
  bicSealed: text("bic_sealed"),
  logoKey: text("logo_key"),
  logoType: text("logo_type"),
  frozenAt: timestamp("frozen_at"),
  /** Closed by its owner (policy §9.3): personal data erased, issued documents sealed under legal hold. */
  closedAt: timestamp("closed_at"),
  lastActivityAt: timestamp("last_activity_at").notNull(),
  createdAt: timestamp("created_at").notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});
