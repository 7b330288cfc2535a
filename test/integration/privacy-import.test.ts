import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { formatDate } from "../../src/worker/domain/format";
import { zipSync } from "fflate";
import { exportObjectFor } from "../../src/worker/exports/export-object";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { NOT_REFERENCES, importKey } from "../../src/worker/features/data/import";
import { exportedTables, isImported } from "../../src/worker/features/data/tables";
import { type Job, type Rows, drain, exportArchive, importInto, rowsOf, tableOf, withManifest, withTable } from "../helpers/data-jobs";
import { signedUpClient, type TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// PRIVACY.md §9.5: an export re-imports with the same data. A forged or damaged archive is refused
// before anything is written, with a stable code and a sentence naming the table at fault.

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

async function issue(client: TestClient, id: string, issueDate?: string) {
  return client.json("POST", `/api/v1/documents/${id}/issue`, issueDate ? { issueDate } : {});
}

async function issued(client: TestClient, id: string, issueDate?: string): Promise<{ id: string; number: string; dueCents: number }> {
  const res = await issue(client, id, issueDate);
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: { id: string; number: string; dueCents: number } }).document;
}

/** D, the last issue date, and D−1, in the same calendar year (series are per year). */
function lastAndEarlier(): { last: string; earlier: string } {
  const now = Date.now();
  const today = isoDay(now);
  const last = today.endsWith("-01-01") ? isoDay(now - 86_400_000) : today;
  return { last, earlier: isoDay(Date.parse(`${last}T00:00:00Z`) - 86_400_000) };
}

/** An account with invoices issued on D, a payment, a quote and a draft; its archive. */
async function sourceArchive() {
  const a = await readyAccount();
  const { last } = lastAndEarlier();
  const inv1 = await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)), last);
  await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)), last);
  const paid = await a.client.json("POST", `/api/v1/documents/${inv1.id}/payments`, { receivedOn: last, method: "virement", amountCents: 10_000, reference: "VIR 7" });
  expect(paid.status).toBe(201);
  await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId, { type: "quote" })), last);
  await createDraftVia(a.client, draftBody(a.clientId, { note: "Brouillon" }));
  return { a, files: await exportArchive(a.client) };
}

const importedTables = () => exportedTables().filter((t) => isImported(t.name));

/** Rows per imported table of an account: what "nothing written" is compared against. */
async function counts(accountId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of importedTables()) out[t.name] = (await rowsOf(t.name, accountId)).length;
  return out;
}

describe("§9.5 import keeps numbering chronological", () => {
  it("§9.5 refuses after an import a document dated before the last imported invoice, as the source account does", async () => {
    const { a, files } = await sourceArchive();
    const { last, earlier } = lastAndEarlier();
    // The source refuses an issue dated D−1 after D (LEGAL.md §3).
    const sourceRefusal = await issue(a.client, await createDraftVia(a.client, draftBody(a.clientId)), earlier);
    expect(sourceRefusal.status).toBe(409);

    const b = await signedUpClient();
    const job = await importInto(b.client, files);
    expect(job.error).toBeNull();
    expect(job.status).toBe("ready");
    const clientId = String((await rowsOf("clients", b.accountId))[0]!.id);
    const refused = await issue(b.client, await createDraftVia(b.client, draftBody(clientId)), earlier);
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toContain(formatDate(last, "fr"));
    // Dated D, the next invoice is accepted and continues the sequence.
    const next = await issued(b.client, await createDraftVia(b.client, draftBody(clientId)), last);
    expect(Number(next.number.match(/(\d+)$/)![1])).toBe(3);
  });
});

