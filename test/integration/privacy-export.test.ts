import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { exportObjectFor } from "../../src/worker/exports/export-object";
import { ARCHIVE_FORMAT } from "../../src/worker/features/data/archive";
import { signedDownloadPath } from "../../src/worker/features/data/links";
import { EXPORT_ONLY, NOT_EXPORTED, accountTables, exportedTables, isImported } from "../../src/worker/features/data/tables";
import { bytesToHex, randomId, sha256 } from "../../src/worker/lib/crypto/random";
import { lastMailTo, signedUpClient, type TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";
import { TERMS_VERSION } from "../../src/worker/features/privacy/policy";

type Job = { id: string; status: string; step: number; total: number; error: string | null; downloadUrl: string | null };

/** Runs the job object's alarms until its row says ready or failed (each alarm is one step). */
async function drain(client: TestClient, id: string): Promise<Job> {
  const stub = exportObjectFor(env, id);
  for (let i = 0; i < 500; i++) {
    const job = await jobOf(client, id);
    if (job.status === "ready" || job.status === "failed") return job;
    const ran = await runDurableObjectAlarm(stub);
    if (!ran) await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${id} never finished`);
}

async function jobOf(client: TestClient, id: string): Promise<Job> {
  const res = await client.json("GET", `/api/v1/data/exports/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { export: Job }).export;
}

async function startExport(client: TestClient): Promise<string> {
  const res = await client.json("POST", "/api/v1/data/exports");
  expect(res.status).toBe(202);
  return ((await res.json()) as { export: Job }).export.id;
}

async function insertProduct(accountId: string): Promise<string> {
  const id = randomId();
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO products (id, account_id, name, search_name, description, unit_code, unit_price_cents, vat_category, vat_rate_bp, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'HUR', 8000, 'S', 2000, 'service', ?, ?)",
  )
    .bind(id, accountId, "Conseil, \"senior\"", "conseil senior", "Ligne 1\nLigne 2", now, now)
    .run();
  return id;
}

async function issue(client: TestClient, id: string): Promise<{ id: string; number: string; dueCents: number }> {
  const res = await client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: { id: string; number: string; dueCents: number } }).document;
}

