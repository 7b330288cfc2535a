import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { strFromU8, unzipSync } from "fflate";
import type { Browser, BrowserContext } from "playwright-core";
import { type ApiClient, PASSWORD, seedFranchiseAccount } from "./api.ts";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn } from "./browser.ts";

// PRIVACY.md §9.1 access, §9.2 rectification and §6 "export offered at termination", in Chromium.

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A signed-up account with a profile, a client and one issued invoice, opened in a browser context. */
async function signedInAccount(): Promise<{ api: ApiClient; context: BrowserContext; email: string; invoice: { id: string; number: string } }> {
  const { api, email, invoice } = await seedFranchiseAccount("privacy");
  // The same user signs in from the browser, as they would.
  const context = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
  const page = await context.newPage();
  await submitSignIn(page, email, PASSWORD);
  await page.waitForURL(/tableau-de-bord/);
  await page.close();
  return { api, context, email, invoice };
}

test("§9.1 right of access: Mes données shows the person, the company, the connection log and the consents", async () => {
  const { context, email } = await signedInAccount();
  // A real sign-in, so the connection log has something to show.
  const login = await browser.newContext({ locale: "fr-FR" });
  const lp = await login.newPage();
  await submitSignIn(lp, email, PASSWORD);
  await lp.waitForURL(/tableau-de-bord/);
  await login.close();

  const page = await context.newPage();
  await page.goto(`${BASE_URL}/mes-donnees`);
  assert.equal(await page.locator("h1").first().innerText(), "Mes données");
  const text = await page.locator("main").innerText();
  for (const expected of [email, "Léa Vidal", "Atelier Vidal", "Dernières connexions", "Consentements"]) assert.ok(text.includes(expected), `Mes données shows ${expected}`);
  assert.ok(!text.includes("30006000011234567890189"), "the IBAN is masked, never shown in full");
  await page.screenshot({ path: path.join(SCREENSHOTS, "mes-donnees.png"), fullPage: true });
  await context.close();
});

test("§9.2 rectification: the profile is corrected in place; an issued invoice is corrected by a credit note", async () => {
  const { context, invoice } = await signedInAccount();
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/parametres/entreprise`);
  await page.locator('[name="city"]').fill("Toulouse Cedex 6");
  await page.getByRole("button", { name: "Enregistrer" }).first().click();
  await page.waitForURL(/ok=saved/);
  assert.equal(await page.locator('[name="city"]').inputValue(), "Toulouse Cedex 6");

  // The issued invoice offers no edit; forcing the editor's URL explains the credit-note way.
  await page.goto(`${BASE_URL}/documents/${invoice.id}`);
  assert.equal(await page.getByRole("link", { name: "Modifier" }).count(), 0);
  const res = await page.goto(`${BASE_URL}/documents/${invoice.id}/modifier`);
  assert.equal(res?.status(), 409);
  assert.match(await page.locator("main").innerText(), /avoir/);
  await context.close();
});

test("§6 export offered at termination: closing the account offers the full export first, then closes it", async () => {
  const { context, email, invoice } = await signedInAccount();
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/mes-donnees/cloture`);
  // The export comes first on the page, before the confirmation form.
  const exportLink = page.getByRole("link", { name: "Exporter mes données" }).first();
  const form = page.locator('form[action="/mes-donnees/cloture"]');
  const [linkBox, formBox] = [await exportLink.boundingBox(), await form.boundingBox()];
  assert.ok(linkBox && formBox && linkBox.y < formBox.y, "the export is offered above the closure form");
  await page.screenshot({ path: path.join(SCREENSHOTS, "cloture.png"), fullPage: true });
  await exportLink.click();
  // The link leads to the exports, where the export is made and downloaded before closing.
  await page.waitForURL(/\/mes-donnees\/exports$/);
  await page.getByRole("button", { name: "Exporter mes données" }).click();
  await page.waitForURL(/\/mes-donnees\/exports\?lance=export/);
  // The page refreshes itself until the archive is ready, then offers its link.
  const download = page.getByRole("link", { name: "Télécharger" }).first();
  await download.waitFor({ timeout: 120_000 });
  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  const archive = unzipSync(new Uint8Array(await readFile(await file.path())));
  const names = Object.keys(archive);
  assert.ok(names.some((n) => n.endsWith(".pdf")) && names.some((n) => /documents\.json$/.test(n)), `the archive holds the documents and their PDFs: ${names.join(", ")}`);
  assert.ok(strFromU8(archive[names.find((n) => /documents\.json$/.test(n))!]!).includes(invoice.number), "the issued invoice is in the export");

  await page.goto(`${BASE_URL}/mes-donnees/cloture`);
  await form.locator('[name="password"]').fill(PASSWORD);
  await form.locator('[name="confirmation"]').fill("SUPPRIMER");
  await page.getByRole("button", { name: "Clôturer définitivement mon compte" }).click();
  await page.waitForLoadState();

  // Closed: the old password no longer opens anything.
  const again = await browser.newContext({ locale: "fr-FR" });
  const lp = await again.newPage();
  await submitSignIn(lp, email, PASSWORD);
  await lp.waitForLoadState();
  assert.ok(!lp.url().includes("tableau-de-bord"), "a closed account cannot sign in");
  await again.close();
  await context.close();
});
