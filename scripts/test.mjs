// `npm test`: type-check, config drift check, unit + integration tests in workerd, then e2e in
// Chromium. Stops at the first failing stage and ends with one summary line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { QUIET_WRANGLER, assertNode } from "./lib/env.mjs";

assertNode();
const root = path.resolve(import.meta.dirname, "..");
const results = path.join(root, "test-results");
mkdirSync(results, { recursive: true });
const bin = (name) => path.join(root, "node_modules/.bin", name);
// FUZZ_RUNS raises the fuzz tests' runs; vite hands only VITE_* variables to the workers.
const env = { ...process.env, ...QUIET_WRANGLER, ...(process.env.FUZZ_RUNS ? { VITE_FUZZ_RUNS: process.env.FUZZ_RUNS } : {}) };

function stage(title, cmd, args) {
  console.log(`\n━━ ${title}`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  if (res.status !== 0) {
    console.error(`\n✗ ${title} failed (exit ${res.status}).`);
    console.log(`\n0 passed, 1 failed`);
    process.exit(res.status || 1);
  }
}

stage("Type-check (worker, client, e2e)", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
stage("Type-check client", bin("tsc"), ["--noEmit", "-p", "src/client/tsconfig.json"]);
stage("Type-check e2e", bin("tsc"), ["--noEmit", "-p", "test/e2e/tsconfig.json"]);
stage("Env types match wrangler.toml (wrangler types --check)", bin("wrangler"), [
  "types",
  "--env-interface",
  "CloudflareBindings",
  "--strict-vars",
  "false",
  "--check",
  "src/worker/worker-configuration.d.ts",
]);

stage("Size budgets (Worker bundle, island JS per page, CSS)", process.execPath, [path.join(root, "scripts/check-sizes.mjs")]);

const vitestJson = path.join(results, "vitest.json");
rmSync(vitestJson, { force: true });
stage("Unit and integration tests (workerd)", bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`]);

stage("E-invoice rules (validator) on every LEGAL.md scenario", process.execPath, [path.join(root, "scripts/validate-einvoices.mjs")]);

const tap = path.join(results, "e2e.tap");
rmSync(tap, { force: true });
stage("End-to-end tests (Chromium)", process.execPath, [path.join(root, "test/e2e/run.mjs")]);

// The wrangler-driven half of `npm run reliability` at a small N (the workerd half — isolation,
// fuzzing, retention, webhooks — ran above with vitest): issues under injected faults, load, D1 check.
stage("Reliability smoke (numbering under faults, load, D1 check; wrangler dev)", process.execPath, [path.join(root, "scripts/reliability.mjs"), "--smoke"]);

stage("Privacy policy: every promise of PRIVACY.md proven by a passing test", process.execPath, [path.join(root, "scripts/check-privacy-coverage.mjs"), vitestJson, tap]);

const unit = JSON.parse(readFileSync(vitestJson, "utf8"));
let passed = unit.numPassedTests;
let failed = unit.numFailedTests;
let skipped = unit.numPendingTests + unit.numTodoTests;
if (existsSync(tap)) {
  const text = readFileSync(tap, "utf8");
  const count = (k) => Number(text.match(new RegExp(`^# ${k} (\\d+)$`, "m"))?.[1] ?? 0);
  passed += count("pass");
  failed += count("fail");
  skipped += count("skipped");
} else {
  console.log("(e2e did not run: see the message above)");
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
