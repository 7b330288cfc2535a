import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { zipSync } from "fflate";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ATTEMPTS, exportObjectFor } from "../../src/worker/exports/export-object";
import { PROFILE_COLUMNS, PURGES_TABLE, importKey } from "../../src/worker/features/data/import";
import { exportedTables, isImported } from "../../src/worker/features/data/tables";
import { runRetention } from "../../src/worker/jobs/retention";
import { addDuration, RETENTION_CLASSES } from "../../src/worker/domain/retention";
import { numberingFor } from "../../src/worker/numbering/numbering-object";
import { type Job, type Rows, drain, exportArchive, importInto, jobOf, rowsOf, tableOf, withTable } from "../helpers/data-jobs";
import { TEST_PASSWORD, TestClient, signedUpClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// PRIVACY.md §9.5: an import is all or nothing. A failure after its first write (the archive gone
// from R2, a step that keeps failing) undoes every row, file and numbering state it wrote; the
// account is fresh again and the same archive imports on a retry.

type Archive = Record<string, Uint8Array>;
type Manifest = { source: { accountId: string; userId: string }; numbering: Array<{ seriesId: string }> };

const DAY = 86_400_000;
const importedTables = () => exportedTables().filter((t) => isImported(t.name));
const manifestOf = (files: Archive) => JSON.parse(new TextDecoder().decode(files["manifest.json"])) as Manifest;

async function issued(client: TestClient, id: string): Promise<{ id: string; dueCents: number }> {
  const res = await client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: { id: string; dueCents: number } }).document;
}

/** Two invoices (one paid in part), a quote and a draft: rows in most tables, and a numbering series. */
async function sourceArchive(): Promise<Archive> {
  const a = await readyAccount();
  const inv = await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
  await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
  const today = new Date().toISOString().slice(0, 10);
  const paid = await a.client.json("POST", `/api/v1/documents/${inv.id}/payments`, { receivedOn: today, method: "virement", amountCents: 10_000, reference: "VIR 7" });
  expect(paid.status).toBe(201);
  await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId, { type: "quote" })));
  await createDraftVia(a.client, draftBody(a.clientId, { note: "Brouillon" }));
  return exportArchive(a.client);
}

/** Everything an import may touch in an account, as comparable text: rows of every imported table, the profile, the marker. */
async function accountState(accountId: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of importedTables()) out[t.name] = (await rowsOf(t.name, accountId)).map((r) => JSON.stringify(r)).sort();
  const profile = await env.DB.prepare(`SELECT ${PROFILE_COLUMNS().map((c) => `"${c}"`).join(", ")} FROM accounts WHERE id = ?`).bind(accountId).first();
  out.accounts = [JSON.stringify(profile)];
  out.import_rollbacks = (await rowsOf("import_rollbacks", accountId)).map((r) => JSON.stringify(r));
  return out;
}

async function r2KeysOf(accountId: string): Promise<string[]> {
  const listed = await env.FILES.list({ prefix: `accounts/${accountId}/` });
  return listed.objects.map((o) => o.key);
}

/** Uploads the archive through the import form and returns the job id, without running it. */
async function startImport(client: TestClient, files: Archive): Promise<string> {
  const form = new FormData();
  form.set("archive", new File([zipSync(files) as Uint8Array<ArrayBuffer>], "export.zip", { type: "application/zip" }));
  expect((await client.postMultipart("/mes-donnees/import", form)).status).toBe(303);
  const list = (await (await client.json("GET", "/api/v1/data/exports")).json()) as { items: Job[] };
  return list.items.find((j) => j.kind === "import" && (j.status === "queued" || j.status === "running"))!.id;
}

const attemptsOf = (id: string) => runInDurableObject(exportObjectFor(env, id), async (_o, state) => (await state.storage.get<number>("attempts")) ?? 0);

