import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { luhnKey } from "../../src/worker/domain/identifiers.ts";
import { ApiClient, PASSWORD, signUpViaApi } from "./api.ts";
import { BASE_URL, SCREENSHOTS, launchBrowser, submitSignIn } from "./browser.ts";

// The e-invoicing network in Chromium, two local accounts through the stand-in PA (started by
// run.mjs, its URL in PA_STANDIN_URL): A invoices B → B finds it in Achats and refuses it (210) →
// A sees "Refusée" with the reason and cancels it by a credit note → A invoices again → B approves
// (205) → A records the payment → 212 Encaissée reaches the PA → the same invoice filed a second
// time is rejected as 213 DOUBLON and A's page explains it without calling the invoice rejected.

const PA = process.env.PA_STANDIN_URL ?? "";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A random SIREN with a valid Luhn key (each run works in its own tenants of the stand-in). */
function randomSiren(): string {
  const head = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
  return `${head}${luhnKey(head)}`;
}
/** A SIRET of `siren`: its first establishment, 0001 and its key. */
const siretOf = (siren: string) => `${siren}0001${luhnKey(`${siren}0001`)}`;

/** Repeats `check` until it returns a value (the network is asynchronous: acks, webhooks, polls). */
async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 400));
  }
}

interface SimFlow {
  flowId: string;
  flowType: string;
  flowDirection: string;
  name: string;
  trackingId: string | null;
  acknowledgement: { status: string };
  facts: { code?: number; number?: string; reasonCode?: string | null } | null;
}
async function paFlows(siren: string): Promise<SimFlow[]> {
  await fetch(`${PA}/_sim/flush`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  return ((await (await fetch(`${PA}/_sim/state?siren=${siren}`)).json()) as { flows: SimFlow[] }).flows;
}

type Tx = { status: string; lifecycle: Array<{ code: number; label: string; reasonCode?: string; reason?: string }>; needsCreditNote: boolean };
async function transmission(api: ApiClient, id: string): Promise<Tx> {
  return (await api.json<{ transmission: Tx }>("GET", `/api/v1/documents/${id}`)).body.transmission;
}

async function account(prefix: string, profile: Record<string, unknown>) {
  const { api, email } = await signUpViaApi(prefix);
  const p = await api.json("PUT", "/api/v1/account/profile", profile);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  return { api, email };
}

async function signedInPage(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await submitSignIn(page, email, PASSWORD);
  await page.waitForURL(/tableau-de-bord/);
  const refuse = page.getByRole("button", { name: "Tout refuser" });
  if (await refuse.isVisible()) await refuse.click();
  return { context, page };
}

async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function shoot(page: Page, name: string) {
  // The consent banner comes up after the page (an island): answer it so it hides nothing.
  const refuse = page.getByRole("button", { name: "Tout refuser" });
  await refuse.waitFor({ timeout: 3_000 }).then(
    () => refuse.click(),
    () => undefined,
  );
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    assert.ok((await overflow(page)) <= 1, `${name} overflows at ${width}px`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** B fetches its received invoices and opens the one numbered `number`. */
async function openPurchase(page: Page, number: string) {
  await eventually(`${number} in Achats`, async () => {
    await page.goto(`${BASE_URL}/achats`);
    await page.getByRole("button", { name: "Relever les factures reçues" }).click();
    await page.waitForURL(/\/achats/);
    return (await page.getByRole("link", { name: number }).count()) > 0;
  });
  await page.getByRole("link", { name: number }).click();
  await page.waitForURL(/\/achats\/[^/?]+/);
}

test("two accounts exchange invoices and statuses through the stand-in PA: refusal, approval, 212 Encaissée, duplicate rejected", async () => {
  assert.ok(PA, "PA_STANDIN_URL is set by run.mjs");
  const sirenA = randomSiren();
  const sirenB = randomSiren();
  const a = await account("pa-seller", {
    name: "Studio Lumen",
    legalForm: "sas",
    siret: siretOf(sirenA),
    registration: "rcs",
    registrationCity: "Lyon",
    shareCapital: "10000",
    addressLine1: "18 rue de la République",
    postalCode: "69002",
    city: "Lyon",
    country: "FR",
    contactEmail: "facturation@studio-lumen.fr",
    vatRegime: "vat",
    paymentTermsDays: 30,
    iban: "FR7630006000011234567890189",
    bic: "AGRIFRPP",
  });
  const b = await account("pa-buyer", {
    name: "Atelier Vidal",
    legalForm: "ei",
    siret: siretOf(sirenB),
    registration: "none",
    addressLine1: "4 rue des Arts",
    postalCode: "31000",
    city: "Toulouse",
    country: "FR",
    contactEmail: "contact@atelier-vidal.fr",
    vatRegime: "franchise",
    paymentTermsDays: 30,
  });

  // B opens Paramètres → Facturation électronique: connected to the local PA, which (like a real
  // PA's onboarding) puts B's SIREN in its directory at B's first call.
  const B = await signedInPage(b.email);
  await B.page.goto(`${BASE_URL}/parametres/facturation-electronique`);
  await B.page.getByRole("heading", { level: 1 }).waitFor();
  const settings = (await B.page.textContent("main")) ?? "";
  assert.match(settings, new RegExp(`SIREN ${sirenB}`));
  await shoot(B.page, "pa-settings");

  // A's client is B (its SIRET); A issues an invoice of services (20 % VAT: 212 is owed on collection).
  const client = await a.api.json<{ client: { id: string } }>("POST", "/api/v1/clients", {
    kind: "company",
    name: "Atelier Vidal",
    siret: siretOf(sirenB),
    addressLine1: "4 rue des Arts",
    postalCode: "31000",
    city: "Toulouse",
    country: "FR",
  });
  assert.equal(client.status, 201, JSON.stringify(client.body));
  const issue = async (description: string, unitPriceCents: number) => {
    const draft = await a.api.json<{ document: { id: string } }>("POST", "/api/v1/documents", {
      type: "invoice",
      clientId: client.body.client.id,
      lines: [{ description, quantity: "1", unitCode: "DAY", unitPriceCents, vatCategory: "S", vatRateBp: 2000, kind: "service" }],
    });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    const issued = await a.api.json<{ document: { id: string; number: string } }>("POST", `/api/v1/documents/${draft.body.document.id}/issue`, {});
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    return issued.body.document;
  };
  const first = await issue("Identité visuelle — journée d'atelier", 90_000);
  // Filed once, addressed to B's directory line, and received by B's tenant as a supplier invoice.
  await eventually("the first invoice delivered to B", async () => (await paFlows(sirenB)).some((f) => f.flowType === "SupplierInvoice" && f.facts?.number === first.number));
  assert.equal((await paFlows(sirenA)).filter((f) => f.trackingId === first.id).length, 1);

  // B: Achats → Relever → the invoice → Refuser (210) with a reason code and a text.
  await openPurchase(B.page, first.number);
  const refuseForm = B.page.locator("form.purchase-action-210");
  await refuseForm.locator('[name="reasonCode"]').selectOption("MONTANTTOTAL_ERR");
  await refuseForm.locator('[name="reason"]').fill("Le devis accepté était de 750 € HT");
  await refuseForm.getByRole("button", { name: "Refuser" }).click();
  await B.page.waitForURL(/\/achats\/[^/]+/);
  assert.match((await B.page.textContent("main")) ?? "", /Refusée/);

  // A: the refusal comes back (webhook → poll): "Refusée" with its reason on the invoice page.
  const A = await signedInPage(a.email);
  await eventually("Refusée on A's invoice", async () => (await transmission(a.api, first.id)).lifecycle.some((e) => e.code === 210));
  await A.page.goto(`${BASE_URL}/documents/${first.id}`);
  const timeline = A.page.getByTestId("transmission-timeline");
  await timeline.locator('li[data-code="210"]').waitFor();
  assert.match((await timeline.textContent()) ?? "", /Refusée/);
  // The code's words and the buyer's own text.
  assert.match((await A.page.getByTestId("transmission").textContent()) ?? "", /montant total erroné — « Le devis accepté était de 750 € HT »/);
  await shoot(A.page, "pa-timeline-refused");
  // The credit-note path the refusal offers.
  await A.page.getByRole("button", { name: "Annuler par un avoir" }).click();
  await A.page.waitForURL(/\/documents\//);

  // A issues the corrected invoice; B approves it (205).
  const second = await issue("Identité visuelle — journée d'atelier (devis du 2 octobre)", 75_000);
  await eventually("the corrected invoice delivered to B", async () => (await paFlows(sirenB)).some((f) => f.flowType === "SupplierInvoice" && f.facts?.number === second.number));
  await openPurchase(B.page, second.number);
  await B.page.locator("form.purchase-action-205").getByRole("button", { name: "Approuver" }).click();
  await B.page.waitForURL(/\/achats\/[^/]+/);
  await eventually("Approuvée on A's invoice", async () => (await transmission(a.api, second.id)).lifecycle.some((e) => e.code === 205));

  // A records the payment on the invoice page: 900,00 € TTC → the 212 with its MEN amount per rate.
  await A.page.goto(`${BASE_URL}/documents/${second.id}`);
  await A.page.locator('[name="amount"]').fill("900,00");
  await A.page.getByRole("button", { name: "Enregistrer le paiement" }).click();
  await A.page.waitForURL(/\/documents\//);
  const sent212 = await eventually("212 filed at the PA", async () =>
    (await paFlows(sirenA)).find((f) => f.flowType === "CustomerInvoiceLC" && f.flowDirection === "Out" && f.facts?.code === 212 && f.facts.number === second.number),
  );
  assert.equal(sent212.acknowledgement.status, "Ok");
  const cdar = await (await fetch(`${PA}/_sim/flow-file?flowId=${sent212.flowId}`)).text();
  assert.match(cdar, /<ram:TypeCode>MEN<\/ram:TypeCode>[\s\S]*<ram:ValueAmount currencyID="EUR">900.00<\/ram:ValueAmount>/);
  await eventually("212 forwarded to B", async () => (await paFlows(sirenB)).some((f) => f.flowType === "SupplierInvoiceLC" && f.name === `CDV-212-${second.number}.xml`));

  // The same invoice filed a second time (as another tool or a manual upload would): the PA answers
  // 213 DOUBLON about that copy. A's page records it and says the invoice filed first stands.
  const tok = (await (
    await fetch(`${PA}/auth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "factumo-platform", client_secret: "standin-platform-secret" }) })
  ).json()) as { access_token: string };
  const form = new FormData();
  form.set("flowInfo", JSON.stringify({ flowSyntax: "CII", name: `${second.number}.xml`, processingRule: "B2B", trackingId: "second-copy" }));
  form.set("file", new Blob([Uint8Array.from(await a.api.bytes(`/api/v1/documents/${second.id}/xml`))]), `${second.number}.xml`);
  const dup = await fetch(`${PA}/flow-service/v1/flows`, { method: "POST", headers: { authorization: `Bearer ${tok.access_token}`, "organization-id": sirenA }, body: form });
  assert.equal(dup.status, 202);
  const tx = await eventually("213 DOUBLON on A's invoice", async () => {
    const t = await transmission(a.api, second.id);
    return t.lifecycle.some((e) => e.code === 213) ? t : null;
  });
  // The 212 and the 213 often share their minute (statuses carry no seconds), and within a minute
  // the timeline follows lifecycle order: compare the codes, not their order.
  assert.deepEqual(
    tx.lifecycle.map((e) => e.code).sort((x, y) => x - y),
    [200, 202, 203, 205, 212, 213],
  );
  assert.equal(tx.lifecycle.find((e) => e.code === 213)?.reasonCode, "DOUBLON");
  // The invoice itself stays filed and collected: no credit note asked for.
  assert.equal(tx.status, "collected");
  assert.equal(tx.needsCreditNote, false);
  await A.page.goto(`${BASE_URL}/documents/${second.id}`);
  await A.page.getByTestId("transmission-timeline").locator('li[data-code="213"]').waitFor();
  const panel = (await A.page.getByTestId("transmission").textContent()) ?? "";
  assert.match(panel, /Encaissée/);
  assert.match(panel, /doublon/i);
  assert.doesNotMatch(panel, /Annuler par un avoir/);
  await shoot(A.page, "pa-timeline");
  await A.context.close();
  await B.context.close();
});
