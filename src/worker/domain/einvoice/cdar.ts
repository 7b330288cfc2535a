/**
 * CDAR D22B lifecycle status messages (XP Z12-012 statuses 200–213, the "CDV" of DGFiP flux 6):
 * what Factumo sends through its Plateforme Agréée about an invoice (as buyer: 204–208, 210, 211;
 * as seller: 209, 212) and what it reads when a status arrives (any code, platform statuses too).
 *
 * Choices (why, not what):
 * - Guideline MDT-3 `urn.cpro.gouv.fr:1p0:CDV:invoice` and MDT-2 `REGULATED`: Factumo's statuses
 *   go to the counterparty through the PA; the PPF-only copy (`…:einvoicingF2`) is the PA's job.
 * - A status the PPF must receive (200, 210, 212, 213) names the PPF as a second recipient:
 *   `0238` / `0000` role DFH. BR-FR-CDV V1.4 calls the PPF 0000; the XP Z12-012 V1.3 examples
 *   still say 9998 (see ../shared/einvoice/README.md).
 * - TypeCode 305 for platform statuses (issuer role WK), 23 for a party's (issuer BY or SE with
 *   its SIREN, BR-FR-CDV-07). StatusCode (UNTDID 1373) from the annex B examples where they exist
 *   (200 10, 202 43, 203 48, 204 45, 205 1, 207 46, 211/212 47); the others are our reading of
 *   the code list within the values BR-FR-CDV-CL-05 allows per TypeCode [uncertain].
 * - Every SpecifiedDocumentStatus carries SequenceNumeric (BR-FR-CDV-16 since V1.4).
 * - Reason codes per status are the lists BR-FR-CDV-CL-09 enforces, so a status we build is never
 *   refused for its reason.
 */

import { isValidSiren } from "../identifiers.ts";
import { isIsoDate } from "../vat.ts";
import { el, formatAmount, formatDate102, formatPercentValue, leaf, renderXml, type XmlNode } from "./cii.ts";
import { all, first, readXml, textOf, type XNode } from "./xml-read.ts";

export const CDAR_GUIDELINE = "urn.cpro.gouv.fr:1p0:CDV:invoice";
export const CDAR_BUSINESS_PROCESS = "REGULATED";
/** The PPF as a recipient (scheme 0238, role DFH) in BR-FR-CDV V1.4. */
export const PPF_RECIPIENT_ID = "0000";

export const CDAR_CODES = [200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213] as const;
export type CdarCode = (typeof CDAR_CODES)[number];

export type CdarEmitter = "platform" | "buyer" | "seller";

export interface CdarStatusRule {
  /** MDT-106, the label written in the message. */
  label: string;
  emitter: CdarEmitter;
  /** Passed on to the tax administration (LEGAL.md §7). */
  mandatory: boolean;
  /** UNTDID 1373 MDT-88. */
  statusCode: string;
  /** Reason codes BR-FR-CDV-CL-09 accepts; a non-empty list means a reason is required (CDV-15). */
  reasonCodes: readonly string[];
}

