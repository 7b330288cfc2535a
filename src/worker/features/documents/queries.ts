import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import { searchKey } from "../clients/search";
import { documents, issueLog, retentionPurges } from "../../db/schema";
import { type ChainEntry, verifyChain } from "../../domain/audit-chain";
import { documentContentHash } from "../../domain/audit-chain";
import { AppError } from "../../http/errors";
import { base64UrlDecode, base64UrlEncode, utf8Bytes } from "../../lib/crypto/random";
import { invoiceStatus, type InvoiceStatus, outstandingCents } from "../../domain/invoice-status";
import { type AccountVerbCtx, type DocumentRow, type DocumentType, todayInParis } from "./drafts";
import { quoteDisplayStatus } from "./quotes";

export const PAGE_SIZE = 25;

/** Every status a list can be filtered on: the invoice tabs, then the quote tabs. */
export const LIST_STATUSES = ["draft", "issued", "partially_paid", "paid", "overdue", "cancelled", "sent", "accepted", "refused", "expired"] as const;
export type ListStatus = (typeof LIST_STATUSES)[number];

/** What a row shows as its status: the stored one, or the derived one (invoice payment state, quote expiry). */
export type DisplayStatus = DocumentRow["status"] | InvoiceStatus | "invoiced";

export interface ListQuery {
  types: DocumentType[];
  status?: ListStatus | undefined;
  /** Prefix of the document number, or of the client's name (accent- and case-insensitive). */
  q?: string | undefined;
  cursor?: string | undefined;
  limit?: number;
}

/** Keyset cursor over (created_at, id), shared by every newest-first list. */
export function encodeCursor(createdAt: number, id: string): string {
  return base64UrlEncode(utf8Bytes(`${createdAt}:${id}`));
}

export function decodeCursor(ctx: AccountVerbCtx, cursor: string): { createdAt: number; id: string } {
  try {
    const [at, id] = new TextDecoder().decode(base64UrlDecode(cursor)).split(":");
    const createdAt = Number(at);
    if (!Number.isSafeInteger(createdAt) || !id) throw new Error("cursor");
    return { createdAt, id };
  } catch {
    throw new AppError("invalid", ctx.t("err.unexpected"), { cursor: "invalid cursor" });
  }
}

/**
 * One arm of a list: the documents of one type in one stored list state (documents.list_state),
 * optionally split by today on documents.date_key ("before": overdue / expired; "from": not yet).
 * No state: every document of the type.
 */
export interface ListArm {
  type: DocumentType;
  state?: string;
  when?: "before" | "from";
}

const INVOICE_TYPES: readonly DocumentType[] = ["invoice", "deposit_invoice"];

/**
 * The arms a status filter is made of. Derived statuses follow domain/invoice-status.ts: issued ⇔
 * open (nothing received) and not past due; partially paid ⇔ partial and not past due; overdue ⇔
 * open or partial and past due; paid ⇔ received ≥ asked. Issued credit notes show under "issued".
 */
export function listArms(types: readonly DocumentType[], status: ListStatus | undefined): ListArm[] {
  const arms: ListArm[] = [];
  for (const type of types) {
    const invoice = INVOICE_TYPES.includes(type);
    const quote = type === "quote";
    switch (status) {
      case undefined:
        arms.push({ type });
        break;
      case "draft":
      case "cancelled":
        arms.push({ type, state: status });
        break;
      case "issued":
        if (invoice) arms.push({ type, state: "open", when: "from" });
        if (type === "credit_note") arms.push({ type, state: "issued" });
        break;
      case "partially_paid":
        if (invoice) arms.push({ type, state: "partial", when: "from" });
        break;
      case "paid":
        if (invoice) arms.push({ type, state: "paid" });
        break;
      case "overdue":
        if (invoice) arms.push({ type, state: "open", when: "before" }, { type, state: "partial", when: "before" });
        break;
      case "sent":
        if (quote) arms.push({ type, state: "sent", when: "from" });
        break;
      case "accepted":
      case "refused":
        if (quote) arms.push({ type, state: status });
        break;
      case "expired":
        if (quote) arms.push({ type, state: "expired" }, { type, state: "sent", when: "before" });
        break;
    }
  }
  return arms;
}

