import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/worker/app";
import { randomId } from "../../src/worker/lib/crypto/random";
import { TestClient } from "../helpers/client";
import { createDraftVia, draftBody, readyAccount } from "../helpers/invoicing";

// Issue #14: every response to a signed-in request, and every public document page (/p/…), says
// `Cache-Control: private, no-store`, so neither a shared cache nor the browser's back/forward cache
// keeps an account's data. The routes are enumerated from the router (as isolation.test.ts does):
// a new route is covered without editing this file.

const ROUTES = (() => {
  const seen = new Set<string>();
  const out: Array<{ method: string; path: string }> = [];
  for (const r of createApp().routes) {
    if (r.method === "ALL") continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
})();

/** A concrete path: `:format{pdf|xml}` → its first alternative, `:token` → the real share token, other params → an id. */
function concrete(path: string, ids: { id: string; token: string }): string {
  return path.replace(/:(\w+)(\{([^}]*)\})?/g, (_m, name: string, _p, pattern: string | undefined) => {
    if (pattern) return pattern.split("|")[0]!.replace(/[^\w.-]/g, "");
    if (name === "token") return ids.token;
    return ids.id;
  });
}

let account: Awaited<ReturnType<typeof readyAccount>>;
let ids: { id: string; token: string };

beforeAll(async () => {
  account = await readyAccount();
  const quote = await createDraftVia(account.client, draftBody(account.clientId, { type: "quote", validUntil: `${new Date().getUTCFullYear() + 1}-12-31` }));
  const issued = await account.client.json("POST", `/api/v1/documents/${quote}/issue`, {});
  expect(issued.status).toBe(200);
  const share = (await (await account.client.json("POST", `/api/v1/documents/${quote}/share`)).json()) as { url: string };
  ids = { id: quote, token: new URL(share.url).pathname.split("/")[2]! };
});

describe("Cache-Control: private, no-store", () => {
  it("is on every route's answer to a signed-in request, errors included", async () => {
    const missing: string[] = [];
    for (const route of ROUTES) {
      const path = concrete(route.path, ids);
      // Writes go without their CSRF token: the 403 is still an answer to a signed-in request,
      // and nothing changes (no logout, no closure) while the enumeration runs.
      const res =
        route.method === "GET"
          ? await account.client.fetch(path, { headers: { accept: "text/html" } })
          : await account.client.fetch(path, { method: route.method, headers: { accept: "application/json" } });
      await res.arrayBuffer();
      if (res.headers.get("cache-control") !== "private, no-store") missing.push(`${route.method} ${route.path} → ${res.status} ${res.headers.get("cache-control")}`);
      // The same for JSON callers.
      if (route.method === "GET") {
        const api = await account.client.fetch(path, { headers: { accept: "application/json" } });
        await api.arrayBuffer();
        if (api.headers.get("cache-control") !== "private, no-store") missing.push(`GET ${route.path} (json) → ${api.status} ${api.headers.get("cache-control")}`);
      }
    }
    expect(missing).toEqual([]);
    // The session survived the enumeration: every answer above was a signed-in one.
    expect((await account.client.json("GET", "/api/v1/me")).status).toBe(200);
  });

  it("is on the public document pages without a session, and on their 404", async () => {
    const anonymous = new TestClient();
    for (const path of [`/p/${ids.token}`, `/p/${ids.token}/document.pdf`, `/p/${randomId()}`]) {
      const res = await anonymous.get(path);
      await res.arrayBuffer();
      expect(res.headers.get("cache-control"), path).toBe("private, no-store");
    }
    expect((await anonymous.get(`/p/${ids.token}`)).status).toBe(200);
  });
});
