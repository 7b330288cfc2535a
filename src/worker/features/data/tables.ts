import { is } from "drizzle-orm";
import { SQLiteTable, getTableConfig } from "drizzle-orm/sqlite-core";
import * as schema from "../../db/schema";

/** A D1 table as the exporter sees it: SQL names only, read from the drizzle schema. */
export interface TableInfo {
  name: string;
  columns: string[];
  /** True when the table has a text `id` primary key (its rows get new ids on import). */
  hasId: boolean;
  /** Columns declared NOT NULL. */
  required?: string[];
  /** Generated columns: exported for reading, never inserted. */
  generated?: string[];
  /**
   * Column sets no two rows may share: primary keys other than `id`, and unique indexes (a partial
   * one only when its condition is "<indexed column> IS NOT NULL"; rows with a null are skipped).
   */
  unique?: string[][];
}

/**
 * Account tables left out of the export, and why (privacy policy §9.5 covers data the user
 * provided or generated; these are credentials, the jobs themselves or operator bookkeeping).
 */
export const NOT_EXPORTED: Readonly<Record<string, string>> = {
  sessions: "credentials: each row is the hash of a live session cookie; sign-ins are exported from connection_log",
  data_exports: "the portability jobs themselves: links to archives that expire in 7 days",
  data_import_uploads: "an import archive being uploaded: R2 upload bookkeeping, gone once the upload ends",
  data_import_parts: "etags of the parts of an import archive being uploaded: R2 upload bookkeeping",
  inactivity_notices: "operator follow-up of inactivity, reset by any activity; not data about the business",
  stripe_account_map: "directory routing of Stripe webhooks to an account, not business data",
  stripe_events: "ids of Stripe webhook events already handled: idempotency bookkeeping",
  purchase_sync: "where the poll of the platform stands (a cursor) and its webhook ids: sync bookkeeping, redone by the new account",
  stripe_checkouts: "the Checkout sessions opened on Stripe, kept to check the amounts of payment events: payment bookkeeping",
  import_rollbacks: "the marker of an import being undone, deleted when its rollback ends: job bookkeeping, not business data",
};

/**
 * Account tables exported (readable in the archive) but not re-imported into another account, and
 * why: they describe the source account itself, not the business data that moves.
 */
export const EXPORT_ONLY: Readonly<Record<string, string>> = {
  memberships: "who may sign in: the importing account keeps its own owner",
  account_restrictions: "freeze history of the source account, not of the one importing",
  rights_requests: "requests made to the operator about the source account",
  access_log: "who did what on the source account; the new account starts its own log",
  stripe_connections: "the Stripe Connect link is made again from the new account (Stripe onboarding)",
  pa_connections: "the link to a Plateforme Agréée and its mandate are given again from the new account",
  pa_submissions: "the flows the source account sent to its PA: the importing account does not send them again",
  stripe_anomalies: "Stripe events refused on the source account, shown to its seller; they concern no payment of the new one",
};

/**
 * Insertion order on import: referenced rows first, and document lines BEFORE their document,
 * because the immutability trigger refuses a line whose document is already issued (a line whose
 * document does not exist yet passes). Tables missing here are imported after, in schema order.
 */
export const IMPORT_ORDER: readonly string[] = [
  "clients",
  "products",
  "document_series",
  "document_lines",
  "documents",
  "stock_movements",
  "time_entries",
  "deposit_deductions",
  "issue_log",
  "payments",
  "client_credits",
  "monthly_totals",
  "mail_log",
  "document_sends",
];

/**
 * Columns never written to the archive: secrets or bearer-link hashes that mean nothing outside
 * this database (a public link is re-shared from the new account).
 */
export const DROPPED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  documents: ["public_token_hash", "public_token_sealed"],
  stripe_connections: ["stripe_account_sealed", "stripe_account_hash"],
  pa_connections: ["client_secret_sealed", "webhook_id", "cursor"],
  // A send form's double-submit key: bookkeeping of this database, unique per account.
  document_sends: ["request_key"],
};

