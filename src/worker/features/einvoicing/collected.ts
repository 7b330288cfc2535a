import { and, eq } from "drizzle-orm";
import { paSubmissions } from "../../db/schema";
import { buildCdar } from "../../domain/einvoice/cdar";
import { collectionStatusInput } from "../../domain/einvoice/transmission";
import type { DocumentSnapshot } from "../../domain/document";
import { sha256Hex } from "../../lib/crypto/random";
import type { NetCtx } from "./connection";

/**
 * The 212 Encaissée a payment owes on an invoice that went through the PA (domain/einvoice/
 * transmission.ts decides when and with which amounts per rate), as an outbox insert meant for the
 * payment's own batch: a payment is never recorded without its 212, nor a 212 queued for a payment
 * that was not. The CDAR goes to R2 first (a batch that then fails leaves an unused file, never a
 * row without its file). The row is keyed by the payment id (its trackingId): one 212 per payment;
 * it is then sent like any flow (backoff, lookup by trackingId). Null when nothing is owed.
 */
export async function collectionStatusStatement(ctx: NetCtx, doc: { id: string; snapshot: unknown }, payment: { id: string; amountCents: number; receivedOn: string }) {
  const [sent] = await ctx.db
    .select({ state: paSubmissions.state, statusCode: paSubmissions.statusCode })
    .from(paSubmissions)
    .where(and(eq(paSubmissions.id, doc.id), eq(paSubmissions.accountId, ctx.accountId), eq(paSubmissions.kind, "invoice")))
    .limit(1);
  // Only invoices the network knows, and not one it rejected (213): there is nothing to collect on.
  if (!sent || sent.state === "skipped" || sent.state === "error" || sent.statusCode === 213) return null;
  const snapshot = doc.snapshot as DocumentSnapshot | null | undefined;
  if (!snapshot) return null;
  const input = collectionStatusInput(snapshot, payment, ctx.now);
  if (!input) return null;
  const xml = new TextEncoder().encode(buildCdar(input));
  const fileKey = `accounts/${ctx.accountId}/pa/${payment.id}-212.xml`;
  const sha256 = await sha256Hex(xml);
  await ctx.env.FILES.put(fileKey, xml, { httpMetadata: { contentType: "text/xml" }, customMetadata: { sha256 } });
  // Wrapped: a query builder is a thenable, and an async function would run it instead of returning it.
  return {
    statement: ctx.db
      .insert(paSubmissions)
      .values({ id: payment.id, accountId: ctx.accountId, documentId: doc.id, kind: "status", code: 212, state: "queued", sha256, fileKey, fileName: `CDV-212-${snapshot.number}.xml`, nextAttemptAt: ctx.now, createdAt: ctx.now, updatedAt: ctx.now })
      .onConflictDoNothing(),
  };
}
