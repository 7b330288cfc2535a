import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type CatalogueItem, type EditorLine, lineOfItem, parseLines } from "../../src/client/islands/line-editor";
import { lineEditorLabels } from "../../src/worker/features/documents/pages";
import { translator } from "../../src/worker/ui/i18n";
import { signedUpClient, type TestClient } from "../helpers/client";
import { exportArchive, importInto } from "../helpers/data-jobs";
import { createDraftVia, readyAccount, S20 } from "../helpers/invoicing";

// Issue #13: unit prices with up to 4 decimals (3,333 €/kg; 0,0125 € per unit), line nets to the cent.

const fr = translator("fr");
const S55 = { vatCategory: "S", vatRateBp: 550, kind: "goods" } as const;

type ApiLine = { unitPriceCents: number; unitPriceE4: number | null; unitPrice: string; productId: string | null };
type ApiDoc = { id: string; status: string; number: string | null; taxExclusiveCents: number; vatTotalCents: number; taxInclusiveCents: number };

async function getDoc(client: TestClient, id: string) {
  return (await (await client.json("GET", `/api/v1/documents/${id}`)).json()) as { document: ApiDoc; lines: ApiLine[] };
}

const counts = async (accountId: string) =>
  env.DB.prepare("SELECT (SELECT count(*) FROM documents WHERE account_id = ?1) AS docs, (SELECT count(*) FROM document_lines WHERE account_id = ?1) AS lines")
    .bind(accountId)
    .first<{ docs: number; lines: number }>();

const subCentBody = (clientId: string) => ({
  type: "invoice",
  clientId,
  lines: [
    { description: "Farine T80 (vrac)", quantity: "2.5", unitCode: "KGM", unitPrice: "3.333", ...S55 },
    { description: "Étiquettes", quantity: "1000", unitCode: "C62", unitPrice: "0.0125", ...S20 },
    { description: "Conception", quantity: "1", unitCode: "C62", unitPriceCents: 65_000, ...S20 },
  ],
});

describe("unit prices with up to 4 decimals through the API", () => {
  it("accepts \"3.333\" and \"0.0125\", rounds each line net to the cent and keeps whole-cent clients working", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, subCentBody(a.clientId));
    const { document, lines } = await getDoc(a.client, id);
    expect(lines.map((l) => [l.unitPrice, l.unitPriceE4, l.unitPriceCents])).toEqual([
      ["3.333", 33_330, 333],
      ["0.0125", 125, 1],
      ["650.00", null, 65_000],
    ]);
    // 2.5 × 3.333 = 8.3325 → 8.33 (5.5 %); 1000 × 0.0125 = 12.50 and 650.00 (20 %).
    expect(document.taxExclusiveCents).toBe(833 + 1250 + 65_000);
    // VAT per rate on the sum of nets: 8.33 × 5.5 % = 0.458 → 0.46; 662.50 × 20 % = 132.50.
    expect(document.vatTotalCents).toBe(46 + 13_250);

    // What GET returns can be PUT back unchanged (the decimal string, or the stored e4 alone).
    const back = await a.client.json("PUT", `/api/v1/documents/${id}`, {
      clientId: a.clientId,
      lines: lines.map((l, i) => ({ ...subCentBody(a.clientId).lines[i], unitPrice: undefined, unitPriceCents: l.unitPriceCents, unitPriceE4: l.unitPriceE4 })),
    });
    expect(back.status).toBe(200);
    expect((await getDoc(a.client, id)).document.taxExclusiveCents).toBe(document.taxExclusiveCents);
  });

  it("refuses a fifth decimal with `invalid`, a French message on the field, and writes nothing", async () => {
    const a = await readyAccount();
    const before = await counts(a.accountId);
    const body = subCentBody(a.clientId);
    body.lines[1] = { ...body.lines[1]!, unitPrice: "0.01255" };
    const res = await a.client.json("POST", "/api/v1/documents", body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(error.code).toBe("invalid");
    expect(error.fields).toEqual({ "lines.1.unitPrice": fr("documents.err.priceDecimals") });
    expect(error.fields["lines.1.unitPrice"]).toContain("4 décimales au plus");
    expect(await counts(a.accountId)).toEqual(before);

    // An existing draft keeps its lines and totals when an update carries 5 decimals.
    const id = await createDraftVia(a.client, subCentBody(a.clientId));
    const saved = await getDoc(a.client, id);
    const put = await a.client.json("PUT", `/api/v1/documents/${id}`, body);
    expect(put.status).toBe(400);
    expect(await getDoc(a.client, id)).toEqual(saved);
    // A negative or malformed price is refused as a price, not as decimals.
    for (const bad of ["-1", "3,33 €", "1e3"]) {
      const r = await a.client.json("POST", "/api/v1/documents", { ...body, lines: [{ ...body.lines[0]!, unitPrice: bad }] });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { fields: Record<string, string> } }).error.fields["lines.0.unitPrice"]).toBe(fr("documents.err.price"));
    }
  });

  it("shows the 4-decimal price on the draft page and freezes it in the issued snapshot and the XML (BT-146)", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, subCentBody(a.clientId));
    // The draft's page lists the lines with the price as precise as it is, 2 decimals otherwise.
    const page = await (await a.client.get(`/documents/${id}`)).text();
    expect(page).toContain("3,333\u00A0€");
    expect(page).toContain("0,0125\u00A0€");
    expect(page).toContain("650,00\u00A0€");
    const issued = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    expect(issued.status).toBe(200);
    const xml = await (await a.client.get(`/api/v1/documents/${id}/xml`)).text();
    expect([...xml.matchAll(/<ram:ChargeAmount>([^<]*)</g)].map((m) => m[1])).toEqual(["3.333", "0.0125", "650.00"]);
    expect([...xml.matchAll(/<ram:LineTotalAmount>([^<]*)</g)].map((m) => m[1]).slice(0, 3)).toEqual(["8.33", "12.50", "650.00"]);
    const row = await env.DB.prepare("SELECT snapshot FROM documents WHERE id = ?").bind(id).first<{ snapshot: string }>();
    const snapshot = JSON.parse(row?.snapshot ?? "{}") as { lines: Array<{ unitPriceCents: number; unitPriceE4?: number }> };
    expect(snapshot.lines.map((l) => [l.unitPriceCents, l.unitPriceE4])).toEqual([
      [333, 33_330],
      [1, 125],
      // A whole-cent line is frozen exactly as before: no unitPriceE4 key at all.
      [65_000, undefined],
    ]);
    expect(Object.keys(snapshot.lines[2] ?? {})).not.toContain("unitPriceE4");
  });
});

