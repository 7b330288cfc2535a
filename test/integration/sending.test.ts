import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/worker/app";
import { loadConfig } from "../../src/worker/config";
import { sendDocument, mayEmailAutomatically } from "../../src/worker/features/sending/verbs";
import { base64UrlEncode, randomId } from "../../src/worker/lib/crypto/random";
import { BASE, TestClient } from "../helpers/client";
import { createDraftVia, draftBody, insertClient, readyAccount, verbCtx } from "../helpers/invoicing";
import { failNextResendSends, resendEmailsTo, viaResend } from "../helpers/resend";

type Account = Awaited<ReturnType<typeof readyAccount>>;
type MailRow = { subject: string; bodyText: string; template: string; attachments: string | null; status: string; provider: string; toAddress: string };

async function issued(a: Account, clientId = a.clientId): Promise<{ id: string; number: string }> {
  const id = await createDraftVia(a.client, draftBody(clientId));
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status}`);
  return ((await res.json()) as { document: { id: string; number: string } }).document;
}

function mailRow(id: string) {
  return env.DB.prepare(
    "SELECT subject, body_text AS bodyText, template, attachments, status, provider, to_address AS toAddress FROM mail_log WHERE id = ?",
  )
    .bind(id)
    .first<MailRow>();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("sending a document in local mode (dev outbox)", () => {
  it("sends an issued invoice with its PDF attached and a working public link, and records the send", async () => {
    const a = await readyAccount();
    const doc = await issued(a);
    const res = await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, {});
    expect(res.status).toBe(201);
    const { send } = (await res.json()) as { send: { mailId: string; toAddress: string; language: string } };
    expect(send).toMatchObject({ toAddress: "compta@cliente.fr", language: "fr" });

    const mail = await mailRow(send.mailId);
    expect(mail).toMatchObject({ provider: "outbox", template: "document.invoice.fr", toAddress: "compta@cliente.fr" });
    expect(mail?.subject).toContain(doc.number);
    const pdf = new Uint8Array(await (await a.client.json("GET", `/api/v1/documents/${doc.id}/pdf`)).arrayBuffer());
    expect(JSON.parse(mail?.attachments ?? "[]")).toEqual([{ filename: `${doc.number}.pdf`, contentType: "application/pdf", size: pdf.byteLength }]);

    const link = /https?:\/\/\S+\/p\/(\S+)/.exec(mail?.bodyText ?? "")?.[1];
    expect(link).toBeTruthy();
    expect((await a.client.get(`/p/${link}`)).status).toBe(200);

    const sends = (await (await a.client.json("GET", `/api/v1/documents/${doc.id}/sends`)).json()) as { sends: Array<{ mailId: string; status: string }> };
    expect(sends.sends).toEqual([expect.objectContaining({ mailId: send.mailId, status: "sent" })]);
  });

  it("writes in English to a client whose documents are in English", async () => {
    const a = await readyAccount();
    const english = await insertClient(a.accountId, { language: "en", email: "ap@client.co.uk", name: "Client Ltd", search_name: "client ltd" });
    const doc = await issued(a, english);
    const { send } = (await (await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, {})).json()) as { send: { mailId: string } };
    const mail = await mailRow(send.mailId);
    expect(mail?.template).toBe("document.invoice.en");
    expect(mail?.bodyText).toContain("Please find attached invoice");
    expect(mail?.bodyText).not.toContain("Bonjour");
  });

  it("shows the attachment's name and size on the dev outbox page", async () => {
    const a = await readyAccount();
    const doc = await issued(a);
    await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, {});
    // The outbox page is a local dev tool (404 in tests, as in production): seen as in `npm start`.
    const html = await (await new TestClient({}, { ENVIRONMENT: "local" }).get("/dev/outbox")).text();
    expect(html).toMatch(new RegExp(`pièce jointe : ${doc.number}\\.pdf \\(\\d+ Ko\\)`));
  });

  it("refuses a draft (409), a client without email unless a recipient is typed (412), another account's document (404)", async () => {
    const a = await readyAccount();
    const draft = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${draft}/send`, {})).status).toBe(409);
    const noEmail = await insertClient(a.accountId, { email: null });
    const doc = await issued(a, noEmail);
    expect((await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, {})).status).toBe(412);
    expect((await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, { to: "Compta@Autre.fr" })).status).toBe(201);
    const other = await readyAccount();
    expect((await other.client.json("POST", `/api/v1/documents/${doc.id}/send`, {})).status).toBe(404);
  });

  it("sends nothing for a frozen account", async () => {
    const a = await readyAccount();
    const doc = await issued(a);
    await env.DB.prepare("UPDATE accounts SET frozen_at = ? WHERE id = ?").bind(Date.now(), a.accountId).run();
    await expect(sendDocument(verbCtx(a.accountId), doc.id)).rejects.toMatchObject({ code: "conflict" });
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM document_sends WHERE document_id = ?").bind(doc.id).first<{ n: number }>();
    expect(n?.n).toBe(0);
  });
});

