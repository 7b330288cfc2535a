import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { documents, paSubmissions, transmissionEvents } from "../../db/schema";
import type { BuyerSnapshot } from "../../domain/document";
import { CANCELLING_STATUSES, REJECTED_COPY, STATUS_LABELS, chooseAddressing, describeStatus, inNetworkScope, isRejectedCopy, mustTransmit } from "../../domain/einvoice/transmission";
import { type NetCtx, connectionOf, materialize } from "./connection";
import { PaError, paClient } from "./pa-client";

/** What the issue of one document does on the network. */
export interface TransmissionPlan {
  transmit: boolean;
  /** BT-49 to write in the immutable file (null: keep the client's own). */
  address: string | null;
  /** Why not, or what the PA will do: recorded on the submission row for the invoice page. */
  note: "unknown_buyer" | "no_platform" | "lookup_failed" | "not_connected" | null;
}

const NONE: TransmissionPlan = { transmit: false, address: null, note: null };

/**
 * Before issuing: does this document go through the PA, and to which address? Looks the buyer up
 * in the directory by SIREN (PA-API.md §3). A directory outage does not block the issue: the
 * client's default address (its SIREN) is kept and routing stays the PA-E's job.
 */
export async function planTransmission(ctx: NetCtx, doc: { type: string; issueDate: string; buyer: Pick<BuyerSnapshot, "kind" | "siren" | "address" | "electronicAddress"> }): Promise<TransmissionPlan> {
  if (!inNetworkScope(doc)) return NONE;
  const conn = await connectionOf(ctx);
  if (!mustTransmit(doc, conn.transmit)) return NONE;
  if (!conn.mode) return { transmit: false, address: null, note: "not_connected" };
  await materialize(ctx, conn);
  const siren = doc.buyer.siren ?? "";
  const typed = doc.buyer.electronicAddress?.scheme === "0225" ? doc.buyer.electronicAddress.value : null;
  const pa = paClient(ctx);
  try {
    const lines = await pa.directoryLines(siren);
    const known = lines.length > 0 || (await pa.legalUnit(siren)) !== null;
    const a = chooseAddressing(siren, typed, lines, known);
    if (a.kind === "unknown_buyer") return { transmit: false, address: null, note: "unknown_buyer" };
    return { transmit: true, address: a.address, note: a.kind === "no_platform" ? "no_platform" : null };
  } catch (err) {
    if (!(err instanceof PaError)) throw err;
    if (err.code === "not_connected") return { transmit: false, address: null, note: "not_connected" };
    // The directory is down: address the SIREN itself (routing is the PA-E's job) and send anyway.
    return { transmit: true, address: typed ?? siren, note: "lookup_failed" };
  }
}

/** A row saying why an in-scope invoice did not go through the PA (shown on its page). */
export function skippedStatement(db: Db, row: { accountId: string; documentId: string; note: string; now: number }) {
  return db
    .insert(paSubmissions)
    .values({ id: row.documentId, accountId: row.accountId, documentId: row.documentId, kind: "invoice", state: "skipped", sha256: "", fileKey: "", fileName: "", ackReason: row.note, createdAt: row.now, updatedAt: row.now })
    .onConflictDoNothing();
}

/** Stable words for the latest status, for the API (`transmission.status`). */
const STATUS_SLUGS: Readonly<Record<number, string>> = {
  200: "deposited",
  201: "sent_by_platform",
  202: "received",
  203: "made_available",
  204: "in_hand",
  205: "approved",
  206: "partially_approved",
  207: "disputed",
  208: "suspended",
  209: "completed",
  210: "refused",
  211: "payment_sent",
  212: "collected",
  213: "rejected",
};

export interface LifecycleEntry {
  code: number;
  label: string;
  at: string;
  reasonCode?: string;
  reason?: string;
}

export interface Transmission {
  /** not_sent · skipped · queued · submitted · platform_error · or the latest lifecycle status (deposited, refused, collected…). */
  status: string;
  lifecycle: LifecycleEntry[];
  flowId: string | null;
  buyerAddress: string | null;
  /** Why it was not sent, the PA's acknowledgement error, or the last transport error while queued. */
  note: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  /** A 210 or 213 arrived: the invoice must be cancelled by a credit note. */
  needsCreditNote: boolean;
}

