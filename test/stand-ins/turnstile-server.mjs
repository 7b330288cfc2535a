// A local stand-in for Cloudflare Turnstile's siteverify endpoint
// (POST https://challenges.cloudflare.com/turnstile/v0/siteverify), used by the vitest globalSetup,
// `npm start` and the e2e runner. It answers like the real service does for Cloudflare's published
// test secrets: 1x…AA always passes, 2x…AA always fails, 3x…AA says the token was already spent;
// any other secret is "invalid-input-secret". Like the real one it takes form-encoded or JSON
// bodies, requires `secret` and `response`, refuses responses over 2 048 characters, and records
// each request so tests can check what left the Worker. Plain Node, no dependency.
import { createServer } from "node:http";

const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

/** Cloudflare's answer for one request, by the rules of its test secrets. */
export function siteverify({ secret, response }) {
  const base = { challenge_ts: new Date().toISOString(), hostname: "localhost", action: "login", cdata: "" };
  if (!secret) return { success: false, "error-codes": ["missing-input-secret"] };
  if (!response) return { success: false, "error-codes": ["missing-input-response"] };
  if (response.length > 2048) return { success: false, "error-codes": ["invalid-input-response"] };
  if (/^1x0+AA$/.test(secret)) return { success: true, "error-codes": [], ...base };
  if (/^2x0+AA$/.test(secret)) return { success: false, "error-codes": ["invalid-input-response"] };
  if (/^3x0+AA$/.test(secret)) return { success: false, "error-codes": ["timeout-or-duplicate"] };
  return { success: false, "error-codes": ["invalid-input-secret"] };
}

/**
 * Starts the stand-in on 127.0.0.1 (random port unless given).
 * @param {{ port?: number }} opts
 */
export async function startTurnstileServer(opts = {}) {
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const send = (status, json) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.method === "GET" && req.url === "/_sim/requests") return send(200, requests);
      if (req.method !== "POST" || req.url !== "/turnstile/v0/siteverify") return send(404, { success: false, "error-codes": ["not-found"] });
      let fields;
      try {
        fields = (req.headers["content-type"] ?? "").includes("application/json") ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
      } catch {
        return send(400, { success: false, "error-codes": ["bad-request"] });
      }
      // The secret is never kept: only what a test may assert on.
      requests.push({ response: fields.response ?? null, remoteip: fields.remoteip ?? null, at: Date.now() });
      send(200, siteverify(fields));
    });
  });
  await new Promise((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    /** What the Worker needs to talk to this stand-in (wrangler --var, vitest bindings). */
    workerVars: { TURNSTILE_VERIFY_URL: `${url}/turnstile/v0/siteverify` },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export { DUMMY_TOKEN };

/** vitest globalSetup: listens on TURNSTILE_STANDIN_PORT (chosen in vitest.config.ts). */
export default async function setup(project) {
  const server = await startTurnstileServer({ port: Number(process.env.TURNSTILE_STANDIN_PORT ?? 0) });
  project.provide("turnstileStandinUrl", server.url);
  return () => server.close();
}
