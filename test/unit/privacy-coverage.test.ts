import { describe, expect, it } from "vitest";
import { evaluateCoverage, privacyRows, tapResults, type ProofEntry } from "../../scripts/lib/privacy-coverage.mjs";
import { PROOFS } from "../privacy-proofs.mjs";

// Issue #16: the privacy coverage stage must not be fooled. A row is proven only by the tests the
// registry names, by exact id, that passed in the run; skipped, todo and `.fails` tests never count.

const SPEC = `
| § | promise | how | proof |
|---|---|---|---|
| 9.4 | restriction | freeze | test |
| 10 | cookies: strictly necessary only | banner | test |
| 6 | active account: kept during the contract | — | — |
`;
const FILE = "test/integration/x.test.ts";
const registry = (tests: Array<[string, string]>, extra: Partial<ProofEntry> = {}): ProofEntry[] => [
  { section: "9.4", promise: /^restriction/, tests, ...extra },
  { section: "10", promise: /^cookies/, tests: [[FILE, "cookies > sets none"]] },
];
const run = (proofs: ProofEntry[], results: Array<[string, string]>, source = "") =>
  evaluateCoverage({ rows: privacyRows(SPEC), proofs, results: new Map(results), source: () => source, ran: { vitest: true, e2e: true } });
const cookiesPass: [string, string] = [`${FILE} > cookies > sets none`, "passed"];

describe("the privacy coverage check", () => {
  it("proves a row by the passing test its registry entry names, and skips rows without a promise to test", () => {
    const report = run(registry([[FILE, "freeze > refuses sending"]]), [[`${FILE} > freeze > refuses sending`, "passed"], cookiesPass]);
    expect(report).toMatchObject({ missing: 0, proven: 2, total: 2 });
  });

  it("refuses a skipped, todo or failed test, and a name that matches no test", () => {
    for (const status of ["skipped", "todo", "failed", "pending"]) {
      expect(run(registry([[FILE, "freeze > refuses sending"]]), [[`${FILE} > freeze > refuses sending`, status], cookiesPass]).missing).toBe(1);
    }
    const unknown = run(registry([[FILE, "freeze > a test nobody wrote"]]), [[`${FILE} > freeze > refuses sending`, "passed"], cookiesPass]);
    expect(unknown.missing).toBe(1);
    expect(unknown.lines.join("\n")).toContain("unknown test");
  });

  it("refuses an it.fails test even though vitest reports it passed", () => {
    const source = `it.fails("refuses sending", async () => { expect(1).toBe(2); });`;
    const report = run(registry([[FILE, "freeze > refuses sending"]]), [[`${FILE} > freeze > refuses sending`, "passed"], cookiesPass], source);
    expect(report.missing).toBe(1);
  });

  it("does not let a test of another section stand in: matching is by id, not by words in the name", () => {
    // A test whose name mentions "§9.4" but is not the one named proves nothing.
    const report = run(registry([[FILE, "freeze > refuses sending"]]), [[`${FILE} > §9.4 restriction mentioned in passing`, "passed"], cookiesPass]);
    expect(report.missing).toBe(1);
  });

  it("reads # SKIP and # TODO in the e2e TAP as not passed", () => {
    const tap = "ok 1 - §9.1 right of access\nok 2 - §9.2 rectification # SKIP no browser\nnot ok 3 - §6 export\nok 4 - later # TODO\n";
    expect([...tapResults(tap)]).toEqual([
      ["e2e > §9.1 right of access", "passed"],
      ["e2e > §9.2 rectification", "skip"],
      ["e2e > §6 export", "failed"],
      ["e2e > later", "todo"],
    ]);
  });

  it("keeps a pending row visible with its reason, and fails on a row without an entry or an entry without a row", () => {
    const pending = run(registry([], { pending: "not built yet" }), [cookiesPass]);
    expect(pending).toMatchObject({ missing: 0, pending: 1 });
    expect(pending.lines.join("\n")).toContain("PENDING, not built yet");
    expect(run(registry([[FILE, "freeze > refuses sending"]]).slice(1), [cookiesPass]).missing).toBe(1);
    expect(run([...registry([[FILE, "freeze > refuses sending"]]), { section: "12", promise: /^nothing/, tests: [] }], [[`${FILE} > freeze > refuses sending`, "passed"], cookiesPass]).missing).toBe(1);
  });

  it("requires every test of a generated family, and at least as many as promised", () => {
    const entry = registry([], { each: [[FILE, "routes > GET ", 2]] });
    expect(run(entry, [[`${FILE} > routes > GET /a`, "passed"], [`${FILE} > routes > GET /b`, "passed"], cookiesPass]).missing).toBe(0);
    expect(run(entry, [[`${FILE} > routes > GET /a`, "passed"], [`${FILE} > routes > GET /b`, "skipped"], cookiesPass]).missing).toBe(1);
    expect(run(entry, [[`${FILE} > routes > GET /a`, "passed"], cookiesPass]).missing).toBe(1);
  });

  it("has exactly one registry entry per row of the real policy table, each naming a test or a pending reason", () => {
    for (const entry of PROOFS) expect(entry.tests.length > 0 || !!entry.each || !!entry.pending).toBe(true);
    const keys = PROOFS.map((p) => `${p.section} ${p.promise.source}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
