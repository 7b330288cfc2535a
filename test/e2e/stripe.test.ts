import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn, uniqueEmail } from "./browser.ts";

// Online payment in real Chromium: the seller connects Stripe (the local Stripe stand-in started by
// run.mjs plays Stripe's onboarding and Checkout pages), the client opens the invoice's public page,
// clicks "Payer en ligne", pays on the Checkout page, and both sides see the invoice paid.

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** JSON API call with the browser context's cookies (session and CSRF). */
async function api<T>(context: BrowserContext, method: string, url: string, body?: unknown): Promise<T> {
  const csrf = (await context.cookies(BASE_URL)).find((c) => c.name === "__Host-csrf")?.value ?? "";
  const res = await context.request.fetch(`${BASE_URL}${url}`, {
    method,
    headers: { accept: "application/json", "content-type": "application/json", "x-csrf-token": csrf },
    ...(body === undefined ? {} : { data: JSON.stringify(body) }),
  });
  assert.ok(res.status() < 300, `${method} ${url}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

test("a client pays an invoice online through Stripe Checkout and the seller sees it paid", async () => {
  const seller = await browser.newContext({ locale: "fr-FR" });
  const page = await seller.newPage();

  await page.goto(`${BASE_URL}/inscription`);
  await page.locator('[name="name"]').fill("Léa Moreau");
  const sellerEmail = uniqueEmail("stripe");
  await page.locator('[name="email"]').fill(sellerEmail);
  await page.locator('[name="password"]').fill("une phrase de passe solide");
  await page.locator('[name="companyName"]').fill("Léa Moreau Design");
  await page.locator("#f-acceptTerms").check();
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  // Sign-up opens no session: sign in.
  await page.waitForURL(/\/connexion\?ok=signup/);
  await submitSignIn(page, sellerEmail, "une phrase de passe solide");
  await page.waitForURL(/tableau-de-bord/);

  await api(seller, "PUT", "/api/v1/account/profile", {
    name: "Léa Moreau Design",
    legalForm: "ei",
    siret: "12345678200010",
    registration: "none",
    addressLine1: "12 rue des Lilas",
    postalCode: "69003",
    city: "Lyon",
    country: "FR",
    contactEmail: "lea@example.fr",
    vatRegime: "franchise",
    paymentTermsDays: 30,
  });
  const { client } = await api<{ client: { id: string } }>(seller, "POST", "/api/v1/clients", {
    kind: "company",
    name: "Société Cliente SA",
    siret: "73282932000074",
    addressLine1: "1 place de la Bourse",
    postalCode: "75002",
    city: "Paris",
    country: "FR",
    email: "compta@cliente.fr",
  });

  // Paramètres → Paiement en ligne: connect, finish onboarding on "Stripe", come back active.
  await page.goto(`${BASE_URL}/parametres/paiement-en-ligne`);
  await page.getByRole("button", { name: "Relier un compte Stripe" }).click();
  await page.waitForURL(/\/onboarding\/acct_/, { timeout: 15_000 }).catch(async () => {
    throw new Error(`no onboarding page; at ${page.url()}: ${(await page.locator("body").innerText()).slice(0, 500)}`);
  });
  await page.getByRole("button", { name: "Terminer l'inscription" }).click();
  await page.waitForURL(/\/parametres\/paiement-en-ligne\?ok=connected/);
  await page.getByText("relié et actif").waitFor();

  const draft = await api<{ document: { id: string } }>(seller, "POST", "/api/v1/documents", {
    type: "invoice",
    clientId: client.id,
    lines: [{ description: "Identité visuelle", quantity: "1", unitCode: "C62", unitPriceCents: 84_000, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" }],
  });
  const issued = await api<{ document: { id: string; number: string } }>(seller, "POST", `/api/v1/documents/${draft.document.id}/issue`, {});
  const { url: publicUrl } = await api<{ url: string }>(seller, "POST", `/api/v1/documents/${issued.document.id}/share`);

  // The client, in another browser profile, from the link in the email.
  const payer = await browser.newContext({ locale: "fr-FR" });
  const clientPage = await payer.newPage();
  await clientPage.goto(publicUrl);
  await clientPage.getByRole("link", { name: "Payer en ligne" }).click();
  await clientPage.waitForURL(/\/payer\//);
  assert.match(await clientPage.getByTestId("pay-due").innerText(), /840,00\s€/);
  await clientPage.getByRole("button", { name: "Payer en ligne" }).click();
  // Stripe's (stand-in) Checkout page, on the connected account, for the amount due.
  await clientPage.waitForURL(/127\.0\.0\.1:\d+\/checkout\//);
  assert.match(await clientPage.getByTestId("amount").innerText(), /840,00/);
  await clientPage.getByRole("button", { name: /Payer 840,00/ }).click();
  await clientPage.waitForURL(/\/payer\/[^?]+\?retour=1/);
  await clientPage.getByText("Cette facture est réglée").waitFor();
  await clientPage.screenshot({ path: path.join(SCREENSHOTS, "stripe-paid-payer.png"), fullPage: true });

  // The seller's invoice page shows it paid, by Stripe.
  await page.goto(`${BASE_URL}/documents/${issued.document.id}`);
  await page.locator(".payments-panel .doc-status-paid").waitFor();
  assert.match(await page.locator(".payments-panel").innerText(), /Stripe/i);
  await page.screenshot({ path: path.join(SCREENSHOTS, "stripe-paid-seller.png"), fullPage: true });

  // And on the dashboard: received over 12 months, nothing left outstanding.
  await page.goto(`${BASE_URL}/tableau-de-bord`);
  const figure = (label: string) => page.locator(".dash-figure", { has: page.locator("dt", { hasText: label }) }).locator("dd");
  assert.match(await figure("Encaissé sur 12 mois").innerText(), /840,00\s€/);
  assert.match(await figure("Reste à encaisser").innerText(), /^0,00\s€/);
  await page.screenshot({ path: path.join(SCREENSHOTS, "stripe-paid-dashboard.png"), fullPage: true });

  await payer.close();
  await seller.close();
});
