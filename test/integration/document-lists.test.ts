import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../src/worker/domain/mentions";
import { invoiceStatus, outstandingCents } from "../../src/worker/domain/invoice-status";
import { type DocumentType, todayInParis } from "../../src/worker/features/documents/drafts";
import { bucketsFrom, LIST_STATUSES, listDocuments, type ListStatus, type ListTotals } from "../../src/worker/features/documents/queries";
import { quoteStatus } from "../../src/worker/features/documents/quotes";
import { randomId } from "../../src/worker/lib/crypto/random";
import { createDraftVia, draftBody, readyAccount, verbCtx } from "../helpers/invoicing";

// The document lists filter on the derived invoice status in SQL (documents.list_state, kept by
// triggers) and read their totals from document_tallies. Every expectation here is recomputed from
// the raw rows (documents, payments, credit notes) with the domain's own functions, so the SQL and
// domain/invoice-status.ts cannot drift apart unnoticed.

type Account = Awaited<ReturnType<typeof readyAccount>>;

const INVOICE_LIST: DocumentType[] = ["invoice", "deposit_invoice", "credit_note"];
const INVOICE_TABS: ListStatus[] = ["draft", "issued", "partially_paid", "paid", "overdue", "cancelled"];
const QUOTE_TABS: ListStatus[] = ["draft", "sent", "accepted", "refused", "expired"];

interface RawDoc {
  id: string;
  type: DocumentType;
  status: string;
  number: string | null;
  due_date: string | null;
  valid_until: string | null;
  due_cents: number;
  tax_inclusive_cents: number;
  preceding_document_id: string | null;
  client_name: string | null;
}

/** The status a document has, from raw rows only: payments summed, issued credit notes summed. */
async function rawStatuses(accountId: string, today: string) {
  const { results: docs } = await env.DB.prepare(
    `SELECT d.id, d.type, d.status, d.number, d.due_date, d.valid_until, d.due_cents, d.tax_inclusive_cents, d.preceding_document_id, c.name AS client_name
     FROM documents d LEFT JOIN clients c ON c.id = d.client_id WHERE d.account_id = ?`,
  )
    .bind(accountId)
    .all<RawDoc>();
  const { results: paid } = await env.DB.prepare("SELECT document_id, SUM(amount_cents) AS cents FROM payments WHERE account_id = ? GROUP BY document_id")
    .bind(accountId)
    .all<{ document_id: string; cents: number }>();
  const paidOf = new Map(paid.map((p) => [p.document_id, p.cents]));
  const creditedOf = new Map<string, number>();
  for (const d of docs) {
    if (d.type === "credit_note" && d.status !== "draft" && d.preceding_document_id) {
      creditedOf.set(d.preceding_document_id, (creditedOf.get(d.preceding_document_id) ?? 0) + d.due_cents);
    }
  }
  return docs.map((d) => {
    const amounts = { dueCents: d.due_cents, creditedCents: creditedOf.get(d.id) ?? 0, paidCents: paidOf.get(d.id) ?? 0 };
    const invoice = (d.type === "invoice" || d.type === "deposit_invoice") && d.status !== "draft";
    const status = invoice
      ? invoiceStatus({ ...amounts, dueDate: d.due_date, today, cancelled: d.status === "cancelled" })
      : quoteStatus({ type: d.type, status: d.status as "draft", validUntil: d.valid_until }, today);
    const owed = invoice && d.status === "issued" ? outstandingCents(amounts) : 0;
    return { ...d, derived: status as string, owed, signed: d.type === "credit_note" ? -d.tax_inclusive_cents : d.tax_inclusive_cents };
  });
}

type Raw = Awaited<ReturnType<typeof rawStatuses>>[number];

/** Which documents a tab shows: the derived status, and issued credit notes under "issued". */
function inTab(d: Raw, types: DocumentType[], tab: ListStatus | undefined): boolean {
  if (!types.includes(d.type)) return false;
  if (tab === undefined) return true;
  if (tab === "issued" && d.type === "credit_note") return d.status === "issued";
  return d.derived === tab;
}

function expectedTotals(rows: Raw[]): Omit<ListTotals, "search"> {
  return {
    documents: rows.length,
    // Drafts are listed and counted, never summed: a draft bills nothing yet.
    taxInclusiveCents: rows.reduce((s, d) => s + (d.status === "draft" ? 0 : d.signed), 0),
    outstandingCents: rows.reduce((s, d) => s + d.owed, 0),
  };
}

