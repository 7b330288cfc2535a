import { BASE_URL } from "./browser.ts";

/** A cookie-keeping API client for e2e tests that drive the running app without a browser. */
export class ApiClient {
  private cookies = new Map<string, string>();

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${BASE_URL}${path}`, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }

  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    if (!this.cookies.has("__Host-csrf")) await this.fetch("/connexion");
    const res = await this.fetch(path, {
      method,
      headers: { accept: "application/json", "content-type": "application/json", "x-csrf-token": this.cookies.get("__Host-csrf") ?? "" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async bytes(path: string): Promise<Uint8Array> {
    const res = await this.fetch(path, { headers: { accept: "*/*" } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}
