import fc from "fast-check";
import { strToU8, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/worker/app";
import { ArchiveError, checkArchiveSizes, findCentralDirectory, parseCentralDirectory } from "../../src/worker/features/data/archive";
import { inflateWithin } from "../../src/worker/features/data/import";
import { exportedTables, isImported } from "../../src/worker/features/data/tables";
import { ERROR_STATUS } from "../../src/worker/http/errors";
import { isSafeRedirect } from "../../src/worker/http/header-values";
import { bytesToHex, sha256 } from "../../src/worker/lib/crypto/random";
import { TestClient, signedUpClient } from "../helpers/client";
import { drain, exportArchive, rowsOf, withManifest } from "../helpers/data-jobs";
import { printTallyAfterAll, tried } from "../helpers/fuzz-tally";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Fuzzing the inputs that never go through a zod schema (issue #14), three families besides the
// JSON / query / form families of fuzz.test.ts:
//   4. headers and redirects: hostile `next` / `back` targets (CR/LF, tabs, `//`, backslashes,
//      schemes, U+2028) on every route that redirects from input, and hostile request headers
//      (content type, length, origin, cookies, CSRF header) on every POST route: never a 5xx,
//      every `Location` a same-origin path, an unsafe target never echoed in the page;
//   5. multipart: bodies without boundary, with a nameless part, truncated, mismatched, oversized
//      headers… to every page POST route, the CSRF token in the header or in the body: never a 5xx;
//   6. archives: random and mutated zips through the pure readers (only ArchiveError is thrown),
//      and mutated real exports through the whole import (refused with a stable code and nothing
//      written, or imported whole).
// Counts: VITE_FUZZ_RUNS (8 by default) cases per route, VITE_FUZZ_ARCHIVE_RUNS (2) whole imports;
// each family prints its "bad inputs tried" line when the file ends.

const VITE = import.meta.env as Record<string, string | undefined>;
const RUNS = Number(VITE.VITE_FUZZ_RUNS ?? "") || 8;
const ARCHIVE_RUNS = Number(VITE.VITE_FUZZ_ARCHIVE_RUNS ?? "") || 2;
const SEED = Number(VITE.VITE_FUZZ_SEED ?? "") || undefined;

printTallyAfterAll();

const ALL_ROUTES = (() => {
  const seen = new Set<string>();
  return createApp()
    .routes.filter((r) => r.method !== "ALL")
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
    .map((r) => ({ method: r.method, path: r.path }));
})();
/** Page POST routes (as fuzz.test.ts: not the API, not webhooks, not the local-only seed). */
const FORM_ROUTES = ALL_ROUTES.filter((r) => r.method === "POST" && !r.path.startsWith("/api/") && !r.path.startsWith("/webhooks/") && r.path !== "/dev/seed");
/** Routes that end the session they run in: fuzzed with a session of their own. */
const ENDS_SESSION = new Set(["/deconnexion", "/mes-donnees/cloture", "/parametres/securite/mot-de-passe", "/parametres/securite/email", "/mes-donnees/restriction", "/mes-donnees/restriction/degeler"]);

/** A concrete path: every param a harmless id that exists nowhere. */
const concrete = (path: string) => path.replace(/:(\w+)(\{([^}]*)\})?/g, (_m, _n: string, _p?: string, alts?: string) => (alts ? alts.split("|")[0]! : "fuzz0000000000000000000000"));

/** The invariants of any answer: no 5xx, a 2xx/3xx/4xx, JSON errors in the house shape, a safe Location. */
async function expectSane(res: Response, label: string): Promise<string> {
  const text = await res.text();
  expect(res.status, `${label} → ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.status, label).toBeGreaterThanOrEqual(200);
  const location = res.headers.get("location");
  if (location !== null && !/^https:\/\/(checkout|connect)\.stripe\.com\//.test(location)) expect(isSafeRedirect(location), `${label} → Location ${JSON.stringify(location)}`).toBe(true);
  if (res.status >= 400 && (res.headers.get("content-type") ?? "").includes("application/json")) {
    const error = (JSON.parse(text) as { error?: { code?: string; message?: string; requestId?: string } }).error;
    expect(error && error.code && ERROR_STATUS[error.code as keyof typeof ERROR_STATUS], `${label}: ${text.slice(0, 300)}`).toBe(res.status);
    expect(typeof error?.message).toBe("string");
  }
  return text;
}

// ——— 4. headers and redirects ———

/** Redirect targets a browser would follow off-site (or that break a header), and a few safe ones. */
const redirectTarget = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom("//", "/\\", "\\\\", "/\t/", "/\r\n/", "/\n/", "/\r/", " //", "/\u2028/", "/\u0000/", "https://", "http:", "javascript:", "data:text/html,", "\t//", "/%2F/", "///", "/\\/", "%2F%2F"),
        fc.constantFrom("evil.example", "evil.example:443", "user@evil.example", "évil.example"),
        fc.constantFrom("", "/", "/x?y=1", "#frag", "\r\nSet-Cookie: fuzz=1", "\nLocation: //evil.example", "%0d%0aX: 1"),
      )
      .map(([a, b, c]) => `${a}${b}${c}`),
  },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom("/tableau-de-bord", "/factures?statut=issued", "/conditions#x", "/%09/evil.example", "/a".repeat(1100)) },
);

/** Header values a client may send (ByteStrings: no CR/LF, which fetch itself refuses). */
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  fc.constantFrom("", "null", "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"", "application/x-www-form-urlencoded; charset=ébc", "application/json; charset=utf-7", "text/plain", "*/*;q=x", "\t", "a=b; __Host-csrf=; __Host-session=%%", "https://evil.example", "99999999999999999999", "-1", "1e9", "x".repeat(8000)),
);

describe("fuzzing headers and redirects", () => {
  let owner: Awaited<ReturnType<typeof signedUpClient>>;
  beforeAll(async () => {
    owner = await signedUpClient();
  }, 60_000);

  /** Routes that take a redirect target from input, and how to send it. */
  const REDIRECTING: Array<{ label: string; send: (c: TestClient, target: string) => Promise<Response>; signedIn: boolean }> = [
    { label: "GET /connexion?next=", signedIn: false, send: (c, t) => c.get(`/connexion?next=${encodeURIComponent(t)}`) },
    { label: "GET /cookies?next=", signedIn: false, send: (c, t) => c.get(`/cookies?next=${encodeURIComponent(t)}`) },
    { label: "POST /connexion next (wrong password)", signedIn: false, send: (c, t) => c.postForm("/connexion", { email: `nobody-${Math.random().toString(36).slice(2)}@example.fr`, password: "wrong password 123", next: t }) },
    { label: "POST /preferences/langue next", signedIn: false, send: (c, t) => c.postForm("/preferences/langue", { locale: "fr", next: t }) },
    { label: "POST /cookies next", signedIn: false, send: (c, t) => c.postForm("/cookies", { action: "refuse_all", next: t }) },
    { label: "POST /cookies customize next", signedIn: false, send: (c, t) => c.postForm("/cookies", { action: "customize", next: t }) },
    { label: "POST /confidentialite/prise-de-connaissance next", signedIn: true, send: (c, t) => c.postForm("/confidentialite/prise-de-connaissance", { next: t }) },
  ];

  it.each(REDIRECTING.map((r) => [r.label, r] as const))("%s never answers 5xx, follows only same-origin paths and never echoes an unsafe target", async (_label, route) => {
    await fc.assert(
      fc.asyncProperty(redirectTarget, fc.nat(), async (target, ip) =>
        tried("headers/redirects", async () => {
          const client = route.signedIn ? owner.client : new TestClient({ "cf-connecting-ip": `198.51.100.${ip % 250}` });
          const res = await route.send(client, target);
          const body = await expectSane(res, `${route.label} ${JSON.stringify(target).slice(0, 80)}`);
          const safe: boolean = isSafeRedirect(target);
          if (!safe && target.includes("evil.example")) expect(body, `echoed ${JSON.stringify(target)}`).not.toMatch(/value="[^"]*evil\.example/);
        }),
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it.each(FORM_ROUTES.filter((r) => !ENDS_SESSION.has(r.path)).map((r) => [`POST ${r.path}`, r] as const))("%s never answers 5xx to hostile request headers", async (_label, route) => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom("content-type", "origin", "sec-fetch-site", "x-csrf-token", "accept", "accept-language", "cookie"), headerValue, { maxKeys: 4 }), async (headers) =>
        tried("headers/redirects", async () => {
          const token = await owner.client.ensureCsrf();
          const res = await owner.client.fetch(concrete(route.path), {
            method: "POST",
            body: "a=1",
            headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "x-csrf-token": token, ...headers },
          });
          await expectSane(res, `POST ${route.path} ${JSON.stringify(headers).slice(0, 200)}`);
        }),
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});

// ——— 5. multipart ———

/** Multipart bodies a parser may choke on, with the content type they come with. */
const multipart = fc
  .tuple(
    fc.constantFrom("fz", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a b", "x".repeat(80), '"quoted"', "é"),
    fc.constantFrom("none", "empty", "mismatch", "ok", "quoted", "twice"),
    fc.constantFrom("nameless", "empty-name", "truncated", "no-crlf", "preamble-only", "huge-header", "nul", "file", "duplicate", "no-close", "nested", "ok"),
    fc.boolean(),
  )
  .map(([boundary, typeKind, bodyKind, tokenInBody]) => {
    const type =
      typeKind === "none"
        ? "multipart/form-data"
        : typeKind === "empty"
          ? "multipart/form-data; boundary="
          : typeKind === "mismatch"
            ? "multipart/form-data; boundary=other"
            : typeKind === "quoted"
              ? `multipart/form-data; boundary="${boundary}"`
              : typeKind === "twice"
                ? `multipart/form-data; boundary=${boundary}; boundary=second`
                : `multipart/form-data; boundary=${boundary}`;
    const b = boundary.replace(/"/g, "");
    const part = (headers: string, value: string) => `--${b}\r\n${headers}\r\n\r\n${value}\r\n`;
    const parts: Record<string, string> = {
      nameless: part("Content-Disposition: form-data", "x"),
      "empty-name": part('Content-Disposition: form-data; name=""', "x"),
      truncated: `--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc`,
      "no-crlf": `--${b}Content-Disposition: form-data; name="a"x--${b}--`,
      "preamble-only": "just some text, no parts at all",
      "huge-header": part(`Content-Disposition: form-data; name="${"n".repeat(20_000)}"`, "x"),
      nul: part('Content-Disposition: form-data; name="a\u0000b"', "\u0000\u0000"),
      file: part('Content-Disposition: form-data; name="logo"; filename="../../etc/passwd\r\n.png"\r\nContent-Type: image/png', "\u0089PNG"),
      duplicate: part('Content-Disposition: form-data; name="a"', "1") + part('Content-Disposition: form-data; name="a"', "2"),
      "no-close": part('Content-Disposition: form-data; name="a"', "1"),
      nested: part(`Content-Disposition: form-data; name="a"\r\nContent-Type: multipart/mixed; boundary=inner`, "--inner\r\n\r\nx\r\n--inner--"),
      ok: part('Content-Disposition: form-data; name="a"', "1"),
    };
    return { type, body: parts[bodyKind]! + (bodyKind === "no-close" || bodyKind === "truncated" || bodyKind === "preamble-only" || bodyKind === "no-crlf" ? "" : `--${b}--\r\n`), tokenInBody, boundary: b };
  });

describe("fuzzing multipart", () => {
  let owner: Awaited<ReturnType<typeof signedUpClient>>;
  beforeAll(async () => {
    owner = await signedUpClient();
  }, 60_000);

  it.each(FORM_ROUTES.map((r) => [`POST ${r.path}`, r] as const))("%s never answers 5xx to a malformed multipart body", async (_label, route) => {
    // A route that may end its session gets a session of its own.
    const client = ENDS_SESSION.has(route.path) ? (await signedUpClient()).client : owner.client;
    await fc.assert(
      fc.asyncProperty(multipart, async (m) =>
        tried("multipart", async () => {
          const token = await client.ensureCsrf();
          const body = m.tokenInBody ? `--${m.boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n${m.body}` : m.body;
          const res = await client.fetch(concrete(route.path), {
            method: "POST",
            body,
            headers: { "content-type": m.type, accept: "text/html", origin: "https://factumo.test", ...(m.tokenInBody ? {} : { "x-csrf-token": token }) },
          });
          await expectSane(res, `POST ${route.path} ${m.type}`);
        }),
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});

// ——— 6. archives ———

const ARCHIVE_CODE = /^[a-z_]+$/;

/** Only ArchiveError may come out of the pure archive readers, whatever the bytes. */
function readsCleanly(zip: Uint8Array, size = zip.length): void {
  try {
    const tail = zip.subarray(Math.max(0, zip.length - 65_557));
    const dir = findCentralDirectory(tail);
    if (dir.offset + dir.size > zip.length) throw new ArchiveError("corrupt_directory");
    const entries = parseCentralDirectory(zip.subarray(dir.offset, dir.offset + dir.size), dir.entries);
    checkArchiveSizes(entries, size);
    for (const e of entries.slice(0, 3)) {
      if (e.method !== 8) continue;
      const start = e.localHeaderOffset + 30 + e.name.length;
      if (start + e.compressedSize <= zip.length) inflateWithin(zip.subarray(start, start + e.compressedSize), e.size);
    }
  } catch (err) {
    if (!(err instanceof ArchiveError)) throw err;
    expect(err.code).toMatch(ARCHIVE_CODE);
  }
}

describe("fuzzing archives", () => {
  let files: Record<string, Uint8Array>;
  let zip: Uint8Array;
  beforeAll(async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    files = await exportArchive(a.client);
    zip = zipSync(files);
  }, 120_000);

  it("the zip readers throw only ArchiveError on random and mutated bytes", async () => {
    const mutatedZip = fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat()).map(([flips, cut]) => {
      const copy = zip.slice(0, zip.length - (cut % 3 === 0 ? cut % 200 : 0));
      for (const [at, value] of flips) copy[at % copy.length] = value;
      return copy;
    });
    const bomb = fc.tuple(fc.integer({ min: 1, max: 64 }), fc.nat({ max: 3 })).map(([mb, n]) => zipSync(Object.fromEntries(Array.from({ length: n + 1 }, (_, i) => [`b${i}`, new Uint8Array(mb * 1024 * 1024)])), { level: 9 }));
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: mutatedZip }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4000 }) }, { weight: 1, arbitrary: bomb }), async (bytes) =>
        tried("archives", async () => readsCleanly(bytes)),
      ),
      { numRuns: Math.max(RUNS * 10, 50), seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  /** Mutations of a real export that an import must refuse cleanly (or import whole). */
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("date" as const), table: fc.constantFrom("documents", "payments", "document_lines"), value: fc.constantFrom("1900-01-01", "0001-01-01", "9999-12-31", "+010000-01-01", "2026-02-30", "2100-01-01") }),
    fc.record({ kind: fc.constant("amount" as const), delta: fc.integer({ min: -1_000_000, max: 1_000_000 }).filter((d) => d !== 0) }),
    fc.record({ kind: fc.constant("numbering" as const), next: fc.constantFrom(0, -1, 2_000_000_000, 1.5, Number.MAX_SAFE_INTEGER), series: fc.constantFrom("invoice:1900", "x:2026", "invoice:2026") }),
    fc.record({ kind: fc.constant("bomb" as const), mb: fc.integer({ min: 2, max: 40 }) }),
  );

  async function forge(m: Record<string, unknown>): Promise<Uint8Array> {
    const rewrite = async (name: string, bytes: Uint8Array, base = files) => {
      const hash = bytesToHex(await sha256(bytes));
      return withManifest({ ...base, [name]: bytes }, (man) => {
        (man.files as Record<string, unknown>)[name] = { sha256: hash, size: bytes.length };
      });
    };
    const tableEdit = async (table: string, edit: (row: Record<string, unknown>) => Record<string, unknown>) => {
      const name = `tables/${table}.json`;
      const rows = JSON.parse(new TextDecoder().decode(files[name])) as Array<Record<string, unknown>>;
      return zipSync(await rewrite(name, strToU8(JSON.stringify(rows.map(edit)))));
    };
    switch (m.kind) {
      case "flip": {
        const copy = zip.slice();
        copy[(m.at as number) % copy.length] = m.value as number;
        return copy;
      }
      case "date":
        return tableEdit(m.table as string, (r) => ({ ...r, ...Object.fromEntries(Object.keys(r).filter((k) => /(_date|_on|_until)$/.test(k)).map((k) => [k, m.value])) }));
      case "amount":
        return tableEdit("documents", (r) => (r.number ? { ...r, tax_inclusive_cents: Number(r.tax_inclusive_cents) + (m.delta as number) } : r));
      case "numbering":
        return zipSync(withManifest(files, (man) => (man.numbering = (man.numbering as Array<Record<string, unknown>>).map((s) => ({ ...s, nextNumber: m.next, seriesId: m.series })))));
      default: {
        const source = (JSON.parse(new TextDecoder().decode(files["manifest.json"])) as { source: { accountId: string } }).source.accountId;
        return zipSync(await rewrite(`files/accounts/${source}/documents/bomb.pdf`, new Uint8Array((m.mb as number) * 1024 * 1024)), { level: 9 });
      }
    }
  }

  it("an import refuses a mutated real export with a stable code and writes nothing, or imports it whole", async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) =>
        tried("archives", async () => {
          const forged = await forge(m as Record<string, unknown>);
          const b = await signedUpClient();
          const tables = exportedTables().filter((t) => isImported(t.name));
          const before = Object.fromEntries(await Promise.all(tables.map(async (t) => [t.name, (await rowsOf(t.name, b.accountId)).length] as const)));
          const form = new FormData();
          form.set("archive", new File([forged as Uint8Array<ArrayBuffer>], "export.zip", { type: "application/zip" }));
          const res = await b.client.postMultipart("/mes-donnees/import", form);
          await expectSane(res, `import ${m.kind}`);
          if (res.status !== 303) return;
          const list = (await (await b.client.json("GET", "/api/v1/data/exports")).json()) as { items: Array<{ id: string; kind: string }> };
          const job = await drain(b.client, list.items.find((j) => j.kind === "import")!.id);
          if (job.status === "ready") return;
          expect(job.status).toBe("failed");
          expect(job.error ?? "", JSON.stringify(job)).toMatch(ARCHIVE_CODE);
          expect(job.errorMessage ?? "").toMatch(/^Archive refusée/);
          for (const t of tables) expect((await rowsOf(t.name, b.accountId)).length, `${m.kind}: ${t.name}`).toBe(before[t.name]);
        }),
      ),
      { numRuns: ARCHIVE_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 1_800_000);
});