/** The values documents.list_state takes, per type (the stored statuses, issued invoices split by payment). */
const STATES_OF: Record<DocumentType, readonly string[]> = {
  invoice: ["draft", "open", "partial", "paid", "cancelled"],
  deposit_invoice: ["draft", "open", "partial", "paid", "cancelled"],
  credit_note: ["draft", "issued", "cancelled"],
  quote: ["draft", "sent", "accepted", "refused", "expired", "cancelled"],
};
const KNOWN_STATES = new Set(Object.values(STATES_OF).flat());

/** The tally bucket holding every document of a state (level 16 of the dyadic tree, db/schema/tallies.ts). */
export const ALL_DAYS_BUCKET = 16 * 65_536;

/**
 * The tally buckets whose union is "date_key from `today` on" (day numbers [t, 2^16)): walking up
 * from t, each level whose bit is set in the running start x takes the node (L, x >> L), which
 * covers [x, x + 2^L), and moves x past it. At most 16 nodes, and only those holding documents not
 * yet due (or with no date) exist: "before today" is the level-16 row minus these, so what a split
 * reads follows the open receivables, not the history.
 */
export function bucketsFrom(today: string): number[] {
  let x = Math.round(Date.parse(`${today}T00:00:00Z`) / 86_400_000);
  if (x <= 0) return [ALL_DAYS_BUCKET];
  const out: number[] = [];
  for (let level = 0; level < 16 && x < 65_536; level++) {
    if ((x >> level) & 1) {
      out.push(level * 65_536 + (x >> level));
      x += 2 ** level;
    }
  }
  return out;
}

const signedTotalSql = sql`CASE WHEN documents.type = 'credit_note' THEN -documents.tax_inclusive_cents ELSE documents.tax_inclusive_cents END`;
const outstandingSql = sql`CASE WHEN documents.list_state IN ('open', 'partial') THEN MAX(0, documents.due_cents - documents.credited_cents) - documents.paid_cents ELSE 0 END`;

interface ArmFilter {
  accountId: string;
  today: string;
  after?: { createdAt: number; id: string } | null;
}

/** What puts a row in an arm (columns of documents, optionally qualified by an alias). */
function armCondition(arm: ListArm, today: string, alias = ""): SQL {
  const col = (name: string) => sql.raw(`${alias}${name}`);
  const conditions: SQL[] = [sql`${col("type")} = ${arm.type}`];
  if (arm.state) conditions.push(sql`${col("list_state")} = ${arm.state}`);
  if (arm.when === "before") conditions.push(sql`${col("date_key")} < ${today}`);
  if (arm.when === "from") conditions.push(sql`${col("date_key")} >= ${today}`);
  return sql`(${sql.join(conditions, sql` AND `)})`;
}

/** What a list row shows: read once, in the arm (the arm reads the row anyway). */
const ARM_COLUMNS = sql.raw(
  "id, type, status, number, issue_date, due_date, valid_until, sent_at, tax_exclusive_cents, tax_inclusive_cents, due_cents, paid_cents, credited_cents, created_at, client_id",
);

/** How many documents an arm holds, and (split arms) how many of its state fall on the other side of today. */
interface ArmSize {
  rows: number;
  otherSide: number;
}

/**
 * The index an arm reads its page through. A whole type or state: newest first, page size + 1 rows.
 * A split by today, from the tally counts (ArmSize): documents_list_due seeks the arm's own rows by
 * date and sorts them, so it reads all of them; documents_list_state reads the state newest first
 * and skips the rows of the other side that are newer than the page's. "Not yet due" (from) takes
 * the sort while the arm fits in a few pages; past that, the newest-first walk, whose skipped rows
 * are the overdue ones newer than the page (few: an invoice falls overdue after those issued
 * since). "Overdue" (before) walks newest first past every invoice not yet due, so it takes
 * whichever of the two is smaller.
 */
