import { env } from "cloudflare:workers";
import { strToU8, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_COMPRESSION_RATIO, checkArchiveSizes, findCentralDirectory, localHeaderLength, parseCentralDirectory } from "../../src/worker/features/data/archive";
import { inflateWithin } from "../../src/worker/features/data/import";
import { exportedTables, isImported } from "../../src/worker/features/data/tables";
import { bytesToHex, sha256 } from "../../src/worker/lib/crypto/random";
import { signedUpClient } from "../helpers/client";
import { type Rows, exportArchive, importInto, rowsOf, tableOf, withManifest, withTable } from "../helpers/data-jobs";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Issue #14: an import refuses archives beyond the stated size limits and content the screens would
// refuse (a logo that is no image, numbering out of the API's bounds, dates outside 2000–2099,
// issued documents that no longer match their issue log), with a stable code and a French
// sentence, before anything is written.

type Files = Record<string, Uint8Array>;
const decoder = new TextDecoder();
const manifestOf = (files: Files) => JSON.parse(decoder.decode(files["manifest.json"])) as { source: { accountId: string }; files: Record<string, { sha256: string; size: number }>; numbering: Array<Record<string, unknown>> };

/** A copy of the archive with one entry replaced (or added), its manifest checksum updated. */
async function withFile(files: Files, name: string, bytes: Uint8Array): Promise<Files> {
  const out = { ...files, [name]: bytes };
  const hash = bytesToHex(await sha256(bytes));
  return withManifest(out, (m) => {
    (m.files as Record<string, unknown>)[name] = { sha256: hash, size: bytes.length };
  });
}

async function counts(accountId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of exportedTables().filter((t) => isImported(t.name))) out[t.name] = (await rowsOf(t.name, accountId)).length;
  return out;
}

async function r2Count(accountId: string): Promise<number> {
  const list = await env.FILES.list({ prefix: `accounts/${accountId}/` });
  return list.objects.filter((o) => !o.key.includes("/imports/")).length;
}

/** Imports a forged archive into a fresh account: refused with `code`, nothing written in D1 or R2. */
async function refusedWith(forged: Files | Uint8Array, code: string) {
  const b = await signedUpClient();
  const before = await counts(b.accountId);
  const filesBefore = await r2Count(b.accountId);
  const job = forged instanceof Uint8Array ? await importZip(b.client, forged) : await importInto(b.client, forged);
  expect(job.status).toBe("failed");
  expect(job.error).toBe(code);
  expect(job.errorMessage).toMatch(/^Archive refusée : .*Rien n'a été importé\.$/);
  expect(await counts(b.accountId)).toEqual(before);
  expect(await r2Count(b.accountId)).toBe(filesBefore);
  return job;
}

/** Uploads raw zip bytes to the import form and runs the job to its end. */
async function importZip(client: Awaited<ReturnType<typeof signedUpClient>>["client"], zip: Uint8Array) {
  const { drain } = await import("../helpers/data-jobs");
  const form = new FormData();
  form.set("archive", new File([zip as Uint8Array<ArrayBuffer>], "export.zip", { type: "application/zip" }));
  expect((await client.postMultipart("/mes-donnees/import", form)).status).toBe(303);
  const list = (await (await client.json("GET", "/api/v1/data/exports")).json()) as { items: Array<{ id: string; kind: string }> };
  return drain(client, list.items.find((j) => j.kind === "import")!.id);
}

describe("archive size limits, checked before anything is inflated or written", () => {
  let files: Files;
  beforeAll(async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    files = await exportArchive(a.client);
  });

  it("refuses a zip bomb by its compression ratio (a few KB that expand to 48 MB)", async () => {
    const source = manifestOf(files).source.accountId;
    const bomb = await withFile(files, `files/accounts/${source}/documents/bomb.pdf`, new Uint8Array(48 * 1024 * 1024));
    const zip = zipSync(bomb, { level: 9 });
    expect(zip.length * MAX_COMPRESSION_RATIO).toBeLessThan(48 * 1024 * 1024);
    await refusedWith(zip, "compression_ratio");
  });

  it("refuses an entry whose directory understates its size, while inflating", async () => {
    const forged = withManifest(files, (m) => {
      (m.files as Record<string, unknown>)["padding.bin"] = { sha256: "0".repeat(64), size: 1000 };
    });
    const zip = zipSync({ ...forged, "padding.bin": new Uint8Array(200_000).fill(7) }, { level: 9 });
    // Patch the central directory: padding.bin now claims 1 000 bytes (it inflates to 200 000).
    const dir = findCentralDirectory(zip.subarray(Math.max(0, zip.length - 65_557)));
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let p = dir.offset;
    for (const e of parseCentralDirectory(zip.subarray(dir.offset, dir.offset + dir.size), dir.entries)) {
      if (e.name === "padding.bin") view.setUint32(p + 24, 1000, true);
      p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    }
    await refusedWith(zip, "entry_size_mismatch");
  });

  it("holds an inflating entry to its declared size, and refuses the sizes the directory alone gives away", () => {
    const deflated = zipSync({ a: new Uint8Array(100_000) }, { level: 9 });
    const dir = findCentralDirectory(deflated.subarray(Math.max(0, deflated.length - 1000)));
    const [entry] = parseCentralDirectory(deflated.subarray(dir.offset, dir.offset + dir.size), dir.entries);
    const start = localHeaderLength(deflated.subarray(0, 30));
    const raw = deflated.subarray(start, start + entry!.compressedSize);
    expect(inflateWithin(raw, 100_000)).toHaveLength(100_000);
    expect(() => inflateWithin(raw, 1_000)).toThrow("entry_size_mismatch");
    expect(() => inflateWithin(raw, 100_001)).toThrow("entry_size_mismatch");
    const e = { name: "x", method: 8, crc32: 0, localHeaderOffset: 0 };
    expect(() => checkArchiveSizes([{ ...e, size: 65 * 1024 * 1024, compressedSize: 65 * 1024 * 1024 }], 65 * 1024 * 1024)).toThrow("entry_too_large");
    expect(() => checkArchiveSizes([{ ...e, size: 2_000_000, compressedSize: 2_000 }], 10_000_000)).toThrow("compression_ratio");
    expect(() => checkArchiveSizes(Array.from({ length: 40 }, () => ({ ...e, size: 60 * 1024 * 1024, compressedSize: 60 * 1024 * 1024 })), 40 * 60 * 1024 * 1024)).toThrow("archive_too_large");
    expect(() => checkArchiveSizes([{ ...e, size: 1000, compressedSize: 5000 }], 5000)).toThrow("entry_size_mismatch");
    expect(() => checkArchiveSizes([{ ...e, size: 5_000_000, compressedSize: 1_000_000 }], 1_100_000)).not.toThrow();
  });
});

