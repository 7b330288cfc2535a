import { and, eq, isNull, sql } from "drizzle-orm";
import type { Config } from "../../config";
import { documents } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomToken, sha256Hex } from "../../lib/crypto/random";
import { aad, sealerFor } from "../../lib/sealer";
import { type AccountVerbCtx, type DocumentRow, loadDocument } from "./drafts";

/** The address a client opens: `<APP_URL>/p/<token>`. */
export const publicUrlOf = (config: Pick<Config, "APP_URL">, token: string) => `${config.APP_URL}/p/${token}`;

/**
 * Creates (or replaces) the unguessable public link of an issued document. The lookup goes through
 * the token's SHA-256 only; the token itself is kept sealed with DATA_KEY, bound to the document,
 * so that the seller can see and copy the link again on the document's page.
 * Sharing a quote that was only issued makes it "Envoyé": the client can now read it.
 */
export async function shareDocument(ctx: AccountVerbCtx, id: string): Promise<string> {
  const { doc } = await loadDocument(ctx, id);
  if (doc.status === "draft") throw new AppError("conflict", ctx.t("documents.err.shareDraft"));
  // The account id travels in the token so the link resolves to the right shard without a directory lookup.
  const token = `${ctx.accountId}.${randomToken(32)}`;
  const sealed = await (await sealerFor(ctx.config)).seal(token, aad.publicToken(doc.id));
  await ctx.db
    .update(documents)
    .set({
      publicTokenHash: await sha256Hex(token),
      publicTokenSealed: sealed,
      sentAt: sql`COALESCE(${documents.sentAt}, ${ctx.now})`,
      updatedAt: ctx.now,
    })
    .where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId)));
  return token;
}

/**
 * The document's current public link, opened from its sealed copy; null when there is none (never
 * shared, revoked, or shared before links were kept) or when it no longer opens (a retired key).
 */
export async function currentShareToken(ctx: AccountVerbCtx, doc: Pick<DocumentRow, "id" | "publicTokenHash" | "publicTokenSealed">): Promise<string | null> {
  if (!doc.publicTokenHash || !doc.publicTokenSealed) return null;
  try {
    const token = await (await sealerFor(ctx.config)).open(doc.publicTokenSealed, aad.publicToken(doc.id));
    // A sealed copy that does not match the live hash is stale: never show a dead link.
    return (await sha256Hex(token)) === doc.publicTokenHash ? token : null;
  } catch {
    return null;
  }
}

/** The live link when there is one, else a new one: emailing a document keeps the link already given. */
export async function ensureShared(ctx: AccountVerbCtx, id: string): Promise<string> {
  const { doc } = await loadDocument(ctx, id);
  const current = await currentShareToken(ctx, doc);
  if (!current) return shareDocument(ctx, id);
  if (doc.sentAt === null) await markSent(ctx, doc.id);
  return current;
}

/** The document reached its client (emailed or shared): a quote reads "Envoyé" from now on. */
export async function markSent(ctx: AccountVerbCtx, id: string): Promise<void> {
  await ctx.db
    .update(documents)
    .set({ sentAt: ctx.now })
    .where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId), isNull(documents.sentAt)));
}

/** Revokes the public link: the old URL answers 404 from now on, and it is no longer shown. */
export async function revokeShare(ctx: AccountVerbCtx, id: string): Promise<void> {
  await loadDocument(ctx, id);
  await ctx.db
    .update(documents)
    .set({ publicTokenHash: null, publicTokenSealed: null, updatedAt: ctx.now })
    .where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId)));
}
