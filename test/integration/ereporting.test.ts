import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ereportingDeadlinesBetween, periodOf } from "../../src/worker/domain/einvoice/ereporting";
import { VAT_EXEMPTIONS } from "../../src/worker/domain/vat";
import { paFlush, paSim, paState, randomSiren, siretOf } from "../helpers/pa";
import { createDraftVia, FRANCHISE_PROFILE, insertClient, issueOn, readyAccount, S20, VAT_COMPANY_PROFILE } from "../helpers/invoicing";

// E-reporting beyond B2C: international B2B sales (10.1) and their payments (10.2) in the period's
// files, the PA's acknowledgement read back (accepted / rejected with its reason), and the
// correction of a rejected period. The files' validity against validate.mjs is proven on the
// fixtures (test/fixtures/ereporting.ts, scripts/validate-einvoices.mjs).

async function account(profile: Record<string, unknown>) {
  const siren = randomSiren();
  return { ...(await readyAccount({ ...profile, siret: siretOf(siren) })), siren };
}

type Account = Awaited<ReturnType<typeof account>>;

/** The last ended period of a regime, from today: its start and a day inside it. */
function lastEndedPeriod(regime: "franchise" | "vat") {
  const today = new Date().toISOString().slice(0, 10);
  const current = periodOf(today, regime);
  const before = new Date(`${current.start}T00:00:00Z`);
  before.setUTCDate(before.getUTCDate() - 1);
  const p = periodOf(before.toISOString().slice(0, 10), regime);
  return { ...p, day: (n: number) => `${p.start.slice(0, 8)}${String(n).padStart(2, "0")}` };
}

async function issue(a: Account, body: Record<string, unknown>, date: string) {
  const id = await createDraftVia(a.client, body);
  await issueOn(a.accountId, id, date);
  return id;
}

async function pay(a: Account, id: string, receivedOn: string, amountCents: number) {
  const res = await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn, method: "virement", amountCents });
  expect(res.status, await res.clone().text()).toBe(201);
}

const periods = async (a: Account) =>
  ((await (await a.client.json("GET", "/api/v1/books/ereporting")).json()) as { periods: Array<{ start: string; status: string; reason?: string | null }> }).periods;

async function send(a: Account, start: string) {
  const res = await a.client.json("POST", "/api/v1/books/ereporting", { periodStart: start });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { reports: Array<{ kind: string; typeCode: string; reportId: string }> };
}

const fileOf = async (a: Account, reportId: string) => (await env.FILES.get(`accounts/${a.accountId}/ereports/${reportId}.xml`))!.text();

