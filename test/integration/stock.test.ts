import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { e4ToDecimal, formatQuantityE4 } from "../../src/worker/domain/stock";
import { issueDocument } from "../../src/worker/features/documents/issue";
import { loadDocument } from "../../src/worker/features/documents/drafts";
import { stockStatementsForIssue } from "../../src/worker/features/stock/issue";
import { randomId } from "../../src/worker/lib/crypto/random";
import { TEST_PASSWORD, type TestClient } from "../helpers/client";
import { createDraftVia, readyAccount, verbCtx } from "../helpers/invoicing";

type Account = Awaited<ReturnType<typeof readyAccount>>;
type Level = { onHandE4: number; lowThresholdE4: number | null };

/** A catalogue item written directly (the products feature has its own tests). */
async function insertProduct(accountId: string, opts: { name?: string; kind?: "goods" | "service"; tracked?: boolean; priceCents?: number } = {}): Promise<string> {
  const id = randomId();
  const now = Date.now();
  const name = opts.name ?? `Carafe ${id.slice(0, 6)}`;
  await env.DB.prepare(
    "INSERT INTO products (id, account_id, name, search_name, unit_code, unit_price_cents, vat_category, vat_rate_bp, kind, stock_tracked, created_at, updated_at) VALUES (?, ?, ?, ?, 'C62', ?, 'S', 2000, ?, ?, ?, ?)",
  )
    .bind(id, accountId, name, name.toLowerCase(), opts.priceCents ?? 2_500, opts.kind ?? "goods", opts.tracked === false ? 0 : 1, now, now)
    .run();
  return id;
}

const goodsLine = (productId: string | null, quantity: string, kind: "goods" | "service" = "goods") => ({
  productId,
  description: "Carafe en verre",
  quantity,
  unitCode: "C62",
  unitPriceCents: 2_500,
  vatCategory: "S",
  vatRateBp: 2000,
  kind,
});

async function issue(client: TestClient, id: string): Promise<{ id: string; number: string; issueDate: string }> {
  const res = await client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: { id: string; number: string; issueDate: string } }).document;
}

async function issuedInvoice(a: Account, lines: unknown[], type = "invoice") {
  return issue(a.client, await createDraftVia(a.client, { type, clientId: a.clientId, lines }));
}

async function issuedCreditNote(a: Account, invoiceId: string, lines: unknown[]) {
  return issue(a.client, await createDraftVia(a.client, { type: "credit_note", precedingDocumentId: invoiceId, clientId: a.clientId, lines }));
}

async function move(a: Account, productId: string, body: Record<string, unknown>) {
  return a.client.json("POST", `/api/v1/stock/${productId}/movements`, body);
}

async function levelOf(a: Account, productId: string): Promise<Level> {
  const res = await a.client.json("GET", `/api/v1/stock/${productId}/movements`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { level: Level }).level;
}

async function movementsOf(productId: string) {
  const { results } = await env.DB.prepare("SELECT reason, quantity_e4, document_id, document_line_id, occurred_on, note FROM stock_movements WHERE product_id = ? ORDER BY created_at, rowid")
    .bind(productId)
    .all<{ reason: string; quantity_e4: number; document_id: string | null; document_line_id: string | null; occurred_on: string; note: string | null }>();
  return results;
}

/** Σ movements and the stored level, straight from D1. */
async function bookOf(productId: string) {
  const sum = await env.DB.prepare("SELECT coalesce(sum(quantity_e4), 0) AS n, count(*) AS c FROM stock_movements WHERE product_id = ?").bind(productId).first<{ n: number; c: number }>();
  const level = await env.DB.prepare("SELECT on_hand_e4 AS n FROM stock_levels WHERE product_id = ?").bind(productId).first<{ n: number }>();
  return { sum: sum?.n ?? 0, count: sum?.c ?? 0, level: level?.n ?? 0 };
}

