import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sendMail } from "../../src/worker/lib/mail";
import { loadConfig } from "../../src/worker/config";
import { directoryDb } from "../../src/worker/db/client";
import { BASE, TEST_PASSWORD, TestClient, signedUpClient, uniqueEmail } from "../helpers/client";

/**
 * A request body that records whether anyone read it: a stream of `total` bytes pulled lazily
 * (high-water mark 0, so nothing is pulled before a reader asks).
 */
function watchedBody(total: number) {
  const state = { pulled: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(0x41);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(ctrl) {
        if (state.pulled >= total) return ctrl.close();
        state.pulled += chunk.length;
        ctrl.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const BIG = 95 * 1024 * 1024;
const multipartHeaders = (extra: Record<string, string> = {}) => ({
  "content-type": "multipart/form-data; boundary=----factumo",
  "content-length": String(BIG),
  accept: "text/html",
  ...extra,
});

describe("routes above the body limit check session and CSRF before reading the body", () => {
  it("answers 403 to an unauthenticated 95 MB multipart import without reading it", async () => {
    const client = new TestClient();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/mes-donnees/import", { method: "POST", body: stream, headers: multipartHeaders(), duplex: "half" } as RequestInit);
    expect(res.status).toBe(403);
    expect(state.pulled).toBe(0);
  });

  it("sends a same-origin post without a session to the login page without reading it", async () => {
    const client = new TestClient();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/mes-donnees/import", { method: "POST", body: stream, headers: multipartHeaders({ origin: BASE }), duplex: "half" } as RequestInit);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connexion");
    expect(state.pulled).toBe(0);
  });

  it("answers 413 at once to a signed-in post that declares more than the form's cap", async () => {
    const { client } = await signedUpClient();
    await client.ensureCsrf();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/mes-donnees/import", { method: "POST", body: stream, headers: multipartHeaders({ origin: BASE }), duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("la limite de l'envoi sans JavaScript");
    expect(state.pulled).toBe(0);
  });

  it("answers 401 to an unauthenticated part upload without reading it, even with a valid CSRF pair", async () => {
    const client = new TestClient();
    const token = await client.ensureCsrf();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/api/v1/data/imports/x/parts/1", {
      method: "PUT",
      body: stream,
      headers: { "content-type": "application/octet-stream", "content-length": String(BIG), accept: "application/json", "x-csrf-token": token },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect(state.pulled).toBe(0);
  });

  it("answers 403 to a part upload whose CSRF header does not match, without reading it", async () => {
    const { client } = await signedUpClient();
    await client.ensureCsrf();
    const { stream, state } = watchedBody(BIG);
    const res = await client.fetch("/api/v1/data/imports/x/parts/1", {
      method: "PUT",
      body: stream,
      headers: { "content-type": "application/octet-stream", "content-length": String(BIG), accept: "application/json", "x-csrf-token": "forged" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(403);
    expect(state.pulled).toBe(0);
  });
});

describe("CR/LF and control characters never reach a header", () => {
  it("ignores a login `next` holding CR/LF instead of answering 500", async () => {
    const { client, email } = await signedUpClient();
    await client.postForm("/deconnexion", {});
    const res = await client.postForm("/connexion", { email, password: TEST_PASSWORD, next: "/factures\r\nSet-Cookie: x=1" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/tableau-de-bord");
  });

  it.each(["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"])("neither echoes nor follows next=%j", async (next) => {
    const page = await new TestClient().get(`/connexion?next=${encodeURIComponent(next)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain("evil.example");
    const lang = await new TestClient().postForm("/preferences/langue", { locale: "en", next });
    expect(lang.status).toBe(303);
    expect(lang.headers.get("location")).toBe("/");
  });

  it("still follows a same-origin path", async () => {
    const lang = await new TestClient().postForm("/preferences/langue", { locale: "fr", next: "/conditions?x=1" });
    expect(lang.headers.get("location")).toBe("/conditions?x=1");
  });

  it("strips CR/LF from mail subjects and attachment names before they are sent or logged", async () => {
    const to = uniqueEmail("subject");
    const config = loadConfig(env);
    await sendMail(config, directoryDb(env), {
      to,
      subject: "Léa Design\r\nBcc: victim@example.com — Facture F-1",
      text: "Bonjour",
      template: "test",
      attachments: [{ filename: 'F-1\r\n".pdf', content: new Uint8Array([1]), contentType: "application/pdf" }],
    });
    const row = await env.DB.prepare("SELECT subject, attachments FROM mail_log WHERE to_address = ?").bind(to).first<{ subject: string; attachments: string }>();
    expect(row?.subject).toBe("Léa Design Bcc: victim@example.com — Facture F-1");
    expect(row?.attachments).not.toMatch(/\\r|\\n/);
  });
});
