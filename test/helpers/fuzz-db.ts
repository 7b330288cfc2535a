import { env } from "cloudflare:workers";
import { computeTotals } from "../../src/worker/domain/totals";
import { isIsoDate } from "../../src/worker/domain/vat";
import { totalsInputOf } from "../../src/worker/features/documents/drafts";

// The database invariants the fuzzers check after their runs ("0 invalid rows stored"). Tables and
// columns are read from sqlite_master / PRAGMA table_info, so a new table is checked by naming
// convention without editing this file:
//   *_cents           integer (never a float, a text or a blob): money is integer cents
//   *_date, *_on, valid_until   NULL or a real calendar date YYYY-MM-DD
//   *_at              NULL or integer milliseconds
//   account_id        names an existing account
//   <x>_id / *_<x>_id where table `<x>s` has account_id: the row it names is in the same account
//   documents         stored totals are those the lines give (domain/totals.ts), TTC = HT + TVA

interface Column {
  name: string;
  type: string;
}

/** Every user table and its columns (D1 and SQLite internals left out). */
export async function tablesAndColumns(): Promise<Map<string, Column[]>> {
  const tables = (
    await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'").all<{ name: string }>()
  ).results.map((r) => r.name);
  const out = new Map<string, Column[]>();
  for (const t of tables) {
    const cols = (await env.DB.prepare(`SELECT name, type FROM pragma_table_info(?)`).bind(t).all<Column>()).results;
    out.set(t, cols);
  }
  return out;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Table a reference column points to, by the `<x>_id` → `<x>s` convention, when it is account-scoped. */
function referencedTable(column: string, tables: Map<string, Column[]>): string | undefined {
  if (!column.endsWith("_id") || column === "account_id") return undefined;
  const parts = column.slice(0, -3).split("_");
  // Longest suffix first: `deposit_document_id` → documents, `preceding_document_id` → documents.
  for (let i = 0; i < parts.length; i++) {
    const table = `${parts.slice(i).join("_")}s`;
    const cols = tables.get(table);
    if (cols?.some((c) => c.name === "account_id") && cols.some((c) => c.name === "id")) return table;
  }
  return undefined;
}

/** Problems in the stored rows, one line each (empty when every invariant holds). */
export async function invalidRows(): Promise<string[]> {
  const tables = await tablesAndColumns();
  const problems: string[] = [];
  const first = async (sql: string, ...binds: unknown[]) => (await env.DB.prepare(sql).bind(...binds).first<{ n: number; sample: string | null }>()) ?? { n: 0, sample: null };
  const check = async (what: string, sql: string) => {
    const row = await first(sql);
    if (row.n > 0) problems.push(`${what}: ${row.n} row(s), e.g. ${row.sample}`);
  };
  const hasAccounts = tables.has("accounts");
  for (const [table, cols] of tables) {
    const names = new Set(cols.map((c) => c.name));
    const idExpr = names.has("id") ? "id" : "rowid";
    for (const { name } of cols) {
      const col = q(name);
      if (name.endsWith("_cents")) {
        await check(`${table}.${name} is not integer cents`, `SELECT count(*) AS n, max(${idExpr} || ' = ' || quote(${col})) AS sample FROM ${q(table)} WHERE ${col} IS NOT NULL AND typeof(${col}) != 'integer'`);
      } else if (name.endsWith("_at")) {
        await check(`${table}.${name} is not integer milliseconds`, `SELECT count(*) AS n, max(${idExpr} || ' = ' || quote(${col})) AS sample FROM ${q(table)} WHERE ${col} IS NOT NULL AND typeof(${col}) != 'integer'`);
      } else if (name.endsWith("_date") || name.endsWith("_on") || name === "valid_until") {
        const rows = (await env.DB.prepare(`SELECT ${idExpr} AS id, ${col} AS v FROM ${q(table)} WHERE ${col} IS NOT NULL`).all<{ id: string; v: unknown }>()).results;
        const bad = rows.filter((r) => typeof r.v !== "string" || !isIsoDate(r.v));
        if (bad.length) problems.push(`${table}.${name} is not a YYYY-MM-DD date: ${bad.length} row(s), e.g. ${bad[0]!.id} = ${JSON.stringify(bad[0]!.v)}`);
      }
      const parent = referencedTable(name, tables);
      if (parent && names.has("account_id")) {
        await check(
          `${table}.${name} names a row of another account in ${parent}`,
          `SELECT count(*) AS n, max(t.${idExpr} || ' → ' || p.id) AS sample FROM ${q(table)} t JOIN ${q(parent)} p ON p.id = t.${col} WHERE p.account_id != t.account_id`,
        );
      }
    }
    if (names.has("account_id") && hasAccounts && table !== "accounts") {
      await check(`${table}.account_id names no account`, `SELECT count(*) AS n, max(t.${idExpr}) AS sample FROM ${q(table)} t WHERE t.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id)`);
    }
  }
  if (tables.has("documents") && tables.has("document_lines")) problems.push(...(await inconsistentTotals()));
  return problems;
}

interface DocRow {
  id: string;
  type: string;
  issue_date: string | null;
  created_at: number;
  allowance_kind: "percent" | "amount" | null;
  allowance_value: number | null;
  tax_exclusive_cents: number;
  vat_total_cents: number;
  tax_inclusive_cents: number;
}

interface LineDbRow {
  document_id: string;
  quantity: string;
  unit_price_cents: number;
  unit_price_e4: number | null;
  discount_kind: "percent" | "amount" | null;
  discount_value: number | null;
  vat_category: "S" | "Z" | "E" | "AE" | "K" | "G" | "O";
  vat_rate_bp: number;
  exemption_code: string | null;
}

/** Documents whose stored totals are not those their lines give. */
async function inconsistentTotals(): Promise<string[]> {
  const docs = (
    await env.DB.prepare(
      "SELECT id, type, issue_date, created_at, allowance_kind, allowance_value, tax_exclusive_cents, vat_total_cents, tax_inclusive_cents FROM documents",
    ).all<DocRow>()
  ).results;
  const lines = Map.groupBy(
    (await env.DB.prepare("SELECT document_id, quantity, unit_price_cents, unit_price_e4, discount_kind, discount_value, vat_category, vat_rate_bp, exemption_code FROM document_lines ORDER BY document_id, position").all<LineDbRow>()).results,
    (l) => l.document_id,
  );
  const problems: string[] = [];
  for (const d of docs) {
    if (d.tax_inclusive_cents !== d.tax_exclusive_cents + d.vat_total_cents) {
      problems.push(`documents ${d.id}: TTC ${d.tax_inclusive_cents} ≠ HT ${d.tax_exclusive_cents} + TVA ${d.vat_total_cents}`);
      continue;
    }
    const own = lines.get(d.id) ?? [];
    if (own.length === 0) {
      problems.push(`documents ${d.id}: no line`);
      continue;
    }
    // The VAT date of a draft without an issue date is its creation day (Paris is at most 2 h ahead).
    const vatDate = d.issue_date ?? new Date(d.created_at + 2 * 3_600_000).toISOString().slice(0, 10);
    const input = totalsInputOf(
      own.map((l) => ({
        quantity: l.quantity,
        unitPriceCents: l.unit_price_cents,
        unitPriceE4: l.unit_price_e4,
        discountKind: l.discount_kind,
        discountValue: l.discount_value,
        vatCategory: l.vat_category,
        vatRateBp: l.vat_rate_bp,
        exemptionCode: l.exemption_code,
      })),
      { allowanceKind: d.allowance_kind, allowanceValue: d.allowance_value },
      vatDate,
    );
    const result = computeTotals({ ...input, allowNegative: true });
    if (!result.ok) {
      problems.push(`documents ${d.id}: its lines do not compute (${result.errors.map((e) => `${e.path}: ${e.code}`).join(", ")})`);
      continue;
    }
    const t = result.totals;
    if (t.taxExclusiveCents !== d.tax_exclusive_cents || t.vatTotalCents !== d.vat_total_cents) {
      problems.push(`documents ${d.id}: stored HT/TVA ${d.tax_exclusive_cents}/${d.vat_total_cents}, lines give ${t.taxExclusiveCents}/${t.vatTotalCents}`);
    }
  }
  return problems;
}

/**
 * Every row of one account (tables with account_id, plus its accounts row), as one comparable
 * value; `skip` leaves out logs a refused request may legitimately write.
 */
export async function accountSnapshot(accountId: string, skip: ReadonlySet<string>): Promise<Record<string, string>> {
  const tables = await tablesAndColumns();
  const out: Record<string, string> = {};
  for (const [table, cols] of tables) {
    if (skip.has(table)) continue;
    const col = table === "accounts" ? "id" : cols.some((c) => c.name === "account_id") ? "account_id" : null;
    if (!col) continue;
    const rows = (await env.DB.prepare(`SELECT * FROM ${q(table)} WHERE ${col} = ? ORDER BY rowid`).bind(accountId).all()).results;
    out[table] = JSON.stringify(rows);
  }
  return out;
}