describe("a catalogue item with a 4-decimal price", () => {
  it("is stored, listed and flows into a draft line through the editor with its 4 decimals", async () => {
    const a = await readyAccount();
    const created = await a.client.json("POST", "/api/v1/products", { name: "Farine T80", unitCode: "KGM", unitPrice: "3,333", vatRate: "5,5", kind: "goods" });
    expect(created.status).toBe(201);
    const { product } = (await created.json()) as { product: { id: string; unitPriceCents: number; unitPriceE4: number | null } };
    expect([product.unitPriceCents, product.unitPriceE4]).toEqual([333, 33_330]);
    expect(await (await a.client.get("/produits")).text()).toContain("3,333\u00A0€");

    // Five decimals are refused, the catalogue unchanged.
    const refused = await a.client.json("POST", "/api/v1/products", { name: "Trop précis", unitPrice: "0,01255", vatRate: "20", kind: "goods" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { fields: Record<string, string> } }).error.fields.unitPrice).toBe(fr("products.err.price"));

    // The editor page lists the item with its exact price; picking it prefills "3,333".
    const html = await (await a.client.get("/factures/nouvelle")).text();
    const m = /data-island="line-editor" data-props="([^"]*)"/.exec(html);
    const props = JSON.parse((m?.[1] ?? "{}").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")) as { products: CatalogueItem[] };
    const item = props.products.find((p) => p.id === product.id);
    expect(item?.unitPriceE4).toBe(33_330);
    const line: EditorLine = { ...lineOfItem(item!, "fr"), quantity: "2,5" };
    expect(line.unitPrice).toBe("3,333");
    const { json, errors } = parseLines([line], lineEditorLabels(fr));
    expect(errors).toEqual({});
    const res = await a.client.postForm("/factures/nouvelle", {
      type: "invoice",
      clientId: a.clientId,
      issueDate: "",
      deliveryDate: "",
      paymentTermsDays: "",
      purchaseOrderReference: "",
      note: "",
      allowanceKind: "percent",
      allowanceValue: "",
      lines: JSON.stringify(json),
    });
    expect(res.status).toBe(303);
    const id = /^\/documents\/([^/?]+)/.exec(res.headers.get("location") ?? "")?.[1] ?? "";
    const { document, lines } = await getDoc(a.client, decodeURIComponent(id));
    expect(lines.map((l) => [l.productId, l.unitPrice, l.unitPriceE4])).toEqual([[product.id, "3.333", 33_330]]);
    expect(document.taxExclusiveCents).toBe(833);
    // The draft page shows the line again as typed, 4 decimals kept.
    const edit = await (await a.client.get(`/documents/${document.id}/modifier`)).text();
    expect(edit).toContain("3,333");
  });
});

describe("export and import of 4-decimal prices", () => {
  it("carries the catalogue price, the draft and issued lines and the issued files through unchanged", async () => {
    const a = await readyAccount();
    expect((await a.client.json("POST", "/api/v1/products", { name: "Farine T80", unitCode: "KGM", unitPrice: "3,333", vatRate: "5,5", kind: "goods" })).status).toBe(201);
    const issuedId = await createDraftVia(a.client, subCentBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${issuedId}/issue`, {})).status).toBe(200);
    const draftId = await createDraftVia(a.client, subCentBody(a.clientId));
    const source = await getDoc(a.client, draftId);

    const b = await signedUpClient();
    const job = await importInto(b.client, await exportArchive(a.client));
    expect(job.error).toBeNull();
    const prices = async (accountId: string) => ({
      products: (await env.DB.prepare("SELECT unit_price_cents AS c, unit_price_e4 AS e4 FROM products WHERE account_id = ?").bind(accountId).all()).results,
      lines: (
        await env.DB.prepare(
          "SELECT d.status, d.tax_exclusive_cents, d.pdf_sha256, l.position, l.unit_price_cents, l.unit_price_e4 FROM document_lines l JOIN documents d ON d.id = l.document_id WHERE l.account_id = ? ORDER BY d.status, l.position",
        )
          .bind(accountId)
          .all()
      ).results,
    });
    const before = await prices(a.accountId);
    expect(before.products).toEqual([{ c: 333, e4: 33_330 }]);
    expect(before.lines.filter((l) => l.unit_price_e4 === 125)).toHaveLength(2);
    expect(await prices(b.accountId)).toEqual(before);
    // The imported draft computes the same totals from its lines.
    const imported = (await (await b.client.json("GET", "/api/v1/documents?type=invoice")).json()) as { items: Array<{ id: string; status: string }> };
    const draft = imported.items.find((d) => d.status === "draft");
    expect((await getDoc(b.client, draft?.id ?? "")).document.taxExclusiveCents).toBe(source.document.taxExclusiveCents);
  });
});
