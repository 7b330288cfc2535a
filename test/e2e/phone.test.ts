import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PASSWORD, seedFranchiseAccount } from "./api.ts";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn } from "./browser.ts";

// A phone: every page must fit 390 px without a horizontal page scroll, the navigation must be
// reachable through a menu, and wide tables must scroll inside their own box.
const PHONE = { width: 390, height: 844 } as const;

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Same-origin pages worth visiting: no downloads, no API, no sign-out, no destructive GET. */
function visitable(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href, BASE_URL);
  } catch {
    return null;
  }
  if (url.origin !== new URL(BASE_URL).origin) return null;
  const p = url.pathname;
  if (p.startsWith("/api/") || p.startsWith("/dev/") || p.startsWith("/assets/") || p.startsWith("/cdn-cgi/")) return null;
  if (/\.(pdf|xml|csv|txt|zip|json|png|svg|ico)$/.test(p) || /(telecharger|download|export|fichier|pdf|logo)(\/|$)/.test(p)) return null;
  if (p === "/deconnexion") return null;
  return p + url.search;
}

/** One pattern per kind of page: ids and numbers collapse, so 40 invoices count as one page. */
function pattern(pathAndQuery: string): string {
  const [p = ""] = pathAndQuery.split("?");
  return p
    .split("/")
    .map((s) => (/^[0-9a-z_-]{16,}$/i.test(s) || /\d/.test(s) ? ":id" : s))
    .join("/");
}

async function overflowOf(page: Page): Promise<{ scrollWidth: number; offenders: string[] }> {
  return page.evaluate((width) => {
    const offenders: string[] = [];
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      // Inside a box that scrolls on its own: fine (tables, code).
      let p = el.parentElement;
      let contained = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        if ((o === "auto" || o === "scroll" || o === "hidden") && p.getBoundingClientRect().right <= width + 1) {
          contained = true;
          break;
        }
        p = p.parentElement;
      }
      if (!contained) offenders.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""} → ${Math.round(r.right)}px`);
      if (offenders.length >= 5) break;
    }
    // Nothing sticks out on its own: name the boxes whose content overflows them (a long word).
    if (offenders.length === 0 && document.documentElement.scrollWidth > width) {
      for (const el of Array.from(document.querySelectorAll("body *"))) {
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible") offenders.push(`${el.tagName.toLowerCase()}.${String(el.className)} overflows by ${el.scrollWidth - el.clientWidth}px`);
        if (offenders.length >= 5) break;
      }
      const widest = Array.from(document.querySelectorAll("body *"))
        .map((el) => ({ el, right: el.getBoundingClientRect().right }))
        .sort((a, b) => b.right - a.right)
        .slice(0, 3);
      for (const { el, right } of widest) offenders.push(`${el.tagName.toLowerCase()}.${String(el.className)} right ${Math.round(right)}px`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, offenders };
  }, PHONE.width);
}

async function walk(context: BrowserContext, starts: string[], label: string, limit: number): Promise<string[]> {
  const page = await context.newPage();
  const queue = [...starts];
  const seen = new Set<string>();
  const problems: string[] = [];
  const visited: string[] = [];
  while (queue.length > 0 && visited.length < limit) {
    const next = queue.shift() as string;
    const key = pattern(next);
    if (seen.has(key)) continue;
    seen.add(key);
    const res = await page.goto(`${BASE_URL}${next}`);
    const status = res?.status() ?? 0;
    if (status >= 500) problems.push(`${next}: HTTP ${status}`);
    if (status !== 200) continue;
    visited.push(next);
    const { scrollWidth, offenders } = await overflowOf(page);
    if (scrollWidth > PHONE.width) problems.push(`${next}: scrollWidth ${scrollWidth} > ${PHONE.width} (${offenders.join(", ")})`);
    const shot = `phone-${label}-${key.replace(/[^a-z0-9]+/gi, "_").replace(/^_|_$/g, "") || "home"}.png`;
    await page.screenshot({ path: path.join(SCREENSHOTS, shot), fullPage: false });
    const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
    for (const h of hrefs) {
      const v = visitable(h);
      if (v && !seen.has(pattern(v))) queue.push(v);
    }
  }
  await page.close();
  assert.ok(visited.length >= Math.min(limit, starts.length), `${label}: visited ${visited.length} pages`);
  console.log(`# phone walk (${label}): ${visited.length} kinds of page at ${PHONE.width} px`);
  return problems;
}