/** Checks the account holds exactly the archive's rows once ids, owner and R2 keys are translated. */
async function expectImported(files: Archive, target: { accountId: string; userId: string }, before: Record<string, string[]>) {
  const source = manifestOf(files).source;
  const idMap = new Map<string, string>([
    [source.accountId, target.accountId],
    [source.userId, target.userId],
  ]);
  const expected: Record<string, Rows> = {};
  const actual: Record<string, Rows> = {};
  for (const t of importedTables()) {
    expected[t.name] = tableOf(files, t.name);
    actual[t.name] = (await rowsOf(t.name, target.accountId)).filter((r) => !before[t.name]!.includes(JSON.stringify(r)));
    expect(actual[t.name]!.length, `${t.name} row count`).toBe(expected[t.name]!.length);
    // Rows keep the archive's order; a purge record is keyed by the purged document's id.
    const key = t.hasId ? "id" : t.name === PURGES_TABLE ? "document_id" : null;
    if (key) expected[t.name]!.forEach((row, i) => idMap.set(String(row[key]), String(actual[t.name]![i]![key])));
  }
  const translate = (col: string, v: unknown): unknown => {
    if (typeof v !== "string") return v;
    if (col === "id" || col.endsWith("_id")) return idMap.get(v) ?? v;
    if (col.endsWith("_key")) return v.split("/").map((s) => { const dot = s.indexOf("."); const base = dot < 0 ? s : s.slice(0, dot); return (idMap.get(base) ?? base) + (dot < 0 ? "" : s.slice(dot)); }).join("/");
    return v;
  };
  // As in the export round trip: the hash chain is rebuilt (it hashes document ids), mail rows name the importing user.
  const ignored: Record<string, string[]> = { documents: ["public_token_hash", "public_token_sealed"], issue_log: ["prev_hash", "hash"], mail_log: ["user_id"] };
  for (const t of importedTables()) {
    expected[t.name]!.forEach((row, i) => {
      const want = Object.fromEntries(Object.entries(row).filter(([c]) => !ignored[t.name]?.includes(c)).map(([c, v]) => [c, translate(c, v)]));
      const got = Object.fromEntries(Object.entries(actual[t.name]![i]!).filter(([c]) => !ignored[t.name]?.includes(c)));
      expect(got, `${t.name} row ${i}`).toEqual(want);
    });
  }
  return actual;
}

/** The account is as it was before the import: rows, profile, no marker, no file, every series unset. */
async function expectRolledBack(files: Archive, accountId: string, before: Record<string, string[]>) {
  expect(await accountState(accountId)).toEqual(before);
  for (const table of ["documents", "document_lines", "payments", "issue_log", "clients"]) expect(await rowsOf(table, accountId), table).toEqual([]);
  expect(await r2KeysOf(accountId)).toEqual([]);
  const numbering = numberingFor(env, accountId);
  for (const s of manifestOf(files).numbering) expect(await numbering.seriesRow(s.seriesId), s.seriesId).toBeNull();
}

