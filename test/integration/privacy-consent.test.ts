import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { subtractDuration, RETENTION_CLASSES, addDuration } from "../../src/worker/domain/retention";
import { CONSENT_WORDING_VERSION, encodeConsent, parseConsent } from "../../src/worker/features/privacy/consent";
import { TestClient, signedUpClient } from "../helpers/client";

// PRIVACY.md §10: strictly necessary cookies only until the visitor chooses; refusing is as easy as
// accepting; the choice is proven server-side and asked again after 6 months. §9.7: withdrawable.

const STRICTLY_NECESSARY = new Set(["__Host-session", "__Host-csrf", "__Host-consent", "__Host-lang"]);

function setCookies(res: Response): Array<{ name: string; attrs: string }> {
  return res.headers.getSetCookie().map((line) => ({ name: line.slice(0, line.indexOf("=")).trim(), attrs: line.toLowerCase() }));
}

const banner = (html: string) => /data-island="cookie-banner"/.test(html);

async function proofsOf(consentId: string) {
  const { results } = await env.DB.prepare(
    "SELECT action, performance, functional, wording_version AS wordingVersion, at, expires_at AS expiresAt FROM consent_proofs WHERE consent_id = ? ORDER BY at, rowid",
  )
    .bind(consentId)
    .all<{ action: string; performance: number; functional: number; wordingVersion: string; at: number; expiresAt: number }>();
  return results;
}

function consentIdOf(client: TestClient): string {
  const state = parseConsent(client.cookies.get("__Host-consent"), Date.now());
  if (!state) throw new Error("no valid consent cookie");
  return state.consentId;
}

describe("§10 cookies before consent", () => {
  it("sets only strictly necessary cookies, all HttpOnly and Secure, on a first visit", async () => {
    const client = new TestClient();
    for (const path of ["/connexion", "/inscription", "/confidentialite", "/cookies"]) {
      const res = await client.get(path);
      expect(res.status).toBe(200);
      for (const cookie of setCookies(res)) {
        expect(STRICTLY_NECESSARY.has(cookie.name), `${path} sets ${cookie.name}`).toBe(true);
        expect(cookie.attrs).toContain("httponly");
        expect(cookie.attrs).toContain("secure");
      }
    }
    expect([...client.cookies.keys()]).toEqual(["__Host-csrf"]);
  });

  it("shows the banner, server-rendered, with the three choices as the same element and class", async () => {
    const html = await (await new TestClient().get("/connexion")).text();
    expect(banner(html)).toBe(true);
    expect(html).toContain('<script type="module" src="/islands/cookie-banner.js"');
    const choices = [...html.matchAll(/<button type="submit" name="action" value="(accept_all|refuse_all|customize)" class="([^"]+)"/g)];
    expect(choices.map((m) => m[1])).toEqual(["accept_all", "refuse_all", "customize"]);
    expect(new Set(choices.map((m) => m[2]))).toEqual(new Set(["button consent-choice"]));
    expect(html).toMatch(/action="\/cookies"/);
  });

  it("shows the banner in the app layout too, and a footer link to change the choice", async () => {
    const { client } = await signedUpClient();
    const html = await (await client.get("/tableau-de-bord")).text();
    expect(banner(html)).toBe(true);
    expect(html).toMatch(/<a href="\/cookies">Gérer les cookies<\/a>/);
  });
});

