import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runRetention } from "../../src/worker/jobs/retention";
import { LIMITS, OUTER_LIMIT, ipSubject, throttleKey } from "../../src/worker/http/throttle";
import { totpCode } from "../../src/worker/lib/crypto/totp";
import { TEST_PASSWORD, TestClient, signedUpClient, uniqueEmail } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Every throttle is one atomic statement that counts and reads back (http/throttle.ts): these are
// the concurrent bursts that a count-then-check let through (issue #14).

const statuses = (responses: Response[]) => responses.map((r) => r.status);
const tally = (codes: number[]) => codes.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

async function hitsOf(rule: keyof typeof LIMITS, subject: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT hits FROM throttles WHERE key = ?").bind(await throttleKey(rule, subject)).first<{ hits: number }>();
  return row?.hits ?? null;
}

async function withTotp() {
  const account = await signedUpClient();
  const begin = (await (await account.client.json("POST", "/api/v1/me/totp")).json()) as { secret: string };
  const now = Date.now();
  const confirm = await account.client.json("POST", "/api/v1/me/totp/confirm", { code: await totpCode(begin.secret, now) });
  if (confirm.status !== 200) throw new Error(`2FA not enabled: ${confirm.status}`);
  return { ...account, secret: begin.secret, enrolledAt: now };
}

describe("§8 secure authentication: throttles hold under concurrency", () => {
  it("200 parallel logins for one email from one IP, the right password at #150: the password is checked 10 times and nothing succeeds", async () => {
    const { email } = await signedUpClient();
    const client = new TestClient({ "cf-connecting-ip": "203.0.113.150" });
    await client.ensureCsrf();
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        // Every request carries a Turnstile token (test key, passes), so only the throttle can stop them.
        client.json("POST", "/api/v1/auth/login", { email, password: i === 149 ? TEST_PASSWORD : `wrong-password-${i}`, "cf-turnstile-response": "XXXX.DUMMY.TOKEN.XXXX" }),
      ),
    );
    const codes = statuses(burst);
    expect(codes[149]).toBe(429);
    expect(tally(codes)).toEqual({ 401: LIMITS.loginEmail.limit, 429: 200 - LIMITS.loginEmail.limit });
    expect(client.cookies.has("__Host-session")).toBe(false);
    const logged = await env.DB.prepare(
      // The burst's own rows (the sign-up helper's sign-in has no IP).
      "SELECT outcome, COUNT(*) AS n FROM connection_log WHERE ip = ? GROUP BY outcome ORDER BY outcome",
    )
      .bind("203.0.113.150")
      .all<{ outcome: string; n: number }>();
    expect(logged.results).toEqual([
      { outcome: "bad_credentials", n: LIMITS.loginEmail.limit },
      { outcome: "rate_limited", n: 200 - LIMITS.loginEmail.limit },
    ]);
  });

  it("150 parallel wrong TOTP codes on one challenge answer 429 past the limit, and the right code sent late does not get in", async () => {
    const { email, secret, enrolledAt } = await withTotp();
    const client = new TestClient({ "cf-connecting-ip": "203.0.113.151" });
    const step1 = await client.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD });
    const { challenge } = (await step1.json()) as { challenge: string };
    const right = await totpCode(secret, enrolledAt + 30_000);
    const wrong = (i: number) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, "0");
    const burst = await Promise.all(
      Array.from({ length: 150 }, (_, i) => client.json("POST", "/api/v1/auth/login/totp", { challenge, code: i === 139 ? right : wrong(i) })),
    );
    const codes = statuses(burst);
    expect(codes[139]).toBe(429);
    expect(tally(codes)).toEqual({ 401: LIMITS.loginEmail.limit, 429: 150 - LIMITS.loginEmail.limit });
    expect(client.cookies.has("__Host-session")).toBe(false);
  });

  it("recovery codes count on the same throttle: a burst of guesses is cut at the limit", async () => {
    const { email } = await withTotp();
    const client = new TestClient({ "cf-connecting-ip": "203.0.113.152" });
    const { challenge } = (await (await client.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD })).json()) as { challenge: string };
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.json("POST", "/api/v1/auth/login/totp", { challenge, code: `abcd-efgh-${String(i).padStart(4, "0")}` })),
    );
    expect(tally(statuses(burst))).toEqual({ 401: LIMITS.loginEmail.limit, 429: 40 - LIMITS.loginEmail.limit });
  });

  it("a right password is not counted as a failure: the owner signs in again and again", async () => {
    const { email } = await signedUpClient();
    const client = new TestClient({ "cf-connecting-ip": "203.0.113.153" });
    for (let i = 0; i < LIMITS.loginEmail.limit + 2; i++) {
      expect((await client.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD })).status).toBe(200);
    }
    expect(await hitsOf("loginEmail", email)).toBe(0);
  });

  it("30 parallel password-reset requests for one address send exactly the allowed emails", async () => {
    const { email } = await signedUpClient();
    const client = new TestClient({ "cf-connecting-ip": "203.0.113.154" });
    await client.ensureCsrf();
    const burst = await Promise.all(Array.from({ length: 30 }, () => client.json("POST", "/api/v1/auth/password/forgot", { email })));
    expect(tally(statuses(burst))).toEqual({ 202: LIMITS.resetEmail.limit, 429: 30 - LIMITS.resetEmail.limit });
    const sent = await env.DB.prepare("SELECT COUNT(*) AS n FROM mail_log WHERE to_address = ? AND template = 'reset_password'").bind(email).first<{ n: number }>();
    expect(sent?.n).toBe(LIMITS.resetEmail.limit);
    // An unknown address is throttled the same way: a 429 says nothing about who has an account.
    const unknown = uniqueEmail("nobody");
    const other = new TestClient({ "cf-connecting-ip": "203.0.113.155" });
    const codes = statuses(await Promise.all(Array.from({ length: 8 }, () => other.json("POST", "/api/v1/auth/password/forgot", { email: unknown }))));
    expect(tally(codes)).toEqual({ 202: LIMITS.resetEmail.limit, 429: 8 - LIMITS.resetEmail.limit });
  });

  it("current-password checks share one per-user throttle: change, 2FA off and closure are refused past the limit, even with the right password", async () => {
    const { client, userId } = await signedUpClient();
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.json("POST", "/api/v1/me/password", {
          current: i === 15 ? TEST_PASSWORD : `not-the-password-${i}`,
          password: "a brand new passphrase 2026",
          confirm: "a brand new passphrase 2026",
        }),
      ),
    );
    const codes = statuses(burst);
    expect(codes[15]).toBe(429);
    expect(tally(codes)).toEqual({ 400: LIMITS.passwordCheck.limit, 429: 20 - LIMITS.passwordCheck.limit });
    expect(await hitsOf("passwordCheck", userId)).toBe(20);
    // The other checks of the current password are behind the same counter.
    expect((await client.json("POST", "/api/v1/me/totp/disable", { current: TEST_PASSWORD })).status).toBe(429);
    const closure = await client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "SUPPRIMER" });
    expect(closure.status).toBe(429);
  });

  it("a right current password gives its hit back", async () => {
    const { client, userId } = await signedUpClient();
    const res = await client.json("POST", "/api/v1/me/password", { current: TEST_PASSWORD, password: "another good passphrase", confirm: "another good passphrase" });
    expect(res.status).toBe(204);
    expect(await hitsOf("passwordCheck", userId)).toBe(0);
  });

  it(`70 parallel sends of documents by one account: ${LIMITS.documentSend.limit} emails leave, the rest answer 429`, async () => {
    const a = await readyAccount();
    // Past the new-account quota (features/sending/gate.ts): only the hourly limit of every account applies.
    await env.DB.prepare("UPDATE accounts SET created_at = ? WHERE id = ?").bind(Date.now() - 40 * 86_400_000, a.accountId).run();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    const burst = await Promise.all(Array.from({ length: 70 }, () => a.client.json("POST", `/api/v1/documents/${id}/send`, {})));
    expect(tally(statuses(burst))).toEqual({ 201: LIMITS.documentSend.limit, 429: 70 - LIMITS.documentSend.limit });
    const sent = await env.DB.prepare("SELECT COUNT(*) AS n FROM document_sends WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(sent?.n).toBe(LIMITS.documentSend.limit);
  });
});

