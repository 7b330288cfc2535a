import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RETENTION_CLASSES, addDuration, subtractDuration } from "../../src/worker/domain/retention";
import { runScheduled } from "../../src/worker/jobs/crons";
import { runRetention } from "../../src/worker/jobs/retention";
import { randomId } from "../../src/worker/lib/crypto/random";
import { TEST_PASSWORD, TestClient, signedUpClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// PRIVACY.md §6, proven by walking the retention job's clock across 12 and 13 months, 3 years and
// 10 years: after each step, exactly what the policy says remains, and nothing else. The time-travel
// test runs before any other test creates accounts, so its counts are its own.

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

const one = <T>(sql: string, ...binds: unknown[]) => env.DB.prepare(sql).bind(...binds).first<T>();
const countOf = async (sql: string, ...binds: unknown[]) => (await one<{ n: number }>(sql, ...binds))?.n ?? 0;

/** Parses a duration as the policy page shows it ("12 mois", "3 ans") back into months. */
function shownMonths(html: string, id: string): number {
  const cell = html.match(new RegExp(`data-retention-class="${id}">[\\s\\S]*?<td class="retention-duration">([^<]+)</td>`))?.[1] ?? "";
  const m = cell.match(/^(\d+) (mois|ans?)$/);
  if (!m) throw new Error(`unreadable duration for ${id}: ${cell}`);
  return Number(m[1]) * (m[2] === "mois" ? 1 : 12);
}

async function insertConnectionLog(at: number): Promise<string> {
  const id = randomId();
  await env.DB.prepare("INSERT INTO connection_log (id, at, user_id, email_hash, ip, user_agent, outcome) VALUES (?, ?, NULL, 'x', '203.0.113.9', 'test', 'bad_credentials')")
    .bind(id, at)
    .run();
  return id;
}

describe("§6 connection logs: 12 months maximum", () => {
  it("deletes a connection log exactly when the period shown on the policy page has passed", async () => {
    const html = await (await new TestClient().get("/confidentialite")).text();
    const months = shownMonths(html, "connection_logs");
    const at = Date.UTC(2026, 0, 31, 8, 0, 0);
    const id = await insertConnectionLog(at);
    const deadline = addDuration(at, { months });

    await runRetention(env, deadline - 1);
    expect(await countOf("SELECT COUNT(*) AS n FROM connection_log WHERE id = ?", id)).toBe(1);
    await runRetention(env, deadline + 1);
    expect(await countOf("SELECT COUNT(*) AS n FROM connection_log WHERE id = ?", id)).toBe(0);
  });
});

describe("§6 time travel: 13 months, 3 years, 10 years", () => {
  it("keeps exactly what the policy promises at each step", async () => {
    // Account A: an invoice issued today, a sign-in logged today, then nothing for years.
    const a = await readyAccount();
    const invoiceId = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${invoiceId}/issue`, {})).status).toBe(200);
    const login = await new TestClient().postForm("/connexion", { email: a.email, password: TEST_PASSWORD });
    expect(login.status).toBe(303);
    // Account B: signed up the same day, comes back after being warned.
    const b = await signedUpClient();

    const invoice = (await one<{ pdf_key: string; xml_key: string; issued_at: number }>("SELECT pdf_key, xml_key, issued_at FROM documents WHERE id = ?", invoiceId))!;
    expect(await env.FILES.head(invoice.pdf_key)).not.toBeNull();
    expect(await env.FILES.head(invoice.xml_key)).not.toBeNull();
    const lastActivity = async (accountId: string) => (await one<{ t: number }>("SELECT last_activity_at AS t FROM accounts WHERE id = ?", accountId))!.t;
    const userRows = (userId: string) => countOf("SELECT COUNT(*) AS n FROM users WHERE id = ?", userId);
    const logsOf = (userId: string) => countOf("SELECT COUNT(*) AS n FROM connection_log WHERE user_id = ?", userId);
    const sessionsOf = (userId: string) => countOf("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?", userId);
    const warningsTo = (email: string) => countOf("SELECT COUNT(*) AS n FROM mail_log WHERE to_address = ? AND template = 'inactive_account_warning'", email);
    const t0 = Date.now();
    // The sign-in that follows sign-up (test helper) and this one.
    expect(await logsOf(a.userId)).toBe(2);

    // +13 months: connection logs (12 months) and expired sessions are gone; the account and its invoice stay.
    const m13 = addDuration(t0, { months: 13 });
    const s13 = await runRetention(env, m13);
    expect(s13.connection_logs).toBeGreaterThanOrEqual(1);
    expect(s13.sessions).toBeGreaterThanOrEqual(2);
    expect(await logsOf(a.userId)).toBe(0);
    expect(await sessionsOf(a.userId)).toBe(0);
    expect(await userRows(a.userId)).toBe(1);
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", invoiceId)).toBe(1);
    // The sign-in was folded into the account's last activity before its log was purged.
    const lastA = await lastActivity(a.accountId);
    expect(lastA).toBeGreaterThanOrEqual(t0 - 60_000);
    const erasureA = addDuration(lastA, RETENTION_CLASSES.inactive_account.duration);

    // 31 days before erasure: too early to warn.
    expect((await runRetention(env, erasureA - 31 * DAY)).inactive_warned).toBe(0);
    expect(await warningsTo(a.email)).toBe(0);

    // 30 days before erasure: both owners are warned by email, once, even if the job runs twice.
    const warnAt = erasureA - 30 * DAY + HOUR;
    expect((await runRetention(env, warnAt)).inactive_warned).toBe(2);
    expect((await runRetention(env, warnAt)).inactive_warned).toBe(0);
    expect(await warningsTo(a.email)).toBe(1);
    expect(await warningsTo(b.email)).toBe(1);

    // B signs in again after the warning (a session used a day later).
    await env.DB.prepare("INSERT INTO sessions (id_hash, user_id, account_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(randomId(), b.userId, b.accountId, warnAt + DAY, warnAt + DAY, warnAt + 31 * DAY)
      .run();

    // +3 years: A's personal data are erased, its issued invoice and files stay under legal hold; B is kept.
    const eraseAt = erasureA + HOUR;
    const s3y = await runRetention(env, eraseAt);
    expect(s3y.inactive_erased).toBe(1);
    expect(s3y.inactive_reactivated).toBe(1);
    expect(await userRows(a.userId)).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM memberships WHERE account_id = ?", a.accountId)).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM auth_tokens WHERE user_id = ?", a.userId)).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM mail_log WHERE user_id = ?", a.userId)).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM users WHERE email = ?", a.email)).toBe(0);
    const accountA = await one<Record<string, unknown>>("SELECT name, contact_email, phone, iban_sealed, bic_sealed, frozen_at FROM accounts WHERE id = ?", a.accountId);
    expect(accountA).toEqual({ name: "Studio Lumen", contact_email: null, phone: null, iban_sealed: null, bic_sealed: null, frozen_at: eraseAt });
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", invoiceId)).toBe(1);
    expect(await countOf("SELECT COUNT(*) AS n FROM document_lines WHERE document_id = ?", invoiceId)).toBe(2);
    expect(await env.FILES.head(invoice.pdf_key)).not.toBeNull();
    expect(await userRows(b.userId)).toBe(1);
    expect(await countOf("SELECT COUNT(*) AS n FROM inactivity_notices WHERE account_id = ?", b.accountId)).toBe(0);
    expect((await runRetention(env, eraseAt)).inactive_erased).toBe(0);

    // A day before 10 years after issue: the invoice is still kept.
    const tenYears = addDuration(invoice.issued_at, RETENTION_CLASSES.billing_records.duration);
    expect((await runRetention(env, tenYears - DAY)).billing_records).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", invoiceId)).toBe(1);

    // +10 years: the invoice, its lines and its PDF and XML are purged, and the purge is recorded.
    const s10 = await runRetention(env, tenYears + DAY);
    expect(s10.billing_records).toBe(1);
    expect(s10.billing_files).toBe(2);
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", invoiceId)).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM document_lines WHERE document_id = ?", invoiceId)).toBe(0);
    expect(await env.FILES.head(invoice.pdf_key)).toBeNull();
    expect(await env.FILES.head(invoice.xml_key)).toBeNull();
    expect(await one("SELECT account_id AS accountId, type, purged_at AS purgedAt FROM retention_purges WHERE document_id = ?", invoiceId)).toEqual({
      accountId: a.accountId,
      type: "invoice",
      purgedAt: tenYears + DAY,
    });
    // The draft-free account row remains, as the seller of record; a second run has nothing to do.
    expect(await countOf("SELECT COUNT(*) AS n FROM accounts WHERE id = ?", a.accountId)).toBe(1);
    const again = await runRetention(env, tenYears + DAY);
    expect(again.billing_records + again.inactive_erased + again.inactive_warned).toBe(0);

    // Every run left its counts for the operator.
    const runs = await env.DB.prepare("SELECT as_of AS asOf, summary FROM retention_runs WHERE as_of = ?").bind(tenYears + DAY).all<{ asOf: number; summary: string }>();
    expect(runs.results.map((r) => JSON.parse(r.summary))).toEqual([s10, again]);
  });
});

describe("§6 the immutability exception is narrow", () => {
  it("still refuses to delete an issued invoice without a purge record, and refuses a purge before ten years", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    await expect(env.DB.prepare("DELETE FROM documents WHERE id = ?").bind(id).run()).rejects.toThrow(/document_frozen/);
    await expect(env.DB.prepare("DELETE FROM document_lines WHERE document_id = ?").bind(id).run()).rejects.toThrow(/document_frozen/);
    const issuedAt = (await one<{ issued_at: number }>("SELECT issued_at FROM documents WHERE id = ?", id))!.issued_at;
    await expect(
      env.DB.prepare("INSERT INTO retention_purges (document_id, account_id, type, number, issued_at, purged_at) VALUES (?, ?, 'invoice', NULL, ?, ?)")
        .bind(id, a.accountId, issuedAt, issuedAt + 9 * 365 * DAY)
        .run(),
    ).rejects.toThrow(/retention_not_due/);
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", id)).toBe(1);
  });
});

describe("§6 the retention cron", () => {
  it("is the daily job of wrangler.toml and runs through the scheduler", async () => {
    const summary = await runScheduled("41 2 * * *", env, subtractDuration(Date.now(), { days: 1 }));
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(["connection_logs", "inactive_erased", "billing_records"]));
  });
});

describe("§6 payment details: 13 months after the transaction", () => {
  it("blanks the payer's reference 13 months after the day received and keeps the accounting entry", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    const receivedOn = "2026-01-31";
    const res = await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn, amountCents: 1000, method: "cheque", reference: "Chèque 0012345" });
    expect(res.status).toBe(201);
    const row = () => one<Record<string, unknown>>("SELECT received_on, amount_cents, method, reference FROM payments WHERE document_id = ?", id);
    // 13 calendar months after 31 January is 28 February of the next year (clamped).
    const due = Date.UTC(2027, 1, 28);
    expect(addDuration(Date.UTC(2026, 0, 31), RETENTION_CLASSES.payment_details.duration)).toBe(due);

    const before = await runRetention(env, due - DAY + 1);
    expect((await row())?.reference).toBe("Chèque 0012345");
    expect(before.payment_details).toBe(0);

    // The Stripe ids of an online payment made that day go at the same time.
    const recordedAt = Date.UTC(2026, 0, 31, 10);
    await env.DB.prepare("INSERT INTO stripe_payments (account_id, payment_intent_id, document_id, amount_cents, created_at) VALUES (?, 'pi_test_13months', ?, 1000, ?)").bind(a.accountId, id, recordedAt).run();
    await env.DB.prepare("INSERT INTO stripe_events (id, account_id, type, received_at) VALUES ('evt_test_13months', ?, 'checkout.session.completed', ?)").bind(a.accountId, recordedAt).run();
    const stripeIds = async () =>
      (await countOf("SELECT COUNT(*) AS n FROM stripe_payments WHERE payment_intent_id = 'pi_test_13months'")) + (await countOf("SELECT COUNT(*) AS n FROM stripe_events WHERE id = 'evt_test_13months'"));
    await runRetention(env, addDuration(recordedAt, { months: 13 }) - HOUR);
    expect(await stripeIds()).toBe(2);

    const after = await runRetention(env, due + DAY);
    expect(await stripeIds()).toBe(0);
    expect(await row()).toEqual({ received_on: receivedOn, amount_cents: 1000, method: "cheque", reference: null });
    expect(after.payment_details).toBeGreaterThanOrEqual(1);
    // Only the reference may change: the entry itself stays refused to edits.
    await expect(env.DB.prepare("UPDATE payments SET amount_cents = 1 WHERE document_id = ?").bind(id).run()).rejects.toThrow(/payments_append_only/);
    await expect(env.DB.prepare("UPDATE payments SET reference = 'x' WHERE document_id = ?").bind(id).run()).rejects.toThrow(/payments_append_only/);
  });
});

describe("§6 rights requests: 3 years after the answer", () => {
  it("§6 deletes an answered rights request 3 years after its answer, never an open one", async () => {
    const answeredAt = Date.UTC(2026, 2, 31, 9);
    const insert = async (status: "open" | "answered" | "refused", answered: number | null) => {
      const id = randomId();
      await env.DB.prepare(
        "INSERT INTO rights_requests (id, account_id, email, type, message, channel, created_at, due_at, status, answered_at) VALUES (?, NULL, 'demande@example.fr', 'access', 'Copie de mes données', 'email', ?, ?, ?, ?)",
      )
        .bind(id, answeredAt - 10 * DAY, answeredAt + 20 * DAY, status, answered)
        .run();
      return id;
    };
    const answered = await insert("answered", answeredAt);
    const refused = await insert("refused", answeredAt);
    const open = await insert("open", null);
    const due = addDuration(answeredAt, RETENTION_CLASSES.rights_requests.duration);
    expect(due).toBe(Date.UTC(2029, 2, 31, 9));
    const left = () => env.DB.prepare("SELECT id FROM rights_requests WHERE id IN (?, ?, ?) ORDER BY id").bind(answered, refused, open).all<{ id: string }>();

    const early = await runRetention(env, due - 1);
    expect((await left()).results).toHaveLength(3);
    expect(early.rights_requests).toBe(0);

    const late = await runRetention(env, due + 1);
    expect((await left()).results.map((r) => r.id)).toEqual([open]);
    expect(late.rights_requests).toBe(2);
  });
});

describe("§6 issued quotes of a closed account: 5 years after issue", () => {
  async function accountWithQuote() {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote" }));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    const doc = (await one<{ issued_at: number; pdf_key: string | null }>("SELECT issued_at, pdf_key FROM documents WHERE id = ?", id))!;
    return { ...a, quoteId: id, issuedAt: doc.issued_at, pdfKey: doc.pdf_key };
  }
  const exists = (id: string) => countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", id);

  it("§6 purges an issued quote of a closed account 5 years after issue, with its lines and PDF, and keeps the open account's", async () => {
    const closed = await accountWithQuote();
    const open = await accountWithQuote();
    // A quote an invoice still names stays with that invoice.
    const named = await createDraftVia(closed.client, draftBody(closed.clientId, { type: "quote" }));
    expect((await closed.client.json("POST", `/api/v1/documents/${named}/issue`, {})).status).toBe(200);
    const invoice = await createDraftVia(closed.client, draftBody(closed.clientId));
    await env.DB.prepare("UPDATE documents SET source_quote_id = ? WHERE id = ?").bind(named, invoice).run();
    await env.DB.prepare("UPDATE accounts SET closed_at = ? WHERE id = ?").bind(Date.now(), closed.accountId).run();

    const due = addDuration(Math.max(closed.issuedAt, open.issuedAt), RETENTION_CLASSES.issued_quotes.duration);
    expect(RETENTION_CLASSES.issued_quotes.duration).toEqual({ months: 60 });
    const early = await runRetention(env, addDuration(closed.issuedAt, RETENTION_CLASSES.issued_quotes.duration) - HOUR);
    expect(await exists(closed.quoteId)).toBe(1);
    expect(early.issued_quotes).toBe(0);

    const late = await runRetention(env, due + DAY);
    expect(late.issued_quotes).toBeGreaterThanOrEqual(1);
    expect(await exists(closed.quoteId)).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM document_lines WHERE document_id = ?", closed.quoteId)).toBe(0);
    if (closed.pdfKey) expect(await env.FILES.head(closed.pdfKey)).toBeNull();
    expect(await one("SELECT type FROM retention_purges WHERE document_id = ?", closed.quoteId)).toEqual({ type: "quote" });
    expect(await exists(named)).toBe(1);
    expect(await exists(open.quoteId)).toBe(1);
  });

  it("§6 refuses a quote's purge record before 5 years, for an open account, or for an invoice passed off as a quote", async () => {
    const a = await accountWithQuote();
    const purge = (documentId: string, purgedAt: number) =>
      env.DB.prepare("INSERT INTO retention_purges (document_id, account_id, type, number, issued_at, purged_at) VALUES (?, ?, 'quote', NULL, ?, ?)")
        .bind(documentId, a.accountId, a.issuedAt, purgedAt)
        .run();
    const fiveYears = addDuration(a.issuedAt, RETENTION_CLASSES.issued_quotes.duration) + DAY;
    // Open account: refused even after 5 years.
    await expect(purge(a.quoteId, fiveYears)).rejects.toThrow(/retention_not_due/);
    await env.DB.prepare("UPDATE accounts SET closed_at = ? WHERE id = ?").bind(Date.now(), a.accountId).run();
    await expect(purge(a.quoteId, a.issuedAt + 4 * 365 * DAY)).rejects.toThrow(/retention_not_due/);
    const invoice = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${invoice}/issue`, {})).status).toBe(200);
    await expect(purge(invoice, fiveYears)).rejects.toThrow(/retention_not_due/);
    await expect(env.DB.prepare("DELETE FROM documents WHERE id = ?").bind(a.quoteId).run()).rejects.toThrow(/document_frozen/);
  });
});
