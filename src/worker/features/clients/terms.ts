import { and, eq, type SQL, sql } from "drizzle-orm";
import { clientSearchTerms, productSearchTerms } from "../../db/schema";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import { type Cursor, prefixUpperBound } from "./search";

/**
 * Search by any word of a name ("kerlann" finds "Boulangerie Kerlann SARL"), for clients and the
 * catalogue, through a word index kept in the same batch as the row it indexes.
 *
 * Why not FTS5: D1 runs it, but `wrangler d1 export` refuses a database holding an FTS5 table
 * (workers-sdk#6305), its unicode61 tokenizer does not spell out "œ" as "oe", and a name-ordered
 * page of its matches needs every match sorted. Here a term is the name's search key from one word
 * on: a prefix range on it is an index range already in list order, so a page reads about a page.
 */

/**
 * Characters after which a word starts. The migration that filled the index for existing names
 * (0040_search_terms) spells the same rule in SQL; `terms.test.ts` checks that they agree.
 */
export const WORD_SEPARATORS = " -'&/().,;:_+\"«»—–·!?*#@[]{}|<>=";

/**
 * The index terms of a name's search key (see searchKey): for every word but the first, the key
 * from that word on, a line feed, then the whole key ("kerlann sarl\nboulangerie kerlann sarl").
 * The whole key after the tail orders equal tails by name; searchKey turns every line feed into a
 * space, so the separator cannot occur in either part.
 */
export function nameTerms(key: string): string[] {
  const chars = Array.from(key);
  const out: string[] = [];
  for (let i = 1; i < chars.length; i++) {
    if (WORD_SEPARATORS.includes(chars[i - 1]!) && !WORD_SEPARATORS.includes(chars[i]!)) out.push(`${chars.slice(i).join("")}\n${key}`);
  }
  return out;
}

/** What a word search needs to know of the table it searches (clients or products). */
interface Indexed {
  table: "clients" | "products";
  terms: typeof clientSearchTerms | typeof productSearchTerms;
  termsTable: "client_search_terms" | "product_search_terms";
  ref: "client_id" | "product_id";
}

export const CLIENT_INDEX: Indexed = { table: "clients", terms: clientSearchTerms, termsTable: "client_search_terms", ref: "client_id" };
export const PRODUCT_INDEX: Indexed = { table: "products", terms: productSearchTerms, termsTable: "product_search_terms", ref: "product_id" };

/**
 * The statements that make the index of one row match its (new) search key: delete its terms,
 * insert the new ones. Meant for the batch that writes the row itself.
 */
export function termWrites(db: Db, index: Indexed, accountId: string, id: string, key: string) {
  const refColumn = "clientId" in index.terms ? index.terms.clientId : index.terms.productId;
  const del = db.delete(index.terms).where(and(eq(index.terms.accountId, accountId), eq(refColumn, id)));
  const terms = nameTerms(key);
  // Only for a row of this account (the join): another account's id writes nothing. D1 binds at
  // most 100 parameters per statement, hence chunks of 90 terms.
  const inserts = [];
  for (let i = 0; i < terms.length; i += 90) {
    const values = sql.join(
      terms.slice(i, i + 90).map((t) => sql`(${t})`),
      sql`, `,
    );
    inserts.push(
      db
        .insert(index.terms)
        .select(sql`SELECT r.account_id, r.id, v.column1 FROM (VALUES ${values}) v JOIN ${sql.identifier(index.table)} r ON r.id = ${id} AND r.account_id = ${accountId}`)
        .onConflictDoNothing(),
    );
  }
  return [del, ...inserts] as const;
}

/**
 * One page of a name search, in list order (or reversed when reading backwards), each row with its
 * sort key `k` and the given columns, as two statements of at most `limit` rows each: rows whose
 * whole name starts with the key (the table's own name index), and rows one of whose later words
 * starts with it (the word index) but not their name. {@link mergeHits} makes one page of them.
 * `(k, id)` is the keyset. Each row read is one index entry (plus its table row): about
 * 3 × limit rows at most, whatever the size of the account.
 */
export function wordSearch(
  index: Indexed,
  columns: Readonly<Record<string, SQLiteColumn>>,
  accountId: string,
  key: string,
  archived: boolean,
  cursor: Cursor | null,
  limit: number,
): [byName: SQL, byWord: SQL] {
  const upper = prefixUpperBound(key);
  const backwards = cursor?.direction === "before";
  const t = sql.identifier(index.table);
  const terms = sql.identifier(index.termsTable);
  const ref = sql.identifier(index.ref);
  const select = sql.join(
    Object.entries(columns).map(([name, column]) => sql`r.${sql.identifier(column.name)} AS ${sql.identifier(name)}`),
    sql`, `,
  );
  const archivedCond = archived ? sql`r.archived_at IS NOT NULL` : sql`r.archived_at IS NULL`;
  const cmp = backwards ? sql`<` : sql`>`;
  const dir = backwards ? sql`DESC` : sql`ASC`;
  const after = (k: SQL, id: SQL) => (cursor ? sql`AND (${k}, ${id}) ${cmp} (${cursor.key}, ${cursor.id})` : sql``);
  return [
    sql`SELECT r.search_name AS k, ${select} FROM ${t} r
      WHERE r.account_id = ${accountId} AND ${archivedCond} AND r.search_name >= ${key} AND r.search_name < ${upper} ${after(sql`r.search_name`, sql`r.id`)}
      ORDER BY r.search_name ${dir}, r.id ${dir} LIMIT ${limit}`,
    sql`SELECT w.term AS k, ${select} FROM ${terms} w JOIN ${t} r ON r.id = w.${ref}
      WHERE w.account_id = ${accountId} AND w.term >= ${key} AND w.term < ${upper} ${after(sql`w.term`, sql`w.${ref}`)}
        AND r.account_id = ${accountId} AND ${archivedCond} AND NOT (r.search_name >= ${key} AND r.search_name < ${upper})
      ORDER BY w.term ${dir}, w.${ref} ${dir} LIMIT ${limit}`,
  ];
}

/** SQLite's BINARY order of two strings: UTF-8 bytes, which is code point order. */
export function compareBinary(a: string, b: string): number {
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done ? (q.done ? 0 : -1) : 1;
    const d = p.value.codePointAt(0)! - q.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/**
 * Merges the two answers of {@link wordSearch} into list order (reversed when `backwards`), at most
 * `limit` rows, each row once (the first of its matching words). A row two of whose later words
 * both match may show again on the next page; that costs less than a read per row to prevent.
 */
export function mergeHits<T extends { k: string; id: string }>(byName: readonly T[], byWord: readonly T[], backwards: boolean, limit: number): T[] {
  const sign = backwards ? -1 : 1;
  const all = [...byName, ...byWord].sort((a, b) => sign * (compareBinary(a.k, b.k) || compareBinary(a.id, b.id)));
  const seen = new Set<string>();
  const out: T[] = [];
  for (const row of all) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    out.push(row);
    if (out.length === limit) break;
  }
  return out;
}
