import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CatalogueItem, LineEditorProps } from "../../src/client/islands/line-editor";
import { parseD1ServerTiming } from "../../src/worker/db/metered";
import { formatMoney } from "../../src/worker/domain/format";
import { searchKey } from "../../src/worker/features/clients/search";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { PICK_LIMIT } from "../../src/worker/features/documents/page-routes";
import { randomId } from "../../src/worker/lib/crypto/random";
import type { TestClient } from "../helpers/client";
import { createDraftVia, draftBody, insertClient, readyAccount, S20 } from "../helpers/invoicing";

type Account = Awaited<ReturnType<typeof readyAccount>>;

/** Inserts `n` active clients named "Client 0001"… in a few batches (rows written directly). */
async function insertClients(accountId: string, n: number): Promise<void> {
  const now = Date.now();
  const statements = Array.from({ length: n }, (_, i) => {
    const name = `Client ${String(i).padStart(4, "0")}`;
    return env.DB.prepare(
      "INSERT INTO clients (id, account_id, kind, name, search_name, address_line1, postal_code, city, country, language, created_at, updated_at) VALUES (?, ?, 'company', ?, ?, '1 rue de la Paix', '75002', 'Paris', 'FR', 'fr', ?, ?)",
    ).bind(randomId(), accountId, name, searchKey(name), now, now);
  });
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}

/** Inserts `n` active catalogue items named "Produit 0001"…, 20 % VAT services. */
async function insertProducts(accountId: string, n: number): Promise<void> {
  const now = Date.now();
  const statements = Array.from({ length: n }, (_, i) => {
    const name = `Produit ${String(i).padStart(4, "0")}`;
    return env.DB.prepare(
      "INSERT INTO products (id, account_id, name, search_name, unit_code, unit_price_cents, vat_category, vat_rate_bp, kind, created_at, updated_at) VALUES (?, ?, ?, ?, 'HUR', ?, 'S', 2000, 'service', ?, ?)",
    ).bind(randomId(), accountId, name, searchKey(name), 1_000 + i, now, now);
  });
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}

/** A client whose name sorts after every "Client nnnn": beyond the first PICK_LIMIT rows. */
function insertZenith(accountId: string): Promise<string> {
  const name = "Zénith Éditions";
  return insertClient(accountId, { name, search_name: searchKey(name) });
}