/** Every table of the drizzle schema, by SQL name. */
export function schemaTables(): TableInfo[] {
  const seen = new Map<string, TableInfo>();
  for (const value of Object.values(schema)) {
    if (!is(value, SQLiteTable)) continue;
    const config = getTableConfig(value);
    const columns = config.columns.map((c) => c.name);
    const idColumn = config.columns.find((c) => c.name === "id");
    seen.set(config.name, {
      name: config.name,
      columns,
      hasId: Boolean(idColumn?.primary && idColumn.getSQLType() === "text"),
      required: config.columns.filter((c) => c.notNull).map((c) => c.name),
      generated: config.columns.filter((c) => c.generated !== undefined).map((c) => c.name),
      unique: uniqueKeys(config),
    });
  }
  return [...seen.values()];
}

/** The text of a partial index's condition, when it is plain SQL text. */
function whereText(where: unknown): string | null {
  const chunks = (where as { queryChunks?: unknown[] } | undefined)?.queryChunks;
  if (!chunks) return null;
  let text = "";
  for (const c of chunks) {
    const value = (c as { value?: unknown }).value;
    if (!Array.isArray(value)) return null;
    text += value.join("");
  }
  return text;
}

function uniqueKeys(config: ReturnType<typeof getTableConfig>): string[][] {
  const keys: string[][] = [];
  const single = config.columns.find((c) => c.primary);
  if (single && single.name !== "id") keys.push([single.name]);
  for (const pk of config.primaryKeys) keys.push(pk.columns.map((c) => c.name));
  for (const idx of config.indexes) {
    if (!idx.config.unique) continue;
    const columns = idx.config.columns.map((c) => (c as { name?: unknown }).name);
    if (!columns.every((n): n is string => typeof n === "string")) continue;
    if (idx.config.where) {
      const guard = whereText(idx.config.where)?.match(/^\s*"?(\w+)"?\s+IS\s+NOT\s+NULL\s*$/i);
      if (!guard || !columns.includes(guard[1]!)) continue;
    }
    keys.push(columns);
  }
  return keys;
}

/** `*_id` columns whose target table the naming rule below cannot guess. */
const REFERENCE_TARGETS: Readonly<Record<string, string>> = { source_quote_id: "documents", mail_id: "mail_log" };

/**
 * The table a `*_id` column points at, when the schema's naming says it: `client_id` → clients,
 * `final_document_id` → documents, `document_line_id` → document_lines. Null when unknown.
 */
export function referenceTarget(column: string, tables: readonly string[]): string | null {
  const explicit = REFERENCE_TARGETS[column];
  if (explicit) return tables.includes(explicit) ? explicit : null;
  let best: string | null = null;
  for (const t of tables) {
    const one = `${t.replace(/s$/, "")}_id`;
    if ((column === one || column.endsWith(`_${one}`)) && (!best || t.length > best.length)) best = t;
  }
  return best;
}

/**
 * Every table holding an `account_id`: a new table is exported without editing the exporter,
 * unless it is listed in {@link NOT_EXPORTED} with a reason.
 */
export function accountTables(): TableInfo[] {
  return schemaTables().filter((t) => t.columns.includes("account_id"));
}

/** The account tables written to the archive, each with the columns written. */
export function exportedTables(): TableInfo[] {
  return accountTables()
    .filter((t) => !(t.name in NOT_EXPORTED))
    .map((t) => ({ ...t, columns: t.columns.filter((c) => !DROPPED_COLUMNS[t.name]?.includes(c)) }));
}

/** Whether an exported table's rows are re-created by an import. */
export function isImported(table: string): boolean {
  return !(table in EXPORT_ONLY) && !(table in NOT_EXPORTED);
}

/** Exported tables in the order an import inserts them (dependencies first). */
export function importOrder(names: readonly string[]): string[] {
  const known = IMPORT_ORDER.filter((n) => names.includes(n));
  return [...known, ...names.filter((n) => !IMPORT_ORDER.includes(n))];
}
