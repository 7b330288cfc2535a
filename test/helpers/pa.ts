import { env } from "cloudflare:workers";
import { expect, inject } from "vitest";
import { accountDb } from "../../src/worker/db/client";
import { toCii } from "../../src/worker/domain/einvoice/cii";
import { luhnKey } from "../../src/worker/domain/identifiers";
import { netCtx } from "../../src/worker/features/einvoicing/jobs";
import type { TestClient } from "./client";
import { sampleSnapshot } from "../fixtures/documents";
import { VAT_COMPANY_PROFILE, createDraftVia, draftBody, insertClient, readyAccount } from "./invoicing";

declare module "vitest" {
  export interface ProvidedContext {
    paStandinUrl: string;
  }
}

// Helpers for the tests that talk to the stand-in PA (test/stand-ins/pa-server.mjs), started once
// per run by vitest globalSetup; the Worker's test env has it as its platform PA (vitest.config.ts).

export const PA_URL = inject("paStandinUrl");

/** A random SIREN with a valid Luhn key: each test works in its own tenant of the shared stand-in. */
export function randomSiren(): string {
  for (;;) {
    const head = String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
    if (head[0] !== "0") return `${head}${luhnKey(head)}`;
  }
}

/** Calls a `/_sim` hook of the stand-in. */
export async function paSim<T = unknown>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${PA_URL}/_sim/${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`stand-in ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Waits until the stand-in has sent every acknowledgement, status and webhook it owes. */
export const paFlush = () => paSim("flush", {});

export interface SimFlow {
  flowId: string;
  flowType: string;
  flowDirection: string;
  name: string;
  trackingId: string | null;
  updatedAt: string;
  acknowledgement: { status: string; details: Array<{ reasonCode: string }> };
  tenant: string;
}

/** The stand-in's view of one tenant (flows, invoices, webhook deliveries, requests). */
export async function paState(siren: string) {
  const res = await fetch(`${PA_URL}/_sim/state?siren=${siren}`);
  return (await res.json()) as {
    flows: SimFlow[];
    invoices: Array<{ number: string; lifecycle: Array<{ code: number; reasonCode: string | null }> }>;
    deliveries: Array<{ attempt: number; status: number; flowId: string }>;
    requests: Array<{ method: string; path: string }>;
    webhooks: Array<{ webhookId: string; url: string }>;
    units: Array<{ siren: string; lines: Array<{ addressingIdentifier: string; status: string }> }>;
  };
}

/** A CII invoice from `sellerSiren` to the address `buyerAddress` (the tests' own fixture, re-addressed). */
export function ciiInvoice(o: { sellerSiren: string; buyerAddress: string | null; number?: string; issueDate?: string }): string {
  const doc = sampleSnapshot({
    number: o.number ?? `F-${Math.random().toString(36).slice(2, 10)}`,
    ...(o.issueDate ? { issueDate: o.issueDate } : {}),
    seller: { siren: o.sellerSiren },
    buyer: { electronicAddress: o.buyerAddress ? { scheme: "0225", value: o.buyerAddress } : null },
  });
  return toCii(doc);
}

/** A SIRET of `siren` with a valid Luhn key: its first establishment, 0001 and its key. */
export function siretOf(siren: string): string {
  return `${siren}0001${luhnKey(`${siren}0001`)}`;
}

/** An account with its own SIREN that chose to transmit (the mandate recorded by the settings form). */
export async function networkAccount() {
  const siren = randomSiren();
  const a = await readyAccount({ ...VAT_COMPANY_PROFILE, siret: siretOf(siren), vatNumber: undefined });
  const res = await a.client.postForm("/parametres/facturation-electronique/enregistrer", { mode: "platform", transmit: "on", mandate: "on" });
  expect(res.status).toBe(303);
  return { ...a, siren, ctx: (now = Date.now()) => netCtx(env, accountDb(env, a.accountId), a.accountId, now) };
}

/** `seller` issues an invoice to the company of `buyerSiren` (through the API). */
export async function invoiceTo(seller: { client: TestClient; accountId: string }, buyerSiren: string) {
  const clientId = await insertClient(seller.accountId, { siren: buyerSiren, siret: siretOf(buyerSiren), vat_number: null, electronic_address: null });
  const id = await createDraftVia(seller.client, draftBody(clientId));
  const res = await seller.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  expect(res.status).toBe(200);
  return ((await res.json()) as { document: { id: string; number: string } }).document;
}

export type Tx = { status: string; lifecycle: Array<{ code: number; label: string; reasonCode?: string; reason?: string }>; needsCreditNote: boolean; buyerAddress: string | null };
/** `GET /api/v1/documents/:id` → its `transmission`. */
export async function transmission(client: TestClient, id: string): Promise<Tx> {
  const res = await client.json("GET", `/api/v1/documents/${id}`);
  return ((await res.json()) as { transmission: Tx }).transmission;
}
