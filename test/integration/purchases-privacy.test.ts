import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { closeAccount } from "../../src/worker/features/privacy/closure";
import { runRetention } from "../../src/worker/jobs/retention";
import { signedUpClient, TEST_PASSWORD } from "../helpers/client";
import { exportArchive, importInto, rowsOf } from "../helpers/data-jobs";
import { readyAccount, verbCtx } from "../helpers/invoicing";

// PRIVACY.md §3.4 (purchases row): supplier invoices are stored like issued documents (the file
// as received in R2 with its sha256), travel in the export/import round trip, and stay at closure
// for their legal retention (10 years), then go with their files.

async function paperPurchase(a: Awaited<ReturnType<typeof readyAccount>>, number: string, issueDate: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ supplierName: "Imprimerie Lumière", number, issueDate, taxExclusiveCents: "250,00", vatCents: "50,00", category: "goods" })) form.set(k, v);
  form.set("file", new File([new TextEncoder().encode(`%PDF-1.4 scan of ${number}`)], "scan.pdf", { type: "application/pdf" }));
  const res = await a.client.postMultipart("/achats/nouvelle", form);
  expect(res.status, await res.clone().text()).toBe(303);
  const [row] = (await rowsOf("purchases", a.accountId)).filter((r) => r.number === number);
  return row as { id: string; file_key: string; file_sha256: string };
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("§3.4 purchases", () => {
  it("§3.4 purchases: the file is kept in R2 as received, with its sha256 in D1", async () => {
    const a = await readyAccount();
    const row = await paperPurchase(a, "IMP-1", "2026-10-02");
    const obj = await env.FILES.get(row.file_key);
    expect(obj).not.toBeNull();
    const bytes = await obj!.arrayBuffer();
    expect(new TextDecoder().decode(bytes)).toBe("%PDF-1.4 scan of IMP-1");
    expect(await sha256Hex(bytes)).toBe(row.file_sha256);
    expect(row.file_key).toBe(`accounts/${a.accountId}/purchases/${row.id}.pdf`);
  });

  it("§3.4 purchases travel in the export/import round trip, files included", async () => {
    const a = await readyAccount();
    const row = await paperPurchase(a, "IMP-2", "2026-10-03");
    const files = await exportArchive(a.client);
    expect(files[`files/${row.file_key}`]).toBeDefined();
    const b = await signedUpClient();
    const job = await importInto(b.client, files);
    expect(job.status, JSON.stringify(job)).toBe("ready");
    const [imported] = (await rowsOf("purchases", b.accountId)) as Array<{ id: string; number: string; file_key: string; file_sha256: string; tax_inclusive_cents: number }>;
    expect(imported).toMatchObject({ number: "IMP-2", file_sha256: row.file_sha256, tax_inclusive_cents: 30_000 });
    expect(imported!.file_key).toBe(`accounts/${b.accountId}/purchases/${imported!.id}.pdf`);
    const copy = await env.FILES.get(imported!.file_key);
    expect(await sha256Hex(await copy!.arrayBuffer())).toBe(row.file_sha256);
    const list = (await (await b.client.json("GET", "/api/v1/purchases")).json()) as { items: Array<{ number: string }> };
    expect(list.items.map((i) => i.number)).toEqual(["IMP-2"]);
    // An export and an import run several job steps: 18 s alone, past 30 s on the loaded 2-core machine.
  }, 120_000);

  it("§3.4 purchases stay at closure (legal retention), and go with their file 10 years after their date", async () => {
    const a = await readyAccount();
    const row = await paperPurchase(a, "IMP-3", "2026-10-04");
    await closeAccount({ ...verbCtx(a.accountId), userId: a.userId }, { password: TEST_PASSWORD, confirmation: "SUPPRIMER" });
    expect((await rowsOf("purchases", a.accountId)).map((r) => r.number)).toEqual(["IMP-3"]);
    expect(await rowsOf("purchase_sync", a.accountId)).toEqual([]);
    await runRetention(env, Date.UTC(2036, 9, 3));
    expect(await rowsOf("purchases", a.accountId)).toHaveLength(1);
    await runRetention(env, Date.UTC(2036, 9, 6));
    expect(await rowsOf("purchases", a.accountId)).toEqual([]);
    expect(await env.FILES.get(row.file_key)).toBeNull();
  });
});
