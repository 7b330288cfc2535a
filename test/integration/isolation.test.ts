import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/worker/app";
import { DOCUMENT_TYPES } from "../../src/worker/db/schema";
import { randomId, randomToken } from "../../src/worker/lib/crypto/random";
import { TestClient } from "../helpers/client";
import { createDraftVia, draftBody, insertClient, readyAccount, VAT_COMPANY_PROFILE } from "../helpers/invoicing";

// Tenant isolation, enumerated from the router: every route of createApp() with a `:param` is
// called by account B with account A's real ids in its params, with every plausible body. None
// may succeed, none may show A's data, and A's rows must be byte-identical afterwards. A new route
// is covered without editing this file.
//
// Param values (attackValues below):
//   :id      every id of A: a client, a product, a draft, an issued invoice, a shared quote, a
//            session, and the public token (an id-shaped string A owns).
//   :token   forged public tokens aimed at A (A's account id with a wrong secret, A's document
//            ids). The REAL token is a capability link: anybody holding it may read that one
//            document by design, so it is checked separately (it works, and only for its document).
//   :format{a|b}  each literal alternative of the route's own pattern.
//   :fooId   the ids of A's rows in table `foos` (e.g. :paymentId → payments; setUpA records a
//            payment when the router has the payments API), then every id of A as for :id.
//   :type    a document type: an account-local key (B's own numbering series), not an object of
//            A's, so such a route may answer 2xx; it must still leave A untouched and show nothing of A.
//   :part    a part number of an import upload ("1"); the upload id (:id) is A's open upload.
// A param with any other name fails the "knows every param" test: add its mapping here.

type Account = Awaited<ReturnType<typeof readyAccount>>;

interface RouteDef {
  method: string;
  path: string;
}

