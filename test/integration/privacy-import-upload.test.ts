import { env } from "cloudflare:workers";
import { strToU8, zipSync, type Zippable } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { MIN_PART_BYTES, PART_BYTES, expectedPartSize, partPlan } from "../../src/worker/features/data/uploads";
import { IMPORT_MAX_BYTES } from "../../src/worker/features/data/verbs";
import { exportedTables, isImported } from "../../src/worker/features/data/tables";
import { runRetention } from "../../src/worker/jobs/retention";
import { bytesToHex, sha256 } from "../../src/worker/lib/crypto/random";
import { signedUpClient, type TestClient } from "../helpers/client";
import { drain, exportArchive, rowsOf, tableOf } from "../helpers/data-jobs";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// PRIVACY.md §9.5: an export re-imports with the same data, whatever its size. The page sends the
// archive in parts (POST /api/v1/data/imports, PUT …/parts/:part, POST …/complete), each part
// streamed into an R2 multipart upload; the 32 MB cap of the plain form does not apply.

const API = "/api/v1/data/imports";
const MiB = 1024 * 1024;

type Plan = { id: string; size: number; partSize: number; parts: number };
type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 64 KiB a call; random bytes do not compress, so the zip stays big.
  for (let i = 0; i < n; i += 65_536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65_536)));
  return out;
}

/**
 * The export's entries plus incompressible files under the source account's own prefix, each with
 * its SHA-256 in the manifest (the import verifies and copies every file there), stored uncompressed.
 */
async function padded(files: Record<string, Uint8Array>, count: number, bytesEach: number): Promise<{ zip: Uint8Array<ArrayBuffer>; padding: Record<string, string> }> {
  const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"])) as { source: { accountId: string }; files: Record<string, { sha256: string; size: number }> };
  const zippable: Zippable = { ...files };
  const padding: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const name = `files/accounts/${manifest.source.accountId}/attachments/padding-${i}.bin`;
    const bytes = randomBytes(bytesEach);
    const hash = bytesToHex(await sha256(bytes));
    manifest.files[name] = { sha256: hash, size: bytes.length };
    zippable[name] = [bytes, { level: 0 }];
    padding[`attachments/padding-${i}.bin`] = hash;
  }
  zippable["manifest.json"] = strToU8(JSON.stringify(manifest));
  return { zip: zipSync(zippable) as Uint8Array<ArrayBuffer>, padding };
}

async function create(client: TestClient, size: unknown, opts: { csrf?: string | null } = {}): Promise<Response> {
  return client.json("POST", API, { size }, opts);
}

async function created(client: TestClient, size: number): Promise<Plan> {
  const res = await create(client, size);
  expect(res.status).toBe(201);
  return ((await res.json()) as { import: Plan }).import;
}

/** PUTs raw bytes as part `n`; `length` overrides the Content-Length the body would give. */
async function putPart(client: TestClient, id: string, n: number | string, bytes: Uint8Array<ArrayBuffer>, opts: { length?: number; csrf?: string | null } = {}): Promise<Response> {
  const token = opts.csrf === undefined ? await client.ensureCsrf() : opts.csrf;
  return client.fetch(`${API}/${id}/parts/${n}`, {
    method: "PUT",
    body: bytes,
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(opts.length ?? bytes.length),
      accept: "application/json",
      ...(token ? { "x-csrf-token": token } : {}),
    },
  });
}

const partOf = (zip: Uint8Array<ArrayBuffer>, plan: Plan, n: number) => zip.subarray((n - 1) * plan.partSize, Math.min(n * plan.partSize, zip.length));

/** Sends every part of `zip` in order and completes the upload: the import job, queued. */
async function uploadAll(client: TestClient, zip: Uint8Array<ArrayBuffer>): Promise<{ plan: Plan; complete: Response }> {
  const plan = await created(client, zip.length);
  for (let n = 1; n <= plan.parts; n++) {
    const res = await putPart(client, plan.id, n, partOf(zip, plan, n));
    expect(res.status, `part ${n}`).toBe(200);
  }
  return { plan, complete: await client.json("POST", `${API}/${plan.id}/complete`, {}) };
}

