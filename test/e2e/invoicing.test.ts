import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

async function newDocument(page: Page, url: string, productName: string) {
  await page.goto(`${BASE_URL}${url}`);
  await page.locator('select[name="clientId"]').selectOption({ label: "Société Cliente SA" });
  // The line editor island: pick the catalogue product, add it, then save the draft.
  const option = await page.locator("#le-pick option", { hasText: productName }).first().getAttribute("value");
  assert.ok(option, "the product is offered by the line editor");
  await page.locator("#le-pick").selectOption(option);
  await page.getByRole("button", { name: "Ajouter le produit" }).click();
  await page.getByRole("button", { name: "Créer le brouillon" }).click();
  await page.waitForURL(/\/documents\/[^/]+\?ok=created/);
  await page.getByRole("button", { name: "Émettre" }).click();
  await page.waitForURL(/ok=issued/);
  return (await page.locator("h1").innerText()).trim();
}

test("client → product → invoice → issue → PDF downloaded → quote accepted on its public page → converted", async () => {
  const context = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
  const page = await context.newPage();
  const year = new Date().getFullYear();

  await page.goto(`${BASE_URL}/inscription`);
  await fill(page, "name", "Hugo Bernard");
  const email = uniqueEmail("flow");
  await fill(page, "email", email);
  await fill(page, "password", "une phrase de passe solide");
  await fill(page, "companyName", "Hugo Bernard Studio");
  await page.locator("#f-acceptTerms").check();
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  // Sign-up opens no session: sign in.
  await page.waitForURL(/\/connexion\?ok=signup/);
  await submitSignIn(page, email, "une phrase de passe solide");
  await page.waitForURL(/tableau-de-bord/);

  // Company profile: a VAT-registered SAS.
  await page.goto(`${BASE_URL}/parametres/entreprise`);
  await page.locator('select[name="legalForm"]').selectOption("sas");
  await fill(page, "siret", "12345678200010");
  await page.locator('select[name="registration"]').selectOption("rcs");
  await fill(page, "registrationCity", "Lyon");
  await fill(page, "shareCapital", "5 000");
  await fill(page, "addressLine1", "3 quai Saint-Antoine");
  await fill(page, "postalCode", "69002");
  await fill(page, "city", "Lyon");
  await fill(page, "contactEmail", "hugo@studio.fr");
  await page.locator('select[name="vatRegime"]').selectOption("vat");
  await fill(page, "iban", "FR76 3000 6000 0112 3456 7890 189");
  await page.getByRole("button", { name: "Enregistrer" }).first().click();
  await page.waitForURL(/ok=saved/);

  // A business client and a catalogue service.
  await page.goto(`${BASE_URL}/clients/nouveau`);
  await fill(page, "name", "Société Cliente SA");
  await fill(page, "siret", "73282932000074");
  await fill(page, "addressLine1", "1 place de la Bourse");
  await fill(page, "postalCode", "75002");
  await fill(page, "city", "Paris");
  await fill(page, "email", "compta@cliente.fr");
  await page.getByRole("button", { name: "Créer le client" }).click();
  await page.waitForURL(/\/clients\/[^/?]+/);

  await page.goto(`${BASE_URL}/produits/nouveau`);
  await fill(page, "name", "Atelier de conception");
  await fill(page, "unitPrice", "450");
  await page.locator('select[name="vatRate"]').selectOption("20");
  await page.getByRole("button", { name: "Créer le produit" }).click();
  await page.waitForURL(/\/produits\/[^/?]+/);

  // Invoice: issue, then download its PDF.
  const invoiceNumber = await newDocument(page, "/factures/nouvelle", "Atelier de conception");
  assert.equal(invoiceNumber, `F-${year}-0001`);
  await page.screenshot({ path: path.join(SCREENSHOTS, "invoice-issued.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Télécharger le PDF" }).first().click()]);
  const file = await download.path();
  assert.ok(file);
  assert.equal(readFileSync(file).subarray(0, 5).toString(), "%PDF-");

  // Quote: issue, share, accepted by the client on the public page.
  const quoteNumber = await newDocument(page, "/devis/nouveau", "Atelier de conception");
  assert.equal(quoteNumber, `D-${year}-0001`);
  const quoteUrl = page.url().split("?")[0]!;
  await page.getByRole("button", { name: "Créer le lien client" }).click();
  // The link stays on the page in a read-only field with a copy button.
  await page.waitForURL(/ok=shared/);
  const link = await page.getByRole("textbox", { name: "Lien client" }).inputValue();
  assert.ok(link);

  const clientContext = await browser.newContext({ locale: "fr-FR" });
  const clientPage = await clientContext.newPage();
  await clientPage.goto(link.replace(/^https?:\/\/[^/]+/, BASE_URL));
  await clientPage.getByLabel("Votre nom et prénom").fill("Jeanne Cliente");
  await clientPage.getByRole("checkbox").check();
  await clientPage.getByRole("button", { name: "Accepter le devis" }).click();
  await clientPage.getByText("Devis accepté par Jeanne Cliente").waitFor();
  await clientPage.screenshot({ path: path.join(SCREENSHOTS, "quote-accepted.png"), fullPage: true });
  await clientContext.close();

  // Back to the freelancer: the quote shows the acceptance; convert it to the final invoice.
  await page.goto(quoteUrl);
  await page.getByText(/Bon pour accord donné par Jeanne Cliente/).waitFor();
  await page.getByRole("button", { name: "Créer la facture finale" }).click();
  await page.waitForURL(/ok=created/);
  await page.getByRole("button", { name: "Émettre" }).click();
  await page.waitForURL(/ok=issued/);
  assert.equal((await page.locator("h1").innerText()).trim(), `F-${year}-0002`);
  await context.close();
});
