import { and, count, eq, inArray, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import type { Db } from "../../db/client";
import {
  accessLog,
  accountRestrictions,
  accounts,
  clients,
  connectionLog,
  dataExports,
  depositDeductions,
  documentLines,
  documents,
  documentSends,
  issueLog,
  mailLog,
  payments,
  products,
  reminderLog,
  reminderPlans,
  emailTemplates,
  rightsRequests,
  sessions,
  stockLevels,
  stockMovements,
  purchaseSync,
  ereportReminders,
  stripeAccountMap,
  stripeAnomalies,
  stripeCheckouts,
  stripeConnections,
  paConnections,
  paSubmissions,
  timeEntries,
  users,
} from "../../db/schema";
import { AppError } from "../../http/errors";
import { throttledCheck } from "../../http/throttle";
import { verifyPassword } from "../../lib/crypto/password";
import { randomId } from "../../lib/crypto/random";
import { verifyTotp } from "../../lib/crypto/totp";
import { aad, sealerFor } from "../../lib/sealer";
import { eraseAccountPersonalData } from "../../jobs/retention";
import { legalHoldOf, type LegalHold } from "./rights";

// Account closure (policy §9.3, §6 "export offered at termination"): everything personal that no law
// makes us keep is deleted; issued billing documents stay sealed for their legal duration.

type AccountCtx = VerbCtx & { accountId: string; userId: string };

/** What closing the account deletes and what it keeps, counted for this account. */
export interface ClosurePlan {
  deleted: {
    clients: number;
    drafts: number;
    products: number;
    sends: number;
    sessions: number;
    connections: number;
    exports: number;
    /** Stock movements (§3.4), deleted with the products they count. */
    stockMovements: number;
    /** Time tracking (§3.4): business data under no legal hold. */
    timeEntries: number;
  };
  kept: {
    billingDocuments: number;
    quotes: number;
    issueLog: number;
    payments: number;
    clients: number;
  };
  hold: LegalHold;
  /** A document is being issued right now: closing waits until it is done. */
  issuing: boolean;
}

/** The phrases that confirm a closure (typed by hand, either language). */
export const CLOSURE_PHRASES = ["SUPPRIMER", "DELETE"] as const;

const isDraft = (accountId: string) => and(eq(documents.accountId, accountId), eq(documents.status, "draft"), isNull(documents.issueRequestedAt));

/**
 * A client is kept when an issued document or the receipts book points at it (the accounting
 * records must stay complete); otherwise it is deleted.
 */
const clientReferenced = (accountId: string) =>
  or(
    sql`EXISTS (SELECT 1 FROM documents d WHERE d.account_id = ${accountId} AND d.client_id = ${clients.id} AND (d.status != 'draft' OR d.issue_requested_at IS NOT NULL))`,
    sql`EXISTS (SELECT 1 FROM payments p WHERE p.account_id = ${accountId} AND p.client_id = ${clients.id})`,
    sql`EXISTS (SELECT 1 FROM client_credits cc WHERE cc.account_id = ${accountId} AND cc.client_id = ${clients.id})`,
  );

/** Counts what a closure would delete and keep, for the page that asks for confirmation. */
export async function closurePlan(ctx: AccountCtx): Promise<ClosurePlan> {
  const db = ctx.db;
  const a = ctx.accountId;
  const n = { n: count() };
  const [clientsDel, drafts, prods, sends, sess, conns, exps, quotes, log, pays, clientsKept, issuing, times, stockMoves] = await db.batch([
    db.select(n).from(clients).where(and(eq(clients.accountId, a), sql`NOT (${clientReferenced(a)})`)),
    db.select(n).from(documents).where(isDraft(a)),
    db.select(n).from(products).where(eq(products.accountId, a)),
    db.select(n).from(documentSends).where(eq(documentSends.accountId, a)),
    db.select(n).from(sessions).where(eq(sessions.userId, ctx.userId)),
    db.select(n).from(connectionLog).where(eq(connectionLog.userId, ctx.userId)),
    db.select(n).from(dataExports).where(eq(dataExports.accountId, a)),
    db.select(n).from(documents).where(and(eq(documents.accountId, a), eq(documents.type, "quote"), ne(documents.status, "draft"))),
    db.select(n).from(issueLog).where(eq(issueLog.accountId, a)),
    db.select(n).from(payments).where(eq(payments.accountId, a)),
    db.select(n).from(clients).where(and(eq(clients.accountId, a), clientReferenced(a))),
    db.select(n).from(documents).where(and(eq(documents.accountId, a), eq(documents.status, "draft"), isNotNull(documents.issueRequestedAt))),
    db.select(n).from(timeEntries).where(eq(timeEntries.accountId, a)),
    db.select(n).from(stockMovements).where(eq(stockMovements.accountId, a)),
  ]);
  const c = (rows: Array<{ n: number }>) => rows[0]?.n ?? 0;
  const hold = await legalHoldOf(db, a);
  return {
    deleted: { clients: c(clientsDel), drafts: c(drafts), products: c(prods), sends: c(sends), sessions: c(sess), connections: c(conns), exports: c(exps), timeEntries: c(times), stockMovements: c(stockMoves) },
    kept: { billingDocuments: hold.documents, quotes: c(quotes), issueLog: c(log), payments: c(pays), clients: c(clientsKept) },
    hold,
    issuing: c(issuing) > 0,
  };
}

export interface ClosureInput {
  password: string;
  /** Required when two-factor authentication is on. */
  code?: string | undefined;
  confirmation: string;
}

/**
 * Re-authenticates the user for a destructive action: the password, and a fresh TOTP code when 2FA is
 * on (never a time step already used). Field errors name the field at fault.
 */
export async function reauthenticate(ctx: AccountCtx, password: string, code: string | undefined): Promise<void> {
  // Wrong passwords and codes count on the same per-user throttle as every current-password check.
  await throttledCheck(ctx, [["passwordCheck", ctx.userId]], async () => {
    const user = await ctx.db
      .select({ passwordHash: users.passwordHash, totpSecretSealed: users.totpSecretSealed, totpEnabledAt: users.totpEnabledAt, totpLastStep: users.totpLastStep })
      .from(users)
      .where(eq(users.id, ctx.userId))
      .get();
    const check = user ? await verifyPassword(password, user.passwordHash, ctx.config.PASSWORD_PEPPER) : { ok: false };
    if (!user || !check.ok) throw new AppError("invalid", ctx.t("err.password.current"), { password: ctx.t("err.password.current") });
    if (user.totpEnabledAt === null || user.totpSecretSealed === null) return;
    const secret = await (await sealerFor(ctx.config)).open(user.totpSecretSealed, aad.totp(ctx.userId));
    const step = code ? await verifyTotp(secret, code, ctx.now) : null;
    const fresh =
      step !== null &&
      (await ctx.db
        .update(users)
        .set({ totpLastStep: step })
        .where(and(eq(users.id, ctx.userId), sql`coalesce(${users.totpLastStep}, -1) < ${step}`))
        .returning({ id: users.id })
        .get());
    if (!fresh) throw new AppError("invalid", ctx.t("err.totp"), { code: ctx.t("err.totp") });
  });
}

/**
 * Closes the account: re-authentication, typed confirmation, then in one D1 batch deletes drafts,
 * products, unreferenced clients, send and reminder records, mail and access logs, exports, the
 * Stripe connection and restriction history, revokes
 * every public link, records the erasure request as answered (proof, §9.8), marks the account closed,
 * and erases the people (eraseAccountPersonalData, shared with the inactivity erasure). Issued
 * invoices, deposit invoices, credit notes (with PDF/XML), the issue log, issued quotes, the
 * receipts book and the clients they name stay: the database refuses to delete them anyway.
 */
export async function closeAccount(ctx: AccountCtx, input: ClosureInput): Promise<ClosurePlan> {
  if (!(CLOSURE_PHRASES as readonly string[]).includes(input.confirmation.trim())) {
    throw new AppError("invalid", ctx.t("rights.closure.err.phrase"), { confirmation: ctx.t("rights.closure.err.phrase") });
  }
  await reauthenticate(ctx, input.password, input.code);
  const plan = await closurePlan(ctx);
  if (plan.issuing) throw new AppError("conflict", ctx.t("rights.closure.err.issuing"));

  const db = ctx.db;
  const a = ctx.accountId;
  const user = await db.select({ email: users.email }).from(users).where(eq(users.id, ctx.userId)).get();
  const exportKeys = (await db.select({ key: dataExports.r2Key }).from(dataExports).where(and(eq(dataExports.accountId, a), isNotNull(dataExports.r2Key))).all())
    .map((r) => r.key)
    .filter((k): k is string => k !== null);
  // Files first: a crash after this leaves rows to delete on a retry, never an orphan archive.
  if (exportKeys.length) await ctx.env.FILES.delete(exportKeys);

  const draftIds = db.select({ id: documents.id }).from(documents).where(isDraft(a));
  await eraseAccountPersonalData(ctx.env, db, a, ctx.now, [
    // Time entries (§3.4) are business data no law makes us keep.
    db.delete(timeEntries).where(eq(timeEntries.accountId, a)),
    db.delete(documentLines).where(and(eq(documentLines.accountId, a), inArray(documentLines.documentId, draftIds))),
    db.delete(depositDeductions).where(and(eq(depositDeductions.accountId, a), inArray(depositDeductions.finalDocumentId, draftIds))),
    db.delete(documents).where(isDraft(a)),
    db.delete(clients).where(and(eq(clients.accountId, a), sql`NOT (${clientReferenced(a)})`)),
    db.delete(products).where(eq(products.accountId, a)),
    // After the products: the stock book refuses deletion while its product exists (migration stock_triggers).
    db.delete(stockMovements).where(eq(stockMovements.accountId, a)),
    db.delete(stockLevels).where(eq(stockLevels.accountId, a)),
    // Received purchase invoices, their statuses and e-reports are accounting records (10 years,
    // purged by the retention job); only the poll's bookkeeping goes.
    db.delete(purchaseSync).where(eq(purchaseSync.accountId, a)),
    // Which e-reporting deadlines were reminded: nothing is reminded after closure.
    db.delete(ereportReminders).where(eq(ereportReminders.accountId, a)),
    db.delete(documentSends).where(eq(documentSends.accountId, a)),
    db.delete(mailLog).where(eq(mailLog.accountId, a)),
    db.delete(dataExports).where(eq(dataExports.accountId, a)),
    db.delete(accountRestrictions).where(eq(accountRestrictions.accountId, a)),
    db.delete(accessLog).where(eq(accessLog.accountId, a)),
    // Reminders name clients' addresses and are no accounting record; nothing is reminded any more.
    db.delete(reminderLog).where(eq(reminderLog.accountId, a)),
    db.delete(reminderPlans).where(eq(reminderPlans.accountId, a)),
    // The account's wording of its emails may name people; nothing is sent any more.
    db.delete(emailTemplates).where(eq(emailTemplates.accountId, a)),
    // No online payment after closure: the sealed Stripe account id goes.
    db.delete(stripeConnections).where(eq(stripeConnections.accountId, a)),
    db.delete(stripeAccountMap).where(eq(stripeAccountMap.accountId, a)),
    // The PA link, its sealed secret and the mandate go; what was sent and its statuses stay with the
    // invoices (billing records), and nothing queued is sent any more.
    db.delete(paConnections).where(eq(paConnections.accountId, a)),
    db.update(paSubmissions).set({ state: "error", ackReason: "account_closed", nextAttemptAt: null, updatedAt: ctx.now }).where(and(eq(paSubmissions.accountId, a), eq(paSubmissions.state, "queued"))),
    db.delete(stripeCheckouts).where(eq(stripeCheckouts.accountId, a)),
    db.delete(stripeAnomalies).where(eq(stripeAnomalies.accountId, a)),
    // Clients can no longer open any document through a shared link.
    db.update(documents).set({ publicTokenHash: null, publicTokenSealed: null }).where(and(eq(documents.accountId, a), isNotNull(documents.publicTokenHash))),
    db.insert(rightsRequests).values({
      id: randomId(),
      accountId: a,
      email: user?.email ?? "",
      type: "erasure",
      message: "account closure",
      channel: "form",
      createdAt: ctx.now,
      dueAt: ctx.now,
      status: "answered",
      answeredAt: ctx.now,
    }),
    db.update(accounts).set({ closedAt: ctx.now }).where(eq(accounts.id, a)),
  ]);
  return plan;
}

/** True once the account is closed. */
export async function isClosed(db: Db, accountId: string): Promise<boolean> {
  const row = await db.select({ closedAt: accounts.closedAt }).from(accounts).where(eq(accounts.id, accountId)).get();
  return row?.closedAt != null;
}