/** Every id of a tab, walking the keyset pages. */
async function allIds(accountId: string, types: DocumentType[], status: ListStatus | undefined, q?: string, limit = 100) {
  const ctx = verbCtx(accountId);
  const ids: string[] = [];
  let cursor: string | undefined;
  let totals: ListTotals | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await listDocuments(ctx, { types, status, cursor, q, limit });
    ids.push(...page.items.map((d) => d.id));
    totals ??= page.totals;
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return { ids, totals: totals as ListTotals };
}

/** Checks every tab of both lists against the raw rows: the ids shown and the totals. */
async function expectListsMatchRaw(accountId: string) {
  const today = todayInParis(Date.now());
  const raw = await rawStatuses(accountId, today);
  for (const [types, tabs] of [
    [INVOICE_LIST, INVOICE_TABS],
    [["quote"] as DocumentType[], QUOTE_TABS],
  ] as const) {
    for (const tab of [undefined, ...tabs]) {
      const expected = raw.filter((d) => inTab(d, types, tab));
      const { ids, totals } = await allIds(accountId, types, tab);
      expect(new Set(ids).size, `${tab} has no duplicate`).toBe(ids.length);
      expect([...ids].sort(), `tab ${tab ?? "all"} of ${types.join(",")}`).toEqual(expected.map((d) => d.id).sort());
      expect(totals, `totals of tab ${tab ?? "all"}`).toEqual({ ...expectedTotals(expected), search: false });
    }
  }
}

// ——— Generated fixtures, written as raw rows so every trigger runs ———

const invoiceArb = fc.record({
  type: fc.constantFrom<DocumentType>("invoice", "deposit_invoice"),
  status: fc.constantFrom("draft", "issued", "issued", "issued", "issued", "cancelled"),
  dueCents: fc.integer({ min: 0, max: 50_000 }),
  // Around today, the day itself included: due today is not overdue, due yesterday is.
  dueInDays: fc.option(fc.oneof(fc.integer({ min: -60, max: 60 }), fc.constantFrom(-1, 0, 1)), { nil: null, freq: 6 }),
  payments: fc.oneof(
    fc.constant([] as number[]),
    fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 3 }),
    // A payment and its correction.
    fc.integer({ min: 1, max: 20_000 }).map((c) => [c, -c]),
  ),
  credits: fc.array(fc.record({ cents: fc.integer({ min: 0, max: 30_000 }), issued: fc.boolean() }), { maxLength: 2 }),
});
const quoteArb = fc.record({
  status: fc.constantFrom("draft", "sent", "sent", "accepted", "refused", "expired"),
  validInDays: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }),
  cents: fc.integer({ min: 0, max: 50_000 }),
});

type InvoiceSpec = { type: DocumentType; status: string; dueCents: number; dueInDays: number | null; payments: number[]; credits: Array<{ cents: number; issued: boolean }> };
type QuoteSpec = { status: string; validInDays: number | null; cents: number };

async function insertRows(table: string, rows: Record<string, unknown>[]) {
  const statements = rows.map((r) => {
    const cols = Object.keys(r);
    return env.DB.prepare(`INSERT INTO ${table} (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`).bind(...Object.values(r));
  });
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
}

async function seedGenerated(
  accountId: string,
  clientId: string,
  invoices: InvoiceSpec[],
  quotes: QuoteSpec[],
) {
  const today = todayInParis(Date.now());
  let at = Date.now() - 10_000_000;
  const docs: Record<string, unknown>[] = [];
  const payments: Record<string, unknown>[] = [];
  const doc = (type: DocumentType, status: string, cents: number, extra: Record<string, unknown> = {}) => {
    const id = randomId();
    at += 1_000;
    docs.push({
      id,
      account_id: accountId,
      type,
      status,
      number: status === "draft" ? null : `${type.slice(0, 2).toUpperCase()}-${docs.length + 1}`,
      client_id: clientId,
      issue_date: status === "draft" ? null : today,
      tax_inclusive_cents: cents,
      due_cents: cents,
      created_at: at,
      updated_at: at,
      ...extra,
    });
    return id;
  };
  for (const inv of invoices) {
    const id = doc(inv.type, inv.status, inv.dueCents, { due_date: inv.dueInDays === null ? null : addDays(today, inv.dueInDays) });
    if (inv.status === "draft") continue;
    for (const cents of inv.payments) {
      at += 1;
      payments.push({ id: randomId(), account_id: accountId, document_id: id, client_id: clientId, received_on: today, amount_cents: cents, method: "virement", created_at: at });
    }
    for (const credit of inv.credits) doc("credit_note", credit.issued ? "issued" : "draft", credit.cents, { preceding_document_id: id });
  }
  for (const q of quotes) doc("quote", q.status, q.cents, { valid_until: q.validInDays === null ? null : addDays(today, q.validInDays) });
  await insertRows("documents", docs);
  await insertRows("payments", payments);
}

