/**
 * Totals of an invoice, credit note or quote per EN 16931: line nets, the VAT breakdown per
 * (category, rate), document allowances and charges split per VAT group, and the BT-1xx totals.
 *
 * Rounding: every amount is rounded once to the cent, half away from zero, in this order
 *   line gross      = round(quantity × unit price)             (BT-137 when there is a discount;
 *                     the unit price has up to 4 decimals, BT-146, and the gross 2)
 *                     the unit price has up to 4 decimals (BT-146, ten-thousandths), the gross 2
 *   line discount   = amount, or round(gross × percent)         (BT-136)
 *   line net        = gross − discount                          (BT-131)
 *   percent document allowance/charge per group = round(group line nets × percent) (BT-92/99)
 *   taxable base    = group line nets − allowances + charges    (BT-116)
 *   VAT             = round(taxable base × rate), per group     (BT-117, never per line)
 * so each printed amount is exactly its printed parts (BR-CO-10 … BR-CO-16 hold to the cent and
 * BR-CO-17 with no tolerance used). Percentages apply to the group's line nets, never compounded.
 *
 * Signs: amounts are those written on the document. A credit note (type 381) carries positive
 * amounts like the invoice it corrects; its type code, not a sign, says the money goes back, so
 * callers compute it exactly like an invoice. Negative quantities (a returned item, a correction
 * line) are refused unless `allowNegative` is set.
 *
 * Errors: bad input never throws. {@link computeTotals} returns `{ ok: false, errors }` listing
 * every problem found, each with a stable code and the path of the offending field.
 */

import { allocateProportionally, roundHalfUpDiv, toCents } from "./money.ts";
import {
  type VatCategory,
  VAT_CATEGORIES,
  exemptionByCode,
  isIsoDate,
  isVatRateAllowed,
  requiresExemption,
} from "./vat.ts";

/** Largest amount, in cents, anywhere on a document: 1 billion euros. */
export const MAX_AMOUNT_CENTS = 100_000_000_000;

/** A percentage in basis points (10 % = 1000) or a fixed amount in cents. */
export type PercentOrAmount = { kind: "percent"; basisPoints: number } | { kind: "amount"; cents: number };

export interface LineVatInput {
  category: VatCategory;
  rateBasisPoints: number;
  /** VATEX code; a code of VAT_EXEMPTIONS fills in its French wording when no reason is given. */
  exemptionCode?: string;
  exemptionReason?: string;
}

export interface LineInput {
  /** Decimal string with at most 4 decimals ("1.5", "-2" with allowNegative). */
  quantity: string;
  /** Unit price excluding VAT, integer cents, never negative (BR-27). */
  unitPriceCents: number;
  /**
   * The unit price in ten-thousandths of a euro when it has more than 2 decimals (3,333 € →
   * 33_330); it then prevails over `unitPriceCents`, which holds its rounding. See {@link unitPriceE4Of}.
   */
  unitPriceE4?: number | null;
  /** An amount discount may not exceed the line gross; a percent discount is 0–100 %. */
  discount?: PercentOrAmount;
  vat: LineVatInput;
}

export type AllowanceChargeInput = PercentOrAmount & {
  /** Printed reason (BT-97 / BT-104). */
  reason: string;
  /** UNTDID 5189 (allowances) or 7161 (charges) code (BT-98 / BT-105). */
  reasonCode?: string;
};

export interface TotalsInput {
  /** Date whose VAT rates apply (the tax point, usually the issue date), "YYYY-MM-DD". */
  vatDate: string;
  lines: readonly LineInput[];
  /** Document-level allowances (BG-20), e.g. a 10 % commercial discount. */
  allowances?: readonly AllowanceChargeInput[];
  /** Document-level charges (BG-21), e.g. a shipping fee. */
  charges?: readonly AllowanceChargeInput[];
  /** Deposits already paid or invoiced, deducted from the amount due (BT-113). */
  prepaidCents?: number;
  /** Accept negative quantities, negative VAT bases and a negative amount due. */
  allowNegative?: boolean;
}

export interface ResolvedVat {
  category: VatCategory;
  /** 0 for every category but S; the XML omits it for O (BR-O-05). */
  rateBasisPoints: number;
  exemptionCode?: string;
  exemptionReason?: string;
}

export interface LineTotals {
  grossCents: number;
  discountCents: number;
  /** BT-131. */
  netCents: number;
  vat: ResolvedVat;
}

