// Size budgets: builds the client (vite) and the Worker (`wrangler deploy --dry-run`), then checks
//   - the Worker bundle (its JavaScript), gzipped: ≤ 1 MiB; Data modules and the total reported;
//   - the JavaScript one island costs a page (its entry + every chunk it imports, statically,
//     transitively), gzipped: ≤ 20 KiB;
//   - the stylesheet, gzipped: reported only.
// Prints a table; exits 1 when anything is over budget. `--no-build` reuses dist/ as it is.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { buildClient, root, run } from "./lib/dev-server.mjs";
import { assertNode } from "./lib/env.mjs";

const KiB = 1024;
const WORKER_BUDGET = 1024 * KiB;
const ISLAND_BUDGET = 20 * KiB;

assertNode();
const build = !process.argv.includes("--no-build");
const clientDir = path.join(root, "dist/client");

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const fmt = (n) => (n >= 100 * KiB ? `${(n / KiB / 1024).toFixed(2)} MiB` : `${(n / KiB).toFixed(1)} KiB`);

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

/** Relative modules a built file imports statically: `import "./x.js"`, `from "./x.js"`. */
function staticImports(file) {
  const text = readFileSync(file, "utf8");
  const found = new Set();
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+?\.js)["']/g)) found.add(path.resolve(path.dirname(file), m[1]));
  return [...found];
}

/** An entry and the closure of its static imports. */
function closure(entry) {
  const seen = new Set();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...staticImports(f));
  }
  return [...seen];
}

if (build) buildClient();
const workerDir = mkdtempSync(path.join(tmpdir(), "factumo-worker-"));
const rows = [];
try {
  run("wrangler", ["deploy", "--dry-run", "--outdir", workerDir], { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true", WRANGLER_LOG: "warn" }, stdio: ["ignore", "ignore", "inherit"] });
  const modules = filesUnder(workerDir).filter((f) => !f.endsWith(".map") && !f.endsWith("README.md"));
  const code = modules.filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  if (code.length === 0) throw new Error(`no Worker bundle in ${workerDir}`);
  const sizeOf = (files) => ({ raw: files.reduce((s, f) => s + statSync(f).size, 0), gzip: files.reduce((s, f) => s + gz(readFileSync(f)), 0) });
  // The budget is on the code (what .ci/run calls the Worker bundle); Data modules (the PDF fonts)
  // are listed, and the whole upload is reported against Cloudflare's own limit.
  rows.push({ what: "Worker bundle (JS)", ...sizeOf(code), budget: WORKER_BUDGET });
  for (const f of modules.filter((m) => !code.includes(m))) {
    rows.push({ what: `  data module ${path.basename(f).replace(/^[0-9a-f]{40}-/, "")}`, ...sizeOf([f]), budget: null });
  }
  rows.push({ what: `Worker upload, all ${modules.length} modules`, ...sizeOf(modules), budget: null });
} finally {
  rmSync(workerDir, { recursive: true, force: true });
}

const islandsDir = path.join(clientDir, "islands");
const entries = readdirSync(islandsDir).filter((f) => f.endsWith(".js"));
if (entries.length === 0) throw new Error(`no island entries in ${islandsDir}`);
for (const name of entries.sort()) {
  const files = closure(path.join(islandsDir, name));
  const raw = files.reduce((s, f) => s + statSync(f).size, 0);
  // Each file is its own HTTP response, so each is compressed on its own.
  const gzipped = files.reduce((s, f) => s + gz(readFileSync(f)), 0);
  rows.push({ what: `island ${name.replace(/\.js$/, "")} (${files.length} file${files.length > 1 ? "s" : ""})`, raw, gzip: gzipped, budget: ISLAND_BUDGET });
}
for (const css of filesUnder(clientDir).filter((f) => f.endsWith(".css"))) {
  const bytes = readFileSync(css);
  rows.push({ what: `stylesheet ${path.relative(clientDir, css)}`, raw: bytes.length, gzip: gz(bytes), budget: null });
}

const width = Math.max(...rows.map((r) => r.what.length));
console.log(`\n${"".padEnd(width)}  ${"raw".padStart(10)}  ${"gzip".padStart(10)}  ${"budget".padStart(10)}  ${"used".padStart(6)}`);
let over = 0;
for (const r of rows) {
  const bad = r.budget !== null && r.gzip > r.budget;
  if (bad) over += 1;
  const budget = r.budget === null ? "—" : fmt(r.budget);
  const used = r.budget === null ? "" : `${((100 * r.gzip) / r.budget).toFixed(1)}%`;
  console.log(`${r.what.padEnd(width)}  ${fmt(r.raw).padStart(10)}  ${fmt(r.gzip).padStart(10)}  ${budget.padStart(10)}  ${used.padStart(6)}${bad ? "  ✗ OVER BUDGET" : ""}`);
}
if (over) {
  console.error(`\n✗ ${over} size budget${over > 1 ? "s" : ""} exceeded.`);
  process.exit(1);
}
console.log("\n✓ every size is within budget.");
