import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueDocument } from "../../src/worker/features/documents/issue";
import { runScheduled } from "../../src/worker/jobs/crons";
import { sha256Hex } from "../../src/worker/lib/crypto/random";
import { signedUpClient } from "../helpers/client";
import { FRANCHISE_PROFILE, createDraftVia, draftBody, issueOn, readyAccount, verbCtx } from "../helpers/invoicing";

const year = new Date().getUTCFullYear();
type Doc = { id: string; number: string | null; status: string; pdfSha256: string | null; xmlSha256: string | null; dueDate: string | null };

async function issue(client: Awaited<ReturnType<typeof readyAccount>>["client"], id: string, body: Record<string, unknown> = {}) {
  return client.json("POST", `/api/v1/documents/${id}/issue`, body);
}

describe("issuing an invoice", () => {
  it("gives the first number of the year, stores the PDF and XML with their SHA-256", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const draft = (await (await a.client.json("GET", `/api/v1/documents/${id}`)).json()) as { document: Doc };
    expect(draft.document.number).toBeNull();

    const res = await issue(a.client, id);
    expect(res.status).toBe(200);
    const { document } = (await res.json()) as { document: Doc };
    expect(document.number).toBe(`F-${year}-0001`);
    expect(document.status).toBe("issued");
    expect(document.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const pdf = await a.client.json("GET", `/api/v1/documents/${id}/pdf`);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 8))).toBe("%PDF-1.7");
    expect(await sha256Hex(bytes)).toBe(document.pdfSha256);
    const xml = await a.client.json("GET", `/api/v1/documents/${id}/xml`);
    const xmlText = await xml.text();
    expect(xmlText).toContain(`F-${year}-0001`);
    expect(await sha256Hex(xmlText)).toBe(document.xmlSha256);
  });

  it("refuses to issue twice, and the refusal consumes no number", async () => {
    const a = await readyAccount();
    const first = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await issue(a.client, first)).status).toBe(200);
    const again = await issue(a.client, first);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain(`F-${year}-0001`);
    const second = await createDraftVia(a.client, draftBody(a.clientId));
    const { document } = (await (await issue(a.client, second)).json()) as { document: Doc };
    expect(document.number).toBe(`F-${year}-0002`);
  });

  it("refuses an incomplete profile with the missing items, and consumes no number", async () => {
    const a = await signedUpClient();
    const { insertClient } = await import("../helpers/invoicing");
    const clientId = await insertClient(a.accountId);
    const id = await createDraftVia(a.client, draftBody(clientId));
    const res = await issue(a.client, id);
    expect(res.status).toBe(412);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("precondition_failed");
    expect(Object.keys(body.error.fields).length).toBeGreaterThan(0);
    const row = await env.DB.prepare("SELECT number, issue_requested_at FROM documents WHERE id = ?").bind(id).first();
    expect(row).toEqual({ number: null, issue_requested_at: null });
  });

  it("refuses an issue date earlier than the last issued one in the series, without consuming a number", async () => {
    // Today and yesterday on the clock of the last 15 June, so the test holds on any day of the year
    // (on 1 January, yesterday is last year: refused for another reason).
    const june = Date.parse(`${year}-06-15T11:00:00Z`) <= Date.now() ? year : year - 1;
    const a = await readyAccount();
    const first = await createDraftVia(a.client, draftBody(a.clientId));
    await issueOn(a.accountId, first, `${june}-06-15`);
    const second = await createDraftVia(a.client, draftBody(a.clientId));
    await expect(issueDocument(verbCtx(a.accountId, Date.parse(`${june}-06-15T11:00:00Z`)), second, { issueDate: `${june}-06-14` })).rejects.toMatchObject({ status: 409 });
    // The draft is editable again and the next number is still 0002.
    expect((await a.client.json("PUT", `/api/v1/documents/${second}`, draftBody(a.clientId))).status).toBe(200);
    const ok = await issueDocument(verbCtx(a.accountId, Date.parse(`${june}-06-15T11:00:00Z`)), second, { issueDate: `${june}-06-15` });
    expect(ok.number).toBe(`F-${june}-0002`);
  });

  it("issues a franchise invoice (art. 293 B) with category E lines", async () => {
    const a = await readyAccount(FRANCHISE_PROFILE);
    const id = await createDraftVia(a.client, {
      type: "invoice",
      clientId: a.clientId,
      lines: [{ description: "Séance photo", quantity: "1", unitCode: "C62", unitPriceCents: 45_000, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" }],
    });
    const res = await issue(a.client, id);
    expect(res.status).toBe(200);
    const xml = await (await a.client.json("GET", `/api/v1/documents/${id}/xml`)).text();
    expect(xml).toContain("TVA non applicable, art. 293 B du CGI");
  });
});

