import { and, eq } from "drizzle-orm";
import { documents, paSubmissions } from "../../db/schema";
import { buildCdar } from "../../domain/einvoice/cdar";
import { collectionStatusInput } from "../../domain/einvoice/transmission";
import type { DocumentSnapshot } from "../../domain/document";
import { sha256Hex } from "../../lib/crypto/random";
import type { NetCtx } from "./connection";
import { submitQueued } from "./outbox";

/**
 * After a payment on an invoice that went through the PA: the 212 Encaissée the law asks for
 * (domain/einvoice/transmission.ts decides when and with which amounts per rate). The CDAR is
 * written to R2 and queued in the outbox under the payment's id (its trackingId), so a payment
 * gives one 212 at most, however often this runs; then it is sent like any flow (backoff, lookup
 * by trackingId). Returns the submission id, or null when nothing is owed.
 */
export async function queueCollectionStatus(ctx: NetCtx, documentId: string, payment: { id: string; amountCents: number; receivedOn: string }): Promise<string | null> {
  const [sent] = await ctx.db
    .select({ state: paSubmissions.state, statusCode: paSubmissions.statusCode })
    .from(paSubmissions)
    .where(and(eq(paSubmissions.id, documentId), eq(paSubmissions.accountId, ctx.accountId), eq(paSubmissions.kind, "invoice")))
    .limit(1);
  // Only invoices the network knows, and not one it rejected (213): there is nothing to collect on.
  if (!sent || sent.state === "skipped" || sent.state === "error" || sent.statusCode === 213) return null;
  const [doc] = await ctx.db.select({ snapshot: documents.snapshot }).from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).limit(1);
  const snapshot = doc?.snapshot as DocumentSnapshot | null | undefined;
  if (!snapshot) return null;
  const input = collectionStatusInput(snapshot, payment, ctx.now);
  if (!input) return null;
  const xml = new TextEncoder().encode(buildCdar(input));
  const fileKey = `accounts/${ctx.accountId}/pa/${payment.id}-212.xml`;
  const sha256 = await sha256Hex(xml);
  await ctx.env.FILES.put(fileKey, xml, { httpMetadata: { contentType: "text/xml" }, customMetadata: { sha256 } });
  await ctx.db
    .insert(paSubmissions)
    .values({ id: payment.id, accountId: ctx.accountId, documentId, kind: "status", code: 212, state: "queued", sha256, fileKey, fileName: `CDV-212-${snapshot.number}.xml`, nextAttemptAt: ctx.now, createdAt: ctx.now, updatedAt: ctx.now })
    .onConflictDoNothing();
  await submitQueued(ctx, payment.id);
  return payment.id;
}
