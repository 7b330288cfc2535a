import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { strToU8, unzipSync, zipSync, type Zippable } from "fflate";
import type { Browser } from "playwright-core";
import { type ApiClient, PASSWORD, seedFranchiseAccount, signUpViaApi } from "./api.ts";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn } from "./browser.ts";

// PRIVACY.md §9.5 in Chromium: an export archive above the plain form's 32 MB is imported from
// "Mes données" — the page's script sends it in parts with a progress bar, then the job list
// follows the import to its end.

let browser: Browser;
const work = mkdtempSync(path.join(tmpdir(), "factumo-import-e2e-"));
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

const MiB = 1024 * 1024;
/** Archive size aimed at: above the form's 32 MB, so only the upload in parts can take it. */
const TARGET_BYTES = 40 * MiB;

type Job = { id: string; kind: string; status: string; downloadUrl: string | null; error: string | null };

async function waitForJob(api: ApiClient, id: string, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.json<{ export: Job }>("GET", `/api/v1/data/exports/${id}`);
    if (body.export.status === "ready" || body.export.status === "failed") return body.export;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.export.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A real export of an account with a client and an issued invoice, padded past TARGET_BYTES. */
async function paddedExport(): Promise<{ file: string; size: number; invoiceNumber: string }> {
  const { api, invoice } = await seedFranchiseAccount("import-src");
  const started = await api.json<{ export: Job }>("POST", "/api/v1/data/exports");
  assert.equal(started.status, 202);
  const job = await waitForJob(api, started.body.export.id);
  assert.equal(job.status, "ready", JSON.stringify(job));
  const files = unzipSync(await api.bytes(job.downloadUrl!));

  // Incompressible files under the source account's own prefix, each hashed in the manifest: the
  // import verifies and copies them like the account's PDFs.
  const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"])) as { source: { accountId: string }; files: Record<string, { sha256: string; size: number }> };
  const zippable: Zippable = { ...files };
  const pads = Math.ceil(TARGET_BYTES / (12 * MiB));
  for (let i = 0; i < pads; i++) {
    const bytes = new Uint8Array(randomBytes(Math.ceil(TARGET_BYTES / pads)));
    const name = `files/accounts/${manifest.source.accountId}/attachments/padding-${i}.bin`;
    manifest.files[name] = { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
    zippable[name] = [bytes, { level: 0 }];
  }
  zippable["manifest.json"] = strToU8(JSON.stringify(manifest));
  const zip = zipSync(zippable);
  const file = path.join(work, "factumo-export.zip");
  writeFileSync(file, zip);
  return { file, size: zip.length, invoiceNumber: invoice.number };
}

test("§9.5 imports an archive above 32 MB through Mes données, with a progress bar, then follows the import job", async () => {
  const archive = await paddedExport();
  assert.ok(archive.size > 32 * 1024 * 1024, `archive of ${archive.size} bytes`);

  const { api, email } = await signUpViaApi("import-dst");
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  await submitSignIn(page, email, PASSWORD);
  await page.waitForURL(/tableau-de-bord/);

  await page.goto(`${BASE_URL}/mes-donnees/exports`);
  assert.match(await page.locator("#f-archive-hint").innerText(), /Sans JavaScript, 32 Mo au plus/);
  await page.getByLabel("Archive d'export (.zip)").setInputFiles(archive.file);
  const t0 = Date.now();
  await page.getByRole("button", { name: "Importer" }).click();

  // The labelled <progress> and the live status text while the parts go.
  const bar = page.getByRole("progressbar", { name: "Envoi de l'archive" });
  await bar.waitFor({ state: "visible" });
  const status = page.locator('#f-archive-status[aria-live="polite"]');
  await page.waitForFunction(() => /% envoyé/.test(document.querySelector("#f-archive-status")?.textContent ?? ""));
  assert.match(await status.innerText(), /\d+ % envoyé \([\d,]+ sur [\d,]+ Mo\)\./);
  assert.ok(Number(await bar.getAttribute("value")) > 0, "the bar moves");
  await page.screenshot({ path: path.join(SCREENSHOTS, "import-upload-progress.png"), fullPage: true });

  await page.waitForURL(/lance=import/, { timeout: 120_000 });
  const uploadMs = Date.now() - t0;
  console.log(`§9.5 e2e upload: ${(archive.size / MiB).toFixed(1)} MiB through Chromium in ${uploadMs} ms (${((archive.size / MiB) / (uploadMs / 1000)).toFixed(1)} MiB/s)`);

  // The job list shows the import; its page refreshes itself until it is done.
  const row = page.locator("tr[data-status]").filter({ hasText: "Import" }).first();
  await row.waitFor();
  const { body } = await api.json<{ items: Job[] }>("GET", "/api/v1/data/exports");
  const job = body.items.find((j) => j.kind === "import");
  assert.ok(job, "an import job is listed");
  const done = await waitForJob(api, job.id, 120_000);
  assert.equal(done.status, "ready", JSON.stringify(done));
  await page.reload();
  assert.equal(await page.locator(`#job-${job.id}`).getAttribute("data-status"), "ready");
  assert.match(await page.locator(`#job-${job.id}`).innerText(), /Importé/);
  await page.screenshot({ path: path.join(SCREENSHOTS, "import-upload-done.png"), fullPage: true });

  // The imported invoice is there, numbered as in the source.
  const docs = await api.json<{ items: Array<{ number: string | null }> }>("GET", "/api/v1/documents?type=invoice");
  assert.equal(docs.status, 200);
  assert.ok(docs.body.items.some((d) => d.number === archive.invoiceNumber), `invoice ${archive.invoiceNumber} imported`);
  await context.close();
});
