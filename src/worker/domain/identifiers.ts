/**
 * Validation and normalisation of the identifiers that appear on French invoices:
 * SIREN / SIRET (INSEE), intra-community VAT numbers, IBAN (ISO 13616) and BIC (ISO 9362).
 *
 * Every `explain*` function returns a {@link Validation}: the normalised value when valid, otherwise
 * a machine reason the UI can translate. The `isValid*` functions are boolean shortcuts over them.
 * Inputs are normalised first (separators stripped, upper-cased where letters are allowed), so
 * "732 829 320" is a valid SIREN and its normalised value is "732829320".
 */

/** Why an identifier was rejected. */
export type IdentifierFailure =
  /** Not the expected number of characters once separators are removed. */
  | "length"
  /** Contains characters other than digits where only digits are allowed. */
  | "digits"
  /** Right shape, but the check digits / key do not match. */
  | "checksum"
  /** Unknown or unsupported country prefix. */
  | "country"
  /** Wrong shape for the country (VAT, IBAN, BIC). */
  | "format";

/** Result shared by the `explain*` validators. */
export type Validation<R extends IdentifierFailure = IdentifierFailure> =
  | { ok: true; value: string }
  | { ok: false; reason: R };

const LA_POSTE_SIREN = "356000000";

/** Removes the spaces (including no-break ones), dots and dashes people type inside numbers. */
export function normalizeDigits(s: string): string {
  return s.replace(/[\s.\-\u00A0\u202F\u2009]/g, "");
}

/** Luhn sum: every second digit from the right is doubled (and reduced by 9 when above 9). */
function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/** Luhn completion: the digit that makes `digits + key` pass the check SIREN and SIRET numbers use. */
export function luhnKey(digits: string): string {
  return String((10 - (luhnSum(`${digits}0`) % 10)) % 10);
}

/**
 * True when a text holds something that looks like a payment card number (PAN): 13 to 19 digits,
 * possibly grouped by spaces or dashes, passing the Luhn check. Card numbers are never stored
 * (privacy policy §8, PCI-DSS): free-text fields refuse them instead of keeping one by accident.
 */
