import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readyAccount, createDraftVia, draftBody } from "../helpers/invoicing";

// PRIVACY.md §8 "Sécurité": card numbers can never be stored.

/** Every column of every table the migrations create, as "table.column". */
async function allColumns(): Promise<string[]> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'").all<{ name: string }>();
  const out: string[] = [];
  for (const { name } of tables.results) {
    const cols = await env.DB.prepare(`SELECT name FROM pragma_table_info(?)`).bind(name).all<{ name: string }>();
    for (const c of cols.results) out.push(`${name}.${c.name}`);
  }
  return out;
}

describe("§8 card numbers are never stored", () => {
  it("has no column meant for a card number, its expiry or its security code in any table", async () => {
    const columns = await allColumns();
    expect(columns.length).toBeGreaterThan(50);
    const suspicious = columns.filter((c) => /(^|[._])(card|pan|cvv|cvc|cc_?num|card_?number|expiry_?(month|year)|exp_?(month|year))([._]|$)/i.test(c));
    expect(suspicious).toEqual([]);
  });

  it("refuses a card number typed as a payment reference, and records nothing", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    const res = await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn: "2026-11-02", amountCents: 1000, method: "carte", reference: "4242 4242 4242 4242" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("invalid");
    expect(body.error.fields.reference).toMatch(/carte/);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM payments WHERE document_id = ?").bind(id).first<{ n: number }>();
    expect(n?.n).toBe(0);
  });
});