describe("§3.4 stock: movements recorded by hand", () => {
  it("§3.4 stock: records the opening stock, a reception, an adjustment and an inventory count, and the level is their sum", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    expect((await move(a, p, { reason: "initial", quantity: "10" })).status).toBe(201);
    expect((await move(a, p, { reason: "purchase", quantity: "2,5", note: "BL 4521, Verrerie Dupont" })).status).toBe(201);
    expect((await move(a, p, { reason: "adjustment", quantity: "-1", note: "Casse en rayon" })).status).toBe(201);
    expect(await levelOf(a, p)).toMatchObject({ onHandE4: 115_000 });
    // Counted 9.75: the difference with 11.5 is recorded as an adjustment of −1.75.
    const count = await move(a, p, { reason: "inventory", quantity: "9,75" });
    expect(count.status).toBe(201);
    expect(((await count.json()) as { movement: { quantityE4: number; reason: string } }).movement).toMatchObject({ quantityE4: -17_500, reason: "adjustment" });
    // A count equal to the stock records nothing.
    const same = await move(a, p, { reason: "inventory", quantity: "9.75" });
    expect(same.status).toBe(200);
    expect(((await same.json()) as { movement: unknown }).movement).toBeNull();
    expect((await movementsOf(p)).map((m) => [m.reason, m.quantity_e4])).toEqual([
      ["initial", 100_000],
      ["purchase", 25_000],
      ["adjustment", -10_000],
      ["adjustment", -17_500],
    ]);
    const book = await bookOf(p);
    expect(book.level).toBe(97_500);
    expect(book.level).toBe(book.sum);
  });

  it("§3.4 stock: sets and clears the low-stock threshold, which drives the status", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    await move(a, p, { reason: "purchase", quantity: "3" });
    const set = await a.client.json("PUT", `/api/v1/stock/${p}/threshold`, { threshold: "5" });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { level: Level }).level).toMatchObject({ onHandE4: 30_000, lowThresholdE4: 50_000 });
    const list = (await (await a.client.json("GET", "/api/v1/stock?filter=low")).json()) as { items: Array<{ productId: string; status: string }>; alerts: { low: number } };
    expect(list.items.map((i) => [i.productId, i.status])).toEqual([[p, "low"]]);
    expect(list.alerts.low).toBe(1);
    expect((await a.client.json("PUT", `/api/v1/stock/${p}/threshold`, { threshold: null })).status).toBe(200);
    expect(await levelOf(a, p)).toMatchObject({ lowThresholdE4: null, onHandE4: 30_000 });
    const after = (await (await a.client.json("GET", "/api/v1/stock")).json()) as { items: Array<{ productId: string; status: string }> };
    expect(after.items.find((i) => i.productId === p)?.status).toBe("ok");
  });
});

