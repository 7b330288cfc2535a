// A stage of `npm test`: every row of ../shared/PRIVACY.md (the privacy policy's promises) must be
// proven by the tests test/privacy-proofs.mjs names for it, by exact id, and each of them must have
// PASSED in this run (the vitest JSON report and the e2e TAP written by scripts/test.mjs). A name
// that matches no test, a skipped or todo test, or an `it.fails` test (which "passes" by failing)
// fails the stage; a row may be PENDING only with its reason printed (scripts/lib/privacy-coverage.mjs).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PROOFS } from "../test/privacy-proofs.mjs";
import { evaluateCoverage, privacyRows, tapResults, vitestResults } from "./lib/privacy-coverage.mjs";

const root = path.resolve(import.meta.dirname, "..");
const spec = path.resolve(root, "../shared/PRIVACY.md");
const [vitestJson, tap] = process.argv.slice(2);

if (!existsSync(spec)) {
  const msg = `../shared/PRIVACY.md is absent: the privacy coverage check is SKIPPED`;
  if (process.env.CI) {
    console.error(`${msg}, which CI does not allow.`);
    process.exit(1);
  }
  console.log(`⚠ ${msg}.`);
  process.exit(0);
}

const ran = { vitest: !!vitestJson && existsSync(vitestJson), e2e: !!tap && existsSync(tap) };
const results = new Map([
  ...(ran.vitest ? vitestResults(JSON.parse(readFileSync(vitestJson, "utf8")), (f) => path.relative(root, f)) : []),
  ...(ran.e2e ? tapResults(readFileSync(tap, "utf8")) : []),
]);
const source = (file) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), "utf8") : "");
const report = evaluateCoverage({ rows: privacyRows(readFileSync(spec, "utf8")), proofs: PROOFS, results, source, ran });

console.log(report.lines.join("\n"));
console.log(`\n${report.proven}/${report.total} privacy policy rows proven by passing tests, ${report.pending} pending (named above).`);
if (report.notRun > 0) {
  console.log(`(${report.notRun} named tests belong to a stage that did not run here: ${[!ran.vitest && "vitest", !ran.e2e && "e2e"].filter(Boolean).join(", ")})`);
  if (process.env.CI) process.exit(1);
}
process.exit(report.missing > 0 ? 1 : 0);