describe("issued documents are immutable", () => {
  it("answers edits and deletes with 409 and the credit-note way", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    await issue(a.client, id);
    const put = await a.client.json("PUT", `/api/v1/documents/${id}`, draftBody(a.clientId));
    expect(put.status).toBe(409);
    expect(((await put.json()) as { error: { message: string } }).error.message).toMatch(/avoir/);
    const del = await a.client.json("DELETE", `/api/v1/documents/${id}`);
    expect(del.status).toBe(409);
    expect((await a.client.json("GET", `/api/v1/documents/${id}`)).status).toBe(200);
  });

  it("is enforced by the database itself, even for a direct write", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    await issue(a.client, id);
    await expect(env.DB.prepare("UPDATE documents SET tax_inclusive_cents = 1 WHERE id = ?").bind(id).run()).rejects.toThrow(/document_frozen/);
    await expect(env.DB.prepare("DELETE FROM documents WHERE id = ?").bind(id).run()).rejects.toThrow(/document_frozen/);
    await expect(env.DB.prepare("DELETE FROM document_lines WHERE document_id = ?").bind(id).run()).rejects.toThrow(/document_frozen/);
    await expect(env.DB.prepare("UPDATE issue_log SET hash = 'x' WHERE document_id = ?").bind(id).run()).rejects.toThrow(/append_only/);
  });

  it("lets drafts be edited and deleted", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("PUT", `/api/v1/documents/${id}`, draftBody(a.clientId, { note: "v2" }))).status).toBe(200);
    expect((await a.client.json("DELETE", `/api/v1/documents/${id}`)).status).toBe(204);
    expect((await a.client.json("GET", `/api/v1/documents/${id}`)).status).toBe(404);
  });

  it("cancels an invoice with a full credit note that references it", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const invoice = ((await (await issue(a.client, id)).json()) as { document: Doc & { taxInclusiveCents: number } }).document;
    const res = await a.client.json("POST", `/api/v1/documents/${id}/cancel`);
    expect(res.status).toBe(201);
    const { creditNote } = (await res.json()) as { creditNote: Doc & { taxInclusiveCents: number; type: string } };
    expect(creditNote.number).toBe(`AV-${year}-0001`);
    expect(creditNote.taxInclusiveCents).toBe(invoice.taxInclusiveCents);
    const xml = await (await a.client.json("GET", `/api/v1/documents/${creditNote.id}/xml`)).text();
    expect(xml).toContain(invoice.number!);
    const after = (await (await a.client.json("GET", `/api/v1/documents/${id}`)).json()) as { document: Doc };
    expect(after.document.status).toBe("cancelled");
    expect(after.document.pdfSha256).toBe(invoice.pdfSha256);
  });
});

