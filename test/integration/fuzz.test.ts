import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/worker/app";
import { DOCUMENT_TYPES } from "../../src/worker/db/schema";
import { ERROR_STATUS } from "../../src/worker/http/errors";
import { TEST_PASSWORD, TestClient, signedUpClient } from "../helpers/client";
import { accountSnapshot, invalidRows } from "../helpers/fuzz-db";
import { formsIn, queryNamesIn, routePattern } from "../helpers/fuzz-html";
import { printTallyAfterAll, tried } from "../helpers/fuzz-tally";
import { VAT_COMPANY_PROFILE, createDraftVia, draftBody, insertClient, readyAccount } from "../helpers/invoicing";

// Fuzzing, every route enumerated from the router (a new route is fuzzed without editing this file):
//   1. JSON bodies: every POST/PUT of /api/ gets generated bodies (random JSON, valid bodies with
//      one field made wrong, huge strings, unicode, negative numbers, text that is not JSON); the
//      row counts of the main tables may change only when the answer is 2xx.
//   2. Query strings: every GET route (API and pages), `:params` filled with the signed-in
//      account's real ids or garbage, gets generated query strings: the parameter names the app
//      reads (its source, its zod query schemas, the links and GET forms of its pages) with hostile
//      values (huge, unicode, %00, broken %-escapes, repeated names, SQL-ish, cursors that are not
//      base64 or decode to nonsense).
//   3. Form posts: every page POST route (not /api/, not /webhooks/) gets urlencoded and multipart
//      posts with a valid CSRF token, built from the form the app itself renders for that route
//      (fields and prefilled values read from the pages, one field made wrong, added, removed or
//      repeated); and each is refused with 403, changing nothing, without a valid token.
// Invariants: never a 5xx; a status 2xx/3xx/4xx; every JSON error has the shape of
// http/errors.ts; after all runs the database holds no invalid row (test/helpers/fuzz-db.ts).
//
// Counts: VITE_FUZZ_RUNS cases per route for every family (8 JSON / 1 query / 1 form by default:
// each `npm test` tries other cases; the file stays near a minute); VITE_FUZZ_QUERY_RUNS and VITE_FUZZ_FORM_RUNS
// override the last two (scripts/reliability.mjs sets them). `FUZZ_RUNS=1000 npm test` works too
// (scripts/test.mjs hands it to the workers as VITE_FUZZ_RUNS, the only host variables vite
// exposes), or directly: `VITE_FUZZ_RUNS=1000 npx vitest run test/integration/fuzz.test.ts`.

const VITE = import.meta.env as Record<string, string | undefined>;
const RUNS = Number(VITE.VITE_FUZZ_RUNS ?? "") || 8;
const QUERY_RUNS = Number(VITE.VITE_FUZZ_QUERY_RUNS ?? "") || (VITE.VITE_FUZZ_RUNS ? RUNS : 1);
const FORM_RUNS = Number(VITE.VITE_FUZZ_FORM_RUNS ?? "") || (VITE.VITE_FUZZ_RUNS ? RUNS : 1);
const SEED = Number(VITE.VITE_FUZZ_SEED ?? "") || undefined;
printTallyAfterAll();

