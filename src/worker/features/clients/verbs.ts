import { and, eq, notExists, type SQL, sql } from "drizzle-orm";
import { clients, documents } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import type { AccountCtx } from "../profile/verbs";
import { nextClientCodeSql } from "./code";
import { CLIENT_INDEX, termWrites } from "./terms";
import { ELECTRONIC_SCHEME } from "./electronic-address";
import { type Client, clientNotFound, getClient } from "./queries";
import type { ClientInput } from "./schemas";
import { searchKey } from "./search";

/** The stored columns of a validated input (absent optional fields are cleared). */
function columnsOf(input: ClientInput) {
  const d = input.delivery;
  return {
    kind: input.kind,
    name: input.name,
    searchName: searchKey(input.name),
    siren: input.siren ?? null,
    siret: input.siret ?? null,
    vatNumber: input.vatNumber ?? null,
    addressLine1: input.addressLine1,
    addressLine2: input.addressLine2 ?? null,
    postalCode: input.postalCode,
    city: input.city,
    country: input.country,
    deliveryLine1: d?.line1 ?? null,
    deliveryLine2: d?.line2 ?? null,
    deliveryPostalCode: d?.postalCode ?? null,
    deliveryCity: d?.city ?? null,
    deliveryCountry: d?.country ?? null,
    email: input.email ?? null,
    electronicScheme: input.electronicAddress ? ELECTRONIC_SCHEME : null,
    electronicAddress: input.electronicAddress ?? null,
    language: input.language,
    paymentTermsDays: input.paymentTermsDays ?? null,
  };
}

/** Adds a client to the signed-in account. */
export async function createClient(ctx: AccountCtx, input: ClientInput): Promise<Client> {
  const id = randomId();
  const columns = columnsOf(input);
  // The row and its word index in one batch: a search never sees one without the other.
  await ctx.db.batch([
    ctx.db.insert(clients).values({ id, accountId: ctx.accountId, ...columns, code: nextClientCodeSql(ctx.accountId, input.name), createdAt: ctx.now, updatedAt: ctx.now }),
    ...termWrites(ctx.db, CLIENT_INDEX, ctx.accountId, id, columns.searchName),
  ]);
  return getClient(ctx, id);
}

/** Replaces a client's details with a validated input; 404 when the account has no such client. */
export async function updateClient(ctx: AccountCtx, id: string, input: ClientInput): Promise<Client> {
  const columns = columnsOf(input);
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(clients)
      .set({ ...columns, updatedAt: ctx.now })
      .where(and(eq(clients.id, id), eq(clients.accountId, ctx.accountId)))
      .returning({ id: clients.id }),
    // Scoped by account and id: for another account's id these write nothing.
    ...termWrites(ctx.db, CLIENT_INDEX, ctx.accountId, id, columns.searchName),
  ]);
  if (updated.length === 0) throw clientNotFound(ctx);
  return getClient(ctx, id);
}

/**
 * Hides a client from the lists and pickers; its documents keep it. Archiving an archived client
 * keeps the first date.
 */
export async function archiveClient(ctx: AccountCtx, id: string): Promise<Client> {
  return setArchived(ctx, id, sql`coalesce(${clients.archivedAt}, ${ctx.now})`);
}

/** Brings an archived client back into the lists. */
export async function unarchiveClient(ctx: AccountCtx, id: string): Promise<Client> {
  return setArchived(ctx, id, null);
}

async function setArchived(ctx: AccountCtx, id: string, archivedAt: SQL | null): Promise<Client> {
  const updated = await ctx.db
    .update(clients)
    .set({ archivedAt, updatedAt: ctx.now })
    .where(and(eq(clients.id, id), eq(clients.accountId, ctx.accountId)))
    .returning({ id: clients.id })
    .get();
  if (!updated) throw clientNotFound(ctx);
  return getClient(ctx, id);
}

/**
 * Deletes a client that no document names. The check and the delete are one statement, so a
 * document created meanwhile cannot be left pointing at nothing. A referenced client is a 409
 * `conflict` whose message explains archiving instead.
 */
export async function deleteClient(ctx: AccountCtx, id: string): Promise<void> {
  const deleted = await ctx.db
    .delete(clients)
    .where(
      and(
        eq(clients.id, id),
        eq(clients.accountId, ctx.accountId),
        notExists(
          ctx.db
            .select({ one: sql`1` })
            .from(documents)
            .where(and(eq(documents.accountId, ctx.accountId), eq(documents.clientId, id))),
        ),
      ),
    )
    .returning({ id: clients.id })
    .get();
  if (deleted) return;
  // Nothing deleted: either there is no such client here (404) or a document names it (409).
  await getClient(ctx, id);
  throw new AppError("conflict", ctx.t("clients.err.referenced"));
}