describe("archive content is checked like the screens check it", () => {
  let files: Files;
  let source: string;
  beforeAll(async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect((await a.client.json("POST", `/api/v1/documents/${id}/payments`, { receivedOn: today, method: "virement", amountCents: 1_000 })).status).toBe(201);
    files = await exportArchive(a.client);
    source = manifestOf(files).source.accountId;
  });

  const issuedDocs = () => tableOf(files, "documents").filter((d) => d.number !== null);

  it("imports the untouched archive (the checks pass on a real export)", async () => {
    const b = await signedUpClient();
    const job = await importInto(b.client, files);
    expect(job.status, job.errorMessage ?? "").toBe("ready");
    const verify = (await (await b.client.json("GET", "/api/v1/audit/verify")).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
  });

  it("refuses an issued invoice whose amounts were edited (audit/verify would report content_mismatch)", async () => {
    const docs = tableOf(files, "documents").map((d) => (d.number !== null ? { ...d, tax_inclusive_cents: Number(d.tax_inclusive_cents) - 10_000, due_cents: Number(d.due_cents) - 10_000 } : d));
    const job = await refusedWith(await withTable(files, "documents", docs), "document_tampered");
    expect(job.errorMessage).toContain("journal d'émission");
  });

  it("refuses an issued invoice whose snapshot lines were edited, totals left alone", async () => {
    const docs = tableOf(files, "documents").map((d) => {
      if (d.number === null) return d;
      const snapshot = JSON.parse(String(d.snapshot)) as { lines: Array<{ unitPriceCents: number }> };
      snapshot.lines[0]!.unitPriceCents += 500_00;
      return { ...d, snapshot: JSON.stringify(snapshot) };
    });
    await refusedWith(await withTable(files, "documents", docs), "document_tampered");
  });

  it("refuses an issued invoice whose PDF was replaced, even with the manifest's checksum updated", async () => {
    const pdfKey = String(issuedDocs()[0]!.pdf_key);
    await refusedWith(await withFile(files, `files/${pdfKey}`, strToU8("%PDF-1.7 forged")), "document_tampered");
  });

  it("refuses an issued invoice left out of the issue log", async () => {
    await refusedWith(await withTable(files, "issue_log", []), "document_tampered");
  });

  it("refuses a logo that is not an image by its bytes", async () => {
    const key = `accounts/${source}/logo.png`;
    const account = JSON.parse(decoder.decode(files["account.json"])) as Record<string, unknown>;
    let forged = await withFile(files, `files/${key}`, strToU8("<html><script>alert(1)</script></html>"));
    forged = await withFile(forged, "account.json", strToU8(JSON.stringify({ ...account, logoKey: key })));
    await refusedWith(forged, "logo_invalid");
  });

  type Edit = (s: Record<string, unknown>) => Record<string, unknown>;
  it.each<[string, Edit]>([
    ["a next number over the API's bound", (s: Record<string, unknown>) => ({ ...s, nextNumber: 2_000_000_000 })],
    ["a series of year 1900", (s: Record<string, unknown>) => ({ ...s, seriesId: "invoice:1900" })],
    ["an unknown series type", (s: Record<string, unknown>) => ({ ...s, seriesId: "bogus:2026" })],
    ["a last issue date in 2150", (s: Record<string, unknown>) => ({ ...s, lastIssueDate: "2150-01-01" })],
  ])("refuses numbering with %s", async (_, edit) => {
    expect(manifestOf(files).numbering.length).toBeGreaterThan(0);
    const forged = withManifest(files, (m) => {
      m.numbering = (m.numbering as Array<Record<string, unknown>>).map(edit);
    });
    await refusedWith(forged, "numbering_invalid");
  });

  it("refuses a numbering prefix the series screen would refuse", async () => {
    const series = tableOf(files, "document_series");
    const rows: Rows = series.length > 0 ? series.map((s) => ({ ...s, prefix: "f 2026" })) : [{ account_id: source, type: "invoice", prefix: "f 2026", updated_at: Date.now() }];
    await refusedWith(await withTable(files, "document_series", rows), "numbering_invalid");
  });

  it.each(["1900-01-01", "0001-01-01", "9999-12-31", "2026-02-30"])("refuses a payment dated %s", async (date) => {
    const payments = tableOf(files, "payments").map((p) => ({ ...p, received_on: date }));
    const job = await refusedWith(await withTable(files, "payments", payments), "date_out_of_window");
    expect(job.errorTable).toBe("payments");
    expect(job.errorMessage).toContain("« Paiements reçus »");
  });
});
