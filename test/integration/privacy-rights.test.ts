import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/worker/app";
import { loadConfig } from "../../src/worker/config";
import { directoryDb } from "../../src/worker/db/client";
import { CURRENT_POLICY } from "../../src/worker/features/privacy/policy";
import { MARKETING_WORDING, marketingMail, measurementAllowed, unsubscribeToken } from "../../src/worker/features/privacy/marketing";
import { dueDateOf, recordRightsRequest } from "../../src/worker/features/privacy/rights";
import { totpCode } from "../../src/worker/lib/crypto/totp";
import { BASE, TEST_PASSWORD, TestClient, signedUpClient } from "../helpers/client";
import { createDraftVia, draftBody, insertClient, readyAccount } from "../helpers/invoicing";
import { resendEmailsTo, viaResend } from "../helpers/resend";

// PRIVACY.md §4, §9.3, §9.4, §9.6, §9.7, §9.8, §11: the user's rights besides export, each proven
// through the pages and routes a person (or a mail provider) actually uses.

const one = <T>(sql: string, ...binds: unknown[]) => env.DB.prepare(sql).bind(...binds).first<T>();
const countOf = async (sql: string, ...binds: unknown[]) => (await one<{ n: number }>(sql, ...binds))?.n ?? 0;
const config = () => loadConfig(env);

type Account = Awaited<ReturnType<typeof readyAccount>>;