describe("sending through Resend", () => {
  it("hands Resend the PDF, the client's address and the seller's reply-to address", async () => {
    const a = await readyAccount();
    const doc = await issued(a);
    const to = `compta-${randomId().toLowerCase()}@cliente.fr`;
    await env.DB.prepare("UPDATE clients SET email = ? WHERE id = ?").bind(to, a.clientId).run();
    const ctx = verbCtx(a.accountId);
    const send = await sendDocument({ ...ctx, config: viaResend(ctx.config) }, doc.id);
    const [email, ...more] = await resendEmailsTo(to);
    expect(more).toHaveLength(0);
    expect([email?.replyTo].flat()).toEqual(["facturation@studio-lumen.fr"]);
    expect(email?.attachments[0]?.filename).toBe(`${doc.number}.pdf`);
    expect(atob(email?.attachments[0]?.content ?? "").startsWith("%PDF")).toBe(true);
    // The mail's own id is the idempotency key: a retry of the same mail cannot send it twice.
    expect(email?.idempotencyKey).toBe(send.mailId);
    const row = await env.DB.prepare("SELECT provider, provider_message_id AS pid, body_text AS body FROM mail_log WHERE id = ?").bind(send.mailId).first();
    expect(row).toEqual({ provider: "resend", pid: email?.id, body: null });
  });

  it("records a refused send as failed and tells the user to retry; the next attempt goes through", async () => {
    const a = await readyAccount();
    const doc = await issued(a);
    const to = `compta-${randomId().toLowerCase()}@cliente.fr`;
    await env.DB.prepare("UPDATE clients SET email = ? WHERE id = ?").bind(to, a.clientId).run();
    const ctx = { ...verbCtx(a.accountId), config: viaResend(verbCtx(a.accountId).config) };
    await failNextResendSends(503);
    await expect(sendDocument(ctx, doc.id)).rejects.toMatchObject({ code: "internal" });
    const failed = await env.DB.prepare("SELECT status FROM mail_log WHERE to_address = ? ORDER BY created_at").bind(to).all<{ status: string }>();
    expect(failed.results.map((r) => r.status)).toEqual(["failed"]);
    expect(await resendEmailsTo(to)).toHaveLength(0);
    await sendDocument(ctx, doc.id);
    expect(await resendEmailsTo(to)).toHaveLength(1);
  });

  it("is refused by Resend without a valid API key, and nothing is marked sent", async () => {
    const a = await readyAccount();
    const doc = await issued(a);
    const to = `compta-${randomId().toLowerCase()}@cliente.fr`;
    await env.DB.prepare("UPDATE clients SET email = ? WHERE id = ?").bind(to, a.clientId).run();
    const ctx = verbCtx(a.accountId);
    await expect(sendDocument({ ...ctx, config: viaResend(ctx.config, "not-a-resend-key") }, doc.id)).rejects.toMatchObject({ code: "internal" });
    const rows = await env.DB.prepare("SELECT status FROM mail_log WHERE to_address = ?").bind(to).all<{ status: string }>();
    expect(rows.results.map((r) => r.status)).toEqual(["failed"]);
    expect(await resendEmailsTo(to)).toHaveLength(0);
  });
});

// ——— Webhooks ———

const SECRET = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
const app = createApp();

function postWebhook(payload: string, headers: Record<string, string>, secret: string | undefined = SECRET) {
  const bindings = { ...env, ...(secret ? { RESEND_WEBHOOK_SECRET: secret } : {}) };
  return app.fetch(new Request(`${BASE}/webhooks/resend`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload }), bindings, {
    waitUntil: () => {},
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext);
}