describe("§3.4 stock: sales and returns at issue", () => {
  it("§3.4 stock: an issued invoice takes its goods out of stock and a credit note puts them back, linked to the document", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    await move(a, p, { reason: "purchase", quantity: "5" });
    const draftId = await createDraftVia(a.client, { type: "invoice", clientId: a.clientId, lines: [goodsLine(p, "2.5")] });
    // A draft moves nothing.
    expect((await bookOf(p)).count).toBe(1);
    const invoice = await issue(a.client, draftId);
    const credit = await issuedCreditNote(a, invoice.id, [goodsLine(p, "1")]);
    const moves = await movementsOf(p);
    expect(moves.slice(1).map((m) => [m.reason, m.quantity_e4, m.document_id, m.occurred_on])).toEqual([
      ["sale", -25_000, invoice.id, invoice.issueDate],
      ["return", 10_000, credit.id, credit.issueDate],
    ]);
    expect(await levelOf(a, p)).toMatchObject({ onHandE4: 35_000 });
    // The history page links each sale to its invoice by number.
    const html = await (await a.client.get(`/stock/${p}`)).text();
    expect(html).toContain(`href="/documents/${invoice.id}">${invoice.number}</a>`);
    expect(html).toContain(`href="/documents/${credit.id}">${credit.number}</a>`);
  });

  it("§3.4 stock: selling more than recorded makes the stock negative, shown in red with an explanation, and the invoice is issued", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId, { name: "Théière fonte" });
    await move(a, p, { reason: "purchase", quantity: "1" });
    await issuedInvoice(a, [goodsLine(p, "3")]);
    expect(await levelOf(a, p)).toMatchObject({ onHandE4: -20_000 });
    const list = await (await a.client.get("/stock?filter=negative")).text();
    expect(list).toContain("Théière fonte");
    expect(list).toContain("stock-status-negative");
    expect(list).toContain("stock-negative");
    expect(list).toContain("Un stock négatif signifie");
    const detail = await (await a.client.get(`/stock/${p}`)).text();
    expect(detail).toContain("stock-negative-explain");
  });

  it("§3.4 stock: deposit invoices and quotes do not move stock, nor do service lines, lines without product or untracked products", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    const untracked = await insertProduct(a.accountId, { tracked: false });
    const service = await insertProduct(a.accountId, { kind: "service", tracked: false });
    await move(a, p, { reason: "purchase", quantity: "10" });
    await issuedInvoice(a, [goodsLine(p, "2")], "deposit_invoice");
    await issuedInvoice(a, [goodsLine(p, "2")], "quote");
    await issuedInvoice(a, [goodsLine(p, "2", "service"), goodsLine(null, "4"), goodsLine(untracked, "1"), goodsLine(service, "1", "service")]);
    expect(await bookOf(p)).toEqual({ sum: 100_000, count: 1, level: 100_000 });
    for (const other of [untracked, service]) expect((await bookOf(other)).count).toBe(0);
  });

  it("§3.4 stock: an issue that fails after allocation and is retried, then whose batch runs twice more, counts each line once", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    const id = await createDraftVia(a.client, { type: "invoice", clientId: a.clientId, lines: [goodsLine(p, "1.5"), goodsLine(p, "0.25")] });
    const boom = () => {
      throw new Error("injected D1 failure");
    };
    await expect(issueDocument(verbCtx(a.accountId), id, {}, { afterAllocation: boom })).rejects.toThrow(/injected/);
    expect((await bookOf(p)).count).toBe(0);
    const doc = await issueDocument(verbCtx(a.accountId), id);
    expect(doc.status).toBe("issued");
    expect(await bookOf(p)).toEqual({ sum: -17_500, count: 2, level: -17_500 });
    // The reconciler's batch landing again (same lines, later clock) changes nothing.
    const { lines } = await loadDocument(verbCtx(a.accountId), id);
    for (let i = 0; i < 2; i++) {
      const ctx = verbCtx(a.accountId, Date.now() + i + 1);
      const [first, ...rest] = stockStatementsForIssue(ctx.db, a.accountId, { id, type: "invoice", issueDate: doc.issueDate!, issuedAt: ctx.now }, lines);
      await ctx.db.batch([first!, ...rest]);
    }
    expect(await bookOf(p)).toEqual({ sum: -17_500, count: 2, level: -17_500 });
    // Issuing again through the route is refused and moves nothing.
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(409);
    expect((await bookOf(p)).count).toBe(2);
  });

  it("§3.4 stock: the level always equals the sum of the movements over random sequences of receptions, adjustments, counts, invoices and credit notes", async () => {
    const a = await readyAccount();
    const qty = fc.integer({ min: 1, max: 99_999 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant("purchase" as const), e4: qty }),
      fc.record({ kind: fc.constant("adjustment" as const), e4: qty, negative: fc.boolean() }),
      fc.record({ kind: fc.constant("inventory" as const), e4: fc.integer({ min: 0, max: 99_999 }) }),
      fc.record({ kind: fc.constant("invoice" as const), e4: qty }),
      fc.record({ kind: fc.constant("credit" as const), e4: qty }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 5 }), async (ops) => {
        const p = await insertProduct(a.accountId);
        let model = 0;
        let lastInvoice: string | null = null;
        // What the last invoice can still be credited, in goods: a credit note never exceeds its invoice (issue #13).
        let creditableE4 = 0;
        for (const o of ops) {
          if (o.kind === "purchase") {
            expect((await move(a, p, { reason: "purchase", quantity: formatQuantityE4(o.e4, "fr", { grouping: false }) })).status).toBe(201);
            model += o.e4;
          } else if (o.kind === "adjustment") {
            const e4 = o.negative ? -o.e4 : o.e4;
            expect((await move(a, p, { reason: "adjustment", quantity: formatQuantityE4(e4, "fr", { grouping: false }), note: "Correction" })).status).toBe(201);
            model += e4;
          } else if (o.kind === "inventory") {
            expect((await move(a, p, { reason: "inventory", quantity: e4ToDecimal(o.e4) })).status).toBeLessThan(300);
            model = o.e4;
          } else if (o.kind === "invoice") {
            lastInvoice = (await issuedInvoice(a, [goodsLine(p, e4ToDecimal(o.e4)), goodsLine(p, "1", "service")])).id;
            creditableE4 = o.e4;
            model -= o.e4;
          } else if (lastInvoice && creditableE4 > 0) {
            const e4 = Math.min(o.e4, creditableE4);
            await issuedCreditNote(a, lastInvoice, [goodsLine(p, e4ToDecimal(e4))]);
            creditableE4 -= e4;
            model += e4;
          }
        }
        const book = await bookOf(p);
        expect(book.level).toBe(model);
        expect(book.sum).toBe(model);
        expect((await levelOf(a, p)).onHandE4).toBe(model);
      }),
      { numRuns: 6 },
    );
  }, 180_000);
});

