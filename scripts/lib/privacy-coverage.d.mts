// Types of privacy-coverage.mjs for the TypeScript tests.
export type PrivacyRow = { section: string; promise: string; proof: string };
export type ProofEntry = { section: string; promise: RegExp; tests: Array<[string, string]>; each?: Array<[string, string, number]>; pending?: string };
export declare function privacyRows(markdown: string): PrivacyRow[];
export declare function vitestResults(report: unknown, relative: (file: string) => string): Map<string, string>;
export declare function tapResults(tap: string): Map<string, string>;
export declare function declaredAsNonProof(source: string, title: string): boolean;
export declare function evaluateCoverage(input: {
  rows: PrivacyRow[];
  proofs: ProofEntry[];
  results: Map<string, string>;
  source: (file: string) => string;
  ran: { vitest: boolean; e2e: boolean };
}): { lines: string[]; missing: number; pending: number; notRun: number; proven: number; total: number };
