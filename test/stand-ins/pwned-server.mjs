// A local stand-in for Have I Been Pwned's Pwned Passwords range API
// (GET https://api.pwnedpasswords.com/range/{first 5 hex of SHA-1}), used by the vitest
// globalSetup, `npm start` and the e2e runner. Like the real one: the prefix must be 5 hex
// characters (else 400), the answer is "SUFFIX:COUNT" lines (35 hex, uppercase), and with
// `Add-Padding: true` it adds lines with a count of 0 up to a fixed size. Its breach corpus is the
// BREACHED list below. It records only what it received (the prefix and the padding header), so a
// test can check that no more than 5 characters of the hash left the Worker. Plain Node.
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";

/** Passwords this stand-in reports as breached (and their counts). */
export const BREACHED = new Map([
  ["Tr0ub4dor&3-leaked", 1234],
  ["breached password 2026", 42],
  ["soleil-de-juillet-1990", 7],
]);

const sha1 = (s) => createHash("sha1").update(s).digest("hex").toUpperCase();
const corpus = [...BREACHED].map(([p, n]) => [sha1(p), n]);
const PADDED_LINES = 800;

/** @param {{ port?: number }} opts */
export async function startPwnedServer(opts = {}) {
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname === "/_sim/requests") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(requests));
    }
    const m = /^\/range\/([^/]*)$/.exec(url.pathname);
    if (req.method !== "GET" || !m) {
      res.writeHead(404);
      return res.end();
    }
    const prefix = m[1] ?? "";
    const padding = String(req.headers["add-padding"] ?? "").toLowerCase() === "true";
    requests.push({ prefix, padding });
    if (!/^[0-9A-Fa-f]{5}$/.test(prefix)) {
      res.writeHead(400, { "content-type": "text/plain" });
      return res.end("The hash prefix was not in a valid format");
    }
    const lines = corpus.filter(([h]) => h.startsWith(prefix.toUpperCase())).map(([h, n]) => `${h.slice(5)}:${n}`);
    // Some ordinary neighbours, like the real ranges (hundreds of suffixes per prefix).
    for (let i = 0; i < 20; i++) lines.push(`${randomBytes(18).toString("hex").slice(0, 35).toUpperCase()}:${1 + i}`);
    if (padding) while (lines.length < PADDED_LINES) lines.push(`${randomBytes(18).toString("hex").slice(0, 35).toUpperCase()}:0`);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(lines.join("\r\n"));
  });
  await new Promise((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    workerVars: { PWNED_PASSWORDS_URL: url },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** vitest globalSetup: listens on PWNED_STANDIN_PORT (chosen in vitest.config.ts). */
export default async function setup(project) {
  const server = await startPwnedServer({ port: Number(process.env.PWNED_STANDIN_PORT ?? 0) });
  project.provide("pwnedStandinUrl", server.url);
  return () => server.close();
}
