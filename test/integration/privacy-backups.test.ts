import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { exportObjectFor } from "../../src/worker/exports/export-object";
import { BACKUP_EVERY_MS, scheduleBackups } from "../../src/worker/jobs/backups";
import { housekeeping } from "../../src/worker/jobs/housekeeping";
import { runRetention } from "../../src/worker/jobs/retention";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// PRIVACY.md §8 "regular backups": D1 Time Travel (documented in the README) and a scheduled export
// of each account to R2.

interface Backup {
  id: string;
  status: string;
  r2_key: string | null;
  created_at: number;
}

const backupsOf = async (accountId: string) =>
  (await env.DB.prepare("SELECT id, status, r2_key, created_at FROM data_exports WHERE account_id = ? AND kind = 'backup' ORDER BY created_at").bind(accountId).all<Backup>()).results;

async function drain(id: string): Promise<Backup> {
  const stub = exportObjectFor(env, id);
  for (let i = 0; i < 500; i++) {
    const row = await env.DB.prepare("SELECT id, status, r2_key, created_at FROM data_exports WHERE id = ?").bind(id).first<Backup>();
    if (row && (row.status === "ready" || row.status === "failed")) return row;
    if (!(await runDurableObjectAlarm(stub))) await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`backup ${id} never finished`);
}

describe("§8 regular backups: each account exported to R2 every week", () => {
  it("exports every open account unattended, with its issued documents, and tells nobody", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const issued = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    const number = ((await issued.json()) as { document: { number: string } }).document.number;

    const now = Date.now();
    const summary = await housekeeping(env, now);
    expect(summary.backups_scheduled).toBeGreaterThanOrEqual(1);
    const [job] = await backupsOf(a.accountId);
    expect(job).toBeDefined();
    const done = await drain(job!.id);
    expect(done.status).toBe("ready");

    const zip = unzipSync(new Uint8Array(await (await env.FILES.get(done.r2_key!))!.arrayBuffer()));
    const names = Object.keys(zip);
    expect(names).toContain("manifest.json");
    expect(names.some((n) => n.startsWith("files/") && n.endsWith(".pdf"))).toBe(true);
    expect(new TextDecoder().decode(zip["tables/documents.json"])).toContain(number);

    // Unattended: no "your export is ready" email, and not listed among the user's own exports.
    const mails = await env.DB.prepare("SELECT COUNT(*) AS n FROM mail_log WHERE account_id = ? AND template LIKE '%export%'").bind(a.accountId).first<{ n: number }>();
    expect(mails?.n).toBe(0);
    const listed = (await (await a.client.json("GET", "/api/v1/data/exports")).json()) as { items: Array<{ id: string }> };
    expect(listed.items.map((e) => e.id)).not.toContain(job!.id);
  });

  it("takes the next backup a day before the last one is purged, never two the same week, none for closed accounts", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    await env.DB.prepare("UPDATE accounts SET closed_at = ? WHERE id = ?").bind(Date.now(), b.accountId).run();
    const t0 = Date.now();
    await scheduleBackups(env, t0);
    expect(await backupsOf(a.accountId)).toHaveLength(1);
    expect(await backupsOf(b.accountId)).toHaveLength(0);
    await drain((await backupsOf(a.accountId))[0]!.id);

    await scheduleBackups(env, t0 + BACKUP_EVERY_MS - 60_000);
    expect(await backupsOf(a.accountId)).toHaveLength(1);
    await scheduleBackups(env, t0 + BACKUP_EVERY_MS + 60_000);
    const both = await backupsOf(a.accountId);
    expect(both).toHaveLength(2);
    await drain(both[1]!.id);

    // The 7-day purge of exports removes the first backup once the second one is there.
    await runRetention(env, t0 + 7 * 24 * 3600 * 1000 + 60_000);
    const after = await backupsOf(a.accountId);
    expect(after.map((x) => x.status)).toEqual(["expired", "ready"]);
    expect(await env.FILES.head(both[0]!.r2_key!)).toBeNull();
  });
});
