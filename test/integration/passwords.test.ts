import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { isCommonPassword } from "../../src/worker/lib/pwned-passwords";
import { isAllowedHost } from "../../src/worker/lib/outbound";
import { TEST_PASSWORD, TestClient, lastMailTo, signedUpClient, tokenFromMail, uniqueEmail } from "../helpers/client";

declare module "vitest" {
  export interface ProvidedContext {
    pwnedStandinUrl: string;
  }
}

const STANDIN = inject("pwnedStandinUrl");
// In the stand-in's breach corpus (test/stand-ins/pwned-server.mjs), not in the bundled list.
const BREACHED = "breached password 2026";
// In the bundled list (10+ characters, among the most used), whatever the service says.
const COMMON = "qwertyuiop";
const MESSAGE = "Ce mot de passe est trop courant ou figure dans une fuite de données connue";
type ApiError = { error: { code: string; message: string; fields?: Record<string, string> } };

const sha1 = async (s: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(s)))].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();

describe("§8 secure authentication: breached and common passwords are refused", () => {
  it("refuses a breached password at sign-up (API and form) with a stable code and a French message, and creates nothing", async () => {
    const email = uniqueEmail("breached");
    const client = new TestClient();
    const res = await client.json("POST", "/api/v1/auth/signup", { name: "Camille", email, password: BREACHED, companyName: "Camille SARL", acceptTerms: true });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ApiError;
    expect(body.error.code).toBe("password_compromised");
    expect(body.error.fields?.password).toContain(MESSAGE);
    const form = await client.postForm("/inscription", { name: "Camille", email, password: BREACHED, companyName: "Camille SARL", acceptTerms: "on" });
    expect(form.status).toBe(400);
    expect(await form.text()).toContain(MESSAGE);
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
  });

  it("sends only the first 5 hex characters of the SHA-1, with Add-Padding", async () => {
    const email = uniqueEmail("kanon");
    const password = `a fine passphrase ${crypto.randomUUID()}`;
    expect((await new TestClient().json("POST", "/api/v1/auth/signup", { name: "Camille", email, password, companyName: "Camille SARL", acceptTerms: true })).status).toBe(202);
    const hash = await sha1(password);
    const seen = (await (await fetch(`${STANDIN}/_sim/requests`)).json()) as Array<{ prefix: string; padding: boolean }>;
    const mine = seen.filter((r) => r.prefix.toUpperCase() === hash.slice(0, 5));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.every((r) => r.prefix.length === 5 && r.padding)).toBe(true);
  });

  it("refuses a breached password at reset (the link stays usable) and at change", async () => {
    const { client, email } = await signedUpClient();
    const other = new TestClient();
    expect((await other.json("POST", "/api/v1/auth/password/forgot", { email })).status).toBe(202);
    const token = tokenFromMail((await lastMailTo(email)).bodyText);
    const reset = await other.json("POST", "/api/v1/auth/password/reset", { token, password: BREACHED, confirm: BREACHED });
    expect(reset.status).toBe(400);
    expect(((await reset.json()) as ApiError).error.code).toBe("password_compromised");
    // The link was not used up by the refusal.
    expect((await other.json("POST", "/api/v1/auth/password/reset", { token, password: "a new and fine passphrase", confirm: "a new and fine passphrase" })).status).toBe(204);

    const login = await client.json("POST", "/api/v1/auth/login", { email, password: "a new and fine passphrase" });
    expect(login.status).toBe(200);
    const change = await client.json("POST", "/api/v1/me/password", { current: "a new and fine passphrase", password: BREACHED, confirm: BREACHED });
    expect(change.status).toBe(400);
    expect(((await change.json()) as ApiError).error.code).toBe("password_compromised");
    const page = await client.postForm("/parametres/securite/mot-de-passe", { current: "a new and fine passphrase", password: BREACHED, confirm: BREACHED });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain(MESSAGE);
    // The password did not change.
    expect((await new TestClient().json("POST", "/api/v1/auth/login", { email, password: "a new and fine passphrase" })).status).toBe(200);
  });

  it("falls back on the bundled list when the service cannot answer: a common password is still refused, an uncommon one passes", async () => {
    const down = new TestClient({}, { PWNED_PASSWORDS_URL: `${STANDIN}/unavailable` });
    const common = await down.json("POST", "/api/v1/auth/signup", { name: "Camille", email: uniqueEmail("common"), password: COMMON, companyName: "Camille SARL", acceptTerms: true });
    expect(common.status).toBe(400);
    expect(((await common.json()) as ApiError).error.code).toBe("password_compromised");
    const uncommon = await down.json("POST", "/api/v1/auth/signup", { name: "Camille", email: uniqueEmail("fine"), password: TEST_PASSWORD, companyName: "Camille SARL", acceptTerms: true });
    expect(uncommon.status).toBe(202);
  });

  it("the bundled list holds the common passwords the length rule lets through, case-insensitively", () => {
    for (const p of ["1234567890", "QwertyUiop", "password123", "azertyuiop", "motdepasse"]) expect(isCommonPassword(p), p).toBe(true);
    expect(isCommonPassword(TEST_PASSWORD)).toBe(false);
  });

  it("lets production reach api.pwnedpasswords.com (it receives no personal data)", () => {
    expect(isAllowedHost("api.pwnedpasswords.com", "production")).toBe(true);
  });
});
