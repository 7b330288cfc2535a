import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/worker/config";
import { buildCdar } from "../../src/worker/domain/einvoice/cdar";
import { toUbl } from "../../src/worker/domain/einvoice/ubl";
import { paClientForEndpoint, platformPa } from "../../src/worker/features/einvoicing/pa-client";
import { webhookKey } from "../../src/worker/features/purchases/verbs";
import { base64Encode, hmacSha256Bytes } from "../../src/worker/lib/crypto/random";
import { sampleSnapshot } from "../fixtures/documents";
import { ciiInvoice, paFlush, paSim, paState, randomSiren, siretOf } from "../helpers/pa";
import { readyAccount, VAT_COMPANY_PROFILE } from "../helpers/invoicing";

// Achats against the stand-in PA: supplier invoices arrive as SupplierInvoice flows, are fetched
// by the incremental poll, stored once, and answered with CDAR statuses the PA forwards.

async function buyerAccount() {
  const siren = randomSiren();
  const account = await readyAccount({ ...VAT_COMPANY_PROFILE, siret: siretOf(siren) });
  return { ...account, siren };
}

async function deliver(buyerSiren: string, o: { supplier?: string; number?: string; issueDate?: string; ubl?: boolean } = {}) {
  const supplier = o.supplier ?? randomSiren();
  const number = o.number ?? `F-${Math.random().toString(36).slice(2, 9).toUpperCase()}`;
  const xml = o.ubl
    ? toUbl(sampleSnapshot({ number, ...(o.issueDate ? { issueDate: o.issueDate } : {}), seller: { siren: supplier }, buyer: { electronicAddress: { scheme: "0225", value: buyerSiren } } }))
    : ciiInvoice({ sellerSiren: supplier, buyerAddress: buyerSiren, number, ...(o.issueDate ? { issueDate: o.issueDate } : {}) });
  await paSim("supplier-invoice", { xml, buyerSiren });
  return { supplier, number, total: sampleSnapshot().totals.taxInclusiveCents };
}

type Item = { id: string; number: string; supplierSiren: string; taxInclusiveCents: number; lifecycle: Array<{ code: number; reasonCode: string | null; direction: string }>; state: string };

async function list(client: Awaited<ReturnType<typeof buyerAccount>>["client"]): Promise<Item[]> {
  const res = await client.json("GET", "/api/v1/purchases");
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Item[] }).items;
}

async function sync(client: Awaited<ReturnType<typeof buyerAccount>>["client"]) {
  const res = await client.json("POST", "/api/v1/purchases/sync", {});
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { flowsRead: number; received: number; duplicates: number; statuses: number; unreadable: number };
}