describe("e-reporting 10.1 / 10.2", () => {
  it("reports each international B2B invoice (10.1) beside the B2C days (10.3), and only French-taxed services' payments (10.2)", async () => {
    const a = await account(VAT_COMPANY_PROFILE);
    const p = lastEndedPeriod("vat");
    const german = await insertClient(a.accountId, { name: "Müller GmbH", search_name: "muller gmbh", siren: null, siret: null, vat_number: "DE123456789", country: "DE", postal_code: "10115", city: "Berlin", electronic_scheme: null, electronic_address: null });
    const swiss = await insertClient(a.accountId, { name: "Helvetia AG", search_name: "helvetia ag", siren: null, siret: null, vat_number: null, country: "CH", postal_code: "8001", city: "Zürich", electronic_scheme: null, electronic_address: null });
    const person = await insertClient(a.accountId, { kind: "individual", name: "Jeanne Dupont", search_name: "jeanne dupont", siren: null, siret: null, vat_number: null, electronic_scheme: null, electronic_address: null });
    const reverse = { vatCategory: "AE", vatRateBp: 0, exemptionCode: VAT_EXEMPTIONS.reverseChargeEu.code, kind: "service" };
    const de = await issue(a, { type: "invoice", clientId: german, lines: [{ description: "Audit", quantity: "1", unitCode: "C62", unitPriceCents: 250_000, ...reverse }] }, p.day(8));
    // A service taxed in France (e.g. a training held in Lyon) for a Swiss business: French VAT, due on collection.
    const ch = await issue(a, { type: "invoice", clientId: swiss, lines: [{ description: "Formation à Lyon", quantity: "1", unitCode: "C62", unitPriceCents: 100_000, ...S20 }] }, p.day(10));
    const b2c = await issue(a, { type: "invoice", clientId: person, lines: [{ description: "Séance", quantity: "1", unitCode: "C62", unitPriceCents: 10_000, ...S20 }] }, p.day(12));
    await pay(a, de, p.day(15), 250_000);
    await pay(a, ch, p.day(16), 120_000);
    await pay(a, b2c, p.day(16), 12_000);

    const sent = await send(a, p.start);
    const tx = await fileOf(a, sent.reports.find((r) => r.kind === "transactions")!.reportId);
    const invoices = [...tx.matchAll(/<Invoice>([\s\S]*?)<\/Invoice>/g)].map((m) => m[1]!);
    expect(invoices).toHaveLength(2);
    expect(invoices[0]).toContain(`<CompanyId schemeId="0223">DE123456789</CompanyId>`);
    expect(invoices[0]).toContain("<TaxExemptionReasonCode>VATEX-EU-AE</TaxExemptionReasonCode>");
    expect(invoices[0]).toContain(`<TaxAmount CurrencyCode="EUR">0.00</TaxAmount>`);
    expect(invoices[1]).toContain(`<CompanyId schemeId="0227">Helvetia AG</CompanyId>`);
    expect(invoices[1]).toContain(`<TaxAmount CurrencyCode="EUR">200.00</TaxAmount>`);
    // The B2C sale stays aggregated (10.3); the B2B sales are not in it.
    expect([...tx.matchAll(/<Transactions>/g)]).toHaveLength(1);
    expect(tx).toContain("<TaxExclusiveAmount>100.00</TaxExclusiveAmount>");

    const pa = await fileOf(a, sent.reports.find((r) => r.kind === "payments")!.reportId);
    // 10.2: the Swiss invoice (French VAT at 20 %) only; the reverse-charged German one has no VAT due in France.
    const unitary = [...pa.matchAll(/<Invoice>([\s\S]*?)<\/Invoice>/g)].map((m) => m[1]!);
    expect(unitary).toHaveLength(1);
    expect(unitary[0]).toContain("<TaxPercent>20</TaxPercent>");
    expect(unitary[0]).toContain("<Amount>1200.00</Amount>");
    // 10.4 keeps the B2C receipt.
    expect(pa).toContain("<Amount>120.00</Amount>");
    // No PA registration number is known for the stand-in: the declarant is the Sender, never a placeholder.
    expect(tx).toMatch(new RegExp(`<Sender>\\s*<Id schemeId="0002">${a.siren}</Id>[\\s\\S]*<RoleCode>SE</RoleCode>\\s*</Sender>`));
    expect(tx).not.toContain(">0000<");

    await paFlush();
    const flows = (await paState(a.siren)).flows.filter((f) => f.flowDirection === "Out");
    expect(flows.map((f) => [f.flowType, f.acknowledgement.status]).sort()).toEqual([
      ["MultiFlowReport", "Ok"],
      ["MultiFlowReport", "Ok"],
    ]);
    expect((await periods(a)).find((x) => x.start === p.start)?.status).toBe("accepted");
  });
});

