// `npm run bench [-- --quick]`: latency and throughput of Factumo under `wrangler dev` on loopback,
// against a minimal Hono Worker (bench/baseline) served the same way, at the same concurrency.
// Seeds one account (the demo login, a client, SEED_INVOICES issued invoices), measures with
// autocannon, prints a table with app/baseline ratios and writes bench/results.json.
// Every loop is bounded: a fixed duration per target, a fixed number of seeded invoices, timeouts.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { applyMigrations, buildClient, freePort, localSecrets, root, startWrangler } from "../scripts/lib/dev-server.mjs";
import { QUIET_WRANGLER, assertNode } from "../scripts/lib/env.mjs";
import { DEMO, seedDemo } from "../scripts/lib/seed.mjs";

assertNode();
const quick = process.argv.includes("--quick");
const CONNECTIONS = 10;
const DURATION_S = quick ? 4 : 15;
const WARMUP_S = quick ? 1 : 3;
const SEED_INVOICES = quick ? 10 : 30;

/** Starts `wrangler dev` on the baseline's own config and waits for it (at most 60 s). */
async function startBaseline(port) {
  const child = spawn(path.join(root, "node_modules/.bin/wrangler"), ["dev", "-c", "bench/baseline/wrangler.toml", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, ...QUIET_WRANGLER },
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`baseline wrangler dev exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  stop();
  throw new Error("baseline did not start within 60 s");
}

/** Signs the demo user in and returns the cookie header of the session. */
async function signIn(base) {
  const first = await fetch(`${base}/connexion`);
  const csrf = first.headers.getSetCookie().find((c) => c.startsWith("__Host-csrf="))?.split(";")[0];
  const token = csrf?.split("=")[1];
  if (!token) throw new Error("no CSRF cookie");
  const res = await fetch(`${base}/connexion`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf },
    body: new URLSearchParams({ email: DEMO.email, password: DEMO.password, _csrf: token }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("__Host-session="))?.split(";")[0];
  if (res.status !== 303 || !session) throw new Error(`login failed: ${res.status}`);
  return { cookie: `${csrf}; ${session}`, token };
}

/** A client and SEED_INVOICES issued invoices (franchise: category E lines), through the API. */
async function seedInvoices(base, auth) {
  const api = (method, p, body) =>
    fetch(`${base}${p}`, {
      method,
      headers: { cookie: auth.cookie, "x-csrf-token": auth.token, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const existing = await (await api("GET", "/api/v1/documents?type=invoice")).json();
  if (existing.items?.length) return existing.items[0].id;
  const client = await api("POST", "/api/v1/clients", {
    kind: "company",
    name: "Atelier Dupont",
    siret: "73282932000074",
    addressLine1: "3 place Bellecour",
    postalCode: "69002",
    city: "Lyon",
    country: "FR",
    email: "compta@dupont.example",
    language: "fr",
  });
  if (client.status !== 201) throw new Error(`client refused: ${client.status} ${await client.text()}`);
  const clientId = (await client.json()).client.id;
  let last = null;
  for (let i = 0; i < SEED_INVOICES; i++) {
    const draft = await api("POST", "/api/v1/documents", {
      type: "invoice",
      clientId,
      lines: [
        { description: `Séance photo ${i + 1}`, quantity: "1", unitCode: "C62", unitPriceCents: 45_000 + i * 100, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" },
        { description: "Retouches", quantity: "2.5", unitCode: "HUR", unitPriceCents: 6_000, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" },
      ],
    });
    if (draft.status !== 201) throw new Error(`draft refused: ${draft.status} ${await draft.text()}`);
    last = (await draft.json()).document.id;
    const issued = await api("POST", `/api/v1/documents/${last}/issue`, {});
    if (issued.status !== 200) throw new Error(`issue refused: ${issued.status} ${await issued.text()}`);
  }
  return last;
}

/** One autocannon run; refuses a run where any answer was not the expected status. */
async function measure(name, url, { headers = {}, expect = 200 } = {}) {
  const probe = await fetch(url, { headers, redirect: "manual" });
  const d1 = probe.headers.get("server-timing")?.match(/d1;desc="([^"]*)"/)?.[1] ?? null;
  const timing = d1?.match(/rows_read=(\d+)/)?.[1];
  await probe.arrayBuffer();
  if (probe.status !== expect) throw new Error(`${name}: ${url} answered ${probe.status}, expected ${expect}`);
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, headers });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, expectBody: undefined });
  const bad = r.non2xx + r.errors + r.timeouts;
  return {
    name,
    path: new URL(url).pathname,
    p50: r.latency.p50,
    p99: r.latency.p99,
    rps: Math.round(r.requests.average),
    requests: r.requests.total,
    failed: bad,
    d1RowsRead: timing === undefined ? null : Number(timing),
    d1: d1,
  };
}

const persistTo = mkdtempSync(path.join(os.tmpdir(), "factumo-bench-"));
const stops = [];
const overall = setTimeout(() => {
  console.error("bench: over 10 minutes, giving up");
  for (const s of stops) s();
  process.exit(1);
}, 600_000);
try {
  console.log("Building the client and a fresh local database…");
  buildClient();
  applyMigrations(persistTo);
  const [appPort, basePort] = [await freePort(), await freePort()];
  const app = await startWrangler({
    port: appPort,
    persistTo,
    vars: { ENVIRONMENT: "local", APP_URL: `http://127.0.0.1:${appPort}`, ...localSecrets() },
    stdio: ["ignore", "ignore", "inherit"],
  });
  stops.push(app.stop);
  const baseline = await startBaseline(basePort);
  stops.push(baseline.stop);

  await seedDemo(app.url);
  const auth = await signIn(app.url);
  console.log(`Seeding ${SEED_INVOICES} issued invoices…`);
  const invoiceId = await seedInvoices(app.url, auth);
  const signedIn = { cookie: auth.cookie };

  console.log(`Measuring: ${CONNECTIONS} connections, ${DURATION_S} s per target after ${WARMUP_S} s of warm-up${quick ? " (--quick)" : ""}…`);
  const rows = [];
  rows.push(await measure("baseline (minimal Hono)", `${baseline.url}/`));
  rows.push(await measure("login page", `${app.url}/connexion`));
  rows.push(await measure("invoice list", `${app.url}/factures`, { headers: signedIn }));
  rows.push(await measure("invoice detail", `${app.url}/documents/${invoiceId}`, { headers: signedIn }));

  const base = rows[0];
  const fmt = (n) => (n < 10 ? n.toFixed(1) : String(Math.round(n)));
  console.log(`\n${"target".padEnd(26)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"req/s".padStart(7)} ${"p50 ×".padStart(6)} ${"p99 ×".padStart(6)} ${"req/s ×".padStart(8)} ${"D1 rows".padStart(8)}`);
  for (const r of rows) {
    r.ratio = { p50: r.p50 / base.p50, p99: r.p99 / base.p99, rps: r.rps / base.rps };
    console.log(
      `${r.name.padEnd(26)} ${fmt(r.p50).padStart(7)} ${fmt(r.p99).padStart(7)} ${String(r.rps).padStart(7)} ${r.ratio.p50.toFixed(1).padStart(6)} ${r.ratio.p99.toFixed(1).padStart(6)} ${r.ratio.rps.toFixed(2).padStart(8)} ${String(r.d1RowsRead ?? "—").padStart(8)}${r.failed ? `  (${r.failed} failed)` : ""}`,
    );
  }
  const results = {
    at: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))) },
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    seededInvoices: SEED_INVOICES,
    rows,
  };
  writeFileSync(path.join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log("\nWrote bench/results.json");
  if (rows.some((r) => r.failed)) process.exitCode = 1;
} finally {
  clearTimeout(overall);
  for (const s of stops) s();
  rmSync(persistTo, { recursive: true, force: true });
}
