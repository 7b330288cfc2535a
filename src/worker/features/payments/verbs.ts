import type { Translate } from "../../ui/i18n";
import { collectionStatusStatement } from "../einvoicing/collected";
import { submitQueued } from "../einvoicing/outbox";
import { and, asc, desc, eq, isNotNull, isNull, ne, type SQL, sql } from "drizzle-orm";
import { CLIENT_CREDIT_METHOD, clientCredits, documents, type PaymentMethod, payments, stripeAnomalies, type StripeAnomalyKind, stripePayments } from "../../db/schema";
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
  /** Money received on the invoice once it was cancelled (a late Stripe payment): all client credit. */
  receivedAfterCancellationCents: number;
  /** Stripe checkouts whose delayed payment failed and that were never paid: nothing counted. */
  failedCheckouts: Array<{ failedOn: string; amountCents: number | null }>;
  /** Signed Stripe events about this invoice that were odd and not booked (features/stripe/webhook.ts), newest first. */
  stripeAnomalies: Array<{ kind: StripeAnomalyKind; at: number; amountCents: number | null; expectedCents: number | null }>;
  payments: PaymentRow[];
}

async function loadPayable(ctx: AccountVerbCtx, documentId: string, allowCancelled = false): Promise<DocumentRow> {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  const cancelledInvoice = allowCancelled && doc.status === "cancelled" && (doc.type === "invoice" || doc.type === "deposit_invoice");
  if ((!isPayable(doc) && !cancelledInvoice) || !doc.clientId) throw new AppError("conflict", ctx.t(doc.status === "cancelled" ? "payments.err.cancelled" : "payments.err.notPayable"));
  await refuseDuringImport(ctx);
  return doc;
}

/** Sum of the issued credit notes that reference the invoice (SQL expression, account-scoped). */
const creditedSql = (accountId: string, documentId: string | SQL) =>
  sql<number>`(SELECT COALESCE(SUM(due_cents), 0) FROM documents WHERE account_id = ${accountId} AND preceding_document_id = ${documentId} AND type = 'credit_note' AND status != 'draft')`;

/**
 * The payments of an invoice and the status they give it (derived, see domain/invoice-status).
 * Quotes, drafts and credit notes have no payment state: null.
 */
export async function paymentState(ctx: AccountVerbCtx, doc: DocumentRow): Promise<PaymentState | null> {
  if ((doc.type !== "invoice" && doc.type !== "deposit_invoice") || doc.status === "draft") return null;
  const [rows, credited, failures, anomalies] = await ctx.db.batch([
    ctx.db
      .select()
      .from(payments)
      .where(and(eq(payments.accountId, ctx.accountId), eq(payments.documentId, doc.id)))
      .orderBy(asc(payments.createdAt), asc(payments.id)),
    ctx.db
      .select({ cents: sql<number>`COALESCE(SUM(${documents.dueCents}), 0)`, lastAt: sql<number | null>`MAX(${documents.issuedAt})` })
      .from(documents)
      .where(and(eq(documents.accountId, ctx.accountId), eq(documents.precedingDocumentId, doc.id), eq(documents.type, "credit_note"), ne(documents.status, "draft"))),
    ctx.db
      .select({ failedOn: stripePayments.failedOn, amountCents: stripePayments.amountCents })
      .from(stripePayments)
      .where(and(eq(stripePayments.accountId, ctx.accountId), eq(stripePayments.documentId, doc.id), isNotNull(stripePayments.failedOn), isNull(stripePayments.paymentId))),
    ctx.db
      .select({ kind: stripeAnomalies.kind, at: stripeAnomalies.createdAt, amountCents: stripeAnomalies.amountCents, expectedCents: stripeAnomalies.expectedCents })
      .from(stripeAnomalies)
      .where(and(eq(stripeAnomalies.accountId, ctx.accountId), eq(stripeAnomalies.documentId, doc.id)))
      .orderBy(desc(stripeAnomalies.createdAt))
      .limit(5),
  ]);
  const cancelledAt = doc.status === "cancelled" ? Number(credited[0]?.lastAt ?? 0) : null;
  const amounts = { dueCents: doc.dueCents, creditedCents: Number(credited[0]?.cents ?? 0), paidCents: rows.reduce((s, p) => s + p.amountCents, 0) };
  return {
    ...amounts,
    creditUsedCents: rows.reduce((s, p) => (p.method === CLIENT_CREDIT_METHOD ? s + p.amountCents : s), 0),
    status: invoiceStatus({ ...amounts, dueDate: doc.dueDate, today: todayInParis(ctx.now), cancelled: doc.status === "cancelled" }),
    outstandingCents: outstandingCents(amounts),
    excessCents: excessCents(amounts),
    receivedAfterCancellationCents:
      cancelledAt === null ? 0 : rows.reduce((s, p) => (isMoneyReceived(p.method) && p.createdAt > cancelledAt ? s + p.amountCents : s), 0),
    failedCheckouts: failures.map((f) => ({ failedOn: f.failedOn ?? "", amountCents: f.amountCents })),
    stripeAnomalies: anomalies,
    payments: rows,
  };
}