describe("document list filters", () => {
  it("show exactly the documents whose derived status is the tab's, with the totals of the whole set, for any mix", async () => {
    const a = await readyAccount();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(invoiceArb, { minLength: 3, maxLength: 12 }), fc.array(quoteArb, { maxLength: 6 }), async (invoices, quotes) => {
        // A fresh account per run: the property is about one account's rows.
        const accountId = `${a.accountId}-${runs++}`;
        await seedGenerated(accountId, a.clientId, invoices, quotes);
        await expectListsMatchRaw(accountId);
      }),
      { numRuns: 20 },
    );
  }, 120_000);

  it("on a fixture with every case, puts each document under its tab", async () => {
    const a = await readyAccount();
    const inv = (dueInDays: number | null, payments: number[], credits: InvoiceSpec["credits"] = [], extra: Partial<InvoiceSpec> = {}): InvoiceSpec => ({
      type: "invoice",
      status: "issued",
      dueCents: 10_000,
      dueInDays,
      payments,
      credits,
      ...extra,
    });
    const fixture: Record<string, InvoiceSpec> = {
      draft: inv(null, [], [], { status: "draft" }),
      notDue: inv(10, []),
      noDueDate: inv(null, []),
      dueToday: inv(0, []),
      partialNotDue: inv(10, [4_000]),
      partialOverdue: inv(-1, [4_000]),
      overdue: inv(-30, []),
      depositOverdue: inv(-5, [], [], { type: "deposit_invoice" }),
      corrected: inv(-2, [4_000, -4_000]),
      paid: inv(-30, [10_000]),
      overpaid: inv(5, [12_000]),
      creditedAndPaid: inv(-30, [7_000], [{ cents: 3_000, issued: true }]),
      fullyCredited: inv(-30, [], [{ cents: 10_000, issued: true }]),
      draftCreditOnly: inv(-30, [8_000], [{ cents: 5_000, issued: false }]),
      cancelled: inv(-30, [], [{ cents: 10_000, issued: true }], { status: "cancelled" }),
    };
    await seedGenerated(a.accountId, a.clientId, Object.values(fixture), [
      { status: "sent", validInDays: 5, cents: 1_000 },
      { status: "sent", validInDays: -1, cents: 2_000 },
      { status: "sent", validInDays: null, cents: 3_000 },
      { status: "expired", validInDays: 3, cents: 4_000 },
      { status: "accepted", validInDays: -3, cents: 5_000 },
    ]);
    await expectListsMatchRaw(a.accountId);
    // The same by name: numbers are given in insertion order (IN-1, IN-2…), credit notes in between.
    const raw = await rawStatuses(a.accountId, todayInParis(Date.now()));
    const invoicesInOrder = raw.filter((d) => d.type !== "credit_note" && d.type !== "quote").sort((x, y) => Number(x.number?.slice(3) ?? 0) - Number(y.number?.slice(3) ?? 0));
    const nameOf = new Map<string, string>();
    const names = Object.keys(fixture);
    // Drafts have no number: the draft is the one invoice without one.
    for (const d of invoicesInOrder) nameOf.set(d.id, d.number ? names.filter((n) => n !== "draft")[invoicesInOrder.filter((x) => x.number).indexOf(d)] ?? "?" : "draft");
    const tab = async (status: ListStatus) => (await allIds(a.accountId, ["invoice", "deposit_invoice"], status)).ids.map((id) => nameOf.get(id)).sort();
    expect(await tab("overdue")).toEqual(["corrected", "depositOverdue", "draftCreditOnly", "overdue", "partialOverdue"]);
    expect(await tab("issued")).toEqual(["dueToday", "noDueDate", "notDue"]);
    expect(await tab("partially_paid")).toEqual(["partialNotDue"]);
    expect(await tab("paid")).toEqual(["creditedAndPaid", "fullyCredited", "overpaid", "paid"]);
    expect(await tab("cancelled")).toEqual(["cancelled"]);
    expect(await tab("draft")).toEqual(["draft"]);
    const quotes = await listDocuments(verbCtx(a.accountId), { types: ["quote"], status: "expired" });
    expect(quotes.items.map((d) => d.taxInclusiveCents).sort()).toEqual([2_000, 4_000]);
  });

  it("pages through a tab by keyset without repeating or skipping a document", async () => {
    const a = await readyAccount();
    const invoices = Array.from({ length: 23 }, (_, i) => ({
      type: "invoice" as const,
      status: "issued",
      dueCents: 10_000 + i,
      dueInDays: i % 2 ? -5 : 5,
      payments: [],
      credits: [],
    }));
    await seedGenerated(a.accountId, a.clientId, invoices, []);
    const { ids, totals } = await allIds(a.accountId, INVOICE_LIST, "overdue", undefined, 4);
    expect(ids).toHaveLength(11);
    expect(new Set(ids).size).toBe(11);
    expect(totals.documents).toBe(11);
    const all = await allIds(a.accountId, INVOICE_LIST, undefined, undefined, 5);
    expect(all.ids).toHaveLength(23);
    expect(new Set(all.ids).size).toBe(23);
  });

  it("lists the overdue tab oldest due date first, page after page, through the due-date index", async () => {
    const a = await readyAccount();
    // Due dates out of creation order, several on the same day, mixed with invoices not yet due.
    const invoices = Array.from({ length: 17 }, (_, i) => ({
      type: (i % 5 === 0 ? "deposit_invoice" : "invoice") as DocumentType,
      status: "issued",
      dueCents: 10_000 + i,
      dueInDays: i % 3 === 2 ? 10 : -1 - ((i * 7) % 5),
      payments: i % 4 === 1 ? [2_000] : [],
      credits: [],
    }));
    await seedGenerated(a.accountId, a.clientId, invoices, []);
    const ctx = verbCtx(a.accountId);
    const seen: Array<{ id: string; dueDate: string | null; createdAt: number }> = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await listDocuments(ctx, { types: INVOICE_LIST, status: "overdue", cursor, limit: 3 });
      seen.push(...page.items.map((d) => ({ id: d.id, dueDate: d.dueDate, createdAt: d.createdAt })));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const expected = invoices.filter((d) => d.dueInDays < 0).length;
    expect(seen).toHaveLength(expected);
    expect(new Set(seen.map((d) => d.id)).size).toBe(expected);
    const keys = seen.map((d) => `${d.dueDate}|${String(d.createdAt).padStart(15, "0")}|${d.id}`);
    expect(keys).toEqual([...keys].sort());
    // A cursor of the newest-first lists is not one of this tab: refused, not misread.
    const newestFirst = await listDocuments(ctx, { types: INVOICE_LIST, status: "issued", limit: 1 });
    if (newestFirst.nextCursor) {
      await expect(listDocuments(ctx, { types: INVOICE_LIST, status: "overdue", cursor: newestFirst.nextCursor })).rejects.toThrow();
    }
  });

  it("totals a search over the matched rows only, and says so", async () => {
    const a = await readyAccount();
    await seedGenerated(
      a.accountId,
      a.clientId,
      Array.from({ length: 6 }, (_, i) => ({ type: "invoice" as const, status: "issued", dueCents: 1_000 * (i + 1), dueInDays: -3, payments: [], credits: [] })),
      [],
    );
    const raw = await rawStatuses(a.accountId, todayInParis(Date.now()));
    const target = raw.find((d) => d.number === "IN-3");
    const page = await listDocuments(verbCtx(a.accountId), { types: INVOICE_LIST, status: "overdue", q: "in-3" });
    expect(page.items.map((d) => d.id)).toEqual([target?.id]);
    expect(page.totals).toEqual({ documents: 1, taxInclusiveCents: target?.signed, outstandingCents: target?.owed, search: true });
  });

  it("leaves drafts out of every money total: list, search and page", async () => {
    const a = await readyAccount();
    await seedGenerated(
      a.accountId,
      a.clientId,
      [
        { type: "invoice", status: "issued", dueCents: 12_300, dueInDays: 10, payments: [], credits: [] },
        { type: "invoice", status: "draft", dueCents: 98_700, dueInDays: 10, payments: [], credits: [] },
      ],
      [],
    );
    const ctx = verbCtx(a.accountId);
    for (const status of [undefined, "draft"] as const) {
      const page = await listDocuments(ctx, { types: INVOICE_LIST, status });
      const issued = page.items.filter((d) => d.status !== "draft").reduce((s, d) => s + d.taxInclusiveCents, 0);
      expect(page.totals.taxInclusiveCents, `tab ${status ?? "all"}`).toBe(issued);
      expect(page.items.some((d) => d.status === "draft"), `tab ${status ?? "all"} lists the draft`).toBe(true);
    }
    const client = await env.DB.prepare("SELECT name FROM clients WHERE id = ?").bind(a.clientId).first<{ name: string }>();
    const searched = await listDocuments(ctx, { types: INVOICE_LIST, q: client?.name.split(" ")[0] ?? "" });
    expect(searched.totals.documents).toBe(2);
    expect(searched.totals.taxInclusiveCents).toBe(searched.items.filter((d) => d.status !== "draft").reduce((s, d) => s + d.taxInclusiveCents, 0));
    // The page: neither the totals strip nor the page total adds the draft's 987,00 €.
    const raw = await rawStatuses(a.accountId, todayInParis(Date.now()));
    const issuedTtc = raw.filter((d) => d.status !== "draft").reduce((s, d) => s + d.signed, 0);
    const draftTtc = raw.filter((d) => d.status === "draft").reduce((s, d) => s + d.signed, 0);
    const html = (await (await a.client.get("/factures")).text()).replace(/\s/g, " ");
    const fmt = (c: number) => new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(c / 100).replace(/\s/g, " ");
    expect(html).not.toContain(fmt(issuedTtc + draftTtc));
    expect(html.split(fmt(issuedTtc)).length - 1).toBeGreaterThanOrEqual(3);
  });

  it("splits by today with at most 16 tally buckets, which together cover exactly the days from today on", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65_535 }), (t) => {
        const today = new Date(t * 86_400_000).toISOString().slice(0, 10);
        const buckets = bucketsFrom(today);
        expect(buckets.length).toBeLessThanOrEqual(16);
        // Walking the nodes in order tiles [t, 2^16) with no gap and no overlap.
        let end = t;
        for (const b of buckets) {
          const level = Math.floor(b / 65_536);
          const node = b % 65_536;
          expect(node * 2 ** level).toBe(end);
          end = (node + 1) * 2 ** level;
        }
        expect(end).toBe(65_536);
      }),
      { examples: [[0], [1], [65_535], [20_783]] },
    );
  });
});

