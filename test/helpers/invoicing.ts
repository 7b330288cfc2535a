import { env } from "cloudflare:workers";
import { loadConfig } from "../../src/worker/config";
import type { AccountVerbCtx } from "../../src/worker/features/documents/drafts";
import { accountDb } from "../../src/worker/db/client";
import { issueDocument } from "../../src/worker/features/documents/issue";
import { randomId } from "../../src/worker/lib/crypto/random";
import { translator } from "../../src/worker/ui/i18n";
import { signedUpClient, type TestClient } from "./client";

/** A complete profile for a VAT-registered SAS (every mention available). */
export const VAT_COMPANY_PROFILE = {
  name: "Studio Lumen",
  legalForm: "sas",
  siret: "12345678200010",
  registration: "rcs",
  registrationCity: "Lyon",
  shareCapital: "10000",
  addressLine1: "18 rue de la République",
  postalCode: "69002",
  city: "Lyon",
  country: "FR",
  contactEmail: "facturation@studio-lumen.fr",
  vatRegime: "vat",
  paymentTermsDays: 30,
  iban: "FR7630006000011234567890189",
  bic: "AGRIFRPP",
};

/** A micro-entrepreneur under the VAT franchise. */
export const FRANCHISE_PROFILE = {
  name: "Camille Martin",
  legalForm: "ei",
  siret: "12345678200010",
  registration: "none",
  addressLine1: "12 rue des Lilas",
  postalCode: "69003",
  city: "Lyon",
  country: "FR",
  contactEmail: "camille@example.fr",
  vatRegime: "franchise",
  paymentTermsDays: 30,
};

/** A signed-up account whose profile is complete, ready to issue documents. */
export async function readyAccount(profile: Record<string, unknown> = VAT_COMPANY_PROFILE, opts: { verified?: boolean } = {}) {
  const account = await signedUpClient(opts);
  const res = await account.client.json("PUT", "/api/v1/account/profile", profile);
  if (res.status !== 200) throw new Error(`profile refused: ${res.status} ${await res.text()}`);
  const clientId = await insertClient(account.accountId);
  return { ...account, clientId };
}

/** A French B2B client with a SIREN (rows written directly: the clients feature has its own tests). */
export async function insertClient(accountId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const id = randomId();
  const now = Date.now();
  const row = {
    id,
    account_id: accountId,
    kind: "company",
    name: "Société Cliente SA",
    search_name: "societe cliente sa",
    siren: "732829320",
    siret: "73282932000074",
    vat_number: "FR44732829320",
    address_line1: "1 place de la Bourse",
    postal_code: "75002",
    city: "Paris",
    country: "FR",
    email: "compta@cliente.fr",
    electronic_scheme: "0225",
    electronic_address: "732829320",
    language: "fr",
    created_at: now,
    updated_at: now,
    ...overrides,
  };
  const cols = Object.keys(row);
  await env.DB.prepare(`INSERT INTO clients (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`)
    .bind(...Object.values(row))
    .run();
  return id;
}

export const S20 = { vatCategory: "S", vatRateBp: 2000, kind: "service" } as const;

export function draftBody(clientId: string, extra: Record<string, unknown> = {}) {
  return {
    type: "invoice",
    clientId,
    lines: [
      { description: "Développement — forfait", quantity: "1", unitCode: "C62", unitPriceCents: 120_000, ...S20 },
      { description: "Accompagnement", quantity: "2.5", unitCode: "HUR", unitPriceCents: 8_000, ...S20 },
    ],
    ...extra,
  };
}

export async function createDraftVia(client: TestClient, body: Record<string, unknown>): Promise<string> {
  const res = await client.json("POST", "/api/v1/documents", body);
  if (res.status !== 201) throw new Error(`draft refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: { id: string } }).document.id;
}

/** A verb context for an account, to call domain verbs directly (fault injection). */
export function verbCtx(accountId: string, now = Date.now()): AccountVerbCtx {
  return { env, config: loadConfig(env), db: accountDb(env, accountId), now, locale: "fr", t: translator("fr"), accountId };
}

/**
 * Issues a draft as it would have been issued on `issueDate` (the verbs' clock at noon, Paris, that
 * day): history from an earlier year, which the issue-date rule refuses today (domain/issue-date.ts).
 */
export async function issueOn(accountId: string, documentId: string, issueDate: string) {
  return issueDocument(verbCtx(accountId, Date.parse(`${issueDate}T11:00:00Z`)), documentId, { issueDate });
}
