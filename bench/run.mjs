// `npm run bench [-- --quick]`: latency and throughput of Factumo under `wrangler dev` on loopback,
// against a minimal Hono Worker (bench/baseline) served the same way, at the same concurrency.
// Seeds one account (the demo login, a client, SEED_INVOICES issued invoices), measures with
// autocannon, prints a table with app/baseline ratios, then:
//   - sizes: the Worker bundle, island JS and CSS (scripts/check-sizes.mjs, which also builds);
//   - issue throughput: ISSUE_BURST concurrent issue requests in one account, numbers 1..N checked;
//   - account sizes: accounts of 1 k, 10 k (and 100 k in the full run) issued invoices, seeded in
//     bulk as SQL (bench/seed-history.mjs), D1 rows read and latency per page;
//   - PDF cost in Node against a pdf-lib floor (bench/pdf.mjs).
// Writes bench/results.json. Every loop is bounded: a fixed duration per target, fixed counts, timeouts.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { Session, createDraft, gapsAndDuplicates, pool, readyAccount, sequenceOf } from "../scripts/lib/api.mjs";
import { applyMigrations, freePort, localSecrets, root, snapshotTree, startWrangler, stopAndWait } from "../scripts/lib/dev-server.mjs";
import { QUIET_WRANGLER, assertNode } from "../scripts/lib/env.mjs";
import { DEMO, seedDemo } from "../scripts/lib/seed.mjs";
import { browserAudits, printBrowserAudits } from "./browser.mjs";
import { pdfCost, printPdfCost } from "./pdf.mjs";
import { writeHistorySql } from "./seed-history.mjs";

assertNode();
const quick = process.argv.includes("--quick");
const CONNECTIONS = 10;
const DURATION_S = quick ? 4 : 15;
const WARMUP_S = quick ? 1 : 3;
const SEED_INVOICES = quick ? 10 : 30;
const ISSUE_BURST = quick ? 50 : 200;
const ACCOUNT_SIZES = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const PAGE_SAMPLES = quick ? 5 : 20;
const PDF_ITERATIONS = quick ? 20 : 100;
/** Pages and API calls whose cost should not grow with the account (ARCHITECTURE.md read budgets). */
const SIZE_ROUTES = [
  { name: "invoice list page", path: "/factures", accept: "text/html" },
  { name: "invoice list, issued tab", path: "/factures?statut=issued", accept: "text/html" },
  { name: "invoice list API", path: "/api/v1/documents?type=invoice", accept: "application/json" },
  { name: "dashboard", path: "/tableau-de-bord", accept: "text/html" },
  { name: "client list page", path: "/clients", accept: "text/html" },
  { name: "receivables API", path: "/api/v1/receivables", accept: "application/json" },
  { name: "payments API", path: "/api/v1/payments", accept: "application/json" },
];

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
  const trips = d1?.match(/round_trips=(\d+)/)?.[1];
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
    d1RoundTrips: trips === undefined ? null : Number(trips),
    d1: d1,
  };
}

