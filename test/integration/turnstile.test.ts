import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/worker/config";
import { CAPTCHA_AFTER } from "../../src/worker/features/auth/verbs";
import { throttleKey } from "../../src/worker/http/throttle";
import { isAllowedHost } from "../../src/worker/lib/outbound";
import { TURNSTILE_FIELD, TURNSTILE_TEST_KEYS } from "../../src/worker/lib/turnstile";
import { TEST_PASSWORD, TestClient, signedUpClient } from "../helpers/client";

declare module "vitest" {
  export interface ProvidedContext {
    turnstileStandinUrl: string;
  }
}

const STANDIN = inject("turnstileStandinUrl");
type ApiError = { error: { code: string; message: string; fields?: Record<string, string> } };

async function failTimes(client: TestClient, email: string, n: number) {
  for (let i = 0; i < n; i++) expect((await client.json("POST", "/api/v1/auth/login", { email, password: `wrong-password-${i}` })).status).toBe(401);
}

const hitsOf = async (email: string) =>
  (await env.DB.prepare("SELECT hits FROM throttles WHERE key = ?").bind(await throttleKey("loginEmail", email)).first<{ hits: number }>())?.hits;

describe("§8 secure authentication: a bot check (Turnstile) after repeated failures", () => {
  it(`asks API clients for a Turnstile token after ${CAPTCHA_AFTER} failures, even with the right password, without checking the password`, async () => {
    const { email } = await signedUpClient();
    const client = new TestClient({ "cf-connecting-ip": "203.0.113.60" });
    await failTimes(client, email, CAPTCHA_AFTER);
    const res = await client.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD });
    expect(res.status).toBe(401);
    const body = (await res.json()) as ApiError;
    expect(body.error.code).toBe("captcha_required");
    expect(body.error.message).toContain("robot");
    expect(client.cookies.has("__Host-session")).toBe(false);
    // Refused before the password work: the attempt is not counted as a failure.
    expect(await hitsOf(email)).toBe(CAPTCHA_AFTER);
    // The owner, with a token from the widget, gets in: slowed, not locked out.
    const token = `XXXX.DUMMY.TOKEN.XXXX-${crypto.randomUUID()}`;
    const ok = await client.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD, [TURNSTILE_FIELD]: token });
    expect(ok.status).toBe(200);
    // The token was checked by siteverify (the stand-in), with the client's IP, through the outbound guard.
    const seen = (await (await fetch(`${STANDIN}/_sim/requests`)).json()) as Array<{ response: string; remoteip: string | null }>;
    expect(seen.filter((r) => r.response === token)).toEqual([{ response: token, remoteip: "203.0.113.60", at: expect.any(Number) }]);
  });

  it("shows the real widget on the login page from the failure that reaches the threshold, under the CSP nonce", async () => {
    const { email } = await signedUpClient();
    const client = new TestClient();
    for (let i = 0; i < CAPTCHA_AFTER - 1; i++) {
      const page = await client.postForm("/connexion", { email, password: `wrong-password-${i}` });
      expect(await page.text()).not.toContain("cf-turnstile");
    }
    const third = await client.postForm("/connexion", { email, password: "wrong-password-x" });
    expect(third.status).toBe(401);
    const html = await third.text();
    const csp = third.headers.get("content-security-policy") ?? "";
    const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
    expect(html).toContain(`class="cf-turnstile" data-sitekey="${TURNSTILE_TEST_KEYS.site}"`);
    expect(html).toContain(`<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer nonce="${nonce}">`);
    expect(html).toContain("Après un nouvel échec, une vérification anti-robot sera demandée.");
    expect(csp).toMatch(/frame-src 'self' https:\/\/challenges\.cloudflare\.com/);

    // The next post without the widget's token: the French message, the widget again, nothing checked.
    const fourth = await client.postForm("/connexion", { email, password: TEST_PASSWORD });
    expect(fourth.status).toBe(401);
    const again = await fourth.text();
    expect(again).toContain("confirmez que vous n'êtes pas un robot");
    expect(again).toContain("cf-turnstile");
    const withToken = await client.postForm("/connexion", { email, password: TEST_PASSWORD, [TURNSTILE_FIELD]: "XXXX.DUMMY.TOKEN.XXXX" });
    expect(withToken.status).toBe(303);
  });

  it("refuses a token siteverify rejects (Cloudflare's always-fail test secret) and fails closed when siteverify answers an error", async () => {
    const { email } = await signedUpClient();
    await failTimes(new TestClient(), email, CAPTCHA_AFTER);
    const failing = new TestClient({}, { TURNSTILE_SECRET_KEY: "2x0000000000000000000000000000000AA" });
    const res = await failing.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD, [TURNSTILE_FIELD]: "XXXX.DUMMY.TOKEN.XXXX" });
    expect(res.status).toBe(401);
    const body = (await res.json()) as ApiError;
    expect(body.error.code).toBe("captcha_required");
    expect(body.error.message).toBe("La vérification anti-robot a échoué. Réessayez.");
    // A 404 from the service (an outage, a moved endpoint) is a refusal, never a pass.
    const unreachable = new TestClient({}, { TURNSTILE_VERIFY_URL: `${STANDIN}/turnstile/v0/gone` });
    const down = await unreachable.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD, [TURNSTILE_FIELD]: "XXXX.DUMMY.TOKEN.XXXX" });
    expect(((await down.json()) as ApiError).error.code).toBe("captcha_required");
    expect(failing.cookies.has("__Host-session") || unreachable.cookies.has("__Host-session")).toBe(false);
  });

  it("a right password clears nothing for others: the count is per email", async () => {
    const a = await signedUpClient();
    const b = await signedUpClient();
    const client = new TestClient();
    await failTimes(client, a.email, CAPTCHA_AFTER);
    expect((await client.json("POST", "/api/v1/auth/login", { email: b.email, password: TEST_PASSWORD })).status).toBe(200);
  });
});

describe("Turnstile configuration", () => {
  it("uses Cloudflare's test keys locally and refuses them in production", () => {
    const config = loadConfig({ ...env });
    expect(config.TURNSTILE_SITE_KEY).toBe(TURNSTILE_TEST_KEYS.site);
    expect(config.TURNSTILE_SECRET_KEY).toBe(TURNSTILE_TEST_KEYS.secret);
    const production = { ...env, ENVIRONMENT: "production", RESEND_API_KEY: "re_test" };
    expect(() => loadConfig({ ...production, TURNSTILE_SECRET_KEY: TURNSTILE_TEST_KEYS.secret })).toThrow(/TURNSTILE_SECRET_KEY/);
    expect(() => loadConfig({ ...production })).toThrow(/TURNSTILE_SECRET_KEY/);
  });

  it("lets production reach only Cloudflare's siteverify host, never the local stand-in", () => {
    expect(isAllowedHost("challenges.cloudflare.com", "production")).toBe(true);
    expect(isAllowedHost("127.0.0.1", "production")).toBe(false);
  });
});