export function containsCardNumber(text: string): boolean {
  // Maximal runs of digits grouped by single separators; a longer run (an IBAN, an order number) is not a PAN.
  for (const run of text.match(/\d(?:[\s\-\u00A0\u202F]?\d)*/g) ?? []) {
    const digits = run.replace(/\D/g, "");
    if (digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnSum(digits) % 10 === 0) return true;
  }
  return false;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

const ONLY_DIGITS = /^\d*$/;

/** Validates a SIREN (9 digits, Luhn key) and explains why it is rejected. */
export function explainSiren(s: string): Validation<"length" | "digits" | "checksum"> {
  const value = normalizeDigits(s);
  if (!ONLY_DIGITS.test(value)) return { ok: false, reason: "digits" };
  if (value.length !== 9) return { ok: false, reason: "length" };
  if (luhnSum(value) % 10 !== 0) return { ok: false, reason: "checksum" };
  return { ok: true, value };
}

/** True when `s` is a valid SIREN (9 digits, Luhn). */
export function isValidSiren(s: string): boolean {
  return explainSiren(s).ok;
}

/**
 * Validates a SIRET (14 digits: SIREN + 5-digit NIC) and explains why it is rejected.
 *
 * A SIRET passes the Luhn test over its 14 digits and its first 9 digits are a valid SIREN.
 * La Poste (SIREN 356000000) numbers its thousands of establishments with a different rule:
 * the sum of the 14 digits is a multiple of 5. Its head office (35600000000048) does pass Luhn,
 * so for La Poste either rule is accepted.
 */
export function explainSiret(s: string): Validation<"length" | "digits" | "checksum"> {
  const value = normalizeDigits(s);
  if (!ONLY_DIGITS.test(value)) return { ok: false, reason: "digits" };
  if (value.length !== 14) return { ok: false, reason: "length" };
  const siren = value.slice(0, 9);
  if (luhnSum(siren) % 10 !== 0) return { ok: false, reason: "checksum" };
  const passesLuhn = luhnSum(value) % 10 === 0;
  const passesLaPosteRule = siren === LA_POSTE_SIREN && digitSum(value) % 5 === 0;
  if (!passesLuhn && !passesLaPosteRule) return { ok: false, reason: "checksum" };
  return { ok: true, value };
}

/** True when `s` is a valid SIRET, La Poste establishments included. */
export function isValidSiret(s: string): boolean {
  return explainSiret(s).ok;
}

/** The SIREN part (first 9 digits) of a SIRET; separators are ignored. Does not validate. */
export function sirenFromSiret(siret: string): string {
  return normalizeDigits(siret).slice(0, 9);
}

/**
 * The 2-digit key of a French VAT number: (12 + 3 × (SIREN mod 97)) mod 97.
 * @throws RangeError when `siren` is not 9 digits.
 */
export function frenchVatKey(siren: string): string {
  const digits = normalizeDigits(siren);
  if (!/^\d{9}$/.test(digits)) throw new RangeError(`not a 9-digit SIREN: ${siren}`);
  // 9 digits stay far below 2^53, so plain number arithmetic is exact here.
  const key = (12 + 3 * (Number(digits) % 97)) % 97;
  return key.toString().padStart(2, "0");
}

/**
 * The French intra-community VAT number of a company: "FR" + key + SIREN.
 * @throws RangeError when `siren` is not a valid SIREN.
 */
export function frenchVatNumberFromSiren(siren: string): string {
  const checked = explainSiren(siren);
  if (!checked.ok) throw new RangeError(`invalid SIREN (${checked.reason}): ${siren}`);
  return `FR${frenchVatKey(checked.value)}${checked.value}`;
}

/**
 * Shape of the national part of the VAT number, per VIES prefix (after the 2-letter prefix).
 * Only the shape is checked (except the French key): national checksums vary and VIES is the
 * authority on whether a number is actually registered.
 */
const VAT_PATTERNS: Readonly<Record<string, RegExp>> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  // Greece uses "EL" in VIES, not its ISO code "GR".
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  // Key: 2 digits, or 2 characters (letters except I and O) for older / non-SIREN registrations.
  FR: /^[0-9A-HJ-NP-Z]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^[1-9]\d{1,9}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
  // Northern Ireland keeps EU VAT rules for goods under the Windsor Framework.
  XI: /^(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$/,
};

/** Normalises a VAT number as typed: no separators, upper case. */
export function normalizeVatNumber(s: string): string {
  return normalizeDigits(s).toUpperCase();
}

/**
 * Validates an EU intra-community VAT number (prefix "EL" for Greece, "XI" for Northern Ireland)
 * and explains why it is rejected. For France, a numeric key must match the SIREN; an alphabetic
 * key (older allocations) is accepted on shape alone since it cannot be recomputed.
 */
export function explainVatNumber(s: string): Validation<"country" | "format" | "checksum"> {
  const value = normalizeVatNumber(s);
  const pattern = VAT_PATTERNS[value.slice(0, 2)];
  if (pattern === undefined) return { ok: false, reason: "country" };
  const national = value.slice(2);
  if (!pattern.test(national)) return { ok: false, reason: "format" };
  if (value.startsWith("FR")) {
    const key = national.slice(0, 2);
    if (/^\d{2}$/.test(key) && key !== frenchVatKey(national.slice(2))) {
      return { ok: false, reason: "checksum" };
    }
  }
  return { ok: true, value };
}

/** True when `s` is a well-formed EU VAT number (French keys verified). */
export function isValidVatNumber(s: string): boolean {
  return explainVatNumber(s).ok;
}

/** Total IBAN length per country, from the SWIFT IBAN registry (SEPA and beyond). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29,
  BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29,
  ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20,
  LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19,
  MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29,
  PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24,
  SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
  YE: 30,
};

/** Normalises an IBAN as typed: upper case, no whitespace. */
export function normalizeIban(s: string): string {
  return s.replace(/[\s\u00A0\u202F\u2009]/g, "").toUpperCase();
}

/**
 * ISO 7064 MOD 97-10 remainder of the IBAN rearranged (first 4 characters moved to the end,
 * letters as 10..35), computed digit by digit so no number exceeds 97 × 100.
 */
function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const v = Number.parseInt(ch, 36);
    remainder = (remainder * (v >= 10 ? 100 : 10) + v) % 97;
  }
  return remainder;
}

/** Validates an IBAN (country length, shape, MOD 97) and explains why it is rejected. */
export function explainIban(s: string): Validation<"country" | "length" | "format" | "checksum"> {
  const value = normalizeIban(s);
  const expectedLength = IBAN_LENGTHS[value.slice(0, 2)];
  if (expectedLength === undefined) return { ok: false, reason: "country" };
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(value)) return { ok: false, reason: "format" };
  if (value.length !== expectedLength) return { ok: false, reason: "length" };
  if (ibanRemainder(value) !== 1) return { ok: false, reason: "checksum" };
  return { ok: true, value };
}

/** True when `s` is a valid IBAN. */
export function isValidIban(s: string): boolean {
  return explainIban(s).ok;
}

/** Prints an IBAN in groups of 4 characters, as on bank documents: "FR76 3000 6000 …". */
export function formatIban(s: string): string {
  return normalizeIban(s).replace(/(.{4})(?=.)/g, "$1 ");
}

/** ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which SWIFT uses in BICs. */
const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ " +
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS " +
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ " +
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV " +
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
    "VN VU WF WS YE YT ZA ZM ZW XK"
  ).split(" "),
);

/** Normalises a BIC as typed: upper case, no whitespace. */
export function normalizeBic(s: string): string {
  return s.replace(/[\s\u00A0\u202F\u2009]/g, "").toUpperCase();
}

/**
 * Validates a BIC (ISO 9362): 4-letter bank code, ISO country, 2-character location,
 * optional 3-character branch; 8 or 11 characters.
 */
export function explainBic(s: string): Validation<"length" | "format" | "country"> {
  const value = normalizeBic(s);
  if (value.length !== 8 && value.length !== 11) return { ok: false, reason: "length" };
  if (!/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value)) return { ok: false, reason: "format" };
  if (!ISO_COUNTRIES.has(value.slice(4, 6))) return { ok: false, reason: "country" };
  return { ok: true, value };
}

/** True when `s` is a well-formed BIC. */
export function isValidBic(s: string): boolean {
  return explainBic(s).ok;
}