/** An account with `extra` clients on top of readyAccount's one. */
async function accountWithClients(extra: number): Promise<Account> {
  const a = await readyAccount();
  await insertClients(a.accountId, extra);
  return a;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** The JSON props of an island of the page. */
function islandProps<T>(html: string, name: string): T {
  const m = new RegExp(`data-island="${name}" data-props="([^"]*)"`).exec(html);
  if (!m?.[1]) throw new Error(`no ${name} island`);
  return JSON.parse(unescape(m[1])) as T;
}

/** The editor form as the browser posts it: fields plus the island's JSON lines. */
function editorForm(clientId: string, extra: Record<string, string> = {}): Record<string, string> {
  const lines = [{ productId: null, description: "Audit de sécurité", quantity: "2", unitCode: "DAY", unitPriceCents: 65_000, discount: null, exemptionCode: null, ...S20 }];
  return { type: "invoice", clientId, issueDate: "", deliveryDate: "", paymentTermsDays: "", purchaseOrderReference: "", note: "", allowanceKind: "percent", allowanceValue: "", lines: JSON.stringify(lines), ...extra };
}

async function page(client: TestClient, path: string): Promise<{ html: string; rowsRead: number }> {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  const cost = parseD1ServerTiming(res.headers.get("server-timing"));
  if (!cost) throw new Error(`${path}: no d1 entry in Server-Timing`);
  return { html: await res.text(), rowsRead: cost.rowsRead };
}

describe("the client field of the editor", () => {
  it("keeps the plain select while the account has no more than PICK_LIMIT clients", async () => {
    const a = await accountWithClients(PICK_LIMIT - 1);
    const { html } = await page(a.client, "/factures/nouvelle");
    expect(html).toMatch(/<select id="f-clientId" name="clientId"/);
    expect(html.match(/<option value="[^"]+">Client \d{4}<\/option>/g)).toHaveLength(PICK_LIMIT - 1);
    expect(html).not.toContain('role="combobox"');
    expect(html).not.toContain("/islands/combobox.js");
  });

  it("renders the combobox island, and reads no more than PICK_LIMIT + 1 clients, beyond PICK_LIMIT", async () => {
    const small = await readyAccount();
    const baseline = await page(small.client, "/factures/nouvelle");

    const a = await accountWithClients(520);
    const { html, rowsRead } = await page(a.client, "/factures/nouvelle");
    expect(html).not.toMatch(/<select id="f-clientId"/);
    expect(html).toMatch(/<input[^>]*id="f-clientId"[^>]*role="combobox"/);
    expect(html).toMatch(/aria-controls="f-clientId-list"/);
    expect(html).toMatch(/<input type="hidden" name="clientId" value(?:="")?\/>/);
    expect(html).toContain('<script type="module" src="/islands/combobox.js"');
    // Without JS, the search button posts the form back to the server.
    expect(html).toMatch(/<button type="submit" name="_pick" value="client"/);
    expect(html).not.toContain("Client 0510");
    // The small account read its one client; the large one at most PICK_LIMIT + 1 of its 521.
    expect(rowsRead - baseline.rowsRead).toBeLessThanOrEqual(PICK_LIMIT + 1);
  });

  it("saves a draft with a client chosen by id beyond the first PICK_LIMIT, and shows it chosen when editing", async () => {
    const a = await accountWithClients(520);
    const zenith = await insertZenith(a.accountId);
    const res = await a.client.postForm("/factures/nouvelle", editorForm(zenith));
    expect(res.status).toBe(303);
    const id = decodeURIComponent(/^\/documents\/([^/?]+)/.exec(res.headers.get("location") ?? "")?.[1] ?? "");
    const doc = (await (await a.client.json("GET", `/api/v1/documents/${id}`)).json()) as { document: { clientId: string } };
    expect(doc.document.clientId).toBe(zenith);

    const { html } = await page(a.client, `/documents/${id}/modifier`);
    expect(html).toContain(`<input type="hidden" name="clientId" value="${zenith}"`);
    expect(html).toMatch(/id="f-clientId"[^>]*value="Zénith Éditions"|value="Zénith Éditions"[^>]*id="f-clientId"/);
    expect(islandProps<{ selected: { id: string; name: string } }>(html, "combobox").selected).toEqual({ id: zenith, name: "Zénith Éditions" });
  });

  it("without JS, the search button re-renders the editor with the matching clients and the typed lines, saving nothing", async () => {
    const a = await accountWithClients(520);
    const zenith = await insertZenith(a.accountId);
    const res = await a.client.postForm("/factures/nouvelle", editorForm("", { _pick: "client", clientQ: "ZEN", note: "gardé" }));
    expect(res.status).toBe(200);
    const html = await res.text();
    const select = /<select id="f-clientId" name="clientId"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1];
    expect(select?.match(/<option value="[^"]+">[^<]*<\/option>/g)).toEqual([`<option value="${zenith}">Zénith Éditions</option>`]);
    expect(html).toContain("gardé");
    expect(islandProps<LineEditorProps>(html, "line-editor").lines[0]?.description).toBe("Audit de sécurité");
    const list = (await (await a.client.json("GET", "/api/v1/documents")).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(0);
  });

  it("ignores a client id of another account: the draft is refused on the client field", async () => {
    const a = await accountWithClients(520);
    const other = await readyAccount();
    const res = await a.client.postForm("/factures/nouvelle", editorForm(other.clientId));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/aria-invalid="true"[^>]*aria-describedby="f-clientId-hint f-clientId-error"|id="f-clientId-error"/);
    expect(islandProps<{ selected: unknown }>(html, "combobox").selected).toBeNull();
  });
});

describe("the clients search API the combobox calls", () => {
  it("finds a client by an accent- and case-insensitive prefix, beyond the first page", async () => {
    const a = await accountWithClients(520);
    const zenith = await insertZenith(a.accountId);
    for (const q of ["zen", "ZÉN", "Zénith é", "zenith edi"]) {
      const res = await a.client.json("GET", `/api/v1/clients?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Array<{ id: string; name: string }>; nextCursor: string | null };
      expect(body.items.map((x) => x.id), q).toEqual([zenith]);
      expect(body.nextCursor).toBeNull();
    }
    const none = (await (await a.client.json("GET", "/api/v1/clients?q=zeb")).json()) as { items: unknown[] };
    expect(none.items).toHaveLength(0);
  });

  it("answers a broad prefix with one page and a cursor, reading about one page of rows", async () => {
    const a = await accountWithClients(520);
    const res = await a.client.json("GET", "/api/v1/clients?q=cli");
    const body = (await res.json()) as { items: Array<{ name: string }>; nextCursor: string | null };
    expect(body.items[0]?.name).toBe("Client 0000");
    expect(body.items.length).toBeLessThan(520);
    expect(body.nextCursor).not.toBeNull();
    expect(parseD1ServerTiming(res.headers.get("server-timing"))?.rowsRead).toBeLessThan(100);
  });
});

describe("the catalogue picker of the line editor", () => {
  it("lists the catalogue in the island while it fits a select", async () => {
    const a = await readyAccount();
    await insertProducts(a.accountId, 3);
    const { html } = await page(a.client, "/factures/nouvelle");
    const props = islandProps<LineEditorProps>(html, "line-editor");
    expect(props.products.map((p: CatalogueItem) => p.name)).toEqual(["Produit 0000", "Produit 0001", "Produit 0002"]);
    expect(props.productSearch).toBeUndefined();
  });

  it("searches the products API instead beyond PICK_LIMIT items, whose rows fill a line", async () => {
    const a = await readyAccount();
    await insertProducts(a.accountId, PICK_LIMIT + 1);
    const { html } = await page(a.client, "/factures/nouvelle");
    const props = islandProps<LineEditorProps>(html, "line-editor");
    expect(props.products).toEqual([]);
    expect(props.productSearch?.endpoint).toBe("/api/v1/products");
    expect(html).toMatch(/id="le-pick"[^>]*role="combobox"/);

    const found = (await (await a.client.json("GET", "/api/v1/products?q=produit%200500")).json()) as { items: Array<Record<string, unknown>> };
    expect(found.items).toHaveLength(1);
    expect(found.items[0]).toMatchObject({ name: "Produit 0500", unitCode: "HUR", unitPriceCents: 1_500, vatCategory: "S", vatRateBp: 2000, kind: "service" });
  });
});

describe("the client page", () => {
  it("shows what the client still owes (after payments and credit notes) and the credit its overpayment left", async () => {
    const a = await readyAccount();
    const issue = async (extra: Record<string, unknown> = {}) => {
      const id = await createDraftVia(a.client, draftBody(a.clientId, extra));
      const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
      expect(res.status).toBe(200);
      return ((await res.json()) as { document: { id: string; dueCents: number } }).document;
    };
    const paid = await issue();
    const open = await issue();
    const today = todayInParis(Date.now());
    const over = await a.client.json("POST", `/api/v1/documents/${paid.id}/payments`, { receivedOn: today, method: "virement", amountCents: paid.dueCents + 12_345 });
    expect(over.status).toBe(201);
    const part = await a.client.json("POST", `/api/v1/documents/${open.id}/payments`, { receivedOn: today, method: "virement", amountCents: 10_000 });
    expect(part.status).toBe(201);
    const reduced = await issue();
    const creditNote = await issue({
      type: "credit_note",
      precedingDocumentId: reduced.id,
      lines: [{ description: "Geste commercial", quantity: "1", unitCode: "C62", unitPriceCents: 10_000, ...S20 }],
    });
    expect(creditNote.dueCents).toBeGreaterThan(0);
    // Another client's invoice counts for nobody here.
    const other = await insertClient(a.accountId, { name: "Autre Client", search_name: "autre client" });
    await issue({ clientId: other });

    const { html } = await page(a.client, `/clients/${a.clientId}`);
    const balance = /<dl class="client-balance">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? "";
    expect(balance).toContain("Reste à payer");
    expect(balance).toContain(formatMoney(open.dueCents - 10_000 + reduced.dueCents - creditNote.dueCents, "fr"));
    expect(balance).toContain("Crédit client");
    expect(balance).toContain(formatMoney(12_345, "fr"));
  });

  it("shows zero owed and no credit for a client without invoices", async () => {
    const a = await readyAccount();
    const { html } = await page(a.client, `/clients/${a.clientId}`);
    const balance = /<dl class="client-balance">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? "";
    expect(balance.match(new RegExp(formatMoney(0, "fr"), "g"))).toHaveLength(2);
  });
});
