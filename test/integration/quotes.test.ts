import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TestClient } from "../helpers/client";
import { createDraftVia, draftBody, issueOn, readyAccount } from "../helpers/invoicing";

const year = new Date().getUTCFullYear();
type Doc = { id: string; number: string; status: string; pdfSha256: string; taxInclusiveCents: number; dueCents: number; type: string };

async function sentQuote(validUntil = `${year + 1}-12-31`) {
  const a = await readyAccount();
  const id = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", validUntil }));
  const issued = (await (await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).json()) as { document: Doc };
  const share = (await (await a.client.json("POST", `/api/v1/documents/${id}/share`)).json()) as { url: string };
  return { a, id, quote: issued.document, path: new URL(share.url).pathname };
}

describe("quotes", () => {
  it("numbers a quote in its own series and marks it sent", async () => {
    const { quote } = await sentQuote();
    expect(quote.number).toBe(`D-${year}-0001`);
    expect(quote.status).toBe("sent");
  });

  it("is accepted on its public page: who, when, IP and the SHA-256 of the exact PDF", async () => {
    const { id, quote, path } = await sentQuote();
    const visitor = new TestClient({ "cf-connecting-ip": "192.0.2.44" });
    const page = await visitor.get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    const html = await page.text();
    expect(html).toContain(quote.number);
    expect(html).toContain("Bon pour accord");

    const pdf = await visitor.fetch(`${path}/document.pdf`);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");

    // Without ticking the box: refused, nothing recorded.
    const missing = await visitor.postForm(`${path}/accepter`, { name: "Jeanne Client" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Cochez la case");

    expect((await visitor.postForm(`${path}/accepter`, { name: "Jeanne Client", accept: "on" })).status).toBe(303);
    const row = await env.DB.prepare("SELECT status, accepted_by_name, accepted_ip, accepted_pdf_sha256, accepted_at FROM documents WHERE id = ?").bind(id).first<Record<string, unknown>>();
    expect(row).toMatchObject({ status: "accepted", accepted_by_name: "Jeanne Client", accepted_ip: "192.0.2.44", accepted_pdf_sha256: quote.pdfSha256 });
    expect(row?.accepted_at).toBeTypeOf("number");
    expect(await (await visitor.get(path)).text()).toContain("Devis accepté par Jeanne Client");
    // A second answer is refused.
    expect((await visitor.postForm(`${path}/refuser`, {})).status).toBe(409);
  });

  it("cannot be accepted once expired", async () => {
    const { path } = await sentQuote(`${year - 1}-01-01`);
    const visitor = new TestClient();
    expect(await (await visitor.get(path)).text()).toContain("a expiré");
    expect((await visitor.postForm(`${path}/accepter`, { name: "Jeanne Client", accept: "on" })).status).toBe(409);
  });

  it("answers 404 for an unknown, malformed or revoked link", async () => {
    const { a, id, path } = await sentQuote();
    const visitor = new TestClient();
    expect((await visitor.get(`${path.slice(0, -4)}AAAA`)).status).toBe(404);
    expect((await visitor.get("/p/nope")).status).toBe(404);
    expect((await a.client.json("DELETE", `/api/v1/documents/${id}/share`)).status).toBe(204);
    expect((await visitor.get(path)).status).toBe(404);
  });

  it("turns into a 30 % deposit invoice, then a final invoice that deducts it", async () => {
    const { a, id, path, quote } = await sentQuote();
    await new TestClient().postForm(`${path}/accepter`, { name: "Jeanne Client", accept: "on" });

    const dep = await a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "deposit_invoice", percentBp: 3000 });
    expect(dep.status).toBe(201);
    const depositId = ((await dep.json()) as { document: Doc }).document.id;
    const deposit = ((await (await a.client.json("POST", `/api/v1/documents/${depositId}/issue`, {})).json()) as { document: Doc }).document;
    expect(deposit.number).toBe(`FA-${year}-0001`);
    expect(deposit.taxInclusiveCents).toBe(Math.round(quote.taxInclusiveCents * 0.3));

    const fin = await a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "invoice" });
    const finalId = ((await fin.json()) as { document: Doc }).document.id;
    const final = ((await (await a.client.json("POST", `/api/v1/documents/${finalId}/issue`, {})).json()) as { document: Doc }).document;
    expect(final.number).toBe(`F-${year}-0001`);
    expect(final.taxInclusiveCents).toBe(quote.taxInclusiveCents);
    expect(final.dueCents).toBe(quote.taxInclusiveCents - deposit.taxInclusiveCents);
    const xml = await (await a.client.json("GET", `/api/v1/documents/${finalId}/xml`)).text();
    expect(xml).toContain(deposit.number);
  });

  it("refuses a deposit percentage out of range", async () => {
    const { a, id } = await sentQuote();
    const res = await a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "deposit_invoice", percentBp: 0 });
    expect(res.status).toBe(400);
  });
});

describe("public invoice page", () => {
  it("shows an issued invoice and its PDF behind a revocable link", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    const { url } = (await (await a.client.json("POST", `/api/v1/documents/${id}/share`)).json()) as { url: string };
    const visitor = new TestClient();
    const html = await (await visitor.get(new URL(url).pathname)).text();
    expect(html).toContain(`F-${year}-0001`);
    expect(html).not.toContain("Bon pour accord");
  });

  it("cannot share a draft", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/share`)).status).toBe(409);
  });
});

describe("document lists", () => {
  it("searches by number prefix or client name, accents and case aside", async () => {
    const a = await readyAccount();
    const { insertClient } = await import("../helpers/invoicing");
    const other = await insertClient(a.accountId, { name: "École Élan", search_name: "ecole elan", siren: "732829320" });
    const first = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.json("POST", `/api/v1/documents/${first}/issue`, {});
    await createDraftVia(a.client, draftBody(other));
    const byClient = (await (await a.client.json("GET", "/api/v1/documents?q=ECOLE")).json()) as { items: Array<{ clientName: string }> };
    expect(byClient.items.map((i) => i.clientName)).toEqual(["École Élan"]);
    const byNumber = (await (await a.client.json("GET", `/api/v1/documents?q=f-${year}`)).json()) as { items: Array<{ number: string }> };
    expect(byNumber.items.map((i) => i.number)).toEqual([`F-${year}-0001`]);
    const wildcard = (await (await a.client.json("GET", "/api/v1/documents?q=%25")).json()) as { items: unknown[] };
    expect(wildcard.items).toHaveLength(0);
    const page = await a.client.get("/factures?q=ecole");
    expect(await page.text()).toContain("École Élan");
  });
});

describe("quote status filters", () => {
  it("lists a sent quote past its validity under Expirés, not under Envoyés", async () => {
    const a = await readyAccount();
    const old = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", validUntil: `${year - 1}-01-31` }));
    await issueOn(a.accountId, old, `${year - 1}-01-15`);
    const fresh = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", validUntil: `${year + 1}-01-31` }));
    await a.client.json("POST", `/api/v1/documents/${fresh}/issue`, {});
    const expired = (await (await a.client.json("GET", "/api/v1/documents?type=quote&status=expired")).json()) as { items: Array<{ id: string; status: string }> };
    expect(expired.items.map((i) => [i.id, i.status])).toEqual([[old, "expired"]]);
    const sent = (await (await a.client.json("GET", "/api/v1/documents?type=quote&status=sent")).json()) as { items: Array<{ id: string }> };
    expect(sent.items.map((i) => i.id)).toEqual([fresh]);
  });
});
