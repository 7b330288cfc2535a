// XML helpers of the stand-in PA (test/stand-ins/pa-server.mjs): read the facts a platform needs from
// an invoice (CII, UBL or Factur-X PDF) or a CDAR status message, and write the CDAR D22B messages a
// platform emits (200 Déposée, 201, 202, 203, 213 Rejetée) and the ones a simulated buyer posts.
// Plain Node, no dependency on the Worker: a real PA is not our code either. Every CDAR written here
// passes ../shared/einvoice/validate.mjs (test/integration/pa-standin.test.ts checks it).
import { inflateSync } from "node:zlib";

/** Status codes of XP Z12-012 with their French labels (PA-API.md §4). */
export const STATUS_LABELS = {
  200: "Déposée",
  201: "Émise par la plateforme",
  202: "Reçue par la plateforme",
  203: "Mise à disposition",
  204: "Prise en charge",
  205: "Approuvée",
  206: "Approuvée partiellement",
  207: "En litige",
  208: "Suspendue",
  209: "Complétée",
  210: "Refusée",
  211: "Paiement transmis",
  212: "Encaissée",
  213: "Rejetée",
};

/** UNTDID 1373 code (MDT-88) and message type (MDT-77) per status: annex B examples, else as domain/einvoice/cdar.ts reads the code list. */
const STATUS_CODES = {
  200: ["305", "10"],
  201: ["305", "51"],
  202: ["305", "43"],
  203: ["305", "48"],
  213: ["305", "8"],
  204: ["23", "45"],
  205: ["23", "1"],
  206: ["23", "37"],
  207: ["23", "46"],
  208: ["23", "39"],
  209: ["23", "50"],
  210: ["23", "49"],
  211: ["23", "47"],
  212: ["23", "47"],
};

/** Who may emit a status: the platforms (PA-E/PA-R), the buyer or the seller. */
export const STATUS_EMITTER = {
  200: "platform",
  201: "platform",
  202: "platform",
  203: "platform",
  213: "platform",
  204: "buyer",
  205: "buyer",
  206: "buyer",
  207: "buyer",
  208: "buyer",
  210: "buyer",
  211: "buyer",
  209: "seller",
  212: "seller",
};

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]);
const unesc = (s) => s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e) => ({ lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" })[e] ?? (e[1] === "x" || e[1] === "X" ? String.fromCodePoint(parseInt(e.slice(2), 16)) : String.fromCodePoint(Number(e.slice(1)))));

/**
 * True when `xml` is well-formed enough for a platform to read: one root, balanced tags, attributes
 * quoted. Not a full XML parser; a stand-in check for the "InvalidSchema" acknowledgement.
 */
export function isWellFormed(xml) {
  const body = xml.replace(/^\uFEFF/, "").replace(/<\?[\s\S]*?\?>/g, "").replace(/<!--[\s\S]*?-->/g, "").replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "");
  const stack = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let last = 0;
  let m;
  while ((m = tag.exec(body))) {
    if (body.slice(last, m.index).includes("<")) return false;
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (close) {
      if (stack.pop() !== name) return false;
    } else if (!selfClose) {
      if (stack.length === 0) roots += 1;
      stack.push(name);
    } else if (stack.length === 0) roots += 1;
  }
  if (body.slice(last).includes("<")) return false;
  return stack.length === 0 && roots === 1;
}

/** The local name of the root element. */
export function rootName(xml) {
  const m = xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, "").match(/<(?:[\w.-]+:)?([\w.-]+)[\s>/]/);
  return m?.[1] ?? null;
}

/** The inner text of the first element named `name` (any prefix) inside `xml`, or null. */
function block(xml, name) {
  if (xml == null) return null;
  const m = xml.match(new RegExp(`<(?:[\\w.-]+:)?${name}(\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`));
  return m ? m[2] : null;
}

/** Every block named `name`, with its attributes. */
function blocks(xml, name) {
  if (xml == null) return [];
  const re = new RegExp(`<(?:[\\w.-]+:)?${name}(\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`, "g");
  return [...xml.matchAll(re)].map((m) => ({ attrs: m[1] ?? "", body: m[2] }));
}

/** Text of a path of element names, e.g. path(xml, "SellerTradeParty", "Name"). */
function path(xml, ...names) {
  let cur = xml;
  for (const n of names) cur = block(cur, n);
  return cur == null ? null : unesc(cur.replace(/<[^>]+>/g, "").trim());
}

