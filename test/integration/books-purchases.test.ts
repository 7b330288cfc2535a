import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { paFlush, paState, randomSiren, siretOf } from "../helpers/pa";
import { createDraftVia, draftBody, insertClient, readyAccount, VAT_COMPANY_PROFILE } from "../helpers/invoicing";

// The books side of Achats and e-reporting: the purchases register (page, CSV, PDF), purchases in
// the FEC (journal AC, account 401), and the e-reporting periods sent as FRR flows through the PA.

async function account() {
  const siren = randomSiren();
  return { ...(await readyAccount({ ...VAT_COMPANY_PROFILE, siret: siretOf(siren) })), siren };
}

async function typed(a: Awaited<ReturnType<typeof account>>, fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ supplierName: "Papeterie Dupont", number: "P-1", issueDate: "2026-10-02", taxExclusiveCents: "100,00", vatCents: "20,00", category: "goods", ...fields })) form.set(k, v);
  const res = await a.client.postMultipart("/achats/nouvelle", form);
  expect(res.status, await res.clone().text()).toBe(303);
  return res.headers.get("location")!.split("?")[0]!;
}

describe("registre des achats", () => {
  it("lists purchases by date with totals, as a page, a CSV and a PDF", async () => {
    const a = await account();
    await typed(a, { number: "P-2", issueDate: "2026-10-20", taxExclusiveCents: "50,00", vatCents: "10,00" });
    await typed(a, { number: "P-1", issueDate: "2026-10-02", supplierName: "=cmd Imprimerie" });
    await typed(a, { number: "P-0", issueDate: "2026-08-30" });
    const res = await a.client.json("GET", "/api/v1/books/purchases-register?from=2026-09-01&to=2026-10-31");
    const body = (await res.json()) as { entries: Array<{ number: string; taxInclusiveCents: number }> };
    expect(body.entries.map((e) => e.number)).toEqual(["P-1", "P-2"]);
    const csv = await (await a.client.get("/livres/registre-des-achats.csv?from=2026-09-01&to=2026-10-31")).text();
    expect(csv.split("\r\n")[1]).toContain("'=cmd Imprimerie");
    expect(csv).toContain("120,00");
    expect(csv).toContain("60,00");
    const pdf = await a.client.get("/livres/registre-des-achats.pdf?from=2026-09-01&to=2026-10-31");
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(new TextDecoder().decode(new Uint8Array(await pdf.arrayBuffer()).subarray(0, 5))).toBe("%PDF-");
    const page = await (await a.client.get("/livres/registre-des-achats?from=2026-09-01&to=2026-10-31")).text();
    expect(page).toContain("Registre des achats");
    expect(page).toContain("P-2");
    expect((await a.client.get("/livres/registre-des-achats?from=2026-10-31&to=2026-09-01")).status).toBe(400);
  });

  it("puts purchases in the FEC: journal AC (charge, deductible VAT, 401 supplier) and their payment in BQ, balanced", async () => {
    const a = await account();
    const detail = await typed(a, { number: "FEC-1", issueDate: "2026-03-02", category: "services" });
    expect((await a.client.postForm(`${detail}/paiement`, { paidOn: "2026-03-20", amountCents: "120,00", method: "transfer" })).status).toBe(303);
    const text = await (await a.client.get(`/api/v1/books/fec?year=2026`)).text();
    const rows = text.trim().split("\r\n").slice(1).map((l) => l.split("\t"));
    const ac = rows.filter((r) => r[0] === "AC");
    expect(ac.map((r) => [r[4], r[11], r[12]])).toEqual([
      ["604000", "100,00", "0,00"],
      ["445660", "20,00", "0,00"],
      ["401000", "0,00", "120,00"],
    ]);
    const pay = rows.filter((r) => r[0] === "BQ" && r[8] === "FEC-1");
    expect(pay.map((r) => [r[4], r[11], r[12]])).toEqual([
      ["401000", "120,00", "0,00"],
      ["512000", "0,00", "120,00"],
    ]);
    // The supplier's lines are lettered together once paid.
    expect(new Set(rows.filter((r) => r[4] === "401000").map((r) => r[13])).size).toBe(1);
    expect(rows.find((r) => r[4] === "401000")?.[13]).not.toBe("");
  });
});