/** Everything an upload request could change for an account: its jobs, upload rows, parts, log. */
async function uploadState(accountId: string) {
  const q = async (sql: string) => (await env.DB.prepare(sql).bind(accountId).all()).results;
  return {
    jobs: await q("SELECT id, kind, status, step, total, size, r2_key FROM data_exports WHERE account_id = ? ORDER BY id"),
    uploads: await q("SELECT * FROM data_import_uploads WHERE account_id = ? ORDER BY job_id"),
    parts: await q("SELECT * FROM data_import_parts WHERE account_id = ? ORDER BY job_id, part_number"),
    log: await q("SELECT action, target FROM access_log WHERE account_id = ? ORDER BY at, id"),
  };
}

async function refusedWith(res: Response, status: number, code: string): Promise<ErrorBody["error"]> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  return body.error;
}

/** A small valid account with issued invoices and a payment; its export's entries. */
async function sourceExport() {
  const a = await readyAccount();
  const issue = async (id: string) => {
    const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    expect(res.status).toBe(200);
    return ((await res.json()) as { document: { id: string } }).document.id;
  };
  const inv = await issue(await createDraftVia(a.client, draftBody(a.clientId)));
  await issue(await createDraftVia(a.client, draftBody(a.clientId)));
  const paid = await a.client.json("POST", `/api/v1/documents/${inv}/payments`, { receivedOn: new Date().toISOString().slice(0, 10), method: "virement", amountCents: 5_000, reference: "VIR 9" });
  expect(paid.status).toBe(201);
  return { a, files: await exportArchive(a.client) };
}

describe("§9.5 import of an archive larger than the form's 32 MB, uploaded in parts", () => {
  it("§9.5 cuts archives in equal parts of at least 5 MiB, the last one holding the rest", () => {
    for (const size of [1, PART_BYTES - 1, PART_BYTES, PART_BYTES + 1, 40 * MiB + 3, 100_000 * MiB]) {
      const plan = partPlan(size)!;
      expect(plan.parts).toBeLessThanOrEqual(10_000);
      expect(plan.partSize).toBeGreaterThanOrEqual(MIN_PART_BYTES);
      let total = 0;
      for (let n = 1; n <= plan.parts; n++) {
        const len = expectedPartSize({ ...plan, size }, n);
        expect(len).toBeGreaterThan(0);
        if (n < plan.parts) expect(len).toBe(plan.partSize);
        total += len;
      }
      expect(total).toBe(size);
    }
    expect(partPlan(0)).toBeNull();
  });

  it("§9.5 imports a real export padded past 32 MB, sent in parts, with the same rows and files", async () => {
    const { a, files } = await sourceExport();
    const { zip, padding } = await padded(files, 3, 12 * MiB);
    expect(zip.length).toBeGreaterThan(IMPORT_MAX_BYTES);
    // The form refuses it: the fallback's cap is unchanged.
    const form = new FormData();
    form.set("archive", new File([zip], "export.zip", { type: "application/zip" }));
    const b = await signedUpClient();
    const refused = await b.client.postMultipart("/mes-donnees/import", form);
    expect(refused.status).toBe(413);
    expect(await refused.text()).toContain("la limite de l'envoi sans JavaScript");

    const before: Record<string, number> = {};
    const tables = exportedTables().filter((t) => isImported(t.name));
    for (const t of tables) before[t.name] = (await rowsOf(t.name, b.accountId)).length;

    const t0 = performance.now();
    const { plan, complete } = await uploadAll(b.client, zip);
    const uploadMs = performance.now() - t0;
    expect(plan.parts).toBe(Math.ceil(zip.length / PART_BYTES));
    expect(complete.status).toBe(202);
    const queued = ((await complete.json()) as { import: { id: string; status: string } }).import;
    expect(queued).toMatchObject({ id: plan.id, status: "queued" });
    // The assembled object is the archive, byte for byte; the upload's bookkeeping is gone.
    const stored = await env.FILES.get(`accounts/${b.accountId}/imports/${plan.id}.zip`);
    expect(stored?.size).toBe(zip.length);
    expect(bytesToHex(await sha256(new Uint8Array(await stored!.arrayBuffer())))).toBe(bytesToHex(await sha256(zip)));
    expect((await uploadState(b.accountId)).uploads).toEqual([]);
    expect((await uploadState(b.accountId)).parts).toEqual([]);

    const t1 = performance.now();
    const job = await drain(b.client, plan.id);
    console.log(`§9.5 upload: ${(zip.length / MiB).toFixed(1)} MiB in ${plan.parts} parts, ${uploadMs.toFixed(0)} ms; import ${(performance.now() - t1).toFixed(0)} ms`);
    expect(job.error).toBeNull();
    expect(job.status).toBe("ready");

    // Every imported table holds as many new rows as the archive, and the numbers are the source's.
    for (const t of tables) expect((await rowsOf(t.name, b.accountId)).length - before[t.name]!, t.name).toBe(tableOf(files, t.name).length);
    const numbers = async (accountId: string) => (await rowsOf("documents", accountId)).map((d) => d.number).sort();
    expect(await numbers(b.accountId)).toEqual(await numbers(a.accountId));
    const amounts = async (accountId: string) => (await rowsOf("payments", accountId)).map((p) => p.amount_cents);
    expect(await amounts(b.accountId)).toEqual(await amounts(a.accountId));
    // The padding files came along under the new account's prefix, byte for byte.
    for (const [path, hash] of Object.entries(padding)) {
      const obj = await env.FILES.get(`accounts/${b.accountId}/${path}`);
      expect(obj, path).not.toBeNull();
      expect(bytesToHex(await sha256(new Uint8Array(await obj!.arrayBuffer())))).toBe(hash);
    }
    // The import is in the access log, once, like one started from the form.
    const log = (await uploadState(b.accountId)).log.filter((l) => l.target === plan.id);
    expect(log.map((l) => l.action)).toEqual(expect.arrayContaining(["import_requested"]));
    expect(log.filter((l) => l.action === "import_requested")).toHaveLength(1);
  }, 180_000);
});