function armIndex(arm: ListArm, size: ArmSize | undefined, limit: number): "documents_account_type_created" | "documents_list_state" | "documents_list_due" {
  if (!arm.state) return "documents_account_type_created";
  if (!arm.when || !size) return "documents_list_state";
  const fewPages = 2 * limit;
  if (arm.when === "from") return size.rows <= fewPages ? "documents_list_due" : "documents_list_state";
  return size.rows <= fewPages || size.rows <= size.otherSide ? "documents_list_due" : "documents_list_state";
}

/** One arm's SELECT, with the index named (armIndex) so the plan is the one chosen, not SQLite's guess. */
function armSelect(arm: ListArm, f: ArmFilter, index: ReturnType<typeof armIndex>): SQL {
  const conditions: SQL[] = [sql`account_id = ${f.accountId}`, armCondition(arm, f.today)];
  if (f.after) conditions.push(sql`(created_at, id) < (${f.after.createdAt}, ${f.after.id})`);
  return sql`SELECT ${ARM_COLUMNS} FROM documents INDEXED BY ${sql.raw(index)} WHERE ${sql.join(conditions, sql` AND `)}`;
}

/** Past every string that starts with the prefix (BINARY order): the end of a prefix range. */
const prefixEnd = (prefix: string) => `${prefix}\u{10FFFF}`;

/**
 * The ids a search matches, found through indexes so that a search reads about what it matches:
 * documents whose number starts with the text (unique index on number), and the documents of the
 * clients whose name starts with it (client name index, then documents by client).
 */
function searchMatches(accountId: string, types: readonly DocumentType[], q: string): SQL {
  const number = q.toUpperCase();
  const name = searchKey(q);
  const typeList = sql.join(
    types.map((t) => sql`${t}`),
    sql`, `,
  );
  return sql`SELECT id FROM documents WHERE account_id = ${accountId} AND type IN (${typeList}) AND number >= ${number} AND number < ${prefixEnd(number)}
    UNION
    SELECT d.id FROM clients c JOIN documents d ON d.account_id = c.account_id AND d.client_id = c.id
    WHERE c.account_id = ${accountId} AND c.search_name >= ${name} AND c.search_name < ${prefixEnd(name)} AND d.type IN (${typeList})`;
}

export interface ListTotals {
  documents: number;
  /** Σ total TTC of the set, credit notes counted negative, drafts left out (a draft bills nothing yet). */
  taxInclusiveCents: number;
  /** Σ what clients still owe on the set's open invoices. */
  outstandingCents: number;
  /** True when the totals are those of a search's results (computed over the matched rows). */
  search: boolean;
}

/** One document_tallies node: how many documents, their signed total TTC and what they still owe. */
export interface TallyNode {
  documents: number;
  taxInclusiveCents: number;
  outstandingCents: number;
}

const tallyKey = (type: string, state: string, bucket: number) => `${type}|${state}|${bucket}`;

/**
 * Reads the account's document_tallies nodes for the given (type, state, bucket) keys, each once
 * and by primary key: what it reads is the number of keys that exist, whatever the history.
 * The map is keyed by `type|state|bucket`; a missing key holds no document.
 */