/** Money received: every method but the client's credit (see CLIENT_CREDIT_METHOD). */
export const isMoneyReceived = (method: PaymentMethod) => method !== CLIENT_CREDIT_METHOD;

/** Σ payments of the invoice (all methods: a credit used pays it too), SQL expression. */
const paidSql = (accountId: string, documentId: string | SQL) =>
  sql<number>`(SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ${accountId} AND document_id = ${documentId})`;

/** The client's credit balance, SQL expression (account-scoped). */
const clientBalanceSql = (accountId: string, clientId: string) =>
  sql<number>`(SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits WHERE account_id = ${accountId} AND client_id = ${clientId})`;

/** What an invoice's client_credits rows hold as excess: all of them but the credit spent on it. */
const heldExcessSql = (accountId: string, documentId: string | SQL) =>
  sql<number>`((SELECT COALESCE(SUM(amount_cents), 0) FROM client_credits WHERE account_id = ${accountId} AND document_id = ${documentId})
    + (SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ${accountId} AND document_id = ${documentId} AND method = ${CLIENT_CREDIT_METHOD}))`;

/**
 * The statement that keeps an invoice's client_credits rows equal to its excess less the credit
 * spent on it — so that the client's credit is always
 *   Σ over its invoices of max(0, paid − max(0, due − credited)) − Σ credit used,
 * whatever wrote last (payment, correction, refund, credit note). It reads everything in SQL at its
 * point of the batch, after the write it follows, so a concurrent write cannot make it wrong: it
 * recounts rather than adds a delta computed from values read earlier. The invoice's rows also hold
 * the credit spent on it (−x per credit payment of x, +x back on its reversal: always −Σ of its
 * credit payments); those are not excess, so they are taken out of what the invoice holds, else
 * this statement would give the spent credit straight back. `sourceId` is what moved it: a payment
 * id, or the credit note's document id when issuing a credit note changes what the invoice asks.
 */
function creditRecount(db: AccountVerbCtx["db"], accountId: string, invoiceId: string | SQL, sourceId: string | SQL, now: number) {
  const excess = sql`MAX(0, ${paidSql(accountId, sql`d.id`)} - MAX(0, d.due_cents - ${creditedSql(accountId, sql`d.id`)}))`;
  const held = heldExcessSql(accountId, sql`d.id`);
  // Columns in the table's order (id, account, client, document, payment, amount, created).
  return db.insert(clientCredits).select(
    sql`SELECT ${randomId()}, ${accountId}, client_id, id, ${sourceId}, delta, ${now} FROM (
      SELECT d.id, d.client_id, ${excess} - ${held} AS delta FROM documents d
      WHERE d.id = ${invoiceId} AND d.account_id = ${accountId} AND d.client_id IS NOT NULL AND d.type IN ('invoice', 'deposit_invoice'))
    WHERE delta != 0`,
  );
}

const creditAdjustment = (ctx: AccountVerbCtx, doc: DocumentRow, paymentId: string) => creditRecount(ctx.db, ctx.accountId, doc.id, paymentId, ctx.now);

/**
 * For the issue batch of a credit note (features/documents/issue.ts, after the statement that
 * marks it issued): the part of it the invoice had already been paid becomes client credit
 * (invoice 1 200 € paid 1 200 €, credit note 200 € → 200 € of credit). Idempotent: a retried
 * batch recounts to the same rows. Nothing for other documents.
 */
export function creditStatementsForIssue(db: AccountVerbCtx["db"], accountId: string, doc: { id: string; type: string; precedingDocumentId: string | null; issuedAt: number }) {
  if (doc.type !== "credit_note" || !doc.precedingDocumentId) return [];
  return [creditRecount(db, accountId, doc.precedingDocumentId, doc.id, doc.issuedAt)];
}

/** Reference written on the entries that take back credit a refund left unfunded (see takeBackSpentCredit). */
export const CREDIT_TAKEN_BACK_REFERENCE = "Crédit repris (remboursement)";

/** A payment's reference as shown: the one Factumo writes itself is stored in French, shown in the reader's language. */
export function paymentReferenceText(reference: string | null | undefined, t: Translate): string {
  return reference === CREDIT_TAKEN_BACK_REFERENCE ? t("payments.reference.creditTakenBack") : (reference ?? "");
}
/** Statements per batch that reopen an invoice settled by credit; a client needing more gets another batch. */
const TAKE_BACK_STEPS = 3;

/**
 * When money is paid back to the client (a Stripe refund) after the credit it had created was
 * spent, the client's credit would fall below zero. An accountant reads it the other way round:
 * the invoice settled by that credit is no longer settled for the missing part (the client's
 * account 411 is debited again). So each statement takes back, on the invoice most recently
 * settled by credit, min(deficit, credit still applied to it) as a negative "avoir_client" entry
 * with the matching +x client_credits row; that invoice then owes it again (reminders, balances,
 * receivables follow through the payments triggers). Not money received: no receipts book, no
 * received totals. All in SQL at its point of the batch, so nothing read earlier can go stale.
 */
