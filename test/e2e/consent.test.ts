// PRIVACY.md §10 in a real browser: what scripts can read (document.cookie, localStorage,
// sessionStorage), which cookies exist and which requests leave the page, before any choice, after
// refusing and after accepting; and the three choices are equally prominent.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { BASE_URL, SCREENSHOTS, launchBrowser } from "./browser.ts";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const STRICTLY_NECESSARY = ["__Host-consent", "__Host-csrf", "__Host-lang", "__Host-session"];
const origin = new URL(BASE_URL).origin;

/** Opens a page that records every request it makes. */
async function openRecording(context: BrowserContext): Promise<{ page: Page; requests: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  return { page, requests };
}

/** Everything a script or a tracker could use to remember the visitor. */
async function clientState(page: Page, context: BrowserContext) {
  return {
    documentCookie: await page.evaluate(() => document.cookie),
    localStorage: await page.evaluate(() => localStorage.length),
    sessionStorage: await page.evaluate(() => sessionStorage.length),
    cookies: (await context.cookies()).map((c) => c.name).sort(),
  };
}

function assertNothingButNecessary(state: Awaited<ReturnType<typeof clientState>>, requests: string[], when: string) {
  assert.equal(state.documentCookie, "", `${when}: no cookie is readable by scripts`);
  assert.equal(state.localStorage, 0, `${when}: localStorage is empty`);
  assert.equal(state.sessionStorage, 0, `${when}: sessionStorage is empty`);
  for (const name of state.cookies) assert.ok(STRICTLY_NECESSARY.includes(name), `${when}: unexpected cookie ${name}`);
  const foreign = requests.filter((url) => !url.startsWith(origin) && !url.startsWith("data:"));
  assert.deepEqual(foreign, [], `${when}: no request leaves the site`);
}

const bannerOf = (page: Page) => page.locator(".cookie-banner");

test("before any choice: only strictly necessary cookies, no storage, no outside request, three equal choices", async () => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const { page, requests } = await openRecording(context);
  await page.goto(`${BASE_URL}/connexion`);
  await bannerOf(page).waitFor();
  await page.screenshot({ path: path.join(SCREENSHOTS, "cookie-banner.png"), fullPage: true });

  const state = await clientState(page, context);
  assertNothingButNecessary(state, requests, "before consent");
  assert.deepEqual(state.cookies, ["__Host-csrf"]);

  const names = ["Tout accepter", "Tout refuser", "Personnaliser"];
  const boxes = [];
  const looks = [];
  for (const name of names) {
    const button = bannerOf(page).getByRole("button", { name, exact: true });
    boxes.push(await button.boundingBox());
    looks.push(
      await button.evaluate((el) => {
        const s = getComputedStyle(el);
        return { tag: el.tagName, weight: s.fontWeight, size: s.fontSize, color: s.color, background: s.backgroundColor, border: s.borderTopWidth };
      }),
    );
  }
  for (const box of boxes) assert.ok(box, "every choice is visible");
  for (const [i, box] of boxes.entries()) {
    assert.ok(Math.abs(box!.width - boxes[0]!.width) < 0.5, `${names[i]} is as wide as ${names[0]}`);
    assert.ok(Math.abs(box!.height - boxes[0]!.height) < 0.5, `${names[i]} is as tall as ${names[0]}`);
    assert.deepEqual(looks[i], looks[0], `${names[i]} looks like ${names[0]}`);
  }
  await context.close();
});

test("after refusing: the banner goes away, the proof cookie is HttpOnly, still nothing else", async () => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const { page, requests } = await openRecording(context);
  await page.goto(`${BASE_URL}/inscription`);
  await bannerOf(page).getByRole("button", { name: "Tout refuser", exact: true }).click();
  await bannerOf(page).waitFor({ state: "detached" });
  assert.equal(page.url(), `${BASE_URL}/inscription`, "the island answered in place");

  const state = await clientState(page, context);
  assertNothingButNecessary(state, requests, "after refusal");
  const consent = (await context.cookies()).find((c) => c.name === "__Host-consent");
  assert.ok(consent, "the choice is remembered");
  assert.equal(consent.httpOnly, true);
  assert.equal(consent.secure, true);
  const months = (consent.expires * 1000 - Date.now()) / (30.44 * 24 * 3600 * 1000);
  assert.ok(months > 5.8 && months < 6.2, `kept about 6 months, not ${months.toFixed(2)}`);

  await page.reload();
  assert.equal(await bannerOf(page).count(), 0, "not asked again");

  await page.goto(`${BASE_URL}/confidentialite`);
  await page.getByRole("heading", { name: "Politique de confidentialité" }).waitFor();
  assert.ok((await page.locator("[data-retention-class]").count()) > 0, "the retention table is shown");
  await page.screenshot({ path: path.join(SCREENSHOTS, "privacy-policy.png"), fullPage: true });
  await context.close();
});

test("after accepting, then withdrawing from the footer link: as easy one way as the other", async () => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const { page, requests } = await openRecording(context);
  await page.goto(`${BASE_URL}/connexion`);
  await bannerOf(page).getByRole("button", { name: "Tout accepter", exact: true }).click();
  await bannerOf(page).waitFor({ state: "detached" });
  assertNothingButNecessary(await clientState(page, context), requests, "after acceptance");

  await page.getByRole("link", { name: "Gérer les cookies" }).click();
  await page.waitForURL(/\/cookies/);
  assert.equal(await page.getByLabel("Performance et mesure d'audience").isChecked(), true);
  await page.getByRole("button", { name: "Tout refuser", exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/cookies"));
  await page.goto(`${BASE_URL}/cookies`);
  assert.equal(await page.getByLabel("Performance et mesure d'audience").isChecked(), false);
  assert.match(await page.locator(".consent-current").innerText(), /Performance et mesure d'audience : refusé/);
  await context.close();
});

test("'Personnaliser' opens the categories in place and saves a per-category choice", async () => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/connexion`);
  await bannerOf(page).getByRole("button", { name: "Personnaliser", exact: true }).click();
  await bannerOf(page).getByRole("checkbox", { name: /Préférences fonctionnelles/ }).check();
  await page.screenshot({ path: path.join(SCREENSHOTS, "cookie-banner-custom.png"), fullPage: true });
  await bannerOf(page).getByRole("button", { name: "Enregistrer mes choix" }).click();
  await bannerOf(page).waitFor({ state: "detached" });
  await page.goto(`${BASE_URL}/cookies`);
  assert.equal(await page.getByLabel("Préférences fonctionnelles").isChecked(), true);
  assert.equal(await page.getByLabel("Performance et mesure d'audience").isChecked(), false);
  await context.close();
});

test("without JavaScript the banner's forms still record the choice", async () => {
  const context = await browser.newContext({ locale: "fr-FR", javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/connexion`);
  await bannerOf(page).getByRole("button", { name: "Personnaliser", exact: true }).click();
  await page.waitForURL(/\/cookies\?next=%2Fconnexion/);
  await page.getByRole("button", { name: "Tout refuser", exact: true }).click();
  await page.waitForURL(`${BASE_URL}/connexion`);
  assert.equal(await bannerOf(page).count(), 0);
  assert.ok((await context.cookies()).some((c) => c.name === "__Host-consent"));
  await context.close();
});
