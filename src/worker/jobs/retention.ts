import { and, eq, inArray, isNotNull, isNull, lt, lte, ne, not, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { loadConfig } from "../config";
import { accountDb, forEachShard, type Db } from "../db/client";
import {
  accessLog,
  accounts,
  dataExports,
  authTokens,
  connectionLog,
  depositDeductions,
  documentLines,
  documents,
  ereports,
  purchaseEvents,
  purchases,
  inactivityNotices,
  mailLog,
  memberships,
  payments,
  policyAcknowledgements,
  stripeEvents,
  stripePayments,
  paSubmissions,
  transmissionEvents,
  stripeAnomalies,
  stripeCheckouts,
  recoveryCodes,
  retentionPurges,
  retentionRuns,
  rightsRequests,
  sessions,
  users,
} from "../db/schema";
import { formatDate } from "../domain/format";
import {
  INACTIVITY_WARNING,
  RETENTION_CLASSES,
  addDuration,
  USED_TOKEN_GRACE,
  describeDuration,
  inactiveErasureAt,
  inactivityWarningCutoff,
  retentionCutoff,
  subtractDuration,
} from "../domain/retention";
import type { Bindings } from "../env";
import { liveSession } from "../http/session";
import { purgeClosedThrottles } from "../http/throttle";
import { discardImportUpload } from "../features/data/uploads";
import { randomId } from "../lib/crypto/random";
import { sendMail } from "../lib/mail";
import { translator } from "../ui/i18n";

/** Issued documents purged per run at most: a backlog drains over the following nights. */
const BILLING_BATCH = 200;

/** Document types under the 10-year accounting retention (quotes are not billing records). */
const BILLING_TYPES = ["invoice", "deposit_invoice", "credit_note"] as const;

export interface RetentionSummary extends Record<string, number> {
  connection_logs: number;
  access_log: number;
  sessions: number;
  one_time_tokens: number;
  throttles: number;
  inactive_warned: number;
  inactive_warning_failed: number;
  inactive_reactivated: number;
  inactive_erased: number;
  billing_records: number;
  billing_files: number;
  payment_details: number;
  data_exports: number;
  rights_requests: number;
  issued_quotes: number;
  purchase_records: number;
  purchase_files: number;
}

const emptySummary = (): RetentionSummary => ({
  connection_logs: 0,
  access_log: 0,
  sessions: 0,
  one_time_tokens: 0,
  throttles: 0,
  inactive_warned: 0,
  inactive_warning_failed: 0,
  inactive_reactivated: 0,
  inactive_erased: 0,
  billing_records: 0,
  billing_files: 0,
  payment_details: 0,
  data_exports: 0,
  rights_requests: 0,
  issued_quotes: 0,
  purchase_records: 0,
  purchase_files: 0,
});

/**
 * The retention job (privacy policy §6), every duration from domain/retention.ts, the clock `now`
 * injected (tests walk it across years). Idempotent: a second run at the same `now` finds nothing
 * left to do and sends no second warning. Each run leaves its counts in retention_runs.
 *
 */
export async function runRetention(env: Bindings, now: number): Promise<RetentionSummary> {
  const summary = emptySummary();
  await forEachShard(env, async (db) => {
    await recordActivity(db, now);
    await purgeLogsAndSessions(db, now, summary);
    await followInactiveAccounts(env, db, now, summary);
    await purgeBillingRecords(env, db, now, summary);
    await purgePaymentDetails(db, now, summary);
    await purgeDataExports(env, db, now, summary);
    await purgeRightsRequests(db, now, summary);
    await purgeIssuedQuotes(env, db, now, summary);
    await purgePurchaseRecords(env, db, now, summary);
    await db.insert(retentionRuns).values({ id: randomId(), asOf: now, summary, createdAt: Date.now() });
  });
  return summary;
}

/**
 * Purges received purchase invoices 10 years after their date, with their statuses and files, and
 * e-reporting files 10 years after their period: files first (a crash leaves rows to retry, never
 * an orphan file), then the rows in one batch.
 */
async function purgePurchaseRecords(env: Bindings, db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const cutoff = new Date(retentionCutoff("purchase_records", now)).toISOString().slice(0, 10);
  const due = await db
    .select({ id: purchases.id, accountId: purchases.accountId, fileKey: purchases.fileKey })
    .from(purchases)
    .where(lt(purchases.issueDate, cutoff))
    .limit(BILLING_BATCH)
    .all();
  for (const p of due) {
    const events = await db
      .select({ key: purchaseEvents.fileKey })
      .from(purchaseEvents)
      .where(and(eq(purchaseEvents.accountId, p.accountId), eq(purchaseEvents.purchaseId, p.id)))
      .all();
    const keys = [p.fileKey, ...events.map((e) => e.key)].filter((k): k is string => k !== null);
    if (keys.length) await env.FILES.delete(keys);
    await db.batch([
      db.delete(purchaseEvents).where(and(eq(purchaseEvents.accountId, p.accountId), eq(purchaseEvents.purchaseId, p.id))),
      db.delete(purchases).where(and(eq(purchases.accountId, p.accountId), eq(purchases.id, p.id))),
    ]);
    summary.purchase_records += 1;
    summary.purchase_files += keys.length;
  }
  const reports = await db.select({ id: ereports.id, accountId: ereports.accountId, fileKey: ereports.fileKey }).from(ereports).where(lt(ereports.periodEnd, cutoff)).limit(BILLING_BATCH).all();
  if (reports.length) {
    await env.FILES.delete(reports.map((r) => r.fileKey));
    await db.delete(ereports).where(inArray(ereports.id, reports.map((r) => r.id)));
    summary.purchase_files += reports.length;
  }
}

/**
 * Folds sign-ins and session use into accounts.last_activity_at before that evidence is purged, so
 * "3 years after the last activity" counts from the real last visit, not from the sign-up.
 */
async function recordActivity(db: Db, now: number): Promise<void> {
  await db.run(sql`
    UPDATE accounts SET last_activity_at = max(
      last_activity_at,
      coalesce((SELECT max(s.last_seen_at) FROM sessions s WHERE s.account_id = accounts.id AND s.last_seen_at <= ${now}), 0),
      coalesce((SELECT max(c.at) FROM connection_log c JOIN memberships m ON m.user_id = c.user_id
                WHERE m.account_id = accounts.id AND c.outcome IN ('success', 'recovery_code_used') AND c.at <= ${now}), 0)
    )`);
}

/**
 * §6 "Données de paiement": 13 months after the money was received, the details the payer gave
 * (the reference: cheque or transfer number) are blanked. The accounting entry — date, amount,
 * method, invoice — stays in the receipts book; the payments trigger allows only this change.
 */
async function purgePaymentDetails(db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const cutoffAt = retentionCutoff("payment_details", now);
  const cutoff = new Date(cutoffAt).toISOString().slice(0, 10);
  const [blanked, intents, events, checkouts, anomalies] = await db.batch([
    db
      .update(payments)
      .set({ reference: null })
      .where(and(isNotNull(payments.reference), lt(payments.receivedOn, cutoff)))
      .returning({ id: payments.id }),
    // Stripe's payment intent ids and event ids: no refund or retry comes after 13 months (Stripe
    // stops retrying events after 3 days and refunds after 180), and the receipts book keeps the entry.
    db.delete(stripePayments).where(lt(stripePayments.createdAt, cutoffAt)).returning({ id: stripePayments.paymentIntentId }),
    db.delete(stripeEvents).where(lt(stripeEvents.receivedAt, cutoffAt)).returning({ id: stripeEvents.id }),
    // The Checkout sessions opened and the odd events refused: payment data too (13 months).
    db.delete(stripeCheckouts).where(lt(stripeCheckouts.createdAt, cutoffAt)).returning({ id: stripeCheckouts.sessionId }),
    db.delete(stripeAnomalies).where(lt(stripeAnomalies.createdAt, cutoffAt)).returning({ id: stripeAnomalies.id }),
  ]);
  summary.payment_details += blanked.length + intents.length + events.length + checkouts.length + anomalies.length;
}

/** Export (and import) jobs handled per run at most: a backlog drains over the following nights. */
const EXPORTS_BATCH = 200;

/**
 * §9.5 exports: 7 days after creation the archive (or an uploaded import archive left behind) is
 * deleted from R2 and the job marked `expired`; the row stays as the record that it existed. An
 * import upload never completed (a closed tab) has its R2 multipart upload aborted: its parts go.
 */
async function purgeDataExports(env: Bindings, db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const due = await db
    .select({ id: dataExports.id, r2Key: dataExports.r2Key, status: dataExports.status })
    .from(dataExports)
    .where(and(ne(dataExports.status, "expired"), lt(dataExports.createdAt, retentionCutoff("data_exports", now))))
    .limit(EXPORTS_BATCH)
    .all();
  for (const job of due) {
    // R2 first: if the update fails, the next run deletes nothing twice and marks the row then.
    if (job.r2Key && job.status === "uploading") await discardImportUpload(env.FILES, db, job.id, job.r2Key, true);
    if (job.r2Key) await env.FILES.delete(job.r2Key);
    await db.update(dataExports).set({ status: "expired" }).where(eq(dataExports.id, job.id));
    summary.data_exports += 1;
  }
}

/** §9.8: a request answered (or refused) more than 3 years ago is deleted; open ones stay. */
async function purgeRightsRequests(db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const gone = await db
    .delete(rightsRequests)
    .where(and(ne(rightsRequests.status, "open"), isNotNull(rightsRequests.answeredAt), lt(rightsRequests.answeredAt, retentionCutoff("rights_requests", now))))
    .returning({ id: rightsRequests.id });
  summary.rights_requests += gone.length;
}

/**
 * Issued quotes of a closed account, 5 years after issue, with their PDF and lines. A quote an
 * invoice still names (source_quote_id) is kept with that invoice. As for billing records, the
 * retention_purges row is what lets the immutability triggers allow the delete (migration
 * `quote_retention` refuses it for anything but a quote of a closed account, 5 years on).
 */
async function purgeIssuedQuotes(env: Bindings, db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const due = await db
    .select({ id: documents.id, accountId: documents.accountId, type: documents.type, number: documents.number, issuedAt: documents.issuedAt, pdfKey: documents.pdfKey, xmlKey: documents.xmlKey })
    .from(documents)
    .innerJoin(accounts, eq(accounts.id, documents.accountId))
    .where(
      and(
        eq(documents.type, "quote"),
        ne(documents.status, "draft"),
        isNotNull(accounts.closedAt),
        isNotNull(documents.issuedAt),
        lt(documents.issuedAt, retentionCutoff("issued_quotes", now)),
        sql`NOT EXISTS (SELECT 1 FROM documents d WHERE d.account_id = ${documents.accountId} AND d.source_quote_id = ${documents.id})`,
      ),
    )
    .limit(BILLING_BATCH)
    .all();
  for (const doc of due) {
    await purgeIssuedDocument(env, doc, now);
    summary.issued_quotes += 1;
  }
}

async function purgeLogsAndSessions(db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const [logs, access, s, tokens, counters] = await db.batch([
    db.delete(connectionLog).where(lt(connectionLog.at, retentionCutoff("connection_logs", now))).returning({ id: connectionLog.id }),
    // The access log of sensitive actions is a log too: the same 12 months.
    db.delete(accessLog).where(lt(accessLog.at, retentionCutoff("connection_logs", now))).returning({ id: accessLog.id }),
    db.delete(sessions).where(not(liveSession(now))).returning({ id: sessions.idHash }),
    db
      .delete(authTokens)
      .where(or(lt(authTokens.expiresAt, now), and(isNotNull(authTokens.usedAt), lt(authTokens.usedAt, subtractDuration(now, USED_TOKEN_GRACE)))))
      .returning({ id: authTokens.id }),
    // Throttle counters (hashed email/IP/user keys, derived from sign-in attempts): kept only while
    // their window is open, at most an hour, far inside the connection logs' 12 months.
    purgeClosedThrottles(db, now),
  ]);
  summary.connection_logs += logs.length;
  summary.throttles += counters.length;
  summary.access_log += access.length;
  summary.sessions += s.length;
  summary.one_time_tokens += tokens.length;
}

/** Warns owners 30 days before erasure, forgets warnings the owner answered by coming back, then erases. */
async function followInactiveAccounts(env: Bindings, db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const reactivated = await db
    .delete(inactivityNotices)
    .where(
      and(
        isNull(inactivityNotices.erasedAt),
        sql`${inactivityNotices.lastActivityAt} < (SELECT last_activity_at FROM accounts WHERE id = ${inactivityNotices.accountId})`,
      ),
    )
    .returning({ id: inactivityNotices.accountId });
  summary.inactive_reactivated += reactivated.length;

  const toWarn = await db
    .select({ id: accounts.id, name: accounts.name, lastActivityAt: accounts.lastActivityAt })
    .from(accounts)
    .where(
      and(
        lt(accounts.lastActivityAt, inactivityWarningCutoff(now)),
        sql`NOT EXISTS (SELECT 1 FROM inactivity_notices n WHERE n.account_id = ${accounts.id})`,
      ),
    )
    .all();
  for (const account of toWarn) {
    try {
      await warnInactiveAccount(env, db, account, now);
      await db.insert(inactivityNotices).values({ accountId: account.id, lastActivityAt: account.lastActivityAt, warnedAt: now }).onConflictDoNothing();
      summary.inactive_warned += 1;
    } catch (err) {
      // No notice row: the next run warns again; erasure never comes without a warning.
      summary.inactive_warning_failed += 1;
      console.error(JSON.stringify({ level: "error", event: "inactivity_warning_failed", accountId: account.id, error: String(err) }));
    }
  }

  const toErase = await db
    .select({ id: accounts.id })
    .from(accounts)
    .innerJoin(inactivityNotices, eq(inactivityNotices.accountId, accounts.id))
    .where(
      and(
        isNull(inactivityNotices.erasedAt),
        lte(inactivityNotices.warnedAt, subtractDuration(now, INACTIVITY_WARNING)),
        lt(accounts.lastActivityAt, retentionCutoff("inactive_account", now)),
      ),
    )
    .all();
  for (const { id } of toErase) {
    await eraseInactiveAccount(env, db, id, now);
    summary.inactive_erased += 1;
  }
}

async function warnInactiveAccount(env: Bindings, db: Db, account: { id: string; name: string; lastActivityAt: number }, now: number) {
  const config = loadConfig(env);
  const owners = await db
    .select({ id: users.id, email: users.email, name: users.name, locale: users.locale })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, account.id))
    .all();
  // Erasure is at least 30 days after this warning, whatever the delay of the job.
  const erasureAt = Math.max(inactiveErasureAt(account.lastActivityAt), addDuration(now, INACTIVITY_WARNING));
  for (const owner of owners) {
    const t = translator(owner.locale);
    const date = formatDate(new Date(erasureAt), owner.locale);
    await sendMail(config, db, {
      to: owner.email,
      subject: t("privacy.mail.inactive.subject", { date }),
      text: t("privacy.mail.inactive.body", {
        name: owner.name,
        account: account.name,
        date,
        duration: describeDuration(RETENTION_CLASSES.inactive_account.duration, owner.locale),
        link: `${config.APP_URL}/connexion`,
      }),
      template: "inactive_account_warning",
      accountId: account.id,
      userId: owner.id,
    });
  }
}

