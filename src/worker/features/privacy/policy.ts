import type { Bindings } from "../../env";
import type { RetentionClassId } from "../../domain/retention";
import type { Locale } from "../../ui/i18n";
import { PLATFORMS, PLATFORM_HOSTS } from "../../domain/einvoice/platforms";

// The facts the privacy policy states, as data: the policy pages render these tables, and the code
// that enforces each promise reads the same ones (retention classes live in domain/retention.ts).

export type Localized = Record<Locale, string>;

export interface Processor {
  id: "cloudflare" | "stripe" | "resend" | "pa";
  name: string;
  /** The name for an English reader, when the French one is not a proper noun. */
  nameEn?: string;
  purpose: Localized;
  location: Localized;
  /** How a transfer outside the EU is framed, when there is one. */
  safeguards: Localized | null;
  /** Hosts the Worker calls for this processor (none for the host itself). */
  hosts: readonly string[];
}

/** §5 recipients: the only processors, and the only third-party hosts the Worker calls. */
export const PROCESSORS: readonly Processor[] = [
  {
    id: "cloudflare",
    name: "Cloudflare, Inc.",
    purpose: {
      fr: "Hébergement de l'application, de la base de données et des fichiers ; vérification anti-robot (Turnstile) après plusieurs échecs de connexion",
      en: "Hosting of the application, database and files; bot check (Turnstile) after repeated failed sign-ins",
    },
    location: {
      fr: "Union européenne : base D1, fichiers R2 et objets durables créés dans la juridiction « eu »",
      en: "European Union: D1 database, R2 files and Durable Objects created in the “eu” jurisdiction",
    },
    safeguards: {
      fr: "Société établie aux États-Unis : clauses contractuelles types de la Commission européenne",
      en: "Company based in the United States: European Commission standard contractual clauses",
    },
    // Turnstile's siteverify: the anti-robot check a sign-in needs after repeated failures.
    hosts: ["challenges.cloudflare.com"],
  },
  {
    id: "stripe",
    name: "Stripe Payments Europe, Ltd.",
    purpose: { fr: "Paiements par carte (Factumo ne stocke aucun numéro de carte)", en: "Card payments (Factumo never stores a card number)" },
    location: { fr: "Irlande, avec transferts vers les États-Unis", en: "Ireland, with transfers to the United States" },
    safeguards: { fr: "Clauses contractuelles types ; certification PCI-DSS", en: "Standard contractual clauses; PCI-DSS certified" },
    hosts: ["api.stripe.com"],
  },
  {
    id: "resend",
    name: "Resend, Inc.",
    purpose: { fr: "Envoi des emails (liens de connexion, factures, relances)", en: "Sending emails (sign-in links, invoices, reminders)" },
    location: { fr: "États-Unis", en: "United States" },
    safeguards: { fr: "Clauses contractuelles types ; certification SOC 2", en: "Standard contractual clauses; SOC 2 certified" },
    hosts: ["api.resend.com"],
  },
  {
    id: "pa",
    name: `Plateforme Agréée de facturation électronique (${PLATFORMS.map((p) => p.name).join(", ")})`,
    nameEn: `Accredited e-invoicing platform (${PLATFORMS.map((p) => p.name).join(", ")})`,
    purpose: {
      fr: "Transmission des factures électroniques, de leurs statuts et de l'e-reporting à l'administration fiscale (réforme 2026-2027), quand vous l'activez",
      en: "Transmission of e-invoices, their statuses and e-reporting to the tax administration (2026-2027 reform), when you turn it on",
    },
    location: { fr: "France (plateformes immatriculées par la DGFiP)", en: "France (platforms registered by the DGFiP)" },
    safeguards: null,
    hosts: PLATFORM_HOSTS,
  },
];

export type CookieCategoryId = "necessary" | "performance" | "functional";

export interface CookieCategory {
  id: CookieCategoryId;
  /** Strictly necessary cookies need no consent and cannot be turned off. */
  optional: boolean;
  /** What is actually stored under this category today. */
  cookies: readonly string[];
}

/** §10 cookie categories, in the order the banner and the policy list them. */
export const COOKIE_CATEGORIES: readonly CookieCategory[] = [
  { id: "necessary", optional: false, cookies: ["__Host-session", "__Host-csrf", "__Host-consent", "__Host-lang", "__Host-flash"] },
  { id: "performance", optional: true, cookies: [] },
  { id: "functional", optional: true, cookies: [] },
];

