import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { measureD1 } from "../../src/worker/db/metered";
import { webhookKey } from "../../src/worker/features/einvoicing/connection";
import { syncStatuses } from "../../src/worker/features/einvoicing/inbound";
import { runPaNetwork } from "../../src/worker/features/einvoicing/jobs";
import { processOutbox } from "../../src/worker/features/einvoicing/outbox";
import { base64Encode, hmacSha256Bytes, utf8Bytes } from "../../src/worker/lib/crypto/random";
import { TestClient } from "../helpers/client";
import { VAT_COMPANY_PROFILE, readyAccount } from "../helpers/invoicing";
import { invoiceTo, networkAccount, paFlush, paSim, paState, randomSiren, siretOf, transmission } from "../helpers/pa";

// Sending through the network end to end inside workerd: the Worker issues, looks the buyer up in the
// stand-in PA's directory, files the Factur-X, and reads the statuses back (poll and webhook).

describe("sending an invoice through the PA", () => {
  it("puts the buyer's Enabled directory line in BT-49, files the Factur-X once, and shows 200, 202, 203 then a refusal with its reason", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, buyer.siren);
    const xml = await (await seller.client.fetch(`/api/v1/documents/${doc.id}/xml`)).text();
    expect(xml).toContain(`<ram:URIID schemeID="0225">${buyer.siren}</ram:URIID>`);
    await paFlush();
    const flows = (await paState(seller.siren)).flows.filter((f) => f.trackingId === doc.id);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ flowType: "CustomerInvoice", flowDirection: "Out", acknowledgement: { status: "Ok" } });
    // The buyer's tenant received it as a supplier invoice.
    expect((await paState(buyer.siren)).flows.filter((f) => f.flowType === "SupplierInvoice")).toHaveLength(1);

    await syncStatuses(seller.ctx());
    let tx = await transmission(seller.client, doc.id);
    expect(tx.lifecycle.map((e) => e.code)).toEqual([200, 202, 203]);
    expect(tx.status).toBe("made_available");

    await paSim("buyer-status", { sellerSiren: seller.siren, number: doc.number, code: 210, reasonCode: "TX_TVA_ERR", reason: "Taux de TVA erroné" });
    await syncStatuses(seller.ctx());
    await syncStatuses(seller.ctx()); // a second poll finds nothing new and counts nothing twice
    tx = await transmission(seller.client, doc.id);
    expect(tx.lifecycle.map((e) => e.code)).toEqual([200, 202, 203, 210]);
    expect(tx).toMatchObject({ status: "refused", needsCreditNote: true });
    expect(tx.lifecycle.at(-1)).toMatchObject({ label: "Refusée", reasonCode: "TX_TVA_ERR", reason: "taux de TVA erroné" });
    const page = await (await seller.client.get(`/documents/${doc.id}`)).text();
    expect(page).toContain("Refusée");
    expect(page).toContain("Annuler par un avoir");
    // The lists' transmission column and the dashboard's notice.
    const list = (await (await seller.client.json("GET", "/api/v1/documents?type=invoice")).json()) as { items: Array<{ id: string; transmission: string | null }> };
    expect(list.items.find((i) => i.id === doc.id)?.transmission).toBe("210");
    expect(await (await seller.client.get("/factures")).text()).toContain(`data-transmission="210">Refusée`);
    const dashboard = await (await seller.client.get("/tableau-de-bord")).text();
    expect(dashboard).toContain("1 facture refusée ou rejetée");
    // Cancelled by a credit note: the notice goes.
    expect((await seller.client.json("POST", `/api/v1/documents/${doc.id}/cancel`, {})).status).toBe(201);
    expect(await (await seller.client.get("/tableau-de-bord")).text()).not.toContain("refusée ou rejetée");
  });

  it("sends 212 Encaissée after a payment (amount per VAT rate), once per payment, and the buyer's platform receives it", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
    const paid = await seller.client.json("POST", `/api/v1/documents/${doc.id}/payments`, { amountCents: 100_000, receivedOn: today, method: "virement" });
    expect(paid.status).toBe(201);
    await paFlush();
    const sent = (await paState(seller.siren)).flows.filter((f) => f.flowType === "CustomerInvoiceLC" && f.flowDirection === "Out");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.acknowledgement.status).toBe("Ok");
    const cdar = await (await fetch(`${(await import("../helpers/pa")).PA_URL}/_sim/flow-file?flowId=${sent[0]?.flowId}`)).text();
    expect(cdar).toContain("<ram:ProcessConditionCode>212</ram:ProcessConditionCode>");
    expect(cdar).toMatch(/<ram:TypeCode>MEN<\/ram:TypeCode>[\s\S]*<ram:ValueAmount currencyID="EUR">1000.00<\/ram:ValueAmount>[\s\S]*<ram:ValuePercent>20/);
    expect((await paState(buyer.siren)).flows.filter((f) => f.flowType === "SupplierInvoiceLC")).toHaveLength(1);
    await syncStatuses(seller.ctx());
    expect((await transmission(seller.client, doc.id)).lifecycle.map((e) => e.code)).toEqual([200, 202, 203, 212]);
  });

  it("writes the 212's outbox row in the payment's batch: if it cannot be written the payment is not either, and the retry records both", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
    const count = async (sql: string) => (await env.DB.prepare(sql).bind(seller.accountId).first<{ n: number }>())?.n;
    // A fault on the outbox write for this account only (a D1 write lost mid-payment).
    await env.DB.prepare(`CREATE TRIGGER fail_212 BEFORE INSERT ON pa_submissions WHEN NEW.account_id = '${seller.accountId}' AND NEW.kind = 'status' BEGIN SELECT RAISE(ABORT, 'injected'); END`).run();
    try {
      const failed = await seller.client.json("POST", `/api/v1/documents/${doc.id}/payments`, { amountCents: 120_000, receivedOn: today, method: "virement" });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      await env.DB.prepare("DROP TRIGGER fail_212").run();
    }
    expect(await count("SELECT COUNT(*) AS n FROM payments WHERE account_id = ?")).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM pa_submissions WHERE account_id = ? AND kind = 'status'")).toBe(0);
    // The PA is down when the retry comes: both are recorded, the 212 waits in the outbox.
    await paSim("outage", { siren: seller.siren, on: true });
    expect((await seller.client.json("POST", `/api/v1/documents/${doc.id}/payments`, { amountCents: 120_000, receivedOn: today, method: "virement" })).status).toBe(201);
    await paSim("outage", { siren: seller.siren, on: false });
    expect(await count("SELECT COUNT(*) AS n FROM payments WHERE account_id = ?")).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM pa_submissions WHERE account_id = ? AND kind = 'status' AND state = 'queued'")).toBe(1);
    expect(await processOutbox(seller.ctx(Date.now() + 5 * 60_000))).toMatchObject({ sent: 1 });
  });

  it("explains a duplicate rejected by the platform (213 DOUBLON)", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    await paSim("reject-next", { siren: seller.siren, reasonCode: "DOUBLON" });
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    await syncStatuses(seller.ctx());
    const tx = await transmission(seller.client, doc.id);
    expect(tx).toMatchObject({ status: "rejected", needsCreditNote: true });
    expect(tx.lifecycle).toEqual([expect.objectContaining({ code: 213, label: "Rejetée", reasonCode: "DOUBLON", reason: "facture déjà déposée avec ce numéro (doublon)" })]);
  });

  it("a second copy of a filed invoice rejected as 213 DOUBLON is shown, but the invoice stays filed (no credit note asked)", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    // The same invoice uploaded again (another tool, by hand): same number, another file.
    const { PA_URL } = await import("../helpers/pa");
    const token = (await (await fetch(`${PA_URL}/auth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "factumo-platform", client_secret: "standin-platform-secret" }) })).json()) as { access_token: string };
    const form = new FormData();
    form.set("flowInfo", JSON.stringify({ flowSyntax: "CII", name: `${doc.number}.xml`, processingRule: "B2B", trackingId: "copy" }));
    form.set("file", new Blob([await (await seller.client.fetch(`/api/v1/documents/${doc.id}/xml`)).text()]), `${doc.number}.xml`);
    expect((await fetch(`${PA_URL}/flow-service/v1/flows`, { method: "POST", headers: { authorization: `Bearer ${token.access_token}`, "organization-id": seller.siren }, body: form })).status).toBe(202);
    await paFlush();
    await syncStatuses(seller.ctx());
    const tx = await transmission(seller.client, doc.id);
    expect(tx.lifecycle.map((e) => e.code)).toEqual([200, 202, 203, 213]);
    expect(tx.lifecycle.at(-1)).toMatchObject({ reasonCode: "DOUBLON", reason: expect.stringContaining("reste valable") });
    expect(tx).toMatchObject({ status: "made_available", needsCreditNote: false });
    const list = (await (await seller.client.json("GET", "/api/v1/documents?type=invoice")).json()) as { items: Array<{ id: string; transmission: string | null }> };
    expect(list.items.find((i) => i.id === doc.id)?.transmission).toBe("203");
    expect(await (await seller.client.get("/tableau-de-bord")).text()).not.toContain("refusée ou rejetée");
  });

  it("does not send to a buyer unknown to the directory, and says why", async () => {
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, randomSiren());
    const tx = await transmission(seller.client, doc.id);
    expect(tx.status).toBe("skipped");
    expect((await paState(seller.siren)).flows.filter((f) => f.flowDirection === "Out")).toHaveLength(0);
    expect(await (await seller.client.get(`/documents/${doc.id}`)).text()).toContain("le SIREN du client est absent");
  });

  it("queues during an outage, retries with backoff, and files once; a lost answer is found by trackingId, never sent twice", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    await paSim("outage", { siren: seller.siren, on: true });
    const doc = await invoiceTo(seller, buyer.siren);
    expect(await transmission(seller.client, doc.id)).toMatchObject({ status: "queued" });
    const settings = await (await seller.client.get("/parametres/facturation-electronique")).text();
    expect(settings).toContain("1 envoi en attente");
    // Still down at the next run: stays queued.
    const ctx = seller.ctx();
    expect(await processOutbox({ ...ctx, now: ctx.now + 61_000 })).toMatchObject({ retry: 1 });
    await paSim("outage", { siren: seller.siren, on: false });
    expect(await processOutbox({ ...ctx, now: ctx.now + 10 * 60_000 })).toMatchObject({ sent: 1 });
    await paFlush();
    expect((await paState(seller.siren)).flows.filter((f) => f.trackingId === doc.id)).toHaveLength(1);

    // The PA takes the next one but its answer is lost: the retry finds it instead of filing again.
    await paSim("timeout-next", { siren: seller.siren, count: 1 });
    const lost = await invoiceTo(seller, buyer.siren);
    expect(await transmission(seller.client, lost.id)).toMatchObject({ status: "queued" });
    const later = seller.ctx();
    expect(await processOutbox({ ...later, now: later.now + 10 * 60_000 })).toMatchObject({ found: 1, sent: 0 });
    await paFlush();
    expect((await paState(seller.siren)).flows.filter((f) => f.trackingId === lost.id)).toHaveLength(1);
  });

  it("polls from a cursor: a poll reads rows in proportion to the new flows, not to the account's history", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    for (let i = 0; i < 3; i++) await invoiceTo(seller, buyer.siren);
    await paFlush();
    const first = await measureD1(() => syncStatuses(seller.ctx()));
    expect(first.result).toMatchObject({ statuses: 9 });
    const idle = await measureD1(() => syncStatuses(seller.ctx()));
    expect(idle.result).toMatchObject({ flows: 0 });
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    const one = await measureD1(() => syncStatuses(seller.ctx()));
    expect(one.result).toMatchObject({ statuses: 3 });
    console.log(`pa poll rows read: 12 flows → ${first.usage.rowsRead}, idle → ${idle.usage.rowsRead}, 4 flows → ${one.usage.rowsRead}`);
    expect(idle.usage.rowsRead).toBeLessThanOrEqual(6);
    expect(one.usage.rowsRead).toBeLessThan(first.usage.rowsRead);
    expect((await transmission(seller.client, doc.id)).lifecycle.map((e) => e.code)).toEqual([200, 202, 203]);
  });

  it("accepts a webhook only with the account's signature, and it triggers the poll", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    const body = JSON.stringify({ flowId: "fl_x", updatedAt: new Date().toISOString() });
    const client = new TestClient();
    const bad = await client.fetch(`/webhooks/pa/${seller.accountId}`, { method: "POST", headers: { "content-type": "application/json", signature: base64Encode(new Uint8Array(32)) }, body });
    expect(bad.status).toBe(401);
    expect((await transmission(seller.client, doc.id)).lifecycle).toEqual([]);
    const sig = base64Encode(await hmacSha256Bytes(await webhookKey((await import("../../src/worker/config")).loadConfig(env), seller.accountId), utf8Bytes(body)));
    const good = await client.fetch(`/webhooks/pa/${seller.accountId}`, { method: "POST", headers: { "content-type": "application/json", signature: sig }, body });
    expect(good.status).toBe(200);
    expect((await transmission(seller.client, doc.id)).lifecycle.map((e) => e.code)).toEqual([200, 202, 203]);
    // Delivered twice: counted once.
    await client.fetch(`/webhooks/pa/${seller.accountId}`, { method: "POST", headers: { "content-type": "application/json", signature: sig }, body });
    expect((await transmission(seller.client, doc.id)).lifecycle).toHaveLength(3);
  });

  it("the cron sends what is due and polls every transmitting account", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    await paSim("outage", { siren: seller.siren, on: true });
    const doc = await invoiceTo(seller, buyer.siren);
    await paSim("outage", { siren: seller.siren, on: false });
    const summary = await runPaNetwork(env, Date.now() + 5 * 60_000);
    expect(summary.sent).toBeGreaterThanOrEqual(1);
    await paFlush();
    await runPaNetwork(env, Date.now() + 6 * 60_000);
    expect((await transmission(seller.client, doc.id)).lifecycle.map((e) => e.code)).toEqual([200, 202, 203]);
  });
});

describe("Paramètres → Facturation électronique", () => {
  it("needs the mandate to transmit, records who gave it, and shows the directory lines of the SIREN", async () => {
    const siren = randomSiren();
    const a = await readyAccount({ ...VAT_COMPANY_PROFILE, siret: siretOf(siren) });
    const refused = await a.client.postForm("/parametres/facturation-electronique/enregistrer", { mode: "platform", transmit: "on" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Cochez le mandat");
    expect((await a.client.postForm("/parametres/facturation-electronique/enregistrer", { mode: "platform", transmit: "on", mandate: "on" })).status).toBe(303);
    const page = await (await a.client.get("/parametres/facturation-electronique")).text();
    expect(page).toContain(`pour le SIREN ${siren}`);
    expect(page).toMatch(/Mandat donné par Camille Martin &lt;[^<]+> le \d{2}\/\d{2}\/\d{4}/);
    expect(page).toContain("Active (plateforme de réception attribuée)");
    const test = await a.client.postForm("/parametres/facturation-electronique/tester", {});
    expect(test.headers.get("location")).toContain("test=ok");
  });

  it("seals the user's own PA secret and refuses a bad URL or a missing secret with nothing saved", async () => {
    const siren = randomSiren();
    const a = await readyAccount({ ...VAT_COMPANY_PROFILE, siret: siretOf(siren) });
    const bad = await a.client.postForm("/parametres/facturation-electronique/enregistrer", { mode: "own", tokenUrl: "ftp://x", flowUrl: "", directoryUrl: "", clientId: "" });
    expect(bad.status).toBe(400);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM pa_connections WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(rows?.n).toBe(0);
    const { PA_URL } = await import("../helpers/pa");
    await paSim("clients", { clientId: `own-${siren}`, clientSecret: "my-own-secret", siren });
    const ok = await a.client.postForm("/parametres/facturation-electronique/enregistrer", {
      mode: "own",
      tokenUrl: `${PA_URL}/auth/token`,
      flowUrl: `${PA_URL}/flow-service`,
      directoryUrl: `${PA_URL}/directory-service`,
      clientId: `own-${siren}`,
      clientSecret: "my-own-secret",
    });
    expect(ok.status).toBe(303);
    const row = await env.DB.prepare("SELECT client_secret_sealed AS s FROM pa_connections WHERE account_id = ?").bind(a.accountId).first<{ s: string }>();
    expect(row?.s).toBeTruthy();
    expect(row?.s).not.toContain("my-own-secret");
    const test = await a.client.postForm("/parametres/facturation-electronique/tester", {});
    expect(test.headers.get("location")).toContain("test=ok");
  });
});
