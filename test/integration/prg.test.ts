import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/worker/app";
import { totpCode } from "../../src/worker/lib/crypto/totp";
import { TestClient, TEST_PASSWORD } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Post/Redirect/Get on every form, enumerated from the router like isolation.test.ts: every form
// POST route of the pages (not /api, /webhooks, /dev) is walked.
//  1. Reloading after an action never shows "Page introuvable": the action's address opened with
//     GET (a reload of a page a refused POST rendered, a bookmark) answers a redirect to a page
//     that answers 200 — for every route, with A's real ids in its params.
//  2. A valid POST answers 303/302 and the page it leads to answers 200 — for each route in
//     WALKS below. A route in neither WALKS nor NOT_WALKED fails "knows every form route": add it.

type Account = Awaited<ReturnType<typeof readyAccount>>;
const year = new Date().getUTCFullYear();
const today = () => new Date(Date.now() + 3_600_000).toISOString().slice(0, 10);

const FORM_ROUTES = (() => {
  const seen = new Set<string>();
  for (const r of createApp().routes) {
    if (r.method !== "POST" || /^\/(api|webhooks|dev)(\/|$)/.test(r.path)) continue;
    seen.add(r.path);
  }
  return [...seen].sort();
})();

interface Fixture {
  a: Account;
  invoice: string;
  quote: string;
  token: string;
  product: string;
  timeEntry: string;
  payment: string;
}

