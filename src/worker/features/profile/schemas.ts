import * as z from "zod";
import { LEGAL_FORMS } from "../../db/schema";
import { parseAmountToCents } from "../../domain/format";
import {
  explainBic,
  explainIban,
  explainSiren,
  explainSiret,
  explainVatNumber,
  frenchVatNumberFromSiren,
  isValidSiren,
  sirenFromSiret,
  type Validation,
} from "../../domain/identifiers";
import { businessDate, emailField } from "../../http/validate";
import { isCompany } from "./completeness";

/** Longest default payment term the law allows: 60 days from the invoice date (L441-10). */
export const MAX_PAYMENT_TERMS_DAYS = 60;
/** 100 % in basis points: a penalty rate above that is a typing mistake. */
const MAX_RATE_BP = 10_000;

// Form values are strings and JSON may send null: both "" and null mean "not given".
const blank = (v: unknown) => (v === null ? undefined : typeof v === "string" ? (v.trim() === "" ? undefined : v.trim()) : v);

const text = (max: number) => z.preprocess(blank, z.string().max(max).optional());

/** An optional identifier, normalised by its `explain*` validator; its error is the given i18n key. */
const identifier = (explain: (s: string) => Validation, message: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .transform((s, ctx) => {
        const checked = explain(s);
        if (checked.ok) return checked.value;
        ctx.issues.push({ code: "custom", message, input: s });
        return z.NEVER;
      })
      .optional(),
  );

/** An optional decimal typed the French way ("1 000,50" or "1000.50"), in hundredths. */
const hundredths = (message: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === "number" ? String(v) : blank(v)),
    z
      .string()
      .transform((s, ctx) => {
        const parsed = parseAmountToCents(s);
        if (parsed.ok && parsed.cents >= 0 && parsed.cents <= max) return parsed.cents;
        ctx.issues.push({ code: "custom", message, input: s });
        return z.NEVER;
      })
      .optional(),
  );

/** A checkbox: "on" when ticked, absent when not; JSON sends a boolean. */
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((v) => blank(v) ?? fallback, schema);

const paymentTermsDays = z.preprocess(
  (v) => {
    const b = blank(v);
    if (b === undefined) return 30;
    // "45" from a form becomes 45; anything else reaches z.number and fails with err.terms.
    return typeof b === "string" && /^-?\d+([.,]\d+)?$/.test(b) ? Number(b.replace(",", ".")) : b;
  },
  z
    .number({ error: "err.terms" })
    .int("err.terms")
    .min(0, "err.terms")
    .max(MAX_PAYMENT_TERMS_DAYS, "err.terms"),
);

// Loose on purpose: "+33 6 12 34 56 78", "06.12.34.56.78", "(555) 123-4567" all pass.
const PHONE = /^\+?[\d\s.()/-]{6,25}$/;
const phone = z.preprocess(
  blank,
  z
    .string()
    .refine((s) => PHONE.test(s) && s.replace(/\D/g, "").length >= 6, "err.phone")
    .optional(),
);

const FR_POSTAL_CODE = /^\d{5}$/;
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/;

/**
 * The company profile as typed in Paramètres → Entreprise or sent to PUT /api/v1/account/profile.
 * The output is what is stored: identifiers normalised, SIREN derived from the SIRET, the French
 * VAT number computed from the SIREN when VAT-registered, capital in cents, penalty rate in basis points.
 */
export const ProfileInput = z
  .object({
    name: z.preprocess(blank, z.string({ error: "form.required" }).max(200)),
    legalForm: withDefault(z.enum(LEGAL_FORMS, "form.required"), "ei"),
    siren: identifier(explainSiren, "err.siren"),
    siret: identifier(explainSiret, "err.siret"),
    registration: withDefault(z.enum(["none", "rcs", "rm"], "form.required"), "none"),
    registrationCity: text(100),
    shareCapital: hundredths("err.capital", 1_000_000_000_000),
    addressLine1: text(200),
    addressLine2: text(200),
    postalCode: text(12),
    city: text(100),
    country: withDefault(
      z
        .string()
        .transform((s) => s.toUpperCase())
        .pipe(z.string().regex(/^[A-Z]{2}$/, "err.country")),
      "FR",
    ),
    contactEmail: z.preprocess(blank, emailField.optional()),
    phone,
    vatRegime: withDefault(z.enum(["franchise", "vat"], "form.required"), "franchise"),
    vatNumber: identifier(explainVatNumber, "err.vat"),
    vatOnDebits: checkbox,
    activityStartDate: z.preprocess(blank, businessDate("err.date").optional()),
    paymentTermsDays,
    latePenaltyRate: hundredths("err.rate", MAX_RATE_BP),
    earlyPaymentDiscount: text(300),
    iban: identifier(explainIban, "err.iban"),
    bic: identifier(explainBic, "err.bic"),
  })
  .superRefine(
    (v, ctx) => {
      // Runs even when some fields failed, so every error shows at once; a rule is skipped when a
      // field it reads is itself invalid (its value is then not the parsed one).
      const invalid = new Set(ctx.issues.map((i) => i.path?.[0]));
      const ok = (...fields: Array<keyof typeof v>) => fields.every((f) => !invalid.has(f));
      const issue = (path: keyof typeof v, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

      if (ok("siren", "siret") && v.siren && v.siret && !v.siret.startsWith(v.siren)) issue("siret", "err.siret.siren");
      const siren = ok("siren", "siret") ? (v.siren ?? (v.siret ? sirenFromSiret(v.siret) : undefined)) : undefined;
      if (ok("vatNumber") && v.vatNumber?.startsWith("FR") && siren && v.vatNumber.slice(4) !== siren) {
        issue("vatNumber", "err.vat.siren");
      }
      if (ok("registration", "registrationCity") && v.registration !== "none" && !v.registrationCity) {
        issue("registrationCity", "err.registration.city");
      }
      if (ok("legalForm", "shareCapital") && isCompany(v.legalForm) && v.shareCapital === undefined) {
        issue("shareCapital", "err.capital.required");
      }
      if (ok("country", "postalCode") && v.postalCode !== undefined) {
        const valid = v.country === "FR" ? FR_POSTAL_CODE.test(v.postalCode) : POSTAL_CODE.test(v.postalCode);
        if (!valid) issue("postalCode", "err.postal");
      }
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  )
  .transform(({ shareCapital, latePenaltyRate, ...v }) => {
    const siren = v.siren ?? (v.siret ? sirenFromSiret(v.siret) : undefined);
    const vatNumber =
      v.vatNumber ?? (v.vatRegime === "vat" && siren && isValidSiren(siren) ? frenchVatNumberFromSiren(siren) : undefined);
    return {
      ...v,
      siren,
      vatNumber,
      // The "option pour les débits" only exists for a VAT-registered business.
      vatOnDebits: v.vatRegime === "vat" && v.vatOnDebits,
      shareCapitalCents: shareCapital,
      latePenaltyRateBp: latePenaltyRate,
    };
  });

export type ProfileInput = z.output<typeof ProfileInput>;