export async function readTallyNodes(ctx: AccountVerbCtx, keys: ReadonlyArray<readonly [DocumentType, string, number]>): Promise<Map<string, TallyNode>> {
  const out = new Map<string, TallyNode>();
  const literals = new Map<string, string>();
  for (const [type, state, bucket] of keys) {
    if (!(type in STATES_OF) || !KNOWN_STATES.has(state) || !Number.isSafeInteger(bucket)) throw new Error("tally key out of range");
    literals.set(tallyKey(type, state, bucket), `('${type}', '${state}', ${bucket})`);
  }
  if (literals.size === 0) return out;
  // The keys are written as literals of a VALUES list (not bound: D1 caps bound parameters at 100,
  // and a VALUES list is not a compound SELECT): only known types, states and integers get there.
  const rows = await ctx.db.all<TallyNode & { type: string; state: string; bucket: number }>(
    sql`SELECT t.type, t.state, t.bucket, t.documents, t.tax_inclusive_cents AS taxInclusiveCents, t.outstanding_cents AS outstandingCents
      FROM (VALUES ${sql.raw([...literals.values()].join(", "))}) k CROSS JOIN document_tallies t
      ON t.account_id = ${ctx.accountId} AND t.type = k.column1 AND t.state = k.column2 AND t.bucket = k.column3`,
  );
  for (const r of rows) {
    out.set(tallyKey(r.type, r.state, Number(r.bucket)), {
      documents: Number(r.documents),
      taxInclusiveCents: Number(r.taxInclusiveCents),
      outstandingCents: Number(r.outstandingCents),
    });
  }
  return out;
}

/** Σ of the nodes of one (type, state) over the given buckets. */
export function sumTallyNodes(nodes: ReadonlyMap<string, TallyNode>, type: DocumentType, state: string, buckets: readonly number[]): TallyNode {
  const sum: TallyNode = { documents: 0, taxInclusiveCents: 0, outstandingCents: 0 };
  for (const b of buckets) {
    const n = nodes.get(tallyKey(type, state, b));
    if (!n) continue;
    sum.documents += n.documents;
    sum.taxInclusiveCents += n.taxInclusiveCents;
    sum.outstandingCents += n.outstandingCents;
  }
  return sum;
}

/**
 * Totals of the whole filtered set from document_tallies: one level-16 row per (type, state), less
 * (before today) or only (from today) the nodes of the days from today on; and, per arm, how many
 * documents it holds (armSelect picks its index by that). Reads do not grow with the account's history.
 */
async function tallyTotals(ctx: AccountVerbCtx, arms: ListArm[], today: string): Promise<{ totals: ListTotals; armSizes: ArmSize[] }> {
  const from = bucketsFrom(today);
  const keys: Array<[DocumentType, string, number]> = [];
  for (const arm of arms) {
    if (!arm.state) for (const state of STATES_OF[arm.type]) keys.push([arm.type, state, ALL_DAYS_BUCKET]);
    else {
      keys.push([arm.type, arm.state, ALL_DAYS_BUCKET]);
      if (arm.when) for (const b of from) keys.push([arm.type, arm.state, b]);
    }
  }
  const nodes = await readTallyNodes(ctx, keys);
  const totals: ListTotals = { documents: 0, taxInclusiveCents: 0, outstandingCents: 0, search: false };
  const armSizes: ArmSize[] = [];
  for (const arm of arms) {
    const parts: Array<[TallyNode, number, string]> = [];
    if (!arm.state) for (const state of STATES_OF[arm.type]) parts.push([sumTallyNodes(nodes, arm.type, state, [ALL_DAYS_BUCKET]), 1, state]);
    else if (arm.when === "from") parts.push([sumTallyNodes(nodes, arm.type, arm.state, from), 1, arm.state]);
    else {
      parts.push([sumTallyNodes(nodes, arm.type, arm.state, [ALL_DAYS_BUCKET]), 1, arm.state]);
      if (arm.when === "before") parts.push([sumTallyNodes(nodes, arm.type, arm.state, from), -1, arm.state]);
    }
    let rows = 0;
    for (const [n, sign, state] of parts) {
      rows += sign * n.documents;
      totals.documents += sign * n.documents;
      // Drafts are listed and counted, but a draft bills nothing yet: no money total includes it.
      if (state !== "draft") totals.taxInclusiveCents += sign * n.taxInclusiveCents;
      totals.outstandingCents += sign * n.outstandingCents;
    }
    const state = arm.state ? sumTallyNodes(nodes, arm.type, arm.state, [ALL_DAYS_BUCKET]).documents : rows;
    armSizes.push({ rows, otherSide: arm.when ? state - rows : 0 });
  }
  return { totals, armSizes };
}

