import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { searchKey } from "../../src/worker/features/clients/search";
import { translator } from "../../src/worker/ui/i18n";
import { signedUpClient, TestClient } from "../helpers/client";

const t = translator("fr");
const PAGE = "/clients";
const API = "/api/v1/clients";

const SIREN = "732829320";
const SIRET = "73282932000074";
const VAT = "FR44732829320";

/** A company client as the browser posts it. */
const form: Record<string, string> = {
  kind: "company",
  name: "Atelier Dupont",
  siren: "",
  siret: "732 829 320 00074",
  vatNumber: VAT,
  addressLine1: "3 place Bellecour",
  addressLine2: "",
  postalCode: "69002",
  city: "Lyon",
  country: "FR",
  deliveryLine1: "",
  deliveryLine2: "",
  deliveryPostalCode: "",
  deliveryCity: "",
  deliveryCountry: "FR",
  email: "compta@dupont.example",
  language: "fr",
  paymentTermsDays: "45",
  electronicAddress: "",
};

interface ClientJson {
  id: string;
  name: string;
  kind: string;
  siren: string | null;
  siret: string | null;
  electronicScheme: string | null;
  electronicAddress: string | null;
  paymentTermsDays: number | null;
  archivedAt: number | null;
  [key: string]: unknown;
}

interface ListJson {
  items: ClientJson[];
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

async function createClient(session: Session, overrides: Record<string, unknown> = {}): Promise<ClientJson> {
  const res = await session.client.json("POST", API, { ...form, ...overrides });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { client: ClientJson }).client;
}

async function clientRow(id: string): Promise<Record<string, unknown> | null> {
  return env.DB.prepare("SELECT * FROM clients WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function clientCount(accountId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM clients WHERE account_id = ?").bind(accountId).first<{ n: number }>();
  return row?.n ?? 0;
}

/** A draft quote naming the client, written straight to D1 as the documents feature would. */
async function insertDocument(accountId: string, clientId: string): Promise<void> {
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO documents (id, account_id, type, status, client_id, created_at, updated_at) VALUES (?, ?, 'quote', 'draft', ?, ?, ?)",
  )
    .bind(crypto.randomUUID(), accountId, clientId, now, now)
    .run();
}

/** The `href` of the link marked rel="next" / rel="prev" in a list page. */
function linkOf(html: string, rel: "next" | "prev"): string | null {
  const m = html.match(new RegExp(`<a href="([^"]+)" rel="${rel}"`));
  return m?.[1] ? m[1].replace(/&amp;/g, "&") : null;
}

/** Ids of the clients listed in a page, in order. */
function listedIds(html: string): string[] {
  return [...html.matchAll(/<a href="\/clients\/([A-Za-z0-9_-]{22})"/g)].map((m) => m[1] ?? "");
}

