import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AllowanceChargeInput,
  type DocumentTotals,
  type LineInput,
  type LineVatInput,
  type TotalsErrorCode,
  type TotalsInput,
  MAX_AMOUNT_CENTS,
  computeTotals,
  unitPriceE4Of,
  unitPriceFields,
} from "./totals.ts";

const DATE = "2026-11-26";
const FRANCHISE = "TVA non applicable, art. 293 B du CGI";

const line = (quantity: string, unitPriceCents: number, vat: LineVatInput, discount?: LineInput["discount"]): LineInput => ({
  quantity,
  unitPriceCents,
  vat,
  ...(discount ? { discount } : {}),
});
const standard = (rateBasisPoints: number): LineVatInput => ({ category: "S", rateBasisPoints });
const franchise: LineVatInput = { category: "E", rateBasisPoints: 0, exemptionCode: "VATEX-FR-FRANCHISE" };

function totalsOf(input: Partial<TotalsInput> & Pick<TotalsInput, "lines">): DocumentTotals {
  const result = computeTotals({ vatDate: DATE, ...input });
  if (!result.ok) throw new Error(`expected totals, got ${JSON.stringify(result.errors)}`);
  return result.totals;
}

function errorCodesOf(input: Partial<TotalsInput> & Pick<TotalsInput, "lines">): TotalsErrorCode[] {
  const result = computeTotals({ vatDate: DATE, ...input });
  if (result.ok) throw new Error("expected errors, got totals");
  return result.errors.map((error) => error.code);
}