function takeBackSpentCredit(ctx: AccountVerbCtx, clientId: string, day: string) {
  const a = ctx.accountId;
  const deficit = sql`(0 - ${clientBalanceSql(a, clientId)})`;
  return Array.from({ length: TAKE_BACK_STEPS }, () => {
    const id = randomId();
    return [
      ctx.db.insert(payments).select(
        sql`SELECT ${id}, ${a}, u.document_id, ${clientId}, ${day}, -MIN(${deficit}, u.net), ${CLIENT_CREDIT_METHOD}, ${CREDIT_TAKEN_BACK_REFERENCE}, NULL, ${ctx.now}
          FROM (SELECT p.document_id, SUM(p.amount_cents) AS net, MAX(p.created_at) AS last FROM payments p
                JOIN documents d ON d.id = p.document_id AND d.account_id = p.account_id AND d.status = 'issued'
                WHERE p.account_id = ${a} AND p.client_id = ${clientId} AND p.method = ${CLIENT_CREDIT_METHOD}
                GROUP BY p.document_id HAVING SUM(p.amount_cents) > 0 ORDER BY last DESC, p.document_id DESC LIMIT 1) u
          WHERE ${deficit} > 0`,
      ),
      ctx.db
        .insert(clientCredits)
        .select(sql`SELECT ${randomId()}, ${a}, client_id, document_id, id, -amount_cents, ${ctx.now} FROM payments WHERE id = ${id} AND account_id = ${a}`),
      // Taking credit off an invoice that was also overpaid lowers its excess too: recount it.
      creditRecount(ctx.db, a, sql`(SELECT document_id FROM payments WHERE id = ${id} AND account_id = ${a})`, id, ctx.now),
    ];
  }).flat();
}

/**
 * Records money received on an issued invoice or deposit invoice. The payment, the client credit
 * for any excess and the month's received total are written in one batch. `afterCancellation`
 * (Stripe only) also takes money that arrives on an invoice cancelled meanwhile: it was received,
 * so it is entered, and all of it becomes client credit (the invoice asks for nothing any more).
 * A negative amount (a Stripe refund) that leaves spent credit unfunded reopens the invoices that
 * credit settled (takeBackSpentCredit), so the client's credit never goes below zero.
 */
export async function recordPayment(ctx: AccountVerbCtx, documentId: string, input: PaymentInput, opts: { afterCancellation?: boolean } = {}): Promise<PaymentRow> {
  const doc = await loadPayable(ctx, documentId, opts.afterCancellation === true);
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
  // Money received (not settled from credit) on an invoice sent through the PA owes a 212
  // Encaissée: its outbox row is written in the payment's batch.
  const collected = row.amountCents > 0 && row.method !== CLIENT_CREDIT_METHOD ? await collectionStatusStatement(ctx, doc, row) : null;
  await ctx.db.batch([
    ctx.db.insert(payments).values(row),
    creditAdjustment(ctx, doc, row.id),
    addToMonth(ctx.db, ctx.accountId, monthOf(row.receivedOn), { receivedCents: row.amountCents }),
    ...(row.amountCents < 0 ? takeBackSpentCredit(ctx, row.clientId, row.receivedOn) : []),
    ...(collected ? [collected.statement] : []),
  ] as unknown as Parameters<typeof ctx.db.batch>[0]);
  // More invoices settled by the credit than one batch reopens: continue until the credit is ≥ 0.
  for (let round = 0; row.amountCents < 0 && round < 20 && (await clientCreditCents(ctx, row.clientId)) < 0; round++) {
    await ctx.db.batch(takeBackSpentCredit(ctx, row.clientId, row.receivedOn) as unknown as Parameters<typeof ctx.db.batch>[0]);
  }
  // Sent at once when the PA answers; otherwise the cron retries it (the row is already there).
  if (collected) {
    await submitQueued(ctx, row.id).catch((err: unknown) =>
      console.error(JSON.stringify({ level: "error", event: "pa_collection_status_failed", error: err instanceof Error ? err.message : String(err) })),
    );
  }
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
  // A use of the credit is reversed only while still applied in full: credit taken back after a
  // refund (takeBackSpentCredit) already returned part of it, and must not be returned twice.
  const stillApplied = sql`(SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ${ctx.accountId} AND document_id = ${doc.id} AND method = ${CLIENT_CREDIT_METHOD})`;
  const guard = fromCredit
    ? sql`${stillApplied} >= ${original.amountCents}`
    : sql`(${creditChange} >= 0 OR ${clientBalanceSql(ctx.accountId, original.clientId)} + ${creditChange} >= 0)`;
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
  if (!(await written(ctx, row.id))) throw new AppError("conflict", ctx.t(fromCredit ? "payments.err.creditTakenBack" : "payments.err.creditSpent"));
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
