// Seeds the demo account through the running app (dev-only route), so the data goes through the
// same verbs as real use. Idempotent: a second run finds the account and changes nothing.
export const DEMO = { email: "demo@factumo.fr", password: "factumo-demo-2026" };

export async function seedDemo(baseUrl) {
  const first = await fetch(`${baseUrl}/connexion`);
  const cookie = first.headers.getSetCookie().find((c) => c.startsWith("__Host-csrf="));
  const token = cookie?.split(";")[0].split("=")[1];
  if (!token) throw new Error("no CSRF cookie from /connexion");
  const res = await fetch(`${baseUrl}/dev/seed`, {
    method: "POST",
    headers: { "x-csrf-token": token, cookie: `__Host-csrf=${token}`, accept: "application/json" },
  });
  if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { ...DEMO, created: body.created };
}