describe("§9.5 an import is all or nothing", () => {
  let files: Archive;
  beforeAll(async () => {
    files = await sourceArchive();
  }, 60_000);

  it("§9.5 rolls back an import whose archive vanishes after its first writes, and the same archive then imports", async () => {
    const b = await signedUpClient();
    const before = await accountState(b.accountId);
    const id = await startImport(b.client, files);
    const stub = exportObjectFor(env, id);
    // Step until issued documents and their payment are in, then take the archive away.
    for (let i = 0; i < 300 && (await rowsOf("payments", b.accountId)).length === 0; i++) await runDurableObjectAlarm(stub);
    expect((await rowsOf("payments", b.accountId)).length).toBeGreaterThan(0);
    expect((await rowsOf("documents", b.accountId)).some((d) => d.status !== "draft")).toBe(true);
    await env.FILES.delete(importKey(b.accountId, id));

    const job = await drain(b.client, id);
    expect(job.status).toBe("failed");
    expect(job.error).toBe("import_rolled_back");
    expect(job.errorMessage).toContain("rien n'a été conservé");
    expect(job.errorMessage).toContain("réessayer");
    await expectRolledBack(files, b.accountId, before);
    const log = await rowsOf("access_log", b.accountId);
    expect(log.filter((e) => e.target === id).map((e) => e.action).sort()).toEqual(["import_requested", "import_rolled_back"]);
    // The job page says it in French.
    expect(await (await b.client.get("/mes-donnees/exports")).text()).toContain("vous pouvez réessayer avec la même archive");

    // Fresh again: the same archive imports in full.
    const retry = await importInto(b.client, files);
    expect(retry.error).toBeNull();
    expect(retry.status).toBe("ready");
    await expectImported(files, b, before);
  }, 120_000);

  it("§9.5 retries a step that fails once and completes the import", async () => {
    const b = await signedUpClient();
    const before = await accountState(b.accountId);
    // A D1 failure on the payments' insert, lifted after the first failed attempt.
    await env.DB.prepare(`CREATE TRIGGER test_fail_payments_once BEFORE INSERT ON payments WHEN NEW.account_id = '${b.accountId}' BEGIN SELECT RAISE(ABORT, 'injected'); END`).run();
    const id = await startImport(b.client, files);
    const stub = exportObjectFor(env, id);
    try {
      for (let i = 0; i < 300 && (await attemptsOf(id)) === 0; i++) await runDurableObjectAlarm(stub);
      // Failed at least once (alarms also fire on their own here), and not yet given up on.
      const attempts = await attemptsOf(id);
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThan(MAX_ATTEMPTS);
    } finally {
      await env.DB.prepare("DROP TRIGGER IF EXISTS test_fail_payments_once").run();
    }
    const job = await drain(b.client, id);
    expect(job.error).toBeNull();
    expect(job.status).toBe("ready");
    await expectImported(files, b, before);
  }, 120_000);

  it("§9.5 rolls back an import whose step keeps failing, after a bounded number of attempts", async () => {
    const b = await signedUpClient();
    const before = await accountState(b.accountId);
    await env.DB.prepare(`CREATE TRIGGER test_fail_payments_always BEFORE INSERT ON payments WHEN NEW.account_id = '${b.accountId}' BEGIN SELECT RAISE(ABORT, 'injected'); END`).run();
    let job: Job;
    try {
      const id = await startImport(b.client, files);
      const stub = exportObjectFor(env, id);
      let attempts = 0;
      for (let i = 0; i < 400; i++) {
        const state = await runInDurableObject(stub, async (_o, st) => ({ attempts: (await st.storage.get<number>("attempts")) ?? 0, rollingBack: (await st.storage.get("rollback")) !== undefined }));
        attempts = Math.max(attempts, state.attempts);
        if (state.rollingBack) break;
        await runDurableObjectAlarm(stub);
      }
      // Retried (the counter shows the failures before the last), then undone while the fault is
      // still there: the attempts are bounded.
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThan(MAX_ATTEMPTS);
      job = await drain(b.client, id);
    } finally {
      await env.DB.prepare("DROP TRIGGER IF EXISTS test_fail_payments_always").run();
    }
    expect(job.status).toBe("failed");
    expect(job.error).toBe("import_rolled_back");
    await expectRolledBack(files, b.accountId, before);
  }, 120_000);

  it("§9.5 interrupted at any step, an import ends either complete or with nothing kept", async () => {
    // How many alarms a whole import of this archive takes: the interruption is drawn across all of them.
    const probe = await signedUpClient();
    const probeId = await startImport(probe.client, files);
    const probed = await drain(probe.client, probeId);
    expect(probed.status).toBe("ready");
    const total = probed.total;
    expect(total).toBeGreaterThan(10);
    let rolledBack = 0;
    await fc.assert(
      fc.asyncProperty(fc.noBias(fc.integer({ min: 0, max: total })), async (steps) => {
        const b = await signedUpClient();
        const before = await accountState(b.accountId);
        const id = await startImport(b.client, files);
        const stub = exportObjectFor(env, id);
        for (let i = 0; i < steps; i++) await runDurableObjectAlarm(stub);
        await env.FILES.delete(importKey(b.accountId, id));
        const job = await drain(b.client, id);
        if (job.status === "ready") {
          await expectImported(files, b, before);
        } else {
          expect(job.status).toBe("failed");
          // Before the first write the archive is simply refused; after it, everything is undone.
          expect(["archive_missing", "import_rolled_back"]).toContain(job.error);
          if (job.error === "import_rolled_back") rolledBack += 1;
          await expectRolledBack(files, b.accountId, before);
        }
      }),
      // Interruptions in the writing phases (most of the steps), always including one just before the end.
      { numRuns: 4, examples: [[total - 1]] },
    );
    expect(rolledBack).toBeGreaterThan(0);
  }, 300_000);
});

