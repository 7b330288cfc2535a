import { and, asc, eq, inArray } from "drizzle-orm";
import { accounts, purchaseEvents, purchases, purchaseSync } from "../../db/schema";
import type { VerbCtx } from "../../context";
import { buildCdar, CdarError, parseCdar } from "../../domain/einvoice/cdar";
import { advance, alreadySeen, readCursor, updatedAfterOf, writeCursor } from "../../domain/einvoice/poll-cursor";
import { parseReceivedFile, type ReceivedInvoice, ReceivedInvoiceError } from "../../domain/einvoice/received";
import { isValidSiren } from "../../domain/identifiers";
import { type BuyerAction, purchaseDedupKey, refuseAction } from "../../domain/purchases";
import { AppError } from "../../http/errors";
import { hmacSha256Bytes, randomId, sha256Hex } from "../../lib/crypto/random";
import { type Flow, PaError, paClient } from "../einvoicing/pa-client";

export type AccountCtx = VerbCtx & { accountId: string };

export const purchaseFileKey = (accountId: string, purchaseId: string, ext: "pdf" | "xml" | "bin") => `accounts/${accountId}/purchases/${purchaseId}.${ext}`;
export const purchaseEventKey = (accountId: string, eventId: string) => `accounts/${accountId}/purchase-events/${eventId}.xml`;

/** Flow types the purchase poll reads: supplier invoices and the statuses about them. */
export const PURCHASE_FLOW_TYPES = ["SupplierInvoice", "SupplierInvoiceLC"] as const;
/** Pages of 100 flows read per poll; the cursor carries on at the next one. */
const MAX_PAGES = 10;

export interface ManualPurchase {
  supplierName: string;
  supplierSiren?: string | null;
  supplierVatNumber?: string | null;
  number: string;
  issueDate: string;
  dueDate?: string | null;
  taxExclusiveCents: number;
  vatCents: number;
  category: "goods" | "services" | "overheads";
}

export type StoreResult = { kind: "stored"; id: string } | { kind: "duplicate"; id: string };

function fileExt(bytes: Uint8Array): "pdf" | "xml" | "bin" {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  if (head.includes("%PDF-")) return "pdf";
  if (head.trimStart().startsWith("<") || head.startsWith("\uFEFF") || head.startsWith("ï»¿")) return "xml";
  return "bin";
}

const CONTENT_TYPES = { pdf: "application/pdf", xml: "application/xml", bin: "application/octet-stream" } as const;

/**
 * Stores one purchase: the file in R2 as received (key by purchase id, sha256 in D1), the row in
 * D1 unless (supplier, number, year) is already there — the unique index decides, so two deliveries
 * of one invoice racing each other still make one row.
 */
