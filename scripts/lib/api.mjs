// A cookie-keeping HTTP client for the harness scripts (reliability, bench) that drive a running
// `wrangler dev` through its real routes, and helpers to set up ready-to-invoice accounts.

/** One browser-like session: keeps cookies, sends the CSRF token as API callers do (header). */
export class Session {
  /** @param {string} base e.g. http://127.0.0.1:PORT */
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }

  async fetch(path, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: "manual", signal: init.signal ?? AbortSignal.timeout(120_000) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return res;
  }

  async csrf() {
    if (!this.cookies.has("__Host-csrf")) await (await this.fetch("/connexion")).arrayBuffer();
    const token = this.cookies.get("__Host-csrf");
    if (!token) throw new Error("no CSRF cookie from /connexion");
    return token;
  }

  /** A JSON API call; resolves to { status, body } (body null when empty or not JSON). */
  async json(method, path, body, signal) {
    const res = await this.fetch(path, {
      method,
      signal,
      headers: { accept: "application/json", "x-csrf-token": await this.csrf(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { raw: text.slice(0, 300) };
    }
    return { status: res.status, body: parsed };
  }

  /** The cookie header of this session (for autocannon). */
  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** A VAT-registered company profile (SIREN 123456782 passes Luhn): every mention an invoice needs. */
export const VAT_PROFILE = {
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

export const CLIENT = {
  kind: "company",
  name: "Atelier Dupont",
  siret: "73282932000074",
  addressLine1: "3 place Bellecour",
  postalCode: "69002",
  city: "Lyon",
  country: "FR",
  email: "compta@dupont.example",
  language: "fr",
};

/** A two-line invoice draft at 20 % and 10 % VAT. */
export function invoiceDraft(clientId, i = 0) {
  return {
    type: "invoice",
    clientId,
    lines: [
      { description: `Développement — lot ${i + 1}`, quantity: "1", unitCode: "C62", unitPriceCents: 120_000 + (i % 50) * 100, vatCategory: "S", vatRateBp: 2000, kind: "service" },
      { description: "Formation", quantity: "2.5", unitCode: "HUR", unitPriceCents: 8_000, vatCategory: "S", vatRateBp: 1000, kind: "service" },
    ],
  };
}

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

/**
 * Signs up a new account through POST /api/v1/auth/signup and signs in, completes its profile (PUT
 * /api/v1/account/profile) and adds one client (POST /api/v1/clients): the real routes, no shortcut.
 */
export async function readyAccount(base, label, index = 0) {
  const s = new Session(base);
  const email = `${label}-${Date.now().toString(36)}-${index}@factumo.test`;
  const signup = await s.json("POST", "/api/v1/auth/signup", { name: `Compte ${label} ${index}`, email, password: "une phrase de passe solide", companyName: `${VAT_PROFILE.name} ${label} ${index}`, acceptTerms: true });
  expect(signup, 202, "sign-up");
  // Sign-up opens no session (it answers the same for a taken email): sign in.
  const { account } = expect(await s.json("POST", "/api/v1/auth/login", { email, password: "une phrase de passe solide" }), 200, "login");
  expect(await s.json("PUT", "/api/v1/account/profile", { ...VAT_PROFILE, name: `${VAT_PROFILE.name} ${label} ${index}` }), 200, "profile");
  const client = expect(await s.json("POST", "/api/v1/clients", CLIENT), 201, "client");
  return { session: s, accountId: account.id, clientId: client.client.id, email };
}

/** Creates a draft invoice; returns its id. */
export async function createDraft(session, clientId, i = 0) {
  const res = expect(await session.json("POST", "/api/v1/documents", invoiceDraft(clientId, i)), 201, "draft");
  return res.document.id;
}

/** Every document of a type, following the list's cursor (bounded to `maxPages`). */
export async function listAll(session, type, maxPages = 1000) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const q = new URLSearchParams({ type, ...(cursor ? { cursor } : {}) });
    const res = expect(await session.json("GET", `/api/v1/documents?${q}`), 200, "list");
    items.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor) return items;
  }
  throw new Error(`listAll: more than ${maxPages} pages`);
}

/** Runs `tasks` (functions returning promises) with at most `limit` in flight; keeps order. */
export async function pool(tasks, limit) {
  const out = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

/** Trailing sequence number of a formatted document number ("F-2026-0042" → 42). */
export const sequenceOf = (number) => Number(String(number).match(/(\d+)$/)?.[1] ?? Number.NaN);

/** Gaps and duplicates in a list of sequence numbers that should be exactly 1..n. */
export function gapsAndDuplicates(seqs) {
  const seen = new Map();
  for (const n of seqs) seen.set(n, (seen.get(n) ?? 0) + 1);
  const duplicates = [...seen].filter(([, c]) => c > 1).map(([n]) => n);
  const max = seqs.length ? Math.max(...seqs) : 0;
  const gaps = [];
  for (let n = 1; n <= max; n++) if (!seen.has(n)) gaps.push(n);
  return { gaps, duplicates, max };
}
