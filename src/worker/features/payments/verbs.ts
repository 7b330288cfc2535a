import { and, asc, eq, ne, sql } from "drizzle-orm";
import { CLIENT_CREDIT_METHOD, clientCredits, documents, type PaymentMethod, payments } from "../../db/schema";
import { formatMoney } from "../../domain/format";
import { excessCents, invoiceStatus, type InvoiceStatus, outstandingCents } from "../../domain/invoice-status";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { type AccountVerbCtx, type DocumentRow, todayInParis } from "../documents/drafts";
import { refuseDuringImport } from "../data/import-lock";
import { addToMonth, addToMonthIfWritten, monthOf } from "./aggregates";
import type { CreditApplicationInput, PaymentInput } from "./schemas";

export type PaymentRow = typeof payments.$inferSelect;

/** Where a payment can be recorded: an issued (not cancelled) invoice or deposit invoice. */
export const isPayable = (doc: Pick<DocumentRow, "type" | "status">) => (doc.type === "invoice" || doc.type === "deposit_invoice") && doc.status === "issued";

export interface PaymentState {
  status: InvoiceStatus;
  dueCents: number;
  creditedCents: number;
  paidCents: number;
  /** The part of paidCents settled from the client's credit (not money received). */
  creditUsedCents: number;
  outstandingCents: number;
  excessCents: number;
  payments: PaymentRow[];
}

async function loadPayable(ctx: AccountVerbCtx, documentId: string): Promise<DocumentRow> {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  if (!isPayable(doc) || !doc.clientId) throw new AppError("conflict", ctx.t(doc.status === "cancelled" ? "payments.err.cancelled" : "payments.err.notPayable"));
  await refuseDuringImport(ctx);
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
    creditUsedCents: rows.reduce((s, p) => (p.method === CLIENT_CREDIT_METHOD ? s + p.amountCents : s), 0),
    status: invoiceStatus({ ...amounts, dueDate: doc.dueDate, today: todayInParis(ctx.now), cancelled: doc.status === "cancelled" }),
    outstandingCents: outstandingCents(amounts),
    excessCents: excessCents(amounts),
    payments: rows,
  };
}

/** Money received: every method but the client's credit (see CLIENT_CREDIT_METHOD). */
export const isMoneyReceived = (method: PaymentMethod) => method !== CLIENT_CREDIT_METHOD;

/** Σ payments of the invoice (all methods: a credit used pays it too), SQL expression. */
const paidSql = (accountId: string, documentId: string) =>
  sql<number>`(SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ${accountId} AND document_id = ${documentId})`;

/** The client's credit balance, SQL expression (account-scoped). */
const clientBalanceSql = (accountId: string, clientId: string) =>
  sql<number>`(SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits WHERE account_id = ${accountId} AND client_id = ${clientId})`;

/** What an invoice's client_credits rows hold as excess: all of them but the credit spent on it. */
const heldExcessSql = (accountId: string, documentId: string) =>
  sql<number>`((SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits WHERE account_id = ${accountId} AND document_id = ${documentId})
    + (SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ${accountId} AND document_id = ${documentId} AND method = ${CLIENT_CREDIT_METHOD}))`;

/**
 * The statement that keeps client_credits equal to the invoice's excess (Σpayments − amount asked,
 * never below zero): it runs after the payment insert in the same batch, so it sees that payment.
 * The invoice's rows also hold the credit spent on it (−x per credit payment of x, +x back on its
 * correction: always −Σ of its credit payments); those are not excess, so they are taken out of
 * what the invoice holds, else this statement would give the spent credit straight back.
 */
function creditAdjustment(ctx: AccountVerbCtx, doc: DocumentRow, paymentId: string) {
  const excess = sql`MAX(0, ${paidSql(ctx.accountId, doc.id)} - MAX(0, ${doc.dueCents} - ${creditedSql(ctx.accountId, doc.id)}))`;
  const held = heldExcessSql(ctx.accountId, doc.id);
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
  await refuseDuringImport(ctx);
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
  const fromCredit = !isMoneyReceived(original.method);
  // Money received: its reversal may take back an excess the client already spent on another
  // invoice; the entry is written only if the client's credit stays ≥ 0 once that excess is gone.
  const creditChange = sql`(MAX(0, ${paidSql(ctx.accountId, doc.id)} + ${row.amountCents} - MAX(0, ${doc.dueCents} - ${creditedSql(ctx.accountId, doc.id)})) - ${heldExcessSql(ctx.accountId, doc.id)})`;
  const guard = fromCredit ? sql`1` : sql`(${creditChange} >= 0 OR ${clientBalanceSql(ctx.accountId, original.clientId)} + ${creditChange} >= 0)`;
  try {
    await ctx.db.batch([
      insertPaymentIf(ctx, row, guard),
      // Reversing a use of the credit gives it back: +x on a client_credits row of its own.
      ...(fromCredit ? [creditRowIfWritten(ctx, row, original.amountCents)] : []),
      creditAdjustment(ctx, doc, row.id),
      // The month's received total never counted a credit payment, nor counts its reversal.
      ...(fromCredit ? [] : [addToMonthIfWritten(ctx.db, ctx.accountId, monthOf(row.receivedOn), row.amountCents, row.id)]),
    ]);
  } catch (err) {
    // Two corrections at once: the unique index lets one through.
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", ctx.t("payments.err.alreadyCorrected"));
    throw err;
  }
  if (!(await written(ctx, row.id))) throw new AppError("conflict", ctx.t("payments.err.creditSpent"));
  return row;
}