/** One document-level allowance or charge restricted to one VAT group (BG-20 / BG-21). */
export interface AllowanceChargeLine {
  /** Index of the input allowance/charge this part comes from. */
  sourceIndex: number;
  reason: string;
  reasonCode?: string;
  /** BT-92 / BT-99. */
  amountCents: number;
  /** BT-93 / BT-100 and BT-94 / BT-101, for percentages only. */
  baseCents?: number;
  percentBasisPoints?: number;
  /** BT-95/96 or BT-102/103. */
  category: VatCategory;
  rateBasisPoints: number;
}

/** One VAT breakdown (BG-23). */
export interface VatBreakdown extends ResolvedVat {
  lineNetCents: number;
  allowanceCents: number;
  chargeCents: number;
  /** BT-116. */
  taxableCents: number;
  /** BT-117. */
  vatCents: number;
}

export interface DocumentTotals {
  lines: LineTotals[];
  /** In order of first appearance among the lines. */
  vatBreakdown: VatBreakdown[];
  /** Parts of zero cents are left out. */
  allowances: AllowanceChargeLine[];
  charges: AllowanceChargeLine[];
  /** BT-106 */ lineNetTotalCents: number;
  /** BT-107 */ allowanceTotalCents: number;
  /** BT-108 */ chargeTotalCents: number;
  /** BT-109 */ taxExclusiveCents: number;
  /** BT-110 */ vatTotalCents: number;
  /** BT-112 */ taxInclusiveCents: number;
  /** BT-113 */ prepaidCents: number;
  /** BT-114: always 0, totals are never rounded to the euro. */
  roundingCents: number;
  /** BT-115 */ dueCents: number;
}

export type TotalsErrorCode =
  | "no_lines"
  | "invalid_date"
  | "invalid_quantity"
  | "quantity_precision"
  | "negative_quantity"
  | "invalid_price"
  | "invalid_discount"
  | "invalid_vat_category"
  | "vat_rate_not_allowed"
  | "exemption_missing"
  | "exemption_unexpected"
  | "exemption_unknown"
  | "exemption_conflict"
  | "outside_scope_mixed"
  | "invalid_allowance"
  | "allowance_base_invalid"
  | "negative_amount"
  | "invalid_prepaid"
  | "amount_too_large";

export interface TotalsError {
  code: TotalsErrorCode;
  /** Dotted path of the field at fault, e.g. "lines.2.quantity". */
  path: string;
  message: string;
}

export type TotalsResult = { ok: true; totals: DocumentTotals } | { ok: false; errors: TotalsError[] };

const BASIS = 10_000n;
const MAX = BigInt(MAX_AMOUNT_CENTS);
const DECIMAL_E4 = /^(-?)(\d+)(?:\.(\d+))?$/;

interface Group {
  vat: ResolvedVat;
  firstLine: number;
  lineNet: bigint;
  allowance: bigint;
  charge: bigint;
}

/** Collects errors so that one call reports every problem of the document. */
class Problems {
  readonly list: TotalsError[] = [];
  add(code: TotalsErrorCode, path: string, message: string): void {
    this.list.push({ code, path, message });
  }
}

function outOfRange(value: bigint): boolean {
  return value > MAX || value < -MAX;
}

/**
 * A plain decimal ("-12.5": optional minus, dot separator) as ten-thousandths, exactly (BigInt):
 * "1.5" → 15000n. More than 4 decimals is `quantity_precision`; anything else, or more than
 * `maxUnitDigits` digits before the separator, is `invalid_quantity`. The one quantity parser:
 * document lines use it on stored values, stock (domain/stock.ts) on what people type, normalized.
 */
export function decimalToE4(text: string, maxUnitDigits = 12): bigint | "invalid_quantity" | "quantity_precision" {
  const match = DECIMAL_E4.exec(text);
  if (!match || (match[2] ?? "").length > maxUnitDigits) return "invalid_quantity";
  const decimals = match[3] ?? "";
  if (decimals.length > 4) return "quantity_precision";
  const scaled = BigInt(match[2] ?? "0") * BASIS + BigInt(decimals.padEnd(4, "0"));
  return match[1] === "-" ? -scaled : scaled;
}

function isBasisPoints(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= 10_000;
}

function isCents(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= MAX_AMOUNT_CENTS;
}

/**
 * The one reading of a stored or sent unit price, in ten-thousandths of a euro: the sub-cent
 * price when there is one, else the cents × 100. Rows and snapshots written before unit prices
 * had 4 decimals carry cents only and read the same as before.
 */
