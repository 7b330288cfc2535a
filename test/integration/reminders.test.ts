import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DocumentSnapshot } from "../../src/worker/domain/document";
import { formatMoney } from "../../src/worker/domain/format";
import { addDays, RECOVERY_INDEMNITY_CENTS } from "../../src/worker/domain/mentions";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { runReminders } from "../../src/worker/jobs/reminders";
import { createDraftVia, draftBody, insertClient, issueOn, readyAccount } from "../helpers/invoicing";

// Payment terms of the test profile: 30 days. An invoice issued 30 + k days ago is k days late.
const TERMS = 30;
const DAY = 86_400_000;

type Account = Awaited<ReturnType<typeof readyAccount>>;
interface Issued {
  id: string;
  number: string;
  dueCents: number;
  dueDate: string;
  snapshot: DocumentSnapshot;
}

/** Issues invoices oldest first (the numbering refuses an earlier date after a later one). */
async function issueInvoices(a: Account, daysLate: number[], clientId = a.clientId): Promise<Issued[]> {
  const today = todayInParis(Date.now());
  const out: Issued[] = [];
  for (const late of [...daysLate].sort((x, y) => y - x)) {
    const id = await createDraftVia(a.client, draftBody(clientId));
    // Issued on its day: early in a year, that day may be last year, which today refuses.
    out.push((await issueOn(a.accountId, id, addDays(today, -(TERMS + late)))) as unknown as Issued);
  }
  // Back in the caller's order.
  return daysLate.map((late) => out.find((d) => d.dueDate === addDays(today, -late)) as Issued);
}

async function reminderRows(documentId: string) {
  const { results } = await env.DB.prepare("SELECT step, kind, status, reason, mail_id AS mailId, outstanding_cents AS outstandingCents FROM reminder_log WHERE document_id = ? ORDER BY created_at")
    .bind(documentId)
    .all<{ step: string; kind: string; status: string; reason: string | null; mailId: string | null; outstandingCents: number }>();
  return results;
}

async function reminderMails(accountId: string) {
  const { results } = await env.DB.prepare("SELECT id, subject, body_text AS bodyText, template, attachments FROM mail_log WHERE account_id = ? AND template LIKE 'reminder.%' ORDER BY created_at, rowid")
    .bind(accountId)
    .all<{ id: string; subject: string; bodyText: string; template: string; attachments: string | null }>();
  return results;
}

async function mailOf(documentId: string) {
  const [row] = await reminderRows(documentId);
  if (!row?.mailId) throw new Error(`no reminder mail for ${documentId}`);
  return env.DB.prepare("SELECT subject, body_text AS bodyText, template FROM mail_log WHERE id = ?").bind(row.mailId).first<{ subject: string; bodyText: string; template: string }>();
}

describe("reminder plans", () => {
  it("refuses absurd plans with a clear error and records nothing", async () => {
    const a = await readyAccount();
    const cases: Array<[number[], RegExp]> = [
      [[1, 2, 3, 4, 5, 6, 7], /6 étapes/],
      [[-31, 1], /−30 et \+120/],
      [[1, 121], /−30 et \+120/],
      [[7, 7], /deux fois/],
      [[1.5], /entiers/],
    ];
    for (const [offsets, message] of cases) {
      const res = await a.client.json("PUT", "/api/v1/reminders/plan", { offsets });
      expect(res.status, JSON.stringify(offsets)).toBe(400);
      const body = (await res.json()) as { error: { code: string; fields?: Record<string, string> } };
      expect(body.error.code).toBe("invalid");
      expect(body.error.fields?.offsets).toMatch(message);
    }
    const plan = (await (await a.client.json("GET", "/api/v1/reminders/plan")).json()) as { plan: { offsets: number[]; isDefault: boolean } };
    expect(plan.plan).toEqual({ offsets: [-3, 1, 7, 15], isDefault: true });
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM reminder_plans WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });

  it("saves a plan from the settings form, and shows a refused one again with its error on the field", async () => {
    const a = await readyAccount();
    const bad = await a.client.postForm("/parametres/relances", { offsets: "1, 500" });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain("Étape 500 impossible");
    expect(html).toContain('value="1, 500"');
    const ok = await a.client.postForm("/parametres/relances", { offsets: "15, -5 ; +2" });
    expect(ok.status).toBe(303);
    const plan = (await (await a.client.json("GET", "/api/v1/reminders/plan")).json()) as { plan: { offsets: number[] } };
    expect(plan.plan.offsets).toEqual([-5, 2, 15]);
    expect(await (await a.client.get("/parametres/relances")).text()).toContain('value="-5, 2, 15"');
  });
});