/** The payment row, written only when `guard` holds at that point of the batch. */
function insertPaymentIf(ctx: AccountVerbCtx, row: PaymentRow, guard: ReturnType<typeof sql>) {
  // Columns in the table's order (id, account, document, client, received, amount, method, reference, corrects, created).
  return ctx.db
    .insert(payments)
    .select(
      sql`SELECT ${row.id}, ${row.accountId}, ${row.documentId}, ${row.clientId}, ${row.receivedOn}, ${row.amountCents}, ${row.method}, ${row.reference}, ${row.correctsPaymentId}, ${row.createdAt} WHERE ${guard}`,
    );
}

/** The client_credits row of a credit payment (amount −x when x is spent), only if the payment was written. */
function creditRowIfWritten(ctx: AccountVerbCtx, row: PaymentRow, creditCents: number) {
  return ctx.db
    .insert(clientCredits)
    .select(
      sql`SELECT ${randomId()}, ${ctx.accountId}, ${row.clientId}, ${row.documentId}, ${row.id}, ${creditCents}, ${ctx.now} WHERE EXISTS (SELECT 1 FROM payments WHERE id = ${row.id} AND account_id = ${ctx.accountId})`,
    );
}

async function written(ctx: AccountVerbCtx, paymentId: string): Promise<boolean> {
  const row = await ctx.db.select({ id: payments.id }).from(payments).where(and(eq(payments.id, paymentId), eq(payments.accountId, ctx.accountId))).get();
  return row !== undefined;
}

/**
 * Settles (part of) an issued invoice from its client's credit: a payment "avoir_client" on the
 * invoice and the matching negative client_credits row, in one batch. The payment row is written
 * only if, at that point, the credit still covers it and the invoice still owes it, so two
 * applications at once cannot overdraw the credit nor overpay the invoice. Not money received:
 * the month's received total is left alone (see CLIENT_CREDIT_METHOD). The amount defaults to
 * what the credit can settle (the smaller of the credit and what is left to pay), the day to today.
 */
export async function applyClientCredit(ctx: AccountVerbCtx, documentId: string, input: CreditApplicationInput = {}): Promise<PaymentRow> {
  const doc = await loadPayable(ctx, documentId);
  const clientId = doc.clientId ?? "";
  const today = todayInParis(ctx.now);
  const appliedOn = input.appliedOn ?? today;
  if (appliedOn > today) throw new AppError("invalid", ctx.t("form.errors"), { appliedOn: ctx.t("payments.credit.err.future") });
  const [balance, state] = await Promise.all([clientCreditCents(ctx, clientId), paymentState(ctx, doc)]);
  const due = state?.outstandingCents ?? 0;
  const amount = input.amountCents ?? Math.min(balance, due);
  const refuse = (key: Parameters<AccountVerbCtx["t"]>[0], cents: number) =>
    new AppError("invalid", ctx.t("form.errors"), { amountCents: ctx.t(key, { amount: formatMoney(cents, ctx.locale) }) });
  if (input.amountCents === undefined && balance <= 0) throw refuse("payments.credit.err.none", 0);
  if (input.amountCents === undefined && due <= 0) throw refuse("payments.credit.err.nothingDue", 0);
  if (!Number.isSafeInteger(amount) || amount <= 0) throw refuse("payments.err.amount", 0);
  if (amount > balance) throw refuse("payments.credit.err.beyondCredit", balance);
  if (amount > due) throw refuse("payments.credit.err.beyondDue", due);
  const row: PaymentRow = {
    id: randomId(),
    accountId: ctx.accountId,
    documentId: doc.id,
    clientId,
    receivedOn: appliedOn,
    amountCents: amount,
    method: CLIENT_CREDIT_METHOD,
    reference: null,
    correctsPaymentId: null,
    createdAt: ctx.now,
  };
  const stillOwed = sql`MAX(0, ${doc.dueCents} - ${creditedSql(ctx.accountId, doc.id)}) - ${paidSql(ctx.accountId, doc.id)}`;
  const open = sql`EXISTS (SELECT 1 FROM documents WHERE id = ${doc.id} AND account_id = ${ctx.accountId} AND status = 'issued')`;
  await ctx.db.batch([
    insertPaymentIf(ctx, row, sql`${clientBalanceSql(ctx.accountId, clientId)} >= ${amount} AND ${stillOwed} >= ${amount} AND ${open}`),
    creditRowIfWritten(ctx, row, -amount),
  ]);
  if (await written(ctx, row.id)) return row;
  // Someone else spent the credit, paid the invoice or cancelled it meanwhile: say which.
  const after = await ctx.db.select().from(documents).where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId))).get();
  if (!after || !isPayable(after)) throw new AppError("conflict", ctx.t("payments.err.cancelled"));
  const [nowBalance, nowState] = await Promise.all([clientCreditCents(ctx, clientId), paymentState(ctx, after)]);
  if (amount > nowBalance) throw refuse("payments.credit.err.beyondCredit", nowBalance);
  throw refuse("payments.credit.err.beyondDue", nowState?.outstandingCents ?? 0);
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
