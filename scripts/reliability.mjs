// `npm run reliability [-- --quick]`: the proof harness of issue #6. Starts `wrangler dev` on a free
// port with a fresh local state and tries to break Factumo on purpose:
//   1. numbering under faults — N concurrent issues across 10 accounts while FAULT_ISSUE_WRITE_RATE
//      makes ~10 % of issue requests fail after their number is allocated; clients retry (bounded),
//      a few "crash" without retrying and the reconciler cron must finish their issue;
//   2. a bounded mixed read/write load, then every acknowledged write is read back;
//   3. the workerd test files that enumerate the router (isolation, security headers, fuzzing),
//      retention time travel, webhooks and the PA outage/duplicate delivery, run with vitest and counted;
//   4. a final check of the persisted D1 (after the server stopped): per series 1..n, no gap, no
//      duplicate, no issue left pending.
// Prints one table (case, tried, failures) and exits non-zero on any failure. Every loop is bounded
// (attempts, duration, request budget, polling rounds) and every child process is killed on exit.
// `--only-fuzz` runs only the six fuzz families ("bad inputs tried": JSON bodies, query strings, form
// posts in test/integration/fuzz.test.ts; headers/redirects, multipart, archives in fuzz-inputs.test.ts), no wrangler;
// `--help` lists the options.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Session, createDraft, gapsAndDuplicates, invoiceDraft, listAll, pool, readyAccount, sequenceOf, CLIENT } from "./lib/api.mjs";
import { applyMigrations, buildClient, freePort, localSecrets, root, snapshotTree, startWrangler, stopAndWait } from "./lib/dev-server.mjs";
import { QUIET_WRANGLER, assertNode } from "./lib/env.mjs";

assertNode();
if (process.argv.includes("--help")) {
  console.log(`npm run reliability [-- options]
  --quick       smaller counts (100 issues, 10 s of load; fuzz cases per route: 8 JSON, 4 query, 4 form,
                8 headers/redirects, 8 multipart; 4 archive imports)
  --smoke       the npm test stage: 30 issues under faults, 5 s of load, the D1 check; no vitest
                (npm test runs those files itself); reuses dist/client when it exists
  --no-vitest   skip the workerd test files (isolation, fuzzing, retention, webhooks)
  --only-fuzz   run only the six fuzz families (fuzz.test.ts, fuzz-inputs.test.ts): no wrangler, no load
  --help        this text`);
  process.exit(0);
}
const smoke = process.argv.includes("--smoke");
const quick = smoke || process.argv.includes("--quick");
const mode = smoke ? "smoke" : quick ? "quick" : "full";
const skipVitest = smoke || process.argv.includes("--no-vitest");
const onlyFuzz = process.argv.includes("--only-fuzz");
const ACCOUNTS = 10;
const ISSUES = smoke ? 30 : quick ? 100 : 1000;
// The smoke run has few issues: a higher rate makes abandoned issues (the reconciler's work) likely.
const FAULT_RATE = smoke ? 0.3 : 0.1;
const MAX_ATTEMPTS = 10;
/** Issue requests in flight at once: all N would queue past undici's 300 s header timeout on 2 CPUs. */
const ISSUE_IN_FLIGHT = 100;
const ISSUE_TIMEOUT_MS = 280_000;
/** Every ABANDON_EVERY-th client gives up after its first failure: only the reconciler can finish it. */
const ABANDON_EVERY = 4;
/** The reconciler only picks issues older than RECONCILE_AFTER_MS (jobs/reconcile-issues.ts: 5 min). */
const RECONCILE_CLOCK_AHEAD_MS = 10 * 60 * 1000;
const LOAD_SECONDS = smoke ? 5 : quick ? 10 : 60;
const LOAD_MAX_REQUESTS = smoke ? 500 : quick ? 3_000 : 30_000;
const LOAD_WORKERS = 8;
const FUZZ_RUNS = quick ? 8 : 1000;
// 1000 cases per route in every family of the full run (~100 GET and ~75 form routes: the
// query and form families take tens of minutes on 2 CPUs now that tests call the Worker directly).
const FUZZ_QUERY_RUNS = quick ? 4 : 1000;
const FUZZ_FORM_RUNS = quick ? 4 : 1000;
/** Hostile headers/redirect targets and malformed multipart bodies per route (fuzz-inputs.test.ts). */
const FUZZ_INPUT_RUNS = quick ? 8 : 200;
/** Whole imports of mutated real exports (each a few seconds); the zip readers get 10× VITE_FUZZ_RUNS. */
const FUZZ_ARCHIVE_RUNS = quick ? 4 : 50;
/** The fuzz families ("bad inputs tried"), one vitest run each (its own time limit). */
const FUZZ_FAMILIES = [
  { label: "bad inputs tried: JSON bodies", file: "test/integration/fuzz.test.ts", filter: "fuzzing the JSON API|refusals found by fuzzing|the database after every fuzz run" },
  { label: "bad inputs tried: query strings", file: "test/integration/fuzz.test.ts", filter: "fuzzing query strings|the database after every fuzz run" },
  { label: "bad inputs tried: form posts", file: "test/integration/fuzz.test.ts", filter: "fuzzing form posts|the database after every fuzz run" },
  { label: "bad inputs tried: headers/redirects", file: "test/integration/fuzz-inputs.test.ts", filter: "fuzzing headers and redirects", runs: FUZZ_INPUT_RUNS },
  { label: "bad inputs tried: multipart", file: "test/integration/fuzz-inputs.test.ts", filter: "fuzzing multipart", runs: FUZZ_INPUT_RUNS },
  { label: "bad inputs tried: archives", file: "test/integration/fuzz-inputs.test.ts", filter: "fuzzing archives", runs: FUZZ_INPUT_RUNS },
  // The throttles under parallel bursts (http/throttle.ts): no success past a limit.
  { label: "bad inputs tried: concurrent bursts", file: "test/integration/throttle.test.ts", filter: "throttles hold under concurrency|the outer layer" },
];
const OVERALL_MS = (smoke ? 15 : quick ? 90 : 360) * 60 * 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
/** @type {{ name: string, tried: string, failures: number, note: string }[]} */
const table = [];
const record = (name, tried, failures, note = "") => {
  table.push({ name, tried: String(tried), failures, note });
  log(`${failures === 0 ? "✓" : "✗"} ${name}: ${tried} tried, ${failures} failures${note ? ` (${note})` : ""}`);
};