/** Every route of the app once (ALL entries are middleware, not endpoints). */
const ALL_ROUTES = (() => {
  const seen = new Set<string>();
  return createApp()
    .routes.filter((r) => r.method !== "ALL")
    .filter((r) => {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((r) => ({ method: r.method, path: r.path }));
})();

const ROUTES = ALL_ROUTES.filter((r) => (r.method === "POST" || r.method === "PUT") && r.path.startsWith("/api/"));

/** Tables whose row counts must not move on a refusal (logs such as connection_log may). */
const MAIN_TABLES = ["users", "accounts", "memberships", "sessions", "clients", "products", "documents", "document_lines", "document_series", "issue_log", "payments", "deposit_deductions"];
let countSql = "";

async function counts(): Promise<Record<string, number>> {
  return (await env.DB.prepare(countSql).first<Record<string, number>>()) ?? {};
}

// ——— Generators ———

const hugeString = fc.integer({ min: 1_000, max: 200_000 }).map((n) => "é𝄞x".repeat(Math.ceil(n / 4)));
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  hugeString,
  fc.integer({ min: -2_147_483_648, max: -1 }),
  fc.integer(),
  fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, -1e308, 2 ** 53 + 1, 0.1, -0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("", " ", "\u0000", "NaN", "Infinity", "-1", "1e999", "9".repeat(40), "<script>alert(1)</script>", "'; DROP TABLE documents; --", "../../etc/passwd"),
  // Issue #14: CR/LF that could reach a header, dates outside 2000–2099 and beyond year 9999, window bounds.
  fc.constantFrom("a\r\nSet-Cookie: fuzz=1", "\r\n", "/\t/evil.example", "//evil.example", "9999-12-31", "+010000-01-01", "10000-01-01", "0001-01-01", "1900-01-01", "1999-12-31", "2000-01-01", "2099-12-31", "2100-01-01"),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
);

/** Bodies a route could accept, so mutations reach past the first validation. */
function templates(own: Own): Record<string, unknown>[] {
  const today = new Date().toISOString().slice(0, 10);
  const draft = draftBody(own.clientId);
  return [
    draft,
    { ...draft, type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` },
    { kind: "company", name: "Client fuzz", siret: "73282932000074", addressLine1: "1 rue A", postalCode: "75001", city: "Paris", country: "FR", language: "fr" },
    { name: "Produit fuzz", unitCode: "C62", unitPrice: "10", vatRate: "20", kind: "service" },
    { receivedOn: today, amountCents: 1_000, method: "virement" },
    { issueDate: today },
    { to: "deposit_invoice", percentBp: 3_000 },
    { prefix: "FZ", nextNumber: 7 },
    { name: "Fuzz SARL", legalForm: "sarl", siret: "12345678200010", addressLine1: "1 rue B", postalCode: "69001", city: "Lyon", country: "FR", vatRegime: "vat" },
    { email: "fuzz@example.fr", password: "correct horse battery staple", name: "F", companyName: "C" },
    { currentPassword: "x", newPassword: "y".repeat(12), code: "123456" },
  ];
}

/** A template with one field (top level, or in its first line) replaced, removed, or added. */
function mutated(own: Own): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...templates(own)), fc.nat(), fc.constantFrom("replace", "remove", "add", "line"), weird, fc.string({ maxLength: 12 })).map(([template, pick, how, value, key]) => {
    const body: Record<string, unknown> = structuredClone(template);
    const keys = Object.keys(body);
    const target = keys[pick % keys.length]!;
    if (how === "replace") body[target] = value;
    else if (how === "remove") delete body[target];
    else if (how === "add") body[key] = value;
    else {
      const lines = Array.isArray(body.lines) ? (body.lines as Record<string, unknown>[]) : null;
      const line = lines?.[0];
      if (line) {
        const lineKeys = Object.keys(line);
        line[lineKeys[pick % lineKeys.length]!] = value;
      } else body[target] = value;
    }
    return body;
  });
}

type Body = { json: unknown } | { text: string };
const bodies = (own: Own): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 4, arbitrary: mutated(own).map((json) => ({ json })) },
    { weight: 2, arbitrary: fc.jsonValue().map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), weird, { maxKeys: 6 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom("{", "[1,", '{"a":}', "null", "", "\u0000")).map((text) => ({ text })) },
  );

// ——— The signed-in user's own objects, so params lead somewhere real ———

interface Own {
  client: TestClient;
  clientId: string;
  ids: string[];
}

let own: Own;

function pathFor(path: string, pick: number): string {
  return path.replace(/:(\w+)(\{[^}]*\})?/g, (_m, name: string, pattern?: string) => {
    if (pattern) {
      const alternatives = pattern.slice(1, -1).split("|");
      return alternatives[pick % alternatives.length]!;
    }
    if (name === "type") return DOCUMENT_TYPES[pick % DOCUMENT_TYPES.length]!;
    return own.ids[pick % own.ids.length]!;
  });
}

async function send(client: TestClient, method: string, path: string, body: Body): Promise<Response> {
  const csrf = await client.ensureCsrf();
  return client.fetch(path, {
    method,
    headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
    body: "json" in body ? JSON.stringify(body.json) : body.text,
  });
}

describe("fuzzing the JSON API", () => {
  beforeAll(async () => {
    const tables = new Set(
      (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>()).results.map((r) => r.name),
    );
    countSql = `SELECT ${MAIN_TABLES.filter((t) => tables.has(t))
      .map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`)
      .join(", ")}`;
    const a = await readyAccount();
    const draft = await createDraftVia(a.client, draftBody(a.clientId));
    const invoice = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.json("POST", `/api/v1/documents/${invoice}/issue`, {});
    const quote = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` }));
    await a.client.json("POST", `/api/v1/documents/${quote}/issue`, {});
    own = { client: a.client, clientId: a.clientId, ids: [invoice, draft, quote, a.clientId] };
  }, 60_000);

  it("finds the JSON routes to fuzz in the router", () => {
    expect(ROUTES.length).toBeGreaterThan(15);
    expect(countSql).toContain("documents");
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s never answers 5xx and changes rows only on success",
    async (_name, route) => {
      // The pre-login API is fuzzed as a visitor (a fuzzed logout must not end the shared session).
      const anonymous = route.path.startsWith("/api/v1/auth/");
      await fc.assert(
        fc.asyncProperty(bodies(own), fc.nat(), async (body, pick) => tried("JSON bodies", async () => {
          const client = anonymous ? new TestClient({ "cf-connecting-ip": `198.51.100.${pick % 250}` }) : own.client;
          const path = pathFor(route.path, pick);
          const before = await counts();
          const res = await send(client, route.method, path, body);
          await expectSaneAnswer(res, `${route.method} ${path}`);
          if (res.status < 200 || res.status >= 300) expect(await counts(), `${route.method} ${path} → ${res.status} changed rows`).toEqual(before);
        })),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    600_000,
  );
});

describe("refusals found by fuzzing", () => {
  it("leaves no credit-note draft behind when cancelling is refused for an incomplete profile", async () => {
    const a = await readyAccount();
    const invoice = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${invoice}/issue`, {})).status).toBe(200);
    // A profile that lost a mention an invoice needs (the form cannot produce one, older data can).
    await env.DB.prepare("UPDATE accounts SET contact_email = NULL WHERE id = ?").bind(a.accountId).run();
    const drafts = () => env.DB.prepare("SELECT count(*) AS n FROM documents WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    const before = await drafts();
    for (let i = 0; i < 2; i++) {
      const res = await a.client.json("POST", `/api/v1/documents/${invoice}/cancel`);
      expect(res.status).toBe(412);
    }
    expect(await drafts()).toEqual(before);
  });

  it("answers 400, not 500, to a multipart form whose part has no name", async () => {
    const a = await readyAccount();
    const csrf = await a.client.ensureCsrf();
    const boundary = "fuzzboundary";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name=""\r\n\r\nx\r\n--${boundary}--\r\n`;
    const res = await a.client.fetch("/clients", { method: "POST", body, headers: { "content-type": `multipart/form-data; boundary=${boundary}`, accept: "text/html" } });
    expect(res.status).toBe(400);
  });
});

// ——— 2 and 3: query strings and form posts on the pages ———

/** Page POST routes never fuzzed, each with its reason; a path that no longer exists fails the run. */
const FORM_EXCLUDED: Record<string, string> = {
  "/dev/seed": "local tool that (re)creates the demo account and answers JSON; a 404 outside local environments",
};
/**
 * Routes that may legitimately end or cripple the account they run in: they are fuzzed in a
 * throwaway account (re-created when closed or locked out), with its real password among the
 * generated values so their success path is reached too.
 */
const FORM_DISPOSABLE: Record<string, string> = {
  "/mes-donnees/cloture": "closes the account",
  "/mes-donnees/restriction": "freezes the account: every later route would only see the frozen path",
  "/mes-donnees/restriction/degeler": "lifts the freeze the route above sets",
  "/parametres/securite/mot-de-passe": "changes the password",
  "/parametres/securite/email": "starts an email change",
};
/** Form routes authenticated by something else than the CSRF cookie (http/csrf.ts EXEMPT). */
const CSRF_EXEMPT: Record<string, string> = {
  "/desabonnement/:token": "RFC 8058 one-click unsubscribe: mail providers post it without any cookie; the HMAC-signed token is the proof",
};

const FORM_ROUTES = ALL_ROUTES.filter((r) => r.method === "POST" && !r.path.startsWith("/api/") && !r.path.startsWith("/webhooks/") && !(r.path in FORM_EXCLUDED));
const GET_ROUTES = ALL_ROUTES.filter((r) => r.method === "GET");

/** Query parameter names read anywhere in the worker: `c.req.query("x")` and the zod schemas validated against `c.req.query()`. */
const SOURCE_QUERY_NAMES = (() => {
  const sources = Object.values(import.meta.glob<string>("../../src/worker/**/*.{ts,tsx}", { query: "?raw", import: "default", eager: true }));
  const names = new Set<string>();
  const schemas = new Set<string>();
  for (const text of sources) {
    for (const m of text.matchAll(/\.query\(\s*"(\w+)"\s*\)/g)) names.add(m[1]!);
    for (const m of text.matchAll(/validate\(\s*(\w+)\s*,\s*c\.req\.query\(\)/g)) schemas.add(m[1]!);
    for (const m of text.matchAll(/const (\w+) = c\.req\.query\(\);[\s\S]{0,400}?validate\(\s*(\w+)/g)) schemas.add(m[2]!);
  }
  for (const text of sources) {
    for (const schema of schemas) {
      const m = new RegExp(`const ${schema} = z\\.object\\(\\{([\\s\\S]*?)\\}\\)`).exec(text);
      if (m) for (const k of m[1]!.matchAll(/(?:^|[,{\s])(\w+)\s*(?::|,|$)/gm)) if (!/^(z|error|message)$/.test(k[1]!)) names.add(k[1]!);
    }
  }
  return names;
})();

/** Names used across the app's lists, filters and links, for routes whose own names are not found. */
const COMMON_QUERY_NAMES = ["status", "statut", "q", "cursor", "client", "clientId", "from", "to", "period", "year", "month", "page", "lang", "tab", "filter", "type", "next", "token", "ok", "sort", "order", "limit", "frequency", "format", "expires", "sig", "archived", "day"];

/** The fuzzed account of the page routes, with an object of each kind so params lead somewhere real. */
interface Site {
  client: TestClient;
  email: string;
  password: string;
  accountId: string;
  clientId: string;
  productId: string;
  draftId: string;
  invoiceId: string;
  quoteId: string;
  token: string;
  /** Ids of the account's rows per table, for `…Id` params. */
  rows: Record<string, string[]>;
}

const SITE_IP = "203.0.113.10";
let site: Site;
/** GET route → the query names its own page uses. */
const pageQueryNames = new Map<string, Set<string>>();
/** A form as a page renders it: fields with their prefilled values, and its file inputs. */
interface FormShape {
  fields: Array<[string, string]>;
  files: string[];
}
/** POST route → the forms the pages render for it. */
const routeForms = new Map<string, FormShape[]>();
/** Every field name of every rendered form, for routes whose form was not found. */
const allFormNames = new Set<string>();

const PARAM = /:(\w+)(\{[^}]*\})?/g;
/** `paymentId` → payments, `timeEntryId` → time_entries: the tables a `…Id` param may name. */
function tablesOfParam(name: string): string[] {
  const base = name.replace(/Id$/, "").replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
  return [`${base}s`, `${base.replace(/y$/, "ie")}s`, `${base}es`];
}

/** Real values for a param of the site account (first one is the most useful). */
function realValues(name: string, pattern: string | undefined): string[] {
  if (pattern) return pattern.slice(1, -1).split("|");
  if (name === "type") return [...DOCUMENT_TYPES];
  if (name === "token") return [site.token];
  const ids = [site.invoiceId, site.draftId, site.quoteId, site.clientId, site.productId];
  if (name === "id") return [...ids, ...Object.values(site.rows).flat()];
  return [...(site.rows[name] ?? []), ...ids];
}

const GARBAGE_PARAMS = ["x", "0", "-1", "null", "%00", "'; DROP TABLE documents; --", "é𝄞", "a".repeat(300), "..", "%", "00000000-0000-0000-0000-000000000000", "1e999"];

/** A concrete path: each param real (mostly) or garbage. */
function fillPath(path: string, pick: number, junk: number): string {
  return path.replace(PARAM, (_m, name: string, pattern?: string) => {
    if (junk % 5 === 0) return encodeURIComponent(GARBAGE_PARAMS[pick % GARBAGE_PARAMS.length]!);
    const values = realValues(name, pattern);
    return encodeURIComponent(values[pick % values.length]!);
  });
}

/** The first real path of a route (its page, as a user reaches it). */
const realPath = (path: string) => path.replace(PARAM, (_m, name: string, pattern?: string) => encodeURIComponent(realValues(name, pattern)[0]!));

async function signIn(email: string, password: string, ip: string): Promise<TestClient> {
  const client = new TestClient({ "cf-connecting-ip": ip });
  const res = await client.postForm("/connexion", { email, password });
  if (res.status !== 303) throw new Error(`sign-in of ${email} failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return client;
}

async function accountOf(client: TestClient): Promise<string | null> {
  const res = await client.json("GET", "/api/v1/me");
  if (res.status !== 200) return null;
  return ((await res.json()) as { account: { id: string } }).account.id;
}

/** Keeps the site account's objects in place (a fuzzed form may delete the draft, issue it, delete the client). */
async function restoreSite(): Promise<void> {
  if ((await accountOf(site.client)) !== site.accountId) site.client = await signIn(site.email, site.password, SITE_IP);
  const status = async (table: string, id: string) =>
    (await env.DB.prepare(`SELECT ${table === "documents" ? "status" : "1"} AS s FROM ${table} WHERE id = ?`).bind(id).first<{ s: unknown }>())?.s;
  if ((await status("clients", site.clientId)) === undefined) site.clientId = await insertClient(site.accountId);
  if ((await status("products", site.productId)) === undefined) site.productId = await createProduct(site.client);
  if ((await status("documents", site.draftId)) !== "draft") site.draftId = await createDraftVia(site.client, draftBody(site.clientId));
}

async function createProduct(client: TestClient): Promise<string> {
  const res = await client.json("POST", "/api/v1/products", { name: "Produit fuzz", unitCode: "C62", unitPrice: "10", vatRate: "20", kind: "service" });
  if (res.status !== 201) throw new Error(`product refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { product: { id: string } }).product.id;
}

async function setUpSite(): Promise<Site> {
  const a = await signedUpClient({ ip: SITE_IP });
  const profile = await a.client.json("PUT", "/api/v1/account/profile", VAT_COMPANY_PROFILE);
  if (profile.status !== 200) throw new Error(`profile refused: ${profile.status}`);
  const clientId = await insertClient(a.accountId);
  const productId = await createProduct(a.client);
  const draftId = await createDraftVia(a.client, draftBody(clientId));
  const invoiceId = await createDraftVia(a.client, draftBody(clientId));
  await a.client.json("POST", `/api/v1/documents/${invoiceId}/issue`, {});
  const quoteId = await createDraftVia(a.client, draftBody(clientId, { type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` }));
  await a.client.json("POST", `/api/v1/documents/${quoteId}/issue`, {});
  const share = (await (await a.client.json("POST", `/api/v1/documents/${quoteId}/share`)).json()) as { url: string };
  const token = new URL(share.url).pathname.split("/")[2]!;
  const today = new Date().toISOString().slice(0, 10);
  await a.client.json("POST", `/api/v1/documents/${invoiceId}/payments`, { receivedOn: today, amountCents: 1_000, method: "virement" });
  const rows: Record<string, string[]> = {};
  const tables = new Set((await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>()).results.map((r) => r.name));
  for (const name of new Set(ALL_ROUTES.flatMap((r) => [...r.path.matchAll(PARAM)].map((m) => m[1]!)).filter((n) => /^[a-z]+(?:[A-Z][a-z]+)*Id$/.test(n)))) {
    const table = tablesOfParam(name).find((t) => tables.has(t));
    rows[name] = table ? (await env.DB.prepare(`SELECT id FROM ${table} WHERE account_id = ?`).bind(a.accountId).all<{ id: string }>()).results.map((r) => r.id) : [];
  }
  return { client: a.client, email: a.email, password: a.password, accountId: a.accountId, clientId, productId, draftId, invoiceId, quoteId, token, rows };
}