/** Text of the first `name` element with the attribute `schemeID="scheme"` inside `xml`. */
function withScheme(xml, name, scheme) {
  const hit = blocks(xml, name).find((b) => new RegExp(`schemeI[Dd]\\s*=\\s*["']${scheme}["']`).test(b.attrs));
  return hit ? unesc(hit.body.trim()) : null;
}

/** YYYYMMDD or YYYY-MM-DD → YYYY-MM-DD. */
function isoDate(s) {
  if (!s) return null;
  const d = s.replace(/-/g, "").trim();
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : null;
}

/**
 * The factur-x.xml (or any embedded XML) attached to a PDF, or null. Embedded files are streams of
 * /Type /EmbeddedFile, usually FlateDecode: found by scanning the objects, which needs no PDF library.
 */
export function embeddedXml(pdf) {
  const text = pdf.toString("latin1");
  const re = /<<((?:(?!>>\s*stream)[\s\S])*?\/Type\s*\/EmbeddedFile[\s\S]*?)>>\s*stream\r?\n/g;
  let m;
  while ((m = re.exec(text))) {
    const dict = m[1];
    const start = m.index + m[0].length;
    const lenMatch = dict.match(/\/Length\s+(\d+)(?!\s+\d+\s+R)/);
    const end = lenMatch ? start + Number(lenMatch[1]) : text.indexOf("endstream", start);
    let bytes = pdf.subarray(start, end);
    if (/\/FlateDecode/.test(dict)) {
      try {
        bytes = inflateSync(bytes);
      } catch {
        continue;
      }
    }
    const xml = bytes.toString("utf8");
    if (/^\s*(\uFEFF)?\s*</.test(xml)) return xml;
  }
  return null;
}

/** What an invoice file is: its XML (Factur-X: the embedded one) and its syntax, or null. */
export function invoiceXml(bytes) {
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return embeddedXml(bytes);
  return bytes.toString("utf8");
}

/**
 * The facts a platform reads from an invoice: BT-1, BT-2, BT-3, seller SIREN (BT-30) and name,
 * buyer SIREN (BT-47) and address (BT-49), the total with VAT (BT-112) and the currency.
 */
export function invoiceFacts(xml) {
  const root = rootName(xml);
  if (root === "CrossIndustryInvoice") {
    const doc = block(xml, "ExchangedDocument");
    const seller = block(xml, "SellerTradeParty");
    const buyer = block(xml, "BuyerTradeParty");
    const summation = block(xml, "SpecifiedTradeSettlementHeaderMonetarySummation");
    return {
      syntax: "CII",
      number: path(doc, "ID"),
      issueDate: isoDate(path(doc, "IssueDateTime", "DateTimeString")),
      typeCode: path(doc, "TypeCode") ?? "380",
      sellerSiren: withScheme(block(seller, "SpecifiedLegalOrganization"), "ID", "0002"),
      sellerName: path(seller, "Name"),
      buyerSiren: withScheme(block(buyer, "SpecifiedLegalOrganization"), "ID", "0002"),
      buyerName: path(buyer, "Name"),
      buyerAddress: withScheme(block(buyer, "URIUniversalCommunication"), "URIID", "0225"),
      totalWithVat: path(summation, "GrandTotalAmount"),
      currency: path(block(xml, "ApplicableHeaderTradeSettlement"), "InvoiceCurrencyCode"),
    };
  }
  if (root === "Invoice" || root === "CreditNote") {
    const seller = block(xml, "AccountingSupplierParty");
    const buyer = block(xml, "AccountingCustomerParty");
    const head = xml.replace(/<cac:[\s\S]*$/, "");
    return {
      syntax: "UBL",
      number: path(head, "ID"),
      issueDate: isoDate(path(head, "IssueDate")),
      typeCode: path(head, root === "Invoice" ? "InvoiceTypeCode" : "CreditNoteTypeCode") ?? (root === "Invoice" ? "380" : "381"),
      sellerSiren: withScheme(block(seller, "PartyLegalEntity"), "CompanyID", "0002"),
      sellerName: path(block(seller, "PartyLegalEntity"), "RegistrationName"),
      buyerSiren: withScheme(block(buyer, "PartyLegalEntity"), "CompanyID", "0002"),
      buyerName: path(block(buyer, "PartyLegalEntity"), "RegistrationName"),
      buyerAddress: withScheme(buyer, "EndpointID", "0225"),
      totalWithVat: path(block(xml, "LegalMonetaryTotal"), "TaxInclusiveAmount"),
      currency: path(head, "DocumentCurrencyCode"),
    };
  }
  return null;
}