async function storePurchase(
  ctx: AccountCtx,
  input: { bytes: Uint8Array | null; fileName: string | null; source: "network" | "manual"; flowId: string | null; read: ReceivedInvoice | null; manual: ManualPurchase | null },
): Promise<StoreResult> {
  const id = randomId();
  const now = ctx.now;
  const read = input.read;
  const m = input.manual;
  const fields = read
    ? {
        supplierName: read.supplier.name || read.supplier.siren || "?",
        supplierSiren: read.supplier.siren,
        supplierVatNumber: read.supplier.vatNumber,
        supplierCountry: read.supplier.countryCode,
        number: read.number,
        typeCode: read.typeCode,
        issueDate: read.issueDate,
        dueDate: read.dueDate,
        currency: read.currency,
        taxExclusiveCents: read.taxExclusiveCents,
        vatCents: read.vatCents,
        taxInclusiveCents: read.taxInclusiveCents,
        vatBreakdown: JSON.stringify(read.vat),
        lines: JSON.stringify(read.lines.slice(0, 500)),
        iban: read.iban,
      }
    : {
        supplierName: m!.supplierName,
        supplierSiren: m!.supplierSiren ?? null,
        supplierVatNumber: m!.supplierVatNumber ?? null,
        supplierCountry: null,
        number: m!.number,
        typeCode: "380",
        issueDate: m!.issueDate,
        dueDate: m!.dueDate ?? null,
        currency: "EUR",
        taxExclusiveCents: m!.taxExclusiveCents,
        vatCents: m!.vatCents,
        taxInclusiveCents: m!.taxExclusiveCents + m!.vatCents,
        vatBreakdown: "[]",
        lines: "[]",
        iban: null,
      };
  const dedupKey = purchaseDedupKey(fields);
  const existing = await ctx.db
    .select({ id: purchases.id })
    .from(purchases)
    .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.dedupKey, dedupKey)))
    .get();
  if (existing) return { kind: "duplicate", id: existing.id };

  let fileKey: string | null = null;
  let sha: string | null = null;
  let ext: "pdf" | "xml" | "bin" | null = null;
  if (input.bytes) {
    ext = fileExt(input.bytes);
    fileKey = purchaseFileKey(ctx.accountId, id, ext);
    sha = await sha256Hex(input.bytes);
    await ctx.env.FILES.put(fileKey, input.bytes, { httpMetadata: { contentType: CONTENT_TYPES[ext] }, sha256: sha });
  }
  const inserted = await ctx.db
    .insert(purchases)
    .values({
      id,
      accountId: ctx.accountId,
      source: input.source,
      flowId: input.flowId,
      ...fields,
      category: m?.category ?? "services",
      dedupKey,
      fileKey,
      fileSha256: sha,
      fileName: input.fileName?.slice(0, 200) ?? null,
      fileType: ext ? CONTENT_TYPES[ext] : null,
      statusCode: input.source === "network" ? 203 : null,
      statusAt: input.source === "network" ? now : null,
      receivedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: purchases.id });
  if (inserted.length === 0) {
    // Lost a race with the same invoice (or flow): keep the first, drop this file.
    if (fileKey) await ctx.env.FILES.delete(fileKey);
    const winner = await ctx.db
      .select({ id: purchases.id })
      .from(purchases)
      .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.dedupKey, dedupKey)))
      .get();
    return { kind: "duplicate", id: winner?.id ?? "" };
  }
  return { kind: "stored", id };
}

/**
 * A supplier invoice added by hand (paper or foreign), with its file when there is one. An
 * e-invoice file (Factur-X, CII, UBL) is read instead of the typed fields.
 */
export async function addManualPurchase(ctx: AccountCtx, input: { manual: ManualPurchase; file: { bytes: Uint8Array; name: string } | null }): Promise<StoreResult> {
  let read: ReceivedInvoice | null = null;
  if (input.file) {
    try {
      read = (await parseReceivedFile(input.file.bytes)).invoice;
    } catch (err) {
      if (!(err instanceof ReceivedInvoiceError)) throw err;
      if (err.code === "too_large") throw new AppError("payload_too_large", ctx.t("purchases.err.fileTooLarge"));
      // A scan or a foreign PDF: the typed fields describe it.
    }
  }
  const result = await storePurchase(ctx, { bytes: input.file?.bytes ?? null, fileName: input.file?.name ?? null, source: "manual", flowId: null, read, manual: input.manual });
  if (result.kind === "duplicate") throw new AppError("conflict", ctx.t("purchases.err.duplicate"), { number: ctx.t("purchases.err.duplicate") });
  return result;
}

export interface SyncResult {
  flowsRead: number;
  received: number;
  duplicates: number;
  statuses: number;
  unreadable: number;
}

