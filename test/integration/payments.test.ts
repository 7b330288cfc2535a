import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addDays } from "../../src/worker/domain/mentions";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { aggregateStatementsForIssue } from "../../src/worker/features/payments/aggregates";
import { listPayments } from "../../src/worker/features/payments/queries";
import { readyAccount, createDraftVia, draftBody, verbCtx } from "../helpers/invoicing";
import { signedUpClient } from "../helpers/client";

type Account = Awaited<ReturnType<typeof readyAccount>>;
type State = { status: string; dueCents: number; creditedCents: number; paidCents: number; outstandingCents: number; excessCents: number; payments: Array<{ id: string; amountCents: number; correctsPaymentId: string | null }> };
type Doc = { id: string; number: string; dueCents: number; issueDate: string; dueDate: string; clientId: string; issuedAt: number };

const today = () => todayInParis(Date.now());

async function issuedInvoice(a: Account, extra: Record<string, unknown> = {}, issueDate?: string): Promise<Doc> {
  const id = await createDraftVia(a.client, draftBody(a.clientId, extra));
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, issueDate ? { issueDate } : {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: Doc }).document;
}

function pay(a: Account, id: string, body: Record<string, unknown>) {
  return a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn: today(), method: "virement", ...body });
}

async function stateOf(a: Account, id: string): Promise<State> {
  const res = await a.client.json("GET", `/api/v1/documents/${id}/payments`);
  expect(res.status).toBe(200);
  return (await res.json()) as State;
}

async function creditOf(clientId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS c FROM client_credits WHERE client_id = ?").bind(clientId).first<{ c: number }>();
  return row?.c ?? 0;
}

describe("recording payments", () => {
  it("derives issued, then partially paid, then paid as money comes in", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const before = await stateOf(a, doc.id);
    expect(before).toMatchObject({ status: "issued", paidCents: 0, outstandingCents: doc.dueCents });

    const first = await pay(a, doc.id, { amountCents: 50_000, method: "cheque", reference: "CHQ 0042" });
    expect(first.status).toBe(201);
    expect(((await first.json()) as { state: State }).state).toMatchObject({ status: "partially_paid", paidCents: 50_000, outstandingCents: doc.dueCents - 50_000 });

    expect((await pay(a, doc.id, { amountCents: doc.dueCents - 50_000 })).status).toBe(201);
    const after = await stateOf(a, doc.id);
    expect(after).toMatchObject({ status: "paid", paidCents: doc.dueCents, outstandingCents: 0, excessCents: 0 });
    expect(after.payments).toHaveLength(2);
    expect(await creditOf(a.clientId)).toBe(0);
  });

  it("keeps the month's received total in step with the payments, in the same batch", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    await pay(a, doc.id, { amountCents: 12_345 });
    await pay(a, doc.id, { amountCents: 10_000 });
    const row = await env.DB.prepare("SELECT received_cents AS r FROM monthly_totals WHERE account_id = ? AND month = ?").bind(a.accountId, today().slice(0, 7)).first<{ r: number }>();
    expect(row?.r).toBe(22_345);
  });

  it("turns an overpayment into a client credit", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const res = await pay(a, doc.id, { amountCents: doc.dueCents + 3_210 });
    expect(((await res.json()) as { state: State }).state).toMatchObject({ status: "paid", outstandingCents: 0, excessCents: 3_210 });
    expect(await creditOf(a.clientId)).toBe(3_210);
  });

  it("marks an invoice overdue when its due date has passed and it is not fully paid", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a, {}, addDays(today(), -45));
    expect(doc.dueDate < today()).toBe(true);
    expect((await stateOf(a, doc.id)).status).toBe("overdue");
    await pay(a, doc.id, { amountCents: 1_000 });
    expect((await stateOf(a, doc.id)).status).toBe("overdue");
    await pay(a, doc.id, { amountCents: doc.dueCents - 1_000 });
    expect((await stateOf(a, doc.id)).status).toBe("paid");
  });

  it("takes a partial credit note off what is due", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const creditId = await createDraftVia(a.client, {
      type: "credit_note",
      precedingDocumentId: doc.id,
      clientId: a.clientId,
      lines: [{ description: "Geste commercial", quantity: "1", unitCode: "C62", unitPriceCents: 10_000, vatCategory: "S", vatRateBp: 2000, kind: "service" }],
    });
    const credit = (await (await a.client.json("POST", `/api/v1/documents/${creditId}/issue`, {})).json()) as { document: Doc };
    const state = await stateOf(a, doc.id);
    expect(state.creditedCents).toBe(credit.document.dueCents);
    expect(state.outstandingCents).toBe(doc.dueCents - credit.document.dueCents);
    await pay(a, doc.id, { amountCents: doc.dueCents - credit.document.dueCents });
    expect((await stateOf(a, doc.id)).status).toBe("paid");
    expect(await creditOf(a.clientId)).toBe(0);
  });
});

