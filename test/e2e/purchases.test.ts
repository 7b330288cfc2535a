import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn, uniqueEmail } from "./browser.ts";

// Achats in Chromium at 1280 px and 390 px: a paper invoice added by hand, the inbox and the detail
// page render without sideways scrolling, with screenshots for a person to look at.

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const fill = (page: Page, name: string, value: string) => page.locator(`[name="${name}"]`).first().fill(value);

async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test("Achats: add a paper invoice, then the inbox and the detail page fit 1280 px and 390 px", async () => {
  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${BASE_URL}/inscription`);
  await fill(page, "name", "Alix Achats");
  const email = uniqueEmail("achats");
  await fill(page, "email", email);
  await fill(page, "password", "une phrase de passe solide");
  await fill(page, "companyName", "Alix Studio");
  await page.locator("#f-acceptTerms").check();
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await page.waitForURL(/\/connexion\?ok=signup/);
  await submitSignIn(page, email, "une phrase de passe solide");
  await page.waitForURL(/tableau-de-bord/);
  const refuse = page.getByRole("button", { name: "Tout refuser" });
  if (await refuse.isVisible()) await refuse.click();

  await page.goto(`${BASE_URL}/achats/nouvelle`);
  await fill(page, "supplierName", "Papeterie Lumière et Fils (fournitures de bureau)");
  await fill(page, "number", "PAP-2026-0042");
  await fill(page, "issueDate", "2026-10-02");
  await fill(page, "taxExclusiveCents", "1 250,00");
  await fill(page, "vatCents", "250,00");
  await page.getByRole("button", { name: "Ajouter" }).click();
  await page.waitForURL(/\/achats\/[^/]+\?ok=added/);
  await page.getByText("Facture ajoutée aux achats.").waitFor();
  assert.match((await page.textContent("body")) ?? "", /1\s500,00/, "the total incl. VAT is shown");

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    assert.ok((await overflow(page)) <= 1, `detail page overflows at ${width}px`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `achats-detail-${width}.png`), fullPage: true });
  }
  await page.goto(`${BASE_URL}/achats`);
  await page.getByRole("link", { name: "PAP-2026-0042" }).waitFor();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    assert.ok((await overflow(page)) <= 1, `inbox overflows at ${width}px`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `achats-inbox-${width}.png`), fullPage: true });
  }
  await context.close();
});
