import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SESSION_IDLE_MS } from "../../src/worker/http/session";
import { runRetention } from "../../src/worker/jobs/retention";
import { sha256Hex } from "../../src/worker/lib/crypto/random";
import { TEST_PASSWORD, TestClient, signedUpClient } from "../helpers/client";

const DAY = 24 * 3600 * 1000;

async function sessionHashOf(client: TestClient): Promise<string> {
  const id = client.cookies.get("__Host-session");
  if (!id) throw new Error("no session cookie");
  return sha256Hex(id);
}

describe("§8 secure authentication: sessions", () => {
  it("rotates the CSRF token at login: the token seen before signing in is refused after", async () => {
    const { email } = await signedUpClient();
    const client = new TestClient();
    const before = await client.ensureCsrf();
    expect((await client.postForm("/connexion", { email, password: TEST_PASSWORD })).status).toBe(303);
    const after = client.csrf;
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    // A page rendered before the login (or a token an attacker planted) no longer works.
    const stale = await client.postForm("/preferences/langue", { locale: "en" }, { csrf: before });
    expect(stale.status).toBe(403);
    const api = await client.json("POST", "/api/v1/auth/logout", undefined, { csrf: before });
    expect(api.status).toBe(403);
    expect((await client.json("GET", "/api/v1/me")).status).toBe(200);
  });

  it("rotates it at sign-up and at the API login too", async () => {
    const { email } = await signedUpClient();
    const client = new TestClient();
    const before = await client.ensureCsrf();
    expect((await client.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD })).status).toBe(200);
    expect(client.csrf).not.toBe(before);
  });

  it(`ends a session unused for ${SESSION_IDLE_MS / DAY} days, within its 30 days`, async () => {
    const { client, userId } = await signedUpClient();
    const idHash = await sessionHashOf(client);
    const setLastSeen = (at: number) => env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").bind(at, idHash).run();

    await setLastSeen(Date.now() - 6 * DAY);
    expect((await client.json("GET", "/api/v1/me")).status).toBe(200);

    await setLastSeen(Date.now() - 8 * DAY);
    expect((await client.json("GET", "/api/v1/me")).status).toBe(401);

    // The idle session is no longer listed, and the retention cron deletes it.
    const other = await signedUpClient();
    expect(other.userId).not.toBe(userId);
    const row = await env.DB.prepare("SELECT id_hash FROM sessions WHERE id_hash = ?").bind(idHash).first();
    expect(row).not.toBeNull();
    await runRetention(env, Date.now());
    expect(await env.DB.prepare("SELECT id_hash FROM sessions WHERE id_hash = ?").bind(idHash).first()).toBeNull();
    expect(await env.DB.prepare("SELECT id_hash FROM sessions WHERE id_hash = ?").bind(await sessionHashOf(other.client)).first()).not.toBeNull();
  });

  it("does not list idle sessions in Paramètres → Sécurité", async () => {
    const { client, userId, email } = await signedUpClient();
    const second = new TestClient();
    expect((await second.json("POST", "/api/v1/auth/login", { email, password: TEST_PASSWORD })).status).toBe(200);
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").bind(Date.now() - 8 * DAY, await sessionHashOf(second)).run();
    const listed = (await (await client.json("GET", "/api/v1/sessions")).json()) as { sessions: unknown[] };
    const live = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?").bind(userId).first<{ n: number }>();
    expect(live?.n).toBe(2);
    expect(listed.sessions).toHaveLength(1);
  });
});

describe("CSRF: Origin null", () => {
  it("refuses a form post whose Origin is null, even with a valid token, and changes nothing", async () => {
    const { client, userId } = await signedUpClient();
    const token = await client.ensureCsrf();
    const res = await client.fetch("/preferences/langue", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", origin: "null" },
      body: new URLSearchParams({ locale: "en", _csrf: token }),
    });
    expect(res.status).toBe(403);
    const user = await env.DB.prepare("SELECT locale FROM users WHERE id = ?").bind(userId).first<{ locale: string }>();
    expect(user?.locale).toBe("fr");
  });

  it("refuses an API write whose Origin is null", async () => {
    const { client } = await signedUpClient();
    const token = await client.ensureCsrf();
    const res = await client.fetch("/api/v1/auth/logout", { method: "POST", headers: { accept: "application/json", origin: "null", "x-csrf-token": token } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect((await client.json("GET", "/api/v1/me")).status).toBe(200);
  });

  it("still accepts our own origin", async () => {
    const { client } = await signedUpClient();
    const token = await client.ensureCsrf();
    const res = await client.fetch("/api/v1/auth/logout", { method: "POST", headers: { accept: "application/json", origin: "https://factumo.test", "x-csrf-token": token } });
    expect(res.status).toBe(204);
  });
});