/** Totals of a search's results, computed over the matched rows (a search reads what it matches). */
async function searchTotals(ctx: AccountVerbCtx, arms: ListArm[], types: readonly DocumentType[], q: string, today: string): Promise<ListTotals> {
  const row = (
    await ctx.db.all<{ documents: number; taxInclusiveCents: number | null; outstandingCents: number | null }>(
      sql`WITH m(id) AS (${searchMatches(ctx.accountId, types, q)})
        SELECT COUNT(*) AS documents, SUM(CASE WHEN documents.list_state = 'draft' THEN 0 ELSE ${signedTotalSql} END) AS taxInclusiveCents, SUM(${outstandingSql}) AS outstandingCents
        FROM m CROSS JOIN documents ON documents.id = m.id AND documents.account_id = ${ctx.accountId}
        WHERE ${sql.join(
          arms.map((arm) => armCondition(arm, today)),
          sql` OR `,
        )}`,
    )
  )[0];
  return { documents: Number(row?.documents ?? 0), taxInclusiveCents: Number(row?.taxInclusiveCents ?? 0), outstandingCents: Number(row?.outstandingCents ?? 0), search: true };
}

/**
 * The lists' transmission column (e-invoicing network): the latest lifecycle code, else the outbox
 * state (queued, skipped…), read by primary key for the page's rows only.
 */
function transmissionColumn(accountId: string): SQL {
  return sql`(SELECT COALESCE(CAST(ps.status_code AS TEXT), ps.state) FROM pa_submissions ps WHERE ps.id = d.id AND ps.account_id = ${accountId}) AS transmission`;
}

/**
 * Quotes whose final invoice is issued read "Facturé" (domain/quote-chain quoteInvoiced): for the
 * page's quote rows only, through documents_account_source_quote (the few invoices of that quote).
 */
export function invoicedColumn(accountId: string, alias = "d"): SQL {
  const d = sql.raw(alias);
  return sql`CASE WHEN ${d}.type = 'quote' THEN EXISTS (SELECT 1 FROM documents f WHERE f.account_id = ${accountId} AND f.source_quote_id = ${d}.id AND f.type = 'invoice' AND f.status = 'issued') ELSE 0 END AS invoiced`;
}

interface ListRow {
  id: string;
  type: DocumentType;
  status: DocumentRow["status"];
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  validUntil: string | null;
  sentAt: number | null;
  taxExclusiveCents: number;
  taxInclusiveCents: number;
  dueCents: number;
  paidCents: number;
  creditedCents: number;
  createdAt: number;
  clientName: string | null;
  transmission?: string | null;
  /** Quotes: 1 once their final invoice is issued (invoicedColumn). */
  invoiced?: number | null;
}

/** The status a list shows for a row: derived with the same functions as the document's own page. */
export function displayStatus(r: Pick<ListRow, "type" | "status" | "validUntil" | "sentAt" | "dueDate" | "dueCents" | "paidCents" | "creditedCents" | "invoiced">, today: string): DisplayStatus {
  if (INVOICE_TYPES.includes(r.type) && (r.status === "issued" || r.status === "cancelled")) {
    return invoiceStatus({ dueCents: r.dueCents, creditedCents: r.creditedCents, paidCents: r.paidCents, dueDate: r.dueDate, today, cancelled: r.status === "cancelled" });
  }
  return quoteDisplayStatus(r, today, Boolean(r.invoiced));
}

