import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn, uniqueEmail } from "./browser.ts";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const fill = (page: Page, name: string, value: string) => page.locator(`[name="${name}"]`).first().fill(value);

/** Creates clients through the JSON API with the page's session and CSRF token, a few at a time. */
async function createClients(page: Page, names: string[]): Promise<Map<string, string>> {
  const token = await page.locator('meta[name="csrf-token"]').getAttribute("content");
  assert.ok(token, "the page carries a CSRF token");
  const ids = new Map<string, string>();
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map(async (name) => {
        const res = await page.request.post(`${BASE_URL}/api/v1/clients`, {
          headers: { "x-csrf-token": token, accept: "application/json" },
          data: { kind: "individual", name, addressLine1: "1 rue de la Paix", postalCode: "75002", city: "Paris" },
        });
        assert.equal(res.status(), 201, `client ${name}: ${await res.text()}`);
        ids.set(name, ((await res.json()) as { client: { id: string } }).client.id);
      }),
    );
  }
  return ids;
}

/** Creates catalogue items through the JSON API, as {@link createClients} does. */
async function createProducts(page: Page, items: Array<{ name: string; unitPrice: string; unitCode: string }>): Promise<void> {
  const token = await page.locator('meta[name="csrf-token"]').getAttribute("content");
  assert.ok(token, "the page carries a CSRF token");
  for (let i = 0; i < items.length; i += 20) {
    await Promise.all(
      items.slice(i, i + 20).map(async (item) => {
        const res = await page.request.post(`${BASE_URL}/api/v1/products`, {
          headers: { "x-csrf-token": token, accept: "application/json" },
          data: { ...item, vatRate: "20", kind: "service" },
        });
        assert.equal(res.status(), 201, `product ${item.name}: ${await res.text()}`);
      }),
    );
  }
}

/** A new signed-in account in a French browser, cookie banner answered. */
async function signedUpPage(): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  // The shared machine is slow at times: 500 clients and a page of 500 rows need more than 30 s there.
  page.setDefaultTimeout(120_000);
  page.setDefaultNavigationTimeout(120_000);
  await page.goto(`${BASE_URL}/inscription`);
  await fill(page, "name", "Lea Picker");
  const email = uniqueEmail("pickers");
  await fill(page, "email", email);
  await fill(page, "password", "une phrase de passe solide");
  await fill(page, "companyName", "Lea Studio");
  await page.locator("#f-acceptTerms").check();
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  // Sign-up opens no session: sign in.
  await page.waitForURL(/\/connexion\?ok=signup/);
  await submitSignIn(page, email, "une phrase de passe solide");
  await page.waitForURL(/tableau-de-bord/);
  const refuse = page.getByRole("button", { name: "Tout refuser" });
  if (await refuse.isVisible()) await refuse.click();
  return { page, close: () => context.close() };
}

