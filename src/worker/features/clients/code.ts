/**
 * A client's short code: the readable part of its auxiliary account in the FEC (`411` + code,
 * features/books/queries.ts), shown on the client page. Given once at creation and never changed,
 * so that a client's account reads the same from one year's FEC to the next.
 *
 * The code is the first letters of the name (letters only, at most 8, upper case: "Œuvre & Cie" →
 * "OEUVRECI") and, when the account already has that code, a numeric suffix ("OEUVRECI2"). Being
 * letters only, no base can end like another base's suffixed code, so codes are unique by
 * construction (and by the unique index clients_account_code).
 */
import { type SQL, sql } from "drizzle-orm";
import { searchKey } from "./search";

const MAX_LETTERS = 8;

/** The client's auxiliary account in the FEC (CompAuxNum): the client account 411 and the code. */
export function fecClientAccount(code: string): string {
  return `411${code}`;
}

/** The letters a code starts with; "CLIENT" for a name without any Latin letter. */
export function clientCodeBase(name: string): string {
  const letters = searchKey(name).toUpperCase().replace(/[^A-Z]/g, "");
  return letters.slice(0, MAX_LETTERS) || "CLIENT";
}

/**
 * The code the next client of `accountId` named `name` gets, as an SQL expression for its INSERT:
 * computed in the same statement as the write, so two clients created at once with the same name
 * cannot both take it (D1 runs one statement at a time).
 */
export function nextClientCodeSql(accountId: string, name: string): SQL {
  const base = clientCodeBase(name);
  return sql`(CASE WHEN NOT EXISTS (SELECT 1 FROM clients WHERE account_id = ${accountId} AND code = ${base}) THEN ${base}
    ELSE ${base} || (SELECT COALESCE(MAX(CAST(substr(code, ${base.length + 1}) AS INTEGER)), 1) + 1 FROM clients
      WHERE account_id = ${accountId} AND code GLOB ${`${base}[0-9]*`}) END)`;
}