const REASONS_210 = [
  "TX_TVA_ERR", "MONTANTTOTAL_ERR", "CALCUL_ERR", "NON_CONFORME", "DOUBLON", "DEST_ERR", "TRANSAC_INC",
  "EMMET_INC", "CONTRAT_TERM", "DOUBLE_FACT", "CMD_ERR", "ADR_ERR", "REF_CT_ABSENT",
] as const;
const REASONS_207 = [
  "AUTRE", "COORD_BANC_ERR", "TX_TVA_ERR", "MONTANTTOTAL_ERR", "CALCUL_ERR", "NON_CONFORME", "DOUBLON", "DEST_INC",
  "DEST_ERR", "TRANSAC_INC", "EMMET_INC", "CONTRAT_TERM", "DOUBLE_FACT", "CMD_ERR", "ADR_ERR", "SIRET_ERR",
  "CODE_ROUTAGE_ERR", "REF_CT_ABSENT", "REF_ERR", "PU_ERR", "REM_ERR", "QTE_ERR", "ART_ERR", "MODPAI_ERR",
  "QUALITE_ERR", "LIVR_INCOMP",
] as const;
const REASONS_206 = [
  "AUTRE", "CMD_ERR", "SIRET_ERR", "CODE_ROUTAGE_ERR", "REF_CT_ABSENT", "REF_ERR", "PU_ERR", "REM_ERR", "QTE_ERR",
  "ART_ERR", "MODPAI_ERR", "QUALITE_ERR", "LIVR_INCOMP",
] as const;
const REASONS_208 = ["JUSTIF_ABS", "COORD_BANC_ERR", "CMD_ERR", "SIRET_ERR", "CODE_ROUTAGE_ERR", "REF_CT_ABSENT", "REF_ERR"] as const;
const REASONS_213 = [
  "MONTANTTOTAL_ERR", "CALCUL_ERR", "DOUBLON", "DEST_INC", "ADR_ERR", "REJ_SEMAN", "REJ_UNI", "REJ_COH", "REJ_ADR",
  "REJ_CONT_B2G", "REJ_REF_PJ", "REJ_ASS_PJ",
] as const;

/** Every reason code of BR-FR-CDV V1.4 (any status), for reading what others send. */
export const ALL_REASON_CODES: readonly string[] = [
  ...new Set<string>([...REASONS_207, ...REASONS_206, ...REASONS_208, ...REASONS_210, ...REASONS_213, "NON_TRANSMISE", "ROUTAGE_ERR"]),
];

export const CDAR_RULES: Readonly<Record<CdarCode, CdarStatusRule>> = {
  200: { label: "Déposée", emitter: "platform", mandatory: true, statusCode: "10", reasonCodes: [] },
  201: { label: "Émise par la plateforme", emitter: "platform", mandatory: false, statusCode: "51", reasonCodes: [] },
  202: { label: "Reçue par la plateforme", emitter: "platform", mandatory: false, statusCode: "43", reasonCodes: [] },
  203: { label: "Mise à disposition", emitter: "platform", mandatory: false, statusCode: "48", reasonCodes: [] },
  204: { label: "Prise en charge", emitter: "buyer", mandatory: false, statusCode: "45", reasonCodes: [] },
  205: { label: "Approuvée", emitter: "buyer", mandatory: false, statusCode: "1", reasonCodes: [] },
  206: { label: "Approuvée partiellement", emitter: "buyer", mandatory: false, statusCode: "37", reasonCodes: REASONS_206 },
  207: { label: "En litige", emitter: "buyer", mandatory: false, statusCode: "46", reasonCodes: REASONS_207 },
  208: { label: "Suspendue", emitter: "buyer", mandatory: false, statusCode: "39", reasonCodes: REASONS_208 },
  209: { label: "Complétée", emitter: "seller", mandatory: false, statusCode: "50", reasonCodes: [] },
  210: { label: "Refusée", emitter: "buyer", mandatory: true, statusCode: "49", reasonCodes: REASONS_210 },
  211: { label: "Paiement transmis", emitter: "buyer", mandatory: false, statusCode: "47", reasonCodes: [] },
  212: { label: "Encaissée", emitter: "seller", mandatory: true, statusCode: "47", reasonCodes: [] },
  213: { label: "Rejetée", emitter: "platform", mandatory: true, statusCode: "8", reasonCodes: REASONS_213 },
};

export function isCdarCode(value: unknown): value is CdarCode {
  return typeof value === "number" && (CDAR_CODES as readonly number[]).includes(value);
}

export class CdarError extends Error {
  constructor(
    readonly code:
      | "bad_code"
      | "reason_required"
      | "bad_reason"
      | "amount_required"
      | "collected_required"
      | "bad_party"
      | "bad_invoice"
      | "unreadable",
    message: string,
  ) {
    super(message);
    this.name = "CdarError";
  }
}

export interface CdarParty {
  siren: string;
  name: string;
  /** Electronic address (scheme 0225) where the party receives statuses; defaults to the SIREN. */
  address?: string;
}

