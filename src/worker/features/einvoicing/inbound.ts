import { and, eq, inArray, sql } from "drizzle-orm";
import { accounts, documents, paConnections, paSubmissions, transmissionEvents } from "../../db/schema";
import { type ParsedCdar, parseCdar } from "../../domain/einvoice/cdar";
import { advance, alreadySeen, readCursor, updatedAfterOf, writeCursor } from "../../domain/einvoice/poll-cursor";
import { randomId } from "../../lib/crypto/random";
import type { NetCtx } from "./connection";
import { type Flow, paClient } from "./pa-client";

// Statuses coming back: the acknowledgements of what the account sent and the CDAR lifecycle
// statuses about its invoices. One incremental poll (`updatedAfter` = the account's cursor, paged
// by the last `updatedAt`) feeds everything; a webhook only triggers that poll, since the search is
// the reliable source (PA-API.md §2). Each flow is handled once: a status is keyed by its flow id,
// so a flow seen by both the webhook and the poll, or delivered twice, counts once.

const PAGE = 100;
/** Pages per run: a backlog beyond 1 000 flows continues at the next run. */
const MAX_PAGES = 10;

export interface SyncResult {
  flows: number;
  statuses: number;
  acks: number;
  unmatched: number;
}

/** The e-invoice document types a status can be about. */
const INVOICE_TYPES = ["invoice", "deposit_invoice", "credit_note"] as const;

/**
 * Polls the PA for what changed since the account's cursor and records it. Rows read grow with
 * the number of new flows, not with the account's history.
 */
export async function syncStatuses(ctx: NetCtx, pageSize = PAGE): Promise<SyncResult> {
  const result: SyncResult = { flows: 0, statuses: 0, acks: 0, unmatched: 0 };
  const [conn] = await ctx.db.select({ cursor: paConnections.cursor, createdAt: paConnections.createdAt }).from(paConnections).where(eq(paConnections.accountId, ctx.accountId)).limit(1);
  if (!conn) return result;
  const [account] = await ctx.db.select({ siren: accounts.siren }).from(accounts).where(eq(accounts.id, ctx.accountId)).limit(1);
  const pa = paClient(ctx);
  let cursor = readCursor(conn.cursor);
  for (let page = 0; page < MAX_PAGES; page++) {
    const after = updatedAfterOf(cursor, pageSize);
    const flows = await pa.searchFlows({ flowType: ["CustomerInvoice", "CustomerInvoiceLC"], ...(after ? { updatedAfter: after } : {}) }, pageSize);
    const start = cursor;
    for (const flow of flows) {
      if (alreadySeen(start, flow)) continue;
      cursor = advance(cursor, flow);
      result.flows += 1;
      if (flow.flowDirection === "Out") {
        if (await recordAck(ctx, flow)) result.acks += 1;
      } else if (flow.flowType === "CustomerInvoiceLC" && flow.acknowledgement?.status !== "Error") {
        const outcome = await recordStatus(ctx, flow, account?.siren ?? null);
        if (outcome === "recorded") result.statuses += 1;
        else if (outcome === "unmatched") result.unmatched += 1;
      }
    }
    if (cursor && cursor !== start) {
      // The cursor moves after each page's flows are recorded: a crash replays at most one page,
      // and replaying is harmless (flow ids are unique).
      await ctx.db.update(paConnections).set({ cursor: writeCursor(cursor), lastPollAt: ctx.now, updatedAt: ctx.now }).where(eq(paConnections.accountId, ctx.accountId));
    }
    if (flows.length < pageSize) break;
  }
  if (result.flows === 0) await ctx.db.update(paConnections).set({ lastPollAt: ctx.now }).where(eq(paConnections.accountId, ctx.accountId));
  return result;
}

