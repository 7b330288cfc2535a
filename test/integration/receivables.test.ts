import { describe, expect, it } from "vitest";
import { addDays } from "../../src/worker/domain/mentions";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { receivables } from "../../src/worker/features/payments/queries";
import { createDraftVia, draftBody, insertClient, issueOn, readyAccount, verbCtx } from "../helpers/invoicing";
import { signedUpClient } from "../helpers/client";

type Doc = { id: string; number: string; dueCents: number; dueDate: string };
type Bucket = "not_due" | "d1_30" | "d31_60" | "d61_90" | "over_90";

/**
 * The fixture: invoices of two clients whose due dates (30-day terms) fall in every bucket, some
 * partly paid, one fully paid (not owed), one cancelled (not owed). Issued oldest first, as the
 * numbering's date rule requires.
 */
const FIXTURE: Array<{ client: "A" | "B"; issuedDaysAgo: number; paidCents: number; bucket: Bucket | null; cancel?: boolean }> = [
  { client: "A", issuedDaysAgo: 130, paidCents: 0, bucket: "over_90" },
  { client: "B", issuedDaysAgo: 105, paidCents: 20_000, bucket: "d61_90" },
  { client: "A", issuedDaysAgo: 100, paidCents: 0, bucket: null, cancel: true },
  { client: "A", issuedDaysAgo: 80, paidCents: 0, bucket: "d31_60" },
  { client: "B", issuedDaysAgo: 60, paidCents: -1, bucket: null },
  { client: "B", issuedDaysAgo: 40, paidCents: 5_000, bucket: "d1_30" },
  { client: "A", issuedDaysAgo: 0, paidCents: 0, bucket: "not_due" },
];

async function fixtureAccount() {
  const a = await readyAccount();
  const clientB = await insertClient(a.accountId, { name: "Beta SARL", search_name: "beta sarl" });
  const today = todayInParis(Date.now());
  const expected = { totals: { not_due: 0, d1_30: 0, d31_60: 0, d61_90: 0, over_90: 0 } as Record<Bucket, number>, perClient: new Map<string, number>(), overdue: [] as string[] };
  for (const f of FIXTURE) {
    const clientId = f.client === "A" ? a.clientId : clientB;
    const id = await createDraftVia(a.client, draftBody(clientId));
    // Issued on its day: early in a year, 130 days ago is last year, which today refuses.
    const doc = (await issueOn(a.accountId, id, addDays(today, -f.issuedDaysAgo))) as unknown as Doc;
    const paid = f.paidCents === -1 ? doc.dueCents : f.paidCents;
    if (paid > 0) await a.client.json("POST", `/api/v1/documents/${doc.id}/payments`, { receivedOn: today, method: "virement", amountCents: paid });
    if (f.cancel) await a.client.json("POST", `/api/v1/documents/${doc.id}/cancel`, {});
    if (f.bucket) {
      expected.totals[f.bucket] += doc.dueCents - paid;
      expected.perClient.set(clientId, (expected.perClient.get(clientId) ?? 0) + doc.dueCents - paid);
      if (f.bucket !== "not_due") expected.overdue.push(doc.id);
    }
  }
  return { a, clientB, expected };
}

describe("receivables", () => {
  it("sums what is owed by aging bucket, per client, and lists overdue invoices oldest first", async () => {
    const { a, expected } = await fixtureAccount();
    const res = await a.client.json("GET", "/api/v1/receivables");
    expect(res.status).toBe(200);
    const data = (await res.json()) as Awaited<ReturnType<typeof receivables>>;
    expect({ not_due: data.totals.not_due, d1_30: data.totals.d1_30, d31_60: data.totals.d31_60, d61_90: data.totals.d61_90, over_90: data.totals.over_90 }).toEqual(expected.totals);
    const sum = Object.values(expected.totals).reduce((s, v) => s + v, 0);
    expect(data.totals.totalCents).toBe(sum);
    expect(data.totals.invoices).toBe(FIXTURE.filter((f) => f.bucket).length);
    expect(new Map(data.clients.map((c) => [c.clientId, c.totalCents]))).toEqual(expected.perClient);
    for (const c of data.clients) expect(c.not_due + c.d1_30 + c.d31_60 + c.d61_90 + c.over_90).toBe(c.totalCents);
    expect(data.overdue.map((o) => o.id)).toEqual(expected.overdue);
    expect(data.overdue.every((o) => o.daysLate > 0)).toBe(true);
  });

  it("shows a client's credit next to what they owe", async () => {
    const a = await readyAccount();
    const today = todayInParis(Date.now());
    const over = await createDraftVia(a.client, draftBody(a.clientId));
    const overDoc = ((await (await a.client.json("POST", `/api/v1/documents/${over}/issue`, {})).json()) as { document: Doc }).document;
    await a.client.json("POST", `/api/v1/documents/${over}/payments`, { receivedOn: today, method: "virement", amountCents: overDoc.dueCents + 700 });
    const open = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.json("POST", `/api/v1/documents/${open}/issue`, {});
    const data = await receivables(verbCtx(a.accountId));
    expect(data.clients).toHaveLength(1);
    expect(data.clients[0]?.creditCents).toBe(700);
  });

  it("renders the page with each bucket, and an empty state for a new account", async () => {
    const { a, expected } = await fixtureAccount();
    const html = await (await a.client.get("/paiements/a-encaisser")).text();
    expect(html).toContain('data-bucket="over_90"');
    expect(html).toContain("Beta SARL");
    expect(expected.overdue.length).toBeGreaterThan(0);
    const fresh = await signedUpClient();
    const empty = await fresh.client.get("/paiements/a-encaisser");
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain("Rien à encaisser");
  });

  it("never counts another account's invoices", async () => {
    const { a } = await fixtureAccount();
    const other = await readyAccount();
    const mine = await receivables(verbCtx(a.accountId));
    const theirs = await receivables(verbCtx(other.accountId));
    expect(mine.totals.invoices).toBeGreaterThan(0);
    expect(theirs.totals.invoices).toBe(0);
    expect((await other.client.json("GET", "/api/v1/receivables")).status).toBe(200);
  });
});
