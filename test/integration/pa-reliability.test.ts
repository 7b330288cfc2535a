import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/worker/config";
import { webhookKey } from "../../src/worker/features/einvoicing/connection";
import { syncStatuses } from "../../src/worker/features/einvoicing/inbound";
import { processOutbox } from "../../src/worker/features/einvoicing/outbox";
import { base64Encode, hmacSha256Bytes, utf8Bytes } from "../../src/worker/lib/crypto/random";
import { syncPurchases } from "../../src/worker/features/purchases/verbs";
import { TestClient } from "../helpers/client";
import { verbCtx } from "../helpers/invoicing";
import { ciiInvoice, invoiceTo, networkAccount, paFlush, paSim, paState, randomSiren, transmission } from "../helpers/pa";

// The reliability harness's row "PA outage and duplicate delivery" (scripts/reliability.mjs):
// nothing is lost while the PA is down or throttling, and nothing counts twice when it delivers
// the same flow or webhook twice.

const MINUTE = 60_000;

async function submissions(accountId: string) {
  const { results } = await env.DB.prepare("SELECT id, state, attempts, next_attempt_at AS next FROM pa_submissions WHERE account_id = ? ORDER BY created_at").bind(accountId).all<{ id: string; state: string; attempts: number; next: number | null }>();
  return results;
}

