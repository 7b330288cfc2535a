import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/worker/domain/format";
import { ACTIVITY_PAGE } from "../../src/worker/features/clients/activity";
import { translator } from "../../src/worker/ui/i18n";
import { createDraftVia, draftBody, insertClient, readyAccount } from "../helpers/invoicing";

// Issue #13, "Client page": the client's quotes, invoices, credit notes, payments, balance due and
// credit, with "Nouveau devis" / "Nouvelle facture" for that client.

const fr = translator("fr");
const today = () => new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" });
type Doc = { id: string; number: string; taxInclusiveCents: number };

async function issued(a: Awaited<ReturnType<typeof readyAccount>>, body: Record<string, unknown>): Promise<Doc> {
  const id = await createDraftVia(a.client, body);
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  expect(res.status).toBe(200);
  return ((await res.json()) as { document: Doc }).document;
}

const pay = async (a: Awaited<ReturnType<typeof readyAccount>>, id: string, amountCents: number) =>
  expect((await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn: today(), method: "virement", amountCents })).status).toBe(201);

/** The HTML of one section of the client's page (id="devis", "factures", "avoirs", "paiements"). */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, id).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</section>", start));
}

describe("the client's page", () => {
  it("shows the client's quotes, invoices, credit notes and payments, what it owes and its credit, and nothing of another client", async () => {
    const a = await readyAccount();
    const quote = await issued(a, draftBody(a.clientId, { type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` }));
    const paid = await issued(a, draftBody(a.clientId)); // 1 680,00 € TTC
    const open = await issued(a, draftBody(a.clientId));
    // 320,00 € more than asked: the client's credit.
    await pay(a, paid.id, paid.taxInclusiveCents + 32_000);
    const credit = await issued(a, {
      type: "credit_note",
      clientId: a.clientId,
      precedingDocumentId: open.id,
      lines: [{ description: "Geste commercial", quantity: "1", unitCode: "C62", unitPriceCents: 30_000, vatCategory: "S", vatRateBp: 2000, kind: "service" }],
    }); // 360,00 € TTC
    await pay(a, open.id, 20_000);
    const other = await insertClient(a.accountId, { name: "Autre Client SAS" });
    const elsewhere = await issued(a, draftBody(other));

    const res = await a.client.get(`/clients/${a.clientId}`);
    expect(res.status).toBe(200);
    const html = await res.text();

    expect(section(html, "devis")).toContain(`>${quote.number}</a>`);
    const invoices = section(html, "factures");
    expect(invoices).toContain(`>${paid.number}</a>`);
    expect(invoices).toContain(`>${open.number}</a>`);
    expect(invoices).toContain(`doc-status-paid">${fr("documents.status.paid")}<`);
    expect(invoices).toContain(`doc-status-partially_paid">${fr("documents.status.partially_paid")}<`);
    expect(html).not.toContain(elsewhere.number);
    const credits = section(html, "avoirs");
    expect(credits).toContain(`>${credit.number}</a>`);
    expect(credits).toContain(formatMoney(-credit.taxInclusiveCents, "fr"));
    const payments = section(html, "paiements");
    expect(payments).toContain(formatMoney(paid.taxInclusiveCents + 32_000, "fr"));
    expect(payments).toContain(formatMoney(20_000, "fr"));

    // Balance due: the open invoice less its credit note and its payment; credit: the overpayment.
    const due = open.taxInclusiveCents - credit.taxInclusiveCents - 20_000;
    expect(html).toMatch(new RegExp(`${fr("payments.panel.outstanding")}</dt><dd class="num">${formatMoney(due, "fr")}</dd>`));
    expect(html).toMatch(new RegExp(`${fr("receivables.credit")}</dt><dd class="num">${formatMoney(32_000, "fr")}</dd>`));

    // "Nouveau devis" / "Nouvelle facture" open the editor with the client chosen.
    for (const path of [`/devis/nouveau?client=${a.clientId}`, `/factures/nouvelle?client=${a.clientId}`]) {
      expect(html).toContain(`href="${path}"`);
      const editor = await (await a.client.get(path)).text();
      expect(editor).toMatch(new RegExp(`<option value="${a.clientId}" selected`));
    }
  });

  it("pages each section on its own, newest first, keeping the others where they are", async () => {
    const a = await readyAccount();
    const ids: string[] = [];
    for (let i = 0; i < ACTIVITY_PAGE + 2; i++) ids.push(await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", note: `q${i}` })));
    const first = await (await a.client.get(`/clients/${a.clientId}`)).text();
    const quotes = section(first, "devis");
    expect(quotes.match(/href="\/documents\//g)).toHaveLength(ACTIVITY_PAGE);
    // Newest first: the last two made are on the first page, the first two on the next.
    expect(quotes).toContain(`/documents/${ids.at(-1)}`);
    expect(quotes).not.toContain(`/documents/${ids[0]}`);
    const next = /href="([^"]+)" rel="next"/.exec(quotes)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toMatch(/^\/clients\/[^?]+\?devis=[^&#]+#devis$/);
    const second = section(await (await a.client.get(next!.replace(/#.*$/, ""))).text(), "devis");
    expect(second.match(/href="\/documents\//g)).toHaveLength(2);
    expect(second).toContain(`/documents/${ids[0]}`);
    expect(second).toContain(`/documents/${ids[1]}`);
    // A position token the app did not make is refused, not guessed.
    expect((await a.client.get(`/clients/${a.clientId}?devis=nope`)).status).toBe(400);
  });

  it("answers 404 for another account's client, whatever the section cursors", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    await issued(a, draftBody(a.clientId));
    for (const path of [`/clients/${a.clientId}`, `/clients/${a.clientId}?factures=MTc2NTAwMDAwMDAwMDphYmM`]) {
      const res = await b.client.get(path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("Développement");
    }
  });
});
