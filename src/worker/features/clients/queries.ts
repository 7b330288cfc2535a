import { and, asc, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { clients, documents } from "../../db/schema";
import { AppError } from "../../http/errors";
import type { AccountCtx } from "../profile/verbs";
import { decodeCursor, type Cursor, type Page, pageOf, PAGE_SIZE, searchKey } from "./search";
import { CLIENT_INDEX, mergeHits, wordSearch } from "./terms";

type ClientRow = typeof clients.$inferSelect;

/** A client as the pages and the API show it: the row without the tenancy and search columns. */
export type Client = Omit<ClientRow, "accountId" | "searchName">;

/** Columns of {@link Client}: what every read selects. */
const clientColumns = {
  id: clients.id,
  kind: clients.kind,
  name: clients.name,
  code: clients.code,
  siren: clients.siren,
  siret: clients.siret,
  vatNumber: clients.vatNumber,
  addressLine1: clients.addressLine1,
  addressLine2: clients.addressLine2,
  postalCode: clients.postalCode,
  city: clients.city,
  country: clients.country,
  deliveryLine1: clients.deliveryLine1,
  deliveryLine2: clients.deliveryLine2,
  deliveryPostalCode: clients.deliveryPostalCode,
  deliveryCity: clients.deliveryCity,
  deliveryCountry: clients.deliveryCountry,
  email: clients.email,
  electronicScheme: clients.electronicScheme,
  electronicAddress: clients.electronicAddress,
  language: clients.language,
  paymentTermsDays: clients.paymentTermsDays,
  archivedAt: clients.archivedAt,
  createdAt: clients.createdAt,
  updatedAt: clients.updatedAt,
};

/** The 404 of a client that does not exist in this account (whether or not it exists in another). */
export function clientNotFound(ctx: AccountCtx): AppError {
  return new AppError("not_found", ctx.t("clients.err.notFound"));
}

/** Reads a position token from a URL; a token we did not make is a 400 on the `cursor` field. */
export function cursorOf(ctx: AccountCtx, token: string | undefined): Cursor | null {
  if (token === undefined) return null;
  const cursor = decodeCursor(token);
  if (!cursor) throw new AppError("invalid", ctx.t("clients.err.cursor"), { cursor: ctx.t("clients.err.cursor") });
  return cursor;
}

export interface ClientListQuery {
  /** Start of any word of the name, as typed; matched on the accent-free lower-case key (terms.ts). */
  q: string;
  cursor?: string;
  /** true: only archived clients; false: only active ones. */
  archived: boolean;
}

/**
 * One page of the account's clients ordered by name, reading exactly PAGE_SIZE + 1 rows after (or
 * before) the cursor: keyset pagination on (search_name, id), served by the clients_account_name index.
 */
export async function listClients(ctx: AccountCtx, query: ClientListQuery): Promise<Page<Client>> {
  const cursor = cursorOf(ctx, query.cursor);
  const key = searchKey(query.q);
  if (key) return searchByClientWords(ctx, key, query.archived, cursor);
  const position = sql`(${clients.searchName}, ${clients.id})`;
  const backwards = cursor?.direction === "before";
  const rows = await ctx.db
    .select({ ...clientColumns, searchName: clients.searchName })
    .from(clients)
    .where(
      and(
        eq(clients.accountId, ctx.accountId),
        query.archived ? isNotNull(clients.archivedAt) : isNull(clients.archivedAt),
        cursor ? (backwards ? sql`${position} < (${cursor.key}, ${cursor.id})` : sql`${position} > (${cursor.key}, ${cursor.id})`) : undefined,
      ),
    )
    .orderBy(...(backwards ? [desc(clients.searchName), desc(clients.id)] : [asc(clients.searchName), asc(clients.id)]))
    .limit(PAGE_SIZE + 1)
    .all();
  const page = pageOf(rows, cursor, (row) => ({ key: row.searchName, id: row.id }));
  return { ...page, items: page.items.map(({ searchName: _key, ...client }) => client) };
}

/** The account's client with this id, or a 404. */
export async function getClient(ctx: AccountCtx, id: string): Promise<Client> {
  const row = await ctx.db
    .select(clientColumns)
    .from(clients)
    .where(and(eq(clients.id, id), eq(clients.accountId, ctx.accountId)))
    .get();
  if (!row) throw clientNotFound(ctx);
  return row;
}

/** True when at least one document (draft or issued) of the account names this client. */
export async function isClientReferenced(ctx: AccountCtx, id: string): Promise<boolean> {
  const row = await ctx.db
    .select({ one: sql<number>`1` })
    .from(documents)
    .where(and(eq(documents.accountId, ctx.accountId), eq(documents.clientId, id)))
    .limit(1)
    .get();
  return row !== undefined;
}

/** What a client owes on issued invoices and what it holds as credit, in cents. */
export interface ClientBalance {
  /** Sum of what is left to pay on the client's issued invoices (after credit notes and payments). */
  dueCents: number;
  /** Sum of the client's client_credits rows: overpayments, less their reversals. */
  creditCents: number;
}

/**
 * A client's balance in one statement, computed as receivables() does for the whole account (each
 * issued invoice's amount due, less its issued credit notes and its payments, counted when positive)
 * but reading only this client's documents (documents_account_client_type_created), their payments
 * (payments_account_document_created) and credits (client_credits_account_client).
 */
export async function clientBalance(ctx: AccountCtx, clientId: string): Promise<ClientBalance> {
  const a = ctx.accountId;
  // What the client owes is the row client_open_balances keeps by trigger (the receivables'
  // figure): one row, not the client's whole history of invoices, credit notes and payments.
  const rows = await ctx.db.all<{ dueCents: number | null; creditCents: number | null }>(sql`SELECT
      (SELECT outstanding_cents FROM client_open_balances WHERE account_id = ${a} AND client_id = ${clientId}) AS dueCents,
      (SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits WHERE account_id = ${a} AND client_id = ${clientId}) AS creditCents`);
  const row = rows[0];
  return { dueCents: Number(row?.dueCents ?? 0), creditCents: Number(row?.creditCents ?? 0) };
}

/**
 * One page of a name search: the rows any word of whose name starts with the key, in one statement
 * over the name and word indexes, merged here (clients/terms.ts).
 */
async function searchByClientWords(ctx: AccountCtx, key: string, archived: boolean, cursor: Cursor | null): Promise<Page<Client>> {
  const [byName, byWord] = wordSearch(CLIENT_INDEX, clientColumns, ctx.accountId, key, archived, cursor, PAGE_SIZE + 1);
  type Hit = Client & { k: string };
  const [a, b] = await Promise.all([ctx.db.all<Hit>(byName), ctx.db.all<Hit>(byWord)]);
  const rows = mergeHits(a, b, cursor?.direction === "before", PAGE_SIZE + 1);
  const page = pageOf(rows, cursor, (r) => ({ key: r.k, id: r.id }));
  return { ...page, items: page.items.map(({ k: _k, ...r }) => ({ ...r, })) };
}
