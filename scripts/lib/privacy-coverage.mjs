// The privacy coverage rule, pure (no file access) so that it is unit-tested
// (test/unit/privacy-coverage.test.ts); scripts/check-privacy-coverage.mjs feeds it the run's results.

/** PRIVACY.md's table rows that promise something testable (the proof column is not "—"). */
export function privacyRows(markdown) {
  return markdown
    .split("\n")
    .filter((l) => /^\| [\d.]+ \|/.test(l))
    .map((l) => l.split("|").map((c) => c.trim()))
    .map((c) => ({ section: c[1], promise: c[2], proof: c[4] }))
    .filter((r) => r.proof !== "—");
}

/** vitest's JSON report → Map id ("file > describe > … > title", file relative to root) → status. */
export function vitestResults(report, relative) {
  const results = new Map();
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) results.set(`${relative(file.name)} > ${[...(t.ancestorTitles ?? []), t.title].join(" > ")}`, t.status);
  }
  return results;
}

/** node --test's TAP → Map "e2e > title" → status; `# SKIP` and `# TODO` are not passes. */
export function tapResults(tap) {
  const results = new Map();
  for (const m of tap.matchAll(/^(ok|not ok) \d+ - (.+?)(?: # (SKIP|TODO)\b.*)?$/gm)) {
    results.set(`e2e > ${m[2]}`, m[3] ? m[3].toLowerCase() : m[1] === "ok" ? "passed" : "failed");
  }
  return results;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** True when the source declares the test with `.fails`, `.skip` or `.todo`: never a proof. */
export function declaredAsNonProof(source, title) {
  return new RegExp(`\\b(?:it|test)\\.(?:fails|skip|todo)\\(\\s*["'\`]${escape(title)}["'\`]`).test(source);
}

/**
 * Checks every row against its entry of the registry. `results` holds the statuses of the run,
 * `source(file)` the text of a test file, `ran` which stages ran. Returns printable lines and counts.
 */
export function evaluateCoverage({ rows, proofs, results, source, ran }) {
  const lines = [];
  let missing = 0;
  let pending = 0;
  let notRun = 0;
  const used = new Set();
  const statusOf = (file, name) => {
    const e2e = file.startsWith("test/e2e/");
    if (!(e2e ? ran.e2e : ran.vitest)) return "not run";
    const status = results.get(e2e ? `e2e > ${name}` : `${file} > ${name}`) ?? "unknown test";
    if (status === "passed" && declaredAsNonProof(source(file), name.split(" > ").at(-1))) return "declared with .fails/.skip/.todo";
    return status;
  };
  for (const r of rows) {
    const entries = proofs.filter((p) => p.section === r.section && p.promise.test(r.promise));
    const label = `§${r.section} ${r.promise.slice(0, 70)}`;
    if (entries.length !== 1) {
      missing += 1;
      lines.push(`✗ ${label}: ${entries.length === 0 ? "no entry in test/privacy-proofs.mjs" : "several entries match this row"}`);
      continue;
    }
    const [entry] = entries;
    used.add(entry);
    const problems = [];
    const proven = [];
    for (const [file, name] of entry.tests) {
      const status = statusOf(file, name);
      if (status === "not run") notRun += 1;
      else if (status !== "passed") problems.push(`${status}: ${file} > ${name}`);
      else proven.push(`${file} > ${name}`);
    }
    for (const [file, prefix, min] of entry.each ?? []) {
      if (!ran.vitest) {
        notRun += 1;
        continue;
      }
      const family = [...results].filter(([id]) => id.startsWith(`${file} > ${prefix}`));
      const bad = family.filter(([, s]) => s !== "passed");
      if (family.length < min) problems.push(`only ${family.length} tests (at least ${min} expected) under ${file} > ${prefix}`);
      for (const [id, s] of bad) problems.push(`${s}: ${id}`);
      if (family.length >= min && bad.length === 0) proven.push(`${family.length} tests under ${file} > ${prefix}…`);
    }
    if (entry.tests.length === 0 && !entry.each && !entry.pending) problems.push("no test named");
    if (problems.length > 0) {
      missing += 1;
      lines.push(`✗ ${label}`, ...problems.map((p) => `    ${p.slice(0, 220)}`));
    } else if (entry.pending) {
      pending += 1;
      lines.push(`… ${label}: PENDING, ${entry.pending}`, ...proven.map((p) => `    proven so far: ${p.slice(0, 200)}`));
    } else {
      lines.push(`✓ ${label}`, ...proven.map((p) => `    ${p.slice(0, 200)}`));
    }
  }
  for (const entry of proofs.filter((p) => !used.has(p))) {
    missing += 1;
    lines.push(`✗ test/privacy-proofs.mjs names a row PRIVACY.md does not have: §${entry.section} ${entry.promise}`);
  }
  return { lines, missing, pending, notRun, proven: rows.length - missing - pending, total: rows.length };
}
