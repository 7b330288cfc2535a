import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/worker/index";

export const BASE = "https://factumo.test";

/**
 * A browser-like client for integration tests: keeps cookies between requests and sends the CSRF
 * token the way the pages do (form field) or the way API callers do (header).
 */
export class TestClient {
  readonly cookies = new Map<string, string>();
  private readonly bindings: CloudflareBindings;
  /** `vars` overrides bindings for this client only, e.g. `{ ENVIRONMENT: "local" }` to reach the dev tools. */
  constructor(
    readonly headers: Record<string, string> = {},
    vars: Record<string, string | undefined> = {},
  ) {
    // One object per client: loadConfig caches the parsed config by bindings object.
    this.bindings = (Object.keys(vars).length ? { ...env, ...vars } : env) as unknown as CloudflareBindings;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) if (!headers.has(k)) headers.set(k, v);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    // The Worker's own fetch handler, called in this isolate: `exports.default.fetch` (SELF) gets
    // slower with every request of a file (cloudflare/workers-sdk#15446: ~5 ms → ~300 ms after a
    // few hundred), which made the route-enumerating suites take many minutes and overflow the stack.
    const request = new Request(`${BASE}${path}`, { ...init, headers, redirect: "manual" });
    const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, this.bindings, createExecutionContext());
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get csrf(): string | undefined {
    return this.cookies.get("__Host-csrf");
  }

  async ensureCsrf(): Promise<string> {
    if (!this.csrf) await this.fetch("/connexion");
    const token = this.csrf;
    if (!token) throw new Error("no CSRF cookie was set");
    return token;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { headers: { accept: "text/html", ...headers } });
  }

  async postForm(path: string, fields: Record<string, string>, opts: { csrf?: string | null } = {}): Promise<Response> {
    const token = opts.csrf === undefined ? await this.ensureCsrf() : opts.csrf;
    const body = new URLSearchParams(fields);
    if (token !== null) body.set("_csrf", token);
    return this.fetch(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body,
    });
  }

  async postMultipart(path: string, form: FormData): Promise<Response> {
    form.set("_csrf", await this.ensureCsrf());
    // Browsers send Origin on every form post; routes above the body limit require it (http/large-body.ts).
    return this.fetch(path, { method: "POST", body: form, headers: { accept: "text/html", origin: BASE } });
  }

  async json(method: string, path: string, body?: unknown, opts: { csrf?: string | null } = {}): Promise<Response> {
    const token = opts.csrf === undefined ? await this.ensureCsrf() : opts.csrf;
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token !== null && method !== "GET") headers["x-csrf-token"] = token;
    return this.fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  }
}

let counter = 0;
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.fr`;
}

export const TEST_PASSWORD = "correct horse battery staple";

/**
 * Signs a new user up through the real form, then in, and returns the signed-in client. The email is verified
 * through the emailed link, as a real user would (an unverified account emails no client: issue
 * #14); `verified: false` leaves it unverified.
 */
export async function signedUpClient(opts: { email?: string; name?: string; companyName?: string; ip?: string; verified?: boolean } = {}) {
  const email = opts.email ?? uniqueEmail();
  const client = new TestClient(opts.ip ? { "cf-connecting-ip": opts.ip } : {});
  const res = await client.postForm("/inscription", {
    name: opts.name ?? "Camille Martin",
    email,
    password: TEST_PASSWORD,
    companyName: opts.companyName ?? "Camille Martin Conseil",
    acceptTerms: "on",
  });
  if (res.status !== 303) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  if (opts.verified !== false) {
    const verified = await client.get(`/verification?token=${encodeURIComponent(tokenFromMail((await lastMailTo(email)).bodyText))}`);
    if (verified.status !== 303) throw new Error(`verification failed: ${verified.status}`);
  }
  // Sign-up opens no session (the same answer for a taken email, issue #14): sign in.
  const login = await client.postForm("/connexion", { email, password: TEST_PASSWORD });
  if (login.status !== 303) throw new Error(`login after sign-up failed: ${login.status} ${await login.text()}`);
  const me = (await (await client.json("GET", "/api/v1/me")).json()) as { user: { id: string }; account: { id: string } };
  return { client, email, password: TEST_PASSWORD, userId: me.user.id, accountId: me.account.id };
}

/** The newest email sent to an address (dev outbox rows in mail_log). */
export async function lastMailTo(to: string): Promise<{ subject: string; bodyText: string; template: string }> {
  const row = await env.DB.prepare(
    "SELECT subject, body_text AS bodyText, template FROM mail_log WHERE to_address = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
  )
    .bind(to)
    .first<{ subject: string; bodyText: string; template: string }>();
  if (!row) throw new Error(`no email to ${to}`);
  return row;
}

/** Extracts the one-time token from the link in an email body. */
export function tokenFromMail(body: string): string {
  const m = body.match(/[?&]token=([^\s&]+)/);
  if (!m?.[1]) throw new Error(`no token link in: ${body}`);
  return decodeURIComponent(m[1]);
}