describe("§9.5 the rollback marker opens only its own account", () => {
  it("§9.5 the triggers still refuse to delete issued documents, payments and the issue log when another account is being rolled back", async () => {
    const a = await readyAccount();
    const inv = await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
    const today = new Date().toISOString().slice(0, 10);
    expect((await a.client.json("POST", `/api/v1/documents/${inv.id}/payments`, { receivedOn: today, method: "virement", amountCents: 1_000 })).status).toBe(201);
    const other = await signedUpClient();
    await env.DB.prepare("INSERT INTO import_rollbacks (account_id, job_id, started_at) VALUES (?, 'job-of-another-account', ?)").bind(other.accountId, Date.now()).run();
    try {
      await expect(env.DB.prepare("DELETE FROM payments WHERE account_id = ?").bind(a.accountId).run()).rejects.toThrow(/payments_append_only/);
      await expect(env.DB.prepare("DELETE FROM document_lines WHERE document_id = ?").bind(inv.id).run()).rejects.toThrow(/document_frozen/);
      await expect(env.DB.prepare("DELETE FROM documents WHERE id = ?").bind(inv.id).run()).rejects.toThrow(/document_frozen/);
      await expect(env.DB.prepare("DELETE FROM issue_log WHERE account_id = ?").bind(a.accountId).run()).rejects.toThrow(/issue_log_append_only/);
    } finally {
      await env.DB.prepare("DELETE FROM import_rollbacks WHERE account_id = ?").bind(other.accountId).run();
    }
    expect(await rowsOf("documents", a.accountId)).toHaveLength(1);
    expect(await rowsOf("payments", a.accountId)).toHaveLength(1);
  });
});

describe("§9.5 nothing is issued or received while an import runs", () => {
  it("§9.5 refuses to issue a document or record a payment during a running import with 409 conflict, in French", async () => {
    const a = await readyAccount();
    const inv = await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
    const draft = await createDraftVia(a.client, draftBody(a.clientId));
    // A running import of this account (its rows as the job object keeps them).
    const jobId = `imp${Date.now()}`;
    await env.DB.prepare("INSERT INTO data_exports (id, account_id, kind, requested_by, status, step, total, created_at, expires_at) VALUES (?, ?, 'import', ?, 'running', 3, 10, ?, ?)")
      .bind(jobId, a.accountId, a.userId, Date.now(), Date.now() + 7 * DAY)
      .run();
    const today = new Date().toISOString().slice(0, 10);
    const issue = await a.client.json("POST", `/api/v1/documents/${draft}/issue`, {});
    expect(issue.status).toBe(409);
    const issueBody = (await issue.json()) as { error: { code: string; message: string } };
    expect(issueBody.error.code).toBe("conflict");
    expect(issueBody.error.message).toContain("import d'archive est en cours");
    const pay = await a.client.json("POST", `/api/v1/documents/${inv.id}/payments`, { receivedOn: today, method: "virement", amountCents: 1_000 });
    expect(pay.status).toBe(409);
    expect(((await pay.json()) as { error: { code: string } }).error.code).toBe("conflict");
    expect(await rowsOf("payments", a.accountId)).toHaveLength(0);
    expect((await rowsOf("documents", a.accountId)).find((d) => d.id === draft)?.status).toBe("draft");

    // Once the import has ended, both go through.
    await env.DB.prepare("UPDATE data_exports SET status = 'failed', error = 'import_rolled_back' WHERE id = ?").bind(jobId).run();
    expect((await a.client.json("POST", `/api/v1/documents/${draft}/issue`, {})).status).toBe(200);
    expect((await a.client.json("POST", `/api/v1/documents/${inv.id}/payments`, { receivedOn: today, method: "virement", amountCents: 1_000 })).status).toBe(201);
  });
});

