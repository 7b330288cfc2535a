import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TERMS_VERSION } from "../../src/worker/features/privacy/policy";
import { translator } from "../../src/worker/ui/i18n";
import { TestClient, uniqueEmail } from "../helpers/client";

// Sign-up links the terms and the privacy policy and records the acceptance of the terms (issue #13).

const t = translator("fr");
const form = (email: string, extra: Record<string, string> = {}) => ({ name: "Inès Dupont", email, password: "une phrase de passe solide", companyName: "Inès Dupont Traduction", ...extra });

describe("sign-up and the terms of use", () => {
  it("links the terms and the privacy policy next to a required box", async () => {
    const html = await (await new TestClient().get("/inscription")).text();
    expect(html).toMatch(/<a href="\/conditions" target="_blank" rel="noopener">conditions d&#39;utilisation<\/a>|<a href="\/conditions" target="_blank" rel="noopener">conditions d'utilisation<\/a>/);
    expect(html).toContain('<a href="/confidentialite" target="_blank" rel="noopener">politique de confidentialité</a>');
    expect(html).toMatch(/<input type="checkbox" id="f-acceptTerms" name="acceptTerms" value="on" required aria-describedby="f-acceptTerms-hint"\/>/);
  });

  it("refuses a sign-up without the box ticked, creating nothing", async () => {
    const email = uniqueEmail();
    const res = await new TestClient().postForm("/inscription", form(email));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(t("err.terms.accept"));
    expect(html).toContain('aria-invalid="true"');
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
    const api = await new TestClient().json("POST", "/api/v1/auth/signup", form(uniqueEmail()));
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: { fields: Record<string, string> } }).error.fields.acceptTerms).toBe(t("err.terms.accept"));
  });

  it("records the version and time of the terms accepted", async () => {
    const email = uniqueEmail();
    const before = Date.now();
    expect((await new TestClient().postForm("/inscription", form(email, { acceptTerms: "on" }))).status).toBe(303);
    const row = await env.DB.prepare("SELECT terms_version, terms_accepted_at FROM users WHERE email = ?").bind(email).first<{ terms_version: string; terms_accepted_at: number }>();
    expect(row?.terms_version).toBe(TERMS_VERSION);
    expect(row?.terms_accepted_at).toBeGreaterThanOrEqual(before);
  });

  it("links the terms from every page's footer", async () => {
    for (const path of ["/connexion", "/confidentialite"]) {
      expect(await (await new TestClient().get(path)).text()).toContain(`<a href="/conditions">${t("footer.terms")}</a>`);
    }
  });
});

describe("the client form", () => {
  it("marks the SIREN required for a business in France rather than optional", async () => {
    const { signedUpClient } = await import("../helpers/client");
    const { client } = await signedUpClient();
    const html = await (await client.get("/clients/nouveau")).text();
    const label = /<label for="f-siren">([\s\S]*?)<\/label>/.exec(html)?.[1] ?? "";
    expect(label).toContain(t("clients.siren.when"));
    expect(label).not.toContain(t("form.optional"));
  });
});