describe("corrections", () => {
  it("reverses a mistaken payment with a negative entry and takes its excess back from the client credit", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const res = await pay(a, doc.id, { amountCents: doc.dueCents + 5_000 });
    const { payment } = (await res.json()) as { payment: { id: string } };
    expect(await creditOf(a.clientId)).toBe(5_000);

    const fix = await a.client.json("POST", `/api/v1/documents/${doc.id}/payments/${payment.id}/correction`, {});
    expect(fix.status).toBe(201);
    const { state } = (await fix.json()) as { state: State };
    expect(state).toMatchObject({ status: "issued", paidCents: 0, outstandingCents: doc.dueCents });
    expect(state.payments.map((p) => p.amountCents)).toEqual([doc.dueCents + 5_000, -(doc.dueCents + 5_000)]);
    expect(state.payments[1]?.correctsPaymentId).toBe(payment.id);
    expect(await creditOf(a.clientId)).toBe(0);
    const month = await env.DB.prepare("SELECT received_cents AS r FROM monthly_totals WHERE account_id = ?").bind(a.accountId).first<{ r: number }>();
    expect(month?.r).toBe(0);
  });

  it("refuses to correct a payment twice, or to correct a correction", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const { payment } = (await (await pay(a, doc.id, { amountCents: 100 })).json()) as { payment: { id: string } };
    const fix = await a.client.json("POST", `/api/v1/documents/${doc.id}/payments/${payment.id}/correction`, {});
    const { payment: correction } = (await fix.json()) as { payment: { id: string } };
    expect((await a.client.json("POST", `/api/v1/documents/${doc.id}/payments/${payment.id}/correction`, {})).status).toBe(409);
    expect((await a.client.json("POST", `/api/v1/documents/${doc.id}/payments/${correction.id}/correction`, {})).status).toBe(409);
  });

  it("lets the database refuse any edit or deletion of a recorded payment", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const { payment } = (await (await pay(a, doc.id, { amountCents: 100 })).json()) as { payment: { id: string } };
    await expect(env.DB.prepare("UPDATE payments SET amount_cents = 1 WHERE id = ?").bind(payment.id).run()).rejects.toThrow(/payments_append_only/);
    await expect(env.DB.prepare("DELETE FROM payments WHERE id = ?").bind(payment.id).run()).rejects.toThrow(/payments_append_only/);
  });
});

describe("refused payments", () => {
  it("refuses a payment on a draft, a quote, a credit note or a cancelled invoice (409)", async () => {
    const a = await readyAccount();
    const draft = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await pay(a, draft, { amountCents: 100 })).status).toBe(409);
    const quote = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote" }));
    await a.client.json("POST", `/api/v1/documents/${quote}/issue`, {});
    expect((await pay(a, quote, { amountCents: 100 })).status).toBe(409);
    const doc = await issuedInvoice(a);
    const cancel = await a.client.json("POST", `/api/v1/documents/${doc.id}/cancel`, {});
    const { creditNote } = (await cancel.json()) as { creditNote: { id: string } };
    expect((await pay(a, creditNote.id, { amountCents: 100 })).status).toBe(409);
    expect((await pay(a, doc.id, { amountCents: 100 })).status).toBe(409);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM payments WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("refuses an unknown method, a non-integer or non-positive amount and a future date (400)", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    for (const body of [{ amountCents: 100, method: "bitcoin" }, { amountCents: 12.5 }, { amountCents: 0 }, { amountCents: -100 }, { amountCents: 100, receivedOn: addDays(today(), 2) }]) {
      const res = await pay(a, doc.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await stateOf(a, doc.id)).payments).toHaveLength(0);
  });

  it("answers 404 for another account's invoice, and records nothing", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const intruder = await signedUpClient();
    const res = await intruder.client.json("POST", `/api/v1/documents/${doc.id}/payments`, { receivedOn: today(), method: "virement", amountCents: 100 });
    expect(res.status).toBe(404);
    expect((await intruder.client.json("GET", `/api/v1/documents/${doc.id}/payments`)).status).toBe(404);
    expect((await stateOf(a, doc.id)).payments).toHaveLength(0);
  });
});

describe("the payment form", () => {
  it("reads a French amount with grouped thousands", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const res = await a.client.postForm(`/documents/${doc.id}/paiements`, { receivedOn: today(), amount: "1 234,50", method: "virement", reference: "VIR-1" });
    expect(res.status).toBe(303);
    expect((await stateOf(a, doc.id)).paidCents).toBe(123_450);
  });

  it("refuses more than two decimals and shows the form again with the error", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const res = await a.client.postForm(`/documents/${doc.id}/paiements`, { receivedOn: today(), amount: "12,345", method: "virement" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('name="amount"');
    expect(html).toContain("2 décimales au plus");
    expect((await stateOf(a, doc.id)).payments).toHaveLength(0);
  });
});

