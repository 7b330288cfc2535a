import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";

export const BASE_URL = process.env.E2E_BASE_URL ?? "http://localhost:8787";
export const SCREENSHOTS = path.resolve(import.meta.dirname, "../../test-results/screenshots");
mkdirSync(SCREENSHOTS, { recursive: true });

/** Debian's Chromium, headless, with every background network feature off (closed network). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
  });
}

export function uniqueEmail(prefix = "e2e"): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.fr`;
}

/** Fills and sends the sign-in form at /connexion; the caller waits for where it should land. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${BASE_URL}/connexion`);
  await page.locator('[name="email"]').fill(email);
  await page.locator('[name="password"]').fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}