describe("e-reporting acknowledgements", () => {
  it("shows a report the PA rejected with its reason, and sends the corrected period again until accepted", async () => {
    const a = await account(FRANCHISE_PROFILE);
    const p = lastEndedPeriod("franchise");
    const person = await insertClient(a.accountId, { kind: "individual", name: "Jeanne Dupont", search_name: "jeanne dupont", siren: null, siret: null, vat_number: null, electronic_scheme: null, electronic_address: null });
    const franchise = { vatCategory: "E", vatRateBp: 0, exemptionCode: VAT_EXEMPTIONS.franchise.code, kind: "service" };
    const id = await issue(a, { type: "invoice", clientId: person, lines: [{ description: "Cours", quantity: "1", unitCode: "C62", unitPriceCents: 30_000, ...franchise }] }, p.day(5));
    await pay(a, id, p.day(6), 30_000);

    await paSim("reject-next", { siren: a.siren, flowSyntax: "FRR", reasonCode: "InvalidSchema", reason: "Période de déclaration incohérente" });
    const first = await send(a, p.start);
    expect(first.reports.map((r) => [r.kind, r.typeCode])).toEqual([
      ["transactions", "IN"],
      ["payments", "IN"],
    ]);
    await paFlush();
    const rejected = (await periods(a)).find((x) => x.start === p.start);
    expect(rejected).toMatchObject({ status: "error", reason: "InvalidSchema : Période de déclaration incohérente" });
    const page = await (await a.client.get("/livres/e-reporting")).text();
    expect(page).toContain("Rejeté par la plateforme");
    expect(page).toContain("Période de déclaration incohérente");
    expect(page).toContain("Transmettre à nouveau");

    // Re-sent from the page: only the rejected file goes, as IN (the PA never took the first one);
    // the accepted payments file is not sent twice.
    const res = await a.client.postForm("/livres/e-reporting", { period: p.start });
    expect(res.status).toBe(303);
    await paFlush();
    const rows = await env.DB.prepare("SELECT kind, type_code AS typeCode, state, ack_reason AS reason FROM ereports WHERE account_id = ? ORDER BY submitted_at, kind").bind(a.accountId).all();
    expect(rows.results.map((r) => [r.kind, r.typeCode])).toEqual([
      ["payments", "IN"],
      ["transactions", "IN"],
      ["transactions", "IN"],
    ]);
    expect((await periods(a)).find((x) => x.start === p.start)?.status).toBe("accepted");
    const states = await env.DB.prepare("SELECT state FROM ereports WHERE account_id = ? ORDER BY submitted_at, kind").bind(a.accountId).all();
    // The rejection is kept (history), not overwritten.
    expect(states.results.map((r) => r.state).sort()).toEqual(["acked", "acked", "error"]);
  });

  it("a replacement (RE) follows an accepted file; a rejected RE is corrected as RE again", async () => {
    const a = await account(FRANCHISE_PROFILE);
    const p = lastEndedPeriod("franchise");
    const person = await insertClient(a.accountId, { kind: "individual", name: "Jeanne Dupont", search_name: "jeanne dupont", siren: null, siret: null, vat_number: null, electronic_scheme: null, electronic_address: null });
    const franchise = { vatCategory: "E", vatRateBp: 0, exemptionCode: VAT_EXEMPTIONS.franchise.code, kind: "service" };
    const body = { type: "invoice", clientId: person, lines: [{ description: "Cours", quantity: "1", unitCode: "C62", unitPriceCents: 30_000, ...franchise }] };
    await issue(a, body, p.day(5));
    await send(a, p.start);
    await paFlush();
    expect((await periods(a)).find((x) => x.start === p.start)?.status).toBe("accepted");
    await issue(a, body, p.day(7));
    expect((await periods(a)).find((x) => x.start === p.start)?.status).toBe("changed");
    await paSim("reject-next", { siren: a.siren, flowSyntax: "FRR", reasonCode: "OtherTechnicalError", reason: "Indisponible" });
    expect((await send(a, p.start)).reports).toEqual([expect.objectContaining({ kind: "transactions", typeCode: "RE" })]);
    await paFlush();
    expect((await periods(a)).find((x) => x.start === p.start)).toMatchObject({ status: "error", reason: "OtherTechnicalError : Indisponible" });
    expect((await send(a, p.start)).reports).toEqual([expect.objectContaining({ kind: "transactions", typeCode: "RE" })]);
    await paFlush();
    expect((await periods(a)).find((x) => x.start === p.start)?.status).toBe("accepted");
  });
});