export function unitPriceE4Of(price: { unitPriceCents: number; unitPriceE4?: number | null }): number {
  return price.unitPriceE4 ?? price.unitPriceCents * 100;
}

/**
 * How a unit price in ten-thousandths is stored: cents rounded half up (for lists, stock values and
 * clients that read cents), plus the ten-thousandths only when they hold more than the cents, so a
 * whole-cent price is stored, exported and frozen exactly as before.
 */
export function unitPriceFields(e4: number): { unitPriceCents: number; unitPriceE4: number | null } {
  const cents = toCents(roundHalfUpDiv(BigInt(e4), 100n));
  return { unitPriceCents: cents, unitPriceE4: e4 % 100 === 0 ? null : e4 };
}

function resolveVat(vat: LineVatInput, vatDate: string, path: string, problems: Problems): ResolvedVat | null {
  if (!VAT_CATEGORIES.includes(vat.category)) {
    problems.add("invalid_vat_category", `${path}.category`, `unknown VAT category "${vat.category}"`);
    return null;
  }
  let ok = true;
  if (!isVatRateAllowed(vat.category, vat.rateBasisPoints, vatDate)) {
    problems.add(
      "vat_rate_not_allowed",
      `${path}.rateBasisPoints`,
      `rate ${vat.rateBasisPoints} bp is not allowed for category ${vat.category} on ${vatDate}`,
    );
    ok = false;
  }
  const code = vat.exemptionCode?.trim() || undefined;
  const givenReason = vat.exemptionReason?.trim() || undefined;
  if (!requiresExemption(vat.category)) {
    if (code || givenReason) {
      problems.add("exemption_unexpected", path, `category ${vat.category} must not carry an exemption reason`);
      return null;
    }
    return ok ? { category: vat.category, rateBasisPoints: vat.rateBasisPoints } : null;
  }
  const known = code === undefined ? undefined : exemptionByCode(code);
  if (code !== undefined && known?.category !== vat.category) {
    problems.add(
      "exemption_unknown",
      `${path}.exemptionCode`,
      known ? `${code} belongs to category ${known.category}` : `unknown exemption code ${code}`,
    );
    return null;
  }
  const reason = givenReason ?? known?.reason;
  if (!reason) {
    problems.add("exemption_missing", path, `category ${vat.category} needs an exemption reason`);
    return null;
  }
  if (!ok) return null;
  return { category: vat.category, rateBasisPoints: 0, ...(code === undefined ? {} : { exemptionCode: code }), exemptionReason: reason };
}

function computeLine(line: LineInput, index: number, input: TotalsInput, problems: Problems) {
  const path = `lines.${index}`;
  const before = problems.list.length;
  const quantity = decimalToE4(line.quantity);
  if (typeof quantity === "string") {
    problems.add(quantity, `${path}.quantity`, `quantity "${line.quantity}" is not a decimal with at most 4 decimals`);
  } else if (quantity < 0n && !input.allowNegative) {
    problems.add("negative_quantity", `${path}.quantity`, "negative quantities are not allowed on this document");
  }
  const subCent = line.unitPriceE4 !== undefined && line.unitPriceE4 !== null;
  const priceE4 = unitPriceE4Of(line);
  if (subCent ? !(Number.isSafeInteger(priceE4) && priceE4 >= 0 && priceE4 <= MAX_AMOUNT_CENTS * 100) : !isCents(line.unitPriceCents)) {
    problems.add(
      "invalid_price",
      `${path}.${subCent ? "unitPrice" : "unitPriceCents"}`,
      "unit price must be 0 to 1e9 euros with at most 4 decimals",
    );
  }
  const discount = line.discount;
  if (discount?.kind === "percent" && !isBasisPoints(discount.basisPoints)) {
    problems.add("invalid_discount", `${path}.discount`, "a discount percentage must be 0 to 10000 basis points");
  } else if (discount?.kind === "amount" && !isCents(discount.cents)) {
    problems.add("invalid_discount", `${path}.discount`, "a discount amount must be positive integer cents");
  }
  const vat = resolveVat(line.vat, input.vatDate, `${path}.vat`, problems);
  if (problems.list.length > before || typeof quantity === "string" || vat === null) return null;

  // Ten-thousandths of a unit × ten-thousandths of a euro: 10^6 per cent. For a whole-cent price
  // (priceE4 = cents × 100) this is exactly the former round(quantity × cents).
  const gross = roundHalfUpDiv(quantity * BigInt(priceE4), BASIS * 100n);
  if (outOfRange(gross)) {
    problems.add("amount_too_large", path, `line amount exceeds ${MAX_AMOUNT_CENTS} cents`);
    return null;
  }
  let lineDiscount = 0n;
  if (discount?.kind === "percent") lineDiscount = roundHalfUpDiv(gross * BigInt(discount.basisPoints), BASIS);
  if (discount?.kind === "amount") {
    lineDiscount = BigInt(discount.cents);
    // An amount discount only shrinks a positive gross; a negative line takes percentages only.
    if (lineDiscount > 0n && lineDiscount > gross) {
      problems.add("invalid_discount", `${path}.discount`, "the discount exceeds the line amount");
      return null;
    }
  }
  return { gross, discount: lineDiscount, net: gross - lineDiscount, vat };
}