describe("the daily reminders job", () => {
  it("sends the step due today for each open invoice, with the amount still due, and nothing on a second run", async () => {
    const a = await readyAccount();
    // Due yesterday (step +1 today), due in 3 days (step −3 today), due in 10 days (no step today).
    const [late, soon, later] = await issueInvoices(a, [1, -3, -10]);
    if (!late || !soon || !later) throw new Error("fixture");
    await a.client.json("POST", `/api/v1/documents/${late.id}/payments`, { receivedOn: todayInParis(Date.now()), method: "virement", amountCents: 10_000 });

    await runReminders(env, Date.now());
    expect((await reminderRows(late.id)).map((r) => [r.step, r.status])).toEqual([["auto:1", "sent"]]);
    expect((await reminderRows(soon.id)).map((r) => [r.step, r.status])).toEqual([["auto:-3", "sent"]]);
    expect(await reminderRows(later.id)).toEqual([]);
    const lateMail = await mailOf(late.id);
    expect(lateMail?.bodyText).toContain(formatMoney(late.dueCents - 10_000, "fr"));
    expect(lateMail?.bodyText).toContain(late.number);
    expect(lateMail?.subject).toContain("Relance");
    const mails = await reminderMails(a.accountId);
    expect(mails).toHaveLength(2);
    // No attachment: the invoice itself was already sent.
    expect(mails.every((m) => m.attachments === null)).toBe(true);

    await runReminders(env, Date.now());
    expect(await reminderMails(a.accountId)).toHaveLength(2);
    expect(await reminderRows(late.id)).toHaveLength(1);
  });

  it("sends the next step on its day, and never again a step a crashed run had claimed", async () => {
    const a = await readyAccount();
    const [doc] = await issueInvoices(a, [1]);
    if (!doc) throw new Error("fixture");
    // A run that claimed step +1 and died before sending: the claim stays, no email follows.
    await env.DB.prepare("INSERT INTO reminder_log (id, account_id, document_id, step, kind, offset_days, status, outstanding_cents, created_at) VALUES (?, ?, ?, 'auto:1', 'auto', 1, 'pending', ?, ?)")
      .bind(crypto.randomUUID(), a.accountId, doc.id, doc.dueCents, Date.now())
      .run();
    await runReminders(env, Date.now());
    expect(await reminderMails(a.accountId)).toHaveLength(0);
    // Six days later, step +7 is due.
    await runReminders(env, Date.now() + 6 * DAY);
    expect((await reminderRows(doc.id)).map((r) => [r.step, r.status])).toEqual([
      ["auto:1", "pending"],
      ["auto:7", "sent"],
    ]);
    await runReminders(env, Date.now() + 6 * DAY);
    expect(await reminderMails(a.accountId)).toHaveLength(1);
  });

  it("stops once the invoice is paid, cancelled by a credit note, paused, or the account is frozen or closed", async () => {
    const a = await readyAccount();
    const [paid, credited, paused, open] = await issueInvoices(a, [4, 3, 2, 1]);
    if (!paid || !credited || !paused || !open) throw new Error("fixture");
    const today = todayInParis(Date.now());
    await a.client.json("POST", `/api/v1/documents/${paid.id}/payments`, { receivedOn: today, method: "virement", amountCents: paid.dueCents });
    expect((await a.client.json("POST", `/api/v1/documents/${credited.id}/cancel`, {})).status).toBeLessThan(300);
    expect((await a.client.json("PUT", `/api/v1/documents/${paused.id}/reminders/pause`, { paused: true })).status).toBe(200);
    await env.DB.prepare("UPDATE accounts SET frozen_at = ? WHERE id = ?").bind(Date.now(), a.accountId).run();

    // Step +1 of every invoice is within reach (catch-up), yet nothing goes out while frozen.
    await runReminders(env, Date.now());
    expect(await reminderMails(a.accountId)).toHaveLength(0);

    // Nor once the account is closed.
    await env.DB.prepare("UPDATE accounts SET frozen_at = NULL, closed_at = ? WHERE id = ?").bind(Date.now(), a.accountId).run();
    await runReminders(env, Date.now());
    expect(await reminderMails(a.accountId)).toHaveLength(0);

    await env.DB.prepare("UPDATE accounts SET closed_at = NULL WHERE id = ?").bind(a.accountId).run();
    await runReminders(env, Date.now());
    expect(await reminderRows(paid.id)).toEqual([]);
    expect(await reminderRows(credited.id)).toEqual([]);
    expect(await reminderRows(paused.id)).toEqual([]);
    expect((await reminderRows(open.id)).map((r) => r.status)).toEqual(["sent"]);

    expect((await a.client.json("PUT", `/api/v1/documents/${paused.id}/reminders/pause`, { paused: false })).status).toBe(200);
    await runReminders(env, Date.now());
    expect((await reminderRows(paused.id)).map((r) => r.status)).toEqual(["sent"]);
  });

  it("sends nothing to an address that bounced, and logs why", async () => {
    const a = await readyAccount();
    const email = `rebond-${crypto.randomUUID()}@cliente.fr`;
    const clientId = await insertClient(a.accountId, { email });
    const [doc] = await issueInvoices(a, [1], clientId);
    if (!doc) throw new Error("fixture");
    await env.DB.prepare("INSERT INTO email_suppressions (address, reason, event_id, created_at) VALUES (?, 'bounced', ?, ?)").bind(email, crypto.randomUUID(), Date.now()).run();
    await runReminders(env, Date.now());
    expect((await reminderRows(doc.id)).map((r) => [r.status, r.reason, r.mailId])).toEqual([["skipped", "bounced", null]]);
    expect(await reminderMails(a.accountId)).toHaveLength(0);
  });

  it("restates the late penalties and the 40 € indemnity to a business client, never to a private one, in the client's language", async () => {
    const a = await readyAccount();
    const individual = await insertClient(a.accountId, {
      kind: "individual",
      name: "Jeanne Particulier",
      search_name: "jeanne particulier",
      siren: null,
      siret: null,
      vat_number: null,
      electronic_scheme: null,
      electronic_address: null,
      email: `jeanne-${crypto.randomUUID()}@exemple.fr`,
    });
    const english = await insertClient(a.accountId, { name: "Acme Ltd", search_name: "acme ltd", language: "en", email: `ap-${crypto.randomUUID()}@acme.example` });
    const [b2b] = await issueInvoices(a, [3]);
    const [b2c] = await issueInvoices(a, [2], individual);
    const [en] = await issueInvoices(a, [1], english);
    if (!b2b || !b2c || !en) throw new Error("fixture");
    await runReminders(env, Date.now());

    const b2bMail = await mailOf(b2b.id);
    expect(b2bMail?.bodyText).toContain(b2b.snapshot.payment.latePenalty);
    expect(b2bMail?.bodyText).toContain(b2b.snapshot.payment.recoveryIndemnity);
    expect(b2bMail?.bodyText).toContain(formatMoney(RECOVERY_INDEMNITY_CENTS, "fr"));

    const b2cMail = await mailOf(b2c.id);
    expect(b2cMail?.bodyText).toContain(formatMoney(b2c.dueCents, "fr"));
    expect(b2cMail?.bodyText).not.toMatch(/pénalités/i);
    expect(b2cMail?.bodyText).not.toContain(formatMoney(RECOVERY_INDEMNITY_CENTS, "fr"));

    const enMail = await mailOf(en.id);
    expect(enMail?.template).toBe("reminder.auto.en");
    expect(enMail?.subject).toContain("payment reminder");
    expect(enMail?.bodyText).toContain(`Amount still due: ${formatMoney(en.dueCents, "en")}`);
    expect(enMail?.bodyText).toContain(en.snapshot.payment.recoveryIndemnity);
  });
});

