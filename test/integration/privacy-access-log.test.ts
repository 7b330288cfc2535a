import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runRetention } from "../../src/worker/jobs/retention";
import { addDuration } from "../../src/worker/domain/retention";
import { TEST_PASSWORD, TestClient, signedUpClient } from "../helpers/client";
import { exportArchive, importInto, withManifest } from "../helpers/data-jobs";
import { VAT_COMPANY_PROFILE, createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// PRIVACY.md §8: an access log of sensitive actions (exports, downloads of issued documents,
// profile changes, sign-ins) readable by the account owner, and only by them.

interface Entry {
  action: string;
  target: string | null;
  at: number;
}

async function logOf(client: TestClient): Promise<Entry[]> {
  const res = await client.get("/api/v1/me/access-log");
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Entry[] }).items;
}

describe("§8 access log of sensitive actions", () => {
  it("records sign-ins, downloads of issued documents, profile, bank and password changes", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const issued = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
    const number = ((await issued.json()) as { document: { number: string } }).document.number;

    expect((await a.client.get(`/api/v1/documents/${id}/pdf`)).status).toBe(200);
    expect((await a.client.get(`/documents/${id}/telecharger.xml`)).status).toBe(200);
    // The inline preview is not a download.
    expect((await a.client.get(`/documents/${id}/apercu.pdf`)).status).toBe(200);

    // Same profile again: a profile change, but the bank details did not change.
    expect((await a.client.json("PUT", "/api/v1/account/profile", VAT_COMPANY_PROFILE)).status).toBe(200);
    expect((await a.client.json("PUT", "/api/v1/account/profile", { ...VAT_COMPANY_PROFILE, iban: "FR1420041010050500013M02606" })).status).toBe(200);
    expect((await a.client.json("POST", "/api/v1/me/password", { current: TEST_PASSWORD, password: "a brand new passphrase 2026", confirm: "a brand new passphrase 2026" })).status).toBe(204);

    const signIn = await new TestClient().postForm("/connexion", { email: a.email, password: "a brand new passphrase 2026" });
    expect(signIn.status).toBe(303);

    const log = await logOf(a.client);
    const actions = log.map((e) => e.action);
    expect(actions[0]).toBe("login");
    expect(log.filter((e) => e.action === "document_downloaded").map((e) => e.target).sort()).toEqual([`${number}.pdf`, `${number}.xml`]);
    expect(actions.filter((x) => x === "profile_changed").length).toBeGreaterThanOrEqual(3);
    // Set once by the first profile (readyAccount), changed once since; the identical save adds none.
    expect(actions.filter((x) => x === "bank_details_changed")).toHaveLength(2);
    expect(actions).toContain("password_changed");
    // Newest first.
    expect(log.map((e) => e.at)).toEqual([...log.map((e) => e.at)].sort((x, y) => y - x));

    const page = await (await a.client.get("/parametres/journal")).text();
    expect(page).toContain("Journal d'activité");
    expect(page).toContain(`${number}.pdf`);
    expect(page).toContain("Coordonnées bancaires modifiées");
  });

  it("§8 access log records an import when it is asked for and when it ends, shown with French labels", async () => {
    const a = await readyAccount();
    const files = await exportArchive(a.client);
    const b = await signedUpClient();
    const job = await importInto(b.client, files);
    expect(job.status).toBe("ready");
    const log = await logOf(b.client);
    expect(log.filter((e) => e.target === job.id).map((e) => e.action).sort()).toEqual(["import_completed", "import_requested"]);

    // A refused archive is logged as such.
    const c = await signedUpClient();
    const refused = await importInto(c.client, withManifest(files, (m) => (m.version = 99)));
    expect(refused.status).toBe("failed");
    expect((await logOf(c.client)).filter((e) => e.target === refused.id).map((e) => e.action).sort()).toEqual(["import_failed", "import_requested"]);

    const page = await (await b.client.get("/parametres/journal")).text();
    expect(page).toContain("Import d'une archive demandé");
    expect(page).toContain("Import d'une archive terminé");
    expect(page).toContain('data-action="import_completed"');
  });

  it("shows an account only its own entries", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${id}/issue`, {})).status).toBe(200);
    expect((await a.client.get(`/api/v1/documents/${id}/pdf`)).status).toBe(200);
    expect((await b.client.get(`/api/v1/documents/${id}/pdf`)).status).toBe(404);
    const seenByB = await logOf(b.client);
    expect(seenByB.some((e) => e.action === "document_downloaded")).toBe(false);
    expect(await new TestClient().get("/api/v1/me/access-log").then((r) => r.status)).toBe(401);
  });

  it("is purged with the connection logs after 12 months", async () => {
    const a = await readyAccount();
    const row = await env.DB.prepare("SELECT id, at FROM access_log WHERE account_id = ? ORDER BY at LIMIT 1").bind(a.accountId).first<{ id: string; at: number }>();
    expect(row).not.toBeNull();
    const due = addDuration(row!.at, { months: 12 });
    await runRetention(env, due - 1);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM access_log WHERE id = ?").bind(row!.id).first("n")).toBe(1);
    await runRetention(env, due + 1);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM access_log WHERE id = ?").bind(row!.id).first("n")).toBe(0);
  });
});
