import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseD1ServerTiming } from "../../src/worker/db/metered";
import { amountForMinutes, minutesToHours } from "../../src/worker/domain/duration";
import { computeTotals } from "../../src/worker/domain/totals";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { closeAccount, closurePlan } from "../../src/worker/features/privacy/closure";
import { startTimer, stopTimer } from "../../src/worker/features/time/verbs";
import { randomId } from "../../src/worker/lib/crypto/random";
import { type TestClient, TEST_PASSWORD } from "../helpers/client";
import { FRANCHISE_PROFILE, insertClient, readyAccount, verbCtx } from "../helpers/invoicing";

type Account = Awaited<ReturnType<typeof readyAccount>>;
type Entry = {
  id: string;
  clientId: string | null;
  productId: string | null;
  description: string;
  workDate: string;
  minutes: number;
  hourlyRateCents: number | null;
  billable: boolean;
  documentId: string | null;
  documentLineId: string | null;
  startedAt: number | null;
};
type ListPage = { items: Entry[]; nextCursor: string | null; totals: { minutes: number; billableCents: number } };
type Line = { id: string; position: number; description: string; quantity: string; unitCode: string; unitPriceCents: number; vatCategory: string; vatRateBp: number; exemptionCode: string | null; productId: string | null };

const API = "/api/v1/time-entries";

