import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { FRANCHISE_PROFILE, PASSWORD, signUpViaApi } from "./api.ts";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn } from "./browser.ts";

// E-reporting in Chromium: a micro-entrepreneur under the franchise with B2C sales and payments in
// the last ended two-month period opens /livres/e-reporting, sends the period and sees the stand-in
// PA accept it; the two files the PA received pass validate.mjs; screenshots at 1280 and 390 px.

const VALIDATOR = path.resolve(import.meta.dirname, "../../../shared/einvoice/validate.mjs");
const OUT = path.resolve(import.meta.dirname, "../../test-results/ereporting");
const PA = process.env.PA_STANDIN_URL ?? "";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A random SIREN and a SIRET of it, both with a valid Luhn key: the account's own tenant of the stand-in. */
function randomSiret(): { siren: string; siret: string } {
  const luhn = (s: string) =>
    [...s].reverse().reduce((sum, c, i) => {
      let d = Number(c);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      return sum + d;
    }, 0) %
      10 ===
    0;
  for (;;) {
    const head = String(1e7 + Math.floor(Math.random() * 8.9e7));
    const siren = [...Array(10).keys()].map((k) => `${head}${k}`).find(luhn);
    if (!siren) continue;
    for (let n = 10; n < 99999; n++) {
      const siret = `${siren}${String(n).padStart(5, "0")}`;
      if (luhn(siret)) return { siren, siret };
    }
  }
}

/** The last two-month period that has ended (franchise en base), from today. */
function lastEndedPeriod(): { start: string; end: string } {
  const now = new Date();
  const firstMonth = now.getUTCMonth() - (now.getUTCMonth() % 2); // 0-based start of the current period
  const start = new Date(Date.UTC(now.getUTCFullYear(), firstMonth - 2, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), firstMonth, 0));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("a franchise account sends its two-month B2C e-report from /livres/e-reporting and sees it accepted", async (t) => {
  const period = lastEndedPeriod();
  const thisYear = `${new Date().getUTCFullYear()}-01-01`;
  if (period.start < thisYear) {
    // In January and February the last ended period lies in the previous year, whose series is
    // closed (domain/issue-date.ts): no sale can be dated in it any more.
    t.skip(`the last ended period (${period.start}) is in a closed year: nothing can be issued in it`);
    return;
  }
  const { siren, siret } = randomSiret();
  const { api, email } = await signUpViaApi("ereport");
  assert.equal((await api.json("PUT", "/api/v1/account/profile", { ...FRANCHISE_PROFILE, siret })).status, 200);
  const person = await api.json<{ client: { id: string } }>("POST", "/api/v1/clients", { kind: "individual", name: "Jeanne Dupont", addressLine1: "3 rue Haute", postalCode: "31000", city: "Toulouse", country: "FR" });
  assert.equal(person.status, 201, JSON.stringify(person.body));
  const day = (n: number) => `${period.start.slice(0, 8)}${String(n).padStart(2, "0")}`;
  const line = { quantity: "1", unitCode: "C62", vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE" };
  const sales: Array<[string, string, number, string]> = [
    [day(5), "Cours de dessin", 6_000, "service"],
    [day(12), "Affiche imprimée", 4_500, "goods"],
    [day(20), "Atelier collectif", 12_000, "service"],
  ];
  for (const [date, description, cents, kind] of sales) {
    const draft = await api.json<{ document: { id: string } }>("POST", "/api/v1/documents", { type: "invoice", clientId: person.body.client.id, lines: [{ description, unitPriceCents: cents, kind, ...line }] });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    const issued = await api.json("POST", `/api/v1/documents/${draft.body.document.id}/issue`, { issueDate: date });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const paid = await api.json("POST", `/api/v1/documents/${draft.body.document.id}/payments`, { receivedOn: date, method: "carte", amountCents: cents });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
  }

  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await submitSignIn(page, email, PASSWORD);
  await page.waitForURL(/tableau-de-bord/);
  const refuse = page.getByRole("button", { name: "Tout refuser" });
  if (await refuse.isVisible()) await refuse.click();

  await page.goto(`${BASE_URL}/livres/e-reporting`);
  const row = page.locator(`tr[data-period="${period.start}"]`);
  assert.equal(await row.getAttribute("data-status"), "todo");
  await row.getByRole("button", { name: "Transmettre" }).click();
  await page.waitForURL(/\/livres\/e-reporting\?ok=1/);
  await page.getByText("Période transmise à la plateforme agréée.").waitFor();

  // The PA acknowledges asynchronously: the page reads the acknowledgement each time it is shown.
  let status = await row.getAttribute("data-status");
  for (let i = 0; i < 20 && status !== "accepted"; i++) {
    await page.waitForTimeout(500);
    await page.reload();
    status = await row.getAttribute("data-status");
  }
  assert.equal(status, "accepted");
  await row.getByText("Transmis et accepté par la plateforme").waitFor();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    assert.ok((await overflow(page)) <= 1, `the e-reporting page overflows at ${width}px`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `ereporting-${width}.png`), fullPage: true });
  }
  await context.close();

  // What the PA received: one transactions and one payments file, both valid (XSD + DGFiP rules).
  const state = (await (await fetch(`${PA}/_sim/state?siren=${siren}`)).json()) as { flows: Array<{ flowId: string; flowSyntax: string; flowType: string; flowDirection: string; acknowledgement: { status: string } }> };
  const reports = state.flows.filter((f) => f.flowSyntax === "FRR" && f.flowDirection === "Out");
  assert.deepEqual(reports.map((f) => [f.flowType, f.acknowledgement.status]).sort(), [
    ["AggregatedCustomerPaymentReport", "Ok"],
    ["AggregatedCustomerTransactionReport", "Ok"],
  ]);
  mkdirSync(OUT, { recursive: true });
  const files = await Promise.all(
    reports.map(async (f) => {
      const xml = await (await fetch(`${PA}/_sim/flow-file?flowId=${f.flowId}`)).text();
      const file = path.join(OUT, `${f.flowType}.xml`);
      writeFileSync(file, xml);
      return { file, xml };
    }),
  );
  const transactions = files.find((f) => f.file.includes("Transaction"))!.xml;
  assert.match(transactions, /<TaxExclusiveAmount>60\.00<\/TaxExclusiveAmount>/);
  assert.match(transactions, /<CategoryCode>TLB1<\/CategoryCode>/);
  if (!existsSync(VALIDATOR)) {
    const msg = `E-REPORTING VALIDATION SKIPPED: ${VALIDATOR} not found (CI has ../shared/einvoice).`;
    console.error(`\n${"!".repeat(78)}\n  ${msg}\n${"!".repeat(78)}\n`);
    if (process.env.CI === "true") assert.fail(msg);
    return;
  }
  let output = "";
  try {
    output = execFileSync(process.execPath, [VALIDATOR, "--json", ...files.map((f) => f.file)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    assert.fail(`validator reported errors:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
  const report = JSON.parse(output) as Array<{ file: string; errors: number }>;
  assert.deepEqual(
    report.map((r) => r.errors),
    [0, 0],
  );
});
