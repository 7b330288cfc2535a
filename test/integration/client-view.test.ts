import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/worker/domain/format";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { COOKIE_CATEGORIES } from "../../src/worker/features/privacy/policy";
import { lastMailTo, TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// What a seller's client sees: the public page of an invoice or a quote, and the emails.

type Account = Awaited<ReturnType<typeof readyAccount>>;
type Doc = { id: string; number: string; dueCents: number; taxInclusiveCents: number };
const year = new Date().getUTCFullYear();
/** Money as printed, its narrow no-break spaces folded like textOf folds the page's. */
const money = (cents: number) => formatMoney(cents, "fr").replace(/\s+/g, " ");
/** Text of a page with tags dropped and whitespace folded, to search what a reader sees. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&nbsp;|\s+/g, " ");

async function issued(a: Account, body: Record<string, unknown>): Promise<Doc> {
  const id = await createDraftVia(a.client, body);
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: Doc }).document;
}

async function publicPath(a: Account, id: string): Promise<string> {
  const res = await a.client.json("POST", `/api/v1/documents/${id}/share`);
  return new URL(((await res.json()) as { url: string }).url).pathname;
}

function pay(a: Account, id: string, amountCents: number) {
  return a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn: todayInParis(Date.now()), method: "virement", amountCents });
}

describe("the public page of an invoice", () => {
  it("shows what is still due after a payment and a credit note, then Payée once settled", async () => {
    const a = await readyAccount();
    const invoice = await issued(a, draftBody(a.clientId));
    const path = await publicPath(a, invoice.id);
    const visitor = new TestClient();

    const fresh = textOf(await (await visitor.get(path)).text());
    expect(fresh).toContain("Émise par Studio Lumen");
    expect(fresh).not.toContain("Émis par");

    expect((await pay(a, invoice.id, 50_000)).status).toBe(201);
    const credit = await issued(a, {
      type: "credit_note",
      precedingDocumentId: invoice.id,
      clientId: a.clientId,
      lines: [{ description: "Geste commercial", quantity: "1", unitCode: "C62", unitPriceCents: 10_000, vatCategory: "S", vatRateBp: 2000, kind: "service" }],
    });
    const remaining = invoice.dueCents - 50_000 - credit.dueCents;
    const partial = await (await visitor.get(path)).text();
    expect(partial.replace(/\s+/g, " ")).toContain(`data-testid="public-due">${money(remaining)}<`);
    const partialText = textOf(partial);
    expect(partialText).toContain(`Déjà réglé ${money(50_000)}`);
    expect(partialText).toContain(`Avoirs déduits ${money(credit.dueCents)}`);
    expect(partialText).toContain("Partiellement payée");

    expect((await pay(a, invoice.id, remaining)).status).toBe(201);
    const paid = textOf(await (await visitor.get(path)).text());
    expect(paid).toContain("Payée");
    expect(paid).toContain(`Montant à payer ${money(0)}`);
    expect(paid).toContain("entièrement réglée");
  });
});

describe("the public page of a quote", () => {
  it("shows the quote itself: seller, client, lines, totals, validity and conditions, then the acceptance form", async () => {
    const a = await readyAccount();
    const quote = await issued(a, draftBody(a.clientId, { type: "quote", validUntil: `${year + 1}-03-31`, note: "Livraison sous 15 jours." }));
    const html = await (await new TestClient().get(await publicPath(a, quote.id))).text();
    const text = textOf(html);
    for (const expected of [
      "Studio Lumen",
      "18 rue de la République",
      "Société Cliente SA",
      "1 place de la Bourse",
      "Développement — forfait",
      "Accompagnement",
      money(quote.taxInclusiveCents),
      `Valable jusqu'au 31/03/${year + 1}`,
      "Paiement à 30 jours à compter de la date de facture",
      "Livraison sous 15 jours.",
    ]) {
      expect(text).toContain(expected);
    }
    // The terms a quote proposes name no date computed from the quote's own date.
    expect(text).not.toContain("au plus tard");
    // The document comes before the approval form, the PDF link beside it.
    expect(html.indexOf("Développement — forfait")).toBeLessThan(html.indexOf('action="/p/'));
    expect(html).toContain("/document.pdf");
  });

  it("sets no optional cookie and shows no cookie banner to the client", async () => {
    const a = await readyAccount();
    const quote = await issued(a, draftBody(a.clientId, { type: "quote", validUntil: `${year + 1}-03-31` }));
    const visitor = new TestClient();
    const res = await visitor.get(await publicPath(a, quote.id));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("cookie-banner");
    const necessary = new Set(COOKIE_CATEGORIES.filter((c) => !c.optional).flatMap((c) => c.cookies));
    const set = res.headers.getSetCookie().map((line) => line.split("=")[0]!.trim());
    for (const name of set) expect(necessary.has(name), name).toBe(true);
  });
});

describe("emails to the client", () => {
  it("says « la consulter » for an invoice and « le consulter » for a quote", async () => {
    const a = await readyAccount();
    const invoice = await issued(a, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${invoice.id}/send`, {})).status).toBe(201);
    expect((await lastMailTo("compta@cliente.fr")).bodyText).toContain("Vous pouvez aussi la consulter en ligne");
    const quote = await issued(a, draftBody(a.clientId, { type: "quote", validUntil: `${year + 1}-03-31` }));
    expect((await a.client.json("POST", `/api/v1/documents/${quote.id}/send`, {})).status).toBe(201);
    expect((await lastMailTo("compta@cliente.fr")).bodyText).toContain("Vous pouvez aussi le consulter en ligne");
  });

  it("prints the IBAN of a reminder in groups of four", async () => {
    const a = await readyAccount();
    const invoice = await issued(a, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${invoice.id}/reminders`)).status).toBe(201);
    const mail = await lastMailTo("compta@cliente.fr");
    expect(mail.bodyText).toContain("FR76 3000 6000 0112 3456 7890 189");
  });
});