/** Concrete paths of a route for the site account: each real value of its first param, the others at their first. */
function realPaths(path: string): string[] {
  const params = [...path.matchAll(PARAM)];
  if (params.length === 0) return [path];
  const first = params[0]!;
  return [...new Set(realValues(first[1]!, first[2]))].slice(0, 12).map((v) => realPath(path.replace(first[0], encodeURIComponent(v))));
}

/** Pages worth reading for forms and links: HTML routes, not files. */
const isPage = (path: string) => !path.startsWith("/api/") && !/\.\w+$|:format|\/telecharger$|\/logo$/.test(path);

/**
 * Reads every GET page, for each real id of its param, signed in and (when that is not a page)
 * as a visitor: the query names each page uses and the forms it renders for each POST route.
 */
async function readPages(): Promise<void> {
  const postPatterns = FORM_ROUTES.map((r) => ({ path: r.path, re: routePattern(r.path) }));
  const visitor = new TestClient({ "cf-connecting-ip": "198.51.100.251" });
  for (const route of GET_ROUTES.filter((r) => isPage(r.path))) {
    for (const path of realPaths(route.path)) {
      for (const client of [site.client, visitor]) {
        const res = await client.get(path);
        if (res.status !== 200 || !(res.headers.get("content-type") ?? "").includes("text/html")) {
          await res.arrayBuffer();
          continue;
        }
        const html = await res.text();
        const names = pageQueryNames.get(route.path) ?? new Set<string>();
        for (const n of queryNamesIn(html, path)) names.add(n);
        pageQueryNames.set(route.path, names);
        for (const form of formsIn(html, path)) {
          if (form.method !== "post") continue;
          const action = new URL(form.action, "https://factumo.test").pathname;
          const fields = [...form.fields].filter(([name]) => name !== "_csrf");
          for (const [name] of fields) allFormNames.add(name);
          const target = postPatterns.find((p) => p.re.test(action));
          if (!target) continue;
          const list = routeForms.get(target.path) ?? [];
          const shape = { fields, files: form.files };
          if (!list.some((f) => JSON.stringify(f) === JSON.stringify(shape))) list.push(shape);
          routeForms.set(target.path, list);
        }
        break;
      }
    }
  }
}

