import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChainEntry, GENESIS_HASH, chainHash, verifyChain } from "./audit-chain";

function build(contents: string[]): ChainEntry[] {
  let prev = GENESIS_HASH;
  return contents.map((contentHash, i) => {
    const seq = i + 1;
    const hash = chainHash(prev, seq, `doc-${seq}`, contentHash);
    const entry = { seq, documentId: `doc-${seq}`, contentHash, prevHash: prev, hash };
    prev = hash;
    return entry;
  });
}

describe("issued-documents chain", () => {
  it("verifies an intact chain", () => {
    fc.assert(fc.property(fc.array(fc.stringMatching(/^[0-9a-f]{64}$/), { maxLength: 30 }), (c) => verifyChain(build(c)).length === 0));
  });

  it("detects a tampered content hash at the entry itself", () => {
    const chain = build(["a", "b", "c", "d"]);
    chain[1] = { ...chain[1]!, contentHash: "forged" };
    expect(verifyChain(chain)).toEqual([{ seq: 2, kind: "hash_mismatch" }]);
  });

  it("detects a removed entry", () => {
    const chain = build(["a", "b", "c"]);
    chain.splice(1, 1);
    expect(verifyChain(chain).map((p) => p.kind)).toEqual(["gap", "prev_mismatch"]);
  });

  it("detects a rewritten tail whose hashes were recomputed from a forged entry", () => {
    const chain = build(["a", "b", "c"]);
    const forged = build(["a", "X", "c"]);
    // An attacker who cannot rewrite entry 1 cannot make entry 2 fit: its prev hash still matches,
    // but every later entry must be recomputed, so any kept original later entry breaks.
    const mixed = [chain[0]!, forged[1]!, chain[2]!];
    expect(verifyChain(mixed)).toEqual([{ seq: 3, kind: "prev_mismatch" }]);
  });
});