describe("§8 secure authentication: the outer layer (Rate Limiting binding)", () => {
  it(`lets ${OUTER_LIMIT.limit} auth posts per IP and minute reach the Worker's own throttles, and answers 429 to the rest without touching D1`, async () => {
    const ip = "203.0.113.200";
    const client = new TestClient({ "cf-connecting-ip": ip });
    await client.ensureCsrf();
    const burst = await Promise.all(
      Array.from({ length: OUTER_LIMIT.limit + 20 }, () => client.json("POST", "/api/v1/auth/password/forgot", { email: uniqueEmail("flood") })),
    );
    expect(statuses(burst).every((s) => s === 202 || s === 429)).toBe(true);
    // Only the requests the outer layer let through were counted by the D1 throttle of that IP.
    expect(await hitsOf("resetIp", ip)).toBe(OUTER_LIMIT.limit);
  });
});

describe("throttle rows", () => {
  it("count an IPv6 client by its /64", () => {
    expect(ipSubject("2001:db8:85a3:12::1")).toBe("2001:db8:85a3:12::/64");
    expect(ipSubject("2001:0db8:85a3:0012:ffff:0:0:2")).toBe("2001:db8:85a3:12::/64");
    expect(ipSubject("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(ipSubject("198.51.100.7")).toBe("198.51.100.7");
  });

  it("keep no email or IP in clear and are purged by the retention cron once their window closed", async () => {
    const email = uniqueEmail("purge");
    const client = new TestClient({ "cf-connecting-ip": "203.0.113.201" });
    await client.json("POST", "/api/v1/auth/login", { email, password: "whatever-password" });
    const key = await throttleKey("loginEmail", email);
    const row = await env.DB.prepare("SELECT key FROM throttles WHERE key = ?").bind(key).first<{ key: string }>();
    expect(row?.key).not.toContain(email);
    const later = Date.now() + Math.max(...Object.values(LIMITS).map((l) => l.windowMs)) + 1000;
    await runRetention(env, later);
    expect(await env.DB.prepare("SELECT key FROM throttles WHERE key = ?").bind(key).first()).toBeNull();
  });
});