describe("computeTotals: worked examples", () => {
  it("charges 5.5 % on 3 × 19.99 € and rounds 3.29835 € up to 3.30 €", () => {
    const totals = totalsOf({ lines: [line("3", 1999, standard(550))] });
    // 3 × 19.99 = 59.97; 59.97 × 5.5 % = 3.29835 → 3.30.
    expect(totals.lines[0]?.netCents).toBe(5997);
    expect(totals.vatBreakdown).toEqual([
      { category: "S", rateBasisPoints: 550, lineNetCents: 5997, allowanceCents: 0, chargeCents: 0, taxableCents: 5997, vatCents: 330 },
    ]);
    expect(totals.taxInclusiveCents).toBe(6327);
    expect(totals.dueCents).toBe(6327);
  });

  it("computes 2.1 % VAT once on the sum of the lines, not line by line", () => {
    // Per line: 25.00 × 2.1 % = 0.525 → 0.53 and 2.5 × 12.34 = 30.85, × 2.1 % = 0.64785 → 0.65,
    // which would give 1.18. Per rate: 55.85 × 2.1 % = 1.17285 → 1.17.
    const totals = totalsOf({ lines: [line("1", 2500, standard(210)), line("2.5", 1234, standard(210))] });
    expect(totals.lines.map((l) => l.netCents)).toEqual([2500, 3085]);
    expect(totals.vatBreakdown).toHaveLength(1);
    expect(totals.vatBreakdown[0]?.taxableCents).toBe(5585);
    expect(totals.vatTotalCents).toBe(117);
    expect(totals.taxInclusiveCents).toBe(5702);
  });

  it("rounds half a cent of VAT away from zero", () => {
    // 25.00 × 2.1 % = 0.525 → 0.53.
    expect(totalsOf({ lines: [line("1", 2500, standard(210))] }).vatTotalCents).toBe(53);
  });

  it("bills a micro-entrepreneur under the franchise with no VAT and the 293 B wording", () => {
    const totals = totalsOf({ lines: [line("7.5", 6000, franchise), line("1", 12000, franchise)] });
    // 7.5 h × 60.00 = 450.00, + 120.00 = 570.00, no VAT.
    expect(totals.vatBreakdown).toEqual([
      {
        category: "E",
        rateBasisPoints: 0,
        exemptionCode: "VATEX-FR-FRANCHISE",
        exemptionReason: FRANCHISE,
        lineNetCents: 57000,
        allowanceCents: 0,
        chargeCents: 0,
        taxableCents: 57000,
        vatCents: 0,
      },
    ]);
    expect(totals.lines[0]?.vat.exemptionReason).toBe(FRANCHISE);
    expect(totals.vatTotalCents).toBe(0);
    expect(totals.taxInclusiveCents).toBe(57000);
    expect(totals.dueCents).toBe(57000);
  });

  it("splits a 10 % document discount over three VAT rates and taxes each rate once", () => {
    const totals = totalsOf({
      lines: [
        line("1.5", 33333, standard(2000)), // 1.5 × 333.33 = 499.995 → 500.00
        line("3", 1250, standard(550), { kind: "percent", basisPoints: 1000 }), // 37.50 − 3.75 = 33.75
        line("2", 4999, standard(2000), { kind: "amount", cents: 500 }), // 99.98 − 5.00 = 94.98
        line("0.333", 1000, standard(1000)), // 0.333 × 10.00 = 3.33
      ],
      allowances: [{ kind: "percent", basisPoints: 1000, reason: "Remise commerciale", reasonCode: "95" }],
    });
    expect(totals.lines.map((l) => [l.grossCents, l.discountCents, l.netCents])).toEqual([
      [50000, 0, 50000],
      [3750, 375, 3375],
      [9998, 500, 9498],
      [333, 0, 333],
    ]);
    // 20 %: 594.98 − 59.498 → 59.50 = 535.48, VAT 107.096 → 107.10
    // 5.5 %: 33.75 − 3.375 → 3.38 = 30.37, VAT 1.67035 → 1.67
    // 10 %: 3.33 − 0.333 → 0.33 = 3.00, VAT 0.30
    expect(totals.vatBreakdown.map((g) => [g.rateBasisPoints, g.lineNetCents, g.allowanceCents, g.taxableCents, g.vatCents])).toEqual([
      [2000, 59498, 5950, 53548, 10710],
      [550, 3375, 338, 3037, 167],
      [1000, 333, 33, 300, 30],
    ]);
    expect(totals.allowances).toEqual([
      { sourceIndex: 0, reason: "Remise commerciale", reasonCode: "95", amountCents: 5950, baseCents: 59498, percentBasisPoints: 1000, category: "S", rateBasisPoints: 2000 },
      { sourceIndex: 0, reason: "Remise commerciale", reasonCode: "95", amountCents: 338, baseCents: 3375, percentBasisPoints: 1000, category: "S", rateBasisPoints: 550 },
      { sourceIndex: 0, reason: "Remise commerciale", reasonCode: "95", amountCents: 33, baseCents: 333, percentBasisPoints: 1000, category: "S", rateBasisPoints: 1000 },
    ]);
    expect(totals).toMatchObject({
      lineNetTotalCents: 63206,
      allowanceTotalCents: 6321,
      chargeTotalCents: 0,
      taxExclusiveCents: 56885,
      vatTotalCents: 10907,
      taxInclusiveCents: 67792,
      prepaidCents: 0,
      roundingCents: 0,
      dueCents: 67792,
    });
  });

  it("splits a fixed allowance by largest remainder so the parts add up to it", () => {
    const totals = totalsOf({
      lines: [line("1", 100, standard(2000)), line("1", 100, standard(1000)), line("1", 100, standard(550))],
      allowances: [{ kind: "amount", cents: 100, reason: "Geste commercial" }],
    });
    // 1.00 over three equal bases: 0.34 + 0.33 + 0.33, the extra cent to the first group.
    expect(totals.allowances.map((a) => [a.rateBasisPoints, a.amountCents, a.baseCents])).toEqual([
      [2000, 34, undefined],
      [1000, 33, undefined],
      [550, 33, undefined],
    ]);
    // VAT: 0.66 × 20 % = 0.132 → 0.13; 0.67 × 10 % = 0.067 → 0.07; 0.67 × 5.5 % = 0.03685 → 0.04.
    expect(totals.vatBreakdown.map((g) => [g.taxableCents, g.vatCents])).toEqual([
      [66, 13],
      [67, 7],
      [67, 4],
    ]);
    expect(totals.taxExclusiveCents).toBe(200);
    expect(totals.taxInclusiveCents).toBe(224);
  });

  it("adds a document charge to the taxable base of its VAT group", () => {
    const totals = totalsOf({
      lines: [line("1", 10000, standard(2000))],
      charges: [{ kind: "amount", cents: 1500, reason: "Frais de déplacement" }],
    });
    expect(totals.charges).toEqual([
      { sourceIndex: 0, reason: "Frais de déplacement", amountCents: 1500, category: "S", rateBasisPoints: 2000 },
    ]);
    expect(totals.vatBreakdown[0]).toMatchObject({ chargeCents: 1500, taxableCents: 11500, vatCents: 2300 });
    expect(totals).toMatchObject({ chargeTotalCents: 1500, taxExclusiveCents: 11500, taxInclusiveCents: 13800 });
  });

  it("deducts deposits already invoiced from the amount due of the final invoice", () => {
    const totals = totalsOf({ lines: [line("1", 100000, standard(2000))], prepaidCents: 36000 });
    // 1 000.00 + 20 % = 1 200.00; 360.00 of deposits paid → 840.00 due.
    expect(totals).toMatchObject({ taxInclusiveCents: 120000, prepaidCents: 36000, dueCents: 84000, roundingCents: 0 });
  });

  it("words reverse charge and exports from their VATEX code", () => {
    const reverse = totalsOf({ lines: [line("1", 5000, { category: "AE", rateBasisPoints: 0, exemptionCode: "VATEX-EU-AE" })] });
    expect(reverse.vatBreakdown[0]).toMatchObject({ category: "AE", exemptionReason: "Autoliquidation", vatCents: 0 });
    const outside = totalsOf({ lines: [line("1", 5000, { category: "O", rateBasisPoints: 0, exemptionCode: "VATEX-EU-O" })] });
    expect(outside.vatBreakdown[0]).toMatchObject({ category: "O", exemptionCode: "VATEX-EU-O", vatCents: 0 });
  });

  it("keeps a reason written by the user over the catalogue wording", () => {
    const vat = { category: "E", rateBasisPoints: 0, exemptionCode: "VATEX-FR-FRANCHISE", exemptionReason: "TVA non applicable – article 293 B du CGI" } as const;
    expect(totalsOf({ lines: [line("1", 100, vat)] }).vatBreakdown[0]?.exemptionReason).toBe(vat.exemptionReason);
  });

  it("accepts a free exemption reason without a code", () => {
    const vat = { category: "E", rateBasisPoints: 0, exemptionReason: "Exonération de TVA, art. 261, 4, 4° du CGI" } as const;
    const group = totalsOf({ lines: [line("1", 100, vat)] }).vatBreakdown[0];
    expect(group?.exemptionReason).toBe(vat.exemptionReason);
    expect(group).not.toHaveProperty("exemptionCode");
  });

  it("computes a correction line with a negative quantity when negatives are allowed, rounding symmetrically", () => {
    const totals = totalsOf({ lines: [line("-1", 2500, standard(210))], allowNegative: true });
    // −25.00 × 2.1 % = −0.525 → −0.53.
    expect(totals).toMatchObject({ lineNetTotalCents: -2500, vatTotalCents: -53, taxInclusiveCents: -2553, dueCents: -2553 });
  });

  it("applies a percent discount to a negative line toward zero", () => {
    const totals = totalsOf({ lines: [line("-2", 1000, standard(2000), { kind: "percent", basisPoints: 2500 })], allowNegative: true });
    expect(totals.lines[0]).toMatchObject({ grossCents: -2000, discountCents: -500, netCents: -1500 });
  });

  it("accepts a line amount of exactly one billion euros", () => {
    expect(totalsOf({ lines: [line("1", MAX_AMOUNT_CENTS, franchise)] }).taxInclusiveCents).toBe(MAX_AMOUNT_CENTS);
  });
});

