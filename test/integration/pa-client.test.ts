import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/worker/config";
import { PaError, type PaEndpoint, forgetPaTokens, paClientForEndpoint, platformPa } from "../../src/worker/features/einvoicing/pa-client";
import { PA_URL, ciiInvoice, paFlush, paSim, paState, randomSiren } from "../helpers/pa";

// The PA client module against the stand-in PA (test/stand-ins/pa-server.mjs), which follows
// PA-API.md §6: these tests pin both sides of the contract the rest of the feature relies on.

const platform = platformPa(loadConfig(env));
if (!platform) throw new Error("the test env has no platform PA (vitest.config.ts)");
const clientFor = (siren: string, over: Partial<PaEndpoint> = {}) => paClientForEndpoint({ ...platform, organizationId: siren, mode: "platform", ...over });
const utf8 = (s: string) => new TextEncoder().encode(s);

async function submitInvoice(seller: string, buyerAddress: string | null, number?: string, issueDate?: string) {
  const xml = ciiInvoice({ sellerSiren: seller, buyerAddress, ...(number ? { number } : {}), ...(issueDate ? { issueDate } : {}) });
  const flow = await clientFor(seller).submitFlow({ flowInfo: { flowSyntax: "CII", flowProfile: "CIUS", processingRule: "B2B", name: "facture.xml", trackingId: "doc-1" }, file: utf8(xml) });
  return { flow, xml };
}

describe("PA client and stand-in: authentication", () => {
  it("gets a token, and a wrong secret is invalid_client (not retryable)", async () => {
    forgetPaTokens();
    expect(await clientFor(randomSiren()).healthcheck()).toEqual({ ok: true });
    const bad = clientFor(randomSiren(), { clientSecret: "wrong", clientId: "nobody" });
    expect(await bad.healthcheck()).toMatchObject({ ok: false, code: "invalid_client" });
  });

  it("answers 401 MISSING_TOKEN without a bearer, and the client refreshes an expired token once", async () => {
    const raw = await fetch(`${PA_URL}/flow-service/v1/healthcheck`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ errorCode: "MISSING_TOKEN" });
    const siren = randomSiren();
    const pa = clientFor(siren);
    expect(await pa.healthcheck()).toEqual({ ok: true });
    await paSim("expire-tokens", {});
    expect(await pa.healthcheck()).toEqual({ ok: true });
  });

  it("refuses a foreign Organization-Id with 403", async () => {
    const owner = randomSiren();
    await paSim("clients", { clientId: `own-${owner}`, clientSecret: "s3cret-own", siren: owner });
    const own = paClientForEndpoint({ ...platform, clientId: `own-${owner}`, clientSecret: "s3cret-own", organizationId: randomSiren(), mode: "own" });
    await expect(own.searchFlows({ flowDirection: ["In"] })).rejects.toMatchObject({ httpStatus: 403, code: "FORBIDDEN_ACCESS" });
    // and the platform's delegated client may not act for a company enrolled by another client
    await expect(clientFor(owner).searchFlows({ flowDirection: ["In"] })).rejects.toMatchObject({ httpStatus: 403 });
  });
});