/** Erases an inactive account's personal data (eraseAccountPersonalData), marking its notice erased in the same batch. */
async function eraseInactiveAccount(env: Bindings, db: Db, accountId: string, now: number): Promise<void> {
  await eraseAccountPersonalData(env, db, accountId, now, [
    db.update(inactivityNotices).set({ erasedAt: now }).where(eq(inactivityNotices.accountId, accountId)),
  ]);
}

/**
 * Erases the personal data of an account (policy §6, §9.3), shared by the inactivity erasure and the
 * owner's account closure (features/privacy/closure.ts): its people (user rows, sessions, tokens,
 * recovery codes, connection logs, policy acknowledgements, their mail log), and the account's
 * contact details, bank details and logo. The account row stays, reduced to the seller identity its
 * issued documents carry, with those documents, which are under legal hold for 10 years. The
 * account is frozen. `alsoInBatch` statements commit in the same D1 batch (all or nothing).
 */
export async function eraseAccountPersonalData(
  env: Bindings,
  db: Db,
  accountId: string,
  now: number,
  alsoInBatch: ReadonlyArray<BatchItem<"sqlite">> = [],
): Promise<void> {
  const adb = accountDb(env, accountId);
  const members = await db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.accountId, accountId)).all();
  const userIds = members.map((m) => m.userId);
  const account = await adb.select({ logoKey: accounts.logoKey }).from(accounts).where(eq(accounts.id, accountId)).get();
  if (account?.logoKey) await env.FILES.delete(account.logoKey);

  const people = userIds.length
    ? [
        db.delete(sessions).where(inArray(sessions.userId, userIds)),
        db.delete(authTokens).where(inArray(authTokens.userId, userIds)),
        db.delete(recoveryCodes).where(inArray(recoveryCodes.userId, userIds)),
        db.delete(connectionLog).where(inArray(connectionLog.userId, userIds)),
        db.delete(policyAcknowledgements).where(inArray(policyAcknowledgements.userId, userIds)),
        db.delete(mailLog).where(inArray(mailLog.userId, userIds)),
        db.delete(memberships).where(eq(memberships.accountId, accountId)),
        // A person who also works for another account keeps their user row for it.
        db.delete(users).where(and(inArray(users.id, userIds), sql`NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${users.id})`)),
      ]
    : [];
  await db.batch([
    ...people,
    adb
      .update(accounts)
      .set({ contactEmail: null, phone: null, ibanSealed: null, bicSealed: null, logoKey: null, logoType: null, frozenAt: now, updatedAt: now })
      .where(eq(accounts.id, accountId)),
    ...alsoInBatch,
  ] as unknown as Parameters<Db["batch"]>[0]);
}