describe("§9.5 refused upload requests change nothing", () => {
  let zip: Uint8Array<ArrayBuffer>;
  beforeAll(async () => {
    // Three parts: two full ones and a short last one.
    zip = randomBytes(2 * PART_BYTES + 1234);
  });

  /** A fresh account with an upload open and part 1 stored. */
  async function openUpload() {
    const b = await signedUpClient();
    const plan = await created(b.client, zip.length);
    expect((await putPart(b.client, plan.id, 1, partOf(zip, plan, 1))).status).toBe(200);
    return { b, plan, state: await uploadState(b.accountId) };
  }

  it("§9.5 refuses a size that is not a positive whole number of bytes, and opens nothing", async () => {
    const b = await signedUpClient();
    const state = await uploadState(b.accountId);
    for (const size of [0, -1, 1.5, "12", null, 1e16]) {
      const err = await refusedWith(await create(b.client, size), 400, "invalid");
      expect(err.fields?.size ?? err.message).toBeTruthy();
    }
    expect(await uploadState(b.accountId)).toEqual(state);
  });

  it("§9.5 refuses to open an upload into an account that already holds business data", async () => {
    const a = await readyAccount();
    const state = await uploadState(a.accountId);
    const err = await refusedWith(await create(a.client, zip.length), 409, "conflict");
    expect(err.message).toContain("compte sans clients");
    expect(await uploadState(a.accountId)).toEqual(state);
  });

  it("§9.5 refuses a part number outside the upload, in French", async () => {
    const { b, plan, state } = await openUpload();
    for (const n of [0, plan.parts + 1, "abc", "1.5", "-1"]) {
      const err = await refusedWith(await putPart(b.client, plan.id, n, partOf(zip, plan, 2)), 400, "invalid");
      expect(err.fields?.part).toBe(`Numéro de partie invalide : il va de 1 à ${plan.parts}.`);
    }
    expect(await uploadState(b.accountId)).toEqual(state);
  });

  it("§9.5 refuses a part shorter or longer than its place in the archive", async () => {
    const { b, plan, state } = await openUpload();
    const short = zip.subarray(0, PART_BYTES - 1);
    const tooSmall = await refusedWith(await putPart(b.client, plan.id, 2, short), 400, "invalid");
    expect(tooSmall.fields?.part).toBe(`Partie trop petite : ${PART_BYTES - 1} octets reçus, ${PART_BYTES} attendus.`);
    // The last part is exactly the rest: a full-size last part is too large.
    const tooLarge = await refusedWith(await putPart(b.client, plan.id, 3, zip.subarray(0, PART_BYTES)), 400, "invalid");
    expect(tooLarge.fields?.part).toBe(`Partie trop grande : ${PART_BYTES} octets reçus, 1234 attendus.`);
    // A body of unknown length (chunked, no Content-Length) cannot go to R2: refused before reading.
    const chunked = await b.client.fetch(`${API}/${plan.id}/parts/2`, {
      method: "PUT",
      body: new Blob([partOf(zip, plan, 2)]).stream(),
      headers: { "content-type": "application/octet-stream", accept: "application/json", "x-csrf-token": await b.client.ensureCsrf() },
    });
    expect((await refusedWith(chunked, 400, "invalid")).fields?.part).toBe("La longueur de la partie (en-tête Content-Length) est requise.");
    // A Content-Length over the largest part is a 413 before anything is read.
    await refusedWith(await putPart(b.client, plan.id, 2, zip.subarray(0, 10), { length: 200 * MiB }), 413, "payload_too_large");
    expect(await uploadState(b.accountId)).toEqual(state);
  });

  it("§9.5 refuses to complete while parts are missing, saying which", async () => {
    const { b, plan, state } = await openUpload();
    const err = await refusedWith(await b.client.json("POST", `${API}/${plan.id}/complete`, {}), 400, "invalid");
    expect(err.fields?.parts).toBe("Il manque des parties (2, 3, sur 3) : envoyez-les avant de terminer.");
    expect(await uploadState(b.accountId)).toEqual(state);
  });

  it("§9.5 refuses to complete when the stored parts do not add up to the declared size", async () => {
    const { b, plan } = await openUpload();
    for (const n of [2, 3]) expect((await putPart(b.client, plan.id, n, partOf(zip, plan, n))).status).toBe(200);
    // A part row that no longer matches (a bookkeeping fault): the completion checks the sum again.
    await env.DB.prepare("UPDATE data_import_parts SET size = size - 1 WHERE job_id = ? AND part_number = 3").bind(plan.id).run();
    const state = await uploadState(b.accountId);
    const err = await refusedWith(await b.client.json("POST", `${API}/${plan.id}/complete`, {}), 400, "invalid");
    expect(err.fields?.size).toBe(`Les parties reçues font ${zip.length - 1} octets, l'archive en annonce ${zip.length}.`);
    expect(await uploadState(b.accountId)).toEqual(state);
  });

  it("§9.5 answers another account's upload id like an unknown one (404), and leaves the upload alone", async () => {
    const { b, plan, state } = await openUpload();
    const other = await signedUpClient();
    const otherState = await uploadState(other.accountId);
    for (const id of [plan.id, "u0000000000000000000000000"]) {
      await refusedWith(await putPart(other.client, id, 2, partOf(zip, plan, 2)), 404, "not_found");
      await refusedWith(await other.client.json("POST", `${API}/${id}/complete`, {}), 404, "not_found");
      await refusedWith(await other.client.json("DELETE", `${API}/${id}`), 404, "not_found");
    }
    expect(await uploadState(b.accountId)).toEqual(state);
    expect(await uploadState(other.accountId)).toEqual(otherState);
    // The owner can still finish it.
    for (const n of [2, 3]) expect((await putPart(b.client, plan.id, n, partOf(zip, plan, n))).status).toBe(200);
    expect((await uploadState(b.accountId)).parts).toHaveLength(3);
  });

  it("§9.5 refuses every upload request that lacks the CSRF header", async () => {
    const { b, plan, state } = await openUpload();
    await refusedWith(await create(b.client, zip.length, { csrf: null }), 403, "forbidden");
    await refusedWith(await putPart(b.client, plan.id, 2, partOf(zip, plan, 2), { csrf: null }), 403, "forbidden");
    await refusedWith(await b.client.json("POST", `${API}/${plan.id}/complete`, {}, { csrf: null }), 403, "forbidden");
    await refusedWith(await b.client.json("DELETE", `${API}/${plan.id}`, undefined, { csrf: null }), 403, "forbidden");
    // A wrong token is no better than none.
    await refusedWith(await putPart(b.client, plan.id, 2, partOf(zip, plan, 2), { csrf: "x".repeat(43) }), 403, "forbidden");
    expect(await uploadState(b.accountId)).toEqual(state);
  });

  it("§9.5 shows an upload in progress in the jobs list, and the page's script with the form's limit", async () => {
    const { b, plan } = await openUpload();
    const page = await (await b.client.get("/mes-donnees/exports")).text();
    expect(page).toContain('data-island="import-upload"');
    expect(page).toContain("/islands/import-upload.js");
    expect(page).toContain("Sans JavaScript, 32 Mo au plus");
    // Rendered on the server as the plain form, which posts without JavaScript.
    expect(page).toMatch(/<form method="post" action="\/mes-donnees\/import" enctype="multipart\/form-data"/);
    expect(page).toMatch(new RegExp(`id="job-${plan.id}" data-status="uploading"[\\s\\S]*?Envoi en cours`));
    const job = ((await (await b.client.json("GET", `/api/v1/data/exports/${plan.id}`)).json()) as { export: { status: string; step: number; total: number } }).export;
    expect(job).toMatchObject({ status: "uploading", step: 1, total: 3 });
  });

  it("§9.5 takes a part sent again (a retry) in place of the first one", async () => {
    const { b, plan, state } = await openUpload();
    const first = (state.parts[0] as { etag: string }).etag;
    expect((await putPart(b.client, plan.id, 1, randomBytes(PART_BYTES))).status).toBe(200);
    const after = await uploadState(b.accountId);
    expect(after.parts).toHaveLength(1);
    expect((after.parts[0] as { etag: string }).etag).not.toBe(first);
    expect(after.jobs).toMatchObject([{ id: plan.id, status: "uploading", step: 1, total: 3 }]);
  });

  it("§9.5 cancels an upload: its parts are aborted in R2 and the job is gone", async () => {
    const { b, plan } = await openUpload();
    const upload = (await uploadState(b.accountId)).uploads[0] as { upload_id: string };
    expect((await b.client.json("DELETE", `${API}/${plan.id}`)).status).toBe(204);
    expect(await uploadState(b.accountId)).toMatchObject({ jobs: [], uploads: [], parts: [] });
    await refusedWith(await putPart(b.client, plan.id, 2, partOf(zip, plan, 2)), 404, "not_found");
    const key = `accounts/${b.accountId}/imports/${plan.id}.zip`;
    await expect(env.FILES.resumeMultipartUpload(key, upload.upload_id).uploadPart(2, partOf(zip, plan, 2))).rejects.toThrow();
  });

  it("§9.5 a new upload replaces one left unfinished (a closed tab), aborting its parts", async () => {
    const { b, plan } = await openUpload();
    const next = await created(b.client, zip.length);
    const state = await uploadState(b.accountId);
    expect(state.jobs.map((j) => j.id)).toEqual([next.id]);
    expect(state.uploads.map((u) => u.job_id)).toEqual([next.id]);
    await refusedWith(await putPart(b.client, plan.id, 2, partOf(zip, plan, 2)), 404, "not_found");
  });

  it("§9.5 the retention of data jobs aborts an upload abandoned for 7 days and marks its job expired", async () => {
    const { b, plan } = await openUpload();
    const upload = (await uploadState(b.accountId)).uploads[0] as { upload_id: string };
    const eightDaysAgo = Date.now() - 8 * 24 * 3600 * 1000;
    await env.DB.prepare("UPDATE data_exports SET created_at = ? WHERE id = ?").bind(eightDaysAgo, plan.id).run();
    await runRetention(env, Date.now());
    const state = await uploadState(b.accountId);
    expect(state.jobs).toMatchObject([{ id: plan.id, status: "expired" }]);
    expect(state.uploads).toEqual([]);
    expect(state.parts).toEqual([]);
    const key = `accounts/${b.accountId}/imports/${plan.id}.zip`;
    await expect(env.FILES.resumeMultipartUpload(key, upload.upload_id).uploadPart(2, partOf(zip, plan, 2))).rejects.toThrow();
  });
});