/** Issues ISSUE_BURST drafts of one fresh account at once; checks the numbers are exactly 1..N. */
async function issueThroughput(base) {
  const account = await readyAccount(base, "debit");
  const ids = await pool(
    Array.from({ length: ISSUE_BURST }, (_, i) => () => createDraft(account.session, account.clientId, i)),
    10,
  );
  const t0 = performance.now();
  const results = await Promise.all(
    ids.map(async (id) => {
      try {
        return await account.session.json("POST", `/api/v1/documents/${id}/issue`, {}, AbortSignal.timeout(280_000));
      } catch (err) {
        return { status: 0, body: String(err) };
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const ok = results.filter((r) => r.status === 200);
  for (const r of results.filter((r) => r.status !== 200).slice(0, 3)) console.error(`  issue failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  const check = gapsAndDuplicates(ok.map((r) => sequenceOf(r.body.document.number)));
  const row = {
    requests: ISSUE_BURST,
    seconds: Number(seconds.toFixed(2)),
    issuesPerSecond: Number((ok.length / seconds).toFixed(1)),
    succeeded: ok.length,
    failed: ISSUE_BURST - ok.length,
    gaps: check.gaps.length,
    duplicates: check.duplicates.length,
    maxNumber: check.max,
  };
  console.log(
    `\nIssue throughput: ${ISSUE_BURST} concurrent issue requests in one account: ${row.seconds} s, ${row.issuesPerSecond} issues/s, ${row.succeeded} issued, numbers 1..${row.maxNumber}: ${row.gaps} gaps, ${row.duplicates} duplicates${row.failed ? `, ${row.failed} FAILED` : ""}`,
  );
  return row;
}

/** D1 rows read (Server-Timing) and latency of one route, PAGE_SAMPLES sequential requests. */
async function routeCost(session, route) {
  const times = [];
  let rowsRead = null;
  let status = 0;
  for (let i = 0; i < PAGE_SAMPLES; i++) {
    const t0 = performance.now();
    const res = await session.fetch(route.path, { headers: { accept: route.accept } });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    status = res.status;
    rowsRead ??= Number(res.headers.get("server-timing")?.match(/rows_read=(\d+)/)?.[1] ?? Number.NaN);
  }
  times.sort((a, b) => a - b);
  return { status, rowsRead, p50: times[Math.floor(times.length / 2)], max: times.at(-1) };
}

const persistTo = mkdtempSync(path.join(os.tmpdir(), "factumo-bench-"));
const stops = [];
const budgetMinutes = quick ? 25 : 120;
const overall = setTimeout(() => {
  console.error(`bench: over ${budgetMinutes} minutes, giving up`);
  for (const s of stops) s();
  process.exit(1);
}, budgetMinutes * 60_000);
try {
  console.log("Sizes (builds the client and the Worker)…");
  const sizes = spawnSync(process.execPath, [path.join(root, "scripts/check-sizes.mjs")], { cwd: root, encoding: "utf8", env: { ...process.env, ...QUIET_WRANGLER }, timeout: 600_000 });
  const sizeTable = (sizes.stdout ?? "").trim();
  console.log(sizeTable);
  if (sizes.status !== 0) console.error(`check-sizes exited with ${sizes.status}: ${(sizes.stderr ?? "").slice(-500)}`);
  console.log("A fresh local database…");
  applyMigrations(persistTo);
  // The server runs from a copy of the tree: edits made meanwhile do not restart it mid-run.
  const tree = snapshotTree(path.join(persistTo, "tree"));
  const secrets = localSecrets();
  const startApp = async () => {
    const port = await freePort();
    const started = await startWrangler({
      port,
      persistTo,
      vars: { ENVIRONMENT: "local", APP_URL: `http://127.0.0.1:${port}`, ...secrets },
      stdio: ["ignore", "ignore", "inherit"],
      cwd: tree,
    });
    stops.push(started.stop);
    return started;
  };
  const [basePort] = [await freePort()];
  let app = await startApp();
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
  console.log(`\n${"target".padEnd(26)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"req/s".padStart(7)} ${"p50 ×".padStart(6)} ${"p99 ×".padStart(6)} ${"req/s ×".padStart(8)} ${"D1 rows".padStart(8)} ${"D1 trips".padStart(9)}`);
  for (const r of rows) {
    r.ratio = { p50: r.p50 / base.p50, p99: r.p99 / base.p99, rps: r.rps / base.rps };
    console.log(
      `${r.name.padEnd(26)} ${fmt(r.p50).padStart(7)} ${fmt(r.p99).padStart(7)} ${String(r.rps).padStart(7)} ${r.ratio.p50.toFixed(1).padStart(6)} ${r.ratio.p99.toFixed(1).padStart(6)} ${r.ratio.rps.toFixed(2).padStart(8)} ${String(r.d1RowsRead ?? "—").padStart(8)} ${String(r.d1RoundTrips ?? "—").padStart(9)}${r.failed ? `  (${r.failed} failed)` : ""}`,
    );
  }

  baseline.stop();
  const throughput = await issueThroughput(app.url);

  // Account sizes: sign the accounts up while the server runs, stop it, load the SQL, restart.
  const sized = [];
  for (const invoices of ACCOUNT_SIZES) sized.push({ invoices, account: await readyAccount(app.url, `taille${invoices}`) });
  await stopAndWait(app);
  for (const s of sized) {
    const file = path.join(persistTo, `history-${s.invoices}.sql`);
    const t0 = performance.now();
    s.seeded = await writeHistorySql(file, s.account.accountId, { invoices: s.invoices, years: s.invoices >= 100_000 ? 10 : 5 });
    const res = spawnSync(path.join(root, "node_modules/.bin/wrangler"), ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file, "--yes"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, ...QUIET_WRANGLER, CI: "true" },
      timeout: 3_600_000,
    });
    if (res.status !== 0) throw new Error(`seeding ${s.invoices} invoices failed (exit ${res.status ?? res.signal})`);
    console.log(`Seeded ${s.invoices} invoices (${s.seeded.creditNotes} credit notes, ${s.seeded.payments} payments, ${s.seeded.clients} clients) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    rmSync(file, { force: true });
  }
  app = await startApp();
  const sizeRows = [];
  for (const route of [...SIZE_ROUTES, { name: "invoice detail page", path: null, accept: "text/html" }]) {
    const row = { name: route.name, path: route.path ?? "/documents/:id", bySize: {} };
    for (const s of sized) {
      s.account.session.base = app.url;
      const r = route.path ? route : { ...route, path: `/documents/${s.seeded.sampleId}` };
      row.bySize[s.invoices] = await routeCost(s.account.session, r);
    }
    sizeRows.push(row);
  }
  const k = (n) => `${n / 1000} k`;
  console.log(`\nAccount size: D1 rows read per request / p50 ms (${PAGE_SAMPLES} sequential requests each)`);
  console.log(`${"route".padEnd(26)} ${sized.map((s) => `${k(s.invoices)} invoices`.padStart(20)).join(" ")}`);
  for (const r of sizeRows) {
    console.log(
      `${r.name.padEnd(26)} ${sized
        .map((s) => {
          const c = r.bySize[s.invoices];
          return `${c.status === 200 ? "" : `[${c.status}] `}${c.rowsRead} rows / ${c.p50.toFixed(0)} ms`.padStart(20);
        })
        .join(" ")}`,
    );
  }

  console.log(`\nPDF cost (Node, ${PDF_ITERATIONS} iterations)…`);
  const pdfRows = await pdfCost(PDF_ITERATIONS);
  printPdfCost(pdfRows, PDF_ITERATIONS);

  let audits;
  try {
    // A fresh sign-in: the demo session of the first phase may have been rotated or expired since.
    const fresh = await signIn(app.url);
    audits = await browserAudits([
      { name: "login", url: `${app.url}/connexion` },
      { name: "dashboard", url: `${app.url}/tableau-de-bord`, cookie: fresh.cookie },
      { name: "invoice page", url: `${app.url}/documents/${invoiceId}`, cookie: fresh.cookie },
    ]);
    printBrowserAudits(audits);
  } catch (err) {
    // A browser that cannot start is reported, not fatal: the server-side figures stand.
    audits = { error: String(err) };
    console.error(`\nBrowser audits failed: ${err}`);
  }

  const results = {
    at: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))) },
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    seededInvoices: SEED_INVOICES,
    rows,
    sizes: sizeTable,
    issueThroughput: throughput,
    accountSizes: { samplesPerRoute: PAGE_SAMPLES, seeded: sized.map((s) => ({ invoices: s.invoices, ...s.seeded, sampleId: undefined })), routes: sizeRows },
    pdf: { iterations: PDF_ITERATIONS, rows: pdfRows },
    browser: audits,
  };
  writeFileSync(path.join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log("\nWrote bench/results.json");
  const sizeFailures = sizeRows.flatMap((r) => Object.values(r.bySize)).filter((c) => c.status !== 200).length;
  if (rows.some((r) => r.failed) || throughput.failed || throughput.gaps || throughput.duplicates || sizeFailures || sizes.status !== 0 || audits.rows?.some((r) => r.redirected)) process.exitCode = 1;
} finally {
  clearTimeout(overall);
  for (const s of stops) s();
  rmSync(persistTo, { recursive: true, force: true });
}
