import { and, asc, eq, ne, sql } from "drizzle-orm";
import { clientCredits, documents, payments } from "../../db/schema";
import { excessCents, invoiceStatus, type InvoiceStatus, outstandingCents } from "../../domain/invoice-status";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { type AccountVerbCtx, type DocumentRow, todayInParis } from "../documents/drafts";
import { addToMonth, monthOf } from "./aggregates";
import type { PaymentInput } from "./schemas";

export type PaymentRow = typeof payments.$inferSelect;

/** Where a payment can be recorded: an issued (not cancelled) invoice or deposit invoice. */
export const isPayable = (doc: Pick<DocumentRow, "type" | "status">) => (doc.type === "invoice" || doc.type === "deposit_invoice") && doc.status === "issued";

export interface PaymentState {
  status: InvoiceStatus;
  dueCents: number;
  creditedCents: number;
  paidCents: number;
  outstandingCents: number;
  excessCents: number;
  payments: PaymentRow[];
}

async function loadPayable(ctx: AccountVerbCtx, documentId: string): Promise<DocumentRow> {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  if (!isPayable(doc) || !doc.clientId) throw new AppError("conflict", ctx.t(doc.status === "cancelled" ? "payments.err.cancelled" : "payments.err.notPayable"));
  return doc;
}

/** Sum of the issued credit notes that reference the invoice (SQL expression, account-scoped). */
const creditedSql = (accountId: string, documentId: string) =>
  sql<number>`(SELECT COALESCE(SUM(due_cents), 0) FROM documents WHERE account_id = ${accountId} AND preceding_document_id = ${documentId} AND type = 'credit_note' AND status != 'draft')`;

/**
 * The payments of an invoice and the status they give it (derived, see domain/invoice-status).
 * Quotes, drafts and credit notes have no payment state: null.
 */
export async function paymentState(ctx: AccountVerbCtx, doc: DocumentRow): Promise<PaymentState | null> {
  if ((doc.type !== "invoice" && doc.type !== "deposit_invoice") || doc.status === "draft") return null;
  const [rows, credited] = await ctx.db.batch([
    ctx.db
      .select()
      .from(payments)
      .where(and(eq(payments.accountId, ctx.accountId), eq(payments.documentId, doc.id)))
      .orderBy(asc(payments.createdAt), asc(payments.id)),
    ctx.db
      .select({ cents: sql<number>`COALESCE(SUM(${documents.dueCents}), 0)` })
      .from(documents)
      .where(and(eq(documents.accountId, ctx.accountId), eq(documents.precedingDocumentId, doc.id), eq(documents.type, "credit_note"), ne(documents.status, "draft"))),
  ]);
  const amounts = { dueCents: doc.dueCents, creditedCents: Number(credited[0]?.cents ?? 0), paidCents: rows.reduce((s, p) => s + p.amountCents, 0) };
  return {
    ...amounts,
    status: invoiceStatus({ ...amounts, dueDate: doc.dueDate, today: todayInParis(ctx.now), cancelled: doc.status === "cancelled" }),
    outstandingCents: outstandingCents(amounts),
    excessCents: excessCents(amounts),
    payments: rows,
  };
}

/**
 * The statement that keeps client_credits equal to the invoice's excess (Σpayments − amount asked,
 * never below zero): it runs after the payment insert in the same batch, so it sees that payment.
 */
function creditAdjustment(ctx: AccountVerbCtx, doc: DocumentRow, paymentId: string) {
  const excess = sql`MAX(0, (SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ${ctx.accountId} AND document_id = ${doc.id}) - MAX(0, ${doc.dueCents} - ${creditedSql(ctx.accountId, doc.id)}))`;
  const held = sql`(SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits WHERE account_id = ${ctx.accountId} AND document_id = ${doc.id})`;
  // Columns in the table's order (id, account, client, document, payment, amount, created).
  return ctx.db.insert(clientCredits).select(
    sql`SELECT ${randomId()}, ${ctx.accountId}, ${doc.clientId}, ${doc.id}, ${paymentId}, delta, ${ctx.now} FROM (SELECT ${excess} - ${held} AS delta) WHERE delta != 0`,
  );
}

