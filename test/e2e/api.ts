import assert from "node:assert/strict";
import { BASE_URL, uniqueEmail } from "./browser.ts";

/** A cookie-keeping API client for e2e tests that drive the running app without a browser. */
export class ApiClient {
  private cookies = new Map<string, string>();

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${BASE_URL}${path}`, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }

  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    if (!this.cookies.has("__Host-csrf")) await this.fetch("/connexion");
    const res = await this.fetch(path, {
      method,
      headers: { accept: "application/json", "content-type": "application/json", "x-csrf-token": this.cookies.get("__Host-csrf") ?? "" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async bytes(path: string): Promise<Uint8Array> {
    const res = await this.fetch(path, { headers: { accept: "*/*" } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

/** The password of every account the e2e tests sign up. */
export const PASSWORD = "une phrase de passe solide";

/** A micro-entrepreneur under the VAT franchise (article 293 B), complete enough to issue. */
export const FRANCHISE_PROFILE = {
  name: "Atelier Vidal",
  legalForm: "ei",
  siret: "12345678200010",
  registration: "none",
  addressLine1: "4 rue des Arts",
  postalCode: "31000",
  city: "Toulouse",
  country: "FR",
  contactEmail: "contact@atelier-vidal.fr",
  vatRegime: "franchise",
  paymentTermsDays: 30,
  iban: "FR7630006000011234567890189",
};

/** A new account signed up through the API (password PASSWORD), nothing else. */
export async function signUpViaApi(prefix: string): Promise<{ api: ApiClient; email: string }> {
  const api = new ApiClient();
  const email = uniqueEmail(prefix);
  assert.equal((await api.json("POST", "/api/v1/auth/signup", { name: "Léa Vidal", email, password: PASSWORD, companyName: FRANCHISE_PROFILE.name, acceptTerms: true })).status, 202);
  // Sign-up opens no session (the same answer for a taken email): sign in.
  assert.equal((await api.json("POST", "/api/v1/auth/login", { email, password: PASSWORD })).status, 200);
  return { api, email };
}

/** A new account signed up through the API, with FRANCHISE_PROFILE, a client and one issued invoice. */
export async function seedFranchiseAccount(prefix: string): Promise<{ api: ApiClient; email: string; invoice: { id: string; number: string } }> {
  const { api, email } = await signUpViaApi(prefix);
  assert.equal((await api.json("PUT", "/api/v1/account/profile", FRANCHISE_PROFILE)).status, 200);
  const c = await api.json<{ client: { id: string } }>("POST", "/api/v1/clients", {
    kind: "company",
    name: "Société Cliente SA",
    siret: "73282932000074",
    addressLine1: "1 place de la Bourse",
    postalCode: "75002",
    city: "Paris",
    country: "FR",
  });
  assert.equal(c.status, 201);
  const draft = await api.json<{ document: { id: string } }>("POST", "/api/v1/documents", {
    type: "invoice",
    clientId: c.body.client.id,
    // Under the 293 B franchise: no VAT, the exemption stated.
    lines: [{ description: "Illustration", quantity: "1", unitCode: "C62", unitPriceCents: 80_000, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" }],
  });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  const issued = await api.json<{ document: { id: string; number: string } }>("POST", `/api/v1/documents/${draft.body.document.id}/issue`, {});
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  return { api, email, invoice: issued.body.document };
}