/**
 * One page of documents, newest first, by keyset (created_at, id), with the totals of the whole
 * filtered set. Each arm (type × state) is read in index order and the arms are merged (UNION ALL
 * … ORDER BY … LIMIT streams them), so a page reads about page size + arms rows; clients are joined
 * for the page only. Totals come from document_tallies, or from the matched rows for a search.
 */
/** A row of a document list as the API and pages show it (derived status, what is still owed). */
function listItem(r: ListRow, today: string) {
  const amounts = { dueCents: Number(r.dueCents), creditedCents: Number(r.creditedCents), paidCents: Number(r.paidCents) };
  const invoice = INVOICE_TYPES.includes(r.type) && r.status === "issued";
  return {
    id: r.id,
    type: r.type,
    status: displayStatus({ ...r, ...amounts }, today),
    number: r.number,
    issueDate: r.issueDate,
    dueDate: r.dueDate,
    validUntil: r.validUntil,
    taxExclusiveCents: Number(r.taxExclusiveCents),
    taxInclusiveCents: Number(r.taxInclusiveCents),
    dueCents: amounts.dueCents,
    outstandingCents: invoice ? outstandingCents(amounts) : 0,
    createdAt: Number(r.createdAt),
    clientName: r.clientName,
    /** E-invoicing network: latest status code ("200", "210"…) or outbox state ("queued", "skipped"…); null when never sent. */
    transmission: r.transmission ?? null,
  };
}

export async function listDocuments(ctx: AccountVerbCtx, q: ListQuery) {
  const text = q.q?.trim() || undefined;
  if (!text && q.status === "overdue") return listOverdue(ctx, q);
  const limit = Math.min(q.limit ?? PAGE_SIZE, 100);
  const after = q.cursor ? decodeCursor(ctx, q.cursor) : null;
  const today = todayInParis(ctx.now);
  const arms = listArms(q.types, q.status);
  if (arms.length === 0) {
    return { items: [], nextCursor: null, totals: { documents: 0, taxInclusiveCents: 0, outstandingCents: 0, search: text !== undefined } satisfies ListTotals };
  }
  const columns = sql`d.id, d.type, d.status, d.number, d.issue_date AS issueDate, d.due_date AS dueDate, d.valid_until AS validUntil, d.sent_at AS sentAt,
    d.tax_exclusive_cents AS taxExclusiveCents, d.tax_inclusive_cents AS taxInclusiveCents, d.due_cents AS dueCents,
    d.paid_cents AS paidCents, d.credited_cents AS creditedCents, d.created_at AS createdAt, c.name AS clientName,
    ${transmissionColumn(ctx.accountId)}, ${invoicedColumn(ctx.accountId)}`;
  const tallies = text ? null : tallyTotals(ctx, arms, today);
  let pageQuery: SQL;
  if (text) {
    // A search sorts what it matches: matched ids come first (CROSS JOIN keeps them the outer loop),
    // each is looked up by id and filtered by the arms.
    pageQuery = sql`WITH m(id) AS (${searchMatches(ctx.accountId, q.types, text)})
      SELECT ${columns} FROM m CROSS JOIN documents d ON d.id = m.id AND d.account_id = ${ctx.accountId}
      LEFT JOIN clients c ON c.id = d.client_id AND c.account_id = d.account_id
      WHERE (${sql.join(
        arms.map((arm) => armCondition(arm, today, "d.")),
        sql` OR `,
      )}) ${after ? sql`AND (d.created_at, d.id) < (${after.createdAt}, ${after.id})` : sql``}
      ORDER BY d.created_at DESC, d.id DESC LIMIT ${limit + 1}`;
  } else {
    // A split arm picks its index by its size (armIndex): its tally is read first, then the page.
    const sizes = tallies && arms.some((arm) => arm.when) ? (await tallies).armSizes : [];
    const page = sql.join(
      arms.map((arm, i) => armSelect(arm, { accountId: ctx.accountId, today, after }, armIndex(arm, sizes[i], limit))),
      sql` UNION ALL `,
    );
    // Clients are joined for the page only, after the merge has kept page size + 1 rows.
    pageQuery = sql`SELECT ${columns}
      FROM (${page} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}) d
      LEFT JOIN clients c ON c.id = d.client_id AND c.account_id = ${ctx.accountId}
      ORDER BY d.created_at DESC, d.id DESC`;
  }
  const [rows, totals] = await Promise.all([
    ctx.db.all<ListRow>(pageQuery),
    tallies ? tallies.then((t) => t.totals) : searchTotals(ctx, arms, q.types, text ?? "", today),
  ]);
  const items = rows.slice(0, limit).map((r) => listItem(r, today));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null, totals };
}