export interface CdarVatAmount {
  rateBasisPoints: number;
  /** Amount received including VAT, at this rate. */
  amountCents: number;
}

export interface CdarInput {
  code: CdarCode;
  invoice: {
    number: string;
    /** BT-2, YYYY-MM-DD. */
    issueDate: string;
    /** BT-3: 380 invoice, 381 credit note, 386 deposit invoice. */
    typeCode?: "380" | "381" | "386";
  };
  seller: CdarParty;
  buyer: CdarParty;
  /** When the status took effect (ms since epoch). */
  at: number;
  /** When the invoice was received / deposited (MDT-95), if known. */
  receivedAt?: number;
  reasonCode?: string;
  reason?: string;
  /** 211: the amount paid (MPA); 212 uses `collected`. */
  amountCents?: number;
  /** 211: the payment date, YYYY-MM-DD; defaults to the day of `at`. */
  paidOn?: string;
  /** 212: amount received per VAT rate (MEN, BR-FR-CDV-14). */
  collected?: readonly CdarVatAmount[];
}

/** `AAAAMMJJHHMMSS` (format 204) in UTC. */
export function formatDateTime204(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`bad timestamp ${ms}`);
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function checkParty(party: CdarParty, label: string): void {
  if (!isValidSiren(party.siren)) throw new CdarError("bad_party", `${label} SIREN is not a valid SIREN`);
  if (!party.name.trim()) throw new CdarError("bad_party", `${label} name is empty`);
  if (party.address !== undefined && !/^[A-Za-z0-9_\-.]{1,125}$/.test(party.address)) {
    throw new CdarError("bad_party", `${label} electronic address has characters a 0225 address cannot hold`);
  }
}

/**
 * Checks what the rules require before building: reason for 206/207/208/210/213 from the allowed
 * list, an amount for 211, a per-rate split for 212, valid SIRENs, an invoice number and date.
 * @throws CdarError
 */
export function checkCdarInput(input: CdarInput): void {
  if (!isCdarCode(input.code)) throw new CdarError("bad_code", `unknown status code ${String(input.code)}`);
  const rule = CDAR_RULES[input.code];
  const number = input.invoice.number.trim();
  if (!number || number.length > 100) throw new CdarError("bad_invoice", "invoice number must be 1 to 100 characters");
  if (!isIsoDate(input.invoice.issueDate)) throw new CdarError("bad_invoice", "invoice date must be YYYY-MM-DD");
  if (!Number.isFinite(input.at)) throw new CdarError("bad_invoice", "status time is not a timestamp");
  checkParty(input.seller, "seller");
  checkParty(input.buyer, "buyer");
  if (rule.reasonCodes.length) {
    if (!input.reasonCode) throw new CdarError("reason_required", `status ${input.code} needs a reason code`);
    if (!rule.reasonCodes.includes(input.reasonCode)) {
      throw new CdarError("bad_reason", `reason ${input.reasonCode} is not allowed for status ${input.code}`);
    }
  } else if (input.reasonCode !== undefined && !ALL_REASON_CODES.includes(input.reasonCode)) {
    throw new CdarError("bad_reason", `unknown reason code ${input.reasonCode}`);
  }
  if (input.reason !== undefined && input.reason.length > 1000) throw new CdarError("bad_reason", "reason longer than 1000 characters");
  if (input.code === 211) {
    if (input.amountCents === undefined || !Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) {
      throw new CdarError("amount_required", "status 211 needs the amount paid, in positive cents");
    }
    if (input.paidOn !== undefined && !isIsoDate(input.paidOn)) throw new CdarError("amount_required", "payment date must be YYYY-MM-DD");
  }
  if (input.code === 212) {
    const collected = input.collected ?? [];
    if (!collected.length) throw new CdarError("collected_required", "status 212 needs the amount received per VAT rate");
    const rates = new Set<number>();
    for (const line of collected) {
      if (!Number.isSafeInteger(line.amountCents) || line.amountCents <= 0) {
        throw new CdarError("collected_required", "each amount received must be positive cents");
      }
      if (!Number.isSafeInteger(line.rateBasisPoints) || line.rateBasisPoints < 0 || line.rateBasisPoints > 10_000) {
        throw new CdarError("collected_required", "bad VAT rate");
      }
      if (rates.has(line.rateBasisPoints)) throw new CdarError("collected_required", "one amount per VAT rate");
      rates.add(line.rateBasisPoints);
    }
  }
}

