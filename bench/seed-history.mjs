// Bulk history for the account-size bench: issuing 100 000 invoices through the numbering Durable
// Object (PDF, XML, R2, audit chain) would take hours, and list pages and the dashboard only read
// rows, so realistic issued documents are written as SQL and loaded with
// `wrangler d1 execute DB --local --file` (the way test/integration/budgets.test.ts seeds, in bulk):
//   - several clients (one per 25 invoices, at least 5), five cities;
//   - invoices spread over the years before today, one gapless series per year (F-YYYY-NNNNN);
//   - 1 to 3 lines each, mixed VAT: 20 %, 10 %, 5.5 % and an exempt line (VATEX-EU-132);
//   - paid by transfer 10 to 58 days after issue (payments rows: the triggers update the lists), so
//     what is still open is the last weeks' invoices plus 0.5 % bad debts and 2 % paid by half,
//     5 % credited by a credit note (AV-YYYY-NNNNN) a week later;
//   - monthly_totals (the dashboard's per-month aggregate) consistent with the above.
// Lines go in before their document (the immutability triggers refuse lines of an issued one).
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";

const id = () => randomBytes(16).toString("base64url").slice(0, 22);
const q = (v) => (v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const CITIES = [
  ["Paris", "75011"],
  ["Lyon", "69003"],
  ["Nantes", "44000"],
  ["Lille", "59000"],
  ["Bordeaux", "33000"],
];
const RATES = [
  { category: "S", bp: 2000, exemption: null },
  { category: "S", bp: 1000, exemption: null },
  { category: "S", bp: 550, exemption: null },
  { category: "E", bp: 0, exemption: "VATEX-EU-132" },
];
const DAY = 86_400_000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** Buffers rows per table and writes multi-row INSERTs of `perStatement` rows. */
class SqlWriter {
  constructor(file) {
    this.out = createWriteStream(file);
    this.pending = new Map();
  }
  row(table, row) {
    let list = this.pending.get(table);
    if (!list) this.pending.set(table, (list = []));
    list.push(row);
    if (list.length < 200) return;
    // A document's lines must be in before the document (immutability triggers).
    if (table === "documents") this.flush("document_lines");
    this.flush(table);
  }
  flush(table) {
    const list = this.pending.get(table);
    if (!list?.length) return;
    const cols = Object.keys(list[0]);
    this.out.write(`INSERT INTO ${table} (${cols.join(",")}) VALUES\n${list.map((r) => `(${cols.map((c) => q(r[c])).join(",")})`).join(",\n")};\n`);
    list.length = 0;
  }
  async close(order) {
    for (const t of order) this.flush(t);
    await new Promise((resolve, reject) => this.out.end((err) => (err ? reject(err) : resolve())));
  }
}

/**
 * Writes the SQL for `invoices` issued invoices (plus payments and credit notes) of `accountId` to
 * `file`, spread over `years` years ending yesterday. Returns counts and one invoice id.
 */
export async function writeHistorySql(file, accountId, { invoices, years = 5, now = Date.now() }) {
  const w = new SqlWriter(file);
  const end = now - DAY;
  const start = end - years * 365 * DAY;
  const clientCount = Math.max(5, Math.ceil(invoices / 25));
  const clientIds = [];
  for (let i = 0; i < clientCount; i++) {
    const [city, postalCode] = CITIES[i % CITIES.length];
    const name = `Client ${String(i).padStart(5, "0")} ${i % 3 === 0 ? "SARL" : "SAS"}`;
    const cid = id();
    clientIds.push(cid);
    w.row("clients", {
      id: cid,
      account_id: accountId,
      kind: "company",
      name,
      search_name: name.toLowerCase(),
      address_line1: `${i + 1} rue du Commerce`,
      postal_code: postalCode,
      city,
      country: "FR",
      email: `compta${i}@client.example`,
      language: "fr",
      created_at: start + i * 60_000,
      updated_at: start + i * 60_000,
    });
  }
  w.flush("clients");
  const seqs = new Map();
  const next = (series) => {
    const n = (seqs.get(series) ?? 0) + 1;
    seqs.set(series, n);
    return n;
  };
  const months = new Map();
  const addMonth = (month, invoiced, received) => {
    const m = months.get(month) ?? { invoiced: 0, received: 0 };
    m.invoiced += invoiced;
    m.received += received;
    months.set(month, m);
  };
  const payments = [];
  const credits = [];
  let sampleId = null;
  for (let i = 0; i < invoices; i++) {
    const at = start + Math.floor(((end - start) * i) / invoices);
    const day = isoDay(at);
    const year = day.slice(0, 4);
    const docId = id();
    sampleId ??= docId;
    const clientId = clientIds[(i * 7) % clientIds.length];
    let ht = 0;
    let vat = 0;
    const count = 1 + (i % 3);
    for (let p = 0; p < count; p++) {
      const rate = RATES[(i + p) % RATES.length];
      const qty = 1 + ((i * 7 + p) % 5);
      const price = 2_500 + ((i * 131 + p * 17) % 90) * 500;
      const net = qty * price;
      ht += net;
      vat += Math.floor((net * rate.bp + 5_000) / 10_000);
      w.row("document_lines", {
        id: id(),
        account_id: accountId,
        document_id: docId,
        position: p,
        description: `Prestation ${p + 1} — lot ${i}`,
        quantity: String(qty),
        unit_code: p % 2 ? "HUR" : "C62",
        unit_price_cents: price,
        vat_category: rate.category,
        vat_rate_bp: rate.bp,
        exemption_code: rate.exemption,
        kind: "service",
      });
    }
    const ttc = ht + vat;
    w.row("documents", {
      id: docId,
      account_id: accountId,
      type: "invoice",
      status: "issued",
      number: `F-${year}-${String(next(`invoice:${year}`)).padStart(5, "0")}`,
      series_id: `invoice:${year}`,
      client_id: clientId,
      issue_date: day,
      due_date: isoDay(at + 30 * DAY),
      payment_terms_days: 30,
      tax_exclusive_cents: ht,
      vat_total_cents: vat,
      tax_inclusive_cents: ttc,
      due_cents: ttc,
      issued_at: at,
      created_at: at,
      updated_at: at,
    });
    addMonth(day.slice(0, 7), ttc, 0);
    // Clients pay 10 to 58 days after issue (some after the 30-day due date); one invoice in 200 is
    // never paid (a bad debt) and one in 50 only half, so old unpaid items exist without being the norm.
    const paidAt = at + (10 + (i % 7) * 8) * DAY;
    if (i % 20 === 7) credits.push({ docId, clientId, at: Math.min(at + 7 * DAY, end), ht, vat, ttc });
    else if (i % 200 !== 3 && paidAt < end) payments.push({ docId, clientId, at: paidAt, amount: i % 50 === 11 ? Math.floor(ttc / 2) : ttc });
  }
  w.flush("document_lines");
  w.flush("documents");
  for (const c of credits) {
    const day = isoDay(c.at);
    const year = day.slice(0, 4);
    w.row("documents", {
      id: id(),
      account_id: accountId,
      type: "credit_note",
      status: "issued",
      number: `AV-${year}-${String(next(`credit_note:${year}`)).padStart(5, "0")}`,
      series_id: `credit_note:${year}`,
      client_id: c.clientId,
      issue_date: day,
      preceding_document_id: c.docId,
      tax_exclusive_cents: c.ht,
      vat_total_cents: c.vat,
      tax_inclusive_cents: c.ttc,
      due_cents: c.ttc,
      issued_at: c.at,
      created_at: c.at,
      updated_at: c.at,
    });
    addMonth(day.slice(0, 7), -c.ttc, 0);
  }
  w.flush("documents");
  for (const p of payments) {
    const day = isoDay(p.at);
    w.row("payments", {
      id: id(),
      account_id: accountId,
      document_id: p.docId,
      client_id: p.clientId,
      received_on: day,
      amount_cents: p.amount,
      method: "virement",
      reference: null,
      created_at: p.at,
    });
    addMonth(day.slice(0, 7), 0, p.amount);
  }
  w.flush("payments");
  for (const [month, m] of months) w.row("monthly_totals", { account_id: accountId, month, invoiced_cents: m.invoiced, received_cents: m.received });
  await w.close(["clients", "document_lines", "documents", "payments", "monthly_totals"]);
  return { clients: clientCount, invoices, creditNotes: credits.length, payments: payments.length, sampleId };
}