let sitePromise: Promise<void> | undefined;
/** The site account and the page reading, once for both describes. */
function siteReady(): Promise<void> {
  sitePromise ??= (async () => {
    site = await setUpSite();
    await readPages();
  })();
  return sitePromise;
}

// ——— Generators shared by query strings and forms ———

const b64url = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const cursors = fc.oneof(
  fc.string({ maxLength: 30 }).map(b64url),
  fc.tuple(fc.oneof(fc.integer(), fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 0, 1e308)), fc.string({ maxLength: 20 })).map(([at, id]) => b64url(`${at}:${id}`)),
  fc.constantFrom("!!!not-base64!!!", "====", "a", b64url(":"), b64url("1:"), b64url(":id"), b64url("NaN:x"), b64url('{"d":"2026-01-01","id":1}'), b64url("\u0000\u0000"), "%ZZ", b64url("9".repeat(400) + ":x")),
);
const datesLike = fc.constantFrom("2026-02-30", "2026-13-01", "0000-00-00", "9999-12-31", "-001-01-01", "2026-1-1", "26/11/2026", "2026-11-26T00:00:00Z", "2026", "2026-00", "1970-01-01", "+010000-01-01", "10000-01-01", "0001-01-01", "1900-01-01", "1999-12-31", "2000-01-01", "2099-12-31", "2100-01-01", "+275760-09-13");
const hugeText = fc.integer({ min: 1_000, max: 20_000 }).map((n) => "é𝄞x".repeat(Math.ceil(n / 4)));
const hostile = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: hugeText },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.integer({ min: -1_000_000, max: -1 }), fc.double()).map(String) },
  {
    weight: 3,
    arbitrary: fc.constantFrom("", " ", "0", "-1", "-0", "1.5", "1,5", "1e999", "NaN", "Infinity", "9".repeat(40), "true", "on", "null", "undefined", "[]", "{}", "\u0000", "\u202e", "<script>alert(1)</script>", "' OR 1=1 --", "'; DROP TABLE documents; --", "../../etc/passwd", "en", "fr", "draft", "issued", "paid", "overdue", "invoice", "quote", "credit_note", "monthly", "quarterly", "a\r\nSet-Cookie: fuzz=1", "/\t/evil.example", "//evil.example", "/\\evil.example", "\r\n"),
  },
  { weight: 2, arbitrary: cursors },
  { weight: 1, arbitrary: datesLike },
);
/** Text put into a URL unescaped: broken %-escapes, separators, NUL. */
const rawQueryValue = fc.constantFrom("%00", "%", "%E0%A4%A", "%ZZ", "%C0%AF", "%FF%FE", "a&b", "+", "%2B", "a=b=c", "1&status=x", "%u0041", "%%", "%0a%0d", "é", "a;b", "[]", "a%20b");

