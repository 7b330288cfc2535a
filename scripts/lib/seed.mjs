// Seeds the demo account through the running app (dev-only route), so the data goes through the
// same verbs as real use. Idempotent: a second run finds the account and changes nothing.
export const DEMO = { email: "demo@factumo.fr", password: "factumo-demo-2026" };

/** fetch with a cookie jar and the CSRF token of the app's double-submit cookie, redirects by hand. */
function browser(baseUrl) {
  const jar = new Map();
  const base = new URL(baseUrl);
  async function go(url, init = {}) {
    let absolute = new URL(url, baseUrl);
    // Links carry APP_URL (localhost) while wrangler listens on 127.0.0.1: the same app.
    const ours = absolute.port === base.port && ["localhost", "127.0.0.1"].includes(absolute.hostname);
    if (ours) absolute = new URL(`${absolute.pathname}${absolute.search}`, base);
    const headers = new Headers(init.headers);
    if (ours && jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(absolute, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  }
  return {
    go,
    get csrf() {
      return jar.get("__Host-csrf");
    },
    /** Posts a form as the pages do (CSRF field) and expects a redirect; returns its target. */
    async submit(url, fields = {}) {
      if (!jar.has("__Host-csrf")) await go("/connexion");
      const res = await go(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ...fields, _csrf: jar.get("__Host-csrf") ?? "" }) });
      if (res.status !== 303) throw new Error(`POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      return res.headers.get("location") ?? "";
    },
  };
}

export async function seedDemo(baseUrl) {
  const b = browser(baseUrl);
  await b.go("/connexion");
  if (!b.csrf) throw new Error("no CSRF cookie from /connexion");
  const res = await b.go("/dev/seed", { method: "POST", headers: { "x-csrf-token": b.csrf, accept: "application/json" } });
  if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { ...DEMO, created: body.created };
}

/**
 * The demo's online payment, made the way a seller and a client make one, against the local Stripe
 * stand-in: the demo account connects Stripe (the onboarding page's "Terminer"), then the client of
 * its oldest overdue invoice opens the shared link, clicks "Payer en ligne" and pays on Checkout,
 * whose signed webhook records the payment. Returns the invoice paid (its id and number).
 */
export async function payDemoInvoiceOnline(baseUrl) {
  const seller = browser(baseUrl);
  await seller.submit("/connexion", { email: DEMO.email, password: DEMO.password });
  // Connect: the app sends the seller to the stand-in's onboarding; "Terminer" comes back to the app.
  const onboarding = new URL(await seller.submit("/parametres/paiement-en-ligne/connecter"));
  const finished = await fetch(`${onboarding.origin}${onboarding.pathname}/terminer?${onboarding.searchParams}`, { redirect: "manual" });
  const back = finished.headers.get("location");
  if (finished.status !== 303 || !back) throw new Error(`Stripe onboarding did not return: ${finished.status}`);
  const returned = await seller.go(back);
  if (returned.status !== 303 || !(returned.headers.get("location") ?? "").includes("ok=connected")) throw new Error(`Stripe connection not active: ${returned.status} ${returned.headers.get("location")}`);

  const api = (path, method = "GET") => seller.go(path, { method, headers: { accept: "application/json", "x-csrf-token": seller.csrf ?? "" } });
  const overdue = (await (await api("/api/v1/documents?type=invoice&status=overdue")).json()).items;
  const invoice = overdue.at(-1);
  if (!invoice) throw new Error("the demo has no overdue invoice to pay online");
  const { url: publicUrl } = await (await api(`/api/v1/documents/${invoice.id}/share`, "POST")).json();

  // The client: the public page links the pay page, which opens Checkout; "Payer" posts the webhook.
  const payer = browser(baseUrl);
  const page = await (await payer.go(publicUrl)).text();
  const payLink = /href="([^"]*\/payer\/[^"]+)"/.exec(page)?.[1];
  if (!payLink) throw new Error("the public page offers no online payment");
  await payer.go(payLink);
  const checkout = await payer.submit(new URL(payLink).pathname);
  const paid = await fetch(`${checkout}/payer`, { method: "POST", redirect: "manual" });
  if (paid.status !== 303) throw new Error(`Checkout payment failed: ${paid.status} ${await paid.text()}`);
  return { id: invoice.id, number: invoice.number };
}