describe("the operation date (BT-72) of every document type", () => {
  it("dates a credit note by the delivery of the invoice it corrects, a deposit invoice by its issue", async () => {
    const a = await readyAccount();
    // Delivered in December, invoiced on 1 January (issueOn: this year's first day is never in the future).
    const id = await createDraftVia(a.client, draftBody(a.clientId, { deliveryDate: `${year - 1}-12-20` }));
    await issueOn(a.accountId, id, `${year}-01-01`);
    const res = await a.client.json("POST", `/api/v1/documents/${id}/cancel`);
    expect(res.status).toBe(201);
    const { creditNote } = (await res.json()) as { creditNote: Doc };
    const event = (xml: string) => /<ram:ActualDeliverySupplyChainEvent>[\s\S]*?format="102">(\d{8})</.exec(xml)?.[1];
    expect(event(await (await a.client.json("GET", `/api/v1/documents/${creditNote.id}/xml`)).text())).toBe(`${year - 1}1220`);

    const deposit = await createDraftVia(a.client, draftBody(a.clientId, { type: "deposit_invoice" }));
    const issued = ((await (await issue(a.client, deposit)).json()) as { document: Doc & { issueDate: string } }).document;
    expect(event(await (await a.client.json("GET", `/api/v1/documents/${deposit}/xml`)).text())).toBe(issued.issueDate.replaceAll("-", ""));
  });
});

describe("gapless numbering", () => {
  it("gives 100 concurrent issues in one account the numbers 1..100, no gap, no duplicate", async () => {
    const a = await readyAccount();
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await createDraftVia(a.client, draftBody(a.clientId)));
    const results = await Promise.all(ids.map((id) => issueDocument(verbCtx(a.accountId), id)));
    const numbers = results.map((d) => Number(d.number!.split("-")[2])).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const verify = (await (await a.client.json("GET", "/api/v1/audit/verify")).json()) as { ok: boolean; entries: number };
    expect(verify).toMatchObject({ ok: true, entries: 100 });
  }, 120_000);

  it("keeps the sequence gapless when the D1 write fails after allocation, on retry and through the reconciler", async () => {
    const a = await readyAccount();
    const [d1, d2, d3] = [await createDraftVia(a.client, draftBody(a.clientId)), await createDraftVia(a.client, draftBody(a.clientId)), await createDraftVia(a.client, draftBody(a.clientId))];
    const boom = () => {
      throw new Error("injected D1 failure");
    };
    await expect(issueDocument(verbCtx(a.accountId), d1, {}, { afterAllocation: boom })).rejects.toThrow(/injected/);
    // The half-issued draft can no longer be edited or deleted…
    expect((await a.client.json("DELETE", `/api/v1/documents/${d1}`)).status).toBe(409);
    // …another document takes the next number…
    expect((await issueDocument(verbCtx(a.accountId), d2)).number).toBe(`F-${year}-0002`);
    // …and a retry gets the number allocated the first time.
    expect((await issueDocument(verbCtx(a.accountId), d1)).number).toBe(`F-${year}-0001`);

    await expect(issueDocument(verbCtx(a.accountId), d3, {}, { afterAllocation: boom })).rejects.toThrow(/injected/);
    // The reconciler finishes allocations older than its delay.
    await env.DB.prepare("UPDATE documents SET issue_requested_at = issue_requested_at - 3600000 WHERE id = ?").bind(d3).run();
    const summary = await runScheduled("*/10 * * * *", env, Date.now());
    expect(summary.finished).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare("SELECT number, status FROM documents WHERE id = ?").bind(d3).first();
    expect(row).toEqual({ number: `F-${year}-0003`, status: "issued" });
    const verify = (await (await a.client.json("GET", "/api/v1/audit/verify")).json()) as { ok: boolean; entries: number };
    expect(verify).toMatchObject({ ok: true, entries: 3 });
  });
});