interface QueryPart {
  name: string;
  value: string;
  raw: boolean;
  bare: boolean;
}

function queryParts(names: readonly string[]): fc.Arbitrary<QueryPart[]> {
  const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `${n}[]`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );
  const part = fc.record({
    name,
    value: fc.oneof({ weight: 4, arbitrary: hostile }, { weight: 1, arbitrary: rawQueryValue }),
    raw: fc.boolean(),
    bare: fc.nat({ max: 4 }).map((n) => n === 0),
  });
  // Repeating a drawn part gives the `a=1&a=2` arrays.
  return fc.tuple(fc.array(part, { maxLength: 6 }), fc.nat({ max: 3 })).map(([parts, repeat]) => (parts.length && repeat === 0 ? [...parts, { ...parts[0]!, value: `${parts[0]!.value}2` }] : parts));
}

function queryString(parts: QueryPart[]): string {
  const raw = (s: string) => s.replace(/#/g, "%23");
  return parts.map((p) => (p.bare ? encodeURIComponent(p.name) : `${encodeURIComponent(p.name)}=${p.raw ? raw(p.value) : encodeURIComponent(p.value)}`)).join("&");
}

/** Problems with a JSON error body: the shape of http/errors.ts, its code agreeing with the status. */
function errorShapeProblems(body: unknown, status: number): string[] {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== "object") return ["no `error` object"];
  const problems: string[] = [];
  const code = error.code as string;
  if (!(code in ERROR_STATUS)) problems.push(`unknown code ${JSON.stringify(code)}`);
  else if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== status) problems.push(`code ${code} with status ${status}`);
  if (typeof error.message !== "string" || error.message === "") problems.push("no message");
  if (typeof error.requestId !== "string") problems.push("no requestId");
  if (error.fields !== undefined && (typeof error.fields !== "object" || Object.values(error.fields as object).some((v) => typeof v !== "string"))) problems.push("fields are not field → message");
  const extra = Object.keys(error).filter((k) => !["code", "message", "fields", "requestId"].includes(k));
  if (extra.length) problems.push(`unexpected keys ${extra.join(", ")}`);
  return problems;
}

