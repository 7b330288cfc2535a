import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { PASSWORD, seedFranchiseAccount } from "./api.ts";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn } from "./browser.ts";

// Issue #13, "Emails": the send preview and Paramètres › Emails, on a desktop and on a phone.

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
] as const) {
  test(`the send preview and the email templates fit ${viewport.width} px, and a template saves from the form`, async () => {
    const { email, invoice } = await seedFranchiseAccount(`emails-${viewport.width}`);
    const context = await browser.newContext({ viewport, locale: "fr-FR" });
    const page = await context.newPage();
    await submitSignIn(page, email, PASSWORD);
    await page.waitForURL(/tableau-de-bord/);

    await page.goto(`${BASE_URL}/documents/${invoice.id}`);
    await page.locator("#envoi").getByRole("link", { name: "Envoyer par email…" }).click();
    await page.waitForURL(new RegExp(`/documents/${invoice.id}/envoyer$`));
    assert.match(await page.locator('[name="subject"]').inputValue(), new RegExp(invoice.number));
    assert.match(await page.locator('[name="message"]').inputValue(), /Veuillez trouver ci-joint la facture/);
    await page.getByText("Toujours ajouté à la fin de l'email").waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= viewport.width, "no horizontal scroll on the preview");
    await page.screenshot({ path: path.join(SCREENSHOTS, `emails-preview-${viewport.width}.png`), fullPage: true });

    await page.getByRole("link", { name: "Modifier le modèle de cet email" }).click();
    await page.waitForURL(/\/parametres\/emails\?type=invoice&langue=fr/);
    await page.locator('[name="subject"]').fill("Facture {numero} de {entreprise}");
    await page.getByRole("button", { name: "Enregistrer le modèle" }).click();
    await page.waitForURL(/ok=saved/);
    await page.getByText("Modèle enregistré.").waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= viewport.width, "no horizontal scroll on the templates page");
    await page.screenshot({ path: path.join(SCREENSHOTS, `emails-templates-${viewport.width}.png`), fullPage: true });

    await page.goto(`${BASE_URL}/documents/${invoice.id}/envoyer`);
    assert.match(await page.locator('[name="subject"]').inputValue(), new RegExp(`^Facture ${invoice.number} de `));
    await context.close();
  });
}