async function create(client: TestClient, body: Record<string, unknown>): Promise<Entry> {
  const res = await client.json("POST", API, body);
  if (res.status !== 201) throw new Error(`entry refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { entry: Entry }).entry;
}

const entryBody = (a: Account, extra: Record<string, unknown> = {}) => ({
  clientId: a.clientId,
  description: "Atelier de cadrage",
  workDate: "2026-11-02",
  duration: "1:30",
  hourlyRate: "65",
  billable: true,
  ...extra,
});

async function list(client: TestClient, query = ""): Promise<ListPage> {
  const res = await client.json("GET", `${API}${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ListPage;
}

async function rowsOf(accountId: string): Promise<Array<Record<string, unknown>>> {
  return (await env.DB.prepare("SELECT * FROM time_entries WHERE account_id = ? ORDER BY rowid").bind(accountId).all()).results;
}

async function documentCount(accountId: string): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM documents WHERE account_id = ?").bind(accountId).first<{ n: number }>())?.n ?? 0;
}

async function product(client: TestClient, extra: Record<string, string> = {}): Promise<string> {
  const res = await client.json("POST", "/api/v1/products", { name: "Conseil", unitCode: "HUR", unitPrice: "90", vatRate: "10", kind: "service", ...extra });
  if (res.status !== 201) throw new Error(`product refused: ${await res.text()}`);
  return ((await res.json()) as { product: { id: string } }).product.id;
}

async function bill(client: TestClient, clientId: string, entryIds: string[]): Promise<Response> {
  return client.json("POST", `${API}/bill`, { clientId, entryIds });
}

async function documentOf(client: TestClient, id: string): Promise<{ document: { type: string; status: string; clientId: string; taxExclusiveCents: number; vatTotalCents: number; taxInclusiveCents: number }; lines: Line[] }> {
  const res = await client.json("GET", `/api/v1/documents/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describe("time entries", () => {
  it("§3.4 time tracking: creates, lists, updates and deletes an entry", async () => {
    const a = await readyAccount();
    const entry = await create(a.client, entryBody(a));
    expect(entry).toMatchObject({ clientId: a.clientId, minutes: 90, hourlyRateCents: 6_500, billable: true, workDate: "2026-11-02", documentId: null });
    expect(entry.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const page = await list(a.client, "?from=2026-11-01&to=2026-11-30");
    expect(page.items.map((e) => e.id)).toEqual([entry.id]);
    expect(page.totals).toEqual({ minutes: 90, billableCents: 9_750 });

    // The stored shape goes back through PUT: a GET → PUT round trip works.
    const put = await a.client.json("PUT", `${API}/${entry.id}`, { ...entry, minutes: 45, description: "Atelier, suite" });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { entry: Entry }).entry).toMatchObject({ minutes: 45, hourlyRateCents: 6_500, description: "Atelier, suite" });

    expect((await a.client.json("DELETE", `${API}/${entry.id}`)).status).toBe(204);
    expect(await rowsOf(a.accountId)).toEqual([]);
    expect((await a.client.json("GET", `${API}/${entry.id}`)).status).toBe(404);
  });

  it("§3.4 time tracking: filters the list by client, billed state and dates, and pages through it by keyset", async () => {
    const a = await readyAccount();
    const other = await insertClient(a.accountId, { name: "Autre client" });
    const e1 = await create(a.client, entryBody(a, { workDate: "2026-10-01" }));
    const e2 = await create(a.client, entryBody(a, { workDate: "2026-10-03", clientId: other }));
    const e3 = await create(a.client, entryBody(a, { workDate: "2026-10-05", billable: false, hourlyRate: "" }));
    expect((await bill(a.client, a.clientId, [e1.id])).status).toBe(201);

    expect((await list(a.client, `?clientId=${other}`)).items.map((e) => e.id)).toEqual([e2.id]);
    expect((await list(a.client, "?billed=billed")).items.map((e) => e.id)).toEqual([e1.id]);
    expect((await list(a.client, "?billed=unbilled")).items.map((e) => e.id)).toEqual([e3.id, e2.id]);
    expect((await list(a.client, "?from=2026-10-02&to=2026-10-04")).items.map((e) => e.id)).toEqual([e2.id]);
    // Newest day first, two per page.
    const first = await list(a.client, "?limit=2");
    expect(first.items.map((e) => e.id)).toEqual([e3.id, e2.id]);
    const second = await list(a.client, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((e) => e.id)).toEqual([e1.id]);
    expect(second.nextCursor).toBeNull();
    expect((await a.client.json("GET", `${API}?cursor=not-a-cursor`)).status).toBe(400);
  });

  it("§3.4 time tracking: takes the hourly rate from the catalogue service when none is typed", async () => {
    const a = await readyAccount();
    const productId = await product(a.client);
    const entry = await create(a.client, entryBody(a, { productId, hourlyRate: "" }));
    expect(entry.hourlyRateCents).toBe(9_000);
  });
});

describe("the timer", () => {
  it("§3.4 time tracking: starts and stops a timer, rounding the time elapsed up to the minute", async () => {
    const a = await readyAccount();
    const t0 = Date.UTC(2026, 10, 26, 8, 0, 0);
    const started = await startTimer(verbCtx(a.accountId, t0), { clientId: a.clientId, description: "Support", hourlyRateCents: 6_000, billable: true });
    expect(started).toMatchObject({ startedAt: t0, minutes: 0, workDate: todayInParis(t0) });
    // The running timer is shown apart, not in the list nor its totals.
    expect((await list(a.client)).items).toEqual([]);
    const stopped = await stopTimer(verbCtx(a.accountId, t0 + 61 * 60_000 + 1));
    expect(stopped).toMatchObject({ id: started.id, minutes: 62, startedAt: null });

    // A timer stopped at once still counts one minute; one forgotten for two days counts one day.
    const t1 = t0 + 3_600_000;
    await startTimer(verbCtx(a.accountId, t1), { description: "Court", hourlyRateCents: null, billable: false });
    expect((await stopTimer(verbCtx(a.accountId, t1))).minutes).toBe(1);
    await startTimer(verbCtx(a.accountId, t1), { description: "Oublié", hourlyRateCents: null, billable: false });
    expect((await stopTimer(verbCtx(a.accountId, t1 + 2 * 86_400_000))).minutes).toBe(1440);

    // Through the API too.
    const start = await a.client.json("POST", `${API}/timer/start`, { clientId: a.clientId, description: "API", hourlyRate: "50", billable: true });
    expect(start.status).toBe(201);
    const stop = await a.client.json("POST", `${API}/timer/stop`, {});
    expect(stop.status).toBe(200);
    expect(((await stop.json()) as { entry: Entry }).entry.minutes).toBe(1);
    expect((await a.client.json("POST", `${API}/timer/stop`, {})).status).toBe(409);
  });

  it("§3.4 time tracking: keeps at most one running timer per account, even when two start at once", async () => {
    const a = await readyAccount();
    const starts = await Promise.all([1, 2, 3].map(() => a.client.json("POST", `${API}/timer/start`, { description: "x", billable: false })));
    expect(starts.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const running = (await rowsOf(a.accountId)).filter((r) => r.started_at !== null);
    expect(running).toHaveLength(1);
    // The database itself refuses a second running row (partial unique index).
    await expect(
      env.DB.prepare("INSERT INTO time_entries (id, account_id, description, work_date, minutes, billable, started_at, created_at, updated_at) VALUES (?, ?, 'y', '2026-11-26', 0, 0, 1, 1, 1)")
        .bind(randomId(), a.accountId)
        .run(),
    ).rejects.toThrow(/UNIQUE/);
    // A running timer is not edited: it is stopped first.
    const put = await a.client.json("PUT", `${API}/${String(running[0]!.id)}`, entryBody(a));
    expect(put.status).toBe(409);
  });
});

describe("billing time", () => {
  it("§3.4 time tracking: bills entries on one invoice draft whose lines and totals match the entries", async () => {
    const a = await readyAccount();
    const productId = await product(a.client);
    const e1 = await create(a.client, entryBody(a, { workDate: "2026-11-03", duration: "20", hourlyRate: "60", description: "Revue de code" }));
    const e2 = await create(a.client, entryBody(a, { workDate: "2026-11-02", duration: "1h30", productId, hourlyRate: "" }));
    const e3 = await create(a.client, entryBody(a, { workDate: "2026-11-04", duration: "2", hourlyRate: "72,35", description: "Appel" }));
    const res = await bill(a.client, a.clientId, [e1.id, e2.id, e3.id]);
    expect(res.status).toBe(201);
    const { documentId } = (await res.json()) as { documentId: string };
    const { document, lines } = await documentOf(a.client, documentId);
    expect(document).toMatchObject({ type: "invoice", status: "draft", clientId: a.clientId });

    // One line per entry, in date order: "<date> — <description>", hours, HUR, the rate, the VAT.
    const entries = [e2, e1, e3];
    expect(lines.map((l) => l.description)).toEqual(["02/11/2026 — Atelier de cadrage", "03/11/2026 — Revue de code", "04/11/2026 — Appel"]);
    expect(lines.map((l) => l.quantity)).toEqual(entries.map((e) => minutesToHours(e.minutes)));
    expect(lines.map((l) => l.quantity)).toEqual(["1.5", "0.3333", "0.0333"]);
    expect(lines.every((l) => l.unitCode === "HUR")).toBe(true);
    expect(lines.map((l) => l.unitPriceCents)).toEqual([9_000, 6_000, 7_235]);
    // The service's VAT (10 %) for the entry naming it; the editor's default (20 %, VAT account) otherwise.
    expect(lines.map((l) => [l.vatCategory, l.vatRateBp, l.productId])).toEqual([
      ["S", 1000, productId],
      ["S", 2000, null],
      ["S", 2000, null],
    ]);
    const expected = computeTotals({
      vatDate: todayInParis(Date.now()),
      lines: entries.map((e) => ({ quantity: minutesToHours(e.minutes), unitPriceCents: e.hourlyRateCents!, vat: { category: "S", rateBasisPoints: e.productId ? 1000 : 2000 } })),
      allowances: [],
      prepaidCents: 0,
    });
    if (!expected.ok) throw new Error("totals");
    expect(document).toMatchObject({
      taxExclusiveCents: expected.totals.taxExclusiveCents,
      vatTotalCents: expected.totals.vatTotalCents,
      taxInclusiveCents: expected.totals.taxInclusiveCents,
    });
    // Each line is worth the entry's own amount, within the cent the 4-decimal hours can lose.
    expected.totals.lines.forEach((l, i) => expect(Math.abs(l.netCents - amountForMinutes(entries[i]!.minutes, entries[i]!.hourlyRateCents!))).toBeLessThanOrEqual(1));

    // Every entry now points at the draft and at its own line.
    const rows = await rowsOf(a.accountId);
    for (const [i, e] of entries.entries()) {
      const row = rows.find((r) => r.id === e.id)!;
      expect(row.document_id).toBe(documentId);
      expect(row.document_line_id).toBe(lines[i]!.id);
    }
  });

  it("§3.4 time tracking: bills more entries than one D1 statement can bind, each on its own line", async () => {
    const a = await readyAccount();
    const now = Date.now();
    const ids = Array.from({ length: 120 }, () => randomId());
    await env.DB.batch(
      ids.map((id, i) =>
        env.DB.prepare("INSERT INTO time_entries (id, account_id, client_id, description, work_date, minutes, hourly_rate_cents, billable, created_at, updated_at) VALUES (?, ?, ?, ?, '2026-11-02', 30, 6000, 1, ?, ?)").bind(
          id,
          a.accountId,
          a.clientId,
          `Tâche ${i}`,
          now + i,
          now + i,
        ),
      ),
    );
    const res = await bill(a.client, a.clientId, ids);
    expect(res.status).toBe(201);
    const { documentId } = (await res.json()) as { documentId: string };
    const { document, lines } = await documentOf(a.client, documentId);
    expect(lines).toHaveLength(120);
    expect(document.taxExclusiveCents).toBe(120 * 3_000);
    const rows = await rowsOf(a.accountId);
    expect(new Set(rows.map((r) => r.document_line_id)).size).toBe(120);
    expect(rows.every((r) => r.document_id === documentId)).toBe(true);
  });

  it("§3.4 time tracking: uses the franchise exemption on lines of an account under the VAT franchise", async () => {
    const a = await readyAccount(FRANCHISE_PROFILE);
    const e = await create(a.client, entryBody(a));
    const { documentId } = (await (await bill(a.client, a.clientId, [e.id])).json()) as { documentId: string };
    const { lines } = await documentOf(a.client, documentId);
    expect(lines[0]).toMatchObject({ vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE" });
  });

  it("§3.4 time tracking: locks billed entries, and deleting the draft frees them again (trigger)", async () => {
    const a = await readyAccount();
    const e1 = await create(a.client, entryBody(a));
    const e2 = await create(a.client, entryBody(a, { description: "Deuxième" }));
    const { documentId } = (await (await bill(a.client, a.clientId, [e1.id, e2.id])).json()) as { documentId: string };

    const put = await a.client.json("PUT", `${API}/${e1.id}`, entryBody(a, { duration: "3:00" }));
    expect(put.status).toBe(409);
    expect(((await put.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "conflict", message: expect.stringContaining("figure sur une facture") });
    expect((await a.client.json("DELETE", `${API}/${e1.id}`)).status).toBe(409);
    // Billed twice: refused, nothing written.
    const docs = await documentCount(a.accountId);
    expect((await bill(a.client, a.clientId, [e1.id])).status).toBe(400);
    expect(await documentCount(a.accountId)).toBe(docs);

    // Saving the draft replaces its lines: the entries stay on the document, the stale line ids go.
    const { document, lines } = await documentOf(a.client, documentId);
    const save = await a.client.json("PUT", `/api/v1/documents/${documentId}`, { clientId: document.clientId, lines: lines.map(({ id: _id, position: _p, ...l }) => ({ ...l, kind: "service" })) });
    expect(save.status).toBe(200);
    for (const row of await rowsOf(a.accountId)) expect(row).toMatchObject({ document_id: documentId, document_line_id: null });

    expect((await a.client.json("DELETE", `/api/v1/documents/${documentId}`)).status).toBe(204);
    for (const row of await rowsOf(a.accountId)) expect(row).toMatchObject({ document_id: null, document_line_id: null });
    expect((await a.client.json("PUT", `${API}/${e1.id}`, entryBody(a, { duration: "3:00" }))).status).toBe(200);
    expect((await bill(a.client, a.clientId, [e1.id, e2.id])).status).toBe(201);
  });

  it("§3.4 time tracking: bills through the Facturer page and lands in the draft editor", async () => {
    const a = await readyAccount();
    const e1 = await create(a.client, entryBody(a));
    await create(a.client, entryBody(a, { billable: false, hourlyRate: "", description: "Interne" }));
    const page = await a.client.get(`/temps/facturer?clientId=${a.clientId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(e1.id);
    expect(html).not.toContain("Interne");
    const res = await a.client.postForm("/temps/facturer", { clientId: a.clientId, entryIds: e1.id });
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^\/documents\/[^/]+\/modifier$/);
    expect((await a.client.get(location)).status).toBe(200);
    await create(a.client, entryBody(a, { description: "Encore à facturer" }));
    const none = await a.client.postForm("/temps/facturer", { clientId: a.clientId });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Cochez au moins une saisie");
  });
});