function recipientParty(party: CdarParty, role: "SE" | "BY"): XmlNode {
  return el("ram:RecipientTradeParty", [
    leaf("ram:GlobalID", party.siren, { schemeID: "0002" }),
    leaf("ram:Name", party.name.trim()),
    leaf("ram:RoleCode", role),
    el("ram:URIUniversalCommunication", [leaf("ram:URIID", party.address ?? party.siren, { schemeID: "0225" })]),
  ]);
}

function characteristics(input: CdarInput): XmlNode[] {
  if (input.code === 211 && input.amountCents !== undefined) {
    return [
      el("ram:SpecifiedDocumentCharacteristic", [
        leaf("ram:TypeCode", "MPA"),
        el("ram:ValueChangedIndicator", [leaf("udt:IndicatorString", "false")]),
        leaf("ram:ValueAmount", formatAmount(input.amountCents), { currencyID: "EUR" }),
        el("ram:ValueDateTime", [leaf("udt:DateTimeString", formatDate102(input.paidOn ?? isoDay(input.at)), { format: "102" })]),
      ]),
    ];
  }
  if (input.code === 212) {
    return [...(input.collected ?? [])]
      .sort((a, b) => b.rateBasisPoints - a.rateBasisPoints)
      .map((line) =>
        el("ram:SpecifiedDocumentCharacteristic", [
          leaf("ram:TypeCode", "MEN"),
          el("ram:ValueChangedIndicator", [leaf("udt:IndicatorString", "false")]),
          leaf("ram:ValueAmount", formatAmount(line.amountCents), { currencyID: "EUR" }),
          leaf("ram:ValuePercent", formatPercentValue(line.rateBasisPoints)),
        ]),
      );
  }
  return [];
}

/** MDT-4: number, status and time, `#` type and date, as in the annex B examples; ≤ 200 chars. */
export function cdarDocumentId(input: Pick<CdarInput, "code" | "invoice" | "at">): string {
  const safe = input.invoice.number.trim().replace(/[^\w\-./]/g, "_").slice(0, 100);
  return `${safe}_${input.code}_${formatDateTime204(input.at)}#${input.invoice.typeCode ?? "380"}_${formatDate102(input.invoice.issueDate)}`;
}

/**
 * Builds one CDAR message for one invoice.
 * @throws CdarError when the input breaks a rule (see checkCdarInput).
 */
