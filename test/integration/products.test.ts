import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/worker/domain/format";
import { VAT_EXEMPTIONS } from "../../src/worker/domain/vat";
import { searchKey } from "../../src/worker/features/clients/search";
import { translator } from "../../src/worker/ui/i18n";
import { signedUpClient, TestClient } from "../helpers/client";

const t = translator("fr");
const PAGE = "/produits";
const API = "/api/v1/products";

/** A service as the browser posts it. */
const form: Record<string, string> = {
  name: "Développement web",
  description: "Journée de développement, sur site ou à distance.",
  unitCode: "DAY",
  unitPrice: "1 234,50",
  vatRate: "20",
  exemptionCode: "",
  kind: "service",
};

interface ProductJson {
  id: string;
  name: string;
  unitCode: string;
  unitPriceCents: number;
  vatCategory: string;
  vatRateBp: number;
  exemptionCode: string | null;
  kind: string;
  stockTracked: boolean;
  archivedAt: number | null;
  [key: string]: unknown;
}

interface ListJson {
  items: ProductJson[];
  nextCursor: string | null;
}

interface ErrorJson {
  error: { code: string; message: string; fields?: Record<string, string> };
}

type Session = Awaited<ReturnType<typeof signedUpClient>>;

/** The page as a reader sees it: the entities preact-render-to-string writes are decoded. */
async function textOf(res: Response): Promise<string> {
  return (await res.text()).replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

async function createProduct(session: Session, overrides: Record<string, unknown> = {}): Promise<ProductJson> {
  const res = await session.client.json("POST", API, { ...form, ...overrides });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { product: ProductJson }).product;
}

async function productRow(id: string): Promise<Record<string, unknown> | null> {
  return env.DB.prepare("SELECT * FROM products WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function productCount(accountId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM products WHERE account_id = ?").bind(accountId).first<{ n: number }>();
  return row?.n ?? 0;
}

/** A document line made from the item, written straight to D1 as the documents feature would. */
async function insertLine(accountId: string, productId: string): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO document_lines (id, account_id, document_id, position, product_id, description, quantity, unit_code,
       unit_price_cents, vat_category, vat_rate_bp, kind)
     VALUES (?, ?, ?, 1, ?, 'Développement web', '1', 'DAY', 123450, 'S', 2000, 'service')`,
  )
    .bind(crypto.randomUUID(), accountId, crypto.randomUUID(), productId)
    .run();
}

function linkOf(html: string, rel: "next" | "prev"): string | null {
  const m = html.match(new RegExp(`<a href="([^"]+)" rel="${rel}"`));
  return m?.[1] ? m[1].replace(/&amp;/g, "&") : null;
}

function listedIds(html: string): string[] {
  return [...html.matchAll(/<a href="\/produits\/([A-Za-z0-9_-]{22})"/g)].map((m) => m[1] ?? "");
}