/** Keyset cursor of the overdue tab, over (date_key, created_at, id): the order of documents_list_due. */
function encodeDueCursor(dateKey: string, createdAt: number, id: string): string {
  return base64UrlEncode(utf8Bytes(`due:${dateKey}:${createdAt}:${id}`));
}

function decodeDueCursor(ctx: AccountVerbCtx, cursor: string): { dateKey: string; createdAt: number; id: string } {
  try {
    const [tag, dateKey, at, id] = new TextDecoder().decode(base64UrlDecode(cursor)).split(":");
    const createdAt = Number(at);
    if (tag !== "due" || !dateKey || !/^\d{4}-\d{2}-\d{2}$/.test(dateKey) || !Number.isSafeInteger(createdAt) || !id) throw new Error("cursor");
    return { dateKey, createdAt, id };
  } catch {
    throw new AppError("invalid", ctx.t("err.unexpected"), { cursor: "invalid cursor" });
  }
}

/**
 * The overdue tab, oldest due date first (the order a freelancer chases them in, and the order of
 * the receivables page). Overdue depends on today, which no index can hold, but the rows of every
 * overdue arm lie in one range of documents_list_due (type, state, date_key < today), already in
 * (date_key, created_at, id) order: each arm reads page size + 1 rows, whatever the history and
 * however many invoices are not yet due.
 */
async function listOverdue(ctx: AccountVerbCtx, q: ListQuery) {
  const limit = Math.min(q.limit ?? PAGE_SIZE, 100);
  const after = q.cursor ? decodeDueCursor(ctx, q.cursor) : null;
  const today = todayInParis(ctx.now);
  const arms = listArms(q.types, "overdue");
  const totals = tallyTotals(ctx, arms, today).then((t) => t.totals);
  if (arms.length === 0) return { items: [], nextCursor: null, totals: await totals };
  const page = sql.join(
    arms.map((arm) => {
      const conditions: SQL[] = [sql`account_id = ${ctx.accountId}`, armCondition(arm, today)];
      if (after) conditions.push(sql`(date_key, created_at, id) > (${after.dateKey}, ${after.createdAt}, ${after.id})`);
      return sql`SELECT ${ARM_COLUMNS}, date_key FROM documents INDEXED BY documents_list_due WHERE ${sql.join(conditions, sql` AND `)}`;
    }),
    sql` UNION ALL `,
  );
  const [rows, listTotals] = await Promise.all([
    ctx.db.all<ListRow & { dateKey: string }>(sql`SELECT d.id, d.type, d.status, d.number, d.issue_date AS issueDate, d.due_date AS dueDate,
      d.valid_until AS validUntil, d.sent_at AS sentAt, d.tax_exclusive_cents AS taxExclusiveCents, d.tax_inclusive_cents AS taxInclusiveCents, d.due_cents AS dueCents,
      d.paid_cents AS paidCents, d.credited_cents AS creditedCents, d.created_at AS createdAt, d.date_key AS dateKey, c.name AS clientName,
      ${transmissionColumn(ctx.accountId)}
      FROM (${page} ORDER BY date_key, created_at, id LIMIT ${limit + 1}) d
      LEFT JOIN clients c ON c.id = d.client_id AND c.account_id = ${ctx.accountId}
      ORDER BY d.date_key, d.created_at, d.id`),
    totals,
  ]);
  const items = rows.slice(0, limit).map((r) => listItem(r, today));
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? encodeDueCursor(last.dateKey, Number(last.createdAt), last.id) : null, totals: listTotals };
}

