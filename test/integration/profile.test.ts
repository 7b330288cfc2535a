import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { frenchVatNumberFromSiren } from "../../src/worker/domain/identifiers";
import { translator } from "../../src/worker/ui/i18n";
import { signedUpClient, TestClient } from "../helpers/client";

const t = translator("fr");
const PAGE = "/parametres/entreprise";
const LOGO = "/parametres/entreprise/logo";
const API = "/api/v1/account/profile";

const SIREN = "732829320";
const IBAN = "FR7630006000011234567890189";

/** A complete profile for an individual entrepreneur, as the browser posts it. */
const validForm: Record<string, string> = {
  name: "Camille Martin",
  legalForm: "ei",
  siren: "",
  siret: "732 829 320 00074",
  registration: "none",
  registrationCity: "",
  shareCapital: "",
  addressLine1: "12 rue des Lilas",
  addressLine2: "",
  postalCode: "75011",
  city: "Paris",
  country: "FR",
  contactEmail: "camille@example.fr",
  phone: "06 12 34 56 78",
  vatRegime: "vat",
  vatNumber: "",
  paymentTermsDays: "45",
  latePenaltyRate: "12,5",
  earlyPaymentDiscount: "",
  iban: "FR76 3000 6000 0112 3456 7890 189",
  bic: "BNPAFRPP",
};

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

async function accountRow(accountId: string): Promise<Record<string, unknown>> {
  const row = await env.DB.prepare("SELECT * FROM accounts WHERE id = ?").bind(accountId).first<Record<string, unknown>>();
  if (!row) throw new Error(`no account ${accountId}`);
  return row;
}

function logoForm(bytes: Uint8Array<ArrayBuffer>, filename: string, type: string): FormData {
  const form = new FormData();
  form.set("logo", new File([bytes], filename, { type }));
  return form;
}

interface ProfileJson {
  profile: Record<string, unknown> & { iban: string | null; logo: { type: string } | null };
  completeness: string[];
}

