import * as z from "zod";
import { explainSiren, explainSiret, explainVatNumber, sirenFromSiret } from "../../domain/identifiers";
import { emailField } from "../../http/validate";
import { electronicAddressFor, electronicAddressProblem } from "./electronic-address";
import { blank, country, identifier, isPostalCodeOf, optionalText, requiredText, withDefault } from "./fields";

/** Longest payment term the law allows: 60 days from the invoice date (L441-10). */
export const MAX_PAYMENT_TERMS_DAYS = 60;

export const CLIENT_KINDS = ["company", "individual"] as const;
export const CLIENT_LANGUAGES = ["fr", "en"] as const;

/** Optional: blank means "the account's default terms". */
const paymentTermsDays = z.preprocess(
  (v) => {
    const b = blank(v);
    // "45" from a form becomes 45; anything else reaches z.number and fails with err.terms.
    return typeof b === "string" && /^-?\d+([.,]\d+)?$/.test(b) ? Number(b.replace(",", ".")) : b;
  },
  z.number({ error: "err.terms" }).int("err.terms").min(0, "err.terms").max(MAX_PAYMENT_TERMS_DAYS, "err.terms").optional(),
);

const DELIVERY_FIELDS = ["deliveryLine1", "deliveryLine2", "deliveryPostalCode", "deliveryCity"] as const;

/**
 * A client as typed in the "Nouveau client" / edit form or sent to POST and PUT /api/v1/clients.
 * The output is what is stored: identifiers normalised, SIREN derived from the SIRET, the delivery
 * address kept only when one was given, and the electronic address defaulted from the SIREN.
 */
export const ClientInput = z
  .object({
    kind: withDefault(z.enum(CLIENT_KINDS, "form.required"), "company"),
    name: requiredText(200),
    siren: identifier(explainSiren, "err.siren"),
    siret: identifier(explainSiret, "err.siret"),
    vatNumber: identifier(explainVatNumber, "err.vat"),
    addressLine1: requiredText(200),
    addressLine2: optionalText(200),
    postalCode: requiredText(12),
    city: requiredText(100),
    country,
    deliveryLine1: optionalText(200),
    deliveryLine2: optionalText(200),
    deliveryPostalCode: optionalText(12),
    deliveryCity: optionalText(100),
    deliveryCountry: country,
    email: z.preprocess(blank, emailField.optional()),
    language: withDefault(z.enum(CLIENT_LANGUAGES, "form.required"), "fr"),
    paymentTermsDays,
    electronicAddress: optionalText(200),
  })
  .superRefine(
    (v, ctx) => {
      // Runs even when some fields failed, so every error shows at once; a rule is skipped when a
      // field it reads is itself invalid (its value is then not the parsed one).
      const invalid = new Set(ctx.issues.map((i) => i.path?.[0]));
      const ok = (...fields: Array<keyof typeof v>) => fields.every((f) => !invalid.has(f));
      const issue = (path: keyof typeof v, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

      if (ok("kind") && v.kind === "individual") {
        // A private person has no business identifiers; keeping one would print it on a B2C invoice.
        for (const field of ["siren", "siret", "vatNumber"] as const) {
          if (ok(field) && v[field] !== undefined) issue(field, "clients.err.individual");
        }
      }
      if (ok("siren", "siret") && v.siren && v.siret && !v.siret.startsWith(v.siren)) issue("siret", "err.siret.siren");
      const siren = ok("siren", "siret") ? (v.siren ?? (v.siret ? sirenFromSiret(v.siret) : undefined)) : undefined;
      if (ok("vatNumber") && v.vatNumber?.startsWith("FR") && siren && v.vatNumber.slice(4) !== siren) issue("vatNumber", "err.vat.siren");
      if (ok("country", "postalCode") && v.postalCode !== undefined && !isPostalCodeOf(v.postalCode, v.country)) issue("postalCode", "err.postal");

      if (DELIVERY_FIELDS.some((f) => v[f] !== undefined)) {
        if (ok("deliveryLine1") && v.deliveryLine1 === undefined) issue("deliveryLine1", "form.required");
        if (ok("deliveryPostalCode") && v.deliveryPostalCode === undefined) issue("deliveryPostalCode", "form.required");
        if (ok("deliveryCity") && v.deliveryCity === undefined) issue("deliveryCity", "form.required");
        if (ok("deliveryCountry", "deliveryPostalCode") && v.deliveryPostalCode !== undefined && !isPostalCodeOf(v.deliveryPostalCode, v.deliveryCountry)) {
          issue("deliveryPostalCode", "err.postal");
        }
      }

      if (ok("electronicAddress", "siren", "siret", "kind") && v.electronicAddress !== undefined) {
        const problem = electronicAddressProblem(v.electronicAddress, v.kind === "company" ? siren : undefined);
        if (problem) issue("electronicAddress", problem === "format" ? "clients.err.electronicAddress" : "clients.err.electronicAddress.siren");
      }
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  )
  .transform(({ deliveryLine1, deliveryLine2, deliveryPostalCode, deliveryCity, deliveryCountry, electronicAddress, ...v }) => {
    const siren = v.siren ?? (v.siret ? sirenFromSiret(v.siret) : undefined);
    // The refinement guarantees line 1, postal code and city whenever any delivery field was given.
    const delivery =
      deliveryLine1 !== undefined && deliveryPostalCode !== undefined && deliveryCity !== undefined
        ? { line1: deliveryLine1, line2: deliveryLine2, postalCode: deliveryPostalCode, city: deliveryCity, country: deliveryCountry }
        : undefined;
    return {
      ...v,
      siren,
      delivery,
      electronicAddress: electronicAddressFor({ kind: v.kind, country: v.country, siren, electronicAddress })?.value,
    };
  });

export type ClientInput = z.output<typeof ClientInput>;

/** Query of the list page and of GET /api/v1/clients. */
export const ListQuery = z.object({
  q: z.preprocess((v) => (typeof v === "string" ? v : undefined), z.string().max(200).default("")),
  cursor: z.preprocess(blank, z.string().max(1_000).optional()),
  archived: z.preprocess((v) => v === "1" || v === "true" || v === "on", z.boolean()),
});

export type ListQuery = z.output<typeof ListQuery>;