describe("§9.5 client credit travels with the archive", () => {
  it("§9.5 imports the client credit a credit note on a paid invoice created, with the credit note it names", async () => {
    const a = await readyAccount();
    const inv = await issued(a.client, await createDraftVia(a.client, draftBody(a.clientId)));
    const paid = await a.client.json("POST", `/api/v1/documents/${inv.id}/payments`, { receivedOn: isoDay(Date.now()), method: "virement", amountCents: inv.dueCents });
    expect(paid.status).toBe(201);
    // A credit note on the fully paid invoice: what it gives back becomes the client's credit,
    // on a client_credits row whose payment_id is the credit note's id.
    const note = await issued(a.client, await createDraftVia(a.client, { type: "credit_note", precedingDocumentId: inv.id, clientId: a.clientId, lines: draftBody(a.clientId).lines }));
    const credits = await rowsOf("client_credits", a.accountId);
    expect(credits.some((r) => r.payment_id === note.id && Number(r.amount_cents) > 0)).toBe(true);

    const b = await signedUpClient();
    const job = await importInto(b.client, await exportArchive(a.client));
    expect(job.error).toBeNull();
    expect(job.status).toBe("ready");
    const imported = await rowsOf("client_credits", b.accountId);
    expect(imported.map((r) => Number(r.amount_cents)).sort()).toEqual(credits.map((r) => Number(r.amount_cents)).sort());
    const importedNote = (await rowsOf("documents", b.accountId)).find((d) => d.type === "credit_note");
    expect(imported.some((r) => r.payment_id === importedNote?.id)).toBe(true);
  });
});

