import { afterAll } from "vitest";

/**
 * Bad inputs tried per fuzz family, and failures (issue #14): each fuzz file counts its cases
 * through {@link tried} and prints one "bad inputs tried" line per family when it ends, the lines
 * scripts/reliability.mjs turns into its table rows.
 */
const tally: Record<string, { tried: number; failures: number }> = {};

/** Runs one case of `family`, counting it, and its failure when it throws. */
export async function tried<T>(family: string, run: () => Promise<T>): Promise<T> {
  const t = (tally[family] ??= { tried: 0, failures: 0 });
  t.tried += 1;
  try {
    return await run();
  } catch (err) {
    t.failures += 1;
    throw err;
  }
}

/** Prints the tally when the calling file ends. */
export function printTallyAfterAll(): void {
  afterAll(() => {
    for (const [family, t] of Object.entries(tally)) console.log(`bad inputs tried: ${family}: ${t.tried} cases, ${t.failures} failures`);
  });
}
