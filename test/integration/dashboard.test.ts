import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseD1ServerTiming } from "../../src/worker/db/metered";
import { formatMoney } from "../../src/worker/domain/format";
import { addDays } from "../../src/worker/domain/mentions";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { lastTwelveMonths, TOP_CLIENTS, type Treasury, treasury } from "../../src/worker/features/home/queries";
import { randomId } from "../../src/worker/lib/crypto/random";
import { createDraftVia, draftBody, insertClient, issueOn, readyAccount, verbCtx } from "../helpers/invoicing";

const DAY = 86_400_000;

/**
 * The dashboard's figures recomputed from the raw rows (documents, payments), the slow way the
 * aggregates exist to avoid: what the page shows must be exactly this.
 */
async function recompute(accountId: string, today: string): Promise<Omit<Treasury, "today">> {
  const months = lastTwelveMonths(today.slice(0, 7));
  const first = months[0] ?? "";
  const docs = (
    await env.DB.prepare("SELECT id, type, status, client_id AS clientId, issue_date AS issueDate, due_date AS dueDate, due_cents AS dueCents, preceding_document_id AS preceding FROM documents WHERE account_id = ? AND status != 'draft' AND type != 'quote'")
      .bind(accountId)
      .all<{ id: string; type: string; status: string; clientId: string; issueDate: string; dueDate: string | null; dueCents: number; preceding: string | null }>()
  ).results;
  const pays = (
    await env.DB.prepare("SELECT document_id AS documentId, client_id AS clientId, received_on AS receivedOn, amount_cents AS amountCents FROM payments WHERE account_id = ?")
      .bind(accountId)
      .all<{ documentId: string; clientId: string; receivedOn: string; amountCents: number }>()
  ).results;
  const names = new Map(
    (await env.DB.prepare("SELECT id, name FROM clients WHERE account_id = ?").bind(accountId).all<{ id: string; name: string }>()).results.map((c) => [c.id, c.name]),
  );
  const signed = (d: (typeof docs)[number]) => (d.type === "credit_note" ? -d.dueCents : d.dueCents);
  const inWindow = (day: string) => day.slice(0, 7) >= first && day.slice(0, 7) <= today.slice(0, 7);
  const figures = months.map((month) => ({
    month,
    invoicedCents: docs.filter((d) => d.issueDate.startsWith(month)).reduce((s, d) => s + signed(d), 0),
    receivedCents: pays.filter((p) => p.receivedOn.startsWith(month)).reduce((s, p) => s + p.amountCents, 0),
  }));
  let outstandingCents = 0;
  let openInvoices = 0;
  let overdueCents = 0;
  let overdueInvoices = 0;
  const expected = { d30: 0, d60: 0, d90: 0 };
  for (const d of docs.filter((x) => x.type === "invoice" || x.type === "deposit_invoice")) {
    const credited = docs.filter((c) => c.type === "credit_note" && c.preceding === d.id).reduce((s, c) => s + c.dueCents, 0);
    const paid = pays.filter((p) => p.documentId === d.id).reduce((s, p) => s + p.amountCents, 0);
    const owed = d.status === "cancelled" ? 0 : Math.max(0, Math.max(0, d.dueCents - credited) - paid);
    if (owed <= 0) continue;
    outstandingCents += owed;
    openInvoices++;
    if (d.dueDate && d.dueDate < today) {
      overdueCents += owed;
      overdueInvoices++;
    }
    for (const [k, days] of [["d30", 30], ["d60", 60], ["d90", 90]] as const) if (d.dueDate && d.dueDate >= today && d.dueDate <= addDays(today, days)) expected[k] += owed;
  }
  const perClient = new Map<string, { invoicedCents: number; receivedCents: number }>();
  for (const d of docs.filter((x) => inWindow(x.issueDate))) {
    const c = perClient.get(d.clientId) ?? { invoicedCents: 0, receivedCents: 0 };
    c.invoicedCents += signed(d);
    perClient.set(d.clientId, c);
  }
  for (const p of pays.filter((x) => inWindow(x.receivedOn))) {
    const c = perClient.get(p.clientId) ?? { invoicedCents: 0, receivedCents: 0 };
    c.receivedCents += p.amountCents;
    perClient.set(p.clientId, c);
  }
  const topClients = [...perClient]
    .filter(([, v]) => v.invoicedCents > 0)
    .sort(([ia, a], [ib, b]) => b.invoicedCents - a.invoicedCents || (ib < ia ? -1 : 1))
    .slice(0, TOP_CLIENTS)
    .map(([clientId, v]) => ({ clientId, name: names.get(clientId) ?? null, ...v }));
  return {
    months: figures,
    invoiced12Cents: figures.reduce((s, m) => s + m.invoicedCents, 0),
    received12Cents: figures.reduce((s, m) => s + m.receivedCents, 0),
    outstandingCents,
    openInvoices,
    overdueCents,
    overdueInvoices,
    expected,
    topClients,
  };
}

