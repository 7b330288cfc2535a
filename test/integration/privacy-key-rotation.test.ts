import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/worker/app";
import { housekeeping } from "../../src/worker/jobs/housekeeping";
import { rotateSealedValues, SEALED_COLUMNS } from "../../src/worker/jobs/rotate-keys";
import { createSealer } from "../../src/worker/lib/crypto/envelope";
import { aad } from "../../src/worker/lib/sealer";
import { readyAccount } from "../helpers/invoicing";

// PRIVACY.md §8: sensitive fields encrypted at rest with a key id per value, and a rotation
// command that re-encrypts them under the new key.

const NEW_KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
/** The deployment after the rotation started: new DATA_KEY, the old one kept for reading. */
const rotated = { ...env, DATA_KEY: NEW_KEY, DATA_KEY_PREVIOUS: env.DATA_KEY } as typeof env;
const OPERATOR_TOKEN = "operator-token-0123456789abcdef0123456789";

const ibanOf = (accountId: string) => env.DB.prepare("SELECT iban_sealed AS v FROM accounts WHERE id = ?").bind(accountId).first<string>("v");

function operator(bindings: object, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return createApp().fetch(new Request("http://localhost:8787/api/v1/operator/keys/rotate", { method: "POST", headers }), bindings, {
    waitUntil: () => {},
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext);
}

describe("§8 key rotation", () => {
  it("covers every sealed column of the schema", async () => {
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>();
    const inSchema: string[] = [];
    for (const { name } of tables.results) {
      const cols = await env.DB.prepare("SELECT name FROM pragma_table_info(?)").bind(name).all<{ name: string }>();
      for (const c of cols.results) if (c.name.endsWith("_sealed")) inSchema.push(`${name}.${c.name}`);
    }
    inSchema.sort();
    expect(SEALED_COLUMNS.map((s) => `${s.table}.${s.column}`).sort()).toEqual(inSchema);
  });

  it("re-seals every value under the new key, keeps it readable, and does nothing the second time", async () => {
    const a = await readyAccount();
    const before = await ibanOf(a.accountId);
    const oldSealer = await createSealer({ current: env.DATA_KEY });
    const newSealer = await createSealer({ current: NEW_KEY });
    expect(before?.startsWith(`v1.${oldSealer.currentKeyId}.`)).toBe(true);

    const first = await rotateSealedValues(rotated, Date.now(), 1_000);
    expect(first.resealed).toBeGreaterThanOrEqual(2); // IBAN and BIC of this account at least
    expect(first.remaining).toBe(0);
    const after = await ibanOf(a.accountId);
    expect(after?.startsWith(`v1.${newSealer.currentKeyId}.`)).toBe(true);
    expect(await newSealer.open(after!, aad.iban(a.accountId))).toBe(await oldSealer.open(before!, aad.iban(a.accountId)));

    // The app, running on the new key alone, still reads the bank details.
    const withNewKeyOnly = { ...env, DATA_KEY: NEW_KEY } as typeof env;
    const res = await createApp().fetch(
      new Request("http://localhost:8787/api/v1/account/profile", { headers: { cookie: [...a.client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } }),
      withNewKeyOnly,
      { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext,
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain("0189");

    const second = await rotateSealedValues(rotated, Date.now(), 1_000);
    expect(second).toEqual({ resealed: 0, remaining: 0, unreadable: 0 });
  });

  it("drains a backlog in bounded batches from the daily housekeeping while DATA_KEY_PREVIOUS is set", async () => {
    await readyAccount();
    await readyAccount();
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const next = { ...env, DATA_KEY: key, DATA_KEY_PREVIOUS: NEW_KEY } as typeof env;
    // Values sealed under env.DATA_KEY (neither configured key) stay unreadable and are counted, not lost.
    const one = await rotateSealedValues(next, Date.now(), 1);
    expect(one.resealed + one.unreadable).toBeGreaterThanOrEqual(1);
    const summary = await housekeeping(next, Date.now());
    expect(summary).toHaveProperty("keys_resealed");
    expect(summary).toHaveProperty("keys_remaining");
    expect(await housekeeping(env, Date.now())).not.toHaveProperty("keys_resealed");
  });

  it("runs from the operator command only with the operator token", async () => {
    expect((await operator(rotated)).status).toBe(404);
    const withToken = { ...rotated, OPERATOR_TOKEN };
    expect((await operator(withToken)).status).toBe(401);
    expect((await operator(withToken, "wrong-token-0123456789abcdef0123456789")).status).toBe(401);
    const ok = await operator(withToken, OPERATOR_TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ resealed: expect.any(Number), remaining: expect.any(Number) });
  });
});