describe("PA outage and duplicate delivery", () => {
  it("503 then 429 for a while: the outbox waits 2, 4, 8… minutes (at least Retry-After) and files each invoice exactly once when the PA is back", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    await paSim("outage", { siren: seller.siren, on: true });
    const docs = [];
    for (let i = 0; i < 3; i++) docs.push(await invoiceTo(seller, buyer.siren));
    for (const d of docs) expect(await transmission(seller.client, d.id)).toMatchObject({ status: "queued" });

    // Down for three more rounds of the cron: each attempt fails and the wait doubles.
    let now = Date.now();
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const due = Math.max(...(await submissions(seller.accountId)).map((r) => r.next ?? 0));
      now = Math.max(now, due) + 1_000;
      expect(await processOutbox(seller.ctx(now))).toMatchObject({ retry: 3, sent: 0 });
      const rows = await submissions(seller.accountId);
      waits.push(Math.round(((rows[0]?.next ?? 0) - now) / MINUTE));
    }
    expect(waits).toEqual([2, 4, 8]);

    // Back, but throttling (429 + Retry-After): still queued, nothing filed.
    await paSim("outage", { siren: seller.siren, on: false });
    await paSim("config", { siren: seller.siren, rateLimitPerMinute: 0 });
    now += 9 * MINUTE;
    expect(await processOutbox(seller.ctx(now))).toMatchObject({ retry: 3, sent: 0 });
    expect((await submissions(seller.accountId)).every((r) => r.state === "queued" && r.attempts === 5)).toBe(true);
    expect((await paState(seller.siren)).flows.filter((f) => f.flowDirection === "Out")).toHaveLength(0);

    // Back for good: the cron and a webhook-triggered run race for the same rows; each is filed once.
    await paSim("config", { siren: seller.siren, rateLimitPerMinute: 6000 });
    now += 17 * MINUTE;
    const [one, two] = await Promise.all([processOutbox(seller.ctx(now)), processOutbox(seller.ctx(now))]);
    expect(one.sent + two.sent).toBe(3);
    await paFlush();
    const out = (await paState(seller.siren)).flows.filter((f) => f.flowType === "CustomerInvoice");
    expect(out.map((f) => f.trackingId).sort()).toEqual(docs.map((d) => d.id).sort());
    expect((await paState(buyer.siren)).flows.filter((f) => f.flowType === "SupplierInvoice")).toHaveLength(3);
    await syncStatuses(seller.ctx());
    for (const d of docs) expect((await transmission(seller.client, d.id)).lifecycle.map((e) => e.code)).toEqual([200, 202, 203]);
  });

  it("the same webhook delivered twice at once and two polls racing record each status once", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    await paSim("buyer-status", { sellerSiren: seller.siren, number: doc.number, code: 210, reasonCode: "TX_TVA_ERR", reason: "Taux de TVA erroné" });
    await paFlush();
    const body = JSON.stringify({ flowId: "fl_hint", updatedAt: new Date().toISOString() });
    const sig = base64Encode(await hmacSha256Bytes(await webhookKey(loadConfig(env), seller.accountId), utf8Bytes(body)));
    const post = () => new TestClient().fetch(`/webhooks/pa/${seller.accountId}`, { method: "POST", headers: { "content-type": "application/json", signature: sig }, body });
    const answers = await Promise.all([post(), post(), syncStatuses(seller.ctx())]);
    expect(answers.slice(0, 2).map((r) => (r as Response).status)).toEqual([200, 200]);
    const tx = await transmission(seller.client, doc.id);
    expect(tx.lifecycle.map((e) => e.code)).toEqual([200, 202, 203, 210]);
    const { results } = await env.DB.prepare("SELECT COUNT(*) AS n FROM transmission_events WHERE account_id = ?").bind(seller.accountId).all<{ n: number }>();
    expect(results[0]?.n).toBe(4);
  });

  it("flows stamped with one instant across a page boundary are all read: statuses and supplier invoices (an (instant, ids) cursor)", async () => {
    const buyer = await networkAccount();
    const seller = await networkAccount();
    const doc = await invoiceTo(seller, buyer.siren);
    await paFlush();
    await syncStatuses(seller.ctx());
    // 204 alone, then 205 and 207 on one instant (a PA's coarse timestamps), read 2 flows a page.
    await paSim("buyer-status", { sellerSiren: seller.siren, number: doc.number, code: 204 });
    const tie = new Date(Date.now() + 2_000).toISOString();
    await paSim("config", { siren: seller.siren, fixedUpdatedAt: tie });
    await paSim("buyer-status", { sellerSiren: seller.siren, number: doc.number, code: 205 });
    await paSim("buyer-status", { sellerSiren: seller.siren, number: doc.number, code: 207, reasonCode: "AUTRE", reason: "Quantité" });
    await paSim("config", { siren: seller.siren, fixedUpdatedAt: null });
    await syncStatuses(seller.ctx(), 2);
    expect((await transmission(seller.client, doc.id)).lifecycle.map((e) => e.code)).toEqual([200, 202, 203, 204, 205, 207]);
    // Idle: the tied flows come back with the next search and are skipped by the cursor's ids.
    expect(await syncStatuses(seller.ctx(), 2)).toMatchObject({ flows: 0, statuses: 0 });

    const supplier = randomSiren();
    // After the seller's invoice above: TIE-1 and TIE-2 on one instant (page 1 ends with TIE-1), then TIE-3.
    await paSim("config", { siren: buyer.siren, fixedUpdatedAt: new Date(Date.now() + 2_000).toISOString() });
    await paSim("supplier-invoice", { xml: ciiInvoice({ sellerSiren: supplier, buyerAddress: buyer.siren, number: "TIE-1" }), buyerSiren: buyer.siren });
    await paSim("supplier-invoice", { xml: ciiInvoice({ sellerSiren: supplier, buyerAddress: buyer.siren, number: "TIE-2" }), buyerSiren: buyer.siren });
    await paSim("config", { siren: buyer.siren, fixedUpdatedAt: null });
    await new Promise((r) => setTimeout(r, 2_100));
    await paSim("supplier-invoice", { xml: ciiInvoice({ sellerSiren: supplier, buyerAddress: buyer.siren, number: "TIE-3" }), buyerSiren: buyer.siren });
    const got = await syncPurchases(verbCtx(buyer.accountId), 2);
    expect(got).toMatchObject({ received: 4 });
    expect(await syncPurchases(verbCtx(buyer.accountId), 2)).toMatchObject({ flowsRead: 0, received: 0 });
  });

  it("a supplier invoice the PA delivers twice (two flows) and two polls racing make one purchase", async () => {
    const buyer = await networkAccount();
    const supplier = randomSiren();
    const xml = ciiInvoice({ sellerSiren: supplier, buyerAddress: buyer.siren, number: "FAC-DOUBLE-1" });
    await paSim("supplier-invoice", { xml, buyerSiren: buyer.siren });
    await paSim("supplier-invoice", { xml, buyerSiren: buyer.siren });
    const sync = () => buyer.client.json("POST", "/api/v1/purchases/sync", {});
    const [a, b] = await Promise.all([sync(), sync()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const items = ((await (await buyer.client.json("GET", "/api/v1/purchases")).json()) as { items: Array<{ number: string }> }).items;
    expect(items.filter((i) => i.number === "FAC-DOUBLE-1")).toHaveLength(1);
    // And again later: still one.
    expect((await sync()).status).toBe(200);
    const again = ((await (await buyer.client.json("GET", "/api/v1/purchases")).json()) as { items: Array<{ number: string }> }).items;
    expect(again).toHaveLength(1);
  });
});