/** The acknowledgement of a flow the account sent (its trackingId is our submission id). */
async function recordAck(ctx: NetCtx, flow: Flow): Promise<boolean> {
  const status = flow.acknowledgement?.status;
  if (!flow.trackingId || !status || status === "Pending") return false;
  const detail = flow.acknowledgement?.details?.find((d) => d.level !== "Warning") ?? flow.acknowledgement?.details?.[0];
  const updated = await ctx.db
    .update(paSubmissions)
    .set({ state: status === "Ok" ? "acked" : "error", flowId: flow.flowId, ackReason: status === "Error" ? (detail?.reasonCode ?? "Error").slice(0, 100) : null, nextAttemptAt: null, updatedAt: ctx.now })
    .where(and(eq(paSubmissions.id, flow.trackingId), eq(paSubmissions.accountId, ctx.accountId)))
    .returning({ id: paSubmissions.id });
  return updated.length > 0;
}

/** A lifecycle status about one of the account's invoices, matched by number, date and seller SIREN. */
async function recordStatus(ctx: NetCtx, flow: Flow, ownSiren: string | null): Promise<"recorded" | "duplicate" | "unmatched"> {
  const [seen] = await ctx.db.select({ id: transmissionEvents.id }).from(transmissionEvents).where(and(eq(transmissionEvents.accountId, ctx.accountId), eq(transmissionEvents.flowId, flow.flowId))).limit(1);
  if (seen) return "duplicate";
  let parsed: ParsedCdar;
  try {
    const { bytes } = await paClient(ctx).download(flow.flowId, "Original");
    parsed = parseCdar(new TextDecoder().decode(bytes));
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", event: "pa_status_unreadable", flowId: flow.flowId, error: err instanceof Error ? err.message : String(err) }));
    return "unmatched";
  }
  if (!ownSiren || parsed.sellerSiren !== ownSiren) return "unmatched";
  const [doc] = await ctx.db
    .select({ id: documents.id, issueDate: documents.issueDate })
    .from(documents)
    .where(and(eq(documents.accountId, ctx.accountId), inArray(documents.type, [...INVOICE_TYPES]), eq(documents.number, parsed.invoiceNumber)))
    .limit(1);
  if (!doc || (parsed.invoiceDate && doc.issueDate !== parsed.invoiceDate)) return "unmatched";
  await recordEvent(ctx, doc.id, { code: parsed.code, reasonCode: parsed.reasonCode, reason: parsed.reason, at: parsed.at ?? ctx.now, flowId: flow.flowId });
  return "recorded";
}

/**
 * Appends a lifecycle event and refreshes the invoice's latest status (for the lists), in one batch.
 * A second event with the same flow id does nothing.
 */
export async function recordEvent(ctx: NetCtx, documentId: string, e: { code: number; reasonCode: string | null; reason: string | null; at: number; flowId: string | null }) {
  await ctx.db.batch([
    ctx.db
      .insert(transmissionEvents)
      .values({ id: randomId(), accountId: ctx.accountId, documentId, code: e.code, reasonCode: e.reasonCode, reason: e.reason?.slice(0, 1000) ?? null, at: e.at, flowId: e.flowId, createdAt: ctx.now })
      .onConflictDoNothing(),
    ctx.db
      .update(paSubmissions)
      .set({
        // The latest status in the timeline's order (transmissionOf), a rejected copy left out
        // (domain isRejectedCopy: 213 DOUBLON after a 200).
        statusCode: sql`(SELECT code FROM transmission_events t WHERE account_id = ${ctx.accountId} AND document_id = ${documentId} AND NOT (code = 213 AND reason_code = 'DOUBLON' AND EXISTS (SELECT 1 FROM transmission_events WHERE account_id = t.account_id AND document_id = t.document_id AND code = 200)) ORDER BY at DESC, code DESC, created_at DESC LIMIT 1)`,
        updatedAt: ctx.now,
      })
      .where(and(eq(paSubmissions.id, documentId), eq(paSubmissions.accountId, ctx.accountId))),
  ]);
}
