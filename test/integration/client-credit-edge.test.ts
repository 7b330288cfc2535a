import { describe, expect, it } from "vitest";
import { receiptsBook, urssafYear } from "../../src/worker/features/books/queries";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { applyClientCredit, correctPayment, recordPayment } from "../../src/worker/features/payments/verbs";
import { creditOf, one, ruleCredit } from "../helpers/credit";
import { createDraftVia, draftBody, readyAccount, S20, verbCtx } from "../helpers/invoicing";

// The money edge cases around client credit: a credit note on an invoice already paid, a refund of
// credit already spent (Stripe refunds go through recordPayment with a negative amount; the webhook
// itself is covered in stripe.test.ts), and the rule the credit always follows:
//   credit = Σ over the client's invoices of max(0, paid − max(0, due − credited)) − Σ credit used.

type Account = Awaited<ReturnType<typeof readyAccount>>;
type Doc = { id: string; number: string; dueCents: number; clientId: string };
type State = { status: string; paidCents: number; outstandingCents: number; excessCents: number; payments: Array<{ id: string; amountCents: number; method: string }> };

const today = () => todayInParis(Date.now());
const line = (priceCents: number, description = "Forfait") => [{ description, quantity: "1", unitCode: "C62", unitPriceCents: priceCents, ...S20 }];

/** An issued invoice of one line at `priceCents` before 20 % VAT (1 000,00 € → 1 200,00 € due). */
async function issuedInvoice(a: Account, priceCents = 100_000): Promise<Doc> {
  const id = await createDraftVia(a.client, draftBody(a.clientId, { lines: line(priceCents) }));
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: Doc }).document;
}

