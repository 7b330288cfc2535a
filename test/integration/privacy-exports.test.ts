import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RETENTION_CLASSES, addDuration } from "../../src/worker/domain/retention";
import { exportObjectFor } from "../../src/worker/exports/export-object";
import { runRetention } from "../../src/worker/jobs/retention";
import type { TestClient } from "../helpers/client";
import { readyAccount } from "../helpers/invoicing";

// PRIVACY.md §9.5: an export's archive lives 7 days, then the retention job deletes it from R2 and
// marks the job expired. The clock of the job is walked to just before and just after.

const MINUTE = 60 * 1000;

type Row = { status: string; r2_key: string | null; created_at: number; expires_at: number };

async function readyExport(client: TestClient): Promise<{ id: string; downloadUrl: string }> {
  const res = await client.json("POST", "/api/v1/data/exports");
  expect(res.status).toBe(202);
  const { id } = ((await res.json()) as { export: { id: string } }).export;
  const stub = exportObjectFor(env, id);
  for (let i = 0; i < 300; i++) {
    const job = ((await (await client.json("GET", `/api/v1/data/exports/${id}`)).json()) as { export: { status: string; downloadUrl: string | null } }).export;
    if (job.status === "ready") return { id, downloadUrl: job.downloadUrl! };
    if (job.status === "failed") throw new Error("export failed");
    if (!(await runDurableObjectAlarm(stub))) await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("export never finished");
}

const rowOf = (id: string) => env.DB.prepare("SELECT status, r2_key, created_at, expires_at FROM data_exports WHERE id = ?").bind(id).first<Row>();

describe("§9.5 exports: deleted 7 days after creation", () => {
  it("keeps the archive until the 7 days have passed, then deletes it from R2 and marks the job expired", async () => {
    const a = await readyAccount();
    const { id, downloadUrl } = await readyExport(a.client);
    const row = (await rowOf(id))!;
    expect(row.status).toBe("ready");
    expect(row.r2_key).not.toBeNull();
    expect(await env.FILES.head(row.r2_key!)).not.toBeNull();
    const purgeAt = addDuration(row.created_at, RETENTION_CLASSES.data_exports.duration);
    expect(row.expires_at).toBe(purgeAt);

    const early = await runRetention(env, purgeAt - MINUTE);
    expect((await rowOf(id))!.status).toBe("ready");
    expect(await env.FILES.head(row.r2_key!)).not.toBeNull();
    expect(early.data_exports).toBe(0);

    const due = await runRetention(env, purgeAt + MINUTE);
    expect(due.data_exports).toBeGreaterThanOrEqual(1);
    expect((await rowOf(id))!.status).toBe("expired");
    expect(await env.FILES.head(row.r2_key!)).toBeNull();

    // The same run ended the session too (idle for 7 days on the job's clock): sign in again. The link
    // now says the archive is gone (410), and a second run has nothing left to do.
    expect((await a.client.postForm("/connexion", { email: a.email, password: a.password })).status).toBe(303);
    const gone = await a.client.fetch(downloadUrl, { headers: { accept: "application/json" } });
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe("gone");
    expect((await runRetention(env, purgeAt + 2 * MINUTE)).data_exports).toBe(0);
  });
});
