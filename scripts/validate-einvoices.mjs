// Runs every fixture scenario (test/fixtures/documents.ts) through toCii and toUbl, and every CDAR
// status scenario (test/fixtures/cdar.ts) through buildCdar, and checks the XML with the receiving
// platform's validator (../shared/einvoice/validate.mjs: XSD, Factur-X and
// CEN EN 16931 schematrons, French BR-FR rules). Exits 1 on any error or warning: a warning
// today (e.g. PEPPOL-EN16931-R008, an empty element) is what a receiving platform may refuse tomorrow.
//
//   node scripts/validate-einvoices.mjs [--keep]      (--keep: leave the XML in test-results/einvoices)
//
// The vitest tests run inside workerd, which cannot spawn a process, hence this Node-side script.
// The TypeScript modules are bundled with esbuild (a wrangler dependency) rather than imported
// through Node's type stripping, which would need explicit ".ts" extensions on every import.
// Without the validator folder it prints a loud SKIPPED line and exits 0 (1 when CI=true).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
const validator = path.resolve(root, "../shared/einvoice/validate.mjs");
const keep = process.argv.includes("--keep");

if (!existsSync(validator)) {
  console.log("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
  console.log(`!! SKIPPED: validator not found at ${validator}`);
  console.log("!! The e-invoice XML was NOT checked against EN 16931 / BR-FR rules.");
  console.log("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
  // CI always has ../shared/einvoice: there a missing validator is a broken setup, not a skip.
  process.exit(process.env.CI === "true" ? 1 : 0);
}

const out = path.join(root, "test-results", "einvoices");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Bundle the fixtures and both writers into one ES module, then import it.
const { build } = await import("esbuild");
const bundle = path.join(out, "einvoice-bundle.mjs");
await build({
  stdin: {
    contents: [
      'export { SCENARIOS } from "./test/fixtures/documents.ts";',
      'export { toCii } from "./src/worker/domain/einvoice/cii.ts";',
      'export { toUbl } from "./src/worker/domain/einvoice/ubl.ts";',
      'export { CDAR_SCENARIOS, cdarInputArb } from "./test/fixtures/cdar.ts";',
      'export { default as fc } from "fast-check";',
      'export { EREPORTING_SCENARIOS } from "./test/fixtures/ereporting.ts";',
      'export { buildCdar } from "./src/worker/domain/einvoice/cdar.ts";',
      'export { collectionStatusInput } from "./src/worker/domain/einvoice/transmission.ts";',
    ].join("\n"),
    resolveDir: root,
    sourcefile: "validate-entry.ts",
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  outfile: bundle,
  logLevel: "error",
});
const { SCENARIOS, toCii, toUbl, CDAR_SCENARIOS, cdarInputArb, fc, buildCdar, EREPORTING_SCENARIOS, collectionStatusInput } = await import(pathToFileURL(bundle).href);

const files = [];
for (const [name, make] of Object.entries(SCENARIOS)) {
  const doc = make();
  for (const [syntax, write] of [
    ["cii", toCii],
    ["ubl", toUbl],
  ]) {
    const file = path.join(out, `${name}.${syntax}.xml`);
    writeFileSync(file, write(doc));
    files.push(file);
  }
}
// Every lifecycle status Factumo can build (CDAR D22B, BR-FR-CDV): one file per scenario.
for (const [name, make] of Object.entries(CDAR_SCENARIOS)) {
  const file = path.join(out, `cdar-${name}.xml`);
  writeFileSync(file, buildCdar(make()));
  files.push(file);
}
// Every e-reporting file (Flux 10.3 / 10.4, DGFiP XSD v3.2 + rules): one per scenario.
for (const [name, make] of Object.entries(EREPORTING_SCENARIOS)) {
  const file = path.join(out, `ereporting-${name}.xml`);
  writeFileSync(file, make());
  files.push(file);
}
// The 212 Encaissée sent after a payment (features/einvoicing/collected.ts), for every scenario that owes one.
for (const [name, make] of Object.entries(SCENARIOS)) {
  // As if the seller had not opted for VAT on debits, so that services owe a 212 on collection.
  const doc = { ...make(), seller: { ...make().seller, vatOnDebits: false } };
  const input = collectionStatusInput(doc, { amountCents: Math.max(1, Math.floor(doc.totals.taxInclusiveCents / 3)), receivedOn: "2026-12-01" }, Date.UTC(2026, 11, 1, 9));
  if (!input) continue;
  const file = path.join(out, `cdar-212-${name}.xml`);
  writeFileSync(file, buildCdar(input));
  files.push(file);
}
// What the stand-in PA emits (test/stand-ins/pa-xml.mjs): platform statuses and a simulated buyer's.
{
  const standin = await import(pathToFileURL(path.join(root, "test/stand-ins/pa-xml.mjs")).href);
  const invoice = { number: "F-2026-0042", issueDate: "2026-12-01", sellerSiren: "732829320", sellerName: "Vendeur & Fils", buyerSiren: "552081317", buyerName: "Acheteur SA" };
  const cases = [
    ...[200, 201, 202, 203].map((code) => ({ code, issuer: "platform" })),
    { code: 200, issuer: "platform", reasonCode: "NON_TRANSMISE" },
    { code: 213, issuer: "platform", reasonCode: "DOUBLON" },
    { code: 213, issuer: "platform", reasonCode: "DEST_INC" },
    { code: 204, issuer: "buyer" },
    { code: 205, issuer: "buyer" },
    { code: 207, issuer: "buyer", reasonCode: "AUTRE" },
    { code: 210, issuer: "buyer", reasonCode: "TX_TVA_ERR" },
    { code: 211, issuer: "buyer", amounts: [{ amount: "120.00", percent: null }] },
  ];
  cases.forEach((c, i) => {
    const file = path.join(out, `standin-${String(i).padStart(2, "0")}-${c.code}.xml`);
    writeFileSync(file, standin.buildCdar({ ...c, invoice, recipient: "seller", reason: c.reasonCode ? `Motif ${c.reasonCode}` : null }));
    files.push(file);
  });
}
// …and 40 random ones from the property tests' generator (fixed seed: a failure reproduces).
fc.sample(cdarInputArb, { numRuns: 40, seed: 20261207 }).forEach((input, i) => {
  const file = path.join(out, `cdar-random-${String(i).padStart(2, "0")}-${input.code}.xml`);
  writeFileSync(file, buildCdar(input));
  files.push(file);
});

// The first run installs the validator's dependencies and compiles the rules (a few minutes).
const run = spawnSync(process.execPath, [validator, "--json", ...files], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
if (run.status !== 0 && run.status !== 1) {
  console.error(run.stderr || run.stdout);
  console.error(`validator crashed (exit ${run.status})`);
  process.exit(2);
}
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(run.stdout, run.stderr);
  console.error("validator output is not JSON");
  process.exit(2);
}

// The only warnings accepted, each for a reason; any other warning fails like an error.
const ACCEPTED_WARNINGS = [
  // An e-reporting file whose sender is the declarant itself (no PA registration number known yet,
  // fixture `declarantSender`): the PPF expects a PA as sender of what the PA forwards to it.
  { set: "dgfip f10", rules: ["G6.22", "G7.51"], file: /^ereporting-declarantSender\./ },
];
const accepted = (file, p) => p.flag === "warning" && ACCEPTED_WARNINGS.some((a) => a.set === p.set && a.rules.includes(p.rule) && a.file.test(path.basename(file)));

let errors = 0;
let warnings = 0;
for (const entry of report) {
  errors += entry.errors;
  const warned = entry.problems.filter((p) => p.flag === "warning" && !accepted(entry.file, p)).length;
  warnings += warned;
  const label = path.basename(entry.file);
  const verdict = entry.errors ? "INVALID" : warned ? "WARNED " : "valid  ";
  console.log(`${verdict} ${label.padEnd(32)} [${entry.profile}] ${entry.errors} error(s), ${entry.warnings} warning(s)`);
  for (const p of entry.problems) {
    const flag = accepted(entry.file, p) ? "accepted" : p.flag;
    console.log(`    ${flag.padEnd(8)} ${(p.set || "").padEnd(14)} ${p.rule.padEnd(22)} ${p.text}${p.location ? `  @ ${p.location}` : ""}`);
  }
}
const failed = errors + warnings > 0;
if (!keep && !failed) rmSync(out, { recursive: true, force: true });
else if (failed) console.log(`\nXML kept in ${path.relative(root, out)}`);
console.log(`\n${report.length} e-invoice, status and e-reporting files checked, ${errors} error(s), ${warnings} warning(s) not accepted`);
process.exit(failed ? 1 : 0);
