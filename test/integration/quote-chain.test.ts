import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Issue #13, "Money and legal limits": a quote is invoiced once, its deposits ask at most 100 % of
// it, credit notes give back at most what their invoice holds — under parallel requests too.

type Doc = { id: string; number: string; status: string; taxInclusiveCents: number };
type ApiError = { error: { code: string; message: string; fields?: Record<string, string> } };

async function acceptedQuote() {
  const a = await readyAccount();
  const id = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` }));
  expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
  const share = (await (await a.client.json("POST", `/api/v1/documents/${id}/share`)).json()) as { url: string };
  expect((await new TestClient().postForm(`${new URL(share.url).pathname}/accepter`, { name: "Jeanne Client", accept: "on" })).status).toBe(303);
  return { a, id };
}

const issue = async (client: TestClient, id: string) => client.json("POST", `/api/v1/documents/${id}/issue`, {});
const fromQuote = (quoteId: string) =>
  env.DB.prepare("SELECT id, type, status, deposit_bp AS bp, tax_exclusive_cents AS ht FROM documents WHERE source_quote_id = ? ORDER BY created_at").bind(quoteId).all<{ id: string; type: string; status: string; bp: number; ht: number }>();

describe("a quote's invoices", () => {
  it("converts once under 20 parallel requests: one draft, opened by every request; once issued, the quote reads invoiced", async () => {
    const { a, id } = await acceptedQuote();
    const results = await Promise.all(Array.from({ length: 20 }, () => a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "invoice" })));
    const ids = new Set<string>();
    for (const r of results) {
      expect(r.status).toBe(201);
      ids.add(((await r.json()) as { document: Doc }).document.id);
    }
    expect(ids.size).toBe(1);
    expect((await fromQuote(id)).results.filter((d) => d.type === "invoice")).toHaveLength(1);
    const finalId = [...ids][0]!;
    const final = ((await (await issue(a.client, finalId)).json()) as { document: Doc }).document;
    for (const body of [{ to: "invoice" }, { to: "deposit_invoice", percentBp: 1000 }]) {
      const again = await a.client.json("POST", `/api/v1/documents/${id}/convert`, body);
      expect(again.status).toBe(409);
      expect(((await again.json()) as ApiError).error.message).toContain(`facturé (${final.number})`);
    }
    expect((await fromQuote(id)).results).toHaveLength(1);
  });

  it("refuses deposits beyond 100 % (30 % + 90 %) saying what remains, and holds the limit under parallel requests", async () => {
    const { a, id } = await acceptedQuote();
    const dep = await a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "deposit_invoice", percentBp: 3000 });
    expect(dep.status).toBe(201);
    expect((await issue(a.client, ((await dep.json()) as { document: Doc }).document.id)).status).toBe(200);
    const before = (await fromQuote(id)).results;
    const over = await a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "deposit_invoice", percentBp: 9000 });
    expect(over.status).toBe(409);
    const body = (await over.json()) as ApiError;
    expect(body.error.code).toBe("conflict");
    expect(body.error.fields?.percent).toMatch(/il reste 70 % à demander/);
    expect((await fromQuote(id)).results).toEqual(before);

    // 20 parallel requests for 40 %: one draft, which every request opens.
    const results = await Promise.all(Array.from({ length: 20 }, () => a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "deposit_invoice", percentBp: 4000 })));
    expect(new Set(await Promise.all(results.map(async (r) => (r.status === 201 ? ((await r.json()) as { document: Doc }).document.id : `status ${r.status}`)))).size).toBe(1);
    const drafts = (await fromQuote(id)).results.filter((d) => d.status === "draft");
    expect(drafts).toHaveLength(1);
    expect((await issue(a.client, drafts[0]!.id)).status).toBe(200);
    // 30 % remains: 20 parallel requests for 40 % are all refused; then exactly 30 % is accepted.
    const refused = await Promise.all(Array.from({ length: 20 }, () => a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "deposit_invoice", percentBp: 4000 })));
    expect(refused.map((r) => r.status)).toEqual(Array(20).fill(409));
    const last = await a.client.json("POST", `/api/v1/documents/${id}/convert`, { to: "deposit_invoice", percentBp: 3000 });
    expect(last.status).toBe(201);
    expect((await issue(a.client, ((await last.json()) as { document: Doc }).document.id)).status).toBe(200);
    const deposits = (await fromQuote(id)).results.filter((d) => d.type === "deposit_invoice");
    expect(deposits.reduce((s, d) => s + d.bp, 0)).toBe(10_000);
    // Cumulative shares: the deposits' bases add up to the quote's exactly.
    const quote = await env.DB.prepare("SELECT tax_exclusive_cents AS ht FROM documents WHERE id = ?").bind(id).first<{ ht: number }>();
    expect(deposits.reduce((s, d) => s + d.ht, 0)).toBe(quote!.ht);
  });
});

describe("credit notes", () => {
  const line = (cents: number) => [{ description: "Avoir partiel", quantity: "1", unitCode: "C62", unitPriceCents: cents, vatCategory: "S", vatRateBp: 2000, kind: "service" }];

  it("never exceed what the invoice still holds, even issued in parallel, and say what remains", async () => {
    const a = await readyAccount();
    const invId = await createDraftVia(a.client, draftBody(a.clientId, { lines: line(100_000) }));
    expect((await issue(a.client, invId)).status).toBe(200); // 1 200,00 € TTC
    const notes: string[] = [];
    for (let i = 0; i < 8; i += 1) notes.push(await createDraftVia(a.client, { type: "credit_note", clientId: a.clientId, precedingDocumentId: invId, lines: line(30_000) })); // 360,00 € each
    const before = await Promise.all(notes.map((n) => env.DB.prepare("SELECT * FROM documents WHERE id = ?").bind(n).first()));
    const results = await Promise.all(notes.map((n) => issue(a.client, n)));
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBe(3); // 3 × 360 = 1 080 ≤ 1 200; a fourth would be 1 440
    for (const [i, r] of results.entries()) {
      if (r.status === 200) continue;
      expect(r.status).toBe(409);
      expect(((await r.json()) as ApiError).error.message).toMatch(/120,00\s€ au plus/);
      expect(await env.DB.prepare("SELECT * FROM documents WHERE id = ?").bind(notes[i]).first()).toEqual(before[i]);
    }
    const credited = await env.DB.prepare("SELECT SUM(tax_inclusive_cents) AS s FROM documents WHERE preceding_document_id = ? AND status != 'draft'").bind(invId).first<{ s: number }>();
    expect(credited!.s).toBe(108_000);
    // Cancelling the invoice would credit its full amount again: refused, nothing left behind.
    const cancel = await a.client.json("POST", `/api/v1/documents/${invId}/cancel`, {});
    expect(cancel.status).toBe(409);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM documents WHERE preceding_document_id = ?").bind(invId).first<{ n: number }>()).toEqual({ n: 8 });
  });
});