const ROUTES: RouteDef[] = (() => {
  const seen = new Set<string>();
  const out: RouteDef[] = [];
  for (const r of createApp().routes) {
    // ALL entries are middleware (guards), not endpoints.
    if (r.method === "ALL") continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
})();

const PARAM = /:(\w+)(\{[^}]*\})?/g;
const paramsOf = (path: string) => [...path.matchAll(PARAM)].map((m) => ({ name: m[1]!, pattern: m[2] }));
const PARAM_ROUTES = ROUTES.filter((r) => paramsOf(r.path).length > 0);
/** Params that name no object of another account (see the header comment). */
const ACCOUNT_LOCAL_PARAMS = new Set(["type"]);
const KNOWN_PARAMS = new Set(["id", "token", "format", "type", "part"]);
/** `paymentId`, `timeEntryId`: a param naming rows of one table. */
const ROW_PARAM = /^[a-z][a-zA-Z]*Id$/;
const isKnownParam = (name: string) => KNOWN_PARAMS.has(name) || ROW_PARAM.test(name);
/** `paymentId` → `payments`, `timeEntryId` → `time_entries`: the table whose rows a `…Id` param names. */
const tableOfParam = (name: string) => `${name.replace(/Id$/, "").replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`)}s`.replace(/ys$/, "ies");

/** A's distinctive strings: none may appear in anything B receives. */
const A_COMPANY = "Quokka Atelier Alpha";
const A_CLIENT = "Quokka Client Confidentiel";
const A_PRODUCT = "Quokka Produit Secret";
const A_INVOICE_PREFIX = "QKF";
const A_QUOTE_PREFIX = "QKD";

interface TenantA extends Account {
  ids: Record<string, string>;
  /** Ids of A's rows per table, for `…Id` params. */
  rows: Record<string, string[]>;
  token: string;
  numbers: string[];
}

let A: TenantA;
let B: Account;

async function ok(res: Response, what: string): Promise<Response> {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

async function setUpA(): Promise<TenantA> {
  const a = await readyAccount({ ...VAT_COMPANY_PROFILE, name: A_COMPANY });
  await ok(await a.client.json("PUT", "/api/v1/series/invoice", { prefix: A_INVOICE_PREFIX }), "invoice series");
  await ok(await a.client.json("PUT", "/api/v1/series/quote", { prefix: A_QUOTE_PREFIX }), "quote series");
  const clientId = await insertClient(a.accountId, { name: A_CLIENT, search_name: A_CLIENT.toLowerCase() });
  const product = (await (
    await ok(await a.client.json("POST", "/api/v1/products", { ...PRODUCT_FORM, name: A_PRODUCT }), "product")
  ).json()) as { product: { id: string } };
  const draft = await createDraftVia(a.client, draftBody(clientId));
  const invoice = await createDraftVia(a.client, draftBody(clientId));
  const issued = (await (await ok(await a.client.json("POST", `/api/v1/documents/${invoice}/issue`, {}), "issue")).json()) as { document: { number: string } };
  const quote = await createDraftVia(a.client, draftBody(clientId, { type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` }));
  const sent = (await (await ok(await a.client.json("POST", `/api/v1/documents/${quote}/issue`, {}), "issue quote")).json()) as { document: { number: string } };
  const share = (await (await ok(await a.client.json("POST", `/api/v1/documents/${quote}/share`), "share")).json()) as { url: string };
  const token = new URL(share.url).pathname.split("/")[2]!;
  const sessions = (await (await a.client.json("GET", "/api/v1/sessions")).json()) as { sessions: Array<{ id: string }> };
  if (ROUTES.some((r) => r.method === "POST" && r.path === "/api/v1/documents/:id/payments")) {
    const today = new Date().toISOString().slice(0, 10);
    await ok(await a.client.json("POST", `/api/v1/documents/${invoice}/payments`, { receivedOn: today, amountCents: 1_000, method: "virement" }), "payment");
  }
  if (ROUTES.some((r) => r.path === "/api/v1/time-entries/:timeEntryId")) {
    const entry = { clientId, description: "Quokka temps", workDate: "2026-11-02", duration: "1:00", hourlyRate: "50", billable: true };
    await ok(await a.client.json("POST", "/api/v1/time-entries", entry), "time entry");
  }
  // An import upload left open by A (rows as uploads.ts writes them: A holds business data, so the
  // API itself would refuse to open one), its id among A's ids.
  let upload: Record<string, string> = {};
  if (ROUTES.some((r) => r.path === "/api/v1/data/imports/:id/complete")) {
    const id = randomId();
    const key = `accounts/${a.accountId}/imports/${id}.zip`;
    const multipart = await env.FILES.createMultipartUpload(key);
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO data_exports (id, account_id, kind, requested_by, status, step, total, r2_key, size, created_at, expires_at) VALUES (?, ?, 'import', ?, 'uploading', 0, 1, ?, 10, ?, ?)").bind(id, a.accountId, a.userId, key, now, now + 7 * 86_400_000),
      env.DB.prepare("INSERT INTO data_import_uploads (job_id, account_id, upload_id, size, part_size, parts, created_at) VALUES (?, ?, ?, 10, 8388608, 1, ?)").bind(id, a.accountId, multipart.uploadId, now),
    ]);
    upload = { upload: id };
  }
  const rows: Record<string, string[]> = {};
  for (const name of new Set(PARAM_ROUTES.flatMap((r) => paramsOf(r.path).map((p) => p.name)).filter((n) => ROW_PARAM.test(n)))) {
    const table = tableOfParam(name);
    const found = await env.DB.prepare(`SELECT id FROM ${table} WHERE account_id = ?`).bind(a.accountId).all<{ id: string }>();
    rows[name] = found.results.map((r) => r.id);
  }
  return {
    ...a,
    rows,
    // The issued invoice first: it is the base value when a route has a second param (its payments).
    ids: { invoice, quote, draft, client: clientId, product: product.product.id, session: sessions.sessions[0]!.id, publicToken: token, ...upload },
    token,
    numbers: [issued.document.number, sent.document.number],
  };
}

/** Every row A owns, to prove B's requests changed nothing (test code may read env.DB). */
async function snapshotOf(a: TenantA): Promise<string> {
  const tables = ["accounts", "clients", "products", "documents", "document_lines", "document_series", "issue_log", "data_exports", "data_import_uploads", "data_import_parts", ...Object.keys(a.rows).map(tableOfParam)];
  const out: unknown[] = [];
  for (const t of tables) {
    const col = t === "accounts" ? "id" : "account_id";
    out.push(t, (await env.DB.prepare(`SELECT * FROM ${t} WHERE ${col} = ? ORDER BY rowid`).bind(a.accountId).all()).results);
  }
  out.push("sessions", (await env.DB.prepare("SELECT id_hash, expires_at FROM sessions WHERE user_id = ? ORDER BY rowid").bind(a.userId).all()).results);
  return JSON.stringify(out);
}

/** Candidate values for one param, as B attacking A (see the header comment). */
function attackValues(param: { name: string; pattern?: string }, a: TenantA): string[] {
  switch (param.name) {
    case "id":
      return [...Object.values(a.ids), ...Object.values(a.rows).flat()];
    case "token":
      return [`${a.accountId}.${randomToken(32)}`, ...Object.values(a.ids).filter((v) => v !== a.token)];
    case "format":
    case "type": {
      const alternatives = param.pattern?.slice(1, -1).split("|").filter((s) => /^[\w.-]+$/.test(s));
      return alternatives?.length ? alternatives : param.name === "type" ? [...DOCUMENT_TYPES] : [];
    }
    case "part":
      return ["1"];
    default:
      return ROW_PARAM.test(param.name) ? [...(a.rows[param.name] ?? []), ...Object.values(a.ids)] : [];
  }
}

