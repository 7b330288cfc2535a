// Browser audits for the bench: Lighthouse performance and accessibility scores, and axe-core
// violations (injected with Playwright), for the login page, the dashboard and an invoice page,
// in Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH). Lighthouse and axe-core are dev
// dependencies; when either is missing the audit says so and is skipped.
// Signed-in pages get the session as a Cookie header (the __Host- cookies are Secure).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function optional(name) {
  try {
    return await import(name);
  } catch {
    return null;
  }
}

/**
 * Audits each page ({ name, url, cookie? }); returns rows with Lighthouse scores (0–100) and the
 * count of axe violations by impact, or { skipped } naming what is not installed.
 */
export async function browserAudits(pages) {
  const lighthouse = await optional("lighthouse");
  const chromeLauncher = await optional("chrome-launcher");
  let axePath = null;
  try {
    axePath = require.resolve("axe-core/axe.min.js");
  } catch {
    // not installed
  }
  const missing = [...(lighthouse && chromeLauncher ? [] : ["lighthouse"]), ...(axePath ? [] : ["axe-core"])];
  const rows = pages.map((p) => ({ name: p.name, path: new URL(p.url).pathname }));

  if (lighthouse && chromeLauncher) {
    for (const [i, p] of pages.entries()) {
      // A fresh Chrome per page: a cookie another page set in the profile's jar (the login page's
      // CSRF cookie) would otherwise replace the Cookie header given for a signed-in page.
      const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"] });
      try {
        const result = await lighthouse.default(
          p.url,
          { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance", "accessibility"], ...(p.cookie ? { extraHeaders: { cookie: p.cookie } } : {}) },
          // Desktop, no simulated throttling: loopback on a shared 2-CPU machine, to compare runs with each other.
          { extends: "lighthouse:default", settings: { formFactor: "desktop", screenEmulation: { disabled: true }, throttlingMethod: "provided" } },
        );
        const lhr = result?.lhr;
        rows[i].performance = Math.round((lhr?.categories.performance?.score ?? 0) * 100);
        rows[i].accessibility = Math.round((lhr?.categories.accessibility?.score ?? 0) * 100);
        rows[i].lcpMs = Math.round(lhr?.audits["largest-contentful-paint"]?.numericValue ?? 0);
        rows[i].finalUrl = lhr?.finalDisplayedUrl;
        // A signed-in page that lands on the login page measured the wrong page: say so.
        if (lhr?.finalDisplayedUrl && new URL(lhr.finalDisplayedUrl).pathname !== new URL(p.url).pathname) rows[i].redirected = `${new URL(lhr.finalDisplayedUrl).pathname} (Lighthouse)`;
      } finally {
        await chrome.kill();
      }
    }
  }

  if (axePath) {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const source = readFileSync(axePath, "utf8");
      for (const [i, p] of pages.entries()) {
        // bypassCSP: axe is injected as an inline script, which the page's nonce CSP rightly refuses.
        const context = await browser.newContext({ bypassCSP: true, ...(p.cookie ? { extraHTTPHeaders: { cookie: p.cookie } } : {}) });
        const page = await context.newPage();
        await page.goto(p.url, { waitUntil: "load" });
        if (new URL(page.url()).pathname !== new URL(p.url).pathname) rows[i].redirected = `${rows[i].redirected ?? ""} ${new URL(page.url()).pathname} (axe)`.trim();
        await page.addScriptTag({ content: source });
        const violations = await page.evaluate(async () => (await globalThis.axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })));
        rows[i].axe = violations;
        await context.close();
      }
    } finally {
      await browser.close();
    }
  }
  return { missing, rows };
}

export function printBrowserAudits({ missing, rows }) {
  console.log("\nBrowser (Chromium): Lighthouse desktop, no throttling; axe-core violations");
  if (missing.length) console.log(`  not installed: ${missing.join(", ")} — npm install -D lighthouse@12.2.3 axe-core`);
  console.log(`${"page".padEnd(14)} ${"perf".padStart(5)} ${"a11y".padStart(5)} ${"LCP ms".padStart(7)}  axe violations`);
  for (const r of rows) {
    const axe = r.axe ? (r.axe.length ? r.axe.map((v) => `${v.id} (${v.impact}, ${v.nodes})`).join(", ") : "0") : "—";
    console.log(`${r.name.padEnd(14)} ${String(r.performance ?? "—").padStart(5)} ${String(r.accessibility ?? "—").padStart(5)} ${String(r.lcpMs ?? "—").padStart(7)}  ${axe}${r.redirected ? `  (REDIRECTED to ${r.redirected})` : ""}`);
  }
}
