import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AGING_BUCKETS } from "../../src/worker/domain/invoice-status";
import { addDays } from "../../src/worker/domain/mentions";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { clientBalance } from "../../src/worker/features/clients/queries";
import { receivables } from "../../src/worker/features/payments/queries";
import { randomId } from "../../src/worker/lib/crypto/random";
import { insertClient, readyAccount, verbCtx } from "../helpers/invoicing";

// receivables() reads its aging totals from the document_tallies tree and its per-client totals
// from client_open_balances, both kept by triggers. The oracle here is the full scan it replaced:
// every open item of invoice_balances, aged one by one. Random histories of issues (directly or
// from a draft, with or without a due date, invoices and deposit invoices whose due is lowered by
// deducted deposits), payments and their corrections, settlements from a client's credit
// (avoir_client), credit notes and cancellations are written straight to D1: the triggers are what
// is under test.

type Op =
  | { kind: "issue"; type: "invoice" | "deposit_invoice"; client: number; dueIn: number | null; askedCents: number; deductedCents: number; viaDraft: boolean }
  | { kind: "pay"; target: number; amountCents: number; fromCredit: boolean }
  | { kind: "credit"; target: number; cents: number }
  | { kind: "cancel"; target: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("issue" as const), type: fc.constantFrom("invoice" as const, "deposit_invoice" as const), client: fc.nat(3), dueIn: fc.option(fc.integer({ min: -200, max: 60 }), { freq: 6 }), askedCents: fc.integer({ min: 0, max: 50_000 }), deductedCents: fc.integer({ min: 0, max: 20_000 }), viaDraft: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("pay" as const), target: fc.nat(), amountCents: fc.integer({ min: -10_000, max: 60_000 }), fromCredit: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("credit" as const), target: fc.nat(), cents: fc.integer({ min: 0, max: 30_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), target: fc.nat() }) },
);

const DOC_COLUMNS = "id, account_id, type, status, number, series_id, client_id, issue_date, due_date, tax_inclusive_cents, due_cents, preceding_document_id, issued_at, created_at, updated_at";

