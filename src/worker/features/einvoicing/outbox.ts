import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { paSubmissions } from "../../db/schema";
import { retryDelayMinutes } from "../../domain/einvoice/transmission";
import type { NetCtx } from "./connection";
import { recordEvent } from "./inbound";
import { type FlowInfo, PaError, paClient } from "./pa-client";

// The outbox of flows Factumo sends to the PA. A row is written in the same batch as what makes it
// owed (the issue of an invoice), so nothing is lost if the PA is down; it is then submitted at
// once, and by the cron with exponential backoff until the PA takes it. Submitting is idempotent:
// each attempt claims the row with one conditional UPDATE (no two senders at once), and an attempt
// after one whose answer was lost first searches the PA by trackingId (= the row id) before
// sending again — so a flow is never filed twice.

export type SubmissionRow = typeof paSubmissions.$inferSelect;

/** A lease: a claimed row is retried by others only after this (an attempt that crashed). */
const CLAIM_MS = 2 * 60_000;

/** The insert that queues an issued invoice's Factur-X; meant for the issue batch. */
export function queueInvoiceStatement(db: Db, row: { accountId: string; documentId: string; sha256: string; fileKey: string; fileName: string; buyerAddress: string | null; now: number }) {
  return db
    .insert(paSubmissions)
    .values({
      id: row.documentId,
      accountId: row.accountId,
      documentId: row.documentId,
      kind: "invoice",
      state: "queued",
      sha256: row.sha256,
      fileKey: row.fileKey,
      fileName: row.fileName,
      buyerAddress: row.buyerAddress,
      nextAttemptAt: row.now,
      createdAt: row.now,
      updatedAt: row.now,
    })
    .onConflictDoNothing();
}

/** Claims a due row for one attempt; null when another sender has it or it is no longer queued. */
async function claim(ctx: NetCtx, id: string): Promise<SubmissionRow | null> {
  const row = await ctx.db
    .update(paSubmissions)
    .set({ attempts: sql`${paSubmissions.attempts} + 1`, nextAttemptAt: ctx.now + CLAIM_MS, updatedAt: ctx.now })
    .where(and(eq(paSubmissions.id, id), eq(paSubmissions.accountId, ctx.accountId), eq(paSubmissions.state, "queued"), lte(paSubmissions.nextAttemptAt, ctx.now)))
    .returning()
    .get();
  return row ?? null;
}

export type SubmitOutcome = "sent" | "found" | "retry" | "failed" | "busy";

/**
 * One attempt at sending a queued flow. Returns what happened; never throws for the PA's sake
 * (the row records the error and when to try again).
 */
export async function submitQueued(ctx: NetCtx, id: string): Promise<SubmitOutcome> {
  const row = await claim(ctx, id);
  if (!row) return "busy";
  const pa = paClient(ctx);
  try {
    if (row.attempts > 1) {
      // An earlier attempt may have reached the PA without us hearing the answer: look first.
      const [known] = await pa.searchFlows({ trackingId: row.id, flowDirection: ["Out"] }, 1);
      if (known) {
        await markSent(ctx, row.id, known.flowId, known.acknowledgement?.status);
        if (row.kind === "status" && row.code) await recordEvent(ctx, row.documentId, { code: row.code, reasonCode: null, reason: null, at: ctx.now, flowId: known.flowId });
        return "found";
      }
    }
    const object = await ctx.env.FILES.get(row.fileKey);
    if (!object) throw new PaError("file_missing", `Fichier ${row.fileKey} introuvable`, null, false);
    const file = new Uint8Array(await object.arrayBuffer());
    const flowInfo: FlowInfo =
      row.kind === "invoice"
        ? { flowSyntax: "Factur-X", flowProfile: "CIUS", processingRule: "B2B", name: row.fileName, trackingId: row.id, sha256: row.sha256 }
        : { flowSyntax: "CDAR", processingRule: "NotApplicable", name: row.fileName, trackingId: row.id, sha256: row.sha256 };
    const flow = await pa.submitFlow({ flowInfo, file });
    await markSent(ctx, row.id, flow.flowId, flow.acknowledgement?.status);
    // A status we send (212 Encaissée) joins the invoice's timeline, once (keyed by its flow).
    if (row.kind === "status" && row.code) await recordEvent(ctx, row.documentId, { code: row.code, reasonCode: null, reason: null, at: ctx.now, flowId: flow.flowId });
    return "sent";
  } catch (err) {
    const pe = err instanceof PaError ? err : new PaError("internal", err instanceof Error ? err.message : String(err), null, true);
    // Not connected (no SIREN, PA removed) waits like an outage: the user can fix it and it goes.
    const retry = pe.retryable || pe.code === "not_connected";
    const waitMs = Math.max(retryDelayMinutes(row.attempts) * 60_000, (pe.retryAfterSeconds ?? 0) * 1000);
    await ctx.db
      .update(paSubmissions)
      .set(retry ? { nextAttemptAt: ctx.now + waitMs, lastError: `${pe.code}: ${pe.message}`.slice(0, 500), updatedAt: ctx.now } : { state: "error", ackReason: pe.code, lastError: `${pe.code}: ${pe.message}`.slice(0, 500), updatedAt: ctx.now })
      .where(and(eq(paSubmissions.id, row.id), eq(paSubmissions.accountId, ctx.accountId)));
    return retry ? "retry" : "failed";
  }
}

async function markSent(ctx: NetCtx, id: string, flowId: string, ack: string | undefined) {
  const state = ack === "Ok" ? "acked" : ack === "Error" ? "error" : "sent";
  await ctx.db
    .update(paSubmissions)
    .set({ state, flowId, nextAttemptAt: null, lastError: null, updatedAt: ctx.now })
    .where(and(eq(paSubmissions.id, id), eq(paSubmissions.accountId, ctx.accountId)));
}

/** Sends the account's due rows, oldest first (at most `limit`). */
export async function processOutbox(ctx: NetCtx, limit = 20): Promise<Record<SubmitOutcome, number>> {
  const due = await ctx.db
    .select({ id: paSubmissions.id })
    .from(paSubmissions)
    .where(and(eq(paSubmissions.state, "queued"), lte(paSubmissions.nextAttemptAt, ctx.now), eq(paSubmissions.accountId, ctx.accountId)))
    .orderBy(asc(paSubmissions.nextAttemptAt))
    .limit(limit)
    .all();
  const out: Record<SubmitOutcome, number> = { sent: 0, found: 0, retry: 0, failed: 0, busy: 0 };
  for (const { id } of due) out[await submitQueued(ctx, id)] += 1;
  return out;
}

/** Accounts with rows due now (the cron's work list), through the due index. */
export function accountsWithDueSubmissions(db: Db, now: number) {
  return db
    .selectDistinct({ accountId: paSubmissions.accountId })
    .from(paSubmissions)
    .where(and(eq(paSubmissions.state, "queued"), lte(paSubmissions.nextAttemptAt, now)))
    .limit(500)
    .all();
}
