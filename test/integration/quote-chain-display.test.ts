import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DocumentSnapshot } from "../../src/worker/domain/document";
import { formatDate, formatMoney } from "../../src/worker/domain/format";
import { translator } from "../../src/worker/ui/i18n";
import { TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Issue #13, "Quote chain", what people see: deposit and final invoices name their quote (PDF,
// Factur-X note, page with a link), the quote lists them, and once its final invoice is issued
// it reads "Facturé" and offers no conversion.

const fr = translator("fr");
type Doc = { id: string; number: string; status: string; issueDate: string; taxInclusiveCents: number };

async function acceptedQuote() {
  const a = await readyAccount();
  const id = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` }));
  const issued = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  expect(issued.status).toBe(200);
  const quote = ((await issued.json()) as { document: Doc }).document;
  const share = (await (await a.client.json("POST", `/api/v1/documents/${id}/share`)).json()) as { url: string };
  expect((await new TestClient().postForm(`${new URL(share.url).pathname}/accepter`, { name: "Jeanne Client", accept: "on" })).status).toBe(303);
  return { a, quote };
}

async function convertAndIssue(client: TestClient, quoteId: string, body: Record<string, unknown>): Promise<Doc> {
  const res = await client.json("POST", `/api/v1/documents/${quoteId}/convert`, body);
  expect(res.status).toBe(201);
  const draft = ((await res.json()) as { document: Doc }).document;
  const issued = await client.json("POST", `/api/v1/documents/${draft.id}/issue`, {});
  expect(issued.status).toBe(200);
  return ((await issued.json()) as { document: Doc }).document;
}

const snapshotOf = async (id: string) =>
  JSON.parse((await env.DB.prepare("SELECT snapshot FROM documents WHERE id = ?").bind(id).first<{ snapshot: string }>())!.snapshot) as DocumentSnapshot;

describe("the quote chain, as shown", () => {
  it("deposit and final invoices name their quote in the snapshot, the XML and on their page; the invoiced quote lists them, reads Facturé and offers no conversion", async () => {
    const { a, quote } = await acceptedQuote();
    const deposit = await convertAndIssue(a.client, quote.id, { to: "deposit_invoice", percentBp: 3000 });

    // Before its final invoice the quote still converts, and lists its deposit.
    const open = await (await a.client.get(`/documents/${quote.id}`)).text();
    expect(open).toContain(fr("quotes.convert.invoice"));
    expect(open).toContain(`href="/documents/${deposit.id}"`);
    expect(open).not.toContain(fr("documents.status.invoiced"));

    const final = await convertAndIssue(a.client, quote.id, { to: "invoice" });
    const reference = `Devis ${quote.number} du ${formatDate(quote.issueDate, "fr")}`;

    for (const doc of [deposit, final]) {
      // Frozen at issue: the snapshot (and so the PDF and XML made from it) names the quote.
      expect((await snapshotOf(doc.id)).sourceQuote).toEqual({ number: quote.number, issueDate: quote.issueDate });
      const page = await (await a.client.get(`/documents/${doc.id}`)).text();
      expect(page).toContain(`<a href="/documents/${quote.id}">${reference}</a>`);
      const xml = await (await a.client.get(`/documents/${doc.id}/telecharger.xml`)).text();
      expect(xml).toContain(`<ram:Content>${reference}</ram:Content>`);
    }
    // A quote's own snapshot names no quote.
    expect((await snapshotOf(quote.id)).sourceQuote).toBeUndefined();

    const page = await (await a.client.get(`/documents/${quote.id}`)).text();
    expect(page).toContain(`doc-status-invoiced">${fr("documents.status.invoiced")}<`);
    for (const doc of [deposit, final]) {
      expect(page).toContain(`href="/documents/${doc.id}" class="doc-number">${doc.number}</a>`);
      expect(page).toContain(formatMoney(doc.taxInclusiveCents, "fr"));
    }
    // No conversion offered any more (the API refuses it too: quote-chain.test.ts).
    expect(page).not.toContain(fr("quotes.convert.invoice"));
    expect(page).not.toContain(fr("quotes.convert.deposit"));
    expect(page).not.toContain("/transformer");

    // The lists and the API say it too.
    const list = await (await a.client.get("/devis")).text();
    expect(list).toContain(`doc-status-invoiced">${fr("documents.status.invoiced")}<`);
    const api = (await (await a.client.json("GET", "/api/v1/documents?type=quote")).json()) as { items: Array<{ id: string; status: string }> };
    expect(api.items.find((d) => d.id === quote.id)?.status).toBe("invoiced");
  });

  it("a quote whose final invoice is still a draft is not invoiced: it still offers its conversions", async () => {
    const { a, quote } = await acceptedQuote();
    const res = await a.client.json("POST", `/api/v1/documents/${quote.id}/convert`, { to: "invoice" });
    expect(res.status).toBe(201);
    const page = await (await a.client.get(`/documents/${quote.id}`)).text();
    expect(page).toContain(fr("quotes.convert.invoice"));
    expect(page).toContain(`class="doc-number doc-draft">${fr("documents.draftNumber")}</a>`);
    expect(page).not.toContain(fr("documents.status.invoiced"));
  });
});