describe("dashboard figures", () => {
  let a: Awaited<ReturnType<typeof readyAccount>>;
  const today = todayInParis(Date.now());

  beforeAll(async () => {
    a = await readyAccount();
    const clientIds = [a.clientId];
    for (const name of ["Beta SARL", "Gamma SAS", "Delta SA", "Epsilon", "Zêta & Fils"]) {
      clientIds.push(await insertClient(a.accountId, { name, search_name: name.toLowerCase() }));
    }
    // Oldest first (the numbering's date rule): one invoice 400 days ago (outside the 12 months),
    // then a spread over the year, some paid, one partly, one cancelled, some not yet due.
    const plan = [
      { daysAgo: 400, client: 1, pay: "full" },
      { daysAgo: 300, client: 2, pay: "full" },
      { daysAgo: 200, client: 0, pay: "part" },
      { daysAgo: 150, client: 3, pay: "none", cancel: true },
      { daysAgo: 95, client: 4, pay: "none" },
      { daysAgo: 60, client: 0, pay: "full" },
      { daysAgo: 40, client: 5, pay: "none" },
      { daysAgo: 20, client: 1, pay: "part" },
      { daysAgo: 5, client: 2, pay: "none" },
      { daysAgo: 0, client: 0, pay: "none" },
    ] as const;
    for (const [i, f] of plan.entries()) {
      const clientId = clientIds[f.client] ?? a.clientId;
      const extra = { lines: [{ description: `Mission ${i}`, quantity: String(1 + i), unitCode: "C62", unitPriceCents: 35_000 + i * 7_500, vatCategory: "S", vatRateBp: 2000, kind: "service" }] };
      const id = await createDraftVia(a.client, draftBody(clientId, extra));
      const issueDate = addDays(today, -f.daysAgo);
      // Issued on its day (an earlier year's date is refused today: domain/issue-date.ts).
      const doc = await issueOn(a.accountId, id, issueDate);
      const receivedOn = addDays(issueDate, Math.min(f.daysAgo, 25));
      if (f.pay !== "none") {
        const amountCents = f.pay === "full" ? doc.dueCents : Math.floor(doc.dueCents / 3);
        expect((await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn, method: "virement", amountCents })).status).toBe(201);
      }
      if ("cancel" in f && f.cancel) expect((await a.client.json("POST", `/api/v1/documents/${id}/cancel`, {})).status).toBeLessThan(300);
    }
  }, 120_000);

  it("equal a recomputation from the raw documents and payments", async () => {
    const shown = await treasury(verbCtx(a.accountId));
    const { today: day, ...figures } = shown;
    expect(day).toBe(today);
    expect(figures).toEqual(await recompute(a.accountId, today));
    // The fixture reaches every figure: none is a vacuous zero.
    expect(figures.received12Cents).toBeGreaterThan(0);
    expect(figures.overdueCents).toBeGreaterThan(0);
    expect(figures.expected.d30).toBeGreaterThan(0);
    expect(figures.topClients.length).toBe(TOP_CLIENTS);
  });

  it("renders accessible SVG charts whose numbers are also given as tables, in French amounts", async () => {
    const res = await a.client.get("/tableau-de-bord");
    expect(res.status).toBe(200);
    const html = await res.text();
    const shown = await treasury(verbCtx(a.accountId));
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="dash-monthly-title dash-monthly-desc"/);
    expect(html).toContain('<title id="dash-monthly-title">');
    // One bar per month and series, each with its exact amount in a <title>.
    const monthly = html.slice(html.indexOf('id="dash-monthly-title"'), html.indexOf("</svg>", html.indexOf('id="dash-monthly-title"')));
    expect(monthly.match(/<rect class="chart-bar chart-(invoiced|received)"[^>]*><title>[^<]+—[^<]+€<\/title>/g)?.length).toBe(24);
    for (const m of shown.months) {
      expect(html).toContain(`data-month="${m.month}"`);
      expect(html).toContain(`data-invoiced="${m.invoicedCents}"`);
    }
    expect(html).toContain(`data-expected="total">${formatMoney(shown.outstandingCents, "fr")}`);
    expect(html).toContain(formatMoney(shown.expected.d30, "fr"));
    for (const c of shown.topClients) expect(html).toContain(`data-client="${c.clientId}"`);
    expect(html).toMatch(/<details class="dash-table"><summary>Voir les chiffres en tableau<\/summary><table/);
  });

  it("never shows another account's figures", async () => {
    const other = await readyAccount();
    const figures = await treasury(verbCtx(other.accountId));
    expect(figures.outstandingCents).toBe(0);
    expect(figures.topClients).toEqual([]);
    expect(figures.months.every((m) => m.invoicedCents === 0 && m.receivedCents === 0)).toBe(true);
  });
});