export function buildCdar(input: CdarInput): string {
  checkCdarInput(input);
  const rule = CDAR_RULES[input.code];
  const typeCode = rule.emitter === "platform" ? "305" : "23";
  const issuer =
    rule.emitter === "platform"
      ? el("ram:IssuerTradeParty", [leaf("ram:RoleCode", "WK")])
      : (() => {
          const party = rule.emitter === "buyer" ? input.buyer : input.seller;
          return el("ram:IssuerTradeParty", [
            leaf("ram:GlobalID", party.siren, { schemeID: "0002" }),
            leaf("ram:Name", party.name.trim()),
            leaf("ram:RoleCode", rule.emitter === "buyer" ? "BY" : "SE"),
          ]);
        })();
  // The counterparty receives the status; a platform status goes to the seller (and, once the
  // invoice reached the buyer's platform, to the buyer too, as in the 202/203 examples).
  const recipients: XmlNode[] =
    rule.emitter === "buyer"
      ? [recipientParty(input.seller, "SE")]
      : rule.emitter === "seller"
        ? [recipientParty(input.buyer, "BY")]
        : [recipientParty(input.seller, "SE"), ...(input.code === 202 || input.code === 203 ? [recipientParty(input.buyer, "BY")] : [])];
  if (rule.mandatory) {
    recipients.push(
      el("ram:RecipientTradeParty", [
        leaf("ram:GlobalID", PPF_RECIPIENT_ID, { schemeID: "0238" }),
        leaf("ram:Name", "PPF"),
        leaf("ram:RoleCode", "DFH"),
      ]),
    );
  }
  const reason = input.reason?.trim();
  const details = characteristics(input);
  const status =
    input.reasonCode || reason || details.length
      ? el("ram:SpecifiedDocumentStatus", [
          leaf("ram:ReasonCode", input.reasonCode),
          leaf("ram:Reason", reason),
          leaf("ram:SequenceNumeric", "1"),
          ...details,
        ])
      : null;
  const root = el(
    "rsm:CrossDomainAcknowledgementAndResponse",
    [
      el("rsm:ExchangedDocumentContext", [
        el("ram:BusinessProcessSpecifiedDocumentContextParameter", [leaf("ram:ID", CDAR_BUSINESS_PROCESS)]),
        el("ram:GuidelineSpecifiedDocumentContextParameter", [leaf("ram:ID", CDAR_GUIDELINE)]),
      ]),
      el("rsm:ExchangedDocument", [
        leaf("ram:ID", cdarDocumentId(input)),
        leaf("ram:Name", `${rule.label} ${input.invoice.number.trim()}`.slice(0, 255)),
        el("ram:IssueDateTime", [leaf("udt:DateTimeString", formatDateTime204(input.at), { format: "204" })]),
        el("ram:SenderTradeParty", [leaf("ram:RoleCode", "WK")]),
        issuer,
        ...recipients,
      ]),
      el("rsm:AcknowledgementDocument", [
        el("ram:MultipleReferencesIndicator", [leaf("udt:Indicator", "false")]),
        leaf("ram:TypeCode", typeCode),
        el("ram:IssueDateTime", [leaf("udt:DateTimeString", formatDateTime204(input.at), { format: "204" })]),
        el("ram:ReferenceReferencedDocument", [
          leaf("ram:IssuerAssignedID", input.invoice.number.trim()),
          leaf("ram:StatusCode", rule.statusCode),
          leaf("ram:TypeCode", input.invoice.typeCode ?? "380"),
          input.receivedAt !== undefined
            ? el("ram:ReceiptDateTime", [leaf("udt:DateTimeString", formatDateTime204(input.receivedAt), { format: "204" })])
            : null,
          el("ram:FormattedIssueDateTime", [leaf("qdt:DateTimeString", formatDate102(input.invoice.issueDate), { format: "102" })]),
          leaf("ram:ProcessConditionCode", String(input.code)),
          leaf("ram:ProcessCondition", rule.label),
          el("ram:IssuerTradeParty", [leaf("ram:GlobalID", input.seller.siren, { schemeID: "0002" })]),
          status,
        ]),
      ]),
    ],
    {
      "xmlns:qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
      "xmlns:udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
      "xmlns:ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "xmlns:rsm": "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100",
    },
  );
  return renderXml(root);
}

// ---- reading ------------------------------------------------------------------------------------

export interface ParsedCdar {
  /** The numeric status (200–213, or another code a platform uses, e.g. 220). */
  code: number;
  label: string | null;
  /** BT-1 of the invoice the status is about. */
  invoiceNumber: string;
  /** BT-2, YYYY-MM-DD, or null when absent. */
  invoiceDate: string | null;
  /** SIREN of the invoice's seller (MDT-129). */
  sellerSiren: string | null;
  issuerRole: string | null;
  issuerSiren: string | null;
  /** When the status was set (MDT-78 else MDT-8), ms since epoch, or null. */
  at: number | null;
  reasonCode: string | null;
  reason: string | null;
  /** 211: MPA amount. */
  amountCents: number | null;
  /** 212: MEN amounts per rate. */
  collected: CdarVatAmount[];
}

function parse204(value: string | null): number | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?$/.exec(value) : null;
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return Number.isFinite(ms) ? ms : null;
}

function parse102(value: string | null): string | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})$/.exec(value) : null;
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : null;
  return iso && isIsoDate(iso) ? iso : null;
}