describe("catalogue pages", () => {
  it("creates an item from the form with a French price and lists it", async () => {
    const session = await signedUpClient();
    const res = await session.client.postForm(PAGE, form);
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/produits\/[A-Za-z0-9_-]{22}\?ok=created$/);
    const id = location.split("/")[2]?.split("?")[0] ?? "";

    expect(await productRow(id)).toMatchObject({
      account_id: session.accountId,
      search_name: "developpement web",
      unit_code: "DAY",
      unit_price_cents: 123_450,
      vat_category: "S",
      vat_rate_bp: 2000,
      exemption_code: null,
      kind: "service",
      stock_tracked: 0,
    });

    const detail = await textOf(await session.client.get(location));
    expect(detail).toContain(t("products.created"));
    expect(detail).toContain('value="1234,50"');
    expect(detail).toContain("Journée de développement, sur site ou à distance.");

    const list = await textOf(await session.client.get(PAGE));
    expect(listedIds(list)).toEqual([id]);
    expect(list).toContain(formatMoney(123_450, "fr"));
    expect(list).toContain("jour");
    expect(list).not.toContain(t("soon.title"));
  });

  it("starts a new item without VAT under the franchise, with the 293 B reason", async () => {
    const session = await signedUpClient();
    const html = await textOf(await session.client.get(`${PAGE}/nouveau`));
    expect(html).toMatch(new RegExp(`<option value="${VAT_EXEMPTIONS.franchise.code}" selected`));
    expect(html).toMatch(/<option value="0" selected/);
  });

  it("stores a zero rate with its exemption's category and shows the reason in the list", async () => {
    const session = await signedUpClient();
    const res = await session.client.postForm(PAGE, { ...form, vatRate: "0", exemptionCode: VAT_EXEMPTIONS.reverseChargeEu.code });
    expect(res.status).toBe(303);
    const id = (res.headers.get("location") ?? "").split("/")[2]?.split("?")[0] ?? "";
    expect(await productRow(id)).toMatchObject({ vat_category: "AE", vat_rate_bp: 0, exemption_code: "VATEX-EU-AE" });
    expect(await textOf(await session.client.get(PAGE))).toContain("Autoliquidation");
  });

  it("shows the field errors, keeps what was typed and creates nothing", async () => {
    const session = await signedUpClient();
    const res = await session.client.postForm(PAGE, { ...form, name: "Conseil", unitPrice: "12,34567", vatRate: "0", stockTracked: "on" });
    expect(res.status).toBe(400);
    const html = await textOf(res);
    expect(html).toContain('id="f-unitPrice-error"');
    expect(html).toContain(t("products.err.price"));
    expect(html).toContain('id="f-exemptionCode-error"');
    expect(html).toContain(t("products.err.exemption.required"));
    expect(html).toContain('id="f-stockTracked-error"');
    expect(html).toContain(t("products.err.stock.service"));
    expect(html).toContain('value="Conseil"');
    expect(html).toContain('value="12,34567"');
    expect(await productCount(session.accountId)).toBe(0);
  });

  it("edits an item, and changes nothing when the edit is refused", async () => {
    const session = await signedUpClient();
    const created = await createProduct(session);
    const res = await session.client.postForm(`${PAGE}/${created.id}`, { ...form, name: "Formation", unitCode: "HUR", unitPrice: "95", vatRate: "10" });
    expect(res.status).toBe(303);
    const saved = await productRow(created.id);
    expect(saved).toMatchObject({ name: "Formation", unit_code: "HUR", unit_price_cents: 9_500, vat_rate_bp: 1000 });

    const refused = await session.client.postForm(`${PAGE}/${created.id}`, { ...form, name: "Autre", vatRate: "19,6" });
    expect(refused.status).toBe(400);
    expect(await textOf(refused)).toContain(t("products.err.vatRate"));
    expect(await productRow(created.id)).toEqual(saved);
  });

  it("hides an archived item from the catalogue and shows it under the Archivés filter", async () => {
    const session = await signedUpClient();
    const kept = await createProduct(session, { name: "Audit" });
    const gone = await createProduct(session, { name: "Ancienne offre" });
    expect((await session.client.postForm(`${PAGE}/${gone.id}/archiver`, {})).status).toBe(303);
    expect(listedIds(await textOf(await session.client.get(PAGE)))).toEqual([kept.id]);
    expect(listedIds(await textOf(await session.client.get(`${PAGE}?archived=1`)))).toEqual([gone.id]);
    expect((await session.client.postForm(`${PAGE}/${gone.id}/desarchiver`, {})).status).toBe(303);
    expect(listedIds(await textOf(await session.client.get(PAGE)))).toEqual([gone.id, kept.id]);
  });

  it("deletes an unused item, and only offers archiving for one used on a document", async () => {
    const session = await signedUpClient();
    const unused = await createProduct(session, { name: "Inutilisé" });
    const used = await createProduct(session, { name: "Utilisé" });
    await insertLine(session.accountId, used.id);

    const res = await session.client.postForm(`${PAGE}/${unused.id}/supprimer`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}?ok=deleted`);
    expect(await productRow(unused.id)).toBeNull();

    const detail = await textOf(await session.client.get(`${PAGE}/${used.id}`));
    expect(detail).toContain(t("products.delete.referenced"));
    expect(detail).not.toContain(`action="${PAGE}/${used.id}/supprimer"`);
    const refused = await session.client.postForm(`${PAGE}/${used.id}/supprimer`, {});
    expect(refused.status).toBe(409);
    expect(await textOf(refused)).toContain(t("products.err.referenced"));
    expect(await productRow(used.id)).not.toBeNull();
  });

  it("sends a signed-out visitor to the login page", async () => {
    const res = await new TestClient().get(PAGE);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("/connexion");
  });
});

describe("catalogue list: search and keyset pagination", () => {
  it("walks 30 items in pages of 25 without duplicate or gap, forward and back", async () => {
    const session = await signedUpClient();
    const names = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const name = `${["Prestation", "prestation", "Prêt", "Atelier", "Œuvre"][i % 5]} ${String((i * 11) % 30).padStart(2, "0")}`;
      names.set((await createProduct(session, { name })).id, name);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body = (await (await session.client.json("GET", `${API}${cursor ? `?cursor=${cursor}` : ""}`)).json()) as ListJson;
      expect(body.items.length).toBeLessThanOrEqual(25);
      seen.push(...body.items.map((p) => p.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 5);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(30);
    expect(new Set(seen)).toEqual(new Set(names.keys()));
    const keys = seen.map((id) => searchKey(names.get(id) ?? ""));
    expect(keys).toEqual([...keys].sort());

    const first = await textOf(await session.client.get(PAGE));
    const second = await textOf(await session.client.get(linkOf(first, "next") ?? ""));
    expect(listedIds(second)).toHaveLength(5);
    const back = await textOf(await session.client.get(linkOf(second, "prev") ?? ""));
    expect(listedIds(back)).toEqual(listedIds(first));
  });

  it("finds items by the start of any word of their name, ligatures and accents included", async () => {
    const session = await signedUpClient();
    const oeuvre = await createProduct(session, { name: "Œuvre sur mesure" });
    const pret = await createProduct(session, { name: "Prêt de matériel" });
    const chef = await createProduct(session, { name: "Chef-d'œuvre" });

    // "oeuvre" ends the second name: its matched words "oeuvre" sort before "oeuvre sur mesure".
    const byOe = (await (await session.client.json("GET", `${API}?q=oeuv`)).json()) as ListJson;
    expect(byOe.items.map((p) => p.id)).toEqual([chef.id, oeuvre.id]);
    const byMesure = (await (await session.client.json("GET", `${API}?q=MESURE`)).json()) as ListJson;
    expect(byMesure.items.map((p) => p.id)).toEqual([oeuvre.id]);
    const byPret = (await (await session.client.json("GET", `${API}?q=${encodeURIComponent("PRET")}`)).json()) as ListJson;
    expect(byPret.items.map((p) => p.id)).toEqual([pret.id]);
    expect(listedIds(await textOf(await session.client.get(`${PAGE}?q=pr%C3%AAt`)))).toEqual([pret.id]);
  });
});

describe("catalogue API", () => {
  it("creates, reads and replaces an item; what GET returns can be PUT back", async () => {
    const session = await signedUpClient();
    const res = await session.client.json("POST", API, { name: "Câble", unitCode: "MTR", unitPrice: 2.5, vatRate: 20, kind: "goods", stockTracked: true });
    expect(res.status).toBe(201);
    const { product } = (await res.json()) as { product: ProductJson };
    expect(product).toMatchObject({ unitCode: "MTR", unitPriceCents: 250, vatCategory: "S", vatRateBp: 2000, kind: "goods", stockTracked: true });
    expect(product).not.toHaveProperty("accountId");

    const got = (await (await session.client.json("GET", `${API}/${product.id}`)).json()) as { product: ProductJson };
    expect(got.product).toEqual(product);

    const put = await session.client.json("PUT", `${API}/${product.id}`, { ...got.product, vatRateBp: 550 });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { product: ProductJson }).product).toMatchObject({ id: product.id, unitPriceCents: 250, vatRateBp: 550, stockTracked: true });
  });

  it("answers field errors in the house shape and changes nothing", async () => {
    const session = await signedUpClient();
    const created = await createProduct(session);
    const before = await productRow(created.id);
    const res = await session.client.json("PUT", `${API}/${created.id}`, { ...form, unitCode: "XYZ", vatRate: 0, exemptionCode: VAT_EXEMPTIONS.export.code });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("invalid");
    expect(body.error.fields).toEqual({ unitCode: t("products.err.unit"), exemptionCode: t("products.err.exemption.kind") });
    expect(await productRow(created.id)).toEqual(before);
    expect((await session.client.json("POST", API, { name: "Sans prix" })).status).toBe(400);
    expect(await productCount(session.accountId)).toBe(1);
  });

  it("archives, unarchives and deletes; a used item is a 409 that explains archiving", async () => {
    const session = await signedUpClient();
    const created = await createProduct(session);
    const archived = ((await (await session.client.json("POST", `${API}/${created.id}/archive`)).json()) as { product: ProductJson }).product;
    expect(archived.archivedAt).toEqual(expect.any(Number));
    expect(((await (await session.client.json("GET", `${API}?archived=1`)).json()) as ListJson).items.map((p) => p.id)).toEqual([created.id]);
    const back = ((await (await session.client.json("POST", `${API}/${created.id}/unarchive`)).json()) as { product: ProductJson }).product;
    expect(back.archivedAt).toBeNull();

    await insertLine(session.accountId, created.id);
    const refused = await session.client.json("DELETE", `${API}/${created.id}`);
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as ErrorJson;
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toBe(t("products.err.referenced"));

    const unused = await createProduct(session, { name: "Libre" });
    expect((await session.client.json("DELETE", `${API}/${unused.id}`)).status).toBe(204);
    expect((await session.client.json("GET", `${API}/${unused.id}`)).status).toBe(404);
  });

  it("only counts the account's own document lines as uses", async () => {
    const owner = await signedUpClient();
    const other = await signedUpClient();
    const created = await createProduct(owner);
    await insertLine(other.accountId, created.id);
    expect((await owner.client.json("DELETE", `${API}/${created.id}`)).status).toBe(204);
  });

  it("requires a session", async () => {
    expect((await new TestClient().json("GET", API)).status).toBe(401);
  });
});

describe("catalogue items of another account", () => {
  it("are a 404 on every page and every API route, and stay untouched", async () => {
    const owner = await signedUpClient({ companyName: "Atelier Alpha" });
    const intruder = await signedUpClient({ companyName: "Boutique Beta" });
    const created = await createProduct(owner, { name: "Offre confidentielle" });
    const before = await productRow(created.id);
    const page = `${PAGE}/${created.id}`;
    const api = `${API}/${created.id}`;

    const attempts: Array<[string, () => Promise<Response>]> = [
      ["GET page", () => intruder.client.get(page)],
      ["POST edit form", () => intruder.client.postForm(page, { ...form, name: "Piraté" })],
      ["POST archiver", () => intruder.client.postForm(`${page}/archiver`, {})],
      ["POST desarchiver", () => intruder.client.postForm(`${page}/desarchiver`, {})],
      ["POST supprimer", () => intruder.client.postForm(`${page}/supprimer`, {})],
      ["GET API", () => intruder.client.json("GET", api)],
      ["PUT API", () => intruder.client.json("PUT", api, { ...form, name: "Piraté" })],
      ["DELETE API", () => intruder.client.json("DELETE", api)],
      ["POST archive API", () => intruder.client.json("POST", `${api}/archive`)],
      ["POST unarchive API", () => intruder.client.json("POST", `${api}/unarchive`)],
    ];
    for (const [what, attempt] of attempts) {
      const res = await attempt();
      expect(res.status, what).toBe(404);
      expect(await res.text(), what).not.toContain("Offre confidentielle");
    }
    expect(await productRow(created.id)).toEqual(before);
    expect(((await (await intruder.client.json("GET", `${API}?q=offre`)).json()) as ListJson).items).toEqual([]);
    expect(await (await intruder.client.get(PAGE)).text()).not.toContain("Offre confidentielle");
  });
});
