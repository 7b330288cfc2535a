import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sendMail } from "../../src/worker/lib/mail";
import { loadConfig } from "../../src/worker/config";
import { directoryDb } from "../../src/worker/db/client";
import { BASE, TEST_PASSWORD, TestClient, signedUpClient, uniqueEmail } from "../helpers/client";
import { createDraftVia, readyAccount } from "../helpers/invoicing";
import { randomId } from "../../src/worker/lib/crypto/random";

/**
 * A request body that records whether anyone read it: a stream of `total` bytes pulled lazily
 * (high-water mark 0, so nothing is pulled before a reader asks).
 */
function watchedBody(total: number) {
  const state = { pulled: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(0x41);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(ctrl) {
        if (state.pulled >= total) return ctrl.close();
        state.pulled += chunk.length;
        ctrl.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const BIG = 95 * 1024 * 1024;
const multipartHeaders = (extra: Record<string, string> = {}) => ({
  "content-type": "multipart/form-data; boundary=----factumo",
  "content-length": String(BIG),
  accept: "text/html",
  ...extra,
});

describe("routes above the body limit check session and CSRF before reading the body", () => {
  it("answers 403 to an unauthenticated 95 MB multipart import without reading it", async () => {
    const client = new TestClient();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/mes-donnees/import", { method: "POST", body: stream, headers: multipartHeaders(), duplex: "half" } as RequestInit);
    expect(res.status).toBe(403);
    expect(state.pulled).toBe(0);
  });

  it("sends a same-origin post without a session to the login page without reading it", async () => {
    const client = new TestClient();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/mes-donnees/import", { method: "POST", body: stream, headers: multipartHeaders({ origin: BASE }), duplex: "half" } as RequestInit);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connexion");
    expect(state.pulled).toBe(0);
  });

  it("answers 413 at once to a signed-in post that declares more than the form's cap", async () => {
    const { client } = await signedUpClient();
    await client.ensureCsrf();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/mes-donnees/import", { method: "POST", body: stream, headers: multipartHeaders({ origin: BASE }), duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("la limite de l'envoi sans JavaScript");
    expect(state.pulled).toBe(0);
  });

  it("answers 401 to an unauthenticated part upload without reading it, even with a valid CSRF pair", async () => {
    const client = new TestClient();
    const token = await client.ensureCsrf();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/api/v1/data/imports/x/parts/1", {
      method: "PUT",
      body: stream,
      headers: { "content-type": "application/octet-stream", "content-length": String(BIG), accept: "application/json", "x-csrf-token": token },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect(state.pulled).toBe(0);
  });

  it("answers 403 to a part upload whose CSRF header does not match, without reading it", async () => {
    const { client } = await signedUpClient();
    await client.ensureCsrf();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/api/v1/data/imports/x/parts/1", {
      method: "PUT",
      body: stream,
      headers: { "content-type": "application/octet-stream", "content-length": String(BIG), accept: "application/json", "x-csrf-token": "forged" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(403);
    expect(state.pulled).toBe(0);
  });
});

describe("CR/LF and control characters never reach a header", () => {
  it("ignores a login `next` holding CR/LF instead of answering 500", async () => {
    const { client, email } = await signedUpClient();
    await client.postForm("/deconnexion", {});
    const res = await client.postForm("/connexion", { email, password: TEST_PASSWORD, next: "/factures\r\nSet-Cookie: x=1" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/tableau-de-bord");
  });

  it.each(["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"])("neither echoes nor follows next=%j", async (next) => {
    const page = await new TestClient().get(`/connexion?next=${encodeURIComponent(next)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain("evil.example");
    const lang = await new TestClient().postForm("/preferences/langue", { locale: "en", next });
    expect(lang.status).toBe(303);
    expect(lang.headers.get("location")).toBe("/");
  });

  it("still follows a same-origin path", async () => {
    const lang = await new TestClient().postForm("/preferences/langue", { locale: "fr", next: "/conditions?x=1" });
    expect(lang.headers.get("location")).toBe("/conditions?x=1");
  });

  it("strips CR/LF from mail subjects and attachment names before they are sent or logged", async () => {
    const to = uniqueEmail("subject");
    const config = loadConfig(env);
    await sendMail(config, directoryDb(env), {
      to,
      subject: "Léa Design\r\nBcc: victim@example.com — Facture F-1",
      text: "Bonjour",
      template: "test",
      attachments: [{ filename: 'F-1\r\n".pdf', content: new Uint8Array([1]), contentType: "application/pdf" }],
    });
    const row = await env.DB.prepare("SELECT subject, attachments FROM mail_log WHERE to_address = ?").bind(to).first<{ subject: string; attachments: string }>();
    expect(row?.subject).toBe("Léa Design Bcc: victim@example.com — Facture F-1");
    expect(row?.attachments).not.toMatch(/\\r|\\n/);
  });
});

describe("no 500 on unreadable forms", () => {
  const bodies: Array<[string, string, string]> = [
    ["a multipart without boundary", "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n"],
    ["a multipart part without a name", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data\r\n\r\n1\r\n--x--\r\n"],
    ["a truncated multipart", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1"],
  ];
  it.each(bodies)("answers 400 to %s sent with a header CSRF token, on every kind of form route", async (_, type, body) => {
    const { client } = await signedUpClient();
    const token = await client.ensureCsrf();
    for (const path of ["/parametres/entreprise", "/parametres/entreprise/logo", "/factures/nouvelle", "/temps/facturer", "/clients", "/achats/nouvelle"]) {
      const res = await client.fetch(path, { method: "POST", body, headers: { "content-type": type, accept: "text/html", "x-csrf-token": token } });
      expect(res.status, `${path}: ${res.status}`).toBeLessThan(500);
    }
  });

  it.each(bodies)("answers 400 to %s carrying its token in the body", async (_, type, body) => {
    const { client } = await signedUpClient();
    await client.ensureCsrf();
    const res = await client.fetch("/clients", { method: "POST", body, headers: { "content-type": type, accept: "text/html" } });
    expect([400, 403]).toContain(res.status);
  });
});

/** Dates no business record may hold: before 2000, after 2099, beyond year 9999, year 1. */
const OUT_OF_WINDOW = ["1900-01-01", "1999-12-31", "2100-01-01", "0001-01-01", "9999-12-31"];
const NOT_DATES = ["10000-01-01", "+275760-09-13", "2026-02-30"];

type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };

async function refused(res: Response, field: string, window: boolean) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe("invalid");
  const message = body.error.fields?.[field];
  expect(message, JSON.stringify(body)).toBeDefined();
  if (window) expect(message).toContain("2000");
}

async function count(table: string, accountId: string): Promise<number> {
  return (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`).bind(accountId).first<{ n: number }>())!.n;
}

describe("business dates outside 2000–2099 are refused with a clear error, nothing written", () => {
  it("on documents: draft dates and the issue date", async () => {
    const a = await readyAccount();
    const before = await count("documents", a.accountId);
    for (const field of ["issueDate", "deliveryDate", "validUntil"]) {
      for (const d of [...OUT_OF_WINDOW, ...NOT_DATES]) {
        const res = await a.client.json("POST", "/api/v1/documents", { type: "invoice", clientId: a.clientId, lines: [], [field]: d });
        await refused(res, field, OUT_OF_WINDOW.includes(d));
      }
    }
    expect(await count("documents", a.accountId)).toBe(before);
    const id = await createDraftVia(a.client, { type: "invoice", clientId: a.clientId, lines: [{ description: "Forfait", quantity: "1", unitCode: "C62", unitPriceCents: 10_000, vatCategory: "S", vatRateBp: 2000, kind: "service" }] });
    for (const d of [...OUT_OF_WINDOW, ...NOT_DATES]) await refused(await a.client.json("POST", `/api/v1/documents/${id}/issue`, { issueDate: d }), "issueDate", OUT_OF_WINDOW.includes(d));
    const doc = await env.DB.prepare("SELECT status FROM documents WHERE id = ?").bind(id).first<{ status: string }>();
    expect(doc?.status).toBe("draft");
  });

  it("on payments (1900 was booked before)", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, { type: "invoice", clientId: a.clientId, lines: [{ description: "Forfait", quantity: "1", unitCode: "C62", unitPriceCents: 10_000, vatCategory: "S", vatRateBp: 2000, kind: "service" }] });
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    for (const d of [...OUT_OF_WINDOW, ...NOT_DATES]) {
      await refused(await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn: d, amountCents: 100, method: "virement" }), "receivedOn", OUT_OF_WINDOW.includes(d));
    }
    expect(await count("payments", a.accountId)).toBe(0);
  });

  it("on time entries (year 1 was stored before) and their list filters", async () => {
    const { client, accountId } = await signedUpClient();
    for (const d of [...OUT_OF_WINDOW, ...NOT_DATES]) {
      await refused(await client.json("POST", "/api/v1/time-entries", { description: "Atelier", workDate: d, duration: "1:00" }), "workDate", OUT_OF_WINDOW.includes(d));
      const list = await client.json("GET", `/api/v1/time-entries?from=${encodeURIComponent(d)}`);
      expect(list.status).toBe(400);
    }
    expect(await count("time_entries", accountId)).toBe(0);
  });

  it("on stock movements", async () => {
    const { client, accountId } = await signedUpClient();
    const productId = randomId();
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO products (id, account_id, name, search_name, unit_code, unit_price_cents, vat_category, vat_rate_bp, kind, stock_tracked, created_at, updated_at) VALUES (?, ?, 'Carafe', 'carafe', 'C62', 2500, 'S', 2000, 'goods', 1, ?, ?)",
    )
      .bind(productId, accountId, now, now)
      .run();
    for (const d of [...OUT_OF_WINDOW, ...NOT_DATES]) {
      await refused(await client.json("POST", `/api/v1/stock/${productId}/movements`, { reason: "purchase", quantity: "3", occurredOn: d }), "occurredOn", OUT_OF_WINDOW.includes(d));
    }
    expect(await count("stock_movements", accountId)).toBe(0);
  });

  it("on purchase invoices added by hand", async () => {
    const { client, accountId } = await signedUpClient();
    for (const d of [...OUT_OF_WINDOW, ...NOT_DATES]) {
      for (const field of ["issueDate", "dueDate"]) {
        const res = await client.postForm("/achats/nouvelle", { supplierName: "Fournisseur", number: "A-1", issueDate: "2026-01-15", taxExclusiveCents: "100", vatCents: "20", category: "services", [field]: d });
        expect(res.status, `${field}=${d}`).toBe(400);
        if (OUT_OF_WINDOW.includes(d)) expect(await res.text()).toContain("31/12/2099");
      }
    }
    expect(await count("purchases", accountId)).toBe(0);
  });

  it("on reporting periods, without a 500 for year 9999", async () => {
    const { client } = await signedUpClient();
    for (const d of [...OUT_OF_WINDOW, ...NOT_DATES]) {
      for (const path of [`/api/v1/books/receipts?from=${encodeURIComponent(d)}&to=${encodeURIComponent(d)}`, `/api/v1/books/receipts.csv?from=${encodeURIComponent(d)}&to=2026-01-01`]) {
        const res = await client.json("GET", path);
        expect(res.status, path).toBe(400);
      }
    }
    for (const y of ["1900", "2100", "9999", "10000"]) expect((await client.json("GET", `/api/v1/books/fec?year=${y}`)).status).toBe(400);
  });
});
