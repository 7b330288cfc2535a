import type { ProofEntry } from "../scripts/lib/privacy-coverage.mjs";
export declare const PROOFS: ProofEntry[];
