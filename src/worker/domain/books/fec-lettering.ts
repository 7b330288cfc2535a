/**
 * Lettering (lettrage) of the FEC's client-account lines: the invoice's 411 debit and the 411
 * lines that settle it (receipts and their corrections, credit notes against it) get one code in
 * EcritureLet and the settlement date in DateLet (LPF art. A47 A-1: both left empty when a line is
 * not lettered, DateLet written YYYYMMDD).
 *
 * Decisions:
 * - A group is lettered only when it balances to the cent: a partly paid or overpaid invoice stays
 *   unlettered. The format defines no partial-lettering convention, so none is invented.
 * - Codes run over the whole file (AA…ZZ, then AAA…), in the order of each group's first line, so
 *   they stay unique even for a reader that merges the auxiliary accounts into 411000, and the
 *   same lines always give the same codes.
 * - DateLet is the latest EcritureDate of the group (the day the account was settled); a group
 *   settled after the file's closing date is not lettered in that file.
 *
 * Pure: no I/O, no clock.
 */

/** A line that may be lettered. */
export interface LetterableLine {
  /** The account the line is booked to (account and auxiliary account): groups never cross it. */
  account: string;
  /** What the line settles (the invoice number); lines with the same account and key form a group. */
  matchKey: string;
  /** EcritureDate, YYYY-MM-DD. */
  date: string;
  /** Positive: debit; negative: credit. Integer cents. */
  signedCents: number;
}

export interface Lettering {
  /** EcritureLet. */
  code: string;
  /** DateLet, YYYY-MM-DD: the latest date of the group. */
  date: string;
}

const LETTERS = 26;
const A = "A".charCodeAt(0);

/**
 * The n-th lettering code (0 → "AA", 675 → "ZZ", 676 → "AAA"…): two letters first, then one
 * letter more each time the shorter codes are used up.
 * @throws RangeError when n is not a non-negative safe integer.
 */
export function letteringCode(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`lettering index must be a non-negative integer, got ${n}`);
  let length = 2;
  let span = LETTERS ** 2;
  let rest = n;
  while (rest >= span) {
    rest -= span;
    length += 1;
    span *= LETTERS;
  }
  let code = "";
  for (let i = 0; i < length; i++) {
    code = String.fromCharCode(A + (rest % LETTERS)) + code;
    rest = Math.floor(rest / LETTERS);
  }
  return code;
}

/**
 * The lettering of `lines`, by index: each balanced group (same account and match key, sum zero,
 * settled on or before `closingDate`) gets the next code and its latest date. Lines with an empty
 * account or key, or a zero amount, are never lettered.
 */
export function letterLines(lines: readonly LetterableLine[], closingDate: string): Map<number, Lettering> {
  const groups = new Map<string, number[]>();
  lines.forEach((l, i) => {
    if (l.account === "" || l.matchKey === "" || l.signedCents === 0) return;
    // JSON of the pair: no separator can make two different pairs collide.
    const key = JSON.stringify([l.account, l.matchKey]);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const out = new Map<number, Lettering>();
  let next = 0;
  // Map iteration follows first insertion, i.e. the order of each group's first line.
  for (const members of groups.values()) {
    let sum = 0n;
    let last = "";
    for (const i of members) {
      const l = lines[i] as LetterableLine;
      sum += BigInt(l.signedCents);
      if (l.date > last) last = l.date;
    }
    if (sum !== 0n || last > closingDate) continue;
    const code = letteringCode(next++);
    for (const i of members) out.set(i, { code, date: last });
  }
  return out;
}