describe("§10 recording the choice", () => {
  it("stores a refusal as a proof and in the strictly necessary consent cookie, then stops asking", async () => {
    const client = new TestClient();
    await client.get("/connexion");
    const res = await client.postForm("/cookies", { action: "refuse_all", next: "/connexion" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connexion");
    const cookie = setCookies(res).find((c) => c.name === "__Host-consent");
    expect(cookie?.attrs).toMatch(/httponly/);
    expect(cookie?.attrs).toMatch(/secure/);
    expect(cookie?.attrs).toMatch(/samesite=lax/);
    const maxAge = Number(cookie?.attrs.match(/max-age=(\d+)/)?.[1]);
    const sixMonths = (addDuration(Date.now(), RETENTION_CLASSES.cookie_choice.duration) - Date.now()) / 1000;
    expect(Math.abs(maxAge - sixMonths)).toBeLessThan(120);

    const [proof, ...more] = await proofsOf(consentIdOf(client));
    expect(more).toHaveLength(0);
    expect(proof).toMatchObject({ action: "refuse_all", performance: 0, functional: 0, wordingVersion: CONSENT_WORDING_VERSION });
    expect(proof!.expiresAt).toBe(addDuration(proof!.at, RETENTION_CLASSES.cookie_choice.duration));

    expect(banner(await (await client.get("/connexion")).text())).toBe(false);
  });

  it("counts closing the banner without choosing as a refusal", async () => {
    const client = new TestClient();
    await client.postForm("/cookies", { action: "closed", next: "/" });
    expect(await proofsOf(consentIdOf(client))).toMatchObject([{ action: "closed", performance: 0, functional: 0 }]);
  });

  it("stores a per-category choice", async () => {
    const client = new TestClient();
    await client.postForm("/cookies", { action: "custom", performance: "on" });
    expect(await proofsOf(consentIdOf(client))).toMatchObject([{ action: "custom", performance: 1, functional: 0 }]);
  });

  it("sends 'Personnaliser' without JavaScript to the preferences page and stores nothing", async () => {
    const client = new TestClient();
    const res = await client.postForm("/cookies", { action: "customize", next: "/inscription" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/cookies?next=%2Finscription");
    expect(client.cookies.has("__Host-consent")).toBe(false);
    const page = await (await client.get("/cookies?next=%2Finscription")).text();
    expect(page).toContain('name="performance"');
    expect(page).toContain('name="functional"');
    expect(page).toContain('value="/inscription"');
  });

  it("answers the island's background post in JSON", async () => {
    const client = new TestClient();
    const token = await client.ensureCsrf();
    const form = new FormData();
    form.set("_csrf", token);
    form.set("action", "accept_all");
    const res = await client.fetch("/cookies", { method: "POST", body: form, headers: { accept: "application/json" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ consent: { performance: true, functional: true } });
    expect(await proofsOf(consentIdOf(client))).toMatchObject([{ action: "accept_all", performance: 1, functional: 1 }]);
  });

  it("refuses a choice posted without the CSRF token", async () => {
    const client = new TestClient();
    await client.ensureCsrf();
    expect((await client.postForm("/cookies", { action: "accept_all" }, { csrf: null })).status).toBe(403);
  });

  it("never redirects outside the site after a choice", async () => {
    const client = new TestClient();
    const res = await client.postForm("/cookies", { action: "refuse_all", next: "//evil.example/" });
    expect(res.headers.get("location")).toBe("/");
  });
});

describe("§9.7 withdrawing consent is as easy as giving it", () => {
  it("replaces an acceptance by a refusal from the preferences page, keeping both proofs", async () => {
    const client = new TestClient();
    await client.postForm("/cookies", { action: "accept_all" });
    const id = consentIdOf(client);
    const page = await (await client.get("/cookies")).text();
    expect(page).toMatch(/Performance et mesure d&#39;audience : accepté|Performance et mesure d'audience : accepté/);
    await client.postForm("/cookies", { action: "refuse_all" });
    expect(consentIdOf(client)).toBe(id);
    expect((await proofsOf(id)).map((p) => [p.action, p.performance])).toEqual([
      ["accept_all", 1],
      ["refuse_all", 0],
    ]);
  });
});

describe("§10 the choice lasts 6 months", () => {
  const cookieAt = (decidedAt: number, wordingVersion = CONSENT_WORDING_VERSION) =>
    encodeConsent({ consentId: "anonymous-id-0123456789", performance: true, functional: false, wordingVersion, decidedAt });

  it("asks again once the choice is 6 months old", async () => {
    const now = Date.now();
    const stale = new TestClient();
    stale.cookies.set("__Host-consent", cookieAt(subtractDuration(now, RETENTION_CLASSES.cookie_choice.duration) - 60_000));
    expect(banner(await (await stale.get("/connexion")).text())).toBe(true);

    const fresh = new TestClient();
    fresh.cookies.set("__Host-consent", cookieAt(subtractDuration(now, RETENTION_CLASSES.cookie_choice.duration) + 24 * 3600 * 1000));
    expect(banner(await (await fresh.get("/connexion")).text())).toBe(false);
  });

  it("asks again when the banner's wording changed, and ignores a malformed cookie", async () => {
    const other = new TestClient();
    other.cookies.set("__Host-consent", cookieAt(Date.now(), `${CONSENT_WORDING_VERSION}9`));
    expect(banner(await (await other.get("/connexion")).text())).toBe(true);
    const junk = new TestClient();
    junk.cookies.set("__Host-consent", "accept-everything");
    expect(banner(await (await junk.get("/connexion")).text())).toBe(true);
  });

  it("reads back exactly what it wrote", () => {
    const decidedAt = Date.now();
    expect(parseConsent(cookieAt(decidedAt), decidedAt)).toEqual({
      consentId: "anonymous-id-0123456789",
      performance: true,
      functional: false,
      wordingVersion: CONSENT_WORDING_VERSION,
      decidedAt,
    });
  });
});