// ——— child processes: every one is stopped on any exit ———
const persistTo = mkdtempSync(path.join(os.tmpdir(), "factumo-reliability-"));
const running = new Set();
function stopAll() {
  for (const s of running) s.stop();
  running.clear();
}
function cleanup() {
  stopAll();
  rmSync(persistTo, { recursive: true, force: true });
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}
const overall = setTimeout(() => {
  console.error(`reliability: over ${OVERALL_MS / 60000} minutes, giving up`);
  cleanup();
  process.exit(1);
}, OVERALL_MS);
overall.unref();

const secrets = localSecrets();
let tree = root;
async function start(vars) {
  const port = await freePort();
  const app = await startWrangler({
    port,
    persistTo,
    vars: { ENVIRONMENT: "local", APP_URL: `http://127.0.0.1:${port}`, ...secrets, ...vars },
    stdio: ["ignore", "ignore", "inherit"],
    cwd: tree,
  });
  running.add(app);
  return app;
}
async function stop(app) {
  running.delete(app);
  await stopAndWait(app);
}

// ——— 1. numbering under faults ———

/** One client issuing one draft: retries 5xx and network errors (bounded), as the UI's retry does. */
async function issueWithRetry(session, id, abandonOnFailure) {
  let faults = 0;
  const kinds = { injected: 0, other5xx: 0, network: 0 };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let res;
    try {
      res = await session.json("POST", `/api/v1/documents/${id}/issue`, {}, AbortSignal.timeout(ISSUE_TIMEOUT_MS));
    } catch (err) {
      res = { status: 0, body: String(err) };
    }
    if (res.status === 0) kinds.network += 1;
    else if (res.status >= 500 && /injected fault/.test(JSON.stringify(res.body))) kinds.injected += 1;
    else if (res.status >= 500) {
      kinds.other5xx += 1;
      console.error(`  ${res.status} on issue: ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    if (res.status === 200) return { ok: true, number: res.body.document.number, attempts: attempt, faults, kinds };
    if (res.status === 409) {
      // A previous attempt finished after the client stopped waiting: the document says so.
      const doc = await session.json("GET", `/api/v1/documents/${id}`);
      if (doc.body?.document?.number) return { ok: true, number: doc.body.document.number, attempts: attempt, faults, kinds };
    }
    if (res.status !== 0 && res.status < 500 && res.status !== 409) return { ok: false, status: res.status, body: res.body, attempts: attempt, faults, kinds };
    faults += 1;
    if (abandonOnFailure) return { ok: false, abandoned: true, attempts: attempt, faults, kinds };
    await sleep(50 * attempt + Math.random() * 200);
  }
  return { ok: false, exhausted: true, attempts: MAX_ATTEMPTS, faults, kinds };
}

/** Our drafts that hold no number yet (the list does not carry issueRequestedAt: ask each one). */
async function pendingIssues(drafts) {
  const open = [];
  for (const a of new Set(drafts.map((d) => d.account))) {
    const numbered = new Set((await listAll(a.session, "invoice")).filter((d) => d.number).map((d) => d.id));
    open.push(...drafts.filter((d) => d.account === a && !numbered.has(d.id)));
  }
  const frozen = await pool(
    open.map((d) => async () => (await d.account.session.json("GET", `/api/v1/documents/${d.id}`)).body?.document?.issueRequestedAt != null),
    8,
  );
  return { unnumbered: open.length, pending: frozen.filter(Boolean).length };
}

async function numberingUnderFaults() {
  log(`Numbering: wrangler dev with FAULT_ISSUE_WRITE_RATE=${FAULT_RATE}…`);
  const app = await start({ FAULT_ISSUE_WRITE_RATE: String(FAULT_RATE) });
  log(`Signing up ${ACCOUNTS} accounts through the real routes…`);
  const accounts = await pool(
    Array.from({ length: ACCOUNTS }, (_, i) => () => readyAccount(app.url, "fiab", i)),
    4,
  );
  log(`Creating ${ISSUES} drafts…`);
  const drafts = await pool(
    Array.from({ length: ISSUES }, (_, i) => async () => {
      const account = accounts[i % ACCOUNTS];
      return { account, id: await createDraft(account.session, account.clientId, i), i };
    }),
    10,
  );
  log(`Firing ${ISSUES} issue requests, ${ISSUE_IN_FLIGHT} in flight (every ${ABANDON_EVERY}th client abandons after a failure)…`);
  const t0 = performance.now();
  const results = await pool(
    drafts.map((d) => () => issueWithRetry(d.account.session, d.id, d.i % ABANDON_EVERY === 0)),
    ISSUE_IN_FLIGHT,
  );
  const issueSeconds = (performance.now() - t0) / 1000;
  const sum = (k) => results.reduce((n, r) => n + r.kinds[k], 0);
  const injected = sum("injected");
  const attempts = results.reduce((n, r) => n + r.attempts, 0);
  const abandoned = results.filter((r) => r.abandoned).length;
  const refused = results.filter((r) => !r.ok && !r.abandoned && !r.exhausted);
  const exhausted = results.filter((r) => r.exhausted).length;
  for (const r of refused.slice(0, 3)) console.error(`  refused: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  log(`  ${issueSeconds.toFixed(1)} s, ${attempts} attempts: ${injected} injected faults, ${sum("other5xx")} other 5xx, ${sum("network")} network errors; ${abandoned} abandoned, ${exhausted} out of attempts`);

  // The reconciler cron, with the clock moved past its 5-minute grace period.
  let { pending, unnumbered } = await pendingIssues(drafts);
  log(`  before the reconciler: ${unnumbered} without a number, ${pending} frozen mid-issue`);
  let rounds = 0;
  for (; rounds < 10 && pending > 0; rounds++) {
    const time = Date.now() + RECONCILE_CLOCK_AHEAD_MS;
    const res = await fetch(`${app.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/10 * * * *")}&time=${time}`, { signal: AbortSignal.timeout(300_000) });
    await res.arrayBuffer();
    await sleep(1000);
    ({ pending, unnumbered } = await pendingIssues(drafts));
  }
  log(`  reconciler: ${rounds} run(s), ${pending} still pending, ${unnumbered} without a number`);
  // Clients that gave up before their draft was frozen come back and issue again (bounded too).
  const stillOpen = new Set((await pool(drafts.map((d) => async () => ((await d.account.session.json("GET", `/api/v1/documents/${d.id}`)).body?.document?.number ? null : d.id)), 8)).filter(Boolean));
  const returning = await pool(
    drafts.filter((d) => stillOpen.has(d.id)).map((d) => () => issueWithRetry(d.account.session, d.id, false)),
    10,
  );

  // Read back through the API: every draft issued, 1..n per series, the numbering object agrees.
  let gaps = 0;
  let duplicates = 0;
  let notIssued = 0;
  let seriesDisagree = 0;
  const ours = new Set(drafts.map((d) => d.id));
  for (const a of accounts) {
    const docs = await listAll(a.session, "invoice");
    const issued = docs.filter((d) => d.number);
    notIssued += docs.filter((d) => ours.has(d.id) && !d.number).length;
    const bySeries = Map.groupBy(issued, (d) => d.seriesId);
    for (const list of bySeries.values()) {
      const check = gapsAndDuplicates(list.map((d) => sequenceOf(d.number)));
      gaps += check.gaps.length;
      duplicates += check.duplicates.length;
    }
    const series = (await a.session.json("GET", "/api/v1/series")).body.series.find((s) => s.type === "invoice");
    if (series.nextNumber !== issued.length + 1) seriesDisagree += 1;
  }
  const failures = notIssued + gaps + duplicates + pending + seriesDisagree + refused.length + sum("other5xx");
  record(
    "Numbering under faults",
    `${ISSUES} issues / ${ACCOUNTS} accounts`,
    failures,
    `${attempts} attempts, ${injected} injected faults, ${abandoned} abandoned: reconciler ran ${rounds}×, ${returning.length} re-issued by their client; ${gaps} gaps, ${duplicates} dup, ${pending} pending, ${notIssued} not issued, ${seriesDisagree} series off; ${issueSeconds.toFixed(0)} s`,
  );
  await stop(app);
  return accounts;
}

// ——— 2. bounded mixed load ———

async function mixedLoad(accounts) {
  log(`Load: wrangler dev without faults, ${LOAD_SECONDS} s or ${LOAD_MAX_REQUESTS} requests, ${LOAD_WORKERS} workers…`);
  const app = await start({});
  for (const a of accounts) a.session.base = app.url;
  const issuedIds = [];
  for (const a of accounts) for (const d of await listAll(a.session, "invoice")) if (d.number) issuedIds.push({ a, id: d.id });
  const acked = { clients: [], drafts: [], issues: [] };
  const openDrafts = [];
  let sent = 0;
  let serverErrors = 0;
  let networkErrors = 0;
  let otherNon2xx = 0;
  const firstErrors = [];
  const deadline = Date.now() + LOAD_SECONDS * 1000;
  const pick = (arr) => arr[Math.floor(Math.random() * arr.length)];
  async function op(k) {
    const a = pick(accounts);
    const r = Math.random();
    if (r < 0.3) return [await a.session.json("GET", "/api/v1/documents?type=invoice"), null];
    if (r < 0.45) {
      const res = await a.session.fetch("/factures", { headers: { accept: "text/html" } });
      await res.arrayBuffer();
      return [{ status: res.status }, null];
    }
    if (r < 0.6) {
      const doc = pick(issuedIds);
      return [await doc.a.session.json("GET", `/api/v1/documents/${doc.id}`), null];
    }
    if (r < 0.75) {
      const name = `Client charge ${k}-${Math.random().toString(36).slice(2, 8)}`;
      const res = await a.session.json("POST", "/api/v1/clients", { ...CLIENT, name });
      return [res, () => res.status === 201 && acked.clients.push({ a, id: res.body.client.id, name })];
    }
    const mine = openDrafts.findIndex((d) => d.a === a);
    if (r < 0.9 || mine < 0) {
      const body = invoiceDraft(a.clientId, k);
      body.lines[0].description = `Charge ${k}-${Math.random().toString(36).slice(2, 8)}`;
      const res = await a.session.json("POST", "/api/v1/documents", body);
      return [
        res,
        () => {
          if (res.status !== 201) return;
          const d = { a, id: res.body.document.id, description: body.lines[0].description };
          acked.drafts.push(d);
          openDrafts.push(d);
        },
      ];
    }
    const [d] = openDrafts.splice(mine, 1);
    const res = await a.session.json("POST", `/api/v1/documents/${d.id}/issue`, {});
    return [res, () => res.status === 200 && acked.issues.push({ a, id: d.id, number: res.body.document.number })];
  }
  const worker = async () => {
    while (Date.now() < deadline && sent < LOAD_MAX_REQUESTS) {
      const k = sent++;
      try {
        const [res, ack] = await op(k);
        if (res.status >= 500) {
          serverErrors += 1;
          if (firstErrors.length < 3) firstErrors.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        } else if (res.status >= 300) otherNon2xx += 1;
        ack?.();
      } catch (err) {
        networkErrors += 1;
        if (firstErrors.length < 3) firstErrors.push(String(err));
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: LOAD_WORKERS }, worker));
  const seconds = (performance.now() - t0) / 1000;
  for (const e of firstErrors) console.error(`  ${e}`);

  // Every acknowledged write must be there, as acknowledged.
  let missing = 0;
  const checks = [
    ...acked.clients.map((c) => async () => {
      const res = await c.a.session.json("GET", `/api/v1/clients/${c.id}`);
      if (res.status !== 200 || res.body.client.name !== c.name) missing += 1;
    }),
    ...acked.drafts.map((d) => async () => {
      const res = await d.a.session.json("GET", `/api/v1/documents/${d.id}`);
      if (res.status !== 200 || res.body.lines?.[0]?.description !== d.description) missing += 1;
    }),
    ...acked.issues.map((d) => async () => {
      const res = await d.a.session.json("GET", `/api/v1/documents/${d.id}`);
      if (res.status !== 200 || res.body.document.number !== d.number || res.body.document.status !== "issued") missing += 1;
    }),
  ];
  await pool(checks, 8);
  const writes = acked.clients.length + acked.drafts.length + acked.issues.length;
  record(
    "Load (mixed reads and writes)",
    `${sent} requests / ${seconds.toFixed(0)} s`,
    serverErrors + networkErrors + missing,
    `${(sent / seconds).toFixed(0)} req/s; ${serverErrors} 5xx, ${networkErrors} network errors, ${otherNon2xx} other non-2xx; ${writes} acknowledged writes (${acked.issues.length} issues), ${missing} missing`,
  );
  await stop(app);
}

// ——— 3. the workerd test files ———

function vitestParts() {
  const stripeTests = readdirSync(path.join(root, "test/integration")).filter((f) => /stripe/i.test(f) && f.endsWith(".test.ts"));
  const stripeRoute = existsSync(path.join(root, "src/worker/features/stripe")) && stripeTests.length > 0;
  const files = [
    "test/integration/fault-switch.test.ts",
    "test/integration/privacy-retention.test.ts",
    "test/integration/sending.test.ts",
    "test/integration/pa-reliability.test.ts",
    ...(stripeRoute ? stripeTests.map((f) => `test/integration/${f}`) : []),
    "test/integration/isolation.test.ts",
    ...FUZZ_FAMILIES,
  ].filter((f) => !onlyFuzz || typeof f !== "string");
  // One vitest run per file: a slow or stuck file (bounded by its own timeout) costs only its rows.
  const tests = [];
  const broken = new Map();
  log(`vitest: ${files.length} runs one by one, fuzz ${FUZZ_RUNS} JSON / ${FUZZ_QUERY_RUNS} query / ${FUZZ_FORM_RUNS} form cases per route…`);
  for (const entry of files) {
    // A fuzz family is one run of fuzz.test.ts filtered to its describe blocks, named by its label.
    const { file, label, filter, runs } = typeof entry === "string" ? { file: entry, label: path.basename(entry), filter: null, runs: undefined } : entry;
    const name = label;
    const out = path.join(persistTo, `vitest-${name.replace(/\W+/g, "-")}.json`);
    const t0 = performance.now();
    const res = spawnSync(path.join(root, "node_modules/.bin/vitest"), ["run", file, ...(filter ? ["-t", filter] : []), "--reporter=dot", "--reporter=json", `--outputFile.json=${out}`], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        ...QUIET_WRANGLER,
        VITE_FUZZ_RUNS: String(runs ?? FUZZ_RUNS),
        VITE_FUZZ_QUERY_RUNS: String(FUZZ_QUERY_RUNS),
        VITE_FUZZ_FORM_RUNS: String(FUZZ_FORM_RUNS),
        VITE_FUZZ_ARCHIVE_RUNS: String(FUZZ_ARCHIVE_RUNS),
      },
      timeout: (quick ? 20 : 120) * 60 * 1000,
      killSignal: "SIGKILL",
    });
    log(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s (exit ${res.status ?? res.signal})`);
    if (!existsSync(out)) {
      broken.set(name, `no report: vitest ${res.signal ? `killed (${res.signal}) at its time limit` : `exit ${res.status}`}`);
      continue;
    }
    const report = JSON.parse(readFileSync(out, "utf8"));
    tests.push(...report.testResults.flatMap((f) => f.assertionResults.map((t) => ({ file: path.basename(f.name), run: name, suite: t.ancestorTitles.join(" > "), title: t.title, status: t.status }))));
    if (res.status !== 0 && report.testResults.every((f) => f.assertionResults.every((t) => t.status === "passed"))) broken.set(name, `vitest exit ${res.status} with every test passed (a file-level error)`);
  }
  const failed = (list) => list.filter((t) => t.status !== "passed").length;
  const inFile = (file) => tests.filter((t) => t.file === file);
  const show = (list) => {
    for (const t of list.filter((t) => t.status !== "passed").slice(0, 5)) console.error(`  ✗ ${t.file}: ${t.suite} > ${t.title} (${t.status})`);
  };
  const perRoute = (list, re) => list.filter((t) => re.test(t.title)).length;
  /** A row of the table from one file's tests; a file that gave no report counts as a failure. */
  const fileRecord = (file, name, tried, list, note) => {
    const problem = broken.get(file);
    // A row whose tests were not found (a renamed suite) is a harness failure, never "0 tried, 0 failures".
    const none = !problem && list.length === 0;
    record(name, problem ? "—" : tried, failed(list) + (problem || none ? 1 : 0), problem ?? (none ? "no test found: was the suite renamed?" : note));
  };

  // The three fuzz families: cases = routes × cases per route; the database check ends each run.
  const fuzzRow = (label, suite, perRouteTitle, runs, note) => {
    const list = tests.filter((t) => t.run === label && t.status !== "skipped" && t.status !== "pending" && (t.suite.startsWith(suite) || t.suite.startsWith("refusals found") || t.suite.startsWith("the database")));
    show(list);
    const routes = perRoute(list, perRouteTitle);
    fileRecord(label, label, `${routes} routes × ${runs} = ${routes * runs} cases`, list, note);
  };
  fuzzRow("bad inputs tried: JSON bodies", "fuzzing the JSON API", /never answers 5xx and changes rows/, FUZZ_RUNS, "every /api POST/PUT; 0 5xx, JSON errors in the house shape, rows change only on success, 0 invalid rows after");
  fuzzRow(
    "bad inputs tried: query strings",
    "fuzzing query strings",
    /never answers 5xx to a fuzzed query string/,
    FUZZ_QUERY_RUNS,
    `every GET route (API and pages)${FUZZ_QUERY_RUNS < 1000 ? `, sampled ${FUZZ_QUERY_RUNS} per route` : ""}; 0 5xx, 2xx/3xx/4xx only, JSON errors in the house shape, 0 invalid rows after`,
  );
  fuzzRow(
    "bad inputs tried: form posts",
    "fuzzing form posts",
    /never answers 5xx to a fuzzed form/,
    FUZZ_FORM_RUNS,
    `every page POST route, urlencoded and multipart${FUZZ_FORM_RUNS < 1000 ? `, sampled ${FUZZ_FORM_RUNS} per route` : ""}; 0 5xx; without a valid CSRF token 403 and nothing changed; 0 invalid rows after`,
  );
  // fuzz-inputs.test.ts: the inputs no zod schema sees (issue #14).
  const inputsRow = (label, suite, titles, note) => {
    const list = tests.filter((t) => t.run === label && t.status !== "skipped" && t.status !== "pending" && t.suite.startsWith(suite));
    show(list);
    const routes = perRoute(list, titles);
    fileRecord(label, label, `${routes} routes × ${FUZZ_INPUT_RUNS} = ${routes * FUZZ_INPUT_RUNS} cases`, list, note);
  };
  inputsRow(
    "bad inputs tried: headers/redirects",
    "fuzzing headers and redirects",
    /follows only same-origin paths|hostile request headers/,
    "next/back with CR/LF, tabs, //, backslashes, schemes on every redirecting route; hostile content type, origin, cookie, CSRF headers on every page POST; 0 5xx, every Location same-origin, no unsafe target echoed",
  );
  inputsRow("bad inputs tried: multipart", "fuzzing multipart", /malformed multipart body/, "no boundary, nameless part, truncated, mismatched, 20 kB header, NUL, nested; token in header or body; every page POST route; 0 5xx");
  {
    const label = "bad inputs tried: archives";
    const list = tests.filter((t) => t.run === label && t.status !== "skipped" && t.status !== "pending" && t.suite.startsWith("fuzzing archives"));
    show(list);
    const readers = Math.max(FUZZ_INPUT_RUNS * 10, 50);
    fileRecord(label, label, `${readers} zips + ${FUZZ_ARCHIVE_RUNS} imports`, list, "random, bit-flipped and bomb zips through the readers (only ArchiveError); mutated real exports imported: refused with a stable code and nothing written, or imported whole");
  }
  {
    const label = "bad inputs tried: concurrent bursts";
    const list = tests.filter((t) => t.run === label && t.status !== "skipped" && t.status !== "pending");
    show(list);
    // The burst sizes are in the test titles ("200 parallel logins…"); the outer-layer burst is its limit + 20.
    const requests = list.reduce((n, t) => n + Number(/^(\d+) parallel/.exec(t.title)?.[1] ?? 0), 0);
    fileRecord(label, label, `${list.length} bursts, ${requests}+ parallel requests`, list, "logins (right password late), TOTP and recovery codes, reset requests, current-password checks, document sends, the Rate Limiting binding: exactly the limit passes, no success after it");
  }
  if (onlyFuzz) return;

  const isolation = inFile("isolation.test.ts").filter((t) => /tenant isolation/.test(t.suite));
  show(isolation);
  fileRecord("isolation.test.ts", "Tenant isolation (B on A's ids)", `${perRoute(isolation, /gives B nothing of A$/)} routes`, isolation, "0 successes, 0 leaks in bodies, A unchanged");

  const retention = inFile("privacy-retention.test.ts");
  show(retention);
  fileRecord("privacy-retention.test.ts", "Retention time travel (13 mo, 3 y, 10 y)", `${retention.length} tests`, retention, "each class removed when due, issued documents kept");

  const headers = inFile("isolation.test.ts").filter((t) => /security headers/.test(t.suite));
  show(headers);
  fileRecord("isolation.test.ts", "Security headers and cookies", `${perRoute(headers, /sends CSP/)} GET routes`, headers, "CSP, HSTS, nosniff, frame-ancestors, cookie flags; owner and anonymous");

  const resend = inFile("sending.test.ts").filter((t) => /webhook/i.test(t.suite));
  show(resend);
  fileRecord("sending.test.ts", "Webhooks: Resend", `${resend.length} tests`, resend, "forged, stale, replayed, out-of-order");
  if (stripeRoute) {
    const stripe = tests.filter((t) => stripeTests.includes(t.file) && /webhook/i.test(t.suite));
    show(stripe);
    fileRecord(stripeTests[0], "Webhooks: Stripe", `${stripe.length} tests`, stripe, "forged, replayed, stale, out-of-order; no double-counted payment");
  } else {
    table.push({ name: "Webhooks: Stripe", tried: "—", failures: 0, note: "pending: /webhooks/stripe is not built yet" });
  }
  // The stand-in PA (vitest globalSetup) down (503), then throttling (429), then delivering twice.
  const pa = inFile("pa-reliability.test.ts");
  show(pa);
  fileRecord(
    "pa-reliability.test.ts",
    "PA outage and duplicate delivery",
    `${pa.length} tests`,
    pa,
    "503 then 429 for five cron rounds: waits 2, 4, 8, 16 min, every invoice filed exactly once after two racing runs; a webhook twice at once + a racing poll: each status once; a supplier invoice delivered twice + racing polls: one purchase",
  );
  const fault = inFile("fault-switch.test.ts");
  show(fault);
  fileRecord("fault-switch.test.ts", "Fault switch refused in production", `${fault.length} tests`, fault, "");
}

// ——— 4. the persisted database, read directly ———

function d1(sql) {
  const res = spawnSync(path.join(root, "node_modules/.bin/wrangler"), ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...QUIET_WRANGLER, CI: "true" },
    timeout: 120_000,
  });
  if (res.status !== 0) throw new Error(`wrangler d1 execute failed: ${res.stderr}`);
  return JSON.parse(res.stdout)[0].results;
}

function databaseCheck() {
  const numbered = d1("SELECT account_id AS a, series_id AS s, number AS n FROM documents WHERE number IS NOT NULL");
  const pending = d1("SELECT count(*) AS n FROM documents WHERE status = 'draft' AND issue_requested_at IS NOT NULL")[0].n;
  let gaps = 0;
  let duplicates = 0;
  const series = Map.groupBy(numbered, (r) => `${r.a}/${r.s}`);
  for (const rows of series.values()) {
    const check = gapsAndDuplicates(rows.map((r) => sequenceOf(r.n)));
    gaps += check.gaps.length;
    duplicates += check.duplicates.length;
  }
  record("D1 after the runs (direct read)", `${numbered.length} numbers / ${series.size} series`, gaps + duplicates + pending, `${gaps} gaps, ${duplicates} duplicates, ${pending} pending issues`);
}

function printTable() {
  const w = [Math.max(...table.map((r) => r.name.length), 4), Math.max(...table.map((r) => r.tried.length), 5), 8];
  console.log(`\n${"case".padEnd(w[0])}  ${"tried".padEnd(w[1])}  ${"failures".padStart(w[2])}  notes`);
  console.log(`${"-".repeat(w[0])}  ${"-".repeat(w[1])}  ${"-".repeat(w[2])}  -----`);
  for (const r of table) console.log(`${r.name.padEnd(w[0])}  ${r.tried.padEnd(w[1])}  ${String(r.failures).padStart(w[2])}  ${r.note}`);
  const total = table.reduce((n, r) => n + r.failures, 0);
  console.log(`\n${mode} run on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}: ${total === 0 ? "no failure" : `${total} failure(s)`}`);
  return total;
}

let failures = 1;
try {
  if (onlyFuzz) {
    log(`Reliability harness (${mode}), fuzz families only…`);
    vitestParts();
  } else {
    log(`Reliability harness (${mode}). Building the client and a fresh local database…`);
    // npm test's size stage has just built the client: the smoke run reuses it.
    if (!smoke || !existsSync(path.join(root, "dist/client"))) buildClient();
    tree = snapshotTree(path.join(persistTo, "tree"));
    applyMigrations(persistTo);
    const accounts = await numberingUnderFaults();
    await mixedLoad(accounts);
    stopAll();
    databaseCheck();
    if (!skipVitest) vitestParts();
  }
  failures = printTable();
} catch (err) {
  console.error(err);
  printTable();
  failures = 1;
} finally {
  clearTimeout(overall);
  cleanup();
}
process.exit(failures > 0 ? 1 : 0);