describe("one-click reminder", () => {
  it("sends one reminder now, once per day, from the receivables page, through its preview", async () => {
    const a = await readyAccount();
    const [doc] = await issueInvoices(a, [20]);
    if (!doc) throw new Error("fixture");
    const page = await (await a.client.get("/paiements/a-encaisser")).text();
    // The button opens the preview (subject and message editable), which comes back here once sent.
    const href = `/documents/${doc.id}/relancer?retour=${encodeURIComponent("/paiements/a-encaisser")}`;
    expect(page).toContain(`href="${href.replace(/&/g, "&amp;")}"`);
    expect(page).not.toContain(`action="/documents/${doc.id}/relancer"`);
    const preview = await (await a.client.get(href)).text();
    expect(preview).toContain(`action="/documents/${doc.id}/relancer"`);
    expect(preview).toContain('name="back" value="/paiements/a-encaisser"');
    expect(preview).toContain('name="subject"');
    expect(await reminderMails(a.accountId)).toHaveLength(0);

    const first = await a.client.postForm(`/documents/${doc.id}/relancer`, { back: "/paiements/a-encaisser" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/paiements/a-encaisser");
    const again = await a.client.json("POST", `/api/v1/documents/${doc.id}/reminders`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { already: boolean }).already).toBe(true);
    expect(await reminderMails(a.accountId)).toHaveLength(1);
    expect((await reminderRows(doc.id)).map((r) => [r.kind, r.status])).toEqual([["manual", "sent"]]);

    const after = await (await a.client.get("/paiements/a-encaisser")).text();
    expect(after).toContain("Relancée aujourd'hui");
    const detail = await (await a.client.get(`/documents/${doc.id}`)).text();
    expect(detail).toContain('id="relances"');
    expect(detail).toContain("relance manuelle");
  });

  it("refuses a form without its CSRF token, another account's invoice, and a paid one", async () => {
    const a = await readyAccount();
    const [doc] = await issueInvoices(a, [5]);
    if (!doc) throw new Error("fixture");
    expect((await a.client.postForm(`/documents/${doc.id}/relancer`, {}, { csrf: null })).status).toBe(403);
    const other = await readyAccount();
    expect((await other.client.json("POST", `/api/v1/documents/${doc.id}/reminders`)).status).toBe(404);
    expect((await other.client.json("PUT", `/api/v1/documents/${doc.id}/reminders/pause`, { paused: true })).status).toBe(404);
    expect((await other.client.json("GET", `/api/v1/documents/${doc.id}/reminders`)).status).toBe(404);
    await a.client.json("POST", `/api/v1/documents/${doc.id}/payments`, { receivedOn: todayInParis(Date.now()), method: "virement", amountCents: doc.dueCents });
    const paid = await a.client.json("POST", `/api/v1/documents/${doc.id}/reminders`);
    expect(paid.status).toBe(409);
    expect(await reminderMails(a.accountId)).toHaveLength(0);
  });
});