describe("§9.5 forged archives are refused before anything is written", () => {
  let files: Record<string, Uint8Array>;
  beforeAll(async () => {
    files = (await sourceArchive()).files;
  });

  async function refusedWithNothingWritten(forged: Record<string, Uint8Array>) {
    const b = await signedUpClient();
    const before = await counts(b.accountId);
    const name = await env.DB.prepare("SELECT name FROM accounts WHERE id = ?").bind(b.accountId).first<string>("name");
    const job = await importInto(b.client, forged);
    expect(job.status).toBe("failed");
    expect(await counts(b.accountId)).toEqual(before);
    expect(await env.DB.prepare("SELECT name FROM accounts WHERE id = ?").bind(b.accountId).first<string>("name")).toBe(name);
    const page = await (await b.client.get("/mes-donnees/exports")).text();
    return { job, page };
  }

  it("§9.5 refuses a payment whose invoice is not in the archive, naming the table in French", async () => {
    const payments = tableOf(files, "payments");
    expect(payments.length).toBeGreaterThan(0);
    const forged = await withTable(files, "payments", payments.map((p) => ({ ...p, document_id: "d0000000000000000000000000" })));
    const { job, page } = await refusedWithNothingWritten(forged);
    expect(job.error).toBe("dangling_reference");
    expect(job.errorTable).toBe("payments");
    expect(job.errorMessage).toContain("« Paiements reçus »");
    expect(page).toContain("la table « Paiements reçus » fait référence à un enregistrement absent");
  });

  it("§9.5 refuses document lines whose document is missing", async () => {
    const lines = tableOf(files, "document_lines");
    const docs = tableOf(files, "documents");
    const draft = docs.find((d) => d.status === "draft")!;
    // The draft goes, its lines stay: they point at nothing.
    const forged = await withTable(files, "documents", docs.filter((d) => d !== draft));
    expect(lines.some((l) => l.document_id === draft.id)).toBe(true);
    const { job } = await refusedWithNothingWritten(forged);
    expect(job.error).toBe("dangling_reference");
    expect(job.errorTable).toBe("document_lines");
  });

  it("§9.5 refuses an archive where one id appears twice", async () => {
    const clients = tableOf(files, "clients");
    const products = tableOf(files, "documents");
    const forged = await withTable(files, "documents", products.map((d, i) => (i === 0 ? { ...d, id: clients[0]!.id } : d)));
    const { job } = await refusedWithNothingWritten(forged);
    expect(job.error).toBe("duplicate_id");
    expect(job.errorMessage).toContain("Rien n'a été importé");
  });

  it("§9.5 refuses an archive of another format version or without a manifest", async () => {
    const other = await refusedWithNothingWritten(withManifest(files, (m) => (m.version = 99)));
    expect(other.job.error).toBe("unsupported_version");
    expect(other.job.errorMessage).toContain("autre version du format");
    const { "manifest.json": _dropped, ...noManifest } = files;
    const missing = await refusedWithNothingWritten(noManifest);
    expect(missing.job.error).toBe("manifest_missing");
    expect(missing.job.errorMessage).toContain("manifest.json absent");
  });

  it("§9.5 undoes an import stopped after its first writes and says nothing was kept", async () => {
    const b = await signedUpClient();
    const form = new FormData();
    form.set("archive", new File([zipSync(files) as Uint8Array<ArrayBuffer>], "export.zip", { type: "application/zip" }));
    expect((await b.client.postMultipart("/mes-donnees/import", form)).status).toBe(303);
    const list = (await (await b.client.json("GET", "/api/v1/data/exports")).json()) as { items: Job[] };
    const id = list.items.find((j) => j.kind === "import")!.id;
    const stub = exportObjectFor(env, id);
    // Step until the first rows land, then take the archive away: the next read fails.
    for (let i = 0; i < 200 && (await rowsOf("clients", b.accountId)).length === 0; i++) await runDurableObjectAlarm(stub);
    expect((await rowsOf("clients", b.accountId)).length).toBeGreaterThan(0);
    await env.FILES.delete(importKey(b.accountId, id));
    const job = await drain(b.client, id);
    expect(job.status).toBe("failed");
    expect(job.error).toBe("import_rolled_back");
    expect(job.errorMessage).toContain("rien n'a été conservé");
    expect(job.errorMessage).not.toContain("n'en contient qu'une partie");
    expect(await rowsOf("clients", b.accountId)).toEqual([]);
  });

  it("§9.5 imports in full or refuses with zero rows written, whatever row is dropped, id duplicated or reference changed", async () => {
    const tables = importedTables().filter((t) => tableOf(files, t.name).length > 0);
    const withIds = tables.filter((t) => t.hasId);
    const refColumns = tables.flatMap((t) =>
      t.columns.filter((c) => c.endsWith("_id") && c !== "account_id" && c !== "user_id" && !NOT_REFERENCES.has(c)).map((c) => ({ table: t.name, column: c })),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("drop" as const), table: fc.constantFrom(...tables.map((t) => t.name)), pick: fc.nat() }),
      fc.record({ kind: fc.constant("duplicate" as const), from: fc.constantFrom(...withIds.map((t) => t.name)), to: fc.constantFrom(...withIds.map((t) => t.name)), a: fc.nat(), b: fc.nat() }),
      fc.record({ kind: fc.constant("reference" as const), ref: fc.constantFrom(...refColumns), pick: fc.nat(), target: fc.option(fc.nat(), { nil: undefined }) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        let forged: Record<string, Uint8Array>;
        if (m.kind === "drop") {
          const rows = tableOf(files, m.table);
          forged = await withTable(files, m.table, rows.filter((_, i) => i !== m.pick % rows.length));
        } else if (m.kind === "duplicate") {
          const source = tableOf(files, m.from);
          const rows = tableOf(files, m.to);
          const id = source[m.a % source.length]!.id;
          forged = await withTable(files, m.to, rows.map((r, i) => (i === m.b % rows.length && r.id !== id ? { ...r, id } : r)));
        } else {
          // Another row's id from anywhere in the archive, or an id the archive does not hold.
          const all: Rows = withIds.flatMap((t) => tableOf(files, t.name));
          const value = m.target === undefined ? "zzzzzzzzzzzzzzzzzzzzzzzzzz" : all[m.target % all.length]!.id;
          const rows = tableOf(files, m.ref.table);
          forged = await withTable(files, m.ref.table, rows.map((r, i) => (i === m.pick % rows.length ? { ...r, [m.ref.column]: value } : r)));
        }
        const b = await signedUpClient();
        const before = await counts(b.accountId);
        const job = await importInto(b.client, forged);
        const after = await counts(b.accountId);
        if (job.status === "ready") {
          // Full import: every row of every imported table of the archive is there.
          for (const t of importedTables().filter((x) => x.hasId)) {
            const expected = JSON.parse(new TextDecoder().decode(forged[`tables/${t.name}.json`])) as Rows;
            expect(after[t.name]! - before[t.name]!, t.name).toBe(expected.length);
          }
        } else {
          expect(job.status).toBe("failed");
          expect(job.errorMessage).toBeTruthy();
          expect(after).toEqual(before);
        }
      }),
      { numRuns: 10 },
    );
  }, 300_000);
});