function groupKey(vat: ResolvedVat): string {
  return `${vat.category}:${vat.rateBasisPoints}`;
}

/** Splits each document allowance (or charge) into one part per VAT group. */
function splitPerGroup(
  items: readonly AllowanceChargeInput[],
  groups: readonly Group[],
  field: "allowances" | "charges",
  problems: Problems,
): { parts: AllowanceChargeLine[]; perGroup: bigint[] } {
  const parts: AllowanceChargeLine[] = [];
  const perGroup = groups.map(() => 0n);
  const weights = groups.map((group) => group.lineNet);
  const negativeBase = weights.some((weight) => weight < 0n);
  const positiveBase = weights.some((weight) => weight > 0n);

  items.forEach((item, sourceIndex) => {
    const path = `${field}.${sourceIndex}`;
    const valid = item.kind === "percent" ? isBasisPoints(item.basisPoints) : isCents(item.cents);
    if (!valid) {
      problems.add("invalid_allowance", path, "expected 0 to 10000 basis points or positive integer cents");
      return;
    }
    if (!item.reason.trim()) {
      problems.add("invalid_allowance", `${path}.reason`, "a document allowance or charge needs a reason (BR-33, BR-38)");
      return;
    }
    // Proportions are meaningless over negative bases, and an amount needs some base to land on.
    if (negativeBase || (item.kind === "amount" && item.cents > 0 && !positiveBase)) {
      problems.add("allowance_base_invalid", path, "document allowances and charges need positive line totals");
      return;
    }
    const amounts =
      item.kind === "percent"
        ? weights.map((weight) => roundHalfUpDiv(weight * BigInt(item.basisPoints), BASIS))
        : positiveBase
          ? allocateProportionally(BigInt(item.cents), weights)
          : weights.map(() => 0n);
    amounts.forEach((amount, groupIndex) => {
      const group = groups[groupIndex];
      if (amount === 0n || group === undefined) return;
      perGroup[groupIndex] = (perGroup[groupIndex] ?? 0n) + amount;
      parts.push({
        sourceIndex,
        reason: item.reason.trim(),
        ...(item.reasonCode === undefined ? {} : { reasonCode: item.reasonCode }),
        amountCents: toCents(amount),
        ...(item.kind === "percent" ? { baseCents: toCents(group.lineNet), percentBasisPoints: item.basisPoints } : {}),
        category: group.vat.category,
        rateBasisPoints: group.vat.rateBasisPoints,
      });
    });
  });
  return { parts, perGroup };
}

/**
 * Computes line nets, the VAT breakdown and the document totals (BT-106 … BT-115) per EN 16931.
 * Returns every input problem found instead of throwing; see the module comment for rounding.
 */