/** The facts of a CDAR status message: which invoice, which status, by whom, why, and amounts. */
export function cdarFacts(xml) {
  if (rootName(xml) !== "CrossDomainAcknowledgementAndResponse") return null;
  const ref = block(xml, "ReferenceReferencedDocument");
  const issuer = block(block(xml, "ExchangedDocument"), "IssuerTradeParty");
  const status = block(ref, "SpecifiedDocumentStatus");
  const chars = blocks(status, "SpecifiedDocumentCharacteristic").map((c) => ({
    typeCode: path(c.body, "TypeCode"),
    amount: path(c.body, "ValueAmount"),
    percent: path(c.body, "ValuePercent"),
  }));
  const code = Number(path(ref, "ProcessConditionCode"));
  return {
    code: Number.isInteger(code) ? code : null,
    number: path(ref, "IssuerAssignedID"),
    issueDate: isoDate(path(ref, "FormattedIssueDateTime", "DateTimeString")),
    sellerSiren: withScheme(block(ref, "IssuerTradeParty"), "GlobalID", "0002"),
    issuerSiren: withScheme(issuer, "GlobalID", "0002"),
    issuerRole: path(issuer, "RoleCode"),
    reasonCode: path(status, "ReasonCode"),
    reason: path(status, "Reason"),
    characteristics: chars,
  };
}

const stamp204 = (d) => d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
const ymd = (iso) => iso.replace(/-/g, "");

/**
 * A CDAR D22B status message (guideline urn.cpro.gouv.fr:1p0:CDV:invoice, REGULATED).
 * @param {{ code: number, invoice: { number: string, issueDate: string, typeCode?: string, sellerSiren: string, sellerName?: string, buyerSiren?: string|null, buyerName?: string|null },
 *   issuer: "platform" | "buyer" | "seller", recipient: "seller" | "buyer", at?: Date, receivedAt?: Date,
 *   reasonCode?: string|null, reason?: string|null, amounts?: Array<{ amount: string, percent: string }> }} s
 */