/** The transmission of one document as the API and its page show it (2 indexed reads). */
export async function transmissionOf(ctx: Pick<NetCtx, "db" | "accountId">, documentId: string, locale: "fr" | "en" = "fr"): Promise<Transmission> {
  const [row] = await ctx.db
    .select()
    .from(paSubmissions)
    .where(and(eq(paSubmissions.id, documentId), eq(paSubmissions.accountId, ctx.accountId)))
    .limit(1);
  const events = await ctx.db
    .select()
    .from(transmissionEvents)
    .where(and(eq(transmissionEvents.accountId, ctx.accountId), eq(transmissionEvents.documentId, documentId)))
    // Statuses carry their time to the minute: within one, the lifecycle's order (200 → 213) decides,
    // not the order two racing polls happened to record them in.
    .orderBy(asc(transmissionEvents.at), asc(transmissionEvents.code), asc(transmissionEvents.createdAt))
    .all();
  const codes = events.map((e) => e.code);
  const lifecycle = events.map((e) => {
    const words = describeStatus(e.code, e.reasonCode, locale);
    if (isRejectedCopy(e, codes)) words.reason = REJECTED_COPY[locale];
    // A buyer's status (204–211): the code's words, then the buyer's own text when it says more.
    else if (e.code >= 204 && e.code <= 211 && words.reason && e.reason && e.reason.toLowerCase() !== words.reason.toLowerCase()) words.reason += ` — « ${e.reason} »`;
    return { code: e.code, label: words.label, at: new Date(e.at).toISOString(), ...(e.reasonCode ? { reasonCode: e.reasonCode } : {}), ...(words.reason || e.reason ? { reason: words.reason ?? e.reason ?? "" } : {}) };
  });
  // A rejected copy of an invoice already filed is shown but changes nothing about the invoice.
  const standing = events.filter((e) => !isRejectedCopy(e, codes));
  const latest = standing.at(-1);
  const status = !row
    ? "not_sent"
    : row.state === "skipped"
      ? "skipped"
      : latest
        ? (STATUS_SLUGS[latest.code] ?? String(latest.code))
        : row.state === "queued"
          ? "queued"
          : row.state === "error"
            ? "platform_error"
            : "submitted";
  return {
    status,
    lifecycle,
    flowId: row?.flowId ?? null,
    buyerAddress: row?.buyerAddress ?? null,
    note: row?.state === "skipped" || row?.state === "error" ? row.ackReason : row?.state === "queued" ? row.lastError : null,
    attempts: row?.attempts ?? 0,
    nextAttemptAt: row?.state === "queued" && row.nextAttemptAt ? new Date(row.nextAttemptAt).toISOString() : null,
    needsCreditNote: standing.some((e) => CANCELLING_STATUSES.has(e.code)),
  };
}

/** Label of a status code for the lists' transmission column. */
export function statusLabel(code: number | null, locale: "fr" | "en"): string | null {
  return code === null ? null : (STATUS_LABELS[code]?.[locale] ?? String(code));
}

/**
 * Invoices the network refused (210) or rejected (213) that are not cancelled yet: the dashboard's
 * notice, each with the credit-note path. Read through pa_submissions_status (no account scan).
 */
export async function networkProblems(ctx: Pick<NetCtx, "db" | "accountId">): Promise<Array<{ id: string; number: string | null; code: number }>> {
  const rows = await ctx.db
    .select({ id: documents.id, number: documents.number, code: paSubmissions.statusCode })
    .from(paSubmissions)
    .innerJoin(documents, and(eq(documents.id, paSubmissions.documentId), eq(documents.accountId, paSubmissions.accountId)))
    .where(and(eq(paSubmissions.accountId, ctx.accountId), inArray(paSubmissions.statusCode, [...CANCELLING_STATUSES]), eq(documents.status, "issued")))
    .limit(20)
    .all();
  return rows.map((r) => ({ id: r.id, number: r.number, code: r.code ?? 0 }));
}