describe("document list tallies", () => {
  async function issue(a: Account, id: string) {
    const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { document: { id: string; dueCents: number } }).document;
  }

  it("stay equal to a recomputation through draft edits and deletes, issue, payments, corrections, credit notes and cancels", async () => {
    const a = await readyAccount();
    const check = () => expectListsMatchRaw(a.accountId);

    const kept = await createDraftVia(a.client, draftBody(a.clientId));
    const dropped = await createDraftVia(a.client, draftBody(a.clientId));
    await createDraftVia(a.client, draftBody(a.clientId, { type: "quote" }));
    await check();

    expect((await a.client.json("PUT", `/api/v1/documents/${kept}`, draftBody(a.clientId, { lines: [{ ...draftBody(a.clientId).lines[0], unitPriceCents: 99_000 }] }))).status).toBe(200);
    expect((await a.client.json("DELETE", `/api/v1/documents/${dropped}`)).status).toBe(204);
    await check();

    const invoice = await issue(a, kept);
    const other = await issue(a, await createDraftVia(a.client, draftBody(a.clientId)));
    const third = await issue(a, await createDraftVia(a.client, draftBody(a.clientId)));
    await check();

    const paid = await a.client.json("POST", `/api/v1/documents/${invoice.id}/payments`, { receivedOn: todayInParis(Date.now()), method: "virement", amountCents: 20_000 });
    expect(paid.status).toBe(201);
    const payment = ((await paid.json()) as { payment: { id: string } }).payment;
    await check();
    expect((await listDocuments(verbCtx(a.accountId), { types: INVOICE_LIST, status: "partially_paid" })).items.map((d) => d.id)).toEqual([invoice.id]);

    expect((await a.client.json("POST", `/api/v1/documents/${invoice.id}/payments/${payment.id}/correction`, {})).status).toBe(201);
    await check();

    expect((await a.client.json("POST", `/api/v1/documents/${other.id}/payments`, { receivedOn: todayInParis(Date.now()), method: "cheque", amountCents: other.dueCents })).status).toBe(201);
    await check();
    expect((await listDocuments(verbCtx(a.accountId), { types: INVOICE_LIST, status: "paid" })).items.map((d) => d.id)).toEqual([other.id]);

    const creditId = await createDraftVia(a.client, {
      type: "credit_note",
      precedingDocumentId: third.id,
      clientId: a.clientId,
      lines: [{ description: "Geste commercial", quantity: "1", unitCode: "C62", unitPriceCents: 10_000, vatCategory: "S", vatRateBp: 2000, kind: "service" }],
    });
    await check();
    await issue(a, creditId);
    await check();

    expect((await a.client.json("POST", `/api/v1/documents/${invoice.id}/cancel`, {})).status).toBe(201);
    await check();
    const cancelled = await listDocuments(verbCtx(a.accountId), { types: INVOICE_LIST, status: "cancelled" });
    expect(cancelled.items.map((d) => d.id)).toEqual([invoice.id]);
    expect(cancelled.items[0]?.status).toBe("cancelled");
  }, 60_000);
});