/** The invariants of any answer: no 5xx, a 2xx/3xx/4xx, and JSON errors in the house shape. */
async function expectSaneAnswer(res: Response, label: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `${label} → ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.status, `${label} → ${res.status}`).toBeGreaterThanOrEqual(200);
  if (res.status >= 400 && (res.headers.get("content-type") ?? "").includes("application/json")) {
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // A JSON content type with a body that is not JSON is reported by the shape check below.
    }
    expect(errorShapeProblems(body, res.status), `${label} → ${res.status}: ${text.slice(0, 300)}`).toEqual([]);
  }
}

describe("fuzzing query strings", () => {
  beforeAll(siteReady, 120_000);

  it("finds the GET routes and the query names of their pages", () => {
    expect(GET_ROUTES.length).toBeGreaterThan(40);
    expect(SOURCE_QUERY_NAMES.has("cursor")).toBe(true);
    // The documents list links its status filters: the page reading found them.
    expect([...pageQueryNames.values()].some((names) => names.size > 0)).toBe(true);
  });

  it.each(GET_ROUTES.map((r) => [`GET ${r.path}`, r] as const))(
    "%s never answers 5xx to a fuzzed query string",
    async (_name, route) => {
      const names = [...new Set([...(pageQueryNames.get(route.path) ?? []), ...SOURCE_QUERY_NAMES, ...COMMON_QUERY_NAMES])];
      await fc.assert(
        fc.asyncProperty(queryParts(names), fc.nat(), fc.nat(), fc.nat({ max: 4 }), async (parts, pick, junk, who) => tried("query strings", async () => {
          // One case in five as a visitor: the redirect to the login page must hold up too.
          const client = who === 0 ? new TestClient({ "cf-connecting-ip": `198.51.100.${pick % 250}` }) : site.client;
          const path = `${fillPath(route.path, pick, junk)}?${queryString(parts)}`;
          const accept = route.path.startsWith("/api/") ? "application/json" : "text/html";
          await expectSaneAnswer(await client.fetch(path, { headers: { accept } }), `GET ${path.slice(0, 300)}`);
        })),
        { numRuns: QUERY_RUNS, seed: SEED, endOnFailure: true },
      );
    },
    600_000,
  );
});

type FileKind = "none" | "junk" | "png" | "empty" | "svg" | "huge";
interface FormCase {
  template: number;
  how: "keep" | "replace" | "remove" | "add" | "repeat" | "blank" | "random";
  pick: number;
  value: string;
  key: string;
  extra: Array<[string, string]>;
  multipart: boolean;
  file: FileKind;
  /** 0: as a visitor; otherwise as the route's account. */
  who: number;
  junk: number;
  /** A broken multipart body one time in ten (see Mangle). */
  mangle: number;
}

const FILE_KINDS: FileKind[] = ["none", "none", "none", "junk", "png", "empty", "svg", "huge"];

function fileOf(kind: FileKind): File | null {
  switch (kind) {
    case "none":
      return null;
    case "junk":
      return new File([crypto.getRandomValues(new Uint8Array(512))], "x.bin", { type: "application/octet-stream" });
    case "png":
      return new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0xff, 0xff, 0xff, 0xff])], "logo.png", { type: "image/png" });
    case "empty":
      return new File([], "", { type: "" });
    case "svg":
      return new File(['<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'], "logo.svg", { type: "image/svg+xml" });
    case "huge":
      return new File([new Uint8Array(1_300_000)], "big.zip", { type: "application/zip" });
  }
}

/** Values a form field may get: hostile text, JSON-ish text (line editors), and this route's secrets. */
function formValues(secrets: string[]): fc.Arbitrary<string> {
  const draftLines = JSON.stringify(draftBody("x").lines);
  return fc.oneof(
    { weight: 6, arbitrary: hostile },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom(draftLines, draftLines.replace('"1"', '"-1"'), draftLines.replace("120000", "-5"), draftLines.replace("120000", "1e21"), "[", "[{}]", '[{"quantity":"1e999"}]') },
    { weight: 2, arbitrary: fc.constantFrom(new Date().toISOString().slice(0, 10), ...(secrets.length ? secrets : [""])) },
  );
}

function formCases(shapes: FormShape[], names: string[], secrets: string[]): fc.Arbitrary<FormCase> {
  const value = formValues(secrets);
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }, { weight: 1, arbitrary: fc.constantFrom("_csrf", "__proto__", "constructor", "lines[0]", "a.b") });
  return fc.record({
    template: fc.nat({ max: Math.max(shapes.length - 1, 0) }),
    how: fc.constantFrom("keep", "replace", "replace", "replace", "remove", "add", "repeat", "blank", "random"),
    pick: fc.nat(),
    value,
    key,
    extra: fc.array(fc.tuple(key, value), { maxLength: 6 }),
    multipart: fc.boolean(),
    file: fc.constantFrom(...FILE_KINDS),
    who: fc.nat({ max: 4 }),
    junk: fc.nat(),
    mangle: fc.nat({ max: 29 }),
  });
}

/** The fields one case posts (repeated names allowed, in order). */
function fieldsOf(shapes: FormShape[], c: FormCase): Array<[string, string]> {
  const base: Array<[string, string]> = c.how === "random" ? [...c.extra] : (shapes[c.template]?.fields ?? []).map(([k, v]) => [k, v]);
  const at = base.length ? c.pick % base.length : 0;
  switch (c.how) {
    case "replace":
      if (base.length) base[at] = [base[at]![0], c.value];
      else base.push([c.key, c.value]);
      break;
    case "remove":
      base.splice(at, 1);
      break;
    case "add":
      base.push([c.key, c.value]);
      break;
    case "repeat":
      base.push([base[at]?.[0] ?? c.key, c.value]);
      break;
    case "blank":
      return base.map(([k]) => [k, ""]);
    default:
      break;
  }
  return base;
}

/**
 * A multipart body written by hand, as a hostile client could: any part name (empty, quotes,
 * backslashes; the platform's FormData refuses some), CR/LF escaped the way browsers do.
 */
async function multipartBody(fields: Array<[string, string]>, file: { name: string; file: File } | null | undefined): Promise<{ body: Uint8Array<ArrayBuffer>; type: string }> {
  const boundary = `----fuzz${crypto.randomUUID().replace(/-/g, "")}`;
  const escape = (s: string) => s.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");
  const enc = new TextEncoder();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for (const [k, v] of fields) chunks.push(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escape(k)}"\r\n\r\n${v}\r\n`));
  if (file) {
    chunks.push(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escape(file.name)}"; filename="${escape(file.file.name)}"\r\nContent-Type: ${file.file.type || "application/octet-stream"}\r\n\r\n`));
    chunks.push(new Uint8Array(await file.file.arrayBuffer()));
    chunks.push(enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** 1: the body cut in half; 2: the header names another boundary; 3: no boundary at all. */
type Mangle = 0 | 1 | 2 | 3;

async function postForm(client: TestClient, path: string, fields: Array<[string, string]>, opts: { multipart: boolean; csrf: string | null; file?: { name: string; file: File } | null; mangle?: Mangle }): Promise<Response> {
  const all: Array<[string, string]> = opts.csrf === null ? fields : [["_csrf", opts.csrf], ...fields];
  if (opts.multipart) {
    const { body, type } = await multipartBody(all, opts.file);
    const mangled = opts.mangle === 1 ? body.slice(0, Math.floor(body.length / 2)) : body;
    const header = opts.mangle === 2 ? "multipart/form-data; boundary=other" : opts.mangle === 3 ? "multipart/form-data" : type;
    return client.fetch(path, { method: "POST", body: mangled, headers: { "content-type": header, accept: "text/html" } });
  }
  const body = new URLSearchParams();
  for (const [k, v] of all) body.append(k, v);
  return client.fetch(path, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" } });
}

/** A visitor with a CSRF cookie of its own (the double-submit check only compares cookie and field). */
function visitor(n: number): { client: TestClient; csrf: string } {
  const client = new TestClient({ "cf-connecting-ip": `198.51.100.${n % 250}` });
  const csrf = `fuzz-${n}-${crypto.randomUUID()}`;
  client.cookies.set("__Host-csrf", csrf);
  return { client, csrf };
}

/** The throwaway account of FORM_DISPOSABLE routes; replaced when closed, locked out or its password changed. */
let throwaway: { client: TestClient; email: string; password: string; accountId: string; ip: string } | null = null;
let throwawayCount = 0;

async function throwawayAccount() {
  if (throwaway && (await accountOf(throwaway.client)) === throwaway.accountId) return throwaway;
  if (throwaway) {
    try {
      const client = await signIn(throwaway.email, throwaway.password, throwaway.ip);
      if ((await accountOf(client)) === throwaway.accountId) return (throwaway = { ...throwaway, client });
    } catch {
      // Closed, or its password was changed by the fuzzer: a new one follows.
    }
  }
  throwawayCount += 1;
  const ip = `192.0.2.${throwawayCount % 250}`;
  const a = await signedUpClient({ ip });
  return (throwaway = { client: a.client, email: a.email, password: a.password, accountId: a.accountId, ip });
}

/** Tables a refused request may still write to (logs of the refusal itself), left out of "changed nothing". */
const REFUSAL_MAY_WRITE = new Set(["access_log", "connection_log", "mail_log", "sessions"]);

describe("fuzzing form posts", () => {
  beforeAll(siteReady, 120_000);

  it("finds the page POST routes, and a rendered form for most of them", () => {
    expect(FORM_ROUTES.length).toBeGreaterThan(20);
    const withForm = FORM_ROUTES.filter((r) => routeForms.has(r.path));
    const without = FORM_ROUTES.filter((r) => !routeForms.has(r.path)).map((r) => r.path);
    // Routes without a form on the signed-in pages (a state not shown, a public token page) are fuzzed from every form's field names.
    console.info(`fuzz: ${withForm.length}/${FORM_ROUTES.length} page POST routes have a rendered form; without: ${without.join(", ")}`);
    expect(withForm.length / FORM_ROUTES.length).toBeGreaterThan(0.5);
  });

  it("keeps its exclusion lists to routes that exist", () => {
    const paths = new Set(ALL_ROUTES.filter((r) => r.method === "POST").map((r) => r.path));
    for (const path of [...Object.keys(FORM_EXCLUDED), ...Object.keys(FORM_DISPOSABLE), ...Object.keys(CSRF_EXEMPT)]) {
      expect(paths.has(path), `${path} is listed in fuzz.test.ts but no longer exists: remove it from the list`).toBe(true);
    }
  });

  it("refuses every page form without a valid CSRF token with 403, changing nothing", async () => {
    await restoreSite();
    const skip = new Set([...REFUSAL_MAY_WRITE]);
    const before = await accountSnapshot(site.accountId, skip);
    let n = 0;
    for (const route of FORM_ROUTES) {
      if (route.path in CSRF_EXEMPT) continue;
      const path = realPath(route.path);
      const fields = routeForms.get(route.path)?.[0]?.fields ?? [];
      // Alternately a missing token (urlencoded) and a wrong one (multipart); the cookie is valid both times.
      const multipart = n % 2 === 1;
      const csrf = multipart ? "forged-token" : null;
      n += 1;
      const res = await postForm(site.client, path, fields, { multipart, csrf });
      const text = await res.text();
      expect(res.status, `POST ${path} (${multipart ? "multipart" : "urlencoded"}, ${csrf ? "wrong" : "no"} token) → ${res.status}: ${text.slice(0, 200)}`).toBe(403);
    }
    expect(n).toBeGreaterThan(20);
    expect(await accountSnapshot(site.accountId, skip)).toEqual(before);
  }, 300_000);

  it.each(FORM_ROUTES.map((r) => [`POST ${r.path}`, r] as const))(
    "%s never answers 5xx to a fuzzed form",
    async (_name, route) => {
      await restoreSite();
      const disposable = route.path in FORM_DISPOSABLE;
      const shapes = routeForms.get(route.path) ?? [{ fields: [], files: [] }];
      const names = [...new Set([...shapes.flatMap((s) => s.fields.map(([k]) => k)), ...(routeForms.has(route.path) ? [] : allFormNames)])];
      if (names.length === 0) names.push("name");
      const account = disposable ? await throwawayAccount() : null;
      const secrets = account ? [account.password, account.email] : [];
      await fc.assert(
        fc.asyncProperty(formCases(shapes, names, secrets), async (c) => tried("form posts", async () => {
          const owner = disposable ? await throwawayAccount() : site;
          const session = owner.client.cookies.get("__Host-session");
          const actor = c.who === 0 ? visitor(c.junk) : { client: owner.client, csrf: await owner.client.ensureCsrf() };
          const path = disposable ? route.path : fillPath(route.path, c.pick, c.junk);
          const fileField = shapes[c.template]?.files[0] ?? names[c.pick % names.length]!;
          const file = c.multipart ? fileOf(c.file) : null;
          const res = await postForm(actor.client, path, fieldsOf(shapes, c), {
            multipart: c.multipart,
            csrf: actor.csrf,
            file: file ? { name: fileField, file } : null,
            mangle: (c.mangle < 4 ? c.mangle : 0) as Mangle,
          });
          await expectSaneAnswer(res, `POST ${path} (${c.multipart ? "multipart" : "urlencoded"}, ${c.how})`);
          // A fuzzed sign-in, sign-up or logout may have replaced or ended the session: sign in again.
          if (!disposable && actor.client === site.client && site.client.cookies.get("__Host-session") !== session) await restoreSite();
        })),
        { numRuns: FORM_RUNS, seed: SEED, endOnFailure: true },
      );
    },
    600_000,
  );
});

describe("the database after every fuzz run", () => {
  it("sees a price in fractional cents, an impossible date and a draft naming another account's client", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    const product = await createProduct(a.client);
    const draft = await createDraftVia(a.client, draftBody(a.clientId));
    await env.DB.prepare("UPDATE products SET unit_price_cents = 1050.5 WHERE id = ?").bind(product).run();
    await env.DB.prepare("UPDATE documents SET client_id = ?, issue_date = '2026-02-30' WHERE id = ?").bind(b.clientId, draft).run();
    const problems = await invalidRows();
    // Put the rows back before anything can fail: the check below reads the whole database.
    await env.DB.prepare("UPDATE products SET unit_price_cents = 1050 WHERE id = ?").bind(product).run();
    await env.DB.prepare("UPDATE documents SET client_id = ?, issue_date = NULL WHERE id = ?").bind(a.clientId, draft).run();
    expect(problems.join("\n")).toContain(`products.unit_price_cents is not integer cents: 1 row(s), e.g. ${product} = 1050.5`);
    expect(problems.join("\n")).toContain("documents.issue_date is not a YYYY-MM-DD date");
    expect(problems.join("\n")).toContain(`documents.client_id names a row of another account in clients: 1 row(s), e.g. ${draft} → ${b.clientId}`);
    expect(await invalidRows()).toEqual([]);
  });

  it("holds no invalid row: integer cents, real dates, consistent totals, no cross-account reference", async () => {
    expect(await invalidRows()).toEqual([]);
  });
});