async function ok(res: Response, what: string): Promise<Response> {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

async function issuedDoc(a: Account, body: Record<string, unknown>): Promise<string> {
  const id = await createDraftVia(a.client, body);
  await ok(await a.client.json("POST", `/api/v1/documents/${id}/issue`, {}), "issue");
  return id;
}

async function setUp(): Promise<Fixture> {
  const a = await readyAccount();
  const invoice = await issuedDoc(a, draftBody(a.clientId));
  const quote = await issuedDoc(a, draftBody(a.clientId, { type: "quote", validUntil: `${year + 1}-12-31` }));
  const share = (await (await ok(await a.client.json("POST", `/api/v1/documents/${quote}/share`), "share")).json()) as { url: string };
  const product = ((await (await ok(await a.client.json("POST", "/api/v1/products", PRODUCT_FORM), "product")).json()) as { product: { id: string } }).product.id;
  const entry = await ok(await a.client.json("POST", "/api/v1/time-entries", { clientId: a.clientId, description: "Atelier", workDate: today(), duration: "1:00", hourlyRate: "50", billable: true }), "time entry");
  const timeEntry = ((await entry.json()) as { entry: { id: string } }).entry.id;
  const paid = await ok(await a.client.json("POST", `/api/v1/documents/${invoice}/payments`, { receivedOn: today(), amountCents: 1_000, method: "virement" }), "payment");
  const payment = ((await paid.json()) as { payment: { id: string } }).payment.id;
  return { a, invoice, quote, token: new URL(share.url).pathname.split("/")[2]!, product, timeEntry, payment };
}

/** A's real id for a route's param, by where it sits. */
function paramValue(f: Fixture, path: string, name: string): string {
  if (name === "token") return f.token;
  if (name === "productId") return f.product;
  if (name === "timeEntryId") return f.timeEntry;
  if (name === "paymentId") return f.payment;
  if (path.startsWith("/clients/")) return f.a.clientId;
  if (path.startsWith("/produits/")) return f.product;
  if (path.startsWith("/tableau-de-bord/")) return f.quote;
  return f.invoice;
}

const fill = (f: Fixture, path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => paramValue(f, path, name));

const PRODUCT_FORM = { name: "Conseil", description: "Demi-journée", unitCode: "DAY", unitPrice: "450", vatRate: "20", exemptionCode: "", kind: "service" };
const CLIENT_FORM = {
  kind: "company",
  name: "Client du parcours",
  siret: "732 829 320 00074",
  addressLine1: "3 place Bellecour",
  postalCode: "69002",
  city: "Lyon",
  country: "FR",
  deliveryCountry: "FR",
  email: "compta@parcours.example",
  language: "fr",
  paymentTermsDays: "30",
};
const editorForm = (clientId: string) => ({ clientId, issueDate: "", lines: JSON.stringify(draftBody(clientId).lines), note: "", paymentTermsDays: "", validUntil: "" });

/** One valid POST: who posts what where (a fresh account when the action changes who is signed in). */
interface Walk {
  client?: TestClient;
  path: string;
  fields?: Record<string, string>;
}

/** Valid input for each walked route; each builds what it consumes so the order does not matter. */
const WALKS: Record<string, (f: Fixture) => Promise<Walk>> = {
  "/inscription": async () => ({ client: new TestClient(), path: "/inscription", fields: { name: "Léa", email: `prg-${crypto.randomUUID()}@example.fr`, password: TEST_PASSWORD, companyName: "Léa Conseil", acceptTerms: "on" } }),
  "/connexion": async (f) => ({ client: new TestClient(), path: "/connexion", fields: { email: f.a.email, password: TEST_PASSWORD } }),
  "/deconnexion": async () => {
    const other = await readyAccount();
    return { client: other.client, path: "/deconnexion" };
  },
  "/mot-de-passe/oublie": async (f) => ({ client: new TestClient(), path: "/mot-de-passe/oublie", fields: { email: f.a.email } }),
  "/cookies": async () => ({ client: new TestClient(), path: "/cookies", fields: { action: "refuse_all", next: "/connexion" } }),
  "/preferences/langue": async (f) => ({ path: "/preferences/langue", fields: { locale: "fr", next: "/tableau-de-bord" }, client: f.a.client }),
  "/clients": async () => ({ path: "/clients", fields: CLIENT_FORM }),
  "/clients/:id": async (f) => ({ path: `/clients/${f.a.clientId}`, fields: { ...CLIENT_FORM, name: "Société Cliente SA" } }),
  "/clients/:id/archiver": async (f) => ({ path: `/clients/${await newClient(f)}/archiver` }),
  "/clients/:id/desarchiver": async (f) => {
    const id = await newClient(f);
    await f.a.client.json("POST", `/api/v1/clients/${id}/archive`);
    return { path: `/clients/${id}/desarchiver` };
  },
  "/clients/:id/supprimer": async (f) => ({ path: `/clients/${await newClient(f)}/supprimer` }),
  "/produits": async () => ({ path: "/produits", fields: PRODUCT_FORM }),
  "/produits/:id": async (f) => ({ path: `/produits/${f.product}`, fields: PRODUCT_FORM }),
  "/produits/:id/archiver": async (f) => ({ path: `/produits/${await newProduct(f)}/archiver` }),
  "/produits/:id/desarchiver": async (f) => {
    const id = await newProduct(f);
    await f.a.client.json("POST", `/api/v1/products/${id}/archive`);
    return { path: `/produits/${id}/desarchiver` };
  },
  "/produits/:id/supprimer": async (f) => ({ path: `/produits/${await newProduct(f)}/supprimer` }),
  "/factures/nouvelle": async (f) => ({ path: "/factures/nouvelle", fields: { ...editorForm(f.a.clientId), type: "invoice" } }),
  "/devis/nouveau": async (f) => ({ path: "/devis/nouveau", fields: editorForm(f.a.clientId) }),
  "/documents/:id/modifier": async (f) => ({ path: `/documents/${await createDraftVia(f.a.client, draftBody(f.a.clientId))}/modifier`, fields: editorForm(f.a.clientId) }),
  "/documents/:id/supprimer": async (f) => ({ path: `/documents/${await createDraftVia(f.a.client, draftBody(f.a.clientId))}/supprimer` }),
  "/documents/:id/emettre": async (f) => ({ path: `/documents/${await createDraftVia(f.a.client, draftBody(f.a.clientId))}/emettre` }),
  "/documents/:id/annuler": async (f) => ({ path: `/documents/${await issuedDoc(f.a, draftBody(f.a.clientId))}/annuler` }),
  "/documents/:id/dupliquer": async (f) => ({ path: `/documents/${f.invoice}/dupliquer` }),
  "/documents/:id/partager": async (f) => ({ path: `/documents/${f.invoice}/partager` }),
  "/documents/:id/lien/revoquer": async (f) => ({ path: `/documents/${await issuedDoc(f.a, draftBody(f.a.clientId))}/lien/revoquer` }),
  "/documents/:id/transformer": async (f) => ({ path: `/documents/${f.quote}/transformer`, fields: { to: "deposit_invoice", percent: "10" } }),
  "/documents/:id/envoyer": async (f) => ({ path: `/documents/${f.invoice}/envoyer`, fields: { to: "compta@cliente.fr" } }),
  "/documents/:id/paiements": async (f) => ({ path: `/documents/${f.invoice}/paiements`, fields: { receivedOn: today(), amount: "10", method: "virement", reference: "" } }),
  "/documents/:id/relancer": async (f) => ({ path: `/documents/${f.invoice}/relancer` }),
  "/documents/:id/relances/pause": async (f) => ({ path: `/documents/${f.invoice}/relances/pause`, fields: { paused: "1" } }),
  "/tableau-de-bord/reponses/:id/vu": async (f) => {
    const quote = await issuedDoc(f.a, draftBody(f.a.clientId, { type: "quote", validUntil: `${year + 1}-12-31` }));
    const url = ((await (await f.a.client.json("POST", `/api/v1/documents/${quote}/share`)).json()) as { url: string }).url;
    await new TestClient().postForm(`${new URL(url).pathname}/refuser`, {});
    return { path: `/tableau-de-bord/reponses/${quote}/vu` };
  },
  "/p/:token/accepter": async (f) => ({ client: new TestClient(), path: `/p/${await sharedQuote(f)}/accepter`, fields: { name: "Jeanne Client", accept: "on" } }),
  "/p/:token/refuser": async (f) => ({ client: new TestClient(), path: `/p/${await sharedQuote(f)}/refuser` }),
  "/parametres/securite/2fa": async () => {
    const other = await readyAccount();
    return { client: other.client, path: "/parametres/securite/2fa" };
  },
  "/parametres/securite/2fa/confirmer": async () => {
    const other = await readyAccount();
    await other.client.postForm("/parametres/securite/2fa", {});
    const html = await (await other.client.get("/parametres/securite")).text();
    const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(html)?.[1] ?? "";
    return { client: other.client, path: "/parametres/securite/2fa/confirmer", fields: { code: await totpCode(secret, Date.now()) } };
  },
  "/parametres/securite/sessions/fermer-autres": async (f) => ({ path: "/parametres/securite/sessions/fermer-autres", client: f.a.client }),
  "/parametres/relances": async () => ({ path: "/parametres/relances", fields: { offsets: "-3, 7, 30" } }),
  "/parametres/emails": async () => ({ path: "/parametres/emails", fields: { kind: "invoice", language: "en", subject: "Invoice {numero}", message: "Hello {client}," } }),
  "/parametres/emails/reinitialiser": async () => ({ path: "/parametres/emails/reinitialiser", fields: { kind: "invoice", language: "en" } }),
  "/temps/minuteur/demarrer": async (f) => ({ path: "/temps/minuteur/demarrer", fields: { "timer-clientId": f.a.clientId, "timer-description": "Atelier" } }),
};

/**
 * Routes walked by part 1 only so far (their handlers redirect on success, each checked by its own
 * feature's tests), with what a valid POST here would still need. Moving one into WALKS is the way
 * to shrink this list; a new route must land in one of the two.
 */
const NEEDS_TOKEN = "a one-time token read from an email";
const NOT_WALKED: Record<string, string> = {
  "/connexion/2fa": "a pending sign-in challenge of an account with 2FA",
  "/verification/renvoyer": "an unverified account (test sign-ups are verified)",
  "/email/annuler": NEEDS_TOKEN,
  "/mot-de-passe/nouveau": NEEDS_TOKEN,
  "/desabonnement/:token": NEEDS_TOKEN,
  "/parametres/entreprise": "the full profile form",
  "/parametres/entreprise/logo": "a multipart PNG upload",
  "/parametres/entreprise/logo/supprimer": "an uploaded logo",
  "/parametres/facturation-electronique/enregistrer": "a Plateforme Agréée configuration",
  "/parametres/facturation-electronique/tester": "a Plateforme Agréée stand-in",
  "/parametres/paiement-en-ligne/connecter": "the Stripe stand-in",
  "/parametres/paiement-en-ligne/options": "a connected Stripe account",
  "/parametres/paiement-en-ligne/delier": "a connected Stripe account",
  "/payer/:token": "a connected Stripe account; it redirects to Checkout, off the app",
  "/parametres/securite/mot-de-passe": "the current password and a new one (it closes the other sessions)",
  "/parametres/securite/email": "the current password and a new address",
  "/parametres/securite/sessions/fermer": "the hash of another session",
  "/parametres/securite/2fa/desactiver": "an account with 2FA on",
  "/parametres/confidentialite": "the privacy choices form",
  "/parametres/numerotation": "the series form",
  "/confidentialite/prise-de-connaissance": "an account that accepted an older policy",
  "/mes-donnees/exports": "the export job (a Durable Object run)",
  "/mes-donnees/import": "a multipart export archive",
  "/mes-donnees/cloture": "the closure confirmation (it ends the account)",
  "/mes-donnees/restriction": "the restriction form (it freezes the account)",
  "/mes-donnees/restriction/degeler": "a frozen account",
  "/mes-donnees/demandes": "the rights request form",
  "/operateur/demandes": "an operator session",
  "/operateur/demandes/:id": "an operator session and a request",
  "/livres/reglages": "the books settings form",
  "/livres/e-reporting": "the e-reporting period form",
  "/temps": "the time entry form",
  "/temps/minuteur/arreter": "a running timer",
  "/temps/facturer": "billable entries picked by id",
  "/temps/:timeEntryId/modifier": "the time entry form",
  "/temps/:timeEntryId/supprimer": "an unbilled entry",
  "/stock/:productId/reception": "a stocked product and the movement form",
  "/stock/:productId/ajustement": "a stocked product and the movement form",
  "/stock/:productId/inventaire": "a stocked product and the movement form",
  "/stock/:productId/initial": "a stocked product and the movement form",
  "/stock/:productId/seuil": "a stocked product and the threshold form",
  "/documents/:id/paiements/credit-client": "a client credit",
  "/documents/:id/paiements/:paymentId/corriger": "the correction form",
  "/achats/relever": "a Plateforme Agréée stand-in",
  "/achats/nouvelle": "the purchase form",
  "/achats/:id/statut": "a received invoice",
  "/achats/:id/paiement": "a received invoice",
};

/**
 * Action addresses whose GET stays a 404, and why: not a reload problem of ours, a resource of the
 * same address, or params the fixture has no real value for.
 */
const GET_404: Record<string, string> = {
  "/parametres/entreprise/logo": "GET of the same address serves the logo image: 404 when there is none",
  "/parametres/entreprise/logo/supprimer": "leads to the logo image's address (above), 404 when there is none",
  "/payer/:token": "a pay token is not a document link (no Stripe account in the fixture)",
  "/desabonnement/:token": "needs a real unsubscribe token",
  "/achats/:id/statut": "the fixture has no received invoice: /achats/:id answers 404",
  "/achats/:id/paiement": "the fixture has no received invoice: /achats/:id answers 404",
};

async function newClient(f: Fixture): Promise<string> {
  const res = await ok(await f.a.client.json("POST", "/api/v1/clients", { ...CLIENT_FORM, name: `Client ${crypto.randomUUID().slice(0, 6)}` }), "client");
  return ((await res.json()) as { client: { id: string } }).client.id;
}
async function newProduct(f: Fixture): Promise<string> {
  const res = await ok(await f.a.client.json("POST", "/api/v1/products", { ...PRODUCT_FORM, name: `Produit ${crypto.randomUUID().slice(0, 6)}` }), "product");
  return ((await res.json()) as { product: { id: string } }).product.id;
}
async function sharedQuote(f: Fixture): Promise<string> {
  const quote = await issuedDoc(f.a, draftBody(f.a.clientId, { type: "quote", validUntil: `${year + 1}-12-31` }));
  const url = ((await (await f.a.client.json("POST", `/api/v1/documents/${quote}/share`)).json()) as { url: string }).url;
  return new URL(url).pathname.split("/")[2]!;
}

let F: Fixture;
beforeAll(async () => {
  F = await setUp();
}, 120_000);

describe("Post/Redirect/Get on every form", () => {
  it("knows every form route of the pages: walked with valid input, or listed with what it needs", () => {
    expect(FORM_ROUTES.length).toBeGreaterThan(40);
    const unknown = FORM_ROUTES.filter((p) => !(p in WALKS) && !(p in NOT_WALKED));
    expect(unknown, "add these routes to WALKS (or NOT_WALKED) in prg.test.ts").toEqual([]);
    const gone = [...Object.keys(WALKS), ...Object.keys(NOT_WALKED)].filter((p) => !FORM_ROUTES.includes(p));
    expect(gone, "routes that no longer exist").toEqual([]);
  });

  it("never answers Page introuvable to the action's address opened with GET: its own page, or a redirect to the form's page", async () => {
    const problems: string[] = [];
    for (const route of FORM_ROUTES.filter((r) => !(r in GET_404))) {
      const path = fill(F, route);
      const res = await F.a.client.get(path);
      // 200: the address is the form's own page; 400/403/409: a page that explains (no token,
      // not an operator, an issued document is not editable); never 404.
      if (res.status !== 302 && res.status !== 303) {
        if (res.status === 404 || res.status >= 500) problems.push(`GET ${path} → ${res.status}`);
        continue;
      }
      // Follow the redirects (a signed-in visitor of /connexion goes on to the dashboard).
      let location = res.headers.get("location") ?? "";
      let target = await F.a.client.get(location);
      for (let hop = 0; hop < 3 && (target.status === 302 || target.status === 303); hop++) {
        location = target.headers.get("location") ?? "";
        target = await F.a.client.get(location);
      }
      if (target.status === 404 || (target.status >= 300 && target.status < 400) || target.status >= 500) problems.push(`GET ${path} → ${location} → ${target.status}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  for (const [route, build] of Object.entries(WALKS)) {
    it(`POST ${route} answers a redirect to a page that answers 200`, async () => {
      const walk = await build(F);
      const client = walk.client ?? F.a.client;
      const res = await client.postForm(walk.path, walk.fields ?? {});
      expect([302, 303], `${walk.path} → ${res.status} ${res.status < 300 || res.status >= 400 ? (await res.text()).slice(0, 300) : ""}`).toContain(res.status);
      const location = res.headers.get("location") ?? "";
      expect(location.startsWith("/"), `an address of the app: ${location}`).toBe(true);
      const target = await client.get(location);
      expect(target.status, `GET ${location}`).toBe(200);
    });
  }
});

void env;