// Runs last: the retention job walks the clock ten years ahead for every account of this file.
describe("§9.5 payments of invoices purged after ten years", () => {
  it("§9.5 imports an archive whose payment names an invoice purged after ten years, pointing at the purge record's new id", async () => {
    const a = await readyAccount();
    const inv = await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
    const receivedOn = new Date().toISOString().slice(0, 10);
    expect((await a.client.json("POST", `/api/v1/documents/${inv.id}/payments`, { receivedOn, method: "virement", amountCents: 10_000, reference: "VIR 9" })).status).toBe(201);
    const issuedAt = (await env.DB.prepare("SELECT issued_at FROM documents WHERE id = ?").bind(inv.id).first<{ issued_at: number }>())!.issued_at;
    const purgeAt = addDuration(issuedAt, RETENTION_CLASSES.billing_records.duration) + DAY;
    // The account stays active (it is not the inactivity erasure this test is about).
    await env.DB.prepare("UPDATE accounts SET last_activity_at = ? WHERE id = ?").bind(purgeAt, a.accountId).run();
    const summary = await runRetention(env, purgeAt);
    expect(summary.billing_records).toBeGreaterThanOrEqual(1);
    expect(await rowsOf("documents", a.accountId)).toHaveLength(0);
    expect(await rowsOf("payments", a.accountId)).toHaveLength(1);
    expect((await rowsOf(PURGES_TABLE, a.accountId)).map((r) => r.document_id)).toEqual([inv.id]);

    // The session expired in those ten years: sign in again to export.
    const again = new TestClient();
    expect((await again.postForm("/connexion", { email: a.email, password: TEST_PASSWORD })).status).toBe(303);
    const files = await exportArchive(again);
    expect(tableOf(files, "payments").map((p) => p.document_id)).toEqual([inv.id]);

    const b = await signedUpClient();
    const before = await accountState(b.accountId);
    const job = await importInto(b.client, files);
    expect(job.error).toBeNull();
    expect(job.status).toBe("ready");
    const rows = await expectImported(files, b, before);
    // The payment is kept, naming the purged invoice by the new id its purge record was given.
    expect(rows.payments).toHaveLength(1);
    expect(rows[PURGES_TABLE]).toHaveLength(1);
    expect(rows.payments![0]!.document_id).toBe(rows[PURGES_TABLE]![0]!.document_id);
    expect(rows.payments![0]!.document_id).not.toBe(inv.id);
    expect(await rowsOf("documents", b.accountId)).toHaveLength(0);

    // A forged purge record is refused before any write: one not yet due, or one naming a live
    // document of the archive (it would let the triggers delete that document).
    const purges = tableOf(files, PURGES_TABLE);
    const early = await withTable(files, PURGES_TABLE, purges.map((p) => ({ ...p, purged_at: Number(p.issued_at) + DAY })));
    const c = await signedUpClient();
    const cBefore = await accountState(c.accountId);
    const refused = await importInto(c.client, early);
    expect(refused.status).toBe("failed");
    expect(refused.error).toBe("purge_not_due");
    expect(refused.errorMessage).toContain("rien n'a été importé");
    expect(await accountState(c.accountId)).toEqual(cBefore);
    const live = await withTable(files, "clients", tableOf(files, "clients").map((cl, i) => (i === 0 ? { ...cl, id: purges[0]!.document_id } : cl)));
    const d = await signedUpClient();
    const forged = await importInto(d.client, live);
    expect(forged.status).toBe("failed");
    expect(forged.error).toBe("duplicate_id");
  }, 120_000);
});