/**
 * Verifies the account's chain of issued documents: every link, and every entry's content hash
 * against the stored document (number, totals, PDF and XML hashes).
 */
export async function verifyIssueChain(ctx: AccountVerbCtx) {
  // One join, not an IN list: D1 caps bound parameters at 100 per statement.
  const rows = await ctx.db
    .select({ entry: issueLog, doc: documents, purgedAt: retentionPurges.purgedAt })
    .from(issueLog)
    .leftJoin(documents, and(eq(documents.id, issueLog.documentId), eq(documents.accountId, issueLog.accountId)))
    .leftJoin(retentionPurges, and(eq(retentionPurges.documentId, issueLog.documentId), eq(retentionPurges.accountId, issueLog.accountId)))
    .where(eq(issueLog.accountId, ctx.accountId))
    .orderBy(asc(issueLog.seq))
    .all();
  const problems: Array<{ seq: number; kind: string }> = verifyChain(rows.map((r) => r.entry as ChainEntry));
  let purged = 0;
  for (const { entry, doc: d, purgedAt } of rows) {
    // A document purged after its 10-year retention is gone by law; its link in the chain still counts.
    if (!d && purgedAt !== null) {
      purged += 1;
      continue;
    }
    const expected =
      d && d.number && d.issueDate && d.pdfSha256
        ? documentContentHash({
            type: d.type,
            number: d.number,
            issueDate: d.issueDate,
            taxInclusiveCents: d.taxInclusiveCents,
            dueCents: d.dueCents,
            pdfSha256: d.pdfSha256,
            xmlSha256: d.xmlSha256,
          })
        : null;
    if (expected !== entry.contentHash) problems.push({ seq: entry.seq, kind: "content_mismatch" });
  }
  return { entries: rows.length, purged, ok: problems.length === 0, problems };
}

/**
 * One page of a client's documents of the given types, newest first, by keyset (created_at, id):
 * each type reads page size + 1 rows through documents_account_client_type_created and the arms
 * merge, so the client's page reads what it shows whatever the client's history.
 */
export async function clientDocuments(ctx: AccountVerbCtx, clientId: string, types: readonly DocumentType[], q: { cursor?: string | undefined; limit: number }) {
  const after = q.cursor ? decodeCursor(ctx, q.cursor) : null;
  const today = todayInParis(ctx.now);
  const arms = types.map(
    (type) => sql`SELECT * FROM (SELECT ${ARM_COLUMNS} FROM documents INDEXED BY documents_account_client_type_created
      WHERE account_id = ${ctx.accountId} AND client_id = ${clientId} AND type = ${type}
      ${after ? sql`AND (created_at, id) < (${after.createdAt}, ${after.id})` : sql``}
      ORDER BY created_at DESC, id DESC LIMIT ${q.limit + 1})`,
  );
  const rows = await ctx.db.all<ListRow>(sql`SELECT d.id, d.type, d.status, d.number, d.issue_date AS issueDate, d.due_date AS dueDate, d.valid_until AS validUntil, d.sent_at AS sentAt,
      d.tax_exclusive_cents AS taxExclusiveCents, d.tax_inclusive_cents AS taxInclusiveCents, d.due_cents AS dueCents,
      d.paid_cents AS paidCents, d.credited_cents AS creditedCents, d.created_at AS createdAt, NULL AS clientName, ${invoicedColumn(ctx.accountId)}
    FROM (${sql.join(arms, sql` UNION ALL `)} ORDER BY created_at DESC, id DESC LIMIT ${q.limit + 1}) d
    ORDER BY d.created_at DESC, d.id DESC`);
  const items = rows.slice(0, q.limit).map((r) => listItem(r, today));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