// ——— Read budget ———
// Same rule as test/integration/budgets.test.ts: at most 4 × what the page shows + 20 rows, and as
// many rows for 600 invoices as for 30. Seeding writes issued documents and payments directly
// (minimal copy of budgets.test.ts's helper): the treasury triggers maintain invoice_balances and
// client_window_totals from those inserts as they would from the application's own writes.

function chunkedInserts(table: string, rows: Record<string, unknown>[]): D1PreparedStatement[] {
  const first = rows[0];
  if (!first) return [];
  const cols = Object.keys(first);
  const perStatement = Math.max(1, Math.floor(100 / cols.length));
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    out.push(
      env.DB.prepare(`INSERT INTO ${table} (${cols.join(",")}) VALUES ${chunk.map(() => `(${cols.map(() => "?").join(",")})`).join(",")}`).bind(
        ...chunk.flatMap((r) => cols.map((c) => r[c])),
      ),
    );
  }
  return out;
}

/**
 * The same last 12 months for every account (30 invoices, the last 6 unpaid), behind which
 * `older` invoices spread over the 4 years before, the first `olderUnpaid` of them never paid.
 */
async function seedHistory(accountId: string, opts: { clients: number; older: number; olderUnpaid: number }): Promise<void> {
  const end = Date.now() - DAY;
  const yearAgo = end - 360 * DAY;
  const start = yearAgo - 4 * 365 * DAY;
  const recent = 30;
  const dates = [
    ...Array.from({ length: opts.older }, (_, i) => ({ at: start + Math.floor(((yearAgo - start) * i) / Math.max(1, opts.older)), paid: i >= opts.olderUnpaid })),
    ...Array.from({ length: recent }, (_, i) => ({ at: yearAgo + Math.floor(((end - yearAgo) * (i + 1)) / recent), paid: i < recent - 6 })),
  ];
  const clientRows = Array.from({ length: opts.clients }, (_, i) => ({
    id: randomId(),
    account_id: accountId,
    kind: "company",
    name: `Client ${String(i).padStart(4, "0")} SAS`,
    search_name: `client ${String(i).padStart(4, "0")} sas`,
    address_line1: `${i + 1} rue du Commerce`,
    postal_code: "75011",
    city: "Paris",
    country: "FR",
    language: "fr",
    created_at: start,
    updated_at: start,
  }));
  const docs: Record<string, unknown>[] = [];
  const pays: Record<string, unknown>[] = [];
  const perYear = new Map<number, number>();
  for (const [i, { at, paid }] of dates.entries()) {
    const day = new Date(at).toISOString().slice(0, 10);
    const year = new Date(at).getUTCFullYear();
    const seq = (perYear.get(year) ?? 0) + 1;
    perYear.set(year, seq);
    const id = randomId();
    const clientId = clientRows[i % clientRows.length]?.id;
    const cents = 12_000 + ((i * 131) % 90) * 500;
    docs.push({
      id,
      account_id: accountId,
      type: "invoice",
      status: "issued",
      number: `F-${year}-${String(seq).padStart(4, "0")}`,
      series_id: `invoice:${year}`,
      client_id: clientId,
      issue_date: day,
      due_date: addDays(day, 30),
      payment_terms_days: 30,
      tax_exclusive_cents: cents,
      vat_total_cents: 0,
      tax_inclusive_cents: cents,
      due_cents: cents,
      issued_at: at,
      created_at: at,
      updated_at: at,
    });
    if (paid) {
      pays.push({ id: randomId(), account_id: accountId, document_id: id, client_id: clientId, received_on: addDays(day, 20), amount_cents: cents, method: "virement", created_at: at + 20 * DAY });
    }
  }
  const statements = [...chunkedInserts("clients", clientRows), ...chunkedInserts("documents", docs), ...chunkedInserts("payments", pays)];
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
  // monthly_totals is kept by the application's issue and payment batches, not by triggers.
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO monthly_totals (account_id, month, invoiced_cents, received_cents) SELECT account_id, substr(issue_date, 1, 7), SUM(due_cents), 0 FROM documents WHERE account_id = ? GROUP BY 2",
    ).bind(accountId),
    env.DB.prepare(
      "INSERT INTO monthly_totals (account_id, month, invoiced_cents, received_cents) SELECT account_id, substr(received_on, 1, 7), 0, SUM(amount_cents) FROM payments WHERE account_id = ? GROUP BY 2 ON CONFLICT (account_id, month) DO UPDATE SET received_cents = excluded.received_cents",
    ).bind(accountId),
  ]);
}