async function issueInvoice(a: Account, clientId = a.clientId): Promise<string> {
  const id = await createDraftVia(a.client, draftBody(clientId));
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return id;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("§9.3 erasure: closing the account", () => {
  it("§6 export offered at termination: the closure page offers the export first, then lists what is deleted and what stays with its legal ground", async () => {
    const a = await readyAccount();
    await issueInvoice(a);
    const html = await (await a.client.get("/mes-donnees/cloture")).text();
    const exportAt = html.indexOf('href="/mes-donnees/exports"');
    const formAt = html.indexOf('action="/mes-donnees/cloture"');
    expect(exportAt).toBeGreaterThan(0);
    expect(exportAt).toBeLessThan(formAt);
    const kept = html.slice(html.indexOf('data-closure="kept"'), formAt);
    expect(kept).toContain("L123-22");
    expect(kept).toContain("L102 B");
    expect(kept).toContain("(1)"); // the one issued invoice
    expect(html.slice(html.indexOf('data-closure="deleted"'), html.indexOf('data-closure="kept"'))).toContain("Les brouillons (0)");
  });

  it("refuses a wrong password or a missing confirmation, and deletes nothing", async () => {
    const a = await readyAccount();
    const wrong = await a.client.postForm("/mes-donnees/cloture", { password: "not my password", confirmation: "SUPPRIMER" });
    expect(wrong.status).toBe(400);
    const noPhrase = await a.client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "oui" });
    expect(noPhrase.status).toBe(400);
    expect(await noPhrase.text()).toContain("SUPPRIMER");
    expect(await countOf("SELECT COUNT(*) AS n FROM users WHERE id = ?", a.userId)).toBe(1);
    expect(await countOf("SELECT COUNT(*) AS n FROM accounts WHERE id = ? AND closed_at IS NULL", a.accountId)).toBe(1);
  });

  it("erases every personal datum not under legal hold and keeps exactly the sealed accounting records", async () => {
    const a = await readyAccount();
    const spare = await insertClient(a.accountId, { name: "Client jamais facturé", email: "jamais@client.fr" });
    const invoiceId = await issueInvoice(a);
    const draftId = await createDraftVia(a.client, draftBody(spare));
    expect((await a.client.json("POST", "/api/v1/products", { name: "Audit", unitPriceCents: 50_000, unitCode: "C62", vatCategory: "S", vatRateBp: 2000, kind: "service" })).status).toBe(201);
    const send = await a.client.json("POST", `/api/v1/documents/${invoiceId}/send`, {});
    expect(send.status).toBe(201);
    await a.client.postForm("/mes-donnees/demandes", { type: "access", message: "Une copie de mes données, svp." });
    const invoice = (await one<{ pdf_key: string; xml_key: string }>("SELECT pdf_key, xml_key FROM documents WHERE id = ?", invoiceId))!;

    const res = await a.client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "SUPPRIMER" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("L123-22");

    // Gone: the person, their traces, and business data no law requires.
    const gone: Array<[string, string]> = [
      ["SELECT COUNT(*) AS n FROM users WHERE id = ?", a.userId],
      ["SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?", a.userId],
      ["SELECT COUNT(*) AS n FROM memberships WHERE user_id = ?", a.userId],
      ["SELECT COUNT(*) AS n FROM connection_log WHERE user_id = ?", a.userId],
      ["SELECT COUNT(*) AS n FROM auth_tokens WHERE user_id = ?", a.userId],
      ["SELECT COUNT(*) AS n FROM policy_acknowledgements WHERE user_id = ?", a.userId],
      ["SELECT COUNT(*) AS n FROM mail_log WHERE user_id = ? OR account_id = ?", a.userId],
      ["SELECT COUNT(*) AS n FROM products WHERE account_id = ?", a.accountId],
      ["SELECT COUNT(*) AS n FROM access_log WHERE account_id = ?", a.accountId],
      ["SELECT COUNT(*) AS n FROM document_sends WHERE account_id = ?", a.accountId],
      ["SELECT COUNT(*) AS n FROM documents WHERE account_id = ? AND status = 'draft'", a.accountId],
      ["SELECT COUNT(*) AS n FROM documents WHERE account_id = ? AND public_token_hash IS NOT NULL", a.accountId],
    ];
    for (const [sql, id] of gone) {
      const binds = sql.includes("OR account_id") ? [id, a.accountId] : [id];
      expect(await countOf(sql, ...binds), sql).toBe(0);
    }
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", draftId)).toBe(0);
    expect(await countOf("SELECT COUNT(*) AS n FROM clients WHERE id = ?", spare)).toBe(0);

    // Kept: the issued invoice with its files, the issue log, the client it names, the seller identity.
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE account_id = ? AND status != 'draft'", a.accountId)).toBe(1);
    expect(await env.FILES.head(invoice.pdf_key)).not.toBeNull();
    expect(await env.FILES.head(invoice.xml_key)).not.toBeNull();
    expect(await countOf("SELECT COUNT(*) AS n FROM issue_log WHERE account_id = ?", a.accountId)).toBe(1);
    expect(await countOf("SELECT COUNT(*) AS n FROM clients WHERE account_id = ?", a.accountId)).toBe(1);
    const account = await one<Record<string, unknown>>(
      "SELECT name, siret, contact_email, phone, iban_sealed, bic_sealed, frozen_at, closed_at FROM accounts WHERE id = ?",
      a.accountId,
    );
    expect(account).toMatchObject({ name: "Studio Lumen", siret: "12345678200010", contact_email: null, phone: null, iban_sealed: null, bic_sealed: null });
    expect(account?.frozen_at).toEqual(expect.any(Number));
    expect(account?.closed_at).toEqual(expect.any(Number));
    // The proof that the erasure was answered, and the earlier request, stay (§9.8).
    expect(await countOf("SELECT COUNT(*) AS n FROM rights_requests WHERE account_id = ? AND type = 'erasure' AND status = 'answered'", a.accountId)).toBe(1);

    // Sealed: no session survives and nobody can sign in.
    expect((await a.client.get("/tableau-de-bord")).status).toBe(303);
    const login = await new TestClient().postForm("/connexion", { email: a.email, password: TEST_PASSWORD });
    expect(login.status).not.toBe(303);
  });

  it("requires a fresh two-factor code when 2FA is on", async () => {
    const a = await signedUpClient();
    const begin = (await (await a.client.json("POST", "/api/v1/me/totp")).json()) as { secret: string };
    const now = Date.now();
    expect((await a.client.json("POST", "/api/v1/me/totp/confirm", { code: await totpCode(begin.secret, now) })).status).toBe(200);
    const page = await (await a.client.get("/mes-donnees/cloture")).text();
    expect(page).toContain('name="code"');
    const noCode = await a.client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "SUPPRIMER" });
    expect(noCode.status).toBe(400);
    // The enrolment code's time step was used: a replay is refused.
    const replay = await a.client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "SUPPRIMER", code: await totpCode(begin.secret, now) });
    expect(replay.status).toBe(400);
    expect(await countOf("SELECT COUNT(*) AS n FROM users WHERE id = ?", a.userId)).toBe(1);
    const ok = await a.client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "DELETE", code: await totpCode(begin.secret, now + 30_000) });
    expect(ok.status).toBe(200);
    expect(await countOf("SELECT COUNT(*) AS n FROM users WHERE id = ?", a.userId)).toBe(0);
  });
});