describe("refusals", () => {
  it("§3.4 time tracking: gives another account's entries, clients and products a 404 and writes nothing", async () => {
    const [a, b] = await Promise.all([readyAccount(), readyAccount()]);
    const productId = await product(a.client);
    const entry = await create(a.client, entryBody(a, { productId }));
    const before = JSON.stringify(await rowsOf(a.accountId));
    for (const [method, path, body] of [
      ["GET", `${API}/${entry.id}`, undefined],
      ["PUT", `${API}/${entry.id}`, entryBody(b)],
      ["DELETE", `${API}/${entry.id}`, undefined],
      ["POST", API, entryBody(b, { clientId: a.clientId })],
      ["POST", API, entryBody(b, { productId })],
      ["POST", `${API}/timer/start`, { clientId: a.clientId, billable: false }],
      ["POST", `${API}/bill`, { clientId: b.clientId, entryIds: [entry.id] }],
      ["POST", `${API}/bill`, { clientId: a.clientId, entryIds: [entry.id] }],
    ] as const) {
      const res = await b.client.json(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect(JSON.stringify(await rowsOf(a.accountId))).toBe(before);
    expect(await rowsOf(b.accountId)).toEqual([]);
    expect(await documentCount(b.accountId)).toBe(0);
    expect((await list(b.client)).items).toEqual([]);
  });

  const BAD: ReadonlyArray<[string, Record<string, unknown>, string]> = [
    ["a duration of 0", { duration: "0" }, "duration"],
    ["more than 24 h", { duration: "24:01" }, "duration"],
    ["1441 minutes as JSON", { duration: undefined, minutes: 1441 }, "duration"],
    ["fractional JSON minutes", { duration: 1.5 }, "duration"],
    ["an unreadable duration", { duration: "une heure" }, "duration"],
    ["a date that does not exist", { workDate: "2026-02-30" }, "workDate"],
    ["a date in another format", { workDate: "02/11/2026" }, "workDate"],
    ["a rate with 3 decimals", { hourlyRate: "65,555" }, "hourlyRate"],
    ["a negative rate", { hourlyRate: "-5" }, "hourlyRate"],
    ["a billable entry without rate", { hourlyRate: "" }, "hourlyRate"],
    ["no description", { description: "  " }, "description"],
  ];

  it.each(BAD)("§3.4 time tracking: refuses %s with the field named, and writes nothing", async (_name, extra, field) => {
    const a = await readyAccount();
    const res = await a.client.json("POST", API, entryBody(a, extra));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("invalid");
    expect(Object.keys(body.error.fields)).toContain(field);
    expect(await rowsOf(a.accountId)).toEqual([]);
  });

  it("§3.4 time tracking: refuses to bill entries not billable, already billed, running or of another client, and writes nothing", async () => {
    const a = await readyAccount();
    const other = await insertClient(a.accountId, { name: "Autre" });
    const ok = await create(a.client, entryBody(a));
    const notBillable = await create(a.client, entryBody(a, { billable: false }));
    const otherClient = await create(a.client, entryBody(a, { clientId: other }));
    const billed = await create(a.client, entryBody(a));
    expect((await bill(a.client, a.clientId, [billed.id])).status).toBe(201);
    const running = (await (await a.client.json("POST", `${API}/timer/start`, { clientId: a.clientId, hourlyRate: "50", billable: true })).json()) as { entry: Entry };
    const rows = JSON.stringify(await rowsOf(a.accountId));
    const docs = await documentCount(a.accountId);
    for (const bad of [notBillable.id, otherClient.id, billed.id, running.entry.id]) {
      const res = await bill(a.client, a.clientId, [ok.id, bad]);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty("entryIds");
    }
    expect((await bill(a.client, a.clientId, [])).status).toBe(400);
    expect(JSON.stringify(await rowsOf(a.accountId))).toBe(rows);
    expect(await documentCount(a.accountId)).toBe(docs);
  });
});

describe("list totals and reads", () => {
  it("§3.4 time tracking: list totals equal a recomputation from the raw rows, over random entry sets", async () => {
    const a = await readyAccount();
    const entryArb = fc.record({
      day: fc.integer({ min: 1, max: 28 }),
      minutes: fc.integer({ min: 1, max: 1440 }),
      rate: fc.option(fc.integer({ min: 0, max: 50_000_000 }), { nil: null }),
      billable: fc.boolean(),
      inRange: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 0, maxLength: 30 }), async (generated) => {
        // Each run gets its own client, so runs do not see each other's rows.
        const clientId = await insertClient(a.accountId);
        const now = Date.now();
        const rows = generated.map((g) => ({ ...g, id: randomId(), workDate: `2026-${g.inRange ? "03" : "04"}-${String(g.day).padStart(2, "0")}` }));
        if (rows.length) {
          await env.DB.batch(
            rows.map((r) =>
              env.DB.prepare(
                "INSERT INTO time_entries (id, account_id, client_id, description, work_date, minutes, hourly_rate_cents, billable, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?, ?, ?, ?, ?)",
              ).bind(r.id, a.accountId, clientId, r.workDate, r.minutes, r.rate, r.billable ? 1 : 0, now, now),
            ),
          );
        }
        const shown = rows.filter((r) => r.inRange);
        const expected = {
          minutes: shown.reduce((s, r) => s + r.minutes, 0),
          billableCents: shown.reduce((s, r) => s + (r.billable && r.rate !== null ? amountForMinutes(r.minutes, r.rate) : 0), 0),
        };
        const ids: string[] = [];
        let cursor: string | null = null;
        let totals: ListPage["totals"] | undefined;
        do {
          const page = await list(a.client, `?clientId=${clientId}&from=2026-03-01&to=2026-03-31&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
          totals ??= page.totals;
          // Every page gives the totals of the whole filter, not of the page.
          expect(page.totals).toEqual(totals);
          ids.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(totals).toEqual(expected);
        expect(ids.sort()).toEqual(shown.map((r) => r.id).sort());
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it("§3.4 time tracking: the list and /temps read as many rows with 1 000 entries outside the period as with none", async () => {
    const [few, many] = await Promise.all([readyAccount(), readyAccount()]);
    for (const acc of [few, many]) for (let i = 0; i < 5; i++) await create(acc.client, entryBody(acc, { workDate: todayInParis(Date.now()) }));
    const now = Date.now();
    const old = Array.from({ length: 1000 }, (_, i) => [randomId(), many.accountId, many.clientId, `2024-${String((i % 12) + 1).padStart(2, "0")}-10`, 60, 5_000, 1, now, now]);
    for (let i = 0; i < old.length; i += 100) {
      await env.DB.batch(
        old
          .slice(i, i + 100)
          .map((v) =>
            env.DB.prepare("INSERT INTO time_entries (id, account_id, client_id, description, work_date, minutes, hourly_rate_cents, billable, created_at, updated_at) VALUES (?, ?, ?, 'ancien', ?, ?, ?, ?, ?, ?)").bind(...v),
          ),
      );
    }
    const cost = async (client: TestClient, path: string, page: boolean) => {
      const res = page ? await client.get(path) : await client.json("GET", path);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      return parseD1ServerTiming(res.headers.get("server-timing"))!;
    };
    const today = todayInParis(Date.now());
    for (const [path, page] of [
      [`${API}?from=${today}&to=${today}`, false],
      ["/temps", true],
    ] as const) {
      const a = await cost(few.client, path, page);
      const b = await cost(many.client, path, page);
      expect(b.rowsRead, `${path}: ${a.rowsRead} → ${b.rowsRead}`).toBeLessThanOrEqual(a.rowsRead + 2);
      expect(b.rowsWritten).toBe(0);
    }
  }, 60_000);
});

describe("the /temps pages", () => {
  it("§3.4 time tracking: adds time through the form, shows it grouped by day with totals, and ties errors to their fields", async () => {
    const a = await readyAccount();
    const today = todayInParis(Date.now());
    const added = await a.client.postForm("/temps", { workDate: today, clientId: a.clientId, duration: "1,5", description: "Maquettes", hourlyRate: "80", billable: "on" });
    expect(added.status).toBe(303);
    const html = await (await a.client.get(added.headers.get("location")!)).text();
    expect(html).toContain("Maquettes");
    expect(html).toContain("1 h 30");
    expect(html).toContain("120,00");

    const bad = await a.client.postForm("/temps", { workDate: today, duration: "abc", description: "", hourlyRate: "", billable: "on" });
    expect(bad.status).toBe(400);
    const errors = await bad.text();
    expect(errors).toMatch(/id="f-duration"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*f-duration-error/);
    expect(errors).toContain('id="f-duration-error"');
    expect(errors).toContain('id="f-description-error"');
    expect((await rowsOf(a.accountId)).length).toBe(1);
  });

  it("§3.4 time tracking: starts and stops the timer with plain forms and shows since when it runs", async () => {
    const a = await readyAccount();
    const start = await a.client.postForm("/temps/minuteur/demarrer", { "timer-clientId": a.clientId, "timer-description": "Hotline", "timer-hourlyRate": "40", "timer-billable": "on" });
    expect(start.status).toBe(303);
    const page = await (await a.client.get("/temps")).text();
    expect(page).toContain("En cours depuis");
    expect(page).toContain("Hotline");
    expect(page).toContain('action="/temps/minuteur/arreter"');
    const again = await a.client.postForm("/temps/minuteur/demarrer", { "timer-description": "Autre" });
    expect(again.status).toBe(409);
    const stop = await a.client.postForm("/temps/minuteur/arreter", {});
    expect(stop.status).toBe(303);
    expect(await (await a.client.get(stop.headers.get("location")!)).text()).toContain("Minuteur arrêté");
  });
});

describe("account closure", () => {
  it("§3.4 time tracking: closing the account deletes the time entries and counts them in the plan", async () => {
    const a = await readyAccount();
    await create(a.client, entryBody(a));
    await create(a.client, entryBody(a));
    const ctx = { ...verbCtx(a.accountId), userId: a.userId };
    expect((await closurePlan(ctx)).deleted.timeEntries).toBe(2);
    await closeAccount(ctx, { password: TEST_PASSWORD, confirmation: "SUPPRIMER" });
    expect(await rowsOf(a.accountId)).toEqual([]);
  });
});
