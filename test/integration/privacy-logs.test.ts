import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runScheduled } from "../../src/worker/jobs/crons";
import { TEST_PASSWORD, TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount, VAT_COMPANY_PROFILE } from "../helpers/invoicing";

// PRIVACY.md §8: structured logs without secrets or personal data beyond ids. Every console line
// written while a user signs up, fails and succeeds to sign in, fills a profile with bank details,
// issues, sends and is paid, and while the crons run, is JSON with a level and an event, and holds
// none of the personal data or secrets involved.

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
});
afterEach(() => vi.restoreAllMocks());

describe("§8 structured logs", () => {
  it("logs JSON events with ids only through a whole working session", async () => {
    const a = await readyAccount();
    const wrong = await new TestClient().postForm("/connexion", { email: a.email, password: "not the password at all" });
    expect(wrong.status).toBe(401);
    const ok = await new TestClient().postForm("/connexion", { email: a.email, password: TEST_PASSWORD });
    expect(ok.status).toBe(303);
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    expect((await a.client.json("POST", `/api/v1/documents/${id}/send`, {})).status).toBe(201);
    expect((await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn: "2026-11-02", amountCents: 500, method: "virement", reference: "VIR Société Cliente" })).status).toBe(201);
    // A token-bearing public path that fails: the log must not carry the token.
    expect((await new TestClient().get("/p/this-is-a-secret-public-token-0123456789")).status).toBe(404);
    for (const cron of ["17 3 * * *", "*/10 * * * *", "41 2 * * *"]) await runScheduled(cron, env, Date.now());

    expect(lines.length).toBeGreaterThan(0);
    const forbidden = [
      a.email,
      TEST_PASSWORD,
      "not the password at all",
      VAT_COMPANY_PROFILE.iban,
      "compta@cliente.fr",
      "Société Cliente",
      "this-is-a-secret-public-token",
      env.SESSION_SECRET,
      env.PASSWORD_PEPPER,
      env.DATA_KEY,
    ];
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed).toHaveProperty("level");
      expect(parsed).toHaveProperty("event");
      for (const secret of forbidden) expect(line, `log line leaks "${secret}"`).not.toContain(secret);
      expect(line).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    }
  });
});