/**
 * A decimal amount ("120", "120.5", "-3.20") to integer cents; null when not a plain decimal with
 * at most 2 decimals or beyond 10^13 cents. No float on the way.
 */
export function parseDecimalCents(value: string | null): number | null {
  const m = value ? /^\s*([+-]?)(\d{1,13})(?:\.(\d{1,2})0*)?\s*$/.exec(value) : null;
  if (!m) return null;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? "").padEnd(2, "0") || "0");
  return m[1] === "-" ? -cents : cents;
}

/** "20" / "5.5" / "20.00" → basis points; null otherwise. */
export function parsePercentBasisPoints(value: string | null): number | null {
  const m = value ? /^\s*(\d{1,3})(?:\.(\d{1,2})0*)?\s*$/.exec(value) : null;
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0") || "0");
  return bp <= 10_000 ? bp : null;
}

function readStatusDetails(status: XNode | null): Pick<ParsedCdar, "reasonCode" | "reason" | "amountCents" | "collected"> {
  const chars = all(status, "SpecifiedDocumentCharacteristic");
  const mpa = chars.find((c) => textOf(c, "TypeCode") === "MPA");
  const collected: CdarVatAmount[] = [];
  for (const c of chars) {
    if (textOf(c, "TypeCode") !== "MEN") continue;
    const amountCents = parseDecimalCents(textOf(c, "ValueAmount"));
    const rateBasisPoints = parsePercentBasisPoints(textOf(c, "ValuePercent"));
    if (amountCents !== null && rateBasisPoints !== null) collected.push({ amountCents, rateBasisPoints });
  }
  return {
    reasonCode: textOf(status, "ReasonCode")?.slice(0, 50) ?? null,
    reason: textOf(status, "Reason")?.slice(0, 1000) ?? null,
    amountCents: mpa ? parseDecimalCents(textOf(mpa, "ValueAmount")) : null,
    collected,
  };
}

/**
 * Reads a CDAR message (first referenced document). Unknown elements are ignored; what a status
 * must have to mean anything (a numeric code and an invoice number) is required.
 * @throws CdarError("unreadable") for anything else, XmlReadError included.
 */
export function parseCdar(xml: string): ParsedCdar {
  let root: XNode;
  try {
    root = readXml(xml, { maxChars: 1_000_000, maxDepth: 32, maxElements: 20_000 });
  } catch (error) {
    throw new CdarError("unreadable", `not readable XML: ${(error as Error).message}`);
  }
  if (root.name !== "CrossDomainAcknowledgementAndResponse") throw new CdarError("unreadable", "not a CDAR message");
  const ack = first(root, "AcknowledgementDocument");
  const ref = first(ack, "ReferenceReferencedDocument");
  const codeText = textOf(ref, "ProcessConditionCode");
  const invoiceNumber = textOf(ref, "IssuerAssignedID");
  if (!codeText || !/^\d{3}$/.test(codeText) || !invoiceNumber) {
    throw new CdarError("unreadable", "a CDAR message needs a status code and an invoice number");
  }
  const issuer = first(root, "ExchangedDocument", "IssuerTradeParty");
  return {
    code: Number(codeText),
    label: textOf(ref, "ProcessCondition")?.slice(0, 100) ?? null,
    invoiceNumber: invoiceNumber.slice(0, 100),
    invoiceDate: parse102(textOf(ref, "FormattedIssueDateTime", "DateTimeString")),
    sellerSiren: textOf(ref, "IssuerTradeParty", "GlobalID")?.slice(0, 20) ?? null,
    issuerRole: textOf(issuer, "RoleCode")?.slice(0, 5) ?? null,
    issuerSiren: textOf(issuer, "GlobalID")?.slice(0, 20) ?? null,
    at: parse204(textOf(ack, "IssueDateTime", "DateTimeString")) ?? parse204(textOf(root, "ExchangedDocument", "IssueDateTime", "DateTimeString")),
    ...readStatusDetails(first(ref, "SpecifiedDocumentStatus")),
  };
}
