import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/worker/config";
import { directoryDb } from "../../src/worker/db/client";
import { seedDemoBusiness } from "../../src/worker/features/dev/demo-business";
import { DEMO_ACCOUNT, seedDemo } from "../../src/worker/features/dev/seed";
import { translator } from "../../src/worker/ui/i18n";
import { FRANCHISE_PROFILE, readyAccount, verbCtx } from "../helpers/invoicing";

type Row = Record<string, unknown>;
const all = async (sql: string, ...args: unknown[]) => (await env.DB.prepare(sql).bind(...args).all<Row>()).results;

/** What a seeded account holds, read straight from D1. */
async function census(accountId: string) {
  const count = async (sql: string) => Number((await all(sql, accountId))[0]?.n ?? 0);
  return {
    clients: await count("SELECT count(*) n FROM clients WHERE account_id = ?"),
    issuedInvoices: await count("SELECT count(*) n FROM documents WHERE account_id = ? AND type IN ('invoice','deposit_invoice') AND status <> 'draft'"),
    deposits: await count("SELECT count(*) n FROM documents WHERE account_id = ? AND type = 'deposit_invoice' AND status <> 'draft'"),
    finals: await count("SELECT count(*) n FROM documents WHERE account_id = ? AND type = 'invoice' AND source_quote_id IS NOT NULL AND status <> 'draft'"),
    creditNotes: await count("SELECT count(*) n FROM documents WHERE account_id = ? AND type = 'credit_note' AND status <> 'draft'"),
    accepted: await count("SELECT count(*) n FROM documents WHERE account_id = ? AND type = 'quote' AND status = 'accepted'"),
    refused: await count("SELECT count(*) n FROM documents WHERE account_id = ? AND type = 'quote' AND status = 'refused'"),
    payments: await count("SELECT count(*) n FROM payments WHERE account_id = ?"),
    timeEntries: await count("SELECT count(*) n FROM time_entries WHERE account_id = ?"),
    stockMovements: await count("SELECT count(*) n FROM stock_movements WHERE account_id = ?"),
    drafts: await count("SELECT count(*) n FROM documents WHERE account_id = ? AND status = 'draft'"),
  };
}

// Each test seeds ~45 issued documents (PDFs, numbering, payments): slow on a loaded 2-core machine.
describe("the demo account of npm start", { timeout: 180_000 }, () => {
  it("seeds a believable eleven months through the real verbs: 30+ issued invoices, paid, partly paid and overdue", async () => {
    const a = await readyAccount(FRANCHISE_PROFILE);
    const now = Date.parse("2026-12-07T15:00:00Z");
    const summary = await seedDemoBusiness(verbCtx(a.accountId, now));
    const c = await census(a.accountId);
    expect(c.issuedInvoices).toBeGreaterThanOrEqual(30);
    expect(summary.invoices).toBe(c.issuedInvoices);
    expect(c.clients).toBeGreaterThanOrEqual(15);
    expect(c.deposits).toBeGreaterThanOrEqual(1);
    expect(c.finals).toBeGreaterThanOrEqual(2);
    expect(c.creditNotes).toBe(1);
    expect(c.accepted).toBeGreaterThanOrEqual(2);
    expect(c.refused).toBeGreaterThanOrEqual(1);
    expect(c.payments).toBeGreaterThanOrEqual(25);
    expect(c.timeEntries).toBeGreaterThanOrEqual(10);
    expect(c.stockMovements).toBeGreaterThan(4);
    // Some paid late, some half-paid, some overdue: what receivables and reminders are for.
    const balances = await all(
      `SELECT d.due_date, d.due_cents, coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.document_id = d.id), 0) paid
         FROM documents d WHERE d.account_id = ? AND d.type = 'invoice' AND d.status <> 'draft' AND d.source_quote_id IS NULL AND d.id NOT IN
           (SELECT preceding_document_id FROM documents WHERE account_id = d.account_id AND type = 'credit_note' AND preceding_document_id IS NOT NULL)`,
      a.accountId,
    );
    expect(balances.filter((b) => Number(b.paid) === 0 && String(b.due_date) < "2026-12-07").length).toBeGreaterThanOrEqual(1);
    expect(balances.filter((b) => Number(b.paid) > 0 && Number(b.paid) < Number(b.due_cents)).length).toBeGreaterThanOrEqual(1);
    // The time billed last lands in one draft for the seller to review.
    expect(c.drafts).toBe(1);

    // The pages a first login shows have a business in them.
    const receivables = (await (await a.client.json("GET", "/api/v1/receivables")).json()) as { totals?: Row } & Row;
    expect(JSON.stringify(receivables)).toMatch(/"[a-zA-Z]*[Cc]ents":[1-9]/);
    const dashboard = await a.client.get("/tableau-de-bord");
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).not.toContain("0,00 €</strong>");
    // The legal chain holds over everything the demo issued.
    const audit = (await (await a.client.json("GET", "/api/v1/audit/verify")).json()) as { ok: boolean };
    expect(audit.ok).toBe(true);
  });

  it("still shows a year of invoices when seeded in early January (issue dates follow each step's own day)", async () => {
    const a = await readyAccount(FRANCHISE_PROFILE);
    await seedDemoBusiness(verbCtx(a.accountId, Date.parse("2027-01-08T09:30:00Z")));
    const c = await census(a.accountId);
    expect(c.issuedInvoices).toBeGreaterThanOrEqual(30);
    const years = await all("SELECT DISTINCT substr(issue_date, 1, 4) y FROM documents WHERE account_id = ? AND type = 'invoice' AND status <> 'draft' ORDER BY y", a.accountId);
    expect(years.map((r) => r.y)).toEqual(["2026", "2027"]);
  });

  it("creates the demo login once: a second seeding changes nothing", async () => {
    const ctx = { env, config: loadConfig(env), db: directoryDb(env), now: Date.now(), locale: "fr" as const, t: translator("fr") };
    const first = await seedDemo(ctx);
    expect(first.created).toBe(true);
    const before = await census(first.accountId);
    expect(before.issuedInvoices).toBeGreaterThanOrEqual(30);
    const again = await seedDemo(ctx);
    expect(again.created).toBe(false);
    expect(await census(first.accountId)).toEqual(before);
    const users = await all("SELECT count(*) n FROM users WHERE email = ?", DEMO_ACCOUNT.email);
    expect(users[0]?.n).toBe(1);
  });
});