describe("§9.3 bad input: erasing data under legal hold", () => {
  it("records an erasure request, answers with the legal-hold explanation, and loses nothing", async () => {
    const a = await readyAccount();
    const invoiceId = await issueInvoice(a);
    const res = await a.client.postForm("/mes-donnees/demandes", { type: "erasure", message: "Effacez la facture F-1 et tout le reste." });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-legal-hold="true"');
    expect(html).toContain("L123-22");
    expect(await countOf("SELECT COUNT(*) AS n FROM rights_requests WHERE account_id = ? AND type = 'erasure' AND status = 'open'", a.accountId)).toBe(1);
    // The document itself cannot be deleted, by the API or by the database.
    expect((await a.client.json("DELETE", `/api/v1/documents/${invoiceId}`)).status).toBeGreaterThanOrEqual(400);
    await expect(env.DB.prepare("DELETE FROM documents WHERE id = ?").bind(invoiceId).run()).rejects.toThrow(/document_frozen/);
    expect(await countOf("SELECT COUNT(*) AS n FROM documents WHERE id = ?", invoiceId)).toBe(1);
  });

  it("shows no legal-hold notice when nothing is held", async () => {
    const a = await signedUpClient();
    const html = await (await a.client.postForm("/mes-donnees/demandes", { type: "erasure", message: "Tout effacer." })).text();
    expect(html).not.toContain('data-legal-hold="true"');
  });
});

describe("§9.4 restriction: freeze and unfreeze", () => {
  it("freezes with a recorded reason, shows a banner, refuses sending, and sends again once unfrozen", async () => {
    const a = await readyAccount();
    const invoiceId = await issueInvoice(a);
    expect((await a.client.postForm("/mes-donnees/restriction", { reason: "" })).status).toBe(400);
    const freeze = await a.client.postForm("/mes-donnees/restriction", { reason: "Je conteste l'exactitude de mes données." });
    expect(freeze.status).toBe(303);
    const row = await one<{ frozen_at: number | null }>("SELECT frozen_at FROM accounts WHERE id = ?", a.accountId);
    expect(row?.frozen_at).toEqual(expect.any(Number));
    const log = await one<{ reason: string; at: number }>("SELECT reason, at FROM account_restrictions WHERE account_id = ? AND action = 'freeze'", a.accountId);
    expect(log).toEqual({ reason: "Je conteste l'exactitude de mes données.", at: row?.frozen_at });
    expect(await (await a.client.get("/tableau-de-bord")).text()).toContain('data-frozen-banner="true"');
    expect((await a.client.postForm("/mes-donnees/restriction", { reason: "encore" })).status).toBe(409);

    const refused = await a.client.json("POST", `/api/v1/documents/${invoiceId}/send`, {});
    expect(refused.status).toBe(409);
    expect(await countOf("SELECT COUNT(*) AS n FROM document_sends WHERE account_id = ?", a.accountId)).toBe(0);

    expect((await a.client.postForm("/mes-donnees/restriction/degeler", {})).status).toBe(303);
    expect((await one<{ frozen_at: number | null }>("SELECT frozen_at FROM accounts WHERE id = ?", a.accountId))?.frozen_at).toBeNull();
    expect(await (await a.client.get("/tableau-de-bord")).text()).not.toContain('data-frozen-banner="true"');
    expect((await a.client.json("POST", `/api/v1/documents/${invoiceId}/send`, {})).status).toBe(201);
    expect(await countOf("SELECT COUNT(*) AS n FROM account_restrictions WHERE account_id = ?", a.accountId)).toBe(2);
  });
});