export function computeTotals(input: TotalsInput): TotalsResult {
  const problems = new Problems();
  if (!isIsoDate(input.vatDate)) {
    problems.add("invalid_date", "vatDate", `expected a YYYY-MM-DD date, got "${input.vatDate}"`);
    return { ok: false, errors: problems.list };
  }
  if (input.lines.length === 0) problems.add("no_lines", "lines", "a document needs at least one line");

  const lines = input.lines.map((line, index) => computeLine(line, index, input, problems));
  const prepaid = input.prepaidCents ?? 0;
  if (!isCents(prepaid)) problems.add("invalid_prepaid", "prepaidCents", "prepaid must be positive integer cents");
  if (problems.list.length > 0) return { ok: false, errors: problems.list };
  const computed = lines.filter((line) => line !== null);

  const groups: Group[] = [];
  const byKey = new Map<string, Group>();
  computed.forEach((line, index) => {
    const existing = byKey.get(groupKey(line.vat));
    if (!existing) {
      const group = { vat: line.vat, firstLine: index, lineNet: line.net, allowance: 0n, charge: 0n };
      groups.push(group);
      byKey.set(groupKey(line.vat), group);
      return;
    }
    existing.lineNet += line.net;
    // One breakdown per category and rate carries one reason (BR-E-08 sums every E line).
    if (existing.vat.exemptionCode !== line.vat.exemptionCode || existing.vat.exemptionReason !== line.vat.exemptionReason) {
      problems.add(
        "exemption_conflict",
        `lines.${index}.vat`,
        `line ${index} and line ${existing.firstLine} share category ${line.vat.category} with different exemption reasons`,
      );
    }
  });
  // BR-O-11/12: a document outside the scope of VAT has no other category.
  if (groups.some((group) => group.vat.category === "O") && groups.length > 1) {
    problems.add("outside_scope_mixed", "lines", "category O cannot be mixed with other VAT categories");
  }
  if (groups.some((group) => outOfRange(group.lineNet))) {
    problems.add("amount_too_large", "lines", `line totals exceed ${MAX_AMOUNT_CENTS} cents`);
  }
  if (problems.list.length > 0) return { ok: false, errors: problems.list };

  const allowances = splitPerGroup(input.allowances ?? [], groups, "allowances", problems);
  const charges = splitPerGroup(input.charges ?? [], groups, "charges", problems);
  if (problems.list.length > 0) return { ok: false, errors: problems.list };

  const breakdown = groups.map((group, index) => {
    const allowance = allowances.perGroup[index] ?? 0n;
    const charge = charges.perGroup[index] ?? 0n;
    const taxable = group.lineNet - allowance + charge;
    return { group, allowance, charge, taxable, vat: roundHalfUpDiv(taxable * BigInt(group.vat.rateBasisPoints), BASIS) };
  });
  const negativeBase = breakdown.some((row) => row.taxable < 0n);
  if (!input.allowNegative && negativeBase) {
    problems.add("negative_amount", "allowances", "document allowances exceed the lines they apply to");
  }

  const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);
  const lineNetTotal = sum(computed.map((line) => line.net));
  const allowanceTotal = sum(allowances.perGroup);
  const chargeTotal = sum(charges.perGroup);
  const taxExclusive = lineNetTotal - allowanceTotal + chargeTotal;
  const vatTotal = sum(breakdown.map((row) => row.vat));
  const taxInclusive = taxExclusive + vatTotal;
  const prepaidCents = BigInt(prepaid);
  const due = taxInclusive - prepaidCents;
  if (!input.allowNegative && !negativeBase && due < 0n) {
    problems.add("negative_amount", "prepaidCents", "prepaid amount exceeds the document total");
  }
  const amounts = [lineNetTotal, allowanceTotal, chargeTotal, taxExclusive, vatTotal, taxInclusive, due];
  if (amounts.some((amount) => outOfRange(amount)) || breakdown.some((row) => outOfRange(row.taxable))) {
    problems.add("amount_too_large", "lines", `document totals exceed ${MAX_AMOUNT_CENTS} cents`);
  }
  if (problems.list.length > 0) return { ok: false, errors: problems.list };

  return {
    ok: true,
    totals: {
      lines: computed.map((line) => ({
        grossCents: toCents(line.gross),
        discountCents: toCents(line.discount),
        netCents: toCents(line.net),
        vat: line.vat,
      })),
      vatBreakdown: breakdown.map((row) => ({
        ...row.group.vat,
        lineNetCents: toCents(row.group.lineNet),
        allowanceCents: toCents(row.allowance),
        chargeCents: toCents(row.charge),
        taxableCents: toCents(row.taxable),
        vatCents: toCents(row.vat),
      })),
      allowances: allowances.parts,
      charges: charges.parts,
      lineNetTotalCents: toCents(lineNetTotal),
      allowanceTotalCents: toCents(allowanceTotal),
      chargeTotalCents: toCents(chargeTotal),
      taxExclusiveCents: toCents(taxExclusive),
      vatTotalCents: toCents(vatTotal),
      taxInclusiveCents: toCents(taxInclusive),
      prepaidCents: prepaid,
      roundingCents: 0,
      dueCents: toCents(due),
    },
  };
}
