import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn, uniqueEmail } from "./browser.ts";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test("a freelancer signs up, confirms the email from the outbox, logs out and logs back in", async () => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  const email = uniqueEmail();
  const password = "une phrase de passe solide";

  await page.goto(`${BASE_URL}/inscription`);
  await page.getByLabel("Votre nom").fill("Inès Dupont");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByLabel("Nom de votre entreprise").fill("Inès Dupont Traduction");
  await page.screenshot({ path: path.join(SCREENSHOTS, "signup.png"), fullPage: true });
  await page.locator("#f-acceptTerms").check();
  await page.getByRole("button", { name: "Créer mon compte" }).click();

  // Sign-up opens no session (it answers the same for a taken email): the new user signs in.
  await page.waitForURL(`${BASE_URL}/connexion?ok=signup`);
  assert.match(await page.locator(".flash").innerText(), /Nous avons envoyé un email à cette adresse/);
  await submitSignIn(page, email, password);
  await page.waitForURL(`${BASE_URL}/tableau-de-bord`);
  await assert.doesNotReject(page.getByRole("heading", { name: "Bonjour Inès Dupont" }).waitFor());
  assert.match(await page.locator(".banner").innerText(), /Confirmez votre adresse email/);
  await page.screenshot({ path: path.join(SCREENSHOTS, "dashboard.png"), fullPage: true });

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "__Host-session");
  assert.ok(session, "session cookie set");
  assert.equal(session.httpOnly, true);
  assert.equal(session.secure, true);
  assert.equal(session.sameSite, "Lax");
  assert.equal(
    await page.evaluate(() => document.cookie),
    "",
    "no cookie is readable from scripts (all HttpOnly)",
  );

  // The verification email lands in the dev outbox; follow its link.
  await page.goto(`${BASE_URL}/dev/outbox`);
  const body = await page.locator(".mail", { hasText: email }).first().locator(".mail-body").innerText();
  const link = body.match(/https?:\/\/\S+\/verification\?token=\S+/)?.[0];
  assert.ok(link, "verification link in the email");
  await page.goto(link.replace(/^https?:\/\/[^/]+/, BASE_URL));
  await page.waitForURL(/\/tableau-de-bord/);
  assert.equal(await page.locator(".banner").count(), 0, "no more verification banner");

  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.waitForURL(`${BASE_URL}/connexion`);

  // A wrong password shows an error tied to the form, then the right one signs in.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mot de passe").fill("pas le bon mot de passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  assert.match(await page.getByRole("alert").innerText(), /Email ou mot de passe incorrect/);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(`${BASE_URL}/tableau-de-bord`);

  await page.getByRole("link", { name: "Paramètres" }).click();
  await page.waitForURL(/\/parametres\/entreprise/);
  await page.screenshot({ path: path.join(SCREENSHOTS, "profile.png"), fullPage: true });
  await context.close();
});

test("the interface switches to English and remembers it for the user", async () => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/connexion`);
  await page.getByRole("button", { name: "Switch to English" }).click();
  await page.getByRole("heading", { name: "Log in" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await context.close();
});