/**
 * Paths for a route: every candidate of each param in turn, the other params held at their first
 * candidate (a sum, not a cartesian product, so two-param routes stay affordable).
 */
function expand(path: string, valuesOf: (p: { name: string; pattern?: string }) => string[]): string[] {
  const params = paramsOf(path).map((p) => ({ token: `:${p.name}${p.pattern ?? ""}`, values: valuesOf(p) }));
  if (params.length === 0) return [path];
  if (params.some((p) => p.values.length === 0)) return [];
  const fill = (choice: string[]) => params.reduce((acc, p, i) => acc.replace(p.token, encodeURIComponent(choice[i]!)), path);
  const base = params.map((p) => p.values[0]!);
  const out = new Set<string>();
  params.forEach((p, i) => {
    for (const v of p.values) out.add(fill(base.map((b, j) => (j === i ? v : b))));
  });
  return [...out];
}

/** A product as the form (and the API) take it. */
const PRODUCT_FORM: Record<string, string> = {
  name: "Conseil",
  description: "Demi-journée",
  unitCode: "DAY",
  unitPrice: "450",
  vatRate: "20",
  exemptionCode: "",
  kind: "service",
};

const CLIENT_FORM: Record<string, string> = {
  kind: "company",
  name: "Client de B",
  siret: "732 829 320 00074",
  addressLine1: "3 place Bellecour",
  postalCode: "69002",
  city: "Lyon",
  country: "FR",
  deliveryCountry: "FR",
  email: "compta@b.example",
  language: "fr",
  paymentTermsDays: "30",
};

/**
 * Bodies that would each be valid for some route, so validation is never the only barrier: one
 * shaped like a client and a draft at once (zod drops the keys a schema does not know), one like
 * a product (its `kind` clashes with a client's), and an empty one.
 */
function bodiesFor(b: Account): { json: unknown[]; form: Record<string, string>[] } {
  const draft = draftBody(b.clientId);
  const today = new Date().toISOString().slice(0, 10);
  return {
    json: [{}, { ...CLIENT_FORM, ...draft, to: "invoice", issueDate: today }, PRODUCT_FORM],
    form: [
      {},
      { ...CLIENT_FORM, clientId: b.clientId, issueDate: "", lines: JSON.stringify(draft.lines), note: "", to: "invoice", accept: "on" },
      PRODUCT_FORM,
    ],
  };
}

/** Runs `tasks` a few at a time: workerd overlaps their I/O, and the order stays stable. */
async function inBatches<T>(tasks: Array<() => Promise<T>>, size = 4): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += size) out.push(...(await Promise.all(tasks.slice(i, i + size).map((t) => t()))));
  return out;
}

function call(client: TestClient, method: string, path: string, body?: unknown): Promise<Response> {
  if (path.startsWith("/api/")) return client.json(method, path, method === "GET" || method === "DELETE" ? undefined : body);
  if (method === "GET") return client.get(path);
  return client.postForm(path, (body ?? {}) as Record<string, string>);
}

