import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FEC_COLUMNS } from "../../src/worker/domain/books/fec";
import { clientCodeBase } from "../../src/worker/features/clients/code";
import backfill from "../../migrations/0052_client_codes.sql?raw";
import type { TestClient } from "../helpers/client";
import { signedUpClient } from "../helpers/client";
import { exportArchive, importInto } from "../helpers/data-jobs";
import { createDraftVia, draftBody, insertClient, readyAccount } from "../helpers/invoicing";

const year = new Date().getUTCFullYear();

const clientBody = (name: string) => ({
  kind: "company",
  name,
  siret: "73282932000074",
  vatNumber: "FR44732829320",
  addressLine1: "1 place de la Bourse",
  postalCode: "75002",
  city: "Paris",
  country: "FR",
});

async function newClient(client: TestClient, name: string): Promise<{ id: string; code: string }> {
  const res = await client.json("POST", "/api/v1/clients", clientBody(name));
  expect(res.status).toBe(201);
  return ((await res.json()) as { client: { id: string; code: string } }).client;
}

const codesOf = async (accountId: string) =>
  (await env.DB.prepare("SELECT name, code FROM clients WHERE account_id = ? ORDER BY created_at, code").bind(accountId).all<{ name: string; code: string | null }>()).results;

describe("client codes", () => {
  it("derives a readable code from the name: letters only, accent-free, at most 8", () => {
    expect(clientCodeBase("Boulangerie Kerlann SARL")).toBe("BOULANGE");
    expect(clientCodeBase("Œuvre & Cie — Ébène")).toBe("OEUVRECI");
    expect(clientCodeBase("3M")).toBe("M");
    expect(clientCodeBase("株式会社 123")).toBe("CLIENT");
  });

  it("gives two clients with the same name distinct codes, shows the code on the client page and uses 411 + code in the FEC", async () => {
    const a = await readyAccount();
    const first = await newClient(a.client, "Atelier Brun");
    const second = await newClient(a.client, "Atelier Brun");
    const third = await newClient(a.client, "Atelier Brunel");
    expect([first.code, second.code, third.code]).toEqual(["ATELIERB", "ATELIERB2", "ATELIERB3"]);

    const page = await (await a.client.get(`/clients/${second.id}`)).text();
    expect(page).toContain("ATELIERB2");
    expect(page).toContain("411ATELIERB2");

    for (const c of [first, second]) {
      const id = await createDraftVia(a.client, draftBody(c.id));
      expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    }
    const text = await (await a.client.get(`/livres/fec?year=${year}`)).text();
    const [header, ...lines] = text.replace(/\r\n$/, "").split("\r\n");
    expect(header?.split("\t")).toEqual([...FEC_COLUMNS]);
    const rows = lines.map((l) => l.split("\t"));
    expect(rows.every((f) => f.length === 18)).toBe(true);
    // The client lines: CompteNum 411000, CompAuxNum 411 + code, CompAuxLib the client's name.
    const aux = rows.filter((f) => f[4] === "411000").map((f) => [f[6], f[7]]);
    expect(aux).toEqual([
      ["411ATELIERB", "Atelier Brun"],
      ["411ATELIERB2", "Atelier Brun"],
    ]);
    // No line carries a client id.
    expect(text).not.toContain(first.id);
  });

  it("keeps each client's code through an export and an import", async () => {
    const a = await readyAccount();
    await newClient(a.client, "Studio Nord");
    await newClient(a.client, "Studio Nord");
    const b = await signedUpClient();
    expect((await importInto(b.client, await exportArchive(a.client))).error).toBeNull();
    const source = await codesOf(a.accountId);
    expect(source.map((r) => r.code)).toContain("STUDIONO2");
    expect(await codesOf(b.accountId)).toEqual(source);
  });

  it("backfills the clients that existed before the codes, by creation order, unique per account", async () => {
    const a = await signedUpClient();
    const b = await signedUpClient();
    // Rows as the migration found them: no code.
    for (const [accountId, name, at] of [
      [a.accountId, "Café Noir", 1],
      [a.accountId, "Café Noir", 2],
      [a.accountId, "Cafe-Noir!", 3],
      [a.accountId, "123", 4],
      [b.accountId, "Café Noir", 1],
    ] as const) {
      await insertClient(accountId, { name, search_name: name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase(), created_at: at, updated_at: at });
    }
    // The migration after its new column, the unique index included (dropped first: the test
    // database has it already, the migration creates it after the backfill).
    await env.DB.prepare("DROP INDEX clients_account_code").run();
    const statements = backfill.split("--> statement-breakpoint").map((s) => s.trim()).filter((s) => !s.startsWith("ALTER TABLE"));
    for (const statement of statements) await env.DB.prepare(statement).run();
    expect((await codesOf(a.accountId)).map((r) => r.code)).toEqual(["CAFENOIR", "CAFENOIR2", "CAFENOIR3", "CLIENT"]);
    expect((await codesOf(b.accountId)).map((r) => r.code)).toEqual(["CAFENOIR"]);
  });
});