describe("company profile page", () => {
  it("saves a valid profile, redirects with a flash and shows the saved values", async () => {
    const { client, accountId } = await signedUpClient();
    const res = await client.postForm(PAGE, validForm);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}?ok=saved`);

    const page = await client.get(`${PAGE}?ok=saved`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(t("form.saved"));
    expect(html).toContain('value="Camille Martin"');
    expect(html).toContain('value="73282932000074"');
    // SIREN derived from the SIRET, VAT number computed from the SIREN.
    expect(html).toContain(`value="${SIREN}"`);
    expect(html).toContain(`value="${frenchVatNumberFromSiren(SIREN)}"`);
    expect(html).toContain(t("profile.complete"));

    const row = await accountRow(accountId);
    expect(row.siren).toBe(SIREN);
    expect(row.payment_terms_days).toBe(45);
    expect(row.late_penalty_rate_bp).toBe(1250);
    expect(row.vat_number).toBe(frenchVatNumberFromSiren(SIREN));
  });

  it("shows the EI mention on an individual entrepreneur's name", async () => {
    const { client } = await signedUpClient();
    await client.postForm(PAGE, validForm);
    const html = await (await client.get(PAGE)).text();
    expect(html).toContain(t("profile.displayName", { name: "Camille Martin EI" }));
  });

  it.each([
    ["siret", "73282932000075", "err.siret"],
    ["iban", "FR7630006000011234567890188", "err.iban"],
    ["vatNumber", "FR00732829320", "err.vat"],
    ["paymentTermsDays", "61", "err.terms"],
  ] as const)("refuses an invalid %s with a field error and changes nothing", async (field, value, key) => {
    const { client, accountId } = await signedUpClient();
    expect((await client.postForm(PAGE, validForm)).status).toBe(303);
    const before = await accountRow(accountId);

    const res = await client.postForm(PAGE, { ...validForm, name: "Autre nom", [field]: value });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(`id="f-${field}-error"`);
    expect(html).toContain(t(key));
    // The submitted values come back so nothing typed is lost.
    expect(html).toContain('value="Autre nom"');
    expect(await accountRow(accountId)).toEqual(before);
  });

  it("never stores the IBAN or the BIC in clear in D1", async () => {
    const { client, accountId } = await signedUpClient();
    expect((await client.postForm(PAGE, validForm)).status).toBe(303);
    const row = await accountRow(accountId);
    expect(row.iban_sealed).toMatch(/^v1\./);
    expect(row.bic_sealed).toMatch(/^v1\./);
    const dump = JSON.stringify(row);
    expect(dump).not.toContain(IBAN);
    expect(dump).not.toContain("1234567890189");
    expect(dump).not.toContain("BNPAFRPP");
    // The owner still gets it back, opened, in the form.
    expect(await (await client.get(PAGE)).text()).toContain('value="FR76 3000 6000 0112 3456 7890 189"');
  });

  it("sends a signed-out visitor to the login page", async () => {
    const res = await new TestClient().get(PAGE);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("/connexion");
  });
});

describe("company profile completeness", () => {
  it("lists what a new account is missing, then nothing once the profile is filled", async () => {
    const { client } = await signedUpClient();
    const fresh = (await (await client.json("GET", API)).json()) as ProfileJson;
    expect(fresh.completeness).toEqual(["profile.sirenOrSiret", "profile.addressLine1", "profile.postalCode", "profile.city", "profile.contactEmail"]);
    const page = await (await client.get(PAGE)).text();
    expect(page).toContain(t("profile.sirenOrSiret"));

    expect((await client.postForm(PAGE, validForm)).status).toBe(303);
    const filled = (await (await client.json("GET", API)).json()) as ProfileJson;
    expect(filled.completeness).toEqual([]);
  });
});

describe("company profile API", () => {
  it("masks the IBAN except its last 4 characters", async () => {
    const { client } = await signedUpClient();
    await client.postForm(PAGE, validForm);
    const res = await client.json("GET", API);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ProfileJson;
    expect(body.profile.iban).toBe("•••• 0189");
    expect(JSON.stringify(body)).not.toContain("1234567890189");
    expect(body.profile.siren).toBe(SIREN);
  });

  it("replaces the profile with PUT and keeps the bank details a client leaves out", async () => {
    const { client, accountId } = await signedUpClient();
    await client.postForm(PAGE, validForm);
    const { iban: _iban, bic: _bic, ...withoutBank } = validForm;
    const res = await client.json("PUT", API, { ...withoutBank, legalForm: "sasu", shareCapital: 1000, vatOnDebits: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ProfileJson;
    expect(body.profile.legalForm).toBe("sasu");
    expect(body.profile.shareCapitalCents).toBe(100_000);
    expect(body.profile.vatOnDebits).toBe(true);
    expect(body.profile.iban).toBe("•••• 0189");
    expect((await accountRow(accountId)).iban_sealed).toMatch(/^v1\./);
  });

  it("answers field errors in the house shape and changes nothing", async () => {
    const { client, accountId } = await signedUpClient();
    await client.postForm(PAGE, validForm);
    const before = await accountRow(accountId);
    const res = await client.json("PUT", API, { ...validForm, siret: "73282932000075", paymentTermsDays: 61 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("invalid");
    expect(body.error.fields.siret).toBe(t("err.siret"));
    expect(body.error.fields.paymentTermsDays).toBe(t("err.terms"));
    expect(await accountRow(accountId)).toEqual(before);
  });

  it("requires a session", async () => {
    const res = await new TestClient().json("GET", API);
    expect(res.status).toBe(401);
  });
});

describe("company logo", () => {
  it("stores a PNG in R2 and serves it to its account only, inert", async () => {
    const { client, accountId } = await signedUpClient();
    const res = await client.postMultipart(LOGO, logoForm(PNG, "logo.png", "image/png"));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}?ok=logo`);

    const stored = await env.FILES.get(`accounts/${accountId}/logo`);
    expect(stored?.httpMetadata?.contentType).toBe("image/png");
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(PNG);

    const served = await client.get(LOGO);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    expect(served.headers.get("cache-control")).toContain("private");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    expect(await (await client.get(PAGE)).text()).toContain(`src="${LOGO}?v=`);
  });

  it("does not let another account read it", async () => {
    const owner = await signedUpClient();
    expect((await owner.client.postMultipart(LOGO, logoForm(PNG, "logo.png", "image/png"))).status).toBe(303);
    const other = await signedUpClient();
    const res = await other.client.get(LOGO);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("PNG");
    expect((await new TestClient().get(LOGO)).status).toBe(303);
  });

  it("accepts a clean SVG and stores it as image/svg+xml", async () => {
    const { client } = await signedUpClient();
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>');
    expect((await client.postMultipart(LOGO, logoForm(svg, "logo.svg", "image/svg+xml"))).status).toBe(303);
    expect((await client.get(LOGO)).headers.get("content-type")).toBe("image/svg+xml");
  });

  it("refuses a .png file that is really text", async () => {
    const { client, accountId } = await signedUpClient();
    const res = await client.postMultipart(LOGO, logoForm(new TextEncoder().encode("not an image"), "logo.png", "image/png"));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(t("err.logo.type"));
    expect(html).toContain('id="f-logo-error"');
    expect(await env.FILES.head(`accounts/${accountId}/logo`)).toBeNull();
  });

  it("refuses an SVG with a script", async () => {
    const { client, accountId } = await signedUpClient();
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
    const res = await client.postMultipart(LOGO, logoForm(svg, "logo.svg", "image/svg+xml"));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(t("err.logo.svg"));
    expect(await env.FILES.head(`accounts/${accountId}/logo`)).toBeNull();
  });

  it("refuses a logo over 1 MB", async () => {
    const { client, accountId } = await signedUpClient();
    const big = new Uint8Array(1_100_000);
    big.set(PNG);
    const res = await client.postMultipart(LOGO, logoForm(big, "logo.png", "image/png"));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(t("err.logo.size"));
    expect(await env.FILES.head(`accounts/${accountId}/logo`)).toBeNull();

    // Far beyond the limit, the body itself is refused before it is read.
    const huge = new Uint8Array(3_000_000);
    huge.set(PNG);
    expect((await client.postMultipart(LOGO, logoForm(huge, "logo.png", "image/png"))).status).toBe(413);
  });

  it("removes the logo from R2 and from the account", async () => {
    const { client, accountId } = await signedUpClient();
    await client.postMultipart(LOGO, logoForm(PNG, "logo.png", "image/png"));
    const res = await client.postForm(`${LOGO}/supprimer`, {});
    expect(res.status).toBe(303);
    expect(await env.FILES.head(`accounts/${accountId}/logo`)).toBeNull();
    expect((await accountRow(accountId)).logo_key).toBeNull();
    expect((await client.get(LOGO)).status).toBe(404);
  });
});