describe("e-reporting", () => {
  it("sends an ended period's B2C transactions and payments as FRR flows (IN), then a replacement (RE) when the period changes", async () => {
    const a = await account();
    const person = await insertClient(a.accountId, { kind: "individual", name: "Jeanne Dupont", search_name: "jeanne dupont", siren: null, siret: null, vat_number: null, electronic_scheme: null, electronic_address: null });
    const issue = async (date: string) => {
      const id = await createDraftVia(a.client, draftBody(person));
      const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, { issueDate: date });
      expect(res.status, await res.clone().text()).toBe(200);
      return id;
    };
    const first = await issue("2026-10-15");
    expect((await a.client.json("POST", `/api/v1/documents/${first}/payments`, { receivedOn: "2026-10-20", method: "virement", amountCents: 50_000 })).status).toBe(201);
    const list = async () => ((await (await a.client.json("GET", "/api/v1/books/ereporting")).json()) as { periods: Array<{ start: string; status: string; deadline: string }> }).periods;
    expect((await list()).find((p) => p.start === "2026-10-01")).toMatchObject({ status: "todo", deadline: "2026-11-30" });

    // A period not over yet cannot be sent; an unknown period neither.
    expect((await a.client.json("POST", "/api/v1/books/ereporting", { periodStart: "2026-10-02" })).status).toBe(400);

    const sent = await a.client.json("POST", "/api/v1/books/ereporting", { periodStart: "2026-10-01" });
    expect(sent.status, await sent.clone().text()).toBe(201);
    const body = (await sent.json()) as { reports: Array<{ kind: string; typeCode: string; reportId: string }> };
    expect(body.reports.map((r) => [r.kind, r.typeCode])).toEqual([
      ["transactions", "IN"],
      ["payments", "IN"],
    ]);
    // Sent; accepted as soon as the PA's acknowledgement is read (test/integration/ereporting.test.ts).
    expect(["sent", "accepted"]).toContain((await list()).find((p) => p.start === "2026-10-01")?.status);
    expect((await a.client.json("POST", "/api/v1/books/ereporting", { periodStart: "2026-10-01" })).status).toBe(409);
    await paFlush();
    const flows = (await paState(a.siren)).flows.filter((f) => f.flowDirection === "Out");
    expect(flows.map((f) => [f.flowType, f.acknowledgement.status]).sort()).toEqual([
      ["AggregatedCustomerPaymentReport", "Ok"],
      ["AggregatedCustomerTransactionReport", "Ok"],
    ]);
    const xml = await (await env.FILES.get(`accounts/${a.accountId}/ereports/${body.reports[0]!.reportId}.xml`))!.text();
    expect(xml).toContain("<TypeCode>IN</TypeCode>");
    expect(xml).toContain("<Date>20261015</Date>");
    expect(xml).toContain("<TaxExclusiveAmount>1400.00</TaxExclusiveAmount>");

    // Another sale in that month: the transactions change, the payments do not.
    await issue("2026-10-28");
    expect((await list()).find((p) => p.start === "2026-10-01")?.status).toBe("changed");
    const re = (await (await a.client.json("POST", "/api/v1/books/ereporting", { periodStart: "2026-10-01" })).json()) as { reports: Array<{ kind: string; typeCode: string }> };
    expect(re.reports).toEqual([expect.objectContaining({ kind: "transactions", typeCode: "RE" })]);
    const page = await (await a.client.get("/livres/e-reporting")).text();
    expect(page).toContain("Transmis");
    // The page's form: nothing changed since, so a clear 409 and nothing sent.
    const again = await a.client.postForm("/livres/e-reporting", { period: "2026-10-01" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("Rien n'a changé");
  });
});