describe("audit chain", () => {
  it("verifies, then detects a tampered entry", async () => {
    const a = await readyAccount();
    for (let i = 0; i < 3; i++) await issue(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
    expect(((await (await a.client.json("GET", "/api/v1/audit/verify")).json()) as { ok: boolean }).ok).toBe(true);
    // Simulate an attacker with raw database access who lifts the guard to rewrite a total.
    await env.DB.prepare("DROP TRIGGER documents_issued_content_frozen").run();
    try {
      await env.DB.prepare("UPDATE documents SET tax_inclusive_cents = tax_inclusive_cents - 100 WHERE account_id = ? AND number = ?").bind(a.accountId, `F-${year}-0002`).run();
      const res = (await (await a.client.json("GET", "/api/v1/audit/verify")).json()) as { ok: boolean; problems: Array<{ seq: number; kind: string }> };
      expect(res.ok).toBe(false);
      expect(res.problems).toContainEqual({ seq: 2, kind: "content_mismatch" });
    } finally {
      const { default: sql } = await import("../../migrations/0002_immutability.sql?raw");
      const create = sql.split("--> statement-breakpoint").find((s: string) => s.includes("documents_issued_content_frozen"));
      await env.DB.prepare(create!.replace(/^--.*$/gm, "").trim()).run();
    }
  });
});

describe("tenancy", () => {
  it("answers 404 to another account on every document route", async () => {
    const a = await readyAccount();
    const b = await signedUpClient();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    await issue(a.client, id);
    for (const [method, path] of [
      ["GET", `/api/v1/documents/${id}`],
      ["PUT", `/api/v1/documents/${id}`],
      ["DELETE", `/api/v1/documents/${id}`],
      ["POST", `/api/v1/documents/${id}/issue`],
      ["POST", `/api/v1/documents/${id}/cancel`],
      ["GET", `/api/v1/documents/${id}/pdf`],
      ["GET", `/api/v1/documents/${id}/xml`],
    ] as const) {
      const res = await b.client.json(method, path, method === "PUT" ? draftBody(a.clientId) : method === "POST" ? {} : undefined);
      expect([404, 400], `${method} ${path}`).toContain(res.status);
      expect(await res.text()).not.toContain(`F-${year}`);
    }
    const list = (await (await b.client.json("GET", "/api/v1/documents")).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(0);
  });

  it("refuses a draft for another account's client", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    const res = await b.client.json("POST", "/api/v1/documents", draftBody(a.clientId));
    expect(res.status).toBe(400);
  });
});

describe("numbering series", () => {
  it("sets the next number once before the first issue (moving from another tool), then refuses", async () => {
    const a = await readyAccount();
    const res = await a.client.json("PUT", "/api/v1/series/invoice", { prefix: "FAC", nextNumber: 42 });
    expect(res.status).toBe(200);
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const { document } = (await (await issue(a.client, id)).json()) as { document: Doc };
    expect(document.number).toBe(`FAC-${year}-0042`);
    const again = await a.client.json("PUT", "/api/v1/series/invoice", { nextNumber: 1 });
    expect(again.status).toBe(409);
    const prefix = await a.client.json("PUT", "/api/v1/series/invoice", { prefix: "XX" });
    expect(prefix.status).toBe(409);
    // Other series are independent.
    expect((await a.client.json("PUT", "/api/v1/series/credit_note", { prefix: "A V" })).status).toBe(400);
    expect((await a.client.json("PUT", "/api/v1/series/credit_note", { prefix: "AVO" })).status).toBe(200);
  });
});

describe("monthly aggregates", () => {
  it("adds each issued invoice to its month once, and takes a credit note off", async () => {
    const a = await readyAccount();
    const ids = [await createDraftVia(a.client, draftBody(a.clientId)), await createDraftVia(a.client, draftBody(a.clientId))];
    const docs: Array<Doc & { dueCents: number; issueDate: string }> = [];
    for (const id of ids) docs.push(((await (await issue(a.client, id)).json()) as { document: Doc & { dueCents: number; issueDate: string } }).document);
    // Retrying an issue that already landed counts nothing more.
    await issue(a.client, ids[0]!);
    const month = docs[0]!.issueDate.slice(0, 7);
    const row = () => env.DB.prepare("SELECT invoiced_cents FROM monthly_totals WHERE account_id = ? AND month = ?").bind(a.accountId, month).first<{ invoiced_cents: number }>();
    expect((await row())?.invoiced_cents).toBe(docs[0]!.dueCents + docs[1]!.dueCents);
    await a.client.json("POST", `/api/v1/documents/${ids[0]}/cancel`);
    expect((await row())?.invoiced_cents).toBe(docs[1]!.dueCents);
  });
});
