import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { lastMailTo, TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Flows a freelancer expects around a document: the client link stays on the document's page, a
// quote reads "Émis" until the client can see it, and the client's answer reaches the seller.

type Account = Awaited<ReturnType<typeof readyAccount>>;
const year = new Date().getUTCFullYear();

async function issued(a: Account, body: Record<string, unknown>): Promise<{ id: string; number: string }> {
  const id = await createDraftVia(a.client, body);
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: { id: string; number: string } }).document;
}

const quoteBody = (a: Account) => draftBody(a.clientId, { type: "quote", validUntil: `${year + 1}-06-30` });
/** The public link shown in the page's copy field, if any. */
const shownLink = (html: string) => /value="(https?:\/\/[^"]+\/p\/[^"]+)"/.exec(html)?.[1] ?? null;
/** The status badge of a document's own page. */
const badgeOf = (html: string) => /class="badge doc-status doc-status-(\w+)">([^<]+)</.exec(html)?.slice(1, 3) ?? null;

describe("the client link on the document's page", () => {
  it("is created by a redirected form, stays visible with copy and revoke, and only its hash finds the document", async () => {
    const a = await readyAccount();
    const invoice = await issued(a, draftBody(a.clientId));
    const res = await a.client.postForm(`/documents/${invoice.id}/partager`, {});
    expect(res.status).toBe(303);
    const target = res.headers.get("location") ?? "";
    expect(target).toMatch(new RegExp(`^/documents/${invoice.id}\\?ok=shared#lien$`));

    const first = await (await a.client.get(target)).text();
    const link = shownLink(first);
    expect(link).not.toBeNull();
    expect(first).toContain('data-island="copy-text"');
    expect(first).toContain(`action="/documents/${invoice.id}/lien/revoquer"`);
    // Shown again on every later visit, not only once.
    expect(shownLink(await (await a.client.get(`/documents/${invoice.id}`)).text())).toBe(link);

    const token = new URL(link!).pathname.split("/")[2]!;
    const row = await env.DB.prepare("SELECT public_token_hash AS hash, public_token_sealed AS sealed FROM documents WHERE id = ?").bind(invoice.id).first<{ hash: string; sealed: string }>();
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(row?.hash).toBe(digest);
    expect(row?.sealed).not.toContain(token.split(".")[1]);
    expect((await new TestClient().get(new URL(link!).pathname)).status).toBe(200);

    const revoked = await a.client.postForm(`/documents/${invoice.id}/lien/revoquer`, {});
    expect(revoked.status).toBe(303);
    const after = await (await a.client.get(revoked.headers.get("location") ?? "")).text();
    expect(shownLink(after)).toBeNull();
    expect((await new TestClient().get(new URL(link!).pathname)).status).toBe(404);
  });

  it("is the one emailed: sending the document does not replace the link the client already has", async () => {
    const a = await readyAccount();
    const invoice = await issued(a, draftBody(a.clientId));
    await a.client.postForm(`/documents/${invoice.id}/partager`, {});
    const link = shownLink(await (await a.client.get(`/documents/${invoice.id}`)).text());
    expect((await a.client.json("POST", `/api/v1/documents/${invoice.id}/send`, {})).status).toBe(201);
    expect((await lastMailTo("compta@cliente.fr")).bodyText).toContain(link!);
    expect((await new TestClient().get(new URL(link!).pathname)).status).toBe(200);
  });
});

describe("a quote's status", () => {
  it("reads Émis once issued, and Envoyé once shared or emailed", async () => {
    const a = await readyAccount();
    const shared = await issued(a, quoteBody(a));
    const emailed = await issued(a, quoteBody(a));
    expect(badgeOf(await (await a.client.get(`/documents/${shared.id}`)).text())).toEqual(["issued", "Émis"]);
    const list = (await (await a.client.json("GET", "/api/v1/documents?type=quote")).json()) as { items: Array<{ id: string; status: string }> };
    expect(list.items.map((i) => i.status)).toEqual(["issued", "issued"]);

    await a.client.postForm(`/documents/${shared.id}/partager`, {});
    expect((await a.client.json("POST", `/api/v1/documents/${emailed.id}/send`, {})).status).toBe(201);
    for (const q of [shared, emailed]) expect(badgeOf(await (await a.client.get(`/documents/${q.id}`)).text())).toEqual(["sent", "Envoyé"]);
    const after = (await (await a.client.json("GET", "/api/v1/documents?type=quote")).json()) as { items: Array<{ status: string }> };
    expect(after.items.map((i) => i.status)).toEqual(["sent", "sent"]);
  });
});

describe("the client's answer to a quote", () => {
  it("emails the seller and shows on the dashboard until dismissed, accepted or refused", async () => {
    const a = await readyAccount();
    const accepted = await issued(a, quoteBody(a));
    const refused = await issued(a, quoteBody(a));
    const pathOf = async (id: string) => new URL(((await (await a.client.json("POST", `/api/v1/documents/${id}/share`)).json()) as { url: string }).url).pathname;
    const visitor = new TestClient();

    expect((await visitor.postForm(`${await pathOf(accepted.id)}/accepter`, { name: "Jeanne Client", accept: "on" })).status).toBe(303);
    const mail = await lastMailTo(a.email);
    expect(mail.subject).toBe(`Devis ${accepted.number} accepté par Société Cliente SA`);
    expect(mail.bodyText).toContain("Jeanne Client");
    expect(mail.bodyText).toContain(`/documents/${accepted.id}`);

    expect((await visitor.postForm(`${await pathOf(refused.id)}/refuser`, {})).status).toBe(303);
    expect((await lastMailTo(a.email)).subject).toBe(`Devis ${refused.number} refusé par Société Cliente SA`);

    const dashboard = await (await a.client.get("/tableau-de-bord")).text();
    expect(dashboard).toContain("Réponses de vos clients");
    expect(dashboard).toContain(`Devis ${accepted.number}`);
    expect(dashboard).toContain(`Devis ${refused.number}`);

    const seen = await a.client.postForm(`/tableau-de-bord/reponses/${accepted.id}/vu`, {});
    expect(seen.status).toBe(303);
    const after = await (await a.client.get(seen.headers.get("location") ?? "")).text();
    expect(after).not.toContain(`Devis ${accepted.number}`);
    expect(after).toContain(`Devis ${refused.number}`);

    // Another account cannot dismiss it.
    const b = await readyAccount();
    expect((await b.client.postForm(`/tableau-de-bord/reponses/${refused.id}/vu`, {})).status).toBe(404);
    expect(await (await a.client.get("/tableau-de-bord")).text()).toContain(`Devis ${refused.number}`);
  });
});

describe("duplicating a document", () => {
  type Line = { description: string; quantity: string; unitPriceCents: number; vatRateBp: number; discountKind: string | null; discountValue: number | null; productId: string | null };
  type Doc = { id: string; type: string; status: string; number: string | null; issueDate: string | null; validUntil: string | null; clientId: string };
  const strip = (l: Line) => ({ description: l.description, quantity: l.quantity, unitPriceCents: l.unitPriceCents, vatRateBp: l.vatRateBp, discountKind: l.discountKind, discountValue: l.discountValue, productId: l.productId });

  it("makes a new draft of an issued invoice: same lines and prices, today's dates, the catalogue untouched (API and the Dupliquer button)", async () => {
    const a = await readyAccount();
    const product = ((await (await a.client.json("POST", "/api/v1/products", { name: "Conseil", description: "", unitCode: "DAY", unitPrice: "450", vatRate: "20", exemptionCode: "", kind: "service" })).json()) as { product: { id: string } }).product;
    const body = draftBody(a.clientId, { issueDate: `${year}-01-15`, deliveryDate: `${year}-01-10`, note: "Merci." });
    (body.lines as Array<Record<string, unknown>>)[0] = { ...(body.lines as Array<Record<string, unknown>>)[0], productId: product.id, unitPriceCents: 40_000, discount: { kind: "percent", basisPoints: 1000 } };
    const source = await createDraftVia(a.client, body);
    expect((await a.client.json("POST", `/api/v1/documents/${source}/issue`, {})).status).toBe(200);
    // The catalogue moves on after the invoice.
    expect((await a.client.json("PUT", `/api/v1/products/${product.id}`, { name: "Conseil", description: "", unitCode: "DAY", unitPrice: "520", vatRate: "20", exemptionCode: "", kind: "service" })).status).toBe(200);

    const res = await a.client.json("POST", `/api/v1/documents/${source}/duplicate`);
    expect(res.status).toBe(201);
    const copy = (await res.json()) as { document: Doc & { deliveryDate: string | null; note: string | null }; lines: Line[] };
    const original = (await (await a.client.json("GET", `/api/v1/documents/${source}`)).json()) as { document: Doc; lines: Line[] };
    expect(copy.document).toMatchObject({ type: "invoice", status: "draft", number: null, issueDate: null, deliveryDate: null, clientId: a.clientId, note: "Merci." });
    expect(copy.document.id).not.toBe(source);
    expect(copy.lines.map(strip)).toEqual(original.lines.map(strip));
    expect(copy.lines[0]!.unitPriceCents).toBe(40_000);
    const catalogue = (await (await a.client.json("GET", `/api/v1/products/${product.id}`)).json()) as { product: { unitPriceCents: number } };
    expect(catalogue.product.unitPriceCents).toBe(52_000);

    // The page's button: a redirect to the new draft.
    const page = await a.client.get(`/documents/${source}`);
    expect(await page.text()).toContain(`action="/documents/${source}/dupliquer"`);
    const posted = await a.client.postForm(`/documents/${source}/dupliquer`, {});
    expect(posted.status).toBe(303);
    const target = posted.headers.get("location") ?? "";
    expect(target).toMatch(/^\/documents\/[\w-]+\?ok=duplicated$/);
    const draft = await a.client.get(target);
    expect(draft.status).toBe(200);
    expect(await draft.text()).toContain("Copie créée");
  });

  it("keeps a quote's validity span from today, and refuses a credit note", async () => {
    const a = await readyAccount();
    const quote = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", issueDate: `${year}-01-01`, validUntil: `${year}-01-31` }));
    const copy = (await (await a.client.json("POST", `/api/v1/documents/${quote}/duplicate`)).json()) as { document: Doc };
    const today = new Date(Date.now() + 3_600_000).toISOString().slice(0, 10);
    expect(copy.document.type).toBe("quote");
    expect(Date.parse(copy.document.validUntil!) - Date.parse(today)).toBeGreaterThanOrEqual(29 * 86_400_000);
    expect(Date.parse(copy.document.validUntil!) - Date.parse(today)).toBeLessThanOrEqual(31 * 86_400_000);

    const invoice = await issued(a, draftBody(a.clientId));
    const credit = await issued(a, {
      type: "credit_note",
      precedingDocumentId: invoice.id,
      clientId: a.clientId,
      lines: [{ description: "Geste", quantity: "1", unitCode: "C62", unitPriceCents: 1_000, vatCategory: "S", vatRateBp: 2000, kind: "service" }],
    });
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM documents WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    const refused = await a.client.json("POST", `/api/v1/documents/${credit.id}/duplicate`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("conflict");
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM documents WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });
});
