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