describe("Achats: receiving supplier invoices", () => {
  it("fetches a supplier invoice once, reads it, keeps the file with its sha256; a re-sent invoice is a duplicate", async () => {
    const buyer = await buyerAccount();
    const { supplier, number, total } = await deliver(buyer.siren);
    expect(await sync(buyer.client)).toMatchObject({ flowsRead: 1, received: 1, duplicates: 0 });
    const [item, ...rest] = await list(buyer.client);
    expect(rest).toHaveLength(0);
    expect(item).toMatchObject({ number, supplierSiren: supplier, taxInclusiveCents: total, lifecycle: [], state: "received" });

    // The cursor moved: nothing is read again.
    expect(await sync(buyer.client)).toMatchObject({ flowsRead: 0, received: 0 });

    // The same invoice delivered again (another flow): stored once.
    await deliver(buyer.siren, { supplier, number });
    expect(await sync(buyer.client)).toMatchObject({ flowsRead: 1, received: 0, duplicates: 1 });
    expect(await list(buyer.client)).toHaveLength(1);

    const detail = (await (await buyer.client.json("GET", `/api/v1/purchases/${item!.id}`)).json()) as { fileSha256: string; lines: unknown[]; vatBreakdown: unknown[] };
    expect(detail.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.lines.length).toBeGreaterThan(0);
    const file = await buyer.client.get(`/achats/${item!.id}/fichier`);
    expect(file.status).toBe(200);
    expect(file.headers.get("x-content-sha256")).toBe(detail.fileSha256);

    const page = await buyer.client.get(`/achats/${item!.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(number);
    expect(html).toContain("Refuser");
  });

  it("reads UBL too, and a later page of the poll carries on from the cursor", async () => {
    const buyer = await buyerAccount();
    await deliver(buyer.siren, { ubl: true });
    await deliver(buyer.siren);
    expect(await sync(buyer.client)).toMatchObject({ flowsRead: 2, received: 2 });
    await deliver(buyer.siren);
    expect(await sync(buyer.client)).toMatchObject({ flowsRead: 1, received: 1 });
    expect(await list(buyer.client)).toHaveLength(3);
  });
});

describe("Achats: answering the supplier through the PA", () => {
  it("refuses (210) with a reason code: the PA forwards it to the seller; nothing follows a refusal", async () => {
    const buyer = await buyerAccount();
    const { supplier, number } = await deliver(buyer.siren);
    await sync(buyer.client);
    const [item] = await list(buyer.client);

    // Without a reason code: 400, nothing sent, nothing recorded.
    const bad = await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 210 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; fields: Record<string, string> } }).error).toMatchObject({ code: "invalid", fields: { reasonCode: expect.any(String) } });
    const invented = await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 210, reasonCode: "PAS_ENVIE" });
    expect(invented.status).toBe(400);
    const wrongForStatus = await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 210, reasonCode: "AUTRE" });
    expect(wrongForStatus.status).toBe(400);
    expect((await list(buyer.client))[0]?.lifecycle).toEqual([]);

    const res = await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 210, reasonCode: "TX_TVA_ERR", reason: "Taux de 20 % au lieu de 10 %" });
    expect(res.status, await res.clone().text()).toBe(201);
    await paFlush();
    const seller = await paState(supplier);
    const invoice = seller.invoices.find((i) => i.number === number);
    expect(invoice?.lifecycle).toEqual([expect.objectContaining({ code: 210, reasonCode: "TX_TVA_ERR" })]);
    const ours = (await paState(buyer.siren)).flows.filter((f) => f.flowDirection === "Out");
    expect(ours.map((f) => f.acknowledgement.status)).toEqual(["Ok"]);

    const [after] = await list(buyer.client);
    expect(after).toMatchObject({ state: "refused", lifecycle: [{ code: 210, reasonCode: "TX_TVA_ERR" }] });
    const again = await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 205 });
    expect(again.status).toBe(409);
  });

  it("takes over (204), approves (205) and transmits the payment (211) with its amount, recorded as the payment", async () => {
    const buyer = await buyerAccount();
    const { supplier, number, total } = await deliver(buyer.siren);
    await sync(buyer.client);
    const [item] = await list(buyer.client);
    for (const code of [204, 205]) expect((await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code })).status).toBe(201);
    expect((await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 204 })).status).toBe(409);
    const tooMuch = await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 211, amountCents: total + 1 });
    expect(tooMuch.status).toBe(400);
    expect((await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 211, amountCents: total })).status).toBe(201);
    await paFlush();
    expect((await paState(supplier)).invoices.find((i) => i.number === number)?.lifecycle.map((l) => l.code)).toEqual([204, 205, 211]);
    const detail = (await (await buyer.client.json("GET", `/api/v1/purchases/${item!.id}`)).json()) as { paidCents: number; state: string; lifecycle: Array<{ code: number; amountCents: number | null }> };
    expect(detail).toMatchObject({ paidCents: total, state: "paid" });
    expect(detail.lifecycle.at(-1)).toMatchObject({ code: 211, amountCents: total });
  });

  it("records a status the supplier sends about a purchase (SupplierInvoiceLC, here 212) once, however often it is polled", async () => {
    const buyer = await buyerAccount();
    const { supplier, number } = await deliver(buyer.siren, { issueDate: "2026-10-05" });
    await sync(buyer.client);
    // The supplier (acting through the platform PA for its SIREN) files 212 Encaissée about it.
    const platform = platformPa(loadConfig(env))!;
    const sellerPa = paClientForEndpoint({ ...platform, organizationId: supplier, mode: "platform" });
    const cdar = buildCdar({
      code: 212,
      invoice: { number, issueDate: "2026-10-05" },
      seller: { siren: supplier, name: "Fournisseur" },
      buyer: { siren: buyer.siren, name: "Acheteur" },
      at: Date.now(),
      collected: [{ rateBasisPoints: 2000, amountCents: 12_000 }],
    });
    await sellerPa.submitFlow({ flowInfo: { flowSyntax: "CDAR", name: "212.xml", processingRule: "NotApplicable" }, file: new TextEncoder().encode(cdar) });
    await paFlush();
    expect(await sync(buyer.client)).toMatchObject({ flowsRead: 1, statuses: 1 });
    expect(await sync(buyer.client)).toMatchObject({ flowsRead: 0, statuses: 0 });
    const [item] = await list(buyer.client);
    expect(item?.lifecycle).toEqual([expect.objectContaining({ code: 212, direction: "in" })]);
  });

  it("sends a dispute (207) with its reason", async () => {
    const buyer = await buyerAccount();
    const { supplier, number } = await deliver(buyer.siren);
    await sync(buyer.client);
    const [item] = await list(buyer.client);
    expect((await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 207, reasonCode: "QTE_ERR", reason: "2 livrés sur 3" })).status).toBe(201);
    await paFlush();
    expect((await paState(supplier)).invoices.find((i) => i.number === number)?.lifecycle).toEqual([expect.objectContaining({ code: 207, reasonCode: "QTE_ERR" })]);
    expect((await list(buyer.client))[0]).toMatchObject({ state: "disputed" });
  });
});

describe("Achats: by hand, pages and payment", () => {
  it("adds a paper invoice by hand (no status can be sent), refuses a duplicate, records its payment", async () => {
    const buyer = await buyerAccount();
    const form = new FormData();
    for (const [k, v] of Object.entries({ supplierName: "Papeterie Dupont", number: "P 42", issueDate: "2026-11-03", taxExclusiveCents: "100,00", vatCents: "20,00", category: "goods" })) form.set(k, v);
    form.set("file", new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], "scan.jpg", { type: "image/jpeg" }));
    const res = await buyer.client.postMultipart("/achats/nouvelle", form);
    expect(res.status, await res.clone().text()).toBe(303);
    const [item] = await list(buyer.client);
    expect(item).toMatchObject({ number: "P 42", taxInclusiveCents: 12000, state: "received" });

    const dup = new FormData();
    for (const [k, v] of Object.entries({ supplierName: "PAPETERIE  dupont", number: "p42", issueDate: "2026-12-01", taxExclusiveCents: "1", vatCents: "0", category: "goods" })) dup.set(k, v);
    const again = await buyer.client.postMultipart("/achats/nouvelle", dup);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("déjà dans vos achats");
    expect(await list(buyer.client)).toHaveLength(1);

    const status = await buyer.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 205 });
    expect(status.status).toBe(409);

    const badPay = await buyer.client.postForm(`/achats/${item!.id}/paiement`, { paidOn: "2026-11-40", amountCents: "120", method: "card" });
    expect(badPay.status).toBe(400);
    const pay = await buyer.client.postForm(`/achats/${item!.id}/paiement`, { paidOn: "2026-11-20", amountCents: "120,00", method: "card" });
    expect(pay.status).toBe(303);
    expect((await list(buyer.client))[0]).toMatchObject({ state: "paid" });
  });

  it("sends a status from the page's form and shows it in the lifecycle", async () => {
    const buyer = await buyerAccount();
    await deliver(buyer.siren);
    expect((await buyer.client.postForm("/achats/relever", {})).status).toBe(303);
    const [item] = await list(buyer.client);
    const missing = await buyer.client.postForm(`/achats/${item!.id}/statut`, { code: "207", reasonCode: "", reason: "" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Choisissez un motif");
    const ok = await buyer.client.postForm(`/achats/${item!.id}/statut`, { code: "207", reasonCode: "PU_ERR", reason: "Prix du devis : 80 €" });
    expect(ok.status).toBe(303);
    const page = await (await buyer.client.get(ok.headers.get("location")!)).text();
    expect(page).toContain("En litige");
    expect(page).toContain("Prix unitaire erroné");
  });

  it("keeps each account's purchases to itself", async () => {
    const a = await buyerAccount();
    const b = await buyerAccount();
    await deliver(a.siren);
    await sync(a.client);
    const [item] = await list(a.client);
    expect((await b.client.json("GET", `/api/v1/purchases/${item!.id}`)).status).toBe(404);
    expect((await b.client.json("POST", `/api/v1/purchases/${item!.id}/status`, { code: 205 })).status).toBe(404);
    expect((await b.client.get(`/achats/${item!.id}/fichier`)).status).toBe(404);
    expect(await list(b.client)).toHaveLength(0);
  });
});

describe("Achats: the PA webhook", () => {
  it("refuses a bad signature and polls on a good one", async () => {
    const buyer = await buyerAccount();
    await deliver(buyer.siren);
    const body = JSON.stringify({ flowId: "x", flowType: "SupplierInvoice" });
    const post = (signature: string) =>
      buyer.client.fetch(`/webhooks/pa/purchases?account=${buyer.accountId}`, { method: "POST", body, headers: { "content-type": "application/json", signature } });
    expect((await post(base64Encode(new Uint8Array(32)))).status).toBe(403);
    expect(await list(buyer.client)).toHaveLength(0);
    const key = await webhookKey(loadConfig(env), buyer.accountId);
    const good = await post(base64Encode(await hmacSha256Bytes(key, body)));
    expect(good.status).toBe(200);
    expect(await list(buyer.client)).toHaveLength(1);
  });
});