/**
 * Records money received on an issued invoice or deposit invoice. The payment, the client credit
 * for any excess and the month's received total are written in one batch.
 */
export async function recordPayment(ctx: AccountVerbCtx, documentId: string, input: PaymentInput): Promise<PaymentRow> {
  const doc = await loadPayable(ctx, documentId);
  if (input.receivedOn > todayInParis(ctx.now)) {
    throw new AppError("invalid", ctx.t("form.errors"), { receivedOn: ctx.t("payments.err.future") });
  }
  const row: PaymentRow = {
    id: randomId(),
    accountId: ctx.accountId,
    documentId: doc.id,
    clientId: doc.clientId ?? "",
    receivedOn: input.receivedOn,
    amountCents: input.amountCents,
    method: input.method,
    reference: input.reference ?? null,
    correctsPaymentId: null,
    createdAt: ctx.now,
  };
  await ctx.db.batch([
    ctx.db.insert(payments).values(row),
    creditAdjustment(ctx, doc, row.id),
    addToMonth(ctx.db, ctx.accountId, monthOf(row.receivedOn), { receivedCents: row.amountCents }),
  ]);
  return row;
}

/**
 * Reverses a mistaken payment: a negative entry referencing it, dated like it (the money was never
 * received that day). The original stays in the receipts book; a payment is reversed once.
 */
export async function correctPayment(ctx: AccountVerbCtx, documentId: string, paymentId: string): Promise<PaymentRow> {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).get();
  const original = doc
    ? await ctx.db
        .select()
        .from(payments)
        .where(and(eq(payments.id, paymentId), eq(payments.accountId, ctx.accountId), eq(payments.documentId, doc.id)))
        .get()
    : undefined;
  if (!doc || !original) throw new AppError("not_found", ctx.t("err.not_found"));
  if (original.correctsPaymentId !== null || original.amountCents <= 0) throw new AppError("conflict", ctx.t("payments.err.correctCorrection"));
  const already = await ctx.db.select({ id: payments.id }).from(payments).where(and(eq(payments.accountId, ctx.accountId), eq(payments.correctsPaymentId, original.id))).get();
  if (already) throw new AppError("conflict", ctx.t("payments.err.alreadyCorrected"));
  const row: PaymentRow = {
    ...original,
    id: randomId(),
    amountCents: -original.amountCents,
    reference: original.reference,
    correctsPaymentId: original.id,
    createdAt: ctx.now,
  };
  try {
    await ctx.db.batch([
      ctx.db.insert(payments).values(row),
      creditAdjustment(ctx, doc, row.id),
      addToMonth(ctx.db, ctx.accountId, monthOf(row.receivedOn), { receivedCents: row.amountCents }),
    ]);
  } catch (err) {
    // Two corrections at once: the unique index lets one through.
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", ctx.t("payments.err.alreadyCorrected"));
    throw err;
  }
  return row;
}

/** What a client holds with the account (overpayments less their reversals), in cents. */
export async function clientCreditCents(ctx: AccountVerbCtx, clientId: string): Promise<number> {
  const row = await ctx.db
    .select({ cents: sql<number>`COALESCE(SUM(${clientCredits.amountCents}), 0)` })
    .from(clientCredits)
    .where(and(eq(clientCredits.accountId, ctx.accountId), eq(clientCredits.clientId, clientId)))
    .get();
  return Number(row?.cents ?? 0);
}

/** Ids of corrected payments among a list, to show "reversed" and hide the correct button. */
export function correctedIds(rows: Pick<PaymentRow, "correctsPaymentId">[]): Set<string> {
  return new Set(rows.map((p) => p.correctsPaymentId).filter((id): id is string => id !== null));
}
