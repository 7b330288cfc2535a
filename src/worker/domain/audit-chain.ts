import { createHash } from "node:crypto";

/** The hash every chain starts from. */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainEntry {
  seq: number;
  documentId: string;
  contentHash: string;
  prevHash: string;
  hash: string;
}

/**
 * The hash of one entry of the issued-documents log: it covers the previous entry's hash, so changing
 * or removing any entry breaks every later one. Synchronous (node:crypto) so the numbering object can
 * append without yielding between reading the head and writing the next entry.
 */
export function chainHash(prevHash: string, seq: number, documentId: string, contentHash: string): string {
  return createHash("sha256").update(`${prevHash}|${seq}|${documentId}|${contentHash}`).digest("hex");
}

/**
 * The content hash of an issued document: what the chain vouches for. It covers the number, type,
 * dates and totals, and the SHA-256 of the exact PDF and XML bytes stored.
 */
export function documentContentHash(d: {
  type: string;
  number: string;
  issueDate: string;
  taxInclusiveCents: number;
  dueCents: number;
  pdfSha256: string;
  xmlSha256: string | null;
}): string {
  const canonical = [d.type, d.number, d.issueDate, d.taxInclusiveCents, d.dueCents, d.pdfSha256, d.xmlSha256 ?? "-"].join("|");
  return createHash("sha256").update(canonical).digest("hex");
}

export type ChainProblem =
  | { seq: number; kind: "gap" }
  | { seq: number; kind: "prev_mismatch" }
  | { seq: number; kind: "hash_mismatch" };

/** Verifies a chain read in seq order; returns every problem found (empty = intact). */
export function verifyChain(entries: readonly ChainEntry[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) problems.push({ seq: e.seq, kind: "gap" });
    if (e.prevHash !== prev) problems.push({ seq: e.seq, kind: "prev_mismatch" });
    if (chainHash(e.prevHash, e.seq, e.documentId, e.contentHash) !== e.hash) problems.push({ seq: e.seq, kind: "hash_mismatch" });
    prev = e.hash;
    expectedSeq = e.seq + 1;
  }
  return problems;
}