/** Plays the operations on the account, straight in D1, and returns the ids of the invoices issued. */
async function play(accountId: string, clientIds: string[], today: string, ops: Op[]): Promise<void> {
  const invoices: Array<{ id: string; clientId: string }> = [];
  let n = 0;
  const at = Date.now();
  const insertDoc = (values: unknown[]) => env.DB.prepare(`INSERT INTO documents (${DOC_COLUMNS}) VALUES (${DOC_COLUMNS.split(",").map(() => "?").join(", ")})`).bind(...values);
  for (const op of ops) {
    n += 1;
    if (op.kind === "issue") {
      const id = randomId();
      const clientId = clientIds[op.client % clientIds.length]!;
      const due = op.dueIn === null ? null : addDays(today, op.dueIn);
      const dueCents = Math.max(0, op.askedCents - (op.type === "invoice" ? op.deductedCents : 0));
      const issue = addDays(today, Math.min(0, op.dueIn ?? 0) - 30);
      const number = `${op.type === "invoice" ? "F" : "A"}-${n}`;
      if (op.viaDraft) {
        await insertDoc([id, accountId, op.type, "draft", null, null, clientId, null, due, op.askedCents, dueCents, null, null, at + n, at + n]).run();
        await env.DB.prepare("UPDATE documents SET status = 'issued', number = ?, series_id = ?, issue_date = ?, issued_at = ? WHERE id = ?").bind(number, op.type, issue, at + n, id).run();
      } else {
        await insertDoc([id, accountId, op.type, "issued", number, op.type, clientId, issue, due, op.askedCents, dueCents, null, at + n, at + n, at + n]).run();
      }
      invoices.push({ id, clientId });
      continue;
    }
    const target = invoices[op.kind === "pay" || op.kind === "credit" || op.kind === "cancel" ? op.target % Math.max(1, invoices.length) : 0];
    if (!target) continue;
    if (op.kind === "pay") {
      await env.DB.prepare("INSERT INTO payments (id, account_id, document_id, client_id, received_on, amount_cents, method, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(randomId(), accountId, target.id, target.clientId, today, op.amountCents, op.fromCredit ? "avoir_client" : "virement", at + n)
        .run();
    } else if (op.kind === "credit") {
      await insertDoc([randomId(), accountId, "credit_note", "issued", `AV-${n}`, "credit_note", target.clientId, today, null, op.cents, op.cents, target.id, at + n, at + n, at + n]).run();
    } else {
      await env.DB.prepare("UPDATE documents SET status = 'cancelled' WHERE id = ? AND status = 'issued'").bind(target.id).run();
    }
  }
}

const oldOpenItems = `WITH open AS (
  SELECT b.document_id AS id, b.client_id, b.due_date, b.outstanding_cents AS outstanding,
    CASE WHEN b.due_date IS NULL THEN 0 ELSE CAST(julianday(?2) - julianday(b.due_date) AS INTEGER) END AS late
  FROM invoice_balances b WHERE b.account_id = ?1 AND b.outstanding_cents > 0)`;
const oldBuckets = `COALESCE(SUM(outstanding), 0) AS totalCents, COUNT(*) AS invoices,
  COALESCE(SUM(CASE WHEN late <= 0 THEN outstanding END), 0) AS not_due,
  COALESCE(SUM(CASE WHEN late BETWEEN 1 AND 30 THEN outstanding END), 0) AS d1_30,
  COALESCE(SUM(CASE WHEN late BETWEEN 31 AND 60 THEN outstanding END), 0) AS d31_60,
  COALESCE(SUM(CASE WHEN late BETWEEN 61 AND 90 THEN outstanding END), 0) AS d61_90,
  COALESCE(SUM(CASE WHEN late > 90 THEN outstanding END), 0) AS over_90`;

type BucketRow = Record<(typeof AGING_BUCKETS)[number] | "totalCents" | "invoices", number>;

/** What a client owes, from its issued invoices, the credit notes against them and the payments. */
async function clientDueFromDocuments(accountId: string, clientId: string): Promise<number> {
  const row = await env.DB.prepare(
    `WITH invoices AS (
       SELECT id, due_cents FROM documents
       WHERE account_id = ?1 AND client_id = ?2 AND type IN ('invoice', 'deposit_invoice') AND status = 'issued'
     ), credited AS (
       SELECT preceding_document_id AS document_id, SUM(due_cents) AS cents FROM documents
       WHERE account_id = ?1 AND type = 'credit_note' AND status != 'draft' AND preceding_document_id IN (SELECT id FROM invoices)
       GROUP BY preceding_document_id
     ), open AS (
       SELECT MAX(0, i.due_cents - COALESCE(c.cents, 0))
         - COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.account_id = ?1 AND p.document_id = i.id), 0) AS outstanding
       FROM invoices i LEFT JOIN credited c ON c.document_id = i.id
     )
     SELECT COALESCE(SUM(outstanding), 0) AS cents FROM open WHERE outstanding > 0`,
  )
    .bind(accountId, clientId)
    .first<{ cents: number }>();
  return Number(row?.cents ?? 0);
}

/** The full-scan computation receivables() used before the tallies: the oracle. */
async function fullScan(accountId: string, today: string) {
  const totals = await env.DB.prepare(`${oldOpenItems} SELECT ${oldBuckets} FROM open`).bind(accountId, today).first<BucketRow>();
  const perClient = await env.DB.prepare(`${oldOpenItems} SELECT client_id AS clientId, ${oldBuckets} FROM open GROUP BY client_id ORDER BY totalCents DESC, client_id`)
    .bind(accountId, today)
    .all<BucketRow & { clientId: string }>();
  const overdue = await env.DB.prepare(`${oldOpenItems} SELECT id, due_date AS dueDate, late AS daysLate, outstanding AS outstandingCents FROM open WHERE late > 0 ORDER BY due_date, id`)
    .bind(accountId, today)
    .all<{ id: string; dueDate: string; daysLate: number; outstandingCents: number }>();
  return { totals: totals!, perClient: perClient.results, overdue: overdue.results };
}

describe("receivables from the tallies", () => {
  it("gives the full scan's aging totals, per-client buckets and overdue invoices over random histories", async () => {
    const a = await readyAccount();
    const extra = [await insertClient(a.accountId, { name: "Beta" }), await insertClient(a.accountId, { name: "Gamma" })];
    const today = todayInParis(Date.now());
    let accounts = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        // Each run gets its own account: the tallies start empty.
        const run = accounts++ === 0 ? { accountId: a.accountId, clients: [a.clientId, ...extra] } : await freshAccount();
        await play(run.accountId, run.clients, today, ops);
        const expected = await fullScan(run.accountId, today);
        const got = await receivables(verbCtx(run.accountId), { today });
        for (const key of ["totalCents", "invoices", ...AGING_BUCKETS] as const) expect(got.totals[key], key).toBe(Number(expected.totals[key]));
        expect(
          got.clients.map((c) => ({ clientId: c.clientId, totalCents: c.totalCents, invoices: c.invoices, ...Object.fromEntries(AGING_BUCKETS.map((b) => [b, c[b]])) })),
        ).toEqual(
          expected.perClient.map((c) => ({ clientId: c.clientId, totalCents: Number(c.totalCents), invoices: Number(c.invoices), ...Object.fromEntries(AGING_BUCKETS.map((b) => [b, Number(c[b])])) })),
        );
        // The client page's balance is the same per-client figure, and the one computed from the
        // documents and payments themselves (the client page's query before client_open_balances).
        for (const clientId of run.clients) {
          const owed = expected.perClient.find((c) => c.clientId === clientId);
          const balance = (await clientBalance(verbCtx(run.accountId), clientId)).dueCents;
          expect(balance, `balance of ${clientId}`).toBe(Number(owed?.totalCents ?? 0));
          expect(balance, `balance of ${clientId} from the documents`).toBe(await clientDueFromDocuments(run.accountId, clientId));
        }
        // Same invoices, oldest due first (ties between equal due dates may come in another order).
        const key = (o: { dueDate: string; id: string }) => `${o.dueDate}|${o.id}`;
        expect(got.overdue.map((o) => o.dueDate)).toEqual(expected.overdue.map((o) => o.dueDate));
        expect(got.overdue.map(key).sort()).toEqual(expected.overdue.map(key).sort());
        expect(got.overdue.map((o) => [o.id, o.daysLate, o.outstandingCents]).sort()).toEqual(expected.overdue.map((o) => [o.id, Number(o.daysLate), Number(o.outstandingCents)]).sort());
        // Item by item, the tally's amount (documents' list columns) is the balance's.
        const mismatches = await env.DB.prepare(
          `SELECT d.id, b.outstanding_cents AS balance,
             CASE WHEN d.list_state IN ('open', 'partial') THEN MAX(0, d.due_cents - d.credited_cents) - d.paid_cents ELSE 0 END AS tally
           FROM documents d JOIN invoice_balances b ON b.document_id = d.id
           WHERE d.account_id = ? AND d.type IN ('invoice', 'deposit_invoice') AND d.status != 'draft' AND balance != tally`,
        )
          .bind(run.accountId)
          .all();
        expect(mismatches.results).toEqual([]);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it("keeps client_open_balances per client and removes the row of a client who owes nothing more", async () => {
    const a = await readyAccount();
    const today = todayInParis(Date.now());
    const clients = [a.clientId, await insertClient(a.accountId, { name: "Beta" })];
    await play(a.accountId, clients, today, [
      { kind: "issue", type: "invoice", client: 0, dueIn: -40, askedCents: 10_000, deductedCents: 0, viaDraft: false },
      { kind: "issue", type: "invoice", client: 1, dueIn: 10, askedCents: 5_000, deductedCents: 0, viaDraft: true },
      { kind: "pay", target: 0, amountCents: 4_000, fromCredit: false },
      { kind: "pay", target: 1, amountCents: 5_000, fromCredit: true },
    ]);
    const rows = await env.DB.prepare("SELECT client_id AS clientId, outstanding_cents AS cents, open_invoices AS n FROM client_open_balances WHERE account_id = ? ORDER BY client_id")
      .bind(a.accountId)
      .all();
    // Client B's only invoice is settled: its row is gone, not left at zero.
    expect(rows.results).toEqual([{ clientId: a.clientId, cents: 6_000, n: 1 }]);
  });
});

async function freshAccount() {
  const a = await readyAccount();
  return { accountId: a.accountId, clients: [a.clientId, await insertClient(a.accountId, { name: "Beta" }), await insertClient(a.accountId, { name: "Gamma" })] };
}