/** §3 data categories and the retention class that governs each. */
export const DATA_CATEGORIES: ReadonlyArray<{ id: string; label: Localized; retention: RetentionClassId }> = [
  { id: "identity", label: { fr: "Identification : nom, email, téléphone (facultatif), entreprise, SIRET, adresse", en: "Identity: name, email, phone (optional), company, SIRET, address" }, retention: "inactive_account" },
  { id: "billing", label: { fr: "Facturation : factures et avoirs émis, leurs PDF et XML", en: "Billing: issued invoices and credit notes, their PDF and XML" }, retention: "billing_records" },
  { id: "payment", label: { fr: "Paiement : identifiants Stripe, jamais de numéro de carte", en: "Payment: Stripe identifiers, never a card number" }, retention: "payment_details" },
  { id: "usage", label: { fr: "Connexions : date, heure, adresse IP, navigateur", en: "Sign-ins: date, time, IP address, browser" }, retention: "connection_logs" },
  { id: "purchases", label: { fr: "Achats : factures de vos fournisseurs reçues par la plateforme agréée ou saisies, leurs statuts", en: "Purchases: your suppliers' invoices received through the approved platform or typed, their statuses" }, retention: "purchase_records" },
  { id: "business", label: { fr: "Données métier : clients, devis, produits, temps, stock", en: "Business data: clients, quotes, products, time, stock" }, retention: "active_account" },
];

/** §4 purposes and their legal basis. */
export const PURPOSES: ReadonlyArray<{ purpose: Localized; basis: Localized }> = [
  { purpose: { fr: "Création et gestion de votre compte", en: "Creating and managing your account" }, basis: { fr: "Exécution du contrat", en: "Performance of the contract" } },
  { purpose: { fr: "Fourniture des services de la plateforme", en: "Providing the platform's services" }, basis: { fr: "Exécution du contrat", en: "Performance of the contract" } },
  { purpose: { fr: "Gestion des paiements et facturation", en: "Payments and invoicing" }, basis: { fr: "Exécution du contrat / Obligation légale", en: "Contract / Legal obligation" } },
  { purpose: { fr: "Support technique et relation client", en: "Support and customer relations" }, basis: { fr: "Exécution du contrat / Intérêt légitime", en: "Contract / Legitimate interest" } },
  { purpose: { fr: "Amélioration des services", en: "Improving the service" }, basis: { fr: "Intérêt légitime", en: "Legitimate interest" } },
  { purpose: { fr: "Communication marketing", en: "Marketing communication" }, basis: { fr: "Consentement", en: "Consent" } },
  { purpose: { fr: "Sécurité et prévention des fraudes", en: "Security and fraud prevention" }, basis: { fr: "Intérêt légitime / Obligation légale", en: "Legitimate interest / Legal obligation" } },
  { purpose: { fr: "Obligations comptables et fiscales", en: "Accounting and tax obligations" }, basis: { fr: "Obligation légale", en: "Legal obligation" } },
];

/**
 * Published versions of the privacy policy, oldest first. A new entry with `substantial: true`
 * makes every user who accepted an older version see the notice until they acknowledge it (§11).
 */
export const POLICY_VERSIONS: ReadonlyArray<{ version: string; publishedAt: number; substantial: boolean }> = [
  { version: "2026-11-26", publishedAt: Date.UTC(2026, 10, 26), substantial: true },
];

export const CURRENT_POLICY = POLICY_VERSIONS[POLICY_VERSIONS.length - 1]!;

/** Version of the terms of use (/conditions) a new user accepts at sign-up, stored on the user. */
export const TERMS_VERSION = "2026-11-26";

/**
 * The policy version a user stands on: the latest one they acknowledged, else the one in force when
 * they signed up (signing up accepts the published policy), else none.
 */
export function acceptedPolicyVersion(createdAt: number, acknowledged: readonly string[]): string | null {
  const known = POLICY_VERSIONS.filter((v) => acknowledged.includes(v.version) || v.publishedAt <= createdAt);
  return known.length ? known[known.length - 1]!.version : null;
}

/** True when a substantial version was published after the one the user accepted. */
export function needsPolicyNotice(accepted: string | null): boolean {
  const index = accepted === null ? -1 : POLICY_VERSIONS.findIndex((v) => v.version === accepted);
  return POLICY_VERSIONS.slice(index + 1).some((v) => v.substantial);
}

/** The controller and publisher, configured per deployment in wrangler.toml [vars]. */
export interface Controller {
  name: string;
  legalForm: string;
  siret: string;
  address: string;
  email: string;
  publicationDirector: string;
}

export function controllerOf(env: Pick<Bindings, "CONTROLLER_NAME" | "CONTROLLER_LEGAL_FORM" | "CONTROLLER_SIRET" | "CONTROLLER_ADDRESS" | "CONTROLLER_EMAIL" | "PUBLICATION_DIRECTOR">): Controller {
  return {
    name: env.CONTROLLER_NAME,
    legalForm: env.CONTROLLER_LEGAL_FORM,
    siret: env.CONTROLLER_SIRET,
    address: env.CONTROLLER_ADDRESS,
    email: env.CONTROLLER_EMAIL,
    publicationDirector: env.PUBLICATION_DIRECTOR,
  };
}