/**
 * Purges issued invoices, deposit invoices and credit notes 10 years after issue, with their PDF and
 * XML. The retention_purges row is what lets the immutability triggers allow the delete (migration
 * 0005); files go first, so a crash between the two leaves a row to retry, never an orphan file.
 */
async function purgeBillingRecords(env: Bindings, db: Db, now: number, summary: RetentionSummary): Promise<void> {
  const due = await db
    .select({ id: documents.id, accountId: documents.accountId, type: documents.type, number: documents.number, issuedAt: documents.issuedAt, pdfKey: documents.pdfKey, xmlKey: documents.xmlKey })
    .from(documents)
    .where(
      and(
        inArray(documents.type, [...BILLING_TYPES]),
        ne(documents.status, "draft"),
        isNotNull(documents.issuedAt),
        lt(documents.issuedAt, retentionCutoff("billing_records", now)),
      ),
    )
    .limit(BILLING_BATCH)
    .all();
  for (const doc of due) {
    const files = await purgeIssuedDocument(env, doc, now);
    summary.billing_records += 1;
    summary.billing_files += files;
  }
}

/**
 * Purges one issued document past its retention period: its PDF and XML first (a crash between the
 * two leaves a row to retry, never an orphan file), then, in one batch, the retention_purges row —
 * what lets the immutability triggers allow the delete (migrations 0005, quote_retention) — its
 * lines, the deposit deductions naming it, and the document. Returns the number of files deleted.
 */