describe("clients pages", () => {
  it("creates a client from the form, opens its page and lists it", async () => {
    const session = await signedUpClient();
    const res = await session.client.postForm(PAGE, form);
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/clients\/[A-Za-z0-9_-]{22}\?ok=created$/);

    const detail = await textOf(await session.client.get(location));
    expect(detail).toContain(t("clients.created"));
    expect(detail).toContain('value="Atelier Dupont"');
    expect(detail).toContain(`value="${SIRET}"`);
    // SIREN derived from the SIRET; the electronic address defaults to it and is said so.
    expect(detail).toContain(`value="${SIREN}"`);
    expect(detail).toContain(t("clients.electronicAddress.current", { value: SIREN }));

    const id = location.split("/")[2]?.split("?")[0] ?? "";
    const row = await clientRow(id);
    expect(row).toMatchObject({
      account_id: session.accountId,
      siren: SIREN,
      search_name: "atelier dupont",
      electronic_scheme: "0225",
      electronic_address: SIREN,
      payment_terms_days: 45,
      delivery_line1: null,
    });

    const list = await textOf(await session.client.get(PAGE));
    expect(list).toContain("Atelier Dupont");
    expect(listedIds(list)).toEqual([id]);
    expect(list).not.toContain(t("soon.title"));
  });

  it("shows the field errors, keeps what was typed and creates nothing", async () => {
    const session = await signedUpClient();
    const res = await session.client.postForm(PAGE, { ...form, name: "Brouillon SARL", siret: "73282932000075", postalCode: "6900" });
    expect(res.status).toBe(400);
    const html = await textOf(res);
    expect(html).toContain('id="f-siret-error"');
    expect(html).toContain(t("err.siret"));
    expect(html).toContain('id="f-postalCode-error"');
    expect(html).toContain(t("err.postal"));
    expect(html).toContain('value="Brouillon SARL"');
    expect(await clientCount(session.accountId)).toBe(0);
  });

  it("edits a client, and changes nothing when the edit is refused", async () => {
    const session = await signedUpClient();
    const created = await createClient(session);
    const res = await session.client.postForm(`${PAGE}/${created.id}`, { ...form, name: "Atelier Dupont & Fils", city: "Villeurbanne", postalCode: "69100" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}/${created.id}?ok=saved`);
    const saved = await clientRow(created.id);
    expect(saved).toMatchObject({ name: "Atelier Dupont & Fils", search_name: "atelier dupont & fils", city: "Villeurbanne" });

    const refused = await session.client.postForm(`${PAGE}/${created.id}`, { ...form, name: "Autre nom", email: "pas-un-email" });
    expect(refused.status).toBe(400);
    const html = await textOf(refused);
    expect(html).toContain(t("err.email"));
    expect(html).toContain('value="Autre nom"');
    expect(await clientRow(created.id)).toEqual(saved);
  });

  it("hides an archived client from the list and shows it under the Archivés filter", async () => {
    const session = await signedUpClient();
    const kept = await createClient(session, { name: "Client actif" });
    const gone = await createClient(session, { name: "Client ancien" });

    const res = await session.client.postForm(`${PAGE}/${gone.id}/archiver`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}/${gone.id}?ok=archived`);
    const detail = await textOf(await session.client.get(`${PAGE}/${gone.id}?ok=archived`));
    expect(detail).toContain(t("clients.archived.notice"));
    expect(detail).toContain(t("clients.unarchive"));

    expect(listedIds(await textOf(await session.client.get(PAGE)))).toEqual([kept.id]);
    const archived = await textOf(await session.client.get(`${PAGE}?archived=1`));
    expect(listedIds(archived)).toEqual([gone.id]);

    expect((await session.client.postForm(`${PAGE}/${gone.id}/desarchiver`, {})).status).toBe(303);
    expect(listedIds(await textOf(await session.client.get(PAGE))).sort()).toEqual([kept.id, gone.id].sort());
    expect((await clientRow(gone.id))?.archived_at).toBeNull();
  });

  it("deletes a client that no document names", async () => {
    const session = await signedUpClient();
    const created = await createClient(session);
    expect(await textOf(await session.client.get(`${PAGE}/${created.id}`))).toContain(t("clients.delete"));
    const res = await session.client.postForm(`${PAGE}/${created.id}/supprimer`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}?ok=deleted`);
    expect(await clientRow(created.id)).toBeNull();
    expect(await textOf(await session.client.get(`${PAGE}?ok=deleted`))).toContain(t("clients.deleted"));
  });

  it("offers only archiving for a client named on a document, and refuses to delete it", async () => {
    const session = await signedUpClient();
    const created = await createClient(session);
    await insertDocument(session.accountId, created.id);

    const detail = await textOf(await session.client.get(`${PAGE}/${created.id}`));
    expect(detail).toContain(t("clients.delete.referenced"));
    expect(detail).not.toContain(`action="${PAGE}/${created.id}/supprimer"`);

    const res = await session.client.postForm(`${PAGE}/${created.id}/supprimer`, {});
    expect(res.status).toBe(409);
    expect(await textOf(res)).toContain(t("clients.err.referenced"));
    expect(await clientRow(created.id)).not.toBeNull();
  });

  it("sends a signed-out visitor to the login page", async () => {
    for (const path of [PAGE, `${PAGE}/nouveau`]) {
      const res = await new TestClient().get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toContain("/connexion");
    }
  });
});

describe("clients list: search and keyset pagination", () => {
  /** 30 names in no particular order, with the accents and capitals people type. */
  const NAMES = Array.from({ length: 30 }, (_, i) => {
    const n = (i * 7) % 30;
    return `${["Éco", "eco", "ÉCOLE", "Atelier", "bâtiment", "Zoé"][n % 6]} ${String(n).padStart(2, "0")}`;
  });

  it("walks 30 clients in pages of 25 without duplicate or gap, in name order", async () => {
    const session = await signedUpClient();
    const created = new Map<string, string>();
    for (const name of NAMES) created.set((await createClient(session, { name })).id, name);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await session.client.json("GET", `${API}${cursor ? `?cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as ListJson;
      expect(body.items.length).toBeLessThanOrEqual(25);
      seen.push(...body.items.map((c) => c.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 5);

    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(created.keys()));
    const keys = seen.map((id) => searchKey(created.get(id) ?? ""));
    expect(keys).toEqual([...keys].sort());
  });

  it("goes forward with Suivant and back with Précédent to the same first page", async () => {
    const session = await signedUpClient();
    for (const name of NAMES) await createClient(session, { name });

    const first = await textOf(await session.client.get(PAGE));
    const firstIds = listedIds(first);
    expect(firstIds).toHaveLength(25);
    expect(linkOf(first, "prev")).toBeNull();
    const next = linkOf(first, "next");
    expect(next).toMatch(/^\/clients\?cursor=[A-Za-z0-9_-]+$/);

    const second = await textOf(await session.client.get(next ?? ""));
    const secondIds = listedIds(second);
    expect(secondIds).toHaveLength(5);
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
    expect(linkOf(second, "next")).toBeNull();
    expect(second).toContain(t("clients.prev"));

    const back = await textOf(await session.client.get(linkOf(second, "prev") ?? ""));
    expect(listedIds(back)).toEqual(firstIds);
    expect(linkOf(back, "prev")).toBeNull();
    expect(linkOf(back, "next")).toBe(next);
  });

  it("finds clients by the start of any word of their name, whatever the accents and capitals", async () => {
    const session = await signedUpClient();
    const ecole = await createClient(session, { name: "École du Louvre" });
    const ecologie = await createClient(session, { name: "ECOLOGIE SAS" });
    // Found by its second word, after the names that start with the text.
    const biblio = await createClient(session, { name: "Bibliothèque écologique" });
    const archived = await createClient(session, { name: "Écosystème archivé" });
    expect((await session.client.json("POST", `${API}/${archived.id}/archive`)).status).toBe(200);

    const body = (await (await session.client.json("GET", `${API}?q=${encodeURIComponent("écol")}`)).json()) as ListJson;
    expect(body.items.map((c) => c.id)).toEqual([ecole.id, ecologie.id, biblio.id]);
    const archivedOnly = (await (await session.client.json("GET", `${API}?q=eco&archived=true`)).json()) as ListJson;
    expect(archivedOnly.items.map((c) => c.id)).toEqual([archived.id]);

    const page = await textOf(await session.client.get(`${PAGE}?q=ECOL`));
    expect(listedIds(page)).toEqual([ecole.id, ecologie.id, biblio.id]);
    expect(page).toContain('value="ECOL"');
    expect(await textOf(await session.client.get(`${PAGE}?q=zzz`))).toContain(t("clients.empty.search", { q: "zzz" }));
  });

  it("refuses a cursor it did not make", async () => {
    const session = await signedUpClient();
    const res = await session.client.json("GET", `${API}?cursor=not-a-cursor`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("invalid");
    expect(body.error.fields?.cursor).toBe(t("clients.err.cursor"));
  });
});

describe("clients API", () => {
  it("creates, reads and replaces a client; what GET returns can be PUT back", async () => {
    const session = await signedUpClient();
    const res = await session.client.json("POST", API, { ...form, paymentTermsDays: 30, deliveryLine1: "Entrepôt 4", deliveryPostalCode: "69007", deliveryCity: "Lyon" });
    expect(res.status).toBe(201);
    const { client } = (await res.json()) as { client: ClientJson };
    expect(client).toMatchObject({ name: "Atelier Dupont", siren: SIREN, electronicScheme: "0225", electronicAddress: SIREN, paymentTermsDays: 30 });
    expect(client.deliveryCity).toBe("Lyon");
    expect(client).not.toHaveProperty("accountId");
    expect(client).not.toHaveProperty("searchName");

    const got = (await (await session.client.json("GET", `${API}/${client.id}`)).json()) as { client: ClientJson };
    expect(got.client).toEqual(client);

    const put = await session.client.json("PUT", `${API}/${client.id}`, { ...got.client, language: "en", electronicAddress: `${SIREN}_FACTURES` });
    expect(put.status).toBe(200);
    const replaced = ((await put.json()) as { client: ClientJson }).client;
    expect(replaced).toMatchObject({ id: client.id, language: "en", electronicAddress: `${SIREN}_FACTURES`, deliveryCity: "Lyon" });
  });

  it("answers field errors in the house shape and creates nothing", async () => {
    const session = await signedUpClient();
    const res = await session.client.json("POST", API, { ...form, kind: "individual", paymentTermsDays: 90, electronicAddress: "compta@dupont.example" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("invalid");
    expect(body.error.fields).toMatchObject({
      siret: t("clients.err.individual"),
      vatNumber: t("clients.err.individual"),
      paymentTermsDays: t("err.terms"),
      electronicAddress: t("clients.err.electronicAddress"),
    });
    expect(await clientCount(session.accountId)).toBe(0);
  });

  it("changes nothing when a PUT is invalid", async () => {
    const session = await signedUpClient();
    const created = await createClient(session);
    const before = await clientRow(created.id);
    const res = await session.client.json("PUT", `${API}/${created.id}`, { ...form, name: "", country: "France" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorJson).error.fields).toMatchObject({ name: t("form.required"), country: t("err.country") });
    expect(await clientRow(created.id)).toEqual(before);
  });

  it("archives and unarchives", async () => {
    const session = await signedUpClient();
    const created = await createClient(session);
    const archived = ((await (await session.client.json("POST", `${API}/${created.id}/archive`)).json()) as { client: ClientJson }).client;
    expect(archived.archivedAt).toEqual(expect.any(Number));
    // Archiving again keeps the first date.
    const again = ((await (await session.client.json("POST", `${API}/${created.id}/archive`)).json()) as { client: ClientJson }).client;
    expect(again.archivedAt).toBe(archived.archivedAt);
    expect(((await (await session.client.json("GET", API)).json()) as ListJson).items).toEqual([]);

    const back = ((await (await session.client.json("POST", `${API}/${created.id}/unarchive`)).json()) as { client: ClientJson }).client;
    expect(back.archivedAt).toBeNull();
    expect(((await (await session.client.json("GET", API)).json()) as ListJson).items.map((c) => c.id)).toEqual([created.id]);
  });

  it("deletes an unreferenced client, then knows it no more", async () => {
    const session = await signedUpClient();
    const created = await createClient(session);
    expect((await session.client.json("DELETE", `${API}/${created.id}`)).status).toBe(204);
    expect((await session.client.json("GET", `${API}/${created.id}`)).status).toBe(404);
    expect((await session.client.json("DELETE", `${API}/${created.id}`)).status).toBe(404);
  });

  it("refuses to delete a client named on a document with a 409 that explains archiving", async () => {
    const session = await signedUpClient();
    const created = await createClient(session);
    await insertDocument(session.accountId, created.id);
    const res = await session.client.json("DELETE", `${API}/${created.id}`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toBe(t("clients.err.referenced"));
    expect(body.error.message).toContain("Archivez");
    expect(await clientRow(created.id)).not.toBeNull();
  });

  it("only counts the account's own documents as references", async () => {
    const owner = await signedUpClient();
    const other = await signedUpClient();
    const created = await createClient(owner);
    await insertDocument(other.accountId, created.id);
    expect((await owner.client.json("DELETE", `${API}/${created.id}`)).status).toBe(204);
  });

  it("requires a session", async () => {
    expect((await new TestClient().json("GET", API)).status).toBe(401);
  });
});

describe("clients of another account", () => {
  it("are a 404 on every page and every API route, and stay untouched", async () => {
    const owner = await signedUpClient({ companyName: "Atelier Alpha" });
    const intruder = await signedUpClient({ companyName: "Boutique Beta" });
    const created = await createClient(owner, { name: "Client secret" });
    const before = await clientRow(created.id);
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
      expect(await res.text(), what).not.toContain("Client secret");
    }
    expect(await clientRow(created.id)).toEqual(before);

    const list = (await (await intruder.client.json("GET", `${API}?q=client`)).json()) as ListJson;
    expect(list.items).toEqual([]);
    expect(await (await intruder.client.get(`${PAGE}?q=client`)).text()).not.toContain("Client secret");
  });
});