describe("dashboard read budget", () => {
  /** Rows the page shows: 12 months, the top clients, 4 key figures and 4 expected amounts. */
  const SHOWN = 12 + TOP_CLIENTS + 4 + 4;
  const CONSTANT = 20;
  let small: Awaited<ReturnType<typeof readyAccount>>;
  let large: Awaited<ReturnType<typeof readyAccount>>;

  beforeAll(async () => {
    [small, large] = await Promise.all([readyAccount(), readyAccount()]);
    // The same last year for both; the large account has 570 older invoices behind it, 294 of
    // them never paid (overdue for years: the page must not read them one by one).
    await seedHistory(small.accountId, { clients: 30, older: 0, olderUnpaid: 0 });
    await seedHistory(large.accountId, { clients: 150, older: 570, olderUnpaid: 294 });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM invoice_balances WHERE account_id = ?").bind(large.accountId).first<{ n: number }>();
    expect(count?.n).toBe(600);
  }, 60_000);

  async function cost(client: Awaited<ReturnType<typeof readyAccount>>["client"]) {
    const res = await client.get("/tableau-de-bord");
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const c = parseD1ServerTiming(res.headers.get("server-timing"));
    if (!c) throw new Error("no d1 entry in Server-Timing");
    return c;
  }

  it("reads at most 4 × what it shows + 20 rows, and writes nothing", async () => {
    for (const account of [small, large]) {
      const c = await cost(account.client);
      expect(c.rowsRead, JSON.stringify(c)).toBeLessThanOrEqual(4 * SHOWN + CONSTANT);
      expect(c.rowsWritten).toBe(0);
    }
  });

  it("reads as many rows for 600 invoices as for 30", async () => {
    const few = await cost(small.client);
    const many = await cost(large.client);
    expect(many.rowsRead, `30 → ${few.rowsRead}, 600 → ${many.rowsRead}`).toBeLessThanOrEqual(few.rowsRead + 2);
    expect(many.queries).toBe(few.queries);
  });

  it("shows figures that match the raw rows of the large account", async () => {
    const { today, ...figures } = await treasury(verbCtx(large.accountId));
    expect(figures).toEqual(await recompute(large.accountId, today));
    expect(figures.openInvoices).toBe(300);
    expect(figures.overdueInvoices).toBeGreaterThan(250);
  });
});
