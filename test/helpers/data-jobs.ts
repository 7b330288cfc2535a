import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { strToU8, unzipSync, zipSync } from "fflate";
import { expect } from "vitest";
import { exportObjectFor } from "../../src/worker/exports/export-object";
import { bytesToHex, sha256 } from "../../src/worker/lib/crypto/random";
import type { TestClient } from "./client";

// Export and import jobs driven from tests: each alarm of the job object is one step.

export type Job = {
  id: string;
  kind: string;
  status: string;
  step: number;
  total: number;
  error: string | null;
  errorTable: string | null;
  errorMessage: string | null;
  downloadUrl: string | null;
};

/** Runs the job object's alarms until its row says ready or failed. */
export async function drain(client: TestClient, id: string): Promise<Job> {
  const stub = exportObjectFor(env, id);
  for (let i = 0; i < 2000; i++) {
    const job = await jobOf(client, id);
    if (job.status === "ready" || job.status === "failed") return job;
    const ran = await runDurableObjectAlarm(stub);
    if (!ran) await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${id} never finished`);
}

export async function jobOf(client: TestClient, id: string): Promise<Job> {
  const res = await client.json("GET", `/api/v1/data/exports/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { export: Job }).export;
}

/** Exports the account and returns the archive's entries. */
export async function exportArchive(client: TestClient): Promise<Record<string, Uint8Array>> {
  const res = await client.json("POST", "/api/v1/data/exports");
  expect(res.status).toBe(202);
  const job = await drain(client, ((await res.json()) as { export: Job }).export.id);
  expect(job.status).toBe("ready");
  const zip = await client.fetch(job.downloadUrl!);
  expect(zip.status).toBe(200);
  return unzipSync(new Uint8Array(await zip.arrayBuffer()));
}

/** Uploads an archive to the import form and runs the import to its end. */
export async function importInto(client: TestClient, files: Record<string, Uint8Array>): Promise<Job> {
  const form = new FormData();
  form.set("archive", new File([zipSync(files) as Uint8Array<ArrayBuffer>], "export.zip", { type: "application/zip" }));
  const res = await client.postMultipart("/mes-donnees/import", form);
  expect(res.status).toBe(303);
  const list = (await (await client.json("GET", "/api/v1/data/exports")).json()) as { items: Job[] };
  const job = list.items.find((j) => j.kind === "import");
  if (!job) throw new Error("no import job");
  return drain(client, job.id);
}

export type Rows = Array<Record<string, unknown>>;

/** A table's JSON entry of an archive, parsed. */
export function tableOf(files: Record<string, Uint8Array>, table: string): Rows {
  return JSON.parse(new TextDecoder().decode(files[`tables/${table}.json`])) as Rows;
}

/** A copy of the archive with one table's rows replaced, the manifest's checksum and count updated. */
export async function withTable(files: Record<string, Uint8Array>, table: string, rows: Rows): Promise<Record<string, Uint8Array>> {
  const out = { ...files };
  const name = `tables/${table}.json`;
  out[name] = strToU8(`[\n${rows.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`);
  const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"])) as {
    tables: Record<string, { rows: number }>;
    files: Record<string, { sha256: string; size: number }>;
  };
  manifest.tables[table]!.rows = rows.length;
  manifest.files[name] = { sha256: bytesToHex(await sha256(out[name])), size: out[name].length };
  out["manifest.json"] = strToU8(JSON.stringify(manifest));
  return out;
}

/** A copy of the archive with its manifest edited. */
export function withManifest(files: Record<string, Uint8Array>, edit: (m: Record<string, unknown>) => void): Record<string, Uint8Array> {
  const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"])) as Record<string, unknown>;
  edit(manifest);
  return { ...files, "manifest.json": strToU8(JSON.stringify(manifest)) };
}

/** Rows of an account in a table (D1, bypassing the app). */
export async function rowsOf(table: string, accountId: string): Promise<Rows> {
  const { results } = await env.DB.prepare(`SELECT * FROM "${table}" WHERE account_id = ? ORDER BY rowid`).bind(accountId).all();
  return results as Rows;
}