async function ingestFlow(ctx: AccountCtx, pa: ReturnType<typeof paClient>, flow: Flow, out: SyncResult): Promise<void> {
  if (flow.flowType === "SupplierInvoice") {
    const known = await ctx.db
      .select({ id: purchases.id })
      .from(purchases)
      .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.flowId, flow.flowId)))
      .get();
    if (known) return;
    const { bytes, fileName } = await pa.download(flow.flowId, "Original");
    let read: ReceivedInvoice;
    try {
      read = (await parseReceivedFile(bytes)).invoice;
    } catch (err) {
      if (!(err instanceof ReceivedInvoiceError)) throw err;
      // The PA vouched for it, yet we cannot read it: it stays on the PA, counted, not lost silently.
      out.unreadable += 1;
      return;
    }
    const stored = await storePurchase(ctx, { bytes, fileName: fileName ?? flow.name ?? null, source: "network", flowId: flow.flowId, read, manual: null });
    if (stored.kind === "stored") out.received += 1;
    else out.duplicates += 1;
    return;
  }
  if (flow.flowType === "SupplierInvoiceLC") {
    const known = await ctx.db
      .select({ id: purchaseEvents.id })
      .from(purchaseEvents)
      .where(and(eq(purchaseEvents.accountId, ctx.accountId), eq(purchaseEvents.flowId, flow.flowId)))
      .get();
    if (known) return;
    const { bytes } = await pa.download(flow.flowId, "Original");
    let status;
    try {
      status = parseCdar(new TextDecoder().decode(bytes));
    } catch (err) {
      if (!(err instanceof CdarError)) throw err;
      out.unreadable += 1;
      return;
    }
    const purchase = await ctx.db
      .select({ id: purchases.id })
      .from(purchases)
      .where(
        and(
          eq(purchases.accountId, ctx.accountId),
          eq(purchases.dedupKey, purchaseDedupKey({ supplierSiren: status.sellerSiren, supplierName: "", number: status.invoiceNumber, issueDate: status.invoiceDate ?? "" })),
        ),
      )
      .get();
    if (!purchase || !status.invoiceDate) {
      out.unreadable += 1;
      return;
    }
    const eventId = randomId();
    const key = purchaseEventKey(ctx.accountId, eventId);
    await ctx.env.FILES.put(key, bytes, { httpMetadata: { contentType: "application/xml" } });
    await ctx.db
      .insert(purchaseEvents)
      .values({
        id: eventId,
        accountId: ctx.accountId,
        purchaseId: purchase.id,
        code: status.code,
        direction: "in",
        reasonCode: status.reasonCode,
        reason: status.reason,
        amountCents: status.amountCents,
        at: status.at ?? ctx.now,
        flowId: flow.flowId,
        fileKey: key,
        createdAt: ctx.now,
      })
      .onConflictDoNothing();
    out.statuses += 1;
  }
}

/** The webhook signing key of an account: derived, never stored (HMAC of the session secret). */
export async function webhookKey(config: { SESSION_SECRET: string }, accountId: string): Promise<Uint8Array> {
  return hmacSha256Bytes(config.SESSION_SECRET, `pa-purchases-webhook:${accountId}`);
}

/**
 * The incremental poll: SupplierInvoice and SupplierInvoiceLC flows updated after the account's
 * cursor, oldest first, 100 per page; each is stored once (flow id unique), then the cursor moves.
 * D1 reads are one per flow plus the cursor, so a poll with nothing new reads one row.
 * @throws AppError precondition_failed when the account has no PA; PaError passes through.
 */
export async function syncPurchases(ctx: AccountCtx, pageSize = 100): Promise<SyncResult> {
  const pa = paClient({ config: ctx.config, db: ctx.db, accountId: ctx.accountId });
  if (!(await pa.connected())) throw new AppError("precondition_failed", ctx.t("purchases.err.notConnected"));
  const state = await ctx.db.select().from(purchaseSync).where(eq(purchaseSync.accountId, ctx.accountId)).get();
  // (instant, ids) cursor: flows tied on the last instant of a full page are not skipped (poll-cursor.ts).
  let cursor = readCursor(state?.cursor);
  const out: SyncResult = { flowsRead: 0, received: 0, duplicates: 0, statuses: 0, unreadable: 0 };
  for (let page = 0; page < MAX_PAGES; page++) {
    const after = updatedAfterOf(cursor, pageSize);
    const flows = await pa.searchFlows({ flowType: [...PURCHASE_FLOW_TYPES], flowDirection: ["In"], ...(after ? { updatedAfter: after } : {}) }, pageSize);
    const start = cursor;
    for (const flow of flows) {
      if (alreadySeen(start, flow)) continue;
      out.flowsRead += 1;
      await ingestFlow(ctx, pa, flow, out);
      cursor = advance(cursor, flow);
    }
    const text = cursor ? writeCursor(cursor) : null;
    await ctx.db
      .insert(purchaseSync)
      .values({ accountId: ctx.accountId, cursor: text, lastPollAt: ctx.now, updatedAt: ctx.now })
      .onConflictDoUpdate({ target: purchaseSync.accountId, set: { cursor: text, lastPollAt: ctx.now, updatedAt: ctx.now } });
    if (flows.length < pageSize) break;
  }
  if (!state?.webhookIds && ctx.config.ENVIRONMENT !== "test") await subscribeWebhooks(ctx, pa).catch(() => undefined);
  return out;
}