async function purgeIssuedDocument(
  env: Bindings,
  doc: { id: string; accountId: string; type: string; number: string | null; issuedAt: number | null; pdfKey: string | null; xmlKey: string | null },
  now: number,
): Promise<number> {
  const adb = accountDb(env, doc.accountId);
  // Status messages Factumo wrote about it (212…) go with it; its transmission rows and timeline too.
  const statusFiles = await adb
    .select({ key: paSubmissions.fileKey })
    .from(paSubmissions)
    .where(and(eq(paSubmissions.accountId, doc.accountId), eq(paSubmissions.documentId, doc.id), eq(paSubmissions.kind, "status")))
    .all();
  const keys = [doc.pdfKey, doc.xmlKey, ...statusFiles.map((f) => f.key)].filter((k): k is string => k !== null && k !== "");
  if (keys.length) await env.FILES.delete(keys);
  await adb.batch([
    adb
      .insert(retentionPurges)
      .values({ documentId: doc.id, accountId: doc.accountId, type: doc.type, number: doc.number, issuedAt: doc.issuedAt ?? 0, purgedAt: now })
      .onConflictDoNothing(),
    adb.delete(documentLines).where(and(eq(documentLines.accountId, doc.accountId), eq(documentLines.documentId, doc.id))),
    adb
      .delete(depositDeductions)
      .where(
        and(eq(depositDeductions.accountId, doc.accountId), or(eq(depositDeductions.finalDocumentId, doc.id), eq(depositDeductions.depositDocumentId, doc.id))),
      ),
    adb.delete(paSubmissions).where(and(eq(paSubmissions.accountId, doc.accountId), eq(paSubmissions.documentId, doc.id))),
    adb.delete(transmissionEvents).where(and(eq(transmissionEvents.accountId, doc.accountId), eq(transmissionEvents.documentId, doc.id))),
    adb.delete(documents).where(and(eq(documents.accountId, doc.accountId), eq(documents.id, doc.id))),
  ]);
  return keys.length;
}