describe("e-reporting deadlines", () => {
  // 25 November 2027, 07:23 in Paris: the franchise period Sep–Oct 2027 and the VAT month of
  // October 2027 are both due on 30 November 2027 (an injected clock: the job takes `now`).
  const now = Date.UTC(2027, 10, 25, 6, 23);

  async function mails(accountId: string) {
    const { results } = await env.DB.prepare("SELECT subject, body_text AS body FROM mail_log WHERE account_id = ? AND template = 'ereporting_deadline_reminder'")
      .bind(accountId)
      .all<{ subject: string; body: string }>();
    return results;
  }

  it("emails each account once per deadline of its regime (the cron running twice), never a frozen one, nor a period already sent", async () => {
    const franchise = await account(FRANCHISE_PROFILE);
    const vat = await account(VAT_COMPANY_PROFILE);
    const frozen = await account(FRANCHISE_PROFILE);
    const done = await account(FRANCHISE_PROFILE);
    const rejected = await account(FRANCHISE_PROFILE);
    const ids = [franchise, vat, frozen, done, rejected].map((x) => x.accountId);
    await env.DB.prepare(`UPDATE accounts SET created_at = ? WHERE id IN (${ids.map(() => "?").join(",")})`).bind(Date.UTC(2027, 0, 1), ...ids).run();
    await env.DB.prepare("UPDATE accounts SET frozen_at = ? WHERE id = ?").bind(now, frozen.accountId).run();
    // `done` sent both files of the period (accepted or awaiting the ack); `rejected` had one refused.
    const report = (accountId: string, kind: string, state: string) =>
      env.DB.prepare("INSERT INTO ereports (id, account_id, period_start, period_end, kind, type_code, data_hash, file_key, file_sha256, flow_id, state, submitted_at, created_at) VALUES (?, ?, '2027-09-01', '2027-10-31', ?, 'IN', 'h', 'k', 's', 'f', ?, ?, ?)")
        .bind(crypto.randomUUID(), accountId, kind, state, now, now)
        .run();
    await report(done.accountId, "transactions", "acked");
    await report(done.accountId, "payments", "sent");
    await report(rejected.accountId, "transactions", "error");
    await report(rejected.accountId, "payments", "acked");

    const { runScheduled } = await import("../../src/worker/jobs/crons");
    const first = await runScheduled("23 6 * * *", env, now);
    await runScheduled("23 6 * * *", env, now + 3_600_000);
    expect(first.ereporting_sent).toBeGreaterThanOrEqual(3);

    const [f] = await mails(franchise.accountId);
    expect(await mails(franchise.accountId)).toHaveLength(1);
    expect(f?.subject).toBe("E-reporting — période du 01/09/2027 – 31/10/2027 : à transmettre avant le 30/11/2027");
    expect(f?.body).toContain("/livres/e-reporting");
    const v = await mails(vat.accountId);
    expect(v.map((m) => m.subject)).toEqual(["E-reporting — période du 01/10/2027 – 31/10/2027 : à transmettre avant le 30/11/2027"]);
    expect(await mails(frozen.accountId)).toHaveLength(0);
    expect(await mails(done.accountId)).toHaveLength(0);
    expect(await mails(rejected.accountId)).toHaveLength(1);
    const rows = await env.DB.prepare("SELECT period_start AS periodStart, deadline FROM ereport_reminders WHERE account_id = ?").bind(franchise.accountId).all();
    expect(rows.results).toEqual([{ periodStart: "2027-09-01", deadline: "2027-11-30" }]);

    // Eight days before, and before the reform, nothing is due.
    const quiet = await account(FRANCHISE_PROFILE);
    await env.DB.prepare("UPDATE accounts SET created_at = ? WHERE id = ?").bind(Date.UTC(2026, 0, 1), quiet.accountId).run();
    const { runEreportingReminders } = await import("../../src/worker/jobs/ereporting-reminders");
    expect(await runEreportingReminders(env, Date.UTC(2027, 10, 22, 6, 23))).toMatchObject({ sent: 0 });
    expect(await runEreportingReminders(env, Date.UTC(2026, 9, 26, 6, 23))).toMatchObject({ sent: 0, accounts: 0 });
    expect(await mails(quiet.accountId)).toHaveLength(0);
  });

  it("puts the next e-reporting deadlines of the account's regime on the books calendar", async () => {
    const a = await account(FRANCHISE_PROFILE);
    const today = new Date().toISOString().slice(0, 10);
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const [next] = ereportingDeadlinesBetween(today, inAYear, "franchise");
    const page = await (await a.client.get("/livres")).text();
    if (!next) return expect(page).not.toContain('data-kind="ereporting"');
    const d = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
    expect(page).toMatch(new RegExp(`<li data-kind="ereporting"><time datetime="${next.deadline}">${d(next.deadline)}</time>`));
    expect(page).toContain(`E-reporting du ${d(next.period.start)} au ${d(next.period.end)}`);
  });
});