/** Asks the PA to post new supplier flows to us (a hint: the handler polls, the poll is the truth). */
async function subscribeWebhooks(ctx: AccountCtx, pa: ReturnType<typeof paClient>): Promise<void> {
  const key = await webhookKey(ctx.config, ctx.accountId);
  const url = `${ctx.config.APP_URL.replace(/\/$/, "")}/webhooks/pa/purchases?account=${encodeURIComponent(ctx.accountId)}`;
  const ids: string[] = [];
  for (const flowType of PURCHASE_FLOW_TYPES) ids.push(await pa.subscribeWebhook({ url, key, flowType, flowDirection: "In" }));
  await ctx.db.update(purchaseSync).set({ webhookIds: ids.join(","), updatedAt: ctx.now }).where(eq(purchaseSync.accountId, ctx.accountId));
}

export interface StatusInput {
  code: BuyerAction;
  reasonCode?: string | undefined;
  reason?: string | undefined;
  amountCents?: number | undefined;
}

/**
 * Sends a buyer status (204, 205, 207, 210, 211) about a purchase through the PA, then records it.
 * Nothing is recorded unless the PA took the message (202).
 */
export async function sendPurchaseStatus(ctx: AccountCtx, purchaseId: string, input: StatusInput): Promise<{ eventId: string; flowId: string }> {
  const p = await ctx.db
    .select()
    .from(purchases)
    .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.id, purchaseId)))
    .get();
  if (!p) throw new AppError("not_found", ctx.t("purchases.err.notFound"));
  const history = (
    await ctx.db
      .select({ code: purchaseEvents.code })
      .from(purchaseEvents)
      .where(and(eq(purchaseEvents.accountId, ctx.accountId), eq(purchaseEvents.purchaseId, p.id), eq(purchaseEvents.direction, "out")))
  ).map((e) => e.code);
  const refusal = refuseAction(input.code, history, { network: p.source === "network" && Boolean(p.supplierSiren) });
  if (refusal) throw new AppError("conflict", ctx.t(`purchases.err.action.${refusal}`));
  if (input.code === 211 && input.amountCents !== undefined && input.amountCents > Math.max(p.taxInclusiveCents, 0)) {
    throw new AppError("invalid", ctx.t("purchases.err.amountTooHigh"), { amountCents: ctx.t("purchases.err.amountTooHigh") });
  }
  const account = await ctx.db.select({ name: accounts.name, siren: accounts.siren }).from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  if (!account?.siren || !isValidSiren(account.siren)) throw new AppError("precondition_failed", ctx.t("purchases.err.noSiren"));
  const eventId = randomId();
  let xml: string;
  try {
    xml = buildCdar({
      code: input.code,
      invoice: { number: p.number, issueDate: p.issueDate, typeCode: p.typeCode === "381" || p.typeCode === "386" ? p.typeCode : "380" },
      seller: { siren: p.supplierSiren!, name: p.supplierName },
      buyer: { siren: account.siren, name: account.name },
      at: ctx.now,
      receivedAt: p.receivedAt,
      ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.code === 211 ? { amountCents: input.amountCents ?? p.taxInclusiveCents } : {}),
    });
  } catch (err) {
    if (!(err instanceof CdarError)) throw err;
    const field = err.code === "amount_required" ? "amountCents" : err.code === "reason_required" || err.code === "bad_reason" ? "reasonCode" : "_form";
    throw new AppError("invalid", ctx.t(`purchases.err.cdar.${err.code}`), { [field]: ctx.t(`purchases.err.cdar.${err.code}`) });
  }
  const bytes = new TextEncoder().encode(xml);
  const key = purchaseEventKey(ctx.accountId, eventId);
  await ctx.env.FILES.put(key, bytes, { httpMetadata: { contentType: "application/xml" } });
  let flow: Flow;
  try {
    const pa = paClient({ config: ctx.config, db: ctx.db, accountId: ctx.accountId });
    flow = await pa.submitFlow({ flowInfo: { flowSyntax: "CDAR", name: `CDV-${input.code}-${p.number}.xml`.slice(0, 255), processingRule: "NotApplicable", trackingId: eventId }, file: bytes });
  } catch (err) {
    await ctx.env.FILES.delete(key);
    if (err instanceof PaError) {
      throw new AppError("precondition_failed", ctx.t(err.code === "not_connected" ? "purchases.err.notConnected" : "purchases.err.paFailed", { detail: err.message.slice(0, 200) }));
    }
    throw err;
  }
  const today = new Date(ctx.now).toISOString().slice(0, 10);
  const amount = input.code === 211 ? (input.amountCents ?? p.taxInclusiveCents) : null;
  await ctx.db.batch([
    ctx.db.insert(purchaseEvents).values({
      id: eventId,
      accountId: ctx.accountId,
      purchaseId: p.id,
      code: input.code,
      direction: "out",
      reasonCode: input.reasonCode ?? null,
      reason: input.reason?.trim() || null,
      amountCents: amount,
      at: ctx.now,
      flowId: flow.flowId,
      fileKey: key,
      createdAt: ctx.now,
    }),
    ctx.db
      .update(purchases)
      .set({
        statusCode: input.code,
        statusAt: ctx.now,
        updatedAt: ctx.now,
        // "Paiement transmis" is the payment: recorded with it unless one was already.
        ...(input.code === 211 && !p.paidOn ? { paidOn: today, paidCents: amount, paymentMethod: "transfer" } : {}),
      })
      .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.id, p.id))),
  ]);
  return { eventId, flowId: flow.flowId };
}