/** A webhook signed the way Resend (Svix) signs it, with the same library the SDK verifies with. */
function signed(type: string, emailId: string, to: string, opts: { id?: string; at?: Date; secret?: string } = {}) {
  const id = opts.id ?? `msg_${base64UrlEncode(crypto.getRandomValues(new Uint8Array(12)))}`;
  const at = opts.at ?? new Date();
  const payload = JSON.stringify({ type, created_at: at.toISOString(), data: { email_id: emailId, to: [to], subject: "x" } });
  const signature = new Webhook(opts.secret ?? SECRET).sign(id, at, payload);
  return { id, payload, headers: { "svix-id": id, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": signature } };
}

/** A mail_log row as a Resend send leaves it: provider id known, status "sent". */
async function resendMail(to: string): Promise<{ mailId: string; providerId: string }> {
  const mailId = randomId();
  const providerId = `email_${randomId()}`;
  await env.DB.prepare(
    "INSERT INTO mail_log (id, to_address, subject, template, provider, provider_message_id, status, created_at) VALUES (?, ?, 's', 'document.invoice.fr', 'resend', ?, 'sent', ?)",
  )
    .bind(mailId, to, providerId, Date.now())
    .run();
  return { mailId, providerId };
}

describe("the Resend webhook", () => {
  it("marks a send delivered on a correctly signed event", async () => {
    const to = `client-${randomId()}@example.fr`.toLowerCase();
    const { mailId, providerId } = await resendMail(to);
    const e = signed("email.delivered", providerId, to);
    const res = await postWebhook(e.payload, e.headers);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, duplicate: false });
    expect((await mailRow(mailId))?.status).toBe("delivered");
    expect(await mayEmailAutomatically(verbCtx("any").db, to)).toBe(true);
  });

  it("puts a bounced address on the suppression list, and a late 'delivered' does not hide the bounce", async () => {
    const to = `dead-${randomId()}@example.fr`.toLowerCase();
    const { mailId, providerId } = await resendMail(to);
    const bounce = signed("email.bounced", providerId, to);
    expect((await postWebhook(bounce.payload, bounce.headers)).status).toBe(200);
    expect((await mailRow(mailId))?.status).toBe("bounced");
    expect(await mayEmailAutomatically(verbCtx("any").db, to)).toBe(false);
    const late = signed("email.delivered", providerId, to);
    expect((await postWebhook(late.payload, late.headers)).status).toBe(200);
    expect((await mailRow(mailId))?.status).toBe("bounced");
  });

  it("suppresses an address that complained", async () => {
    const to = `angry-${randomId()}@example.fr`.toLowerCase();
    const { mailId, providerId } = await resendMail(to);
    const e = signed("email.complained", providerId, to);
    expect((await postWebhook(e.payload, e.headers)).status).toBe(200);
    expect((await mailRow(mailId))?.status).toBe("complained");
    const row = await env.DB.prepare("SELECT reason FROM email_suppressions WHERE address = ?").bind(to).first();
    expect(row).toEqual({ reason: "complained" });
  });

  it("refuses a forged signature (401) and changes nothing", async () => {
    const to = `forged-${randomId()}@example.fr`.toLowerCase();
    const { mailId, providerId } = await resendMail(to);
    const otherSecret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    const forged = signed("email.bounced", providerId, to, { secret: otherSecret });
    expect((await postWebhook(forged.payload, forged.headers)).status).toBe(401);
    // A genuine signature over another body does not vouch for this one either.
    const genuine = signed("email.delivered", providerId, to);
    const tampered = genuine.payload.replace("email.delivered", "email.bounced");
    expect((await postWebhook(tampered, genuine.headers)).status).toBe(401);
    expect((await mailRow(mailId))?.status).toBe("sent");
    expect(await mayEmailAutomatically(verbCtx("any").db, to)).toBe(true);
  });

  it("refuses a stale event (timestamp ten minutes old) even with a valid signature", async () => {
    const to = `stale-${randomId()}@example.fr`.toLowerCase();
    const { mailId, providerId } = await resendMail(to);
    const stale = signed("email.bounced", providerId, to, { at: new Date(Date.now() - 10 * 60_000) });
    expect((await postWebhook(stale.payload, stale.headers)).status).toBe(401);
    expect((await mailRow(mailId))?.status).toBe("sent");
  });

  it("applies a replayed event once: the second delivery is acknowledged as a duplicate", async () => {
    const to = `replay-${randomId()}@example.fr`.toLowerCase();
    const { mailId, providerId } = await resendMail(to);
    const e = signed("email.bounced", providerId, to);
    expect(await (await postWebhook(e.payload, e.headers)).json()).toEqual({ ok: true, duplicate: false });
    // The address is released by hand (support), then the same event arrives again.
    await env.DB.prepare("DELETE FROM email_suppressions WHERE address = ?").bind(to).run();
    const again = await postWebhook(e.payload, e.headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    expect(await mayEmailAutomatically(verbCtx("any").db, to)).toBe(true);
    expect((await mailRow(mailId))?.status).toBe("bounced");
  });

  it("answers 404 when no webhook secret is configured", async () => {
    const e = signed("email.delivered", "email_x", "x@example.fr");
    expect((await postWebhook(e.payload, e.headers, "")).status).toBe(404);
    expect(loadConfig(env).RESEND_WEBHOOK_SECRET).toBeUndefined();
  });
});

describe("the send form", () => {
  it("sends from the document page and comes back to it", async () => {
    const a = await readyAccount();
    const doc = await issued(a);
    const res = await a.client.postForm(`/documents/${doc.id}/envoyer`, { to: "" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/documents/${doc.id}#envoi`);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM document_sends WHERE document_id = ?").bind(doc.id).first<{ n: number }>();
    expect(n?.n).toBe(1);
  });
});