/** Issues a credit note of `priceCents` before VAT against the invoice. */
async function creditNote(a: Account, invoice: Doc, priceCents: number): Promise<Doc> {
  const id = await createDraftVia(a.client, { type: "credit_note", precedingDocumentId: invoice.id, clientId: a.clientId, lines: line(priceCents, "Geste commercial") });
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`credit note refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: Doc }).document;
}

function pay(a: Account, id: string, amountCents: number) {
  return recordPayment(verbCtx(a.accountId), id, { receivedOn: today(), amountCents, method: "virement", reference: undefined });
}

async function stateOf(a: Account, id: string): Promise<State> {
  const res = await a.client.json("GET", `/api/v1/documents/${id}/payments`);
  expect(res.status).toBe(200);
  return (await res.json()) as State;
}


/** Money received as the receipts book and URSSAF read it. */
async function received(accountId: string) {
  const ctx = verbCtx(accountId);
  const year = Number(today().slice(0, 4));
  const [book, urssaf] = await Promise.all([receiptsBook(ctx.db, accountId, "2000-01-01", "2999-12-31"), urssafYear(ctx, year)]);
  return { book: book.map((e) => [e.id, e.amountCents]), urssaf: urssaf.periods.map((p) => p.totalCents) };
}

const pageText = async (a: Account, id: string) => (await (await a.client.get(`/documents/${id}`)).text()).replace(/[\u00a0\u202f]/g, " ");

describe("a credit note on an invoice already paid", () => {
  it("turns the part already paid into client credit (1 200 € paid, 200 € credit note → 200 €), without touching the money received", async () => {
    const a = await readyAccount();
    const inv = await issuedInvoice(a);
    await pay(a, inv.id, inv.dueCents);
    const before = await received(a.accountId);
    expect(await creditOf(a.clientId)).toBe(0);

    const note = await creditNote(a, inv, 16_667); // 200,00 € with VAT
    expect(note.dueCents).toBe(20_000);
    expect(await creditOf(a.clientId)).toBe(20_000);
    expect(await ruleCredit(a.clientId)).toBe(20_000);
    expect(await stateOf(a, inv.id)).toMatchObject({ status: "paid", outstandingCents: 0, excessCents: 20_000 });
    // A credit note is not money received: the receipts book and URSSAF read as before.
    expect(await received(a.accountId)).toEqual(before);
    expect(await pageText(a, inv.id)).toContain("Trop-perçu : 200,00 € passés en crédit client");
  });

  it("credits only what exceeds what the invoice still owed (1 200 € due, 1 100 € paid, 200 € credit note → 100 €)", async () => {
    const a = await readyAccount();
    const inv = await issuedInvoice(a);
    await pay(a, inv.id, inv.dueCents - 10_000);
    await creditNote(a, inv, 16_667);
    expect(await creditOf(a.clientId)).toBe(10_000);
    expect(await stateOf(a, inv.id)).toMatchObject({ outstandingCents: 0, excessCents: 10_000 });
  });

  it("credits nothing when the invoice still owed more than the credit note", async () => {
    const a = await readyAccount();
    const inv = await issuedInvoice(a);
    await pay(a, inv.id, 50_000);
    await creditNote(a, inv, 16_667);
    expect(await creditOf(a.clientId)).toBe(0);
    expect((await stateOf(a, inv.id)).outstandingCents).toBe(inv.dueCents - 50_000 - 20_000);
  });

  it("turns everything paid into credit when a paid invoice is cancelled, and the credit settles another invoice", async () => {
    const a = await readyAccount();
    const inv = await issuedInvoice(a);
    await pay(a, inv.id, inv.dueCents);
    expect((await a.client.json("POST", `/api/v1/documents/${inv.id}/cancel`, {})).status).toBe(201);
    expect(await creditOf(a.clientId)).toBe(inv.dueCents);
    const other = await issuedInvoice(a);
    await applyClientCredit(verbCtx(a.accountId), other.id);
    expect((await stateOf(a, other.id)).status).toBe("paid");
    expect(await creditOf(a.clientId)).toBe(0);
  });

  it("keeps the credit right when the payment is corrected afterwards: the excess goes, the invoice owes what is left", async () => {
    const a = await readyAccount();
    const inv = await issuedInvoice(a);
    const payment = await pay(a, inv.id, inv.dueCents);
    await creditNote(a, inv, 16_667);
    expect(await creditOf(a.clientId)).toBe(20_000);
    await correctPayment(verbCtx(a.accountId), inv.id, payment.id);
    expect(await creditOf(a.clientId)).toBe(0);
    expect(await ruleCredit(a.clientId)).toBe(0);
    expect((await stateOf(a, inv.id)).outstandingCents).toBe(inv.dueCents - 20_000);
  });

  it("refuses to correct that payment once its credit was spent, writing nothing", async () => {
    const a = await readyAccount();
    const inv = await issuedInvoice(a);
    const payment = await pay(a, inv.id, inv.dueCents);
    await creditNote(a, inv, 16_667);
    const other = await issuedInvoice(a);
    await applyClientCredit(verbCtx(a.accountId), other.id);
    await expect(correctPayment(verbCtx(a.accountId), inv.id, payment.id)).rejects.toMatchObject({ code: "conflict" });
    expect(await creditOf(a.clientId)).toBe(0);
    expect(await ruleCredit(a.clientId)).toBe(0);
  });

  it("stays exact when a payment and the credit note land at the same time", async () => {
    const a = await readyAccount();
    for (let i = 0; i < 3; i++) {
      const inv = await issuedInvoice(a);
      await pay(a, inv.id, inv.dueCents - 5_000);
      await Promise.all([creditNote(a, inv, 16_667), pay(a, inv.id, 5_000)]);
      expect(await creditOf(a.clientId)).toBe(await ruleCredit(a.clientId));
    }
    // Each invoice ends paid in full, then credited 200 €: 3 × 200 € of credit.
    expect(await creditOf(a.clientId)).toBe(60_000);
  });
});

describe("a refund of credit already spent", () => {
  it("reopens the invoice the credit settled instead of taking the credit below zero", async () => {
    const a = await readyAccount();
    const ctx = verbCtx(a.accountId);
    const first = await issuedInvoice(a);
    await recordPayment(ctx, first.id, { receivedOn: today(), amountCents: first.dueCents + 30_000, method: "stripe", reference: "pi_over" });
    const second = await issuedInvoice(a, 25_000); // 300,00 € due
    await applyClientCredit(ctx, second.id);
    expect((await stateOf(a, second.id)).status).toBe("paid");
    expect(await creditOf(a.clientId)).toBe(0);

    // Stripe refunds 200 € of the overpayment after its credit settled the second invoice.
    await recordPayment({ ...ctx, now: ctx.now + 1 }, first.id, { receivedOn: today(), amountCents: -20_000, method: "stripe", reference: "Remboursement pi_over" });
    expect(await creditOf(a.clientId)).toBe(0);
    expect(await ruleCredit(a.clientId)).toBe(0);
    const reopened = await stateOf(a, second.id);
    expect(reopened).toMatchObject({ status: "partially_paid", outstandingCents: 20_000 });
    expect(reopened.payments.map((p) => [p.method, p.amountCents])).toEqual([
      ["avoir_client", 30_000],
      ["avoir_client", -20_000],
    ]);
    // The refund is money paid back (in the book); taking the credit back is not.
    const book = await receiptsBook(ctx.db, a.accountId, "2000-01-01", "2999-12-31");
    expect(book.map((e) => e.amountCents)).toEqual([first.dueCents + 30_000, -20_000]);
    expect(await one<number>("SELECT outstanding_cents AS v FROM invoice_balances WHERE document_id = ?", second.id)).toBe(20_000);
    expect(await pageText(a, second.id)).toContain("Remboursement d'un crédit déjà utilisé : 200,00 € de crédit repris");
  });

  it("reopens several invoices, the latest settled first, when one does not cover the refund", async () => {
    const a = await readyAccount();
    const ctx = verbCtx(a.accountId);
    const first = await issuedInvoice(a);
    await pay(a, first.id, first.dueCents + 24_000);
    const b = await issuedInvoice(a, 10_000); // 120,00 €
    const c = await issuedInvoice(a, 10_000);
    await applyClientCredit(ctx, b.id);
    await applyClientCredit({ ...ctx, now: ctx.now + 1 }, c.id);
    await recordPayment({ ...ctx, now: ctx.now + 2 }, first.id, { receivedOn: today(), amountCents: -18_000, method: "stripe", reference: undefined });
    expect(await creditOf(a.clientId)).toBe(0);
    expect((await stateOf(a, c.id)).outstandingCents).toBe(12_000);
    expect((await stateOf(a, b.id)).outstandingCents).toBe(6_000);
    expect(await ruleCredit(a.clientId)).toBe(0);
  });

  it("takes only the credit that is missing: a refund within the unspent credit reopens nothing", async () => {
    const a = await readyAccount();
    const ctx = verbCtx(a.accountId);
    const first = await issuedInvoice(a);
    await pay(a, first.id, first.dueCents + 30_000);
    const second = await issuedInvoice(a, 10_000);
    await applyClientCredit(ctx, second.id);
    await recordPayment(ctx, first.id, { receivedOn: today(), amountCents: -18_000, method: "stripe", reference: undefined });
    expect(await creditOf(a.clientId)).toBe(0);
    expect((await stateOf(a, second.id)).status).toBe("paid");
  });
});