test("at 390 px every page fits the screen, signed in and public, and the navigation is a menu", async () => {
  const { email, api } = await seedFranchiseAccount("phone");
  // A quote shared with its client, so the public quote page is walked too.
  const clients = await api.json<{ items: { id: string }[] }>("GET", "/api/v1/clients");
  const quote = await api.json<{ document: { id: string } }>("POST", "/api/v1/documents", {
    type: "quote",
    clientId: clients.body.items[0]?.id,
    lines: [{ description: "Atelier de conception", quantity: "2", unitCode: "C62", unitPriceCents: 45_000, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" }],
  });
  assert.equal(quote.status, 201, JSON.stringify(quote.body));
  assert.equal((await api.json("POST", `/api/v1/documents/${quote.body.document.id}/issue`, {})).status, 200);
  const share = await api.json<{ url: string }>("POST", `/api/v1/documents/${quote.body.document.id}/share`, {});
  const publicQuote = share.status === 200 || share.status === 201 ? new URL(share.body.url).pathname : null;
  // A draft with several lines: its page shows the lines table, which must scroll in its own box.
  const line = (description: string, quantity: string) => ({ description, quantity, unitCode: "HUR", unitPriceCents: 8_500, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" });
  const draft = await api.json<{ document: { id: string } }>("POST", "/api/v1/documents", {
    type: "invoice",
    clientId: clients.body.items[0]?.id,
    lines: [line("17/11/2026 — Recette et corrections", "1.5"), line("18/11/2026 — Point d'avancement", "3.5"), line("19/11/2026 — Ateliers utilisateurs", "2")],
  });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));

  const context = await browser.newContext({ locale: "fr-FR", viewport: PHONE, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  // Refuse optional cookies once, so the screenshots show the pages rather than the banner.
  const first = await context.newPage();
  await first.goto(`${BASE_URL}/connexion`);
  await first.getByRole("button", { name: "Tout refuser" }).click();
  await first.close();
  // Public pages first, signed out.
  const problems = await walk(context, ["/", "/connexion", "/inscription", "/mot-de-passe/oublie", "/confidentialite", "/conditions", "/mentions-legales", ...(publicQuote ? [publicQuote] : [])], "public", 12);

  const page = await context.newPage();
  await submitSignIn(page, email, PASSWORD);
  await page.waitForURL(/tableau-de-bord/);
  const refuse = page.getByRole("button", { name: "Tout refuser" });
  if (await refuse.isVisible()) await refuse.click();
  // The navigation is folded into a menu button on a phone, and opens on demand.
  const menu = page.locator(".nav-toggle");
  assert.ok(await menu.isVisible(), "a menu button is shown at 390 px");
  assert.equal(await page.locator(".sidenav a").first().isVisible(), false, "the sections are folded behind the menu");
  await menu.click();
  assert.ok(await page.locator(".sidenav a").first().isVisible(), "the menu opens");
  assert.ok(await page.locator(".sidenav").getByRole("button", { name: "Se déconnecter" }).isVisible(), "sign-out is in the menu");
  assert.equal(await page.evaluate(() => document.querySelector(".topbar")?.getBoundingClientRect().height ?? 0) < 80, true, "the top bar is one row");
  await page.screenshot({ path: path.join(SCREENSHOTS, "phone-menu-open.png") });
  await page.close();

  // The client's page (its documents, payments and balance) is walked from the start, not only if reached.
  const clientPage = clients.body.items[0] ? `/clients/${clients.body.items[0].id}` : "/clients";
  const signedIn = await walk(context, ["/tableau-de-bord", "/parametres", "/factures", "/devis", "/clients", clientPage, `/documents/${draft.body.document.id}`, "/produits", "/paiements", "/livres", "/temps", "/stock", "/mes-donnees"], "app", 70);
  problems.push(...signedIn);
  await context.close();
  assert.deepEqual(problems, [], `pages wider than ${PHONE.width} px:\n${problems.join("\n")}`);
});