export const PAYMENT_METHODS = ["transfer", "card", "direct_debit", "cheque", "cash", "other"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Records (or corrects) the payment made to the supplier: date, amount, method. */
export async function recordPurchasePayment(ctx: AccountCtx, purchaseId: string, input: { paidOn: string; amountCents: number; method: PaymentMethod }): Promise<void> {
  const p = await ctx.db
    .select({ id: purchases.id, taxInclusiveCents: purchases.taxInclusiveCents, issueDate: purchases.issueDate })
    .from(purchases)
    .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.id, purchaseId)))
    .get();
  if (!p) throw new AppError("not_found", ctx.t("purchases.err.notFound"));
  if (input.amountCents > Math.max(p.taxInclusiveCents, 0)) {
    throw new AppError("invalid", ctx.t("purchases.err.amountTooHigh"), { amountCents: ctx.t("purchases.err.amountTooHigh") });
  }
  await ctx.db
    .update(purchases)
    .set({ paidOn: input.paidOn, paidCents: input.amountCents, paymentMethod: input.method, updatedAt: ctx.now })
    .where(and(eq(purchases.accountId, ctx.accountId), eq(purchases.id, p.id)));
}

/** The statuses of some purchases, oldest first (for the API's `lifecycle`). */
export async function lifecyclesOf(ctx: AccountCtx, ids: readonly string[]) {
  if (!ids.length) return new Map<string, Array<{ code: number; direction: "in" | "out"; reasonCode: string | null; reason: string | null; amountCents: number | null; at: number }>>();
  const rows = await ctx.db
    .select({
      purchaseId: purchaseEvents.purchaseId,
      code: purchaseEvents.code,
      direction: purchaseEvents.direction,
      reasonCode: purchaseEvents.reasonCode,
      reason: purchaseEvents.reason,
      amountCents: purchaseEvents.amountCents,
      at: purchaseEvents.at,
    })
    .from(purchaseEvents)
    .where(and(eq(purchaseEvents.accountId, ctx.accountId), inArray(purchaseEvents.purchaseId, [...ids])))
    .orderBy(asc(purchaseEvents.at));
  const out = new Map<string, Array<Omit<(typeof rows)[number], "purchaseId">>>();
  for (const { purchaseId, ...e } of rows) {
    const list = out.get(purchaseId) ?? [];
    list.push(e);
    out.set(purchaseId, list);
  }
  return out;
}