describe("computeTotals: validation", () => {
  const ok = line("1", 1000, standard(2000));

  it("refuses a document without lines", () => {
    expect(errorCodesOf({ lines: [] })).toEqual(["no_lines"]);
  });

  it("refuses an impossible VAT date", () => {
    expect(errorCodesOf({ vatDate: "2026-02-30", lines: [ok] })).toEqual(["invalid_date"]);
  });

  it("refuses quantities that are not plain decimals", () => {
    for (const quantity of ["1,5", ".5", "1.", "abc", "", "1e3", "+1", " 1", "1234567890123"]) {
      expect(errorCodesOf({ lines: [line(quantity, 1000, standard(2000))] })).toEqual(["invalid_quantity"]);
    }
  });

  it("refuses a quantity with more than 4 decimals", () => {
    expect(errorCodesOf({ lines: [line("1.23456", 1000, standard(2000))] })).toEqual(["quantity_precision"]);
    expect(totalsOf({ lines: [line("1.2345", 1000, standard(2000))] }).lineNetTotalCents).toBe(1235);
  });

  it("refuses a negative quantity unless negatives are allowed", () => {
    expect(errorCodesOf({ lines: [line("-1", 1000, standard(2000))] })).toEqual(["negative_quantity"]);
    expect(totalsOf({ lines: [line("-0.5", 1000, standard(2000))], allowNegative: true }).lineNetTotalCents).toBe(-500);
  });

  it("treats minus zero as zero", () => {
    expect(totalsOf({ lines: [line("-0.00", 1000, standard(2000))] }).lineNetTotalCents).toBe(0);
  });

  it("refuses a negative, fractional or oversized unit price", () => {
    for (const price of [-1, 10.5, Number.NaN, MAX_AMOUNT_CENTS + 1]) {
      expect(errorCodesOf({ lines: [line("1", price, standard(2000))] })).toEqual(["invalid_price"]);
    }
  });

  it("refuses a line amount beyond one billion euros", () => {
    expect(errorCodesOf({ lines: [line("1.0001", MAX_AMOUNT_CENTS, franchise)] })).toEqual(["amount_too_large"]);
  });

  it("refuses totals beyond one billion euros even when each line fits", () => {
    const half = line("1", MAX_AMOUNT_CENTS / 2 + 1, standard(2000));
    expect(errorCodesOf({ lines: [half, half] })).toEqual(["amount_too_large"]);
    // 20 % VAT on 1 billion pushes the total including VAT over the limit.
    expect(errorCodesOf({ lines: [line("1", MAX_AMOUNT_CENTS, standard(2000))] })).toEqual(["amount_too_large"]);
  });

  it("refuses a discount above 100 % or below 0 %", () => {
    expect(errorCodesOf({ lines: [line("1", 1000, standard(2000), { kind: "percent", basisPoints: 10001 })] })).toEqual(["invalid_discount"]);
    expect(errorCodesOf({ lines: [line("1", 1000, standard(2000), { kind: "percent", basisPoints: -1 })] })).toEqual(["invalid_discount"]);
    expect(totalsOf({ lines: [line("1", 1000, standard(2000), { kind: "percent", basisPoints: 10000 })] }).lineNetTotalCents).toBe(0);
  });

  it("refuses a discount amount above the line amount or below zero", () => {
    expect(errorCodesOf({ lines: [line("1", 1000, standard(2000), { kind: "amount", cents: 1001 })] })).toEqual(["invalid_discount"]);
    expect(errorCodesOf({ lines: [line("1", 1000, standard(2000), { kind: "amount", cents: -1 })] })).toEqual(["invalid_discount"]);
    expect(totalsOf({ lines: [line("1", 1000, standard(2000), { kind: "amount", cents: 1000 })] }).lineNetTotalCents).toBe(0);
  });

  it("refuses an amount discount on a negative line", () => {
    const codes = errorCodesOf({ lines: [line("-1", 1000, standard(2000), { kind: "amount", cents: 100 })], allowNegative: true });
    expect(codes).toEqual(["invalid_discount"]);
  });

  it("refuses a standard rate that is zero, abolished or not yet in the table", () => {
    expect(errorCodesOf({ lines: [line("1", 1000, standard(0))] })).toEqual(["vat_rate_not_allowed"]);
    expect(errorCodesOf({ lines: [line("1", 1000, standard(1960))] })).toEqual(["vat_rate_not_allowed"]);
    expect(errorCodesOf({ vatDate: "2013-06-01", lines: [ok] })).toEqual(["vat_rate_not_allowed"]);
  });

  it("refuses a positive rate on an exempt category", () => {
    const vat = { ...franchise, rateBasisPoints: 2000 };
    expect(errorCodesOf({ lines: [line("1", 1000, vat)] })).toEqual(["vat_rate_not_allowed"]);
  });

  it("refuses an unknown VAT category", () => {
    const vat = { category: "X", rateBasisPoints: 0 } as unknown as LineVatInput;
    expect(errorCodesOf({ lines: [line("1", 1000, vat)] })).toEqual(["invalid_vat_category"]);
  });

  it("refuses an exempt, reverse-charge, intra-EU, export or outside-scope line without a reason", () => {
    for (const category of ["E", "AE", "K", "G", "O"] as const) {
      expect(errorCodesOf({ lines: [line("1", 1000, { category, rateBasisPoints: 0, exemptionReason: "  " })] })).toEqual(["exemption_missing"]);
    }
  });

  it("refuses an exemption reason on a standard or zero-rated line", () => {
    expect(errorCodesOf({ lines: [line("1", 1000, { ...standard(2000), exemptionReason: "Autoliquidation" })] })).toEqual(["exemption_unexpected"]);
    expect(errorCodesOf({ lines: [line("1", 1000, { category: "Z", rateBasisPoints: 0, exemptionCode: "VATEX-EU-AE" })] })).toEqual(["exemption_unexpected"]);
  });

  it("refuses an exemption code outside the catalogue or of another category", () => {
    expect(errorCodesOf({ lines: [line("1", 1000, { category: "E", rateBasisPoints: 0, exemptionCode: "VATEX-XX-NOPE", exemptionReason: "x" })] })).toEqual(["exemption_unknown"]);
    expect(errorCodesOf({ lines: [line("1", 1000, { category: "E", rateBasisPoints: 0, exemptionCode: "VATEX-EU-AE" })] })).toEqual(["exemption_unknown"]);
  });

  it("refuses two exemption reasons in one VAT category (BR-E-08 needs one breakdown)", () => {
    const other = { category: "E", rateBasisPoints: 0, exemptionReason: "Exonération de TVA, art. 261 du CGI" } as const;
    const result = computeTotals({ vatDate: DATE, lines: [line("1", 1000, franchise), line("1", 1000, other)] });
    expect(result).toEqual({ ok: false, errors: [expect.objectContaining({ code: "exemption_conflict", path: "lines.1.vat" })] });
  });

  it("refuses category O mixed with another category (BR-O-11)", () => {
    const outside = { category: "O", rateBasisPoints: 0, exemptionCode: "VATEX-EU-O" } as const;
    expect(errorCodesOf({ lines: [line("1", 1000, outside), ok] })).toEqual(["outside_scope_mixed"]);
  });

  it("refuses a document allowance above 100 %, a negative one or one without a reason", () => {
    const allowances: AllowanceChargeInput[] = [
      { kind: "percent", basisPoints: 10001, reason: "Remise" },
      { kind: "amount", cents: -5, reason: "Remise" },
      { kind: "percent", basisPoints: 500, reason: " " },
    ];
    const result = computeTotals({ vatDate: DATE, lines: [ok], allowances });
    expect(result.ok ? [] : result.errors.map((e) => [e.code, e.path])).toEqual([
      ["invalid_allowance", "allowances.0"],
      ["invalid_allowance", "allowances.1"],
      ["invalid_allowance", "allowances.2.reason"],
    ]);
  });

  it("refuses a fixed allowance or charge when every line is free", () => {
    const free = line("1", 0, standard(2000));
    expect(errorCodesOf({ lines: [free], allowances: [{ kind: "amount", cents: 100, reason: "Remise" }] })).toEqual(["allowance_base_invalid"]);
    expect(errorCodesOf({ lines: [free], charges: [{ kind: "amount", cents: 100, reason: "Port" }] })).toEqual(["allowance_base_invalid"]);
    expect(totalsOf({ lines: [free], allowances: [{ kind: "percent", basisPoints: 1000, reason: "Remise" }] }).allowances).toEqual([]);
  });

  it("refuses document allowances over a VAT group whose lines total a negative amount", () => {
    const codes = errorCodesOf({
      lines: [line("-1", 1000, standard(2000)), line("1", 5000, standard(550))],
      allowNegative: true,
      allowances: [{ kind: "percent", basisPoints: 1000, reason: "Remise" }],
    });
    expect(codes).toEqual(["allowance_base_invalid"]);
  });

  it("refuses allowances that exceed the lines, unless negatives are allowed", () => {
    const input = { lines: [ok], allowances: [{ kind: "amount", cents: 1500, reason: "Remise" }] } satisfies Partial<TotalsInput>;
    expect(errorCodesOf(input)).toEqual(["negative_amount"]);
    expect(totalsOf({ ...input, allowNegative: true }).taxExclusiveCents).toBe(-500);
  });

  it("refuses a negative prepaid amount and one above the total unless negatives are allowed", () => {
    expect(errorCodesOf({ lines: [ok], prepaidCents: -1 })).toEqual(["invalid_prepaid"]);
    expect(errorCodesOf({ lines: [ok], prepaidCents: 1201 })).toEqual(["negative_amount"]);
    expect(totalsOf({ lines: [ok], prepaidCents: 1200 }).dueCents).toBe(0);
    expect(totalsOf({ lines: [ok], prepaidCents: 1201, allowNegative: true }).dueCents).toBe(-1);
  });

  it("reports every faulty line with the path of its field", () => {
    const result = computeTotals({
      vatDate: DATE,
      lines: [line("1.5", 1000, standard(2000)), line("x", -3, standard(2000)), line("1", 1000, standard(700))],
    });
    expect(result.ok ? [] : result.errors.map((e) => [e.code, e.path])).toEqual([
      ["invalid_quantity", "lines.1.quantity"],
      ["invalid_price", "lines.1.unitPriceCents"],
      ["vat_rate_not_allowed", "lines.2.vat.rateBasisPoints"],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests against an independent reference in exact rational arithmetic.

/** A rational n/d with d > 0. */
interface Rational {
  n: bigint;
  d: bigint;
}
const rational = (n: bigint, d = 1n): Rational => (d < 0n ? { n: -n, d: -d } : { n, d });
const times = (a: Rational, b: Rational) => rational(a.n * b.n, a.d * b.d);
const minus = (a: Rational, b: Rational) => rational(a.n * b.d - b.n * a.d, a.d * b.d);
const percent = (basisPoints: number) => rational(BigInt(basisPoints), 10_000n);

/** Nearest integer, halves away from zero: floor(|x| + 1/2) with the sign put back. */
function roundRational(x: Rational): bigint {
  const magnitude = x.n < 0n ? -x.n : x.n;
  const rounded = (2n * magnitude + x.d) / (2n * x.d);
  return x.n < 0n ? -rounded : rounded;
}

function parseQuantity(text: string): Rational {
  const negative = text.startsWith("-");
  const [units = "0", decimals = ""] = (negative ? text.slice(1) : text).split(".");
  const value = BigInt(units + decimals);
  return rational(negative ? -value : value, 10n ** BigInt(decimals.length));
}

/** Largest remainder as a greedy: each leftover cent to the part furthest below its exact share. */
function referenceAllocate(total: bigint, weights: readonly bigint[]): bigint[] {
  const weightSum = weights.reduce((a, b) => a + b, 0n);
  const exact = weights.map((w) => rational(total * w, weightSum));
  const parts = exact.map((share) => share.n / share.d);
  let left = total - parts.reduce((a, b) => a + b, 0n);
  for (; left > 0n; left--) {
    let best = 0;
    exact.forEach((share, i) => {
      const deficit = minus(share, rational(parts[i] ?? 0n));
      const bestDeficit = minus(exact[best] ?? share, rational(parts[best] ?? 0n));
      if (deficit.n * bestDeficit.d > bestDeficit.n * deficit.d) best = i;
    });
    parts[best] = (parts[best] ?? 0n) + 1n;
  }
  return parts;
}

interface ReferenceGroup {
  key: string;
  category: string;
  rate: number;
  lineNet: bigint;
  allowance: bigint;
  charge: bigint;
  taxable: bigint;
  vat: bigint;
}

type Reference =
  | { kind: "error"; code: TotalsErrorCode }
  | { kind: "ok"; nets: bigint[]; groups: ReferenceGroup[]; allowanceSums: bigint[]; chargeSums: bigint[]; due: bigint };

/** Expected result of a generated document (the generators only produce valid lines). */
function reference(input: TotalsInput): Reference {
  const nets = input.lines.map((l) => {
    const gross = roundRational(times(parseQuantity(l.quantity), rational(BigInt(l.unitPriceCents))));
    const discount =
      l.discount === undefined ? 0n : l.discount.kind === "amount" ? BigInt(l.discount.cents) : roundRational(times(rational(gross), percent(l.discount.basisPoints)));
    return gross - discount;
  });
  const groups: ReferenceGroup[] = [];
  input.lines.forEach((l, i) => {
    const key = `${l.vat.category}/${l.vat.rateBasisPoints}`;
    let group = groups.find((g) => g.key === key);
    if (!group) {
      group = { key, category: l.vat.category, rate: l.vat.rateBasisPoints, lineNet: 0n, allowance: 0n, charge: 0n, taxable: 0n, vat: 0n };
      groups.push(group);
    }
    group.lineNet += nets[i] ?? 0n;
  });
  const items = [...(input.allowances ?? []), ...(input.charges ?? [])];
  const weights = groups.map((g) => g.lineNet);
  if (items.length > 0 && weights.some((w) => w < 0n)) return { kind: "error", code: "allowance_base_invalid" };
  if (items.some((item) => item.kind === "amount" && item.cents > 0) && weights.every((w) => w === 0n)) {
    return { kind: "error", code: "allowance_base_invalid" };
  }
  const split = (item: AllowanceChargeInput): bigint[] =>
    item.kind === "percent"
      ? weights.map((w) => roundRational(times(rational(w), percent(item.basisPoints))))
      : item.cents === 0
        ? weights.map(() => 0n)
        : referenceAllocate(BigInt(item.cents), weights);
  const allowanceSums = (input.allowances ?? []).map((item) => {
    const parts = split(item);
    parts.forEach((part, g) => ((groups[g] as ReferenceGroup).allowance += part));
    return parts.reduce((a, b) => a + b, 0n);
  });
  const chargeSums = (input.charges ?? []).map((item) => {
    const parts = split(item);
    parts.forEach((part, g) => ((groups[g] as ReferenceGroup).charge += part));
    return parts.reduce((a, b) => a + b, 0n);
  });
  for (const group of groups) {
    group.taxable = group.lineNet - group.allowance + group.charge;
    group.vat = roundRational(times(rational(group.taxable), percent(group.rate)));
  }
  const inclusive = groups.reduce((sum, g) => sum + g.taxable + g.vat, 0n);
  const due = inclusive - BigInt(input.prepaidCents ?? 0);
  if (!input.allowNegative && (groups.some((g) => g.taxable < 0n) || due < 0n)) return { kind: "error", code: "negative_amount" };
  return { kind: "ok", nets, groups, allowanceSums, chargeSums, due };
}

const VAT_CHOICES: readonly LineVatInput[] = [
  standard(2000),
  standard(1000),
  standard(550),
  standard(210),
  { category: "Z", rateBasisPoints: 0 },
  franchise,
  { category: "AE", rateBasisPoints: 0, exemptionReason: "Autoliquidation" },
  { category: "K", rateBasisPoints: 0, exemptionCode: "VATEX-EU-IC" },
  { category: "G", rateBasisPoints: 0, exemptionCode: "VATEX-EU-G" },
];

const quantityArb = (allowNegative: boolean) =>
  fc
    .tuple(
      allowNegative ? fc.boolean() : fc.constant(false),
      fc.integer({ min: 0, max: 999 }),
      fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }),
    )
    .map(([negative, units, decimals]) => `${negative ? "-" : ""}${units}${decimals === undefined ? "" : `.${decimals}`}`);

/** A line; an amount discount is a share (basis points) of the line gross, turned into cents later. */
const lineArb = (allowNegative: boolean) =>
  fc.record({
    quantity: quantityArb(allowNegative),
    unitPriceCents: fc.integer({ min: 0, max: 1_000_000 }),
    vat: fc.constantFrom(...VAT_CHOICES),
    discount: fc.option(fc.record({ kind: fc.constantFrom("percent" as const, "amount" as const), basisPoints: fc.integer({ min: 0, max: 10_000 }) }), {
      nil: undefined,
    }),
  });

const itemArb: fc.Arbitrary<AllowanceChargeInput> = fc.oneof(
  fc.record({ kind: fc.constant("percent" as const), basisPoints: fc.integer({ min: 0, max: 10_000 }), reason: fc.constant("Remise") }),
  fc.record({ kind: fc.constant("amount" as const), cents: fc.integer({ min: 0, max: 5_000_000 }), reason: fc.constant("Forfait") }),
);

const documentArb = fc
  .record({
    allowNegative: fc.boolean(),
    sameCategory: fc.boolean(),
    outsideScope: fc.boolean(),
    allowances: fc.array(itemArb, { maxLength: 3 }),
    charges: fc.array(itemArb, { maxLength: 2 }),
    prepaidCents: fc.integer({ min: 0, max: 50_000_000 }),
  })
  .chain((doc) => fc.record({ doc: fc.constant(doc), lines: fc.array(lineArb(doc.allowNegative), { minLength: 1, maxLength: 8 }) }))
  .map(({ doc, lines }): TotalsInput => {
    // Category O must stand alone (BR-O-11), so some documents are entirely outside the scope.
    const outside: LineVatInput = { category: "O", rateBasisPoints: 0, exemptionCode: "VATEX-EU-O" };
    return {
      vatDate: DATE,
      allowNegative: doc.allowNegative,
      allowances: doc.allowances,
      charges: doc.charges,
      prepaidCents: doc.prepaidCents,
      lines: lines.map((l) => {
        const gross = roundRational(times(parseQuantity(l.quantity), rational(BigInt(l.unitPriceCents))));
        const discount =
          l.discount === undefined
            ? undefined
            : l.discount.kind === "percent"
              ? { kind: "percent" as const, basisPoints: l.discount.basisPoints }
              : gross >= 0n
                ? { kind: "amount" as const, cents: Number((gross * BigInt(l.discount.basisPoints)) / 10_000n) }
                : undefined;
        const vat = doc.outsideScope ? outside : doc.sameCategory ? standard(2000) : l.vat;
        return { quantity: l.quantity, unitPriceCents: l.unitPriceCents, vat, ...(discount ? { discount } : {}) };
      }),
    };
  });

const EXPECTED_REASONS: Record<string, string | undefined> = {
  E: FRANCHISE,
  AE: "Autoliquidation",
  K: "Exonération de TVA, art. 262 ter, I du CGI",
  G: "Exonération de TVA, art. 262 I du CGI",
  O: "TVA non applicable, art. 259-1 du CGI",
};

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe("computeTotals: properties against an exact rational reference", () => {
  it("returns the reference's line nets, VAT groups and allowance parts, or its error", () => {
    fc.assert(
      fc.property(documentArb, (input) => {
        const expected = reference(input);
        const result = computeTotals(input);
        if (expected.kind === "error") {
          expect(result.ok ? [] : result.errors.map((e) => e.code)).toContain(expected.code);
          return;
        }
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
        const totals = result.totals;
        expect(totals.lines.map((l) => BigInt(l.netCents))).toEqual(expected.nets);
        expect(totals.lines.every((l) => l.grossCents - l.discountCents === l.netCents)).toBe(true);
        expect(
          totals.vatBreakdown.map((g) => [g.category, g.rateBasisPoints, g.lineNetCents, g.allowanceCents, g.chargeCents, g.taxableCents, g.vatCents].map(String)),
        ).toEqual(expected.groups.map((g) => [g.category, g.rate, g.lineNet, g.allowance, g.charge, g.taxable, g.vat].map(String)));
        for (const group of totals.vatBreakdown) expect(group.exemptionReason).toBe(EXPECTED_REASONS[group.category]);
        // Each input allowance or charge is split into parts that add up to the reference's total.
        expected.allowanceSums.forEach((total, i) =>
          expect(BigInt(sum(totals.allowances.filter((a) => a.sourceIndex === i).map((a) => a.amountCents)))).toBe(total),
        );
        expected.chargeSums.forEach((total, i) =>
          expect(BigInt(sum(totals.charges.filter((c) => c.sourceIndex === i).map((c) => c.amountCents)))).toBe(total),
        );
        expect(BigInt(totals.dueCents)).toBe(expected.due);
      }),
      { numRuns: 500 },
    );
  });

  it("satisfies every BR-CO sum rule and BR-CO-17 exactly on every valid document", () => {
    fc.assert(
      fc.property(documentArb, (input) => {
        const result = computeTotals(input);
        if (!result.ok) return;
        const t = result.totals;
        const amounts = [t.lineNetTotalCents, t.allowanceTotalCents, t.chargeTotalCents, t.taxExclusiveCents, t.vatTotalCents, t.taxInclusiveCents, t.dueCents];
        expect(amounts.every((a) => Number.isSafeInteger(a) && Math.abs(a) <= MAX_AMOUNT_CENTS)).toBe(true);
        expect(t.lineNetTotalCents).toBe(sum(t.lines.map((l) => l.netCents))); // BR-CO-10
        expect(t.allowanceTotalCents).toBe(sum(t.allowances.map((a) => a.amountCents))); // BR-CO-11
        expect(t.chargeTotalCents).toBe(sum(t.charges.map((c) => c.amountCents))); // BR-CO-12
        expect(t.taxExclusiveCents).toBe(t.lineNetTotalCents - t.allowanceTotalCents + t.chargeTotalCents); // BR-CO-13
        expect(t.vatTotalCents).toBe(sum(t.vatBreakdown.map((g) => g.vatCents))); // BR-CO-14
        expect(t.taxInclusiveCents).toBe(t.taxExclusiveCents + t.vatTotalCents); // BR-CO-15
        expect(t.roundingCents).toBe(0);
        expect(t.dueCents).toBe(t.taxInclusiveCents - t.prepaidCents - t.roundingCents); // BR-CO-16
        expect(sum(t.vatBreakdown.map((g) => g.taxableCents))).toBe(t.taxExclusiveCents);
        for (const g of t.vatBreakdown) {
          // BR-S-08 and siblings: the base is the group's lines, minus its allowances, plus its charges.
          const inGroup = <T extends { category: string; rateBasisPoints: number }>(x: T) => x.category === g.category && x.rateBasisPoints === g.rateBasisPoints;
          const lines = t.lines.filter((l) => inGroup(l.vat)).map((l) => l.netCents);
          const allowances = t.allowances.filter(inGroup).map((a) => a.amountCents);
          const charges = t.charges.filter(inGroup).map((c) => c.amountCents);
          expect(g.taxableCents).toBe(sum(lines) - sum(allowances) + sum(charges));
          // BR-CO-17: |BT-117 − BT-116 × rate| ≤ half a cent, far inside the validator's 1.00 tolerance.
          const error = BigInt(g.vatCents) * 10_000n - BigInt(g.taxableCents) * BigInt(g.rateBasisPoints);
          expect(2n * (error < 0n ? -error : error) <= 10_000n).toBe(true);
        }
        // One breakdown per category and rate, and no allowance or charge part of zero.
        expect(new Set(t.vatBreakdown.map((g) => `${g.category}/${g.rateBasisPoints}`)).size).toBe(t.vatBreakdown.length);
        expect([...t.allowances, ...t.charges].every((part) => part.amountCents !== 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps each part of a fixed allowance within one cent of its exact proportional share", () => {
    const positiveQuantityArb = fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 9999 })).map(([u, d]) => `${u}.${d}`);
    fc.assert(
      fc.property(
        fc.array(fc.record({ quantity: positiveQuantityArb, unitPriceCents: fc.integer({ min: 1, max: 1_000_000 }), vat: fc.constantFrom(...VAT_CHOICES.slice(0, 4)) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (lines, cents) => {
          const result = computeTotals({ vatDate: DATE, lines, allowances: [{ kind: "amount", cents, reason: "Remise" }], allowNegative: true });
          if (!result.ok) throw new Error(JSON.stringify(result.errors));
          const t = result.totals;
          expect(t.allowanceTotalCents).toBe(cents);
          const base = BigInt(t.lineNetTotalCents);
          for (const g of t.vatBreakdown) {
            const distance = BigInt(g.allowanceCents) * base - BigInt(cents) * BigInt(g.lineNetCents);
            expect((distance < 0n ? -distance : distance) < base).toBe(true);
          }
        },
      ),
    );
  });
});

describe("computeTotals: unit prices with up to 4 decimals", () => {
  const quantity = fc
    .tuple(fc.integer({ min: 0, max: 9_999 }), fc.integer({ min: 0, max: 9_999 }))
    .map(([units, e4]) => `${units}.${String(e4).padStart(4, "0")}`);
  const priceE4 = fc.integer({ min: 0, max: 10_000_000 });
  const rate = fc.constantFrom(0, 550, 1000, 2000);
  const vatOf = (bp: number): LineVatInput => (bp === 0 ? franchise : standard(bp));

  it("bills 2.5 kg at 3,333 €/kg as 8.33 € and 1 000 units at 0,0125 € as 12.50 €", () => {
    const totals = totalsOf({
      lines: [
        { quantity: "2.5", unitPriceCents: 333, unitPriceE4: 33_330, vat: standard(550) },
        { quantity: "1000", unitPriceCents: 1, unitPriceE4: 125, vat: standard(550) },
      ],
    });
    // 2.5 × 3.333 = 8.3325 → 8.33 (half up on the cent); 1000 × 0.0125 = 12.50 exactly.
    expect(totals.lines.map((l) => l.netCents)).toEqual([833, 1250]);
    expect(totals.lineNetTotalCents).toBe(2083);
  });

  it("rounds a line net half up on the cent: 3 × 0,0125 € = 0.0375 € → 0.04 €", () => {
    expect(totalsOf({ lines: [{ quantity: "3", unitPriceCents: 1, unitPriceE4: 125, vat: franchise }] }).lines[0]?.netCents).toBe(4);
  });

  it("refuses a sub-cent price that is negative or not an integer of ten-thousandths", () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      const result = computeTotals({ vatDate: DATE, lines: [{ quantity: "1", unitPriceCents: 0, unitPriceE4: bad, vat: franchise }] });
      expect(result.ok ? [] : result.errors.map((e) => [e.code, e.path])).toEqual([["invalid_price", "lines.0.unitPrice"]]);
    }
  });

  it("gives exactly the former results for prices with at most 2 decimals", () => {
    fc.assert(
      fc.property(quantity, fc.integer({ min: 0, max: 100_000 }), rate, (q, cents, bp) => {
        const before = totalsOf({ lines: [line(q, cents, vatOf(bp))] });
        const after = totalsOf({ lines: [{ quantity: q, unitPriceCents: 0, unitPriceE4: cents * 100, vat: vatOf(bp) }] });
        expect(after).toEqual(before);
      }),
    );
  });

  it("rounds every line net to a whole cent, half up, and the totals are the sums of the nets", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(quantity, priceE4), { minLength: 1, maxLength: 6 }), rate, (lines, bp) => {
        const totals = totalsOf({
          lines: lines.map(([q, e4]) => ({ quantity: q, unitPriceCents: unitPriceFields(e4).unitPriceCents, unitPriceE4: e4, vat: vatOf(bp) })),
        });
        lines.forEach(([q, e4], i) => {
          // Exact product in 10^-8 €, rounded to the cent (10^6 of them) half up, checked by a
          // second way: compare twice the remainder with the divisor.
          const exact = BigInt(q.replace(".", "")) * BigInt(e4);
          const floor = exact / 1_000_000n;
          const expected = (exact % 1_000_000n) * 2n >= 1_000_000n ? floor + 1n : floor;
          expect(totals.lines[i]?.netCents).toBe(Number(expected));
          expect(Number.isSafeInteger(totals.lines[i]?.netCents)).toBe(true);
        });
        expect(totals.lineNetTotalCents).toBe(totals.lines.reduce((sum, l) => sum + l.netCents, 0));
        expect(totals.taxExclusiveCents).toBe(totals.lineNetTotalCents);
      }),
    );
  });

  it("stores a price as rounded cents plus the ten-thousandths only when they say more", () => {
    expect(unitPriceFields(6_500_000)).toEqual({ unitPriceCents: 65_000, unitPriceE4: null });
    expect(unitPriceFields(33_330)).toEqual({ unitPriceCents: 333, unitPriceE4: 33_330 });
    expect(unitPriceFields(125)).toEqual({ unitPriceCents: 1, unitPriceE4: 125 });
    expect(unitPriceFields(50)).toEqual({ unitPriceCents: 1, unitPriceE4: 50 });
    fc.assert(
      fc.property(priceE4, (e4) => {
        expect(unitPriceE4Of(unitPriceFields(e4))).toBe(e4);
      }),
    );
  });
});
