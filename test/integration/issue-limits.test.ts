import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addDays } from "../../src/worker/domain/mentions";
import { todayInParis } from "../../src/worker/features/documents/drafts";
import { signedUpClient } from "../helpers/client";
import { createDraftVia, draftBody, FRANCHISE_PROFILE, insertClient, readyAccount, VAT_COMPANY_PROFILE } from "../helpers/invoicing";

type ApiError = { error: { code: string; message: string; fields?: Record<string, string> } };

/** The whole stored row of a document and its lines, to prove a refusal changed nothing. */
async function rowsOf(id: string) {
  const doc = await env.DB.prepare("SELECT * FROM documents WHERE id = ?").bind(id).first();
  const lines = await env.DB.prepare("SELECT * FROM document_lines WHERE document_id = ? ORDER BY position").bind(id).all();
  return { doc, lines: lines.results };
}

describe("issue dates (issues #13 and #14)", () => {
  const today = todayInParis(Date.now());
  const year = Number(today.slice(0, 4));

  it("refuses F-2020-0001 and next year's F-0001 today, changing nothing", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const before = await rowsOf(id);
    for (const issueDate of [`${year - 6}-03-01`, `${year - 1}-12-31`, `${year + 1}-01-02`, addDays(today, 1)]) {
      const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, { issueDate });
      expect(res.status, issueDate).toBe(400);
      const body = (await res.json()) as ApiError;
      expect(body.error.code).toBe("invalid");
      expect(body.error.fields?.issueDate).toMatch(issueDate > today ? /dans le futur/ : /antérieure à l'année en cours/);
      expect(await rowsOf(id)).toEqual(before);
    }
    const series = (await (await a.client.json("GET", "/api/v1/series")).json()) as { series: Array<{ type: string; nextNumber: number }> };
    expect(series.series.find((s) => s.type === "invoice")?.nextNumber).toBe(1);
  });

  it("refuses a draft saved with a date outside the window", async () => {
    const a = await readyAccount();
    const res = await a.client.json("POST", "/api/v1/documents", draftBody(a.clientId, { issueDate: `${year + 1}-01-02` }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiError).error.fields?.issueDate).toMatch(/dans le futur/);
  });

  it("leaves every draft refused in a race for the series' last date exactly as it was", async () => {
    const a = await readyAccount();
    const firstDay = `${year}-01-01`;
    const span = Math.max(0, Math.round((Date.parse(today) - Date.parse(firstDay)) / 86_400_000));
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) ids.push(await createDraftVia(a.client, draftBody(a.clientId)));
    const before = await Promise.all(ids.map(rowsOf));
    const dates = ids.map((_, i) => addDays(firstDay, Math.round((span * ((i * 7) % 12)) / 11)));
    const results = await Promise.all(ids.map((id, i) => a.client.json("POST", `/api/v1/documents/${id}/issue`, { issueDate: dates[i] })));
    let refused = 0;
    for (const [i, res] of results.entries()) {
      if (res.status === 200) continue;
      refused += 1;
      expect(res.status).toBe(409);
      expect(((await res.json()) as ApiError).error.fields?.issueDate).toMatch(/dernier document émis/);
      expect(await rowsOf(ids[i]!)).toEqual(before[i]);
    }
    // Numbers follow dates: no gap, and nothing was consumed by a refusal.
    const issued = await env.DB.prepare("SELECT number, issue_date AS d FROM documents WHERE account_id = ? AND number IS NOT NULL ORDER BY number").bind(a.accountId).all<{ number: string; d: string }>();
    expect(issued.results.length).toBe(ids.length - refused);
    issued.results.forEach((r, i) => expect(r.number).toBe(`F-${year}-${String(i + 1).padStart(4, "0")}`));
    expect(issued.results.map((r) => r.d)).toEqual([...issued.results.map((r) => r.d)].sort());
  });
});

describe("API error field paths", () => {
  it("names the profile's missing fields once: profile.siren…, never profile.profile.…", async () => {
    const a = await signedUpClient();
    const clientId = await insertClient(a.accountId);
    const id = await createDraftVia(a.client, draftBody(clientId));
    const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    expect(res.status).toBe(412);
    const fields = Object.keys(((await res.json()) as ApiError).error.fields ?? {});
    expect(fields).toContain("profile.sirenOrSiret");
    expect(fields).toContain("profile.addressLine1");
    for (const f of fields) expect(f).not.toMatch(/^profile\.profile\./);
  });
});

describe("VAT regime", () => {
  const vatLine = { description: "Séance photo", quantity: "1", unitCode: "C62", unitPriceCents: 45_000, vatCategory: "S", vatRateBp: 2000, kind: "service" };
  const franchiseLine = { ...vatLine, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE" };

  it("refuses a franchise seller's line charging VAT, at save and again at issue after a regime change", async () => {
    const a = await readyAccount(FRANCHISE_PROFILE);
    const res = await a.client.json("POST", "/api/v1/documents", { type: "invoice", clientId: a.clientId, lines: [franchiseLine, vatLine] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ApiError;
    expect(body.error.code).toBe("invalid");
    expect(body.error.fields?.["lines.1.vatCategory"]).toMatch(/franchise de TVA/);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM documents WHERE account_id = ?").bind(a.accountId).first()).toEqual({ n: 0 });

    // A VAT-registered seller saves a 20 % line, then switches to the franchise: the issue refuses it.
    const b = await readyAccount();
    const id = await createDraftVia(b.client, { type: "invoice", clientId: b.clientId, lines: [vatLine] });
    expect((await b.client.json("PUT", "/api/v1/account/profile", { ...VAT_COMPANY_PROFILE, vatRegime: "franchise" })).status).toBe(200);
    const before = await rowsOf(id);
    const issued = await b.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    expect(issued.status).toBe(400);
    expect(((await issued.json()) as ApiError).error.fields?.["lines.0.vatCategory"]).toMatch(/franchise de TVA/);
    expect(await rowsOf(id)).toEqual(before);
  });

  it("refuses the franchise mention to a VAT-registered seller", async () => {
    const a = await readyAccount();
    const res = await a.client.json("POST", "/api/v1/documents", { type: "invoice", clientId: a.clientId, lines: [franchiseLine] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiError).error.fields?.["lines.0.vatCategory"]).toMatch(/assujetti à la TVA/);
  });
});
