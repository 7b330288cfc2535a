import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { advance, alreadySeen, readCursor, updatedAfterOf, writeCursor } from "./poll-cursor.ts";

// A PA's search as PA-API.md §2 says: strict updatedAfter, ascending updatedAt (ties in creation
// order), at most `limit` results, no offset.
function search(flows: Array<{ flowId: string; updatedAt: string }>, after: string | undefined, limit: number) {
  return flows
    .filter((f) => after === undefined || Date.parse(f.updatedAt) > Date.parse(after))
    .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt))
    .slice(0, limit);
}

/** Polls like inbound.ts and purchases/verbs.ts; returns the ids handled, in order. */
function poll(flows: Array<{ flowId: string; updatedAt: string }>, pageSize: number, stored: string | null) {
  let cursor = readCursor(stored);
  const handled: string[] = [];
  for (let page = 0; page < 1000; page++) {
    const got = search(flows, updatedAfterOf(cursor, pageSize), pageSize);
    const start = cursor;
    for (const f of got) {
      if (alreadySeen(start, f)) continue;
      handled.push(f.flowId);
      cursor = advance(cursor, f);
    }
    if (got.length < pageSize) break;
  }
  return { handled, stored: cursor ? writeCursor(cursor) : null };
}

const T0 = Date.parse("2026-12-08T10:00:00.000Z");

describe("the (instant, ids) poll cursor", () => {
  it("a flow tied with the last one of a full page is not skipped (the bare-instant cursor skipped it)", () => {
    const at = (ms: number) => new Date(T0 + ms).toISOString();
    const flows = [
      { flowId: "a", updatedAt: at(0) },
      { flowId: "b", updatedAt: at(5) },
      { flowId: "c", updatedAt: at(5) },
      { flowId: "d", updatedAt: at(9) },
    ];
    expect(poll(flows, 2, null).handled).toEqual(["a", "b", "c", "d"]);
    // The old cursor, a bare instant, still reads (and stays strict on its own instant's flows it saw).
    expect(readCursor("2026-12-08T10:00:00.005Z")).toEqual({ at: "2026-12-08T10:00:00.005Z", ids: [] });
  });

  it("every flow is handled exactly once, whatever the ties, page size and moments of polling (fewer ties than a page)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 8 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 4 }),
        (gaps, pageSize, cuts) => {
          // Consecutive flows `gap` ms apart (0: a tie), at most pageSize - 1 flows on one instant.
          const flows: Array<{ flowId: string; updatedAt: string }> = [];
          let t = T0;
          let run = 0;
          for (const [i, gap] of gaps.entries()) {
            run = gap === 0 && i > 0 ? run + 1 : 1;
            t += gap === 0 && run < pageSize ? 0 : Math.max(gap, 1);
            if (gap === 0 && run >= pageSize) run = 1;
            flows.push({ flowId: `f${i}`, updatedAt: new Date(t).toISOString() });
          }
          // Polls at a few moments while flows keep arriving, then once at the end.
          let stored: string | null = null;
          const handled: string[] = [];
          for (const n of [...cuts.map((c) => Math.min(c, flows.length)).sort((a, b) => a - b), flows.length]) {
            const r = poll(flows.slice(0, n), pageSize, stored);
            handled.push(...r.handled);
            stored = r.stored;
          }
          expect(handled).toEqual(flows.map((f) => f.flowId));
        },
      ),
      { numRuns: 300 },
    );
  });
});