describe("the receipts book", () => {
  it("pages payments newest first by keyset, and shows them on /paiements", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const ids: string[] = [];
    for (const cents of [100, 200, 300]) ids.push(((await (await pay(a, doc.id, { amountCents: cents })).json()) as { payment: { id: string } }).payment.id);
    const ctx = verbCtx(a.accountId);
    const first = await listPayments(ctx, { limit: 2 });
    expect(first.items.map((p) => p.amountCents)).toEqual([300, 200]);
    expect(first.nextCursor).not.toBeNull();
    const second = await listPayments(ctx, { limit: 2, cursor: first.nextCursor ?? "" });
    expect(second.items.map((p) => p.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    const api = (await (await a.client.json("GET", "/api/v1/payments")).json()) as { items: Array<{ documentNumber: string }> };
    expect(api.items).toHaveLength(3);
    const page = await a.client.get("/paiements");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(doc.number);
  });
});

describe("monthly invoiced totals", () => {
  it("adds an issued invoice's amount due and takes a credit note's off, as the documents say", async () => {
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const cancel = await a.client.json("POST", `/api/v1/documents/${doc.id}/cancel`, {});
    const { creditNote } = (await cancel.json()) as { creditNote: Doc & { type: "credit_note" } };
    const ctx = verbCtx(a.accountId);
    // Until the issue batch carries these statements, the test applies them as the issue would.
    const statements = [
      ...aggregateStatementsForIssue(ctx.db, a.accountId, { ...doc, type: "invoice" }),
      ...aggregateStatementsForIssue(ctx.db, a.accountId, creditNote),
      // A second, late writer of the same issue (another issued_at) adds nothing.
      ...aggregateStatementsForIssue(ctx.db, a.accountId, { ...doc, type: "invoice", issuedAt: doc.issuedAt - 1 }),
    ];
    const [first, ...rest] = statements;
    if (!first) throw new Error("no statement");
    await ctx.db.batch([first, ...rest]);
    const expected = await env.DB.prepare(
      `SELECT substr(issue_date, 1, 7) AS month, SUM(CASE WHEN type = 'credit_note' THEN -due_cents ELSE due_cents END) AS cents
       FROM documents WHERE account_id = ? AND status != 'draft' AND type != 'quote' GROUP BY month`,
    )
      .bind(a.accountId)
      .all<{ month: string; cents: number }>();
    const stored = await env.DB.prepare("SELECT month, invoiced_cents AS cents FROM monthly_totals WHERE account_id = ? ORDER BY month").bind(a.accountId).all<{ month: string; cents: number }>();
    expect(stored.results).toEqual(expected.results);
    expect(aggregateStatementsForIssue(ctx.db, a.accountId, { ...doc, type: "quote" })).toHaveLength(0);
  });
});

describe("the payments panel of a document page", () => {
  it("shows the derived status, the entries with their reversal, and the form only while the invoice is open", async () => {
    const { renderToString } = await import("preact-render-to-string");
    const { h } = await import("preact");
    const { PaymentsPanel } = await import("../../src/worker/features/payments/panel");
    const { paymentsPanelData } = await import("../../src/worker/features/payments/page-routes");
    const { translator } = await import("../../src/worker/ui/i18n");
    const a = await readyAccount();
    const doc = await issuedInvoice(a);
    const { payment } = (await (await pay(a, doc.id, { amountCents: 4_200, method: "especes" })).json()) as { payment: { id: string } };
    await a.client.json("POST", `/api/v1/documents/${doc.id}/payments/${payment.id}/correction`, {});
    await pay(a, doc.id, { amountCents: 1_000 });
    const ctx = verbCtx(a.accountId);
    const row = await ctx.db.query.documents.findFirst({ where: (d, { eq }) => eq(d.id, doc.id) });
    const data = await paymentsPanelData(ctx, row!);
    expect(data?.state.status).toBe("partially_paid");
    const page = { locale: "fr" as const, t: translator("fr"), csrfToken: "t", nonce: undefined, auth: null, path: "/", isLocal: true };
    const html = renderToString(h(PaymentsPanel, { ctx: page, ...data! }));
    expect(html).toContain("Partiellement payée");
    expect(html).toContain("Espèces");
    expect(html).toContain("Correction");
    expect(html).toContain("corrigé");
    expect(html).toContain(`action="/documents/${doc.id}/paiements"`);
    const closed = renderToString(h(PaymentsPanel, { ctx: page, ...data!, doc: { ...data!.doc, status: "cancelled" } }));
    expect(closed).not.toContain(`action="/documents/${doc.id}/paiements"`);
  });
});