export function buildCdar(s) {
  const at = s.at ?? new Date();
  const [typeCode, statusCode] = STATUS_CODES[s.code] ?? ["23", "1"];
  const inv = s.invoice;
  const party = (siren, name, role, withUri) => `
      <ram:GlobalID schemeID="0002">${esc(siren)}</ram:GlobalID>
      <ram:Name>${esc(name || siren)}</ram:Name>
      <ram:RoleCode>${role}</ram:RoleCode>${withUri ? `
      <ram:URIUniversalCommunication>
        <ram:URIID schemeID="0225">${esc(siren)}</ram:URIID>
      </ram:URIUniversalCommunication>` : ""}`;
  const issuerXml =
    s.issuer === "platform"
      ? "<ram:RoleCode>WK</ram:RoleCode>"
      : s.issuer === "buyer"
        ? party(inv.buyerSiren ?? "", inv.buyerName, "BY", false)
        : party(inv.sellerSiren, inv.sellerName, "SE", false);
  const recipientXml = s.recipient === "seller" ? party(inv.sellerSiren, inv.sellerName, "SE", true) : party(inv.buyerSiren ?? "", inv.buyerName, "BY", true);
  const needsStatus = s.reasonCode || s.amounts?.length;
  const statusXml = needsStatus
    ? `
        <ram:SpecifiedDocumentStatus>${s.reasonCode ? `
          <ram:ReasonCode>${esc(s.reasonCode)}</ram:ReasonCode>
          <ram:Reason>${esc(s.reason || s.reasonCode)}</ram:Reason>` : ""}
          <ram:SequenceNumeric>1</ram:SequenceNumeric>${(s.amounts ?? [])
            .map(
              (a) => `
          <ram:SpecifiedDocumentCharacteristic>
            <ram:TypeCode>${s.code === 211 ? "MPA" : "MEN"}</ram:TypeCode>
            <ram:ValueChangedIndicator>
              <udt:IndicatorString>false</udt:IndicatorString>
            </ram:ValueChangedIndicator>
            <ram:ValueAmount currencyID="EUR">${esc(a.amount)}</ram:ValueAmount>${a.percent != null ? `
            <ram:ValuePercent>${esc(a.percent)}</ram:ValuePercent>` : ""}
          </ram:SpecifiedDocumentCharacteristic>`,
            )
            .join("")}
        </ram:SpecifiedDocumentStatus>`
    : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100">
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter>
      <ram:ID>REGULATED</ram:ID>
    </ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>${esc(`${inv.number}_${s.code}_${stamp204(at)}`)}</ram:ID>
    <ram:Name>${esc(`CDV-${s.code}-${inv.number}`)}</ram:Name>
    <ram:IssueDateTime>
      <udt:DateTimeString format="204">${stamp204(at)}</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:SenderTradeParty>
      <ram:RoleCode>WK</ram:RoleCode>
    </ram:SenderTradeParty>
    <ram:IssuerTradeParty>${s.issuer === "platform" ? `
      ${issuerXml}` : issuerXml}
    </ram:IssuerTradeParty>
    <ram:RecipientTradeParty>${recipientXml}
    </ram:RecipientTradeParty>
  </rsm:ExchangedDocument>
  <rsm:AcknowledgementDocument>
    <ram:MultipleReferencesIndicator>
      <udt:Indicator>false</udt:Indicator>
    </ram:MultipleReferencesIndicator>
    <ram:TypeCode>${typeCode}</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="204">${stamp204(at)}</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:ReferenceReferencedDocument>
      <ram:IssuerAssignedID>${esc(inv.number)}</ram:IssuerAssignedID>
      <ram:StatusCode>${statusCode}</ram:StatusCode>
      <ram:TypeCode>${esc(inv.typeCode ?? "380")}</ram:TypeCode>
      <ram:ReceiptDateTime>
        <udt:DateTimeString format="204">${stamp204(s.receivedAt ?? at)}</udt:DateTimeString>
      </ram:ReceiptDateTime>
      <ram:FormattedIssueDateTime>
        <qdt:DateTimeString format="102">${ymd(inv.issueDate)}</qdt:DateTimeString>
      </ram:FormattedIssueDateTime>
      <ram:ProcessConditionCode>${s.code}</ram:ProcessConditionCode>
      <ram:ProcessCondition>${esc(STATUS_LABELS[s.code] ?? String(s.code))}</ram:ProcessCondition>
      <ram:IssuerTradeParty>
        <ram:GlobalID schemeID="0002">${esc(inv.sellerSiren)}</ram:GlobalID>
      </ram:IssuerTradeParty>${statusXml}
    </ram:ReferenceReferencedDocument>
  </rsm:AcknowledgementDocument>
</rsm:CrossDomainAcknowledgementAndResponse>
`;
}

/** The e-reporting family of an FRR file, from its content (PA-API.md §2 flowType). */
export function reportFlowType(xml) {
  if (rootName(xml) !== "Report") return null;
  const tx = block(xml, "TransactionsReport");
  if (tx != null) {
    // 10.1 (per invoice) and 10.3 (aggregated) may travel in one file (TB-2): then it is a MultiFlowReport.
    const unitary = /<(?:[\w.-]+:)?Invoice[\s>]/.test(tx);
    const aggregated = /<(?:[\w.-]+:)?Transactions[\s>]/.test(tx);
    return unitary && aggregated ? "MultiFlowReport" : unitary ? "UnitaryCustomerTransactionReport" : "AggregatedCustomerTransactionReport";
  }
  const pay = block(xml, "PaymentsReport");
  if (pay != null) {
    const unitary = /<(?:[\w.-]+:)?Invoice[\s>]/.test(pay);
    const aggregated = /<(?:[\w.-]+:)?Transactions[\s>]/.test(pay);
    return unitary && aggregated ? "MultiFlowReport" : unitary ? "UnitaryCustomerPaymentReport" : "AggregatedCustomerPaymentReport";
  }
  return null;
}

/** True for a 9-digit SIREN with a valid Luhn key. */
export function isSiren(s) {
  if (!/^\d{9}$/.test(String(s))) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(s[8 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A minimal readable view of an invoice (the PA must be able to produce one: docType ReadableView). */
export function readableView(facts) {
  const rows = Object.entries(facts ?? {})
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v ?? "")}</td></tr>`)
    .join("");
  return `<!doctype html><html lang="fr"><meta charset="utf-8"><title>Facture ${esc(facts?.number ?? "")}</title><table>${rows}</table></html>`;
}
