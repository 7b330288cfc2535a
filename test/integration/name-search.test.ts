import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseD1ServerTiming } from "../../src/worker/db/metered";
import { searchKey } from "../../src/worker/features/clients/search";
import { nameTerms } from "../../src/worker/features/clients/terms";
import { signedUpClient, type TestClient } from "../helpers/client";
import { insertClient, verbCtx } from "../helpers/invoicing";
import { listClients } from "../../src/worker/features/clients/queries";

// Client and catalogue search match any word of the name, accent- and case-insensitively
// (issue #13), through the word index features/clients/terms.ts keeps with each row.

const CLIENT = {
  kind: "company",
  siret: "73282932000074",
  addressLine1: "3 place Bellecour",
  postalCode: "69002",
  city: "Lyon",
  country: "FR",
  language: "fr",
};

async function newClient(client: TestClient, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await client.json("POST", "/api/v1/clients", { ...CLIENT, name, ...extra });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { client: { id: string } }).client.id;
}

async function newProduct(client: TestClient, name: string): Promise<string> {
  const res = await client.json("POST", "/api/v1/products", { name, unitCode: "HUR", unitPrice: 50, vatRate: 20, kind: "service" });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { product: { id: string } }).product.id;
}

async function search(client: TestClient, path: string, q: string, cursor?: string) {
  const res = await client.json("GET", `${path}${path.includes("?") ? "&" : "?"}q=${encodeURIComponent(q)}${cursor ? `&cursor=${cursor}` : ""}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { items: Array<{ id: string; name: string }>; nextCursor: string | null };
  return { ...body, rowsRead: parseD1ServerTiming(res.headers.get("server-timing"))?.rowsRead ?? Infinity };
}

describe("client search", () => {
  it("finds a client by any word of its name, whatever the accents, ligatures and case", async () => {
    const { client } = await signedUpClient();
    const oeuvre = await newClient(client, "« Œuvre & Cie — Ébène »");
    const kerlann = await newClient(client, "Boulangerie Kerlann SARL");
    await newClient(client, "Atelier Dupont");
    for (const [q, id] of [
      ["oeuvre", oeuvre],
      ["ŒUVRE", oeuvre],
      ["cie", oeuvre],
      ["ebene", oeuvre],
      ["Ébè", oeuvre],
      ["kerlann", kerlann],
      ["KERL", kerlann],
      ["Kerlann sarl", kerlann],
      ["boulangerie k", kerlann],
    ] as const) {
      expect((await search(client, "/api/v1/clients", q)).items.map((x) => x.id), q).toEqual([id]);
    }
    // A word is matched from its start, not in its middle.
    expect((await search(client, "/api/v1/clients", "erlann")).items).toEqual([]);
    // The list page searches the same way.
    const page = await client.get("/clients?q=kerlann");
    expect(await page.text()).toContain("Boulangerie Kerlann SARL");
  });

  it("lists a client once even when several of its words match, and forgets its old name", async () => {
    const { client } = await signedUpClient();
    const id = await newClient(client, "Studio Sud Soleil");
    expect((await search(client, "/api/v1/clients", "s")).items.map((x) => x.id)).toEqual([id]);
    expect((await search(client, "/api/v1/clients", "so")).items.map((x) => x.id)).toEqual([id]);
    const res = await client.json("PUT", `/api/v1/clients/${id}`, { ...CLIENT, name: "Atelier Nord" });
    expect(res.status).toBe(200);
    expect((await search(client, "/api/v1/clients", "soleil")).items).toEqual([]);
    expect((await search(client, "/api/v1/clients", "nord")).items.map((x) => x.id)).toEqual([id]);
    // Deleting the client deletes its words (cascade).
    expect((await client.json("DELETE", `/api/v1/clients/${id}`)).status).toBe(204);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM client_search_terms WHERE client_id = ?").bind(id).first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("pages through matches by name and by word without repeating or skipping one, reading about a page", async () => {
    const { client, accountId } = await signedUpClient();
    // 30 names starting with the word, 30 with it second, written directly with their words.
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) {
      for (const name of [`Sud ${String(i).padStart(2, "0")} Conseil`, `Atelier ${String(i).padStart(2, "0")} Sud`]) {
        const key = searchKey(name);
        const id = await insertClient(accountId, { name, search_name: key });
        for (const term of nameTerms(key)) await env.DB.prepare("INSERT INTO client_search_terms (account_id, client_id, term) VALUES (?, ?, ?)").bind(accountId, id, term).run();
        ids.add(id);
      }
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await search(client, "/api/v1/clients", "sud", cursor);
      // Each statement reads at most a page + 1 index entries (and their rows): 2 × 26 + 26 + the session.
      expect(page.rowsRead).toBeLessThanOrEqual(3 * 26 + 10);
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(60);
    expect(new Set(seen)).toEqual(ids);
    // Reading backwards from the third page gives the second again (the page's "Précédent").
    const ctx = verbCtx(accountId);
    const first = await listClients(ctx, { q: "sud", archived: false });
    const second = await listClients(ctx, { q: "sud", archived: false, cursor: first.nextCursor! });
    const third = await listClients(ctx, { q: "sud", archived: false, cursor: second.nextCursor! });
    const back = await listClients(ctx, { q: "sud", archived: false, cursor: third.prevCursor! });
    expect(back.items.map((x) => x.id)).toEqual(second.items.map((x) => x.id));
    expect(back.prevCursor).not.toBeNull();
  });

  it("never finds another account's clients, nor archived ones in the active list", async () => {
    const a = await signedUpClient();
    const b = await signedUpClient();
    await newClient(a.client, "Boulangerie Kerlann SARL");
    expect((await search(b.client, "/api/v1/clients", "kerlann")).items).toEqual([]);
    const id = await newClient(b.client, "Boulangerie Kerlann SARL");
    expect((await search(b.client, "/api/v1/clients", "kerlann")).items.map((x) => x.id)).toEqual([id]);
    // Another account's id in a PUT writes no words here.
    const foreign = await newClient(a.client, "Ferme Morvan");
    expect((await b.client.json("PUT", `/api/v1/clients/${foreign}`, { ...CLIENT, name: "Pirate Morvan" })).status).toBe(404);
    const stray = await env.DB.prepare("SELECT count(*) AS n FROM client_search_terms WHERE client_id = ? AND account_id = ?").bind(foreign, b.accountId).first<{ n: number }>();
    expect(stray?.n).toBe(0);
    expect((await b.client.json("POST", `/api/v1/clients/${id}/archive`)).status).toBeLessThan(300);
    expect((await search(b.client, "/api/v1/clients", "kerlann")).items).toEqual([]);
    expect((await search(b.client, "/api/v1/clients?archived=true", "kerlann")).items.map((x) => x.id)).toEqual([id]);
  });
});

describe("catalogue search", () => {
  it("finds an item by any word of its name", async () => {
    const { client } = await signedUpClient();
    const id = await newProduct(client, "Pain de campagne — Épeautre");
    await newProduct(client, "Croissant");
    for (const q of ["pain", "campagne", "EPEAU", "épeautre"]) {
      expect((await search(client, "/api/v1/products", q)).items.map((x) => x.id), q).toEqual([id]);
    }
  });
});

describe("the migration that indexed existing names", () => {
  it("splits names into words exactly as nameTerms does", async () => {
    const { accountId } = await signedUpClient();
    const names = ["Boulangerie Kerlann SARL", "« Œuvre & Cie — Ébène »", "L'Atelier Jean-Luc (Lyon)", "a  b", "Dupont", "x.y/z", "Ünïcode·Straße 12"];
    const ids = await Promise.all(names.map((name) => insertClient(accountId, { name, search_name: searchKey(name) })));
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0040_search_terms"));
    const backfill = migration?.queries.filter((q) => /INSERT OR IGNORE INTO `client_search_terms`/.test(q)) ?? [];
    expect(backfill).toHaveLength(1);
    await env.DB.prepare(backfill[0]!).run();
    for (const [i, id] of ids.entries()) {
      const rows = await env.DB.prepare("SELECT term FROM client_search_terms WHERE client_id = ? ORDER BY length(term) DESC").bind(id).all<{ term: string }>();
      expect(rows.results.map((r) => r.term), names[i]).toEqual(nameTerms(searchKey(names[i]!)));
    }
  });
});