describe("the document list API and pages", () => {
  it("answers { items, nextCursor, totals } and refuses an unknown status with a stable code", async () => {
    const a = await readyAccount();
    await createDraftVia(a.client, draftBody(a.clientId));
    const ok = await a.client.json("GET", "/api/v1/documents?type=invoice&status=draft");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { items: Array<{ status: string }>; nextCursor: string | null; totals: ListTotals };
    expect(body.items.map((d) => d.status)).toEqual(["draft"]);
    expect(body.nextCursor).toBeNull();
    expect(body.totals).toMatchObject({ documents: 1, outstandingCents: 0, search: false });
    for (const status of LIST_STATUSES) expect((await a.client.json("GET", `/api/v1/documents?status=${status}`)).status, status).toBe(200);

    const bad = await a.client.json("GET", "/api/v1/documents?status=unpaid");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; fields?: Record<string, string> } }).error).toMatchObject({ code: "invalid", fields: { status: expect.any(String) } });
  });

  it("shows the invoice tabs, the derived status badges and the totals strip of the filtered set", async () => {
    const a = await readyAccount();
    await seedGenerated(
      a.accountId,
      a.clientId,
      [
        { type: "invoice", status: "issued", dueCents: 12_000, dueInDays: -10, payments: [2_000], credits: [] },
        { type: "invoice", status: "issued", dueCents: 30_000, dueInDays: -1, payments: [], credits: [] },
        { type: "invoice", status: "issued", dueCents: 5_000, dueInDays: 10, payments: [5_000], credits: [] },
      ],
      [],
    );
    const html = await (await a.client.get("/factures?statut=overdue")).text();
    for (const tab of INVOICE_TABS) expect(html).toContain(`href="/factures?statut=${tab}"`);
    expect(html).toMatch(/href="\/factures\?statut=overdue" aria-current="page"/);
    expect(html).toContain('class="docs-list-totals"');
    expect(html).toContain("2 documents");
    // 10 000 + 30 000 still due, out of 42 000 TTC.
    expect(html.replace(/\s/g, " ")).toContain("420,00");
    expect(html.replace(/\s/g, " ")).toContain("400,00");
    expect(html.match(/doc-status-overdue/g)).toHaveLength(2);
    expect(html).not.toContain("doc-status-paid");

    // The search form is the clients list's: same form class, same field markup.
    const clientsHtml = await (await a.client.get("/clients")).text();
    const formOf = (page: string) => page.match(/<form[^>]*role="search"[^>]*>[\s\S]*?<\/form>/)?.[0] ?? "";
    const classes = (form: string) => (form.match(/class="[^"]*"/g) ?? []).filter((c) => !c.includes("hint"));
    expect(formOf(html)).toContain('class="search-form"');
    expect(formOf(html)).toContain('<div class="field">');
    expect(classes(formOf(html))).toEqual(classes(formOf(clientsHtml)));

    const searched = await (await a.client.get("/factures?q=IN-1")).text();
    expect(searched).toContain("résultats de la recherche");
  });
});