describe("PA client and stand-in: flows", () => {
  it("submits an invoice (202 Pending), then the PA-E acks it and the seller gets 200, 202, 203; the buyer a SupplierInvoice", async () => {
    const seller = randomSiren();
    const buyer = randomSiren();
    expect(await clientFor(buyer).directoryLines(buyer)).toMatchObject([{ addressingIdentifier: buyer, directoryLineStatus: "Enabled" }]);
    const { flow } = await submitInvoice(seller, buyer);
    expect(flow).toMatchObject({ flowDirection: "Out", flowType: "CustomerInvoice", trackingId: "doc-1", acknowledgement: { status: "Pending" } });
    expect(flow.sha256).toMatch(/^[0-9a-f]{64}$/);
    await paFlush();
    const pa = clientFor(seller);
    const [sent] = await pa.searchFlows({ trackingId: "doc-1" });
    expect(sent?.acknowledgement?.status).toBe("Ok");
    const statuses = await pa.searchFlows({ flowType: ["CustomerInvoiceLC"], flowDirection: ["In"] });
    expect(statuses.map((f) => f.name)).toEqual([expect.stringMatching(/^CDV-200-/), expect.stringMatching(/^CDV-202-/), expect.stringMatching(/^CDV-203-/)]);
    const received = await clientFor(buyer).searchFlows({ flowType: ["SupplierInvoice"], flowDirection: ["In"] });
    expect(received).toHaveLength(1);
    const original = await clientFor(buyer).download(received[0]?.flowId ?? "", "Original");
    expect(new TextDecoder().decode(original.bytes)).toContain(`<ram:URIID schemeID="0225">${buyer}</ram:URIID>`);
  });

  it("rejects a second invoice with the same number, year and seller (213 DOUBLON) and an unknown address (213 DEST_INC)", async () => {
    const seller = randomSiren();
    const buyer = randomSiren();
    await clientFor(buyer).directoryLines(buyer);
    await submitInvoice(seller, buyer, "F2026-DUP", "2026-03-01");
    await paFlush();
    // Another file (another date, same year) with the same number: a duplicate invoice, not AlreadyExistingFlow.
    await submitInvoice(seller, buyer, "F2026-DUP", "2026-03-02");
    await submitInvoice(seller, "999999998_NOWHERE", "F2026-LOST");
    await paFlush();
    const { invoices } = await paState(seller);
    const codes = (n: string) => invoices.filter((i) => i.number === n).flatMap((i) => i.lifecycle.map((l) => `${l.code}${l.reasonCode ? ` ${l.reasonCode}` : ""}`));
    expect(codes("F2026-DUP")).toEqual(["200", "202", "203"]);
    const statuses = await clientFor(seller).searchFlows({ flowType: ["CustomerInvoiceLC"] });
    expect(statuses.map((f) => f.name)).toEqual(expect.arrayContaining(["CDV-213-F2026-DUP.xml", "CDV-213-F2026-LOST.xml"]));
    const rejected = statuses.find((f) => f.name === "CDV-213-F2026-LOST.xml");
    const cdar = new TextDecoder().decode((await clientFor(seller).download(rejected?.flowId ?? "", "Original")).bytes);
    expect(cdar).toContain("<ram:ReasonCode>DEST_INC</ram:ReasonCode>");
  });

  it("acks Error for an empty file, unreadable XML and the same file sent twice; 422 for a wrong sha256; 400 without flowSyntax", async () => {
    const seller = randomSiren();
    const pa = clientFor(seller);
    const info = { flowSyntax: "CII", name: "f.xml", processingRule: "B2B" } as const;
    await pa.submitFlow({ flowInfo: { ...info, trackingId: "empty" }, file: new Uint8Array() });
    await pa.submitFlow({ flowInfo: { ...info, trackingId: "broken" }, file: utf8("<a><b></a>") });
    const xml = utf8(ciiInvoice({ sellerSiren: seller, buyerAddress: null }));
    await pa.submitFlow({ flowInfo: { ...info, trackingId: "once" }, file: xml });
    await paFlush();
    await pa.submitFlow({ flowInfo: { ...info, trackingId: "twice" }, file: xml });
    await expect(pa.submitFlow({ flowInfo: { ...info, sha256: "0".repeat(64) }, file: xml })).rejects.toMatchObject({ httpStatus: 422 });
    await expect(pa.submitFlow({ flowInfo: { name: "x" } as never, file: xml })).rejects.toMatchObject({ httpStatus: 400, code: "MISSING_REQUIRED_FIELD" });
    await paFlush();
    const reason = async (trackingId: string) => (await pa.searchFlows({ trackingId }))[0]?.acknowledgement?.details?.[0]?.reasonCode;
    expect(await reason("empty")).toBe("EmptyFlow");
    expect(await reason("broken")).toBe("InvalidSchema");
    expect(await reason("twice")).toBe("AlreadyExistingFlow");
  });

  it("answers 413 for a file over the size limit", async () => {
    const seller = randomSiren();
    await paSim("config", { siren: seller, maxFileBytes: 1000 });
    await expect(clientFor(seller).submitFlow({ flowInfo: { flowSyntax: "CII", name: "big.xml" }, file: new Uint8Array(5000) })).rejects.toMatchObject({ httpStatus: 413, code: "FILE_SIZE_EXCEEDED" });
  });

  it("search: strict updatedAfter, ascending updatedAt, AND between filters and OR within a list; 400 for limit > 100 or no filter", async () => {
    const seller = randomSiren();
    const buyer = randomSiren();
    await clientFor(buyer).directoryLines(buyer);
    await submitInvoice(seller, buyer);
    await paFlush();
    const pa = clientFor(seller);
    const all = await pa.searchFlows({ flowType: ["CustomerInvoice", "CustomerInvoiceLC"] });
    expect(all).toHaveLength(4);
    const times = all.map((f) => Date.parse(f.updatedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // paging by the last updatedAt: strictly after, nothing repeated, nothing skipped
    const page1 = await pa.searchFlows({ flowType: ["CustomerInvoice", "CustomerInvoiceLC"] }, 2);
    const page2 = await pa.searchFlows({ flowType: ["CustomerInvoice", "CustomerInvoiceLC"], updatedAfter: page1[1]?.updatedAt ?? "" }, 2);
    expect([...page1, ...page2].map((f) => f.flowId)).toEqual(all.map((f) => f.flowId));
    expect(await pa.searchFlows({ flowType: ["CustomerInvoice"], flowDirection: ["In"] })).toEqual([]);
    expect(await pa.searchFlows({ flowType: ["CustomerInvoiceLC"], ackStatus: "Ok" })).toHaveLength(3);
    await expect(pa.searchFlows({ flowDirection: ["In"] }, 101)).rejects.toMatchObject({ httpStatus: 400 });
    await expect(pa.searchFlows({})).rejects.toMatchObject({ httpStatus: 400 });
  });

  it("downloads Metadata, Original, Converted and ReadableView, and 404s another tenant's flow", async () => {
    const seller = randomSiren();
    const { flow, xml } = await submitInvoice(seller, null);
    const pa = clientFor(seller);
    expect((await pa.download(flow.flowId, "Metadata")).flowId).toBe(flow.flowId);
    expect(new TextDecoder().decode((await pa.download(flow.flowId, "Original")).bytes)).toBe(xml);
    expect(new TextDecoder().decode((await pa.download(flow.flowId, "Converted")).bytes)).toBe(xml);
    expect(new TextDecoder().decode((await pa.download(flow.flowId, "ReadableView")).bytes)).toContain("<table>");
    await expect(clientFor(randomSiren()).download(flow.flowId, "Metadata")).rejects.toMatchObject({ httpStatus: 404 });
  });
});

describe("PA client and stand-in: directory, limits, outages", () => {
  it("has seed lines Enabled, Disabled and Upcoming; an unknown SIREN has none; a partial SIREN is 501", async () => {
    const pa = clientFor(randomSiren());
    expect((await pa.directoryLines("552081317")).map((l) => l.directoryLineStatus)).toEqual(["Enabled", "Enabled"]);
    expect((await pa.directoryLines("542107651")).map((l) => l.directoryLineStatus)).toEqual(["Disabled"]);
    expect((await pa.directoryLines("572015246")).map((l) => l.directoryLineStatus)).toEqual(["Upcoming"]);
    expect(await pa.directoryLines("999999998")).toEqual([]);
    expect(await pa.legalUnit("999999998")).toBeNull();
    expect(await pa.legalUnit("552081317")).toMatchObject({ siren: "552081317" });
    await expect(pa.directoryLines("5520")).rejects.toMatchObject({ httpStatus: 501 });
  });

  it("answers 429 with Retry-After past the rate limit, and 503 during an outage (both retryable)", async () => {
    const siren = randomSiren();
    const pa = clientFor(siren);
    await paSim("config", { siren, rateLimitPerMinute: 0 });
    const limited = await pa.searchFlows({ flowDirection: ["In"] }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(PaError);
    expect(limited).toMatchObject({ httpStatus: 429, code: "TOO_MANY_REQUESTS", retryable: true, retryAfterSeconds: 1 });
    await paSim("config", { siren, rateLimitPerMinute: 6000 });
    await paSim("outage", { siren, on: true });
    await expect(pa.searchFlows({ flowDirection: ["In"] })).rejects.toMatchObject({ httpStatus: 503, code: "RESOURCE_ERROR", retryable: true });
    await paSim("outage", { siren, on: false });
    expect(await pa.searchFlows({ flowDirection: ["In"] })).toEqual([]);
  });

  it("manages webhook subscriptions (create, list, delete)", async () => {
    const siren = randomSiren();
    const pa = clientFor(siren);
    const id = await pa.subscribeWebhook({ url: "http://127.0.0.1:9/none", key: new Uint8Array(32), flowType: "CustomerInvoiceLC", flowDirection: "In" });
    expect(await pa.listWebhooks()).toEqual([id]);
    await pa.deleteWebhook(id);
    expect(await pa.listWebhooks()).toEqual([]);
  });
});