test("more than 500 clients: type three letters, pick a client with the keyboard, save the draft", async () => {
  const { page, close } = await signedUpPage();

  const names = [...Array.from({ length: 501 }, (_, i) => `Client ${String(i).padStart(4, "0")}`), "Zénith Éditions", "Zénon Studio"];
  const ids = await createClients(page, names);

  await page.goto(`${BASE_URL}/factures/nouvelle`);
  const box = page.getByRole("combobox", { name: "Client" });
  await box.waitFor();
  assert.equal(await page.locator('select[name="clientId"]').count(), 0, "no select of 503 clients");
  // Hydrated: the no-JS search button is gone.
  await page.getByRole("button", { name: "Rechercher" }).waitFor({ state: "detached" });

  await box.click();
  await box.pressSequentially("zen", { delay: 60 });
  const status = page.locator("#f-clientId-status");
  await status.filter({ hasText: "2 résultats." }).waitFor();
  assert.equal(await box.getAttribute("aria-expanded"), "true");
  const options = page.locator("#f-clientId-list").getByRole("option");
  assert.deepEqual(await options.allInnerTexts(), ["Zénith Éditions", "Zénon Studio"]);

  await box.press("ArrowDown");
  await box.press("ArrowDown");
  assert.equal(await box.getAttribute("aria-activedescendant"), "f-clientId-opt-1");
  assert.equal(await page.locator("#f-clientId-opt-1").getAttribute("aria-selected"), "true");
  await page.screenshot({ path: path.join(SCREENSHOTS, "picker-client-open.png"), fullPage: false });

  await box.press("Enter");
  assert.equal(await box.getAttribute("aria-expanded"), "false");
  assert.equal(await box.inputValue(), "Zénon Studio");
  assert.equal(await page.locator('input[type="hidden"][name="clientId"]').inputValue(), ids.get("Zénon Studio"));
  assert.equal(page.url(), `${BASE_URL}/factures/nouvelle`, "Entrée chose the client and did not submit the form");

  // Escape on a fresh search closes the list and keeps the chosen client.
  await box.fill("cli");
  await status.filter({ hasText: /Plus de 25 résultats/ }).waitFor();
  await box.press("Escape");
  assert.equal(await box.getAttribute("aria-expanded"), "false");
  await box.press("Escape");
  assert.equal(await box.inputValue(), "Zénon Studio");

  await page.getByRole("button", { name: "Ajouter une ligne libre" }).click();
  // The new line takes the focus (issue #13): what is typed goes into its description, and the
  // focused field shows the solid focus ring (styles.css --focus-ring).
  const focused = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { inNewLine: el?.closest("li.le-line") === document.querySelector("li.le-line:last-of-type"), id: el?.id ?? "", shadow: el ? getComputedStyle(el).boxShadow : "" };
  });
  assert.ok(focused.inNewLine && focused.id.endsWith("-description"), `focus after adding a line: ${JSON.stringify(focused)}`);
  assert.match(focused.shadow, /rgb\(29, 78, 216\)/);
  await page.keyboard.type("Atelier d'écriture");
  assert.equal(await page.getByLabel("Description").inputValue(), "Atelier d'écriture");
  await page.getByLabel("P.U. HT (€)").fill("450");
  await page.screenshot({ path: path.join(SCREENSHOTS, "picker-client-chosen.png"), fullPage: true });
  await page.getByRole("button", { name: "Créer le brouillon", exact: true }).last().click();
  await page.waitForURL(/\/documents\/[^/]+\?ok=created/);
  await page.getByText("Zénon Studio").first().waitFor();
  const draftUrl = page.url().split("?")[0] ?? "";

  // Without JavaScript, same session: the search button posts the form and offers the matches in a select.
  const noJs = await browser.newContext({ locale: "fr-FR", javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await noJs.newPage();
  plain.setDefaultTimeout(120_000);
  await plain.goto(`${draftUrl}/modifier`);
  assert.equal(await plain.locator("#f-clientId").inputValue(), "Zénon Studio");
  await plain.locator("#f-clientId").fill("zén");
  await plain.getByRole("button", { name: "Rechercher" }).click();
  const select = plain.locator('select[name="clientId"]');
  await select.waitFor();
  assert.deepEqual(await select.locator("option").allInnerTexts(), ["Choisissez un client…", "Zénith Éditions", "Zénon Studio"]);
  await select.selectOption({ label: "Zénith Éditions" });
  await plain.screenshot({ path: path.join(SCREENSHOTS, "picker-client-nojs.png"), fullPage: false });
  await plain.getByRole("button", { name: "Enregistrer le brouillon", exact: true }).last().click();
  await plain.waitForURL(/ok=saved/);
  await plain.getByText("Zénith Éditions").first().waitFor();
  assert.ok(await plain.getByText("Atelier d'écriture").first().isVisible(), "the lines survived the search");
  await noJs.close();
  await close();
});

test("more than 500 products: the catalogue search adds a line filled from the chosen product", async () => {
  const { page, close } = await signedUpPage();
  await createProducts(page, [
    ...Array.from({ length: 501 }, (_, i) => ({ name: `Produit ${String(i).padStart(4, "0")}`, unitPrice: "10", unitCode: "C62" })),
    { name: "Atelier de conception", unitPrice: "450", unitCode: "HUR" },
    { name: "Atelier d'écriture", unitPrice: "320,50", unitCode: "DAY" },
  ]);

  await page.goto(`${BASE_URL}/factures/nouvelle`);
  const box = page.getByRole("combobox", { name: "Produit du catalogue" });
  await box.click();
  await box.pressSequentially("ate", { delay: 60 });
  await page.locator("#le-pick-status").filter({ hasText: "2 résultats." }).waitFor();
  // Amounts are printed with non-breaking spaces: compare them as plain spaces.
  const offered = (await page.locator("#le-pick-list").getByRole("option").allInnerTexts()).map((t) => t.replace(/\s/g, " "));
  assert.deepEqual(offered, ["Atelier d'écriture — 320,50 €", "Atelier de conception — 450,00 €"]);
  await box.press("ArrowDown");
  await box.press("ArrowDown");
  await page.screenshot({ path: path.join(SCREENSHOTS, "picker-product-open.png"), fullPage: true });
  await box.press("Enter");

  const line = page.getByRole("listitem", { name: "Ligne 1" });
  await line.waitFor();
  assert.equal(await line.getByLabel("Description").inputValue(), "Atelier de conception");
  assert.equal(await line.getByLabel("Unité").inputValue(), "HUR");
  assert.equal(await line.getByLabel("P.U. HT (€)").inputValue(), "450,00");
  assert.equal(await line.getByLabel("TVA").inputValue(), "S:2000");
  assert.equal(await line.getByLabel("Nature").inputValue(), "service");
  assert.equal(await box.inputValue(), "", "the picker is ready for the next product");
  await page.screenshot({ path: path.join(SCREENSHOTS, "picker-product-added.png"), fullPage: true });
  await close();
});
