import { env } from "cloudflare:workers";
import { PDFDocument } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { FEC_COLUMNS } from "../../src/worker/domain/books/fec";
import { headerLayout, RECEIPT_COLUMNS, receiptsHeader, receiptsPdf, wrapHeader } from "../../src/worker/features/books/exports";
import { documentFonts } from "../../src/worker/pdf/assets";
import { embedFonts } from "../../src/worker/pdf/fonts";
import type { ReceiptEntry } from "../../src/worker/features/books/queries";
import { runUrssafReminders } from "../../src/worker/jobs/urssaf-reminders";
import { translator } from "../../src/worker/ui/i18n";
import { createDraftVia, FRANCHISE_PROFILE, issueOn, readyAccount } from "../helpers/invoicing";

type Account = Awaited<ReturnType<typeof readyAccount>>;
type Doc = { id: string; number: string; dueCents: number };

const E0 = { vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", unitCode: "C62" } as const;

async function issue(a: Account, body: Record<string, unknown>, issueDate: string): Promise<Doc> {
  const id = await createDraftVia(a.client, { clientId: a.clientId, type: "invoice", ...body });
  // The fixture year is past: issued with the verbs' clock on that day, as it was then.
  const doc = await issueOn(a.accountId, id, issueDate);
  return { id: doc.id, number: doc.number ?? "", dueCents: doc.dueCents };
}

async function pay(a: Account, doc: Doc, receivedOn: string, amountCents: number, method = "virement"): Promise<string> {
  const res = await a.client.json("POST", `/api/v1/documents/${doc.id}/payments`, { receivedOn, amountCents, method });
  if (res.status !== 201) throw new Error(`payment refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { payment: { id: string } }).payment.id;
}

/**
 * The fixture year 2025 of a micro-entrepreneur under the VAT franchise whose services are BIC:
 *   A 10/01 mixed: goods 1 000,00 + services 500,00; paid 1 000,00 on 20/01 (transfer) and 500,00 on 05/03 (cash)
 *   B 15/04 services 2 × 400,00; paid 800,00 on 02/05, that payment corrected, paid again on 10/06
 *   C 01/07 goods 123,45; paid on 31/07 (card); credit note of 23,45 on 01/08
 * Nothing is received in February, April, August to December.
 */
let a: Account;
let b: Doc;

beforeAll(async () => {
  // A business that started before 2025 (its URSSAF periods start at the activity start date).
  a = await readyAccount({ ...FRANCHISE_PROFILE, activityStartDate: "2024-06-01" });
  expect((await a.client.json("PUT", "/api/v1/books/settings", { serviceCategory: "bic", declarationFrequency: "monthly" })).status).toBe(200);
  const docA = await issue(
    a,
    {
      lines: [
        { description: "Lampe", quantity: "1", unitPriceCents: 100_000, kind: "goods", ...E0 },
        { description: "Pose", quantity: "1", unitPriceCents: 50_000, kind: "service", ...E0 },
      ],
    },
    "2025-01-10",
  );
  b = await issue(a, { lines: [{ description: "Atelier", quantity: "2", unitPriceCents: 40_000, kind: "service", ...E0 }] }, "2025-04-15");
  const c = await issue(a, { lines: [{ description: "Bougie", quantity: "1", unitPriceCents: 12_345, kind: "goods", ...E0 }] }, "2025-07-01");
  await pay(a, docA, "2025-01-20", 100_000);
  await pay(a, docA, "2025-03-05", 50_000, "especes");
  const wrong = await pay(a, b, "2025-05-02", 80_000, "cheque");
  const corrected = await a.client.json("POST", `/api/v1/documents/${b.id}/payments/${wrong}/correction`, {});
  expect(corrected.status).toBe(201);
  await pay(a, b, "2025-06-10", 80_000);
  await pay(a, c, "2025-07-31", 12_345, "carte");
  await issue(
    a,
    { type: "credit_note", precedingDocumentId: c.id, lines: [{ description: "Remise", quantity: "1", unitPriceCents: 2_345, kind: "goods", ...E0 }] },
    "2025-08-01",
  );
});

type Declaration = { key: string; receipts: number; cents: Record<string, number>; euros: Record<string, number>; totalEuros: number; deadline: string };

describe("the URSSAF periods and the activity start date", () => {
  it("lists no period that ended before the business started, by default the sign-up day", async () => {
    const fresh = await readyAccount(FRANCHISE_PROFILE);
    const thisYear = new Date().getUTCFullYear();
    const before = (await (await fresh.client.json("GET", `/api/v1/books/urssaf?year=${thisYear - 1}`)).json()) as { periods: Declaration[] };
    expect(before.periods).toEqual([]);
    const res = await fresh.client.json("PUT", "/api/v1/account/profile", { ...FRANCHISE_PROFILE, activityStartDate: `${thisYear - 1}-10-15` });
    expect(res.status).toBe(200);
    const since = (await (await fresh.client.json("GET", `/api/v1/books/urssaf?year=${thisYear - 1}&frequency=quarterly`)).json()) as { periods: Declaration[] };
    expect(since.periods.map((p) => p.key)).toEqual([`${thisYear - 1}-Q4`]);
    const page = await (await fresh.client.get("/parametres/entreprise")).text();
    expect(page).toMatch(new RegExp(`id="f-activityStartDate"[^>]*value="${thisYear - 1}-10-15"|value="${thisYear - 1}-10-15"[^>]*id="f-activityStartDate"`));
  });
});

describe("the URSSAF declaration of the fixture year", () => {
  it("shows every month, zero months included, split pro rata and rounded to the euro", async () => {
    const res = await a.client.json("GET", "/api/v1/books/urssaf?year=2025");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { periods: Declaration[]; totalEuros: number; settings: { serviceCategory: string; confirmed: boolean } };
    expect(body.settings).toMatchObject({ serviceCategory: "bic", confirmed: true });
    const byKey = Object.fromEntries(body.periods.map((p) => [p.key, p]));
    expect(body.periods).toHaveLength(12);
    // 1 000,00 on a 1 000 / 500 invoice: 666,666… goods + 333,333… services; the spare cent goes to goods.
    expect(byKey["2025-01"]).toMatchObject({ receipts: 1, cents: { bic_sales: 66_667, bic_services: 33_333, bnc: 0 }, euros: { bic_sales: 667, bic_services: 333, bnc: 0 }, totalEuros: 1_000, deadline: "2025-02-28" });
    // 500,00: 333,333… + 166,666…; the spare cent goes to services this time.
    expect(byKey["2025-03"]).toMatchObject({ cents: { bic_sales: 33_333, bic_services: 16_667 }, euros: { bic_sales: 333, bic_services: 167 }, totalEuros: 500 });
    // The payment and its correction cancel out: a zero declaration with two entries.
    expect(byKey["2025-05"]).toMatchObject({ receipts: 2, totalEuros: 0 });
    expect(byKey["2025-06"]).toMatchObject({ euros: { bic_sales: 0, bic_services: 800, bnc: 0 } });
    expect(byKey["2025-07"]).toMatchObject({ cents: { bic_sales: 12_345 }, euros: { bic_sales: 123 } });
    for (const zero of ["2025-02", "2025-04", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]) expect(byKey[zero]).toMatchObject({ receipts: 0, totalEuros: 0 });
    expect(byKey["2025-12"]?.deadline).toBe("2026-01-31");
    expect(body.totalEuros).toBe(1_000 + 500 + 800 + 123);
  });

  it("gives the quarters on demand, with the legal deadlines", async () => {
    const res = await a.client.json("GET", "/api/v1/books/urssaf?year=2025&frequency=quarterly");
    const { periods } = (await res.json()) as { periods: Declaration[] };
    expect(periods.map((p) => [p.key, p.euros.bic_sales, p.euros.bic_services, p.deadline])).toEqual([
      ["2025-Q1", 1_000, 500, "2025-04-30"],
      ["2025-Q2", 0, 800, "2025-07-31"],
      ["2025-Q3", 123, 0, "2025-10-31"],
      ["2025-Q4", 0, 0, "2026-01-31"],
    ]);
  });

  it("puts the services in BNC once the account says it is a liberal profession", async () => {
    expect((await a.client.json("PUT", "/api/v1/books/settings", { serviceCategory: "bnc", declarationFrequency: "monthly" })).status).toBe(200);
    try {
      const { periods } = (await (await a.client.json("GET", "/api/v1/books/urssaf?year=2025")).json()) as { periods: Declaration[] };
      expect(periods.find((p) => p.key === "2025-06")?.euros).toEqual({ bic_sales: 0, bic_services: 0, bnc: 800 });
    } finally {
      await a.client.json("PUT", "/api/v1/books/settings", { serviceCategory: "bic", declarationFrequency: "monthly" });
    }
  });

  it("renders the period view with its zero months and the threshold gauges as meters", async () => {
    const page = await a.client.get("/livres/urssaf?year=2025");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-period="2025-02"');
    expect(html.match(/Déclaration à zéro/g)?.length).toBe(8);
    const overview = await a.client.get("/livres");
    expect(overview.status).toBe(200);
    expect(await overview.text()).toMatch(/<meter[^>]+max="3750000"/);
  });
});

describe("the receipts book", () => {
  it("lists the period's receipts in date order, corrections as new entries, cash apart", async () => {
    const res = await a.client.json("GET", "/api/v1/books/receipts?from=2025-01-01&to=2025-12-31");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entries: ReceiptEntry[]; totalCents: number; cashCents: number };
    expect(body.entries.map((e) => [e.receivedOn, e.amountCents, e.method])).toEqual([
      ["2025-01-20", 100_000, "virement"],
      ["2025-03-05", 50_000, "especes"],
      ["2025-05-02", 80_000, "cheque"],
      ["2025-05-02", -80_000, "cheque"],
      ["2025-06-10", 80_000, "virement"],
      ["2025-07-31", 12_345, "carte"],
    ]);
    expect(body.entries[0]).toMatchObject({ clientName: "Société Cliente SA", nature: "mixed" });
    expect(body).toMatchObject({ totalCents: 100_000 + 50_000 + 80_000 + 12_345, cashCents: 50_000 });
  });

  it("reads only the period asked for", async () => {
    const { entries } = (await (await a.client.json("GET", "/api/v1/books/receipts?from=2025-05-01&to=2025-05-31")).json()) as { entries: ReceiptEntry[] };
    expect(entries.map((e) => e.amountCents)).toEqual([80_000, -80_000]);
  });

  it("cannot be edited: the database refuses to change or delete a recorded receipt", async () => {
    const row = await env.DB.prepare("SELECT id FROM payments WHERE document_id = ? LIMIT 1").bind(b.id).first<{ id: string }>();
    await expect(env.DB.prepare("UPDATE payments SET amount_cents = 1 WHERE id = ?").bind(row?.id).run()).rejects.toThrow();
    await expect(env.DB.prepare("DELETE FROM payments WHERE id = ?").bind(row?.id).run()).rejects.toThrow();
  });

  it("exports a CSV for spreadsheets: BOM, semicolons, French decimals, cash in its own column", async () => {
    const res = await a.client.get("/livres/recettes.csv?from=2025-01-01&to=2025-12-31");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toContain("livre-des-recettes_2025-01-01_2025-12-31.csv");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split("\r\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe("Date d'encaissement;Client;Nature;Facture;Mode de règlement;Référence;Montant;Dont espèces");
    expect(lines[1]).toMatch(/^20\/01\/2025;Société Cliente SA;Ventes et prestations;[^;]+;Virement;;1000,00;$/);
    expect(lines[2]?.endsWith(";500,00;500,00")).toBe(true);
    expect(lines[4]).toMatch(/^02\/05\/2025;Société Cliente SA;Correction — Prestation de services;.*;-800,00;$/);
  });

  it("exports a PDF that parses, with one page for a short period", async () => {
    const res = await a.client.get("/livres/recettes.pdf?from=2025-01-01&to=2025-12-31");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
  });

  it("prints every column header of the receipts PDF whole, wrapped onto lines that fit, never cut", async () => {
    const doc = await PDFDocument.create();
    const fonts = await embedFonts(doc, documentFonts());
    for (const locale of ["fr", "en"] as const) {
      const header = receiptsHeader(translator(locale));
      const layout = headerLayout(RECEIPT_COLUMNS, header, fonts.bold, fonts);
      RECEIPT_COLUMNS.forEach((col, i) => {
        const lines = layout[i] ?? [];
        // Whole: the lines put back together are the header ("Date d'encaissement", not "Date d'enc…").
        expect(lines.join(" "), `${locale} ${col.key}`).toBe(header[col.key]);
        for (const line of lines) expect(fonts.bold.widthOfTextAtSize(line, 8.5), `${locale} ${col.key}: ${line}`).toBeLessThanOrEqual(col.width - 6);
      });
    }
    // A word wider than its column is broken inside itself, every letter kept.
    const measure = (s: string) => s.length * 10;
    expect(wrapHeader("Encaissement du", 50, measure)).toEqual(["Encai", "sseme", "nt du"]);
    expect(wrapHeader("Date d'encaissement", 500, measure)).toEqual(["Date d'encaissement"]);
    const bytes = await receiptsPdf([], { from: "2025-01-01", to: "2025-12-31", seller: "x", t: translator("fr"), locale: "fr", now: new Date(0) });
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
  });

  it("breaks a long book over several pages", async () => {
    const entries: ReceiptEntry[] = Array.from({ length: 70 }, (_, i) => ({
      id: `p${i}`,
      receivedOn: "2025-06-01",
      amountCents: 1_000 + i,
      method: i % 2 ? "especes" : "virement",
      reference: null,
      correctsPaymentId: null,
      createdAt: 0,
      documentId: "d",
      documentNumber: `F-${i}`,
      clientName: "Client au nom très long qui dépasse largement la largeur de sa colonne",
      nature: "services",
    }));
    const bytes = await receiptsPdf(entries, { from: "2025-01-01", to: "2025-12-31", seller: "Camille Martin", t: translator("fr"), locale: "fr", now: new Date(0) });
    const pages = (await PDFDocument.load(bytes)).getPageCount();
    expect(pages).toBeGreaterThanOrEqual(3);
    const fewer = await receiptsPdf(entries.slice(0, 10), { from: "2025-01-01", to: "2025-12-31", seller: "x", t: translator("fr"), locale: "fr", now: new Date(0) });
    expect((await PDFDocument.load(fewer)).getPageCount()).toBe(1);
  });

  it("shows the receipts book page with its downloads", async () => {
    const page = await a.client.get("/livres/recettes?from=2025-05-01&to=2025-05-31");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/livres/recettes.csv?from=2025-05-01&amp;to=2025-05-31");
    expect(html).toContain("Correction");
  });
});

describe("the FEC", () => {
  it("exports the year's sales and receipts in 18 columns, every entry balanced", async () => {
    const res = await a.client.get("/livres/fec?year=2025");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain('filename="123456782FEC20251231.txt"');
    const text = await res.text();
    const [header, ...lines] = text.replace(/\r\n$/, "").split("\r\n");
    expect(header?.split("\t")).toEqual([...FEC_COLUMNS]);
    const balance = new Map<string, number>();
    const toCents = (v: string) => Math.round(Number(v.replace(",", ".")) * 100);
    for (const line of lines) {
      const f = line.split("\t");
      expect(f).toHaveLength(18);
      expect(f[3]).toMatch(/^2025\d{4}$/);
      balance.set(f[2]!, (balance.get(f[2]!) ?? 0) + toCents(f[11]!) - toCents(f[12]!));
    }
    expect([...balance.values()].every((v) => v === 0)).toBe(true);
    const entries = [...balance.keys()];
    expect(entries.filter((n) => n.startsWith("VT"))).toHaveLength(4);
    expect(entries.filter((n) => n.startsWith("BQ"))).toHaveLength(6);
    // The cash receipt goes to the till, the credit note debits the goods sales.
    expect(lines.some((l) => l.includes("\t531000\tCaisse\t") && l.includes("\t500,00\t0,00\t"))).toBe(true);
    expect(lines.some((l) => l.startsWith("VT") && l.includes("\t707000\t") && l.includes("\t23,45\t0,00\t"))).toBe(true);
  });

  it("letters each settled invoice's client lines with its receipts, and leaves the others open", async () => {
    const text = await (await a.client.get("/livres/fec?year=2025")).text();
    const rows = text
      .replace(/\r\n$/, "")
      .split("\r\n")
      .slice(1)
      .map((l) => l.split("\t"));
    const client = rows.filter((f) => f[4] === "411000");
    // [EcritureDate, Debit, Credit, EcritureLet, DateLet] of the client lines of one document.
    const of = (number: string) => client.filter((f) => f[8] === number).map((f) => [f[3], f[11], f[12], f[13], f[14]]);
    const numbers = [...new Set(client.filter((f) => f[0] === "VT").map((f) => f[8] ?? ""))];
    const [numA, numB, numC, numCreditNote] = numbers;
    // A: 1 500,00 paid by a transfer and the cash receipt; settled on the day of the last one.
    expect(of(numA ?? "")).toEqual([
      ["20250110", "1500,00", "0,00", "AA", "20250305"],
      ["20250120", "0,00", "1000,00", "AA", "20250305"],
      ["20250305", "0,00", "500,00", "AA", "20250305"],
    ]);
    // B: the cheque, its correction and the second payment all belong to B's settlement.
    expect(of(numB ?? "").map((f) => [f[1], f[2], f[3], f[4]])).toEqual([
      ["800,00", "0,00", "AB", "20250610"],
      ["0,00", "800,00", "AB", "20250610"],
      ["800,00", "0,00", "AB", "20250610"],
      ["0,00", "800,00", "AB", "20250610"],
    ]);
    // C was paid in full, then credited 23,45: the client is owed 23,45, so C stays open.
    expect([...of(numC ?? ""), ...of(numCreditNote ?? "")].map((f) => [f[3], f[4]])).toEqual([
      ["", ""],
      ["", ""],
      ["", ""],
    ]);
    // Only client lines carry a lettering, and the export gives the same file twice.
    expect(rows.filter((f) => f[4] !== "411000").every((f) => f[13] === "" && f[14] === "")).toBe(true);
    expect(await (await a.client.get("/livres/fec?year=2025")).text()).toBe(text);
    // The books page tells the accountant what the lettering means.
    expect(await (await a.client.get("/livres")).text()).toContain("code de lettrage (AA, AB…)");
  });

  it("letters a credit note with the invoice it corrects and the payment of the rest", async () => {
    const other = await readyAccount(FRANCHISE_PROFILE);
    const invoice = await issue(other, { lines: [{ description: "Conseil", quantity: "1", unitPriceCents: 10_000, kind: "service", ...E0 }] }, "2025-03-03");
    await issue(
      other,
      { type: "credit_note", precedingDocumentId: invoice.id, lines: [{ description: "Geste", quantity: "1", unitPriceCents: 4_000, kind: "service", ...E0 }] },
      "2025-03-10",
    );
    await pay(other, invoice, "2025-03-20", 6_000);
    const text = await (await other.client.get("/livres/fec?year=2025")).text();
    const client = text
      .split("\r\n")
      .map((l) => l.split("\t"))
      .filter((f) => f[4] === "411000");
    expect(client.map((f) => [f[0], f[11], f[12], f[13], f[14]])).toEqual([
      ["VT", "100,00", "0,00", "AA", "20250320"],
      ["VT", "0,00", "40,00", "AA", "20250320"],
      ["BQ", "0,00", "60,00", "AA", "20250320"],
    ]);
  });

  it("asks for a SIREN before exporting", async () => {
    const other = await readyAccount(FRANCHISE_PROFILE);
    await env.DB.prepare("UPDATE accounts SET siren = NULL, siret = NULL WHERE id = ?").bind(other.accountId).run();
    const res = await other.client.json("GET", "/api/v1/books/fec?year=2025");
    expect(res.status).toBe(412);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("precondition_failed");
  });
});

describe("bad input", () => {
  it.each([
    ["/api/v1/books/receipts?from=2025-02-30&to=2025-03-31", "an impossible date"],
    ["/api/v1/books/receipts?from=2025-03-31&to=2025-03-01", "an end before the start"],
    ["/api/v1/books/receipts?from=2020-01-01&to=2025-12-31", "a period over three years"],
    ["/api/v1/books/receipts.csv?from=2025-1-1&to=2025-12-31", "a malformed date"],
    ["/api/v1/books/urssaf?year=25", "a two-digit year"],
    ["/api/v1/books/urssaf?year=2025&frequency=weekly", "an unknown frequency"],
    ["/api/v1/books/fec?year=1890", "a year out of range"],
  ])("answers 400 invalid to %s (%s)", async (path) => {
    const res = await a.client.json("GET", path);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields?: Record<string, string> } };
    expect(body.error.code).toBe("invalid");
    expect(Object.keys(body.error.fields ?? {}).length).toBeGreaterThan(0);
  });

  it("refuses unknown settings with the field at fault", async () => {
    const res = await a.client.json("PUT", "/api/v1/books/settings", { serviceCategory: "bic", declarationFrequency: "yearly" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields.declarationFrequency).toBeTruthy();
  });

  it("shows the period error on the receipts page itself", async () => {
    const page = await a.client.get("/livres/recettes?from=2025-03-31&to=2025-03-01");
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('aria-invalid="true"');
  });
});

describe("the settings page", () => {
  it("saves the declaration settings through the form", async () => {
    const other = await readyAccount(FRANCHISE_PROFILE);
    expect(await (await other.client.get("/livres/reglages")).text()).toContain("Vérifiez ces réglages");
    const res = await other.client.postForm("/livres/reglages", { serviceCategory: "bic", declarationFrequency: "monthly" });
    expect(res.status).toBe(303);
    const settings = (await (await other.client.json("GET", "/api/v1/books/settings")).json()) as Record<string, unknown>;
    expect(settings).toEqual({ serviceCategory: "bic", declarationFrequency: "monthly", confirmed: true });
  });
});

describe("URSSAF deadline reminders", () => {
  // 26 October 2026, 07:23 in Paris: the Q3 2026 and September 2026 returns are due on 31 October.
  const now = Date.UTC(2026, 9, 26, 6, 23);

  async function mails(accountId: string) {
    const { results } = await env.DB.prepare("SELECT subject, body_text AS body FROM mail_log WHERE account_id = ? AND template = 'urssaf_deadline_reminder'")
      .bind(accountId)
      .all<{ subject: string; body: string }>();
    return results;
  }

  it("emails each account once per deadline, never a frozen one", async () => {
    const active = await readyAccount(FRANCHISE_PROFILE);
    const frozen = await readyAccount(FRANCHISE_PROFILE);
    const old = Date.UTC(2026, 0, 1);
    await env.DB.prepare("UPDATE accounts SET created_at = ? WHERE id IN (?, ?)").bind(old, active.accountId, frozen.accountId).run();
    await env.DB.prepare("UPDATE accounts SET frozen_at = ? WHERE id = ?").bind(now, frozen.accountId).run();

    await runUrssafReminders(env, now);
    await runUrssafReminders(env, now + 3_600_000);
    const sent = await mails(active.accountId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe("Déclaration URSSAF — 3ᵉ trimestre 2026 : à faire avant le 31/10/2026");
    expect(sent[0]?.body).toContain("/livres/urssaf?year=2026");
    expect(await mails(frozen.accountId)).toHaveLength(0);
    const rows = await env.DB.prepare("SELECT period, deadline FROM urssaf_reminders WHERE account_id = ?").bind(active.accountId).all();
    expect(rows.results).toEqual([{ period: "2026-Q3", deadline: "2026-10-31" }]);
  });

  it("sends nothing when no deadline is within seven days", async () => {
    const quiet = await readyAccount(FRANCHISE_PROFILE);
    await env.DB.prepare("UPDATE accounts SET created_at = ? WHERE id = ?").bind(Date.UTC(2026, 0, 1), quiet.accountId).run();
    await runUrssafReminders(env, Date.UTC(2026, 9, 10, 6, 23));
    expect(await mails(quiet.accountId)).toHaveLength(0);
  });
});

describe("read cost", () => {
  async function rowsRead(path: string): Promise<number> {
    const res = await a.client.json("GET", path);
    expect(res.status).toBe(200);
    const header = res.headers.get("server-timing");
    const rows = Number(header?.match(/rows_read=(\d+)/)?.[1] ?? Number.NaN);
    expect(rows).toBeGreaterThan(0);
    return rows;
  }

  it("reads the period's receipts only, however long the history", async () => {
    const paths = ["/api/v1/books/receipts?from=2025-05-01&to=2025-05-31", "/api/v1/books/urssaf?year=2025", "/api/v1/books/fec?year=2025"];
    const before = await Promise.all(paths.map(rowsRead));
    // 400 older receipts, written directly (the payments feature has its own tests).
    const stmts: D1PreparedStatement[] = [];
    for (let i = 0; i < 400; i += 9) {
      const rows = Array.from({ length: Math.min(9, 400 - i) }, (_, j) => [`hist-${i + j}`, a.accountId, b.id, a.clientId, `2024-0${1 + ((i + j) % 9)}-15`, 100, "virement", null, null, Date.UTC(2024, 0, 1)]);
      stmts.push(
        env.DB.prepare(
          `INSERT INTO payments (id, account_id, document_id, client_id, received_on, amount_cents, method, reference, corrects_payment_id, created_at) VALUES ${rows.map(() => "(?,?,?,?,?,?,?,?,?,?)").join(",")}`,
        ).bind(...rows.flat()),
      );
    }
    await env.DB.batch(stmts);
    const after = await Promise.all(paths.map(rowsRead));
    after.forEach((rows, i) => expect(rows, paths[i]).toBeLessThanOrEqual((before[i] ?? 0) + 2));
  });
});
