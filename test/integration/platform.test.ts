import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/worker/config";
import { CRONS, runScheduled } from "../../src/worker/jobs/crons";
import { MAX_BODY_BYTES } from "../../src/worker/app";
import { TestClient, signedUpClient } from "../helpers/client";
import wranglerToml from "../../wrangler.toml?raw";

describe("configuration", () => {
  it("refuses to start without a secret and names it", () => {
    const { SESSION_SECRET: _omit, ...rest } = { ...env } as Record<string, unknown>;
    expect(() => loadConfig({ ...rest })).toThrow(ConfigError);
    expect(() => loadConfig({ ...rest })).toThrow(/SESSION_SECRET/);
  });

  it("refuses a DATA_KEY that is not 32 bytes of base64", () => {
    expect(() => loadConfig({ ...env, DATA_KEY: "c2hvcnQ=" })).toThrow(/DATA_KEY/);
  });

  it("requires the Resend key in production", () => {
    expect(() => loadConfig({ ...env, ENVIRONMENT: "production" })).toThrow(/RESEND_API_KEY/);
  });

  it("accepts the test configuration", () => {
    expect(loadConfig(env).ENVIRONMENT).toBe("test");
  });
});

describe("bindings live in the EU (privacy policy §7)", () => {
  it("declares the D1 database and the R2 bucket in the eu jurisdiction", () => {
    const d1 = wranglerToml.slice(wranglerToml.indexOf("[[d1_databases]]"), wranglerToml.indexOf("[[r2_buckets]]"));
    const r2 = wranglerToml.slice(wranglerToml.indexOf("[[r2_buckets]]"), wranglerToml.indexOf("[[durable_objects.bindings]]"));
    expect(d1).toMatch(/^jurisdiction = "eu"$/m);
    expect(r2).toMatch(/^jurisdiction = "eu"$/m);
  });

  it("declares the numbering object as a SQLite-backed class", () => {
    expect(wranglerToml).toMatch(/new_sqlite_classes = \["NumberingObject"\]/);
  });
});

describe("cron triggers", () => {
  const declared = JSON.parse(wranglerToml.match(/^crons = (\[.*\])$/m)?.[1] ?? "[]") as string[];

  it("has a handler for every cron in wrangler.toml, and no handler without a cron", () => {
    expect(declared.length).toBeGreaterThan(0);
    expect([...declared].sort()).toEqual(Object.keys(CRONS).sort());
  });

  it("refuses an unknown cron expression loudly", async () => {
    await expect(runScheduled("* * * * 9", env, Date.now())).rejects.toThrow(/No job/);
  });

  it("housekeeping deletes expired sessions and is safe to run twice", async () => {
    const { userId } = await signedUpClient();
    await env.DB.prepare("UPDATE sessions SET expires_at = 1 WHERE user_id = ?").bind(userId).run();
    const first = await runScheduled("17 3 * * *", env, Date.now());
    expect(first.sessions).toBeGreaterThanOrEqual(1);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?").bind(userId).first<{ n: number }>();
    expect(left?.n).toBe(0);
    const second = await runScheduled("17 3 * * *", env, Date.now());
    expect(second.sessions).toBe(0);
  });
});

describe("errors in the house shape", () => {
  it("answers an unknown API route with 404 and the JSON error shape", async () => {
    const res = await new TestClient().json("GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("answers an unknown page with a friendly French 404 page", async () => {
    const res = await new TestClient().get("/nulle-part");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("Page introuvable.");
  });

  it("answers a body that is not JSON with 400 invalid", async () => {
    const client = new TestClient();
    const token = await client.ensureCsrf();
    const res = await client.fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": token },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid");
  });

  it("refuses an oversized body with 413 before reading it", async () => {
    const client = new TestClient();
    const token = await client.ensureCsrf();
    const res = await client.fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": token },
      body: JSON.stringify({ email: "a@b.fr", password: "x".repeat(MAX_BODY_BYTES) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  });

  it("asks an anonymous API caller to sign in with 401", async () => {
    const res = await new TestClient().json("GET", "/api/v1/me");
    expect(res.status).toBe(401);
  });
});

describe("security headers on every response", () => {
  it.each(["/connexion", "/api/v1/me", "/nulle-part", "/healthz"])("sets CSP, HSTS, nosniff and no framing on %s", async (path) => {
    const res = await new TestClient().fetch(path);
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=63072000/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-/);
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("gives island scripts the nonce of the response's CSP", async () => {
    const { client } = await signedUpClient();
    const res = await client.get("/parametres/entreprise");
    const nonce = res.headers.get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1];
    const html = await res.text();
    const scripts = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });
});

describe("dev tools (/dev/outbox, /dev/seed)", () => {
  const modes = {
    local: { ENVIRONMENT: "local" },
    development: { ENVIRONMENT: "development" },
    test: {},
    // Without the test stand-ins' URLs, which a production configuration refuses.
    production: { ENVIRONMENT: "production", RESEND_API_KEY: "re_test", TURNSTILE_SECRET_KEY: "0x4AAAAAAAproductionSecretForTests", PA_TOKEN_URL: undefined, PA_FLOW_URL: undefined, PA_DIRECTORY_URL: undefined, PA_CLIENT_ID: undefined, PA_CLIENT_SECRET: undefined },
  };

  it("answer 404 in test and production modes, and the footer does not link them", async () => {
    for (const vars of [modes.test, modes.production]) {
      const client = new TestClient({}, vars);
      expect((await client.get("/connexion")).status).toBe(200);
      expect((await client.get("/dev/outbox")).status).toBe(404);
      expect((await client.json("GET", "/dev/outbox")).status).toBe(404);
      expect((await client.json("POST", "/dev/seed")).status).toBe(404);
      expect(await (await client.get("/connexion")).text()).not.toContain("/dev/outbox");
    }
    // Runs before the local test below: nothing has seeded the demo account yet.
    const demo = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = 'demo@factumo.fr'").first<{ n: number }>();
    expect(demo?.n).toBe(0);
  });

  it("exist in local and development modes, where the footer links the outbox", async () => {
    for (const vars of [modes.local, modes.development]) {
      const client = new TestClient({}, vars);
      const page = await client.get("/dev/outbox");
      expect(page.status).toBe(200);
      expect((await client.json("GET", "/dev/outbox")).status).toBe(200);
      expect(await (await client.get("/connexion")).text()).toContain('href="/dev/outbox"');
    }
    const seeded = await new TestClient({}, modes.local).json("POST", "/dev/seed");
    expect(seeded.status).toBe(200);
    // The seed writes a year of demo business through the real verbs: ~25 s alone, more under load.
  }, 120_000);
});