describe("§8 strict access control: tenant isolation over every route with a param", () => {
  beforeAll(async () => {
    [A, B] = await Promise.all([setUpA(), readyAccount()]);
  }, 60_000);

  it("finds the routes to check in the router", () => {
    expect(PARAM_ROUTES.length).toBeGreaterThan(20);
    expect(PARAM_ROUTES.map((r) => `${r.method} ${r.path}`)).toContain("GET /api/v1/documents/:id");
  });

  it("knows a value mapping for every param name in the router", () => {
    const unknown = PARAM_ROUTES.flatMap((r) => paramsOf(r.path).filter((p) => !isKnownParam(p.name)).map((p) => `${r.method} ${r.path} (:${p.name})`));
    expect(unknown, "add a mapping for these params to attackValues in isolation.test.ts").toEqual([]);
  });

  it("uses ids that are real: A reads its own documents and a visitor reads the shared quote", async () => {
    const mine = await (await A.client.json("GET", `/api/v1/documents/${A.ids.invoice}`)).text();
    expect(mine).toContain(A.numbers[0]);
    const page = await (await new TestClient().get(`/p/${A.token}`)).text();
    expect(page).toContain(A_COMPANY);
    expect(page).toContain(A.numbers[1]);
  });

  it.each(PARAM_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))("%s gives B nothing of A", async (_name, route) => {
    const before = await snapshotOf(A);
    const bodies = bodiesFor(B);
    const accountLocal = paramsOf(route.path).every((p) => ACCOUNT_LOCAL_PARAMS.has(p.name));
    const paths = expand(route.path, (p) => attackValues(p, A));
    expect(paths.length, "every param has candidates").toBeGreaterThan(0);
    const candidates = route.method === "GET" || route.method === "DELETE" ? [undefined] : route.path.startsWith("/api/") ? bodies.json : bodies.form;
    const attempts = paths.flatMap((path) => candidates.map((body) => ({ path, body })));
    const problems = (
      await inBatches(
        attempts.map(({ path, body }) => async () => {
          const res = await call(B.client, route.method, path, body);
          const text = await res.text();
          const where = `${route.method} ${path} ${body === undefined ? "" : JSON.stringify(body).slice(0, 60)} → ${res.status}`;
          const location = res.headers.get("location") ?? "";
          const found: string[] = [];
          if (res.status >= 500) found.push(`${where}: server error`);
          else if (res.status >= 200 && res.status < 300 && !accountLocal) found.push(`${where}: success`);
          else if (res.status >= 300 && res.status < 400 && !location.startsWith("/connexion") && !accountLocal) found.push(`${where}: redirect to ${location}`);
          for (const secret of [A_COMPANY, A_CLIENT, A_PRODUCT, ...A.numbers]) {
            if (text.includes(secret)) found.push(`${where}: body shows "${secret}"`);
          }
          return found;
        }),
      )
    ).flat();
    expect(problems).toEqual([]);
    expect(await snapshotOf(A), "A's rows are unchanged").toBe(before);
  }, 180_000);

  it("lets the real public token open only its own document", async () => {
    const visitor = new TestClient();
    expect((await visitor.get(`/p/${A.token}`)).status).toBe(200);
    const [accountId, secret] = A.token.split(".");
    // The same secret under another account id, and the token with one character changed.
    expect((await visitor.get(`/p/${B.accountId}.${secret}`)).status).toBe(404);
    const flipped = `${accountId}.${secret!.slice(0, -1)}${secret!.endsWith("A") ? "B" : "A"}`;
    expect((await visitor.get(`/p/${flipped}`)).status).toBe(404);
  });
});

// ——— Security headers and cookies on every GET route ———

function headerProblems(where: string, res: Response): string[] {
  const out: string[] = [];
  const csp = res.headers.get("content-security-policy") ?? "";
  if (!/frame-ancestors\s+('none'|'self')/.test(csp)) out.push(`${where}: CSP without frame-ancestors: "${csp}"`);
  const hsts = Number(res.headers.get("strict-transport-security")?.match(/max-age=(\d+)/)?.[1] ?? 0);
  if (hsts < 31_536_000) out.push(`${where}: HSTS missing or under a year`);
  if (res.headers.get("x-content-type-options") !== "nosniff") out.push(`${where}: no nosniff`);
  for (const cookie of res.headers.getSetCookie()) {
    const attrs = cookie.split(";").map((s) => s.trim().toLowerCase());
    if (!attrs.includes("secure")) out.push(`${where}: cookie not Secure: ${cookie.split("=")[0]}`);
    if (!attrs.includes("httponly")) out.push(`${where}: cookie not HttpOnly: ${cookie.split("=")[0]}`);
    if (!attrs.some((a) => /^samesite=(lax|strict)$/.test(a))) out.push(`${where}: cookie without SameSite: ${cookie.split("=")[0]}`);
  }
  return out;
}

describe("§8 TLS in transit: security headers on every GET route", () => {
  let owner: TenantA;
  beforeAll(async () => {
    owner = await setUpA();
  }, 60_000);

  const GETS = ROUTES.filter((r) => r.method === "GET");

  it("finds the GET routes in the router", () => {
    expect(GETS.length).toBeGreaterThan(30);
  });

  it.each(GETS.map((r) => [r.path, r] as const))("GET %s sends CSP, HSTS, nosniff, frame-ancestors and safe cookies", async (_name, route) => {
    // The owner's own ids (and real token), so pages render as well as refuse.
    const values = (p: { name: string; pattern?: string }) =>
      p.name === "id" ? [owner.ids.invoice!, owner.ids.client!] : p.name === "token" ? [owner.token] : attackValues(p, owner);
    const paths = expand(route.path, values);
    expect(paths.length, "the route has paths to call").toBeGreaterThan(0);
    const attempts = paths.flatMap((path) => [
      { who: "owner", path, client: owner.client },
      { who: "anonymous", path, client: new TestClient() },
    ]);
    const problems = (
      await inBatches(
        attempts.map(({ who, path, client }) => async () => {
          const res = await call(client, "GET", path);
          await res.arrayBuffer();
          return [...(res.status >= 500 ? [`${who} GET ${path}: ${res.status}`] : []), ...headerProblems(`${who} GET ${path} (${res.status})`, res)];
        }),
      )
    ).flat();
    expect(problems).toEqual([]);
  }, 60_000);
});
