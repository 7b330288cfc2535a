/**
 * Integer-cent arithmetic. Amounts cross module boundaries as safe-integer `number` cents;
 * products (quantity × price, base × rate) are computed in `bigint` so they cannot lose precision.
 * These helpers throw RangeError on misuse (a programming error, not a user error): callers
 * validate user input first.
 */

/**
 * numerator / denominator rounded to the nearest integer, halves away from zero, so that
 * rounding is symmetric: roundHalfUpDiv(-5n, 2n) === -roundHalfUpDiv(5n, 2n) === -3n.
 * @throws RangeError when the denominator is zero.
 */
export function roundHalfUpDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = n / d;
  const rounded = (n % d) * 2n >= d ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

/**
 * Returns `value` when it is a safe integer (a valid amount in cents).
 * @throws RangeError otherwise.
 */
export function assertCents(value: number, label = "amount"): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${label} must be integer cents, got ${value}`);
  return value;
}

/**
 * A bigint amount as safe-integer cents.
 * @throws RangeError when it does not fit a safe integer.
 */
export function toCents(value: bigint, label = "amount"): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${label} is beyond the safe integer range: ${value}`);
  }
  return Number(value);
}

/**
 * Exact sum of amounts in cents.
 * @throws RangeError when an amount or the sum is not a safe integer.
 */
export function sumCents(values: readonly number[]): number {
  let sum = 0n;
  for (const value of values) sum += BigInt(assertCents(value));
  return toCents(sum, "sum");
}

/**
 * Splits `total` into parts proportional to `weights` that add up to `total` exactly
 * (largest-remainder method): each part is the exact share rounded down (toward zero for a
 * negative total), and the cents left over go one each to the largest remainders, earlier parts
 * first on ties. A zero weight always gets 0. A negative total is split like its opposite.
 * @throws RangeError when a weight is negative, every weight is zero, or a number is not a safe integer.
 */
export function allocateProportionally(total: number, weights: readonly number[]): number[];
export function allocateProportionally(total: bigint, weights: readonly bigint[]): bigint[];
export function allocateProportionally(
  total: number | bigint,
  weights: readonly (number | bigint)[],
): (number | bigint)[] {
  const asBigInt = (value: number | bigint) => (typeof value === "bigint" ? value : BigInt(assertCents(value)));
  const parts = allocate(asBigInt(total), weights.map(asBigInt));
  return typeof total === "bigint" ? parts : parts.map((part) => toCents(part, "part"));
}

function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.some((weight) => weight < 0n)) throw new RangeError("weights must not be negative");
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0n);
  if (weightSum === 0n) throw new RangeError("at least one weight must be positive");
  if (total < 0n) return allocate(-total, weights).map((part) => -part);

  const floors = weights.map((weight) => (total * weight) / weightSum);
  const remainders = weights.map((weight) => (total * weight) % weightSum);
  let leftover = total - floors.reduce((sum, part) => sum + part, 0n);
  // Σ remainders = leftover × weightSum and each remainder < weightSum, so the `leftover`
  // largest remainders are all positive: zero weights never receive a cent.
  const byRemainder = weights
    .map((_, index) => index)
    .sort((a, b) => {
      const ra = remainders[a] ?? 0n;
      const rb = remainders[b] ?? 0n;
      return ra === rb ? a - b : rb > ra ? 1 : -1;
    });
  for (const index of byRemainder) {
    if (leftover === 0n) break;
    floors[index] = (floors[index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return floors;
}