describe("§3.4 stock: the stock book's integrity", () => {
  it("§3.4 stock: the database refuses to edit or delete a movement while its product exists", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    await move(a, p, { reason: "purchase", quantity: "4" });
    await expect(env.DB.prepare("UPDATE stock_movements SET quantity_e4 = 1 WHERE product_id = ?").bind(p).run()).rejects.toThrow(/stock_movements_append_only/);
    await expect(env.DB.prepare("UPDATE stock_movements SET note = 'x' WHERE product_id = ?").bind(p).run()).rejects.toThrow(/stock_movements_append_only/);
    await expect(env.DB.prepare("DELETE FROM stock_movements WHERE product_id = ?").bind(p).run()).rejects.toThrow(/stock_movements_append_only/);
    expect(await bookOf(p)).toEqual({ sum: 40_000, count: 1, level: 40_000 });
  });

  it("§3.4 stock: deleting an unused product deletes its stock book and level with it", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    await move(a, p, { reason: "purchase", quantity: "4" });
    expect((await a.client.json("DELETE", `/api/v1/products/${p}`)).status).toBe(204);
    expect(await bookOf(p)).toEqual({ sum: 0, count: 0, level: 0 });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM stock_levels WHERE product_id = ?").bind(p).first("n")).toBe(0);
  });

  it("§3.4 stock: closing the account deletes the movements and levels, counted on the closure plan", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    await move(a, p, { reason: "purchase", quantity: "4" });
    await a.client.json("PUT", `/api/v1/stock/${p}/threshold`, { threshold: "1" });
    await issuedInvoice(a, [goodsLine(p, "1")]);
    const { closurePlan } = await import("../../src/worker/features/privacy/closure");
    expect((await closurePlan({ ...verbCtx(a.accountId), userId: a.userId })).deleted.stockMovements).toBe(2);
    const res = await a.client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "SUPPRIMER" });
    expect(res.status).toBeLessThan(400);
    for (const table of ["stock_movements", "stock_levels"]) {
      expect(await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE account_id = ?`).bind(a.accountId).first("n"), table).toBe(0);
    }
  });
});

describe("§3.4 stock: refusals", () => {
  it("§3.4 stock: another account's product is a 404 on every stock route, and nothing is written", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    const p = await insertProduct(a.accountId);
    await move(a, p, { reason: "purchase", quantity: "4" });
    expect((await move(b, p, { reason: "purchase", quantity: "1" })).status).toBe(404);
    expect((await move(b, p, { reason: "inventory", quantity: "0" })).status).toBe(404);
    expect((await b.client.json("PUT", `/api/v1/stock/${p}/threshold`, { threshold: "2" })).status).toBe(404);
    expect((await b.client.json("GET", `/api/v1/stock/${p}/movements`)).status).toBe(404);
    expect((await b.client.get(`/stock/${p}`)).status).toBe(404);
    expect((await b.client.postForm(`/stock/${p}/reception`, { purchaseQuantity: "1", purchaseOn: "2026-01-01" })).status).toBe(404);
    const list = (await (await b.client.json("GET", "/api/v1/stock")).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    expect(await bookOf(p)).toEqual({ sum: 40_000, count: 1, level: 40_000 });
    expect(await levelOf(a, p)).toMatchObject({ lowThresholdE4: null });
  });

  it("§3.4 stock: refuses bad input with the field at fault, and writes nothing", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    const untracked = await insertProduct(a.accountId, { tracked: false });
    const service = await insertProduct(a.accountId, { kind: "service", tracked: false });
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [p, { reason: "purchase", quantity: "0" }, "quantity"],
      [p, { reason: "purchase", quantity: "1,00001" }, "quantity"],
      [p, { reason: "purchase", quantity: "-2" }, "quantity"],
      [p, { reason: "purchase", quantity: "douze" }, "quantity"],
      [p, { reason: "adjustment", quantity: "0", note: "x" }, "quantity"],
      [p, { reason: "adjustment", quantity: "-1" }, "note"],
      [p, { reason: "inventory", quantity: "-1" }, "quantity"],
      [p, { reason: "sale", quantity: "1" }, "reason"],
      [p, { reason: "purchase", quantity: "1", occurredOn: "2026-13-01" }, "occurredOn"],
      [p, { reason: "purchase", quantity: "1", occurredOn: tomorrow }, "occurredOn"],
      [untracked, { reason: "purchase", quantity: "1" }, "productId"],
      [service, { reason: "purchase", quantity: "1" }, "productId"],
    ];
    for (const [product, body, field] of cases) {
      const res = await move(a, product, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = ((await res.json()) as { error: { fields?: Record<string, string> } }).error;
      expect(Object.keys(err.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    for (const [product, body] of [
      [untracked, { threshold: "2" }],
      [p, { threshold: "-1" }],
      [p, { threshold: "0,00001" }],
    ] as const) {
      expect((await a.client.json("PUT", `/api/v1/stock/${product}/threshold`, body)).status).toBe(400);
    }
    for (const product of [p, untracked, service]) expect(await bookOf(product)).toEqual({ sum: 0, count: 0, level: 0 });
    // The opening stock is set once.
    expect((await move(a, p, { reason: "initial", quantity: "3" })).status).toBe(201);
    const twice = await move(a, p, { reason: "initial", quantity: "3" });
    expect(twice.status).toBe(409);
    expect(await bookOf(p)).toEqual({ sum: 30_000, count: 1, level: 30_000 });
  });
});

describe("§3.4 stock: pages", () => {
  it("§3.4 stock: /stock lists tracked products with unit, quantity, threshold, status and value, with the alert summary and filters", async () => {
    const a = await readyAccount();
    const low = await insertProduct(a.accountId, { name: "Bol grès", priceCents: 1_200 });
    const neg = await insertProduct(a.accountId, { name: "Assiette lin" });
    await insertProduct(a.accountId, { name: "Non suivi", tracked: false });
    await move(a, low, { reason: "purchase", quantity: "2" });
    await a.client.json("PUT", `/api/v1/stock/${low}/threshold`, { threshold: "5" });
    await issuedInvoice(a, [goodsLine(neg, "1,5".replace(",", "."))]);
    const html = await (await a.client.get("/stock")).text();
    expect(html).toContain("Bol grès");
    expect(html).toContain("Assiette lin");
    expect(html).not.toContain("Non suivi");
    expect(html).toContain("Stock bas");
    expect(html).toContain("Négatif");
    expect(html).toContain("1 en stock bas");
    expect(html).toContain("1 en négatif");
    expect(html).toContain("24,00\u00a0€"); // 2 × 12,00 €
    expect(html).toContain("-1,5");
    const onlyLow = await (await a.client.get("/stock?filter=low")).text();
    expect(onlyLow).toContain("Bol grès");
    expect(onlyLow).not.toContain("Assiette lin");
    expect((await a.client.get("/stock?filter=nope")).status).toBe(400);
  });

  it("§3.4 stock: the product page records a reception by form, and shows a refused one again with the error tied to its field", async () => {
    const a = await readyAccount();
    const p = await insertProduct(a.accountId);
    const bad = await a.client.postForm(`/stock/${p}/reception`, { purchaseQuantity: "1,23456", purchaseOn: "2026-01-05", purchaseNote: "" });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toMatch(/id="f-purchaseQuantity"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*f-purchaseQuantity-error/);
    expect(html).toContain('value="1,23456"');
    expect((await bookOf(p)).count).toBe(0);
    const ok = await a.client.postForm(`/stock/${p}/reception`, { purchaseQuantity: "12,5", purchaseOn: "2026-01-05", purchaseNote: "BL 77" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`/stock/${p}?ok=movement`);
    const adj = await a.client.postForm(`/stock/${p}/ajustement`, { adjustQuantity: "-0,5", adjustOn: "2026-01-06", adjustNote: "" });
    expect(adj.status).toBe(400);
    expect(await adj.text()).toMatch(/id="f-adjustNote"[^>]*aria-invalid="true"/);
    expect((await a.client.postForm(`/stock/${p}/inventaire`, { countedQuantity: "10", countedOn: "2026-01-07", countedNote: "" })).status).toBe(303);
    expect((await a.client.postForm(`/stock/${p}/seuil`, { threshold: "3" })).status).toBe(303);
    const page = await (await a.client.get(`/stock/${p}?ok=movement`)).text();
    expect(page).toContain("Mouvement enregistré.");
    expect(page).toContain("BL 77");
    expect(page).toContain("+12,5");
    expect(page).toContain("\u22122,5");
    expect(page).toContain("05/01/2026");
    expect(await bookOf(p)).toEqual({ sum: 100_000, count: 2, level: 100_000 });
    expect(await levelOf(a, p)).toMatchObject({ lowThresholdE4: 30_000 });
  });
});