describe("§4 and §9.7 marketing: consent off by default, withdrawable in one click", () => {
  it("is off at sign-up and shows the exact wording in the settings", async () => {
    const a = await signedUpClient();
    expect(await one("SELECT marketing_opt_in_at AS at, marketing_wording_version AS v FROM users WHERE id = ?", a.userId)).toEqual({ at: null, v: null });
    const html = await (await a.client.get("/parametres/confidentialite")).text();
    // The sentence the user ticks, word for word (apostrophes may be escaped in HTML).
    expect(html.replace(/&#39;|&apos;/g, "'")).toContain(MARKETING_WORDING.text.fr);
    expect(html).not.toMatch(/name="marketing"[^>]*checked/);
  });

  it("records the time and wording version of an opt-in, and refuses marketing without it", async () => {
    const a = await signedUpClient();
    await expect(marketingMail(config(), directoryDb(env), a.userId, { subject: "Nouveautés", text: "…", template: "marketing.news" }, "desabonnement@factumo.fr")).rejects.toThrow(
      /consent/,
    );
    const before = Date.now();
    expect((await a.client.postForm("/parametres/confidentialite", { marketing: "on" })).status).toBe(303);
    const row = await one<{ at: number; v: string }>("SELECT marketing_opt_in_at AS at, marketing_wording_version AS v FROM users WHERE id = ?", a.userId);
    expect(row?.v).toBe(MARKETING_WORDING.version);
    expect(row?.at).toBeGreaterThanOrEqual(before);
    // Saving again does not move the consent time.
    await a.client.postForm("/parametres/confidentialite", { marketing: "on" });
    expect((await one<{ at: number }>("SELECT marketing_opt_in_at AS at FROM users WHERE id = ?", a.userId))?.at).toBe(row?.at);
    // Unticking withdraws.
    await a.client.postForm("/parametres/confidentialite", {});
    expect((await one<{ at: number | null }>("SELECT marketing_opt_in_at AS at FROM users WHERE id = ?", a.userId))?.at).toBeNull();
  });

  it("sends a marketing email with RFC 8058 one-click unsubscribe headers that work without a session", async () => {
    const a = await signedUpClient();
    await a.client.postForm("/parametres/confidentialite", { marketing: "on" });
    await marketingMail(viaResend(config()), directoryDb(env), a.userId, { subject: "Nouveautés", text: "Bonjour", template: "marketing.news" }, "desabonnement@factumo.fr");
    const calls = await resendEmailsTo(a.email);
    expect(calls).toHaveLength(1);
    const headers = calls[0]?.headers ?? {};
    const token = await unsubscribeToken(config(), a.userId);
    expect(headers["List-Unsubscribe"]).toBe(`<http://localhost:8787/desabonnement/${token}>, <mailto:desabonnement@factumo.fr?subject=unsubscribe%20${a.userId}>`);
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(calls[0]?.text).toContain(`/desabonnement/${token}`);

    // A link prefetcher's GET changes nothing; the page asks.
    const stranger = new TestClient();
    expect((await stranger.get(`/desabonnement/${token}`)).status).toBe(200);
    expect((await one<{ at: number | null }>("SELECT marketing_opt_in_at AS at FROM users WHERE id = ?", a.userId))?.at).not.toBeNull();
    // The provider's one-click POST: no cookie, no CSRF token.
    const post = await stranger.fetch(`/desabonnement/${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(post.status).toBe(200);
    expect((await one<{ at: number | null }>("SELECT marketing_opt_in_at AS at FROM users WHERE id = ?", a.userId))?.at).toBeNull();
  });

  it("refuses a forged unsubscribe token", async () => {
    const a = await signedUpClient();
    await a.client.postForm("/parametres/confidentialite", { marketing: "on" });
    const token = await unsubscribeToken(config(), a.userId);
    const forged = `${a.userId}.${"A".repeat(token.length - a.userId.length - 1)}`;
    const res = await new TestClient().fetch(`/desabonnement/${forged}`, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(404);
    expect((await one<{ at: number | null }>("SELECT marketing_opt_in_at AS at FROM users WHERE id = ?", a.userId))?.at).not.toBeNull();
  });

  it("sends no marketing to a frozen account even with consent", async () => {
    const a = await signedUpClient();
    await a.client.postForm("/parametres/confidentialite", { marketing: "on" });
    await a.client.postForm("/mes-donnees/restriction", { reason: "pause" });
    await expect(marketingMail(config(), directoryDb(env), a.userId, { subject: "x", text: "x", template: "marketing.news" }, "d@factumo.fr")).rejects.toThrow(/restricted/);
  });
});

describe("§9.6 objection: product analytics", () => {
  it("lets the objection win over a cookie consent to performance measurement", async () => {
    expect(measurementAllowed({ performance: true, functional: false }, null)).toBe(true);
    expect(measurementAllowed({ performance: true, functional: true }, Date.now())).toBe(false);
    expect(measurementAllowed({ performance: false, functional: true }, null)).toBe(false);
    expect(measurementAllowed(null, null)).toBe(false);

    const a = await signedUpClient();
    expect((await a.client.postForm("/cookies", { action: "accept_all" })).status).toBe(303);
    const measured = async () => ((await (await a.client.json("GET", "/api/v1/me/privacy")).json()) as { analytics: { measured: boolean; optedOut: boolean } }).analytics;
    expect(await measured()).toEqual({ measured: true, optedOut: false });
    await a.client.postForm("/parametres/confidentialite", { analyticsOptOut: "on" });
    expect(await measured()).toEqual({ measured: false, optedOut: true });
    await a.client.postForm("/parametres/confidentialite", {});
    expect(await measured()).toEqual({ measured: true, optedOut: false });
  });
});

describe("§9.8 rights requests: recorded with a one-month due date, seen by the operator", () => {
  it("computes the due date one calendar month after receipt", () => {
    expect(dueDateOf(Date.UTC(2027, 0, 31, 12))).toBe(Date.UTC(2027, 1, 28, 12));
    expect(dueDateOf(Date.UTC(2026, 10, 26, 9))).toBe(Date.UTC(2026, 11, 26, 9));
  });

  it("records a request from the form with its due date and lists it to its author", async () => {
    const a = await signedUpClient();
    const before = Date.now();
    const res = await a.client.postForm("/mes-donnees/demandes", { type: "rectification", message: "Mon nom est mal orthographié." });
    expect(res.status).toBe(200);
    const row = await one<{ email: string; created_at: number; due_at: number; status: string; channel: string }>(
      "SELECT email, created_at, due_at, status, channel FROM rights_requests WHERE account_id = ? AND type = 'rectification'",
      a.accountId,
    );
    expect(row).toMatchObject({ email: a.email, status: "open", channel: "form" });
    expect(row!.created_at).toBeGreaterThanOrEqual(before);
    expect(row!.due_at).toBe(dueDateOf(row!.created_at));
    expect((await a.client.postForm("/mes-donnees/demandes", { type: "teleportation", message: "x" })).status).toBe(400);
  });

  it("shows open requests only to an operator, oldest due first, overdue ones highlighted, and closes them", async () => {
    const operator = await signedUpClient();
    const user = await signedUpClient();
    expect((await user.client.get("/operateur/demandes")).status).toBe(403);

    const db = directoryDb(env);
    const old = await recordRightsRequest(db, { accountId: null, email: "ancien@example.fr", type: "access", message: "Reçu par email il y a longtemps", channel: "email", receivedAt: Date.now() - 40 * 86_400_000 });
    const fresh = await recordRightsRequest(db, { accountId: null, email: "recent@example.fr", type: "objection", message: "Reçu aujourd'hui", channel: "email", receivedAt: Date.now() });

    await env.DB.prepare("UPDATE users SET email_verified_at = ? WHERE id = ?").bind(Date.now(), operator.userId).run();
    const app = createApp();
    const asOperator = async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("cookie", [...operator.client.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(`${BASE}${path}`, { ...init, headers, redirect: "manual" }), { ...env, OPERATOR_EMAILS: ` other@factumo.fr, ${operator.email.toUpperCase()} ` }, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const html = await (await asOperator("/operateur/demandes")).text();
    expect(html.indexOf(`data-request-id="${old.id}"`)).toBeGreaterThan(0);
    expect(html.indexOf(`data-request-id="${old.id}"`)).toBeLessThan(html.indexOf(`data-request-id="${fresh.id}"`));
    expect(html).toMatch(new RegExp(`data-request-id="${old.id}" data-overdue="true"`));
    expect(html).toMatch(new RegExp(`data-request-id="${fresh.id}" data-overdue="false"`));

    const csrf = operator.client.csrf!;
    const close = await asOperator(`/operateur/demandes/${old.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, status: "answered" }),
    });
    expect(close.status).toBe(303);
    expect(await one("SELECT status, answered_at IS NOT NULL AS done FROM rights_requests WHERE id = ?", old.id)).toEqual({ status: "answered", done: 1 });
    expect(await (await asOperator("/operateur/demandes")).text()).not.toContain(`data-request-id="${old.id}"`);

    // A request received by email is recorded by the operator, due a month after its receipt.
    const recorded = await asOperator("/operateur/demandes", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, email: "courrier@example.fr", receivedOn: "2026-11-20", type: "portability", message: "Par email" }),
    });
    expect(recorded.status).toBe(303);
    expect(await one("SELECT channel, due_at FROM rights_requests WHERE email = 'courrier@example.fr'")).toEqual({ channel: "email", due_at: Date.UTC(2026, 11, 20, 12) });
  });
});

describe("§11 policy versioning: sign-up records the version accepted", () => {
  it("records the policy version in force at sign-up, so no notice shows until a newer one", async () => {
    const a = await signedUpClient();
    expect(await one("SELECT version FROM policy_acknowledgements WHERE user_id = ?", a.userId)).toEqual({ version: CURRENT_POLICY.version });
    expect(await (await a.client.get("/tableau-de-bord")).text()).not.toContain("policy-notice");
  });
});