/** An account with a bit of everything: profile with IBAN, clients, a product, quotes, invoices, a credit note, payments. */
async function richAccount() {
  const a = await readyAccount();
  const productId = await insertProduct(a.accountId);
  // §3.4 stock: a tracked item with a reception, a threshold and a sale on inv1 (stock book and levels travel).
  const goodsId = randomId();
  await env.DB.prepare("INSERT INTO products (id, account_id, name, search_name, unit_code, unit_price_cents, vat_category, vat_rate_bp, kind, stock_tracked, created_at, updated_at) VALUES (?, ?, 'Carafe', 'carafe', 'C62', 2500, 'S', 2000, 'goods', 1, ?, ?)")
    .bind(goodsId, a.accountId, Date.now(), Date.now())
    .run();
  expect((await a.client.json("POST", `/api/v1/stock/${goodsId}/movements`, { reason: "purchase", quantity: "5" })).status).toBe(201);
  expect((await a.client.json("PUT", `/api/v1/stock/${goodsId}/threshold`, { threshold: "2" })).status).toBe(200);
  const goodsLine = { productId: goodsId, description: "Carafe", quantity: "1.5", unitCode: "C62", unitPriceCents: 2500, vatCategory: "S", vatRateBp: 2000, kind: "goods" };
  const inv1 = await issue(a.client, await createDraftVia(a.client, draftBody(a.clientId, { lines: [{ productId, description: "Conseil", quantity: "3", unitCode: "HUR", unitPriceCents: 8000, vatCategory: "S", vatRateBp: 2000, kind: "service" }, goodsLine] })));
  const inv2 = await issue(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
  const inv3 = await issue(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
  await createDraftVia(a.client, draftBody(a.clientId, { note: "Brouillon, pas encore émis" }));
  const quote = await issue(a.client, await createDraftVia(a.client, draftBody(a.clientId, { type: "quote" })));
  expect((await a.client.json("POST", `/api/v1/documents/${quote.id}/share`, {})).status).toBeLessThan(300);
  const today = new Date().toISOString().slice(0, 10);
  const paid = await a.client.json("POST", `/api/v1/documents/${inv1.id}/payments`, { receivedOn: today, method: "virement", amountCents: inv1.dueCents, reference: "VIR 42" });
  expect(paid.status).toBe(201);
  const partial = await a.client.json("POST", `/api/v1/documents/${inv2.id}/payments`, { receivedOn: today, method: "cheque", amountCents: 10_000 });
  expect(partial.status).toBe(201);
  const cancel = await a.client.json("POST", `/api/v1/documents/${inv3.id}/cancel`, {});
  expect(cancel.status).toBe(201);
  // Time tracking (§3.4): an entry billed on a draft (document and line ids travel), one unbilled, a running timer.
  const timeEntry = (extra: Record<string, unknown>) =>
    a.client.json("POST", "/api/v1/time-entries", { clientId: a.clientId, productId, description: "Atelier", workDate: today, duration: "1:30", billable: true, ...extra });
  const billedEntry = ((await (await timeEntry({})).json()) as { entry: { id: string } }).entry.id;
  expect((await timeEntry({ billable: false, hourlyRate: "", productId: "" })).status).toBe(201);
  expect((await a.client.json("POST", "/api/v1/time-entries/bill", { clientId: a.clientId, entryIds: [billedEntry] })).status).toBe(201);
  expect((await a.client.json("POST", "/api/v1/time-entries/timer/start", { description: "En cours", billable: false })).status).toBe(201);
  return { ...a, productId, invoices: [inv1, inv2, inv3], quote };
}

async function download(client: TestClient, job: Job): Promise<Uint8Array> {
  expect(job.downloadUrl).toMatch(/^\/mes-donnees\/exports\/[^/]+\/telecharger\?expires=\d+&sig=/);
  const res = await client.fetch(job.downloadUrl!);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/zip");
  return new Uint8Array(await res.arrayBuffer());
}

type Rows = Array<Record<string, unknown>>;

async function rowsOf(table: string, accountId: string): Promise<Rows> {
  const { results } = await env.DB.prepare(`SELECT * FROM "${table}" WHERE account_id = ? ORDER BY rowid`).bind(accountId).all();
  return results as Rows;
}

async function importInto(client: TestClient, zip: Uint8Array): Promise<Job> {
  const form = new FormData();
  form.set("archive", new File([zip as Uint8Array<ArrayBuffer>], "export.zip", { type: "application/zip" }));
  const res = await client.postMultipart("/mes-donnees/import", form);
  expect(res.status).toBe(303);
  const list = (await (await client.json("GET", "/api/v1/data/exports")).json()) as { items: Array<Job & { kind: string }> };
  const job = list.items.find((j) => j.kind === "import");
  if (!job) throw new Error("no import job");
  return drain(client, job.id);
}

describe("export of every account table", () => {
  it("lists every table with an account_id either in the export or left out with a reason", () => {
    const exported = new Set(exportedTables().map((t) => t.name));
    for (const t of accountTables()) {
      const covered = exported.has(t.name) || (NOT_EXPORTED[t.name]?.length ?? 0) > 10;
      expect(covered, `${t.name} is neither exported nor excluded with a reason`).toBe(true);
    }
    for (const [name, reason] of Object.entries({ ...NOT_EXPORTED, ...EXPORT_ONLY })) expect(reason.length, name).toBeGreaterThan(10);
    // The credentials never travel.
    expect(exported.has("sessions")).toBe(false);
  });

  it("builds a zip in R2 by steps, with JSON and CSV of each table, the issued files, and a manifest whose hashes match", async () => {
    const a = await richAccount();
    const id = await startExport(a.client);
    const job = await drain(a.client, id);
    expect(job.status).toBe("ready");
    expect(job.total).toBeGreaterThan(5);
    expect(job.step).toBe(job.total);

    const files = unzipSync(await download(a.client, job));
    const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"])) as {
      format: string;
      tables: Record<string, { rows: number; csv: string; json: string }>;
      files: Record<string, { sha256: string }>;
      numbering: Array<{ seriesId: string; nextNumber: number }>;
    };
    expect(manifest.format).toBe(ARCHIVE_FORMAT);
    // Every account table (not excluded) is in the archive, as JSON and as CSV, with its row count.
    for (const t of exportedTables()) {
      const entry = manifest.tables[t.name];
      expect(entry, t.name).toBeDefined();
      const rows = JSON.parse(new TextDecoder().decode(files[entry!.json])) as unknown[];
      // Only the "ready" email and the download's log entry came after the snapshot.
      const held = (await rowsOf(t.name, a.accountId)).length;
      if (t.name === "mail_log" || t.name === "access_log") expect(rows.length).toBeLessThan(held);
      else expect(rows, t.name).toHaveLength(held);
      expect(entry!.rows).toBe(rows.length);
      const csv = new TextDecoder().decode(files[entry!.csv]);
      expect(csv.startsWith(`${t.columns.join(",")}\r\n`)).toBe(true);
    }
    expect(manifest.tables.documents!.rows).toBeGreaterThanOrEqual(6);
    expect(Object.keys(files).some((n) => n.startsWith("files/") && n.endsWith(".pdf"))).toBe(true);
    for (const [name, f] of Object.entries(manifest.files)) expect(bytesToHex(await sha256(files[name]!)), name).toBe(f.sha256);
    // Every issued PDF is in files/, byte for byte.
    for (const doc of await rowsOf("documents", a.accountId)) {
      if (doc.pdf_key) expect(bytesToHex(await sha256(files[`files/${String(doc.pdf_key)}`]!))).toBe(doc.pdf_sha256);
    }
    // IBAN exported in clear (portability); no credential anywhere in the archive.
    const account = JSON.parse(new TextDecoder().decode(files["account.json"])) as Record<string, unknown>;
    expect(account.iban).toBe("FR7630006000011234567890189");
    expect(account).not.toHaveProperty("ibanSealed");
    const user = JSON.parse(new TextDecoder().decode(files["user.json"])) as Record<string, unknown>;
    expect(user).not.toHaveProperty("passwordHash");
    expect(user).not.toHaveProperty("totpSecretSealed");
    // The terms accepted at sign-up travel with the user's data (issue #13).
    expect(user).toMatchObject({ termsVersion: TERMS_VERSION, termsAcceptedAt: expect.any(Number) });
    const all = new TextDecoder().decode(files["tables/documents.json"]);
    expect(all).not.toContain("public_token_hash");
    expect(all).not.toContain("public_token_sealed");
    expect(manifest.numbering.find((s) => s.seriesId.startsWith("invoice"))?.nextNumber).toBe(4);

    // Emailed when ready, with the signed link; logged in the access log.
    const mail = await lastMailTo(a.email);
    expect(mail.template).toBe("data_export_ready");
    expect(mail.bodyText).toContain(`/mes-donnees/exports/${id}/telecharger?expires=`);
    const log = await env.DB.prepare("SELECT action FROM access_log WHERE account_id = ? AND target = ? ORDER BY at").bind(a.accountId, id).all<{ action: string }>();
    expect(log.results.map((r) => r.action)).toEqual(["export_requested", "export_downloaded"]);
  });
});

// Each test exports a rich account and imports it: minutes on a loaded 2-core machine, well under a minute quiet.
describe("export → import round trip", { timeout: 120_000 }, () => {
  it("re-creates every row in a fresh account, continues the numbering and copies the files", async () => {
    const a = await richAccount();
    const job = await drain(a.client, await startExport(a.client));
    const zip = await download(a.client, job);

    const archive = unzipSync(zip);
    const b = await signedUpClient();
    const tables = exportedTables().filter((t) => isImported(t.name));
    // What the fresh account held before (its sign-up email…) is not part of the comparison.
    const before = new Map<string, Set<string>>();
    for (const t of tables) before.set(t.name, new Set((await rowsOf(t.name, b.accountId)).map((r) => JSON.stringify(r))));
    const imported = await importInto(b.client, zip);
    expect(imported.error).toBeNull();
    expect(imported.status).toBe("ready");

    // Pair rows in insertion order (the import keeps the export's order), then compare every
    // column once ids, owner and R2 keys are translated to the new account's.
    const idMap = new Map<string, string>([[a.accountId, b.accountId]]);
    const source: Record<string, Rows> = {};
    const target: Record<string, Rows> = {};
    for (const t of tables) {
      source[t.name] = JSON.parse(new TextDecoder().decode(archive[`tables/${t.name}.json`])) as Rows;
      target[t.name] = (await rowsOf(t.name, b.accountId)).filter((r) => !before.get(t.name)!.has(JSON.stringify(r)));
      expect(target[t.name]!.length, `${t.name} row count`).toBe(source[t.name]!.length);
      if (t.hasId) source[t.name]!.forEach((row, i) => idMap.set(String(row.id), String(target[t.name]![i]!.id)));
    }
    const translate = (col: string, v: unknown): unknown => {
      if (typeof v !== "string") return v;
      if (col === "id" || col.endsWith("_id")) return idMap.get(v) ?? v;
      if (col.endsWith("_key")) return v.split("/").map((s) => { const dot = s.indexOf("."); const base = dot < 0 ? s : s.slice(0, dot); return (idMap.get(base) ?? base) + (dot < 0 ? "" : s.slice(dot)); }).join("/");
      return v;
    };
    // Justified differences: the public link hash is not exported (links are re-shared), the hash
    // chain is rebuilt because it hashes document ids, and mail rows now name the importing user.
    const ignored: Record<string, string[]> = { documents: ["public_token_hash", "public_token_sealed"], issue_log: ["prev_hash", "hash"], mail_log: ["user_id"] };
    for (const t of tables) {
      source[t.name]!.forEach((row, i) => {
        const expected = Object.fromEntries(Object.entries(row).filter(([c]) => !ignored[t.name]?.includes(c)).map(([c, v]) => [c, translate(c, v)]));
        const actual = Object.fromEntries(Object.entries(target[t.name]![i]!).filter(([c]) => !ignored[t.name]?.includes(c)));
        expect(actual, `${t.name} row ${i}`).toEqual(expected);
      });
    }

    // §3.4 stock: the levels are not counted twice (the movements' trigger, then the archive's row):
    // on hand is 5 received − 1.5 sold, equal to the movements imported, threshold kept.
    const levels = target.stock_levels!;
    expect(levels.map((l) => [l.on_hand_e4, l.low_threshold_e4])).toEqual([[35_000, 20_000]]);
    const sum = await env.DB.prepare("SELECT sum(quantity_e4) AS n FROM stock_movements WHERE account_id = ?").bind(b.accountId).first<{ n: number }>();
    expect(sum?.n).toBe(35_000);

    // The profile came along, IBAN re-sealed for the new account.
    const profile = (await (await b.client.json("GET", "/api/v1/account/profile")).json()) as { profile: { name: string; iban: string | null; siret: string | null } };
    // The API shows the IBAN masked: it opened under the new account's key binding.
    expect(profile.profile).toMatchObject({ name: "Studio Lumen", iban: "•••• 0189", siret: "12345678200010" });
    const sealed = await env.DB.prepare("SELECT iban_sealed FROM accounts WHERE id = ?").bind(b.accountId).first<{ iban_sealed: string }>();
    expect(sealed?.iban_sealed).not.toContain("FR76");

    // The files are under the new account's prefix, byte for byte.
    for (const doc of target.documents!) {
      if (!doc.pdf_key) continue;
      expect(String(doc.pdf_key).startsWith(`accounts/${b.accountId}/`)).toBe(true);
      const obj = await env.FILES.get(String(doc.pdf_key));
      expect(bytesToHex(await sha256(new Uint8Array(await obj!.arrayBuffer())))).toBe(doc.pdf_sha256);
    }

    // The hash chain verifies, and the next invoice continues the sequence.
    const verify = await b.client.json("GET", "/api/v1/audit/verify");
    expect(verify.status).toBe(200);
    expect(JSON.stringify(await verify.json())).not.toMatch(/"ok":\s*false/);
    const clientId = String(target.clients![0]!.id);
    const next = await issue(b.client, await createDraftVia(b.client, draftBody(clientId)));
    const lastNumber = a.invoices.map((d) => d.number).sort().at(-1)!;
    expect(Number(next.number.match(/(\d+)$/)![1])).toBe(Number(lastNumber.match(/(\d+)$/)![1]) + 1);
  });

  it("refuses an archive whose content does not match its manifest, and imports nothing", async () => {
    const a = await richAccount();
    const files = unzipSync(await download(a.client, await drain(a.client, await startExport(a.client))));
    files["tables/clients.json"] = strToU8(new TextDecoder().decode(files["tables/clients.json"]).replace("Société Cliente SA", "Société Pirate SA"));
    const b = await signedUpClient();
    const job = await importInto(b.client, zipSync(files));
    expect(job.status).toBe("failed");
    expect(job.error).toBe("checksum_mismatch");
    for (const t of ["clients", "documents", "document_lines", "payments"]) expect(await rowsOf(t, b.accountId)).toHaveLength(0);
  });

  it("refuses an archive that points files at another account's storage", async () => {
    const a = await richAccount();
    const files = unzipSync(await download(a.client, await drain(a.client, await startExport(a.client))));
    const victim = randomId();
    const name = Object.keys(files).find((n) => n.startsWith("files/") && n.endsWith(".pdf"))!;
    const forged = `files/accounts/${victim}/documents/evil.pdf`;
    files[forged] = files[name]!;
    delete files[name];
    const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"])) as { files: Record<string, unknown> };
    manifest.files[forged] = manifest.files[name];
    delete manifest.files[name];
    files["manifest.json"] = strToU8(JSON.stringify(manifest));
    const b = await signedUpClient();
    const job = await importInto(b.client, zipSync(files));
    expect(job.status).toBe("failed");
    expect(job.error).toBe("foreign_file_path");
    expect((await env.FILES.list({ prefix: `accounts/${victim}/` })).objects).toHaveLength(0);
    // Refused before anything was written.
    for (const t of ["clients", "documents", "document_lines"]) expect(await rowsOf(t, b.accountId)).toHaveLength(0);
  });

  it("refuses to import into an account that already holds business data", async () => {
    const a = await richAccount();
    const zip = await download(a.client, await drain(a.client, await startExport(a.client)));
    const form = new FormData();
    form.set("archive", new File([zip as Uint8Array<ArrayBuffer>], "export.zip", { type: "application/zip" }));
    const res = await a.client.postMultipart("/mes-donnees/import", form);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("compte sans clients");
  });
});

describe("download links", () => {
  it("asks for the owner's session as well as a valid signature, and says why it refuses", async () => {
    const a = await readyAccount();
    const id = await startExport(a.client);
    const job = await drain(a.client, id);
    const url = job.downloadUrl!;

    // A leaked link alone: sent to sign in, nothing downloaded.
    const { TestClient } = await import("../helpers/client");
    const anonymous = await new TestClient().fetch(url);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toMatch(/^\/connexion/);

    // Someone else's export id, even with its genuine link: answered as unknown.
    const other = await signedUpClient();
    const stolen = await other.client.fetch(url, { headers: { accept: "text/html" } });
    expect(stolen.status).toBe(404);

    // A forged signature: 403, French page; the API code is stable.
    const forged = url.replace(/sig=[^&]+/, "sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    const page = await a.client.fetch(forged, { headers: { accept: "text/html" } });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("lien de téléchargement n'est pas valide");
    const api = await a.client.fetch(forged, { headers: { accept: "application/json" } });
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("forbidden");

    // A genuinely signed link whose date has passed: 410.
    const expired = await signedDownloadPath(env.SESSION_SECRET, id, Date.now() - 1000);
    const gone = await a.client.fetch(expired, { headers: { accept: "application/json" } });
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe("gone");

    // Still there after all the refusals: nothing lost.
    expect((await a.client.fetch(url)).status).toBe(200);
  });

  it("shows the progress of an export and the held data on the Mes données pages", async () => {
    const a = await readyAccount();
    const id = await startExport(a.client);
    const running = await a.client.get("/mes-donnees/exports");
    expect(running.status).toBe(200);
    expect(running.headers.get("refresh")).toBe("3");
    expect(await running.text()).toContain("<progress");
    await drain(a.client, id);
    const index = await a.client.get("/mes-donnees");
    expect(index.status).toBe(200);
    const html = await index.text();
    expect(html).toContain("Mes données");
    expect(html).toContain(a.email);
    expect(html).toContain('data-table="clients"');
    // Categories read as words, not SQL table names.
    expect(html).toContain("Lignes des devis et factures");
    expect(html).not.toContain("<code>document_lines</code>");
    expect(html).toContain("Dernières connexions");
    expect(html).toContain("Télécharger");
    expect(html).toContain("se termine par 0189");
  });
});
