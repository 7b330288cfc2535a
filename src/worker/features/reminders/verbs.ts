import { and, desc, eq, sql } from "drizzle-orm";
import type { Config } from "../../config";
import type { Bindings } from "../../env";
import type { Db } from "../../db/client";
import { accounts, clients, documents, invoiceBalances, reminderLog, reminderPlans } from "../../db/schema";
import type { DocumentSnapshot } from "../../domain/document";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { sendMail } from "../../lib/mail";
import { type AccountVerbCtx, type DocumentRow, todayInParis } from "../documents/drafts";
import { admitThirdPartySend, releaseSend, type SendRefusal, sendRefusalError } from "../sending/gate";
import { requireMailText, templateFor } from "../sending/email-templates";
import { suppressionOf } from "../sending/verbs";
import { checkPlan, DEFAULT_PLAN, manualStepKey, type PlanProblem } from "./plan";
import { reminderMail } from "./templates";

export type ReminderLogRow = typeof reminderLog.$inferSelect;

/** The account's plan, or the default one when it never set one. */
export async function getPlan(ctx: AccountVerbCtx): Promise<{ offsets: number[]; isDefault: boolean }> {
  const row = await ctx.db.select({ offsets: reminderPlans.offsets }).from(reminderPlans).where(eq(reminderPlans.accountId, ctx.accountId)).get();
  return row ? { offsets: row.offsets, isDefault: false } : { offsets: [...DEFAULT_PLAN], isDefault: true };
}

const PROBLEM_KEY = {
  too_many: "reminders.err.tooMany",
  not_integer: "reminders.err.integer",
  out_of_range: "reminders.err.range",
  duplicate: "reminders.err.duplicate",
} as const satisfies Record<PlanProblem, string>;

/**
 * Replaces the account's plan. An absurd plan (more than 6 steps, an offset outside −30..+120 days,
 * a duplicate, a fraction) is refused with an error on the `offsets` field, and nothing is written.
 */
export async function setPlan(ctx: AccountVerbCtx, offsets: readonly number[]): Promise<number[]> {
  const check = checkPlan(offsets);
  if (!check.ok) {
    const message = ctx.t(PROBLEM_KEY[check.problem], { offset: String(check.offset ?? ""), max: 6 });
    throw new AppError("invalid", message, { offsets: message });
  }
  await ctx.db
    .insert(reminderPlans)
    .values({ accountId: ctx.accountId, offsets: check.plan, updatedAt: ctx.now })
    .onConflictDoUpdate({ target: reminderPlans.accountId, set: { offsets: check.plan, updatedAt: ctx.now } });
  return check.plan;
}

/** Pauses or resumes the automatic reminders of one issued invoice. */
export async function setReminderPause(ctx: AccountVerbCtx, documentId: string, paused: boolean): Promise<{ paused: boolean }> {
  const row = await ctx.db
    .update(invoiceBalances)
    .set({ remindersPausedAt: paused ? ctx.now : null })
    .where(and(eq(invoiceBalances.documentId, documentId), eq(invoiceBalances.accountId, ctx.accountId)))
    .returning({ id: invoiceBalances.documentId })
    .get();
  if (!row) await refuseNonInvoice(ctx, documentId);
  return { paused };
}

/** 404 for another account's or an unknown id, 409 for a document that takes no reminder. */
async function refuseNonInvoice(ctx: AccountVerbCtx, documentId: string): Promise<never> {
  const doc = await ctx.db.select({ id: documents.id }).from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  throw new AppError("conflict", ctx.t("reminders.err.notInvoice"));
}

/** An invoice's reminders, newest first. */
export async function listReminders(ctx: AccountVerbCtx, documentId: string, limit = 20): Promise<ReminderLogRow[]> {
  return ctx.db
    .select()
    .from(reminderLog)
    .where(and(eq(reminderLog.accountId, ctx.accountId), eq(reminderLog.documentId, documentId)))
    .orderBy(desc(reminderLog.createdAt), desc(reminderLog.id))
    .limit(limit)
    .all();
}

/** What a reminder of one invoice is written from (the invoice, its balance, seller and client). */
async function reminderRowOf(db: Db, accountId: string, documentId: string) {
  return db
    .select({
      number: documents.number,
      issueDate: documents.issueDate,
      dueDate: documents.dueDate,
      snapshot: documents.snapshot,
      outstandingCents: invoiceBalances.outstandingCents,
      pausedAt: invoiceBalances.remindersPausedAt,
      accountName: accounts.name,
      contactEmail: accounts.contactEmail,
      frozenAt: accounts.frozenAt,
      closedAt: accounts.closedAt,
      email: clients.email,
      language: clients.language,
      clientName: clients.name,
    })
    .from(documents)
    .innerJoin(invoiceBalances, and(eq(invoiceBalances.documentId, documents.id), eq(invoiceBalances.accountId, documents.accountId)))
    .innerJoin(accounts, eq(accounts.id, documents.accountId))
    .leftJoin(clients, and(eq(clients.id, documents.clientId), eq(clients.accountId, documents.accountId)))
    .where(and(eq(documents.id, documentId), eq(documents.accountId, accountId)))
    .get();
}

type ReminderRow = NonNullable<Awaited<ReturnType<typeof reminderRowOf>>>;

/** The reminder's email: the account's template (or the built-in text), then the edits of a preview. */
async function composeReminder(db: Db, accountId: string, row: ReminderRow & { number: string; issueDate: string; dueDate: string }, now: number, edits: MailEdits = {}) {
  const language = row.language ?? "fr";
  const stored = await templateFor(db, accountId, "reminder", language);
  const snapshot = row.snapshot as DocumentSnapshot | null;
  return reminderMail(
    {
      language,
      sellerName: snapshot?.seller.name ?? row.accountName,
      clientName: row.clientName ?? "",
      number: row.number,
      issueDate: row.issueDate,
      dueDate: row.dueDate,
      today: todayInParis(now),
      outstandingCents: row.outstandingCents,
      // The invoice's own wordings (LEGAL.md §2), quoted only to a business client.
      b2b: snapshot?.buyer.kind === "company" ? { latePenalty: snapshot.payment.latePenalty, recoveryIndemnity: snapshot.payment.recoveryIndemnity } : null,
      iban: snapshot?.seller.iban ?? null,
    },
    { ...stored, ...(edits.subject !== undefined ? { subject: edits.subject } : {}), ...(edits.message !== undefined ? { body: edits.message } : {}) },
  );
}

/** The subject and message as edited in a preview; placeholders allowed. */
export interface MailEdits {
  subject?: string;
  message?: string;
}

/**
 * The reminder a click would send now, for the preview page; nothing is claimed or sent.
 * `alreadyToday` when today's reminder went already (a send would answer it, not send again).
 */
export async function previewReminder(ctx: AccountVerbCtx, documentId: string) {
  const row = await reminderRowOf(ctx.db, ctx.accountId, documentId);
  if (!row) await refuseNonInvoice(ctx, documentId);
  if (!row || !row.number || !row.issueDate || !row.dueDate) throw new AppError("not_found", ctx.t("err.not_found"));
  if (row.outstandingCents <= 0) throw new AppError("conflict", ctx.t("reminders.err.settled"));
  const mail = await composeReminder(ctx.db, ctx.accountId, { ...row, number: row.number, issueDate: row.issueDate, dueDate: row.dueDate }, ctx.now);
  const already = await ctx.db
    .select({ status: reminderLog.status })
    .from(reminderLog)
    .where(and(eq(reminderLog.accountId, ctx.accountId), eq(reminderLog.documentId, documentId), eq(reminderLog.step, manualStepKey(todayInParis(ctx.now)))))
    .get();
  return { ...mail, number: row.number, language: row.language ?? "fr", alreadyToday: !!already && already.status !== "failed" };
}

export type DeliveryOutcome =
  | { status: "sent"; logId: string; mailId: string }
  | { status: "skipped"; logId: string; reason: "no_email" | "bounced" | "complained" }
  | { status: "failed"; logId: string }
  | { status: "duplicate" }
  | { status: "not_found" | "frozen" | "settled" | "paused" }
  /** Not sent and not claimed (sending/gate.ts): the step is tried again on a later run. */
  | ({ status: "held" } & SendRefusal);

export interface ReminderStep {
  kind: "auto" | "manual";
  /** reminder_log.step: "auto:<offset>" or "manual:<day>". */
  key: string;
  offsetDays: number | null;
}

/**
 * Sends one reminder for one invoice, at most once per (invoice, step). The order is what makes a
 * second run harmless: (1) re-read the invoice and stop if the account is frozen, nothing is owed
 * any more or (automatic only) reminders are paused; (2) claim the step by inserting its log row,
 * which the unique (document_id, step) index lets through once; (3) only then send, and record
 * the outcome on the row. A crash between (2) and (3) leaves a "pending" row: that step is never
 * sent (a missed reminder rather than a duplicate one), and the log shows it unconfirmed.
 * Automatic reminders honour the suppression list (bounces, complaints): the step is logged as
 * skipped with the reason, and no email goes.
 */
export async function deliverReminder(
  deps: { db: Db; config: Config; env: Pick<Bindings, "DB"> },
  accountId: string,
  documentId: string,
  step: ReminderStep,
  now: number,
  edits: MailEdits = {},
): Promise<DeliveryOutcome> {
  const { db, config } = deps;
  const row = await reminderRowOf(db, accountId, documentId);
  if (!row || !row.number || !row.issueDate || !row.dueDate) return { status: "not_found" };
  // Privacy policy §9.4: a frozen account processes nothing, emails included.
  // A closed account reminds nobody either.
  if (row.frozenAt !== null || row.closedAt !== null) return { status: "frozen" };
  if (row.outstandingCents <= 0) return { status: "settled" };
  if (step.kind === "auto" && row.pausedAt !== null) return { status: "paused" };

  const to = (row.email ?? "").trim().toLowerCase();
  const language = row.language ?? "fr";
  const suppressed = to ? await suppressionOf(db, to) : null;
  const skip = !to ? ("no_email" as const) : suppressed;
  // Issue #14: an unverified owner or a used-up new-account quota holds the reminder, unclaimed.
  const admission = skip ? null : await admitThirdPartySend({ env: deps.env, db, now }, accountId);
  if (admission && !admission.ok) {
    const { ok: _ok, ...refusal } = admission;
    return { status: "held", ...refusal };
  }
  const logId = randomId();
  const claimed = await db
    .insert(reminderLog)
    .values({
      id: logId,
      accountId,
      documentId,
      step: step.key,
      kind: step.kind,
      offsetDays: step.offsetDays,
      status: skip ? "skipped" : "pending",
      reason: skip,
      toAddress: to || null,
      language,
      outstandingCents: row.outstandingCents,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: reminderLog.id })
    .get();
  if (!claimed) {
    if (admission) await releaseSend(db, admission);
    return { status: "duplicate" };
  }
  if (skip) return { status: "skipped", logId, reason: skip };

  const { subject, text } = await composeReminder(db, accountId, { ...row, number: row.number, issueDate: row.issueDate, dueDate: row.dueDate }, now, edits);
  try {
    const mail = await sendMail(config, db, {
      to,
      subject,
      text,
      template: `reminder.${step.kind}.${language}`,
      accountId,
      ...(row.contactEmail ? { replyTo: row.contactEmail } : {}),
    });
    await db.update(reminderLog).set({ status: "sent", mailId: mail.id }).where(eq(reminderLog.id, logId));
    return { status: "sent", logId, mailId: mail.id };
  } catch (err) {
    if (admission) await releaseSend(db, admission);
    await db.update(reminderLog).set({ status: "failed", reason: "provider" }).where(eq(reminderLog.id, logId));
    console.error(JSON.stringify({ level: "error", event: "reminder_failed", logId, error: String(err).slice(0, 200) }));
    return { status: "failed", logId };
  }
}

/**
 * The one-click reminder of the receivables page: sends one reminder now, whatever the plan or the
 * pause (the user asked for it), at most once per invoice and day. A second click the same day
 * sends nothing and answers with the reminder already sent.
 */
export async function sendReminderNow(ctx: AccountVerbCtx, documentId: string, edits: MailEdits = {}): Promise<{ reminder: ReminderLogRow; already: boolean }> {
  requireMailText(ctx.t, edits);
  const balance = await ctx.db
    .select({ outstandingCents: invoiceBalances.outstandingCents })
    .from(invoiceBalances)
    .where(and(eq(invoiceBalances.documentId, documentId), eq(invoiceBalances.accountId, ctx.accountId)))
    .get();
  if (!balance) await refuseNonInvoice(ctx, documentId);
  const key = manualStepKey(todayInParis(ctx.now));
  const existing = () =>
    ctx.db
      .select()
      .from(reminderLog)
      .where(and(eq(reminderLog.accountId, ctx.accountId), eq(reminderLog.documentId, documentId), eq(reminderLog.step, key)))
      .get();
  const before = await existing();
  if (before && before.status !== "failed") return { reminder: before, already: true };
  if (before) await ctx.db.delete(reminderLog).where(and(eq(reminderLog.id, before.id), eq(reminderLog.accountId, ctx.accountId)));

  // A click is not an automatic email, but a dead or complaining mailbox is told nothing more.
  const client = await ctx.db
    .select({ email: clients.email })
    .from(documents)
    .leftJoin(clients, and(eq(clients.id, documents.clientId), eq(clients.accountId, documents.accountId)))
    .where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId)))
    .get();
  const email = client?.email?.trim().toLowerCase();
  if (!email) throw new AppError("precondition_failed", ctx.t("sending.err.noEmail"));
  const suppressed = await suppressionOf(ctx.db, email);
  if (suppressed) throw new AppError("conflict", ctx.t("sending.suppressed", { reason: ctx.t(`sending.status.${suppressed}`) }));

  const outcome = await deliverReminder(ctx, ctx.accountId, documentId, { kind: "manual", key, offsetDays: null }, ctx.now, edits);
  switch (outcome.status) {
    case "frozen":
      throw new AppError("conflict", ctx.t("sending.err.frozen"));
    case "settled":
      throw new AppError("conflict", ctx.t("reminders.err.settled"));
    case "not_found":
      throw new AppError("not_found", ctx.t("err.not_found"));
    case "failed":
      throw new AppError("internal", ctx.t("reminders.err.failed"));
    case "held":
      throw sendRefusalError(ctx.t, outcome);
    default: {
      const row = await existing();
      if (!row) throw new AppError("internal", ctx.t("reminders.err.failed"));
      return { reminder: row, already: outcome.status === "duplicate" };
    }
  }
}

export interface ReminderPanelData {
  documentId: string;
  paused: boolean;
  outstandingCents: number;
  dueDate: string | null;
  plan: number[];
  history: ReminderLogRow[];
}

/** What the document page's reminders panel needs; null for documents that take no reminder. */
export async function reminderPanelData(ctx: AccountVerbCtx, doc: DocumentRow): Promise<ReminderPanelData | null> {
  if ((doc.type !== "invoice" && doc.type !== "deposit_invoice") || doc.status === "draft") return null;
  const [balance, plan, history] = await Promise.all([
    ctx.db
      .select({ outstandingCents: invoiceBalances.outstandingCents, pausedAt: invoiceBalances.remindersPausedAt })
      .from(invoiceBalances)
      .where(and(eq(invoiceBalances.documentId, doc.id), eq(invoiceBalances.accountId, ctx.accountId)))
      .get(),
    getPlan(ctx),
    listReminders(ctx, doc.id, 10),
  ]);
  if (!balance) return null;
  return { documentId: doc.id, paused: balance.pausedAt !== null, outstandingCents: balance.outstandingCents, dueDate: doc.dueDate, plan: plan.offsets, history };
}

/** Ids among `documentIds` that already got a reminder today (one-click buttons show it). */
export async function remindedToday(ctx: AccountVerbCtx, documentIds: string[]): Promise<Set<string>> {
  if (documentIds.length === 0) return new Set();
  const key = manualStepKey(todayInParis(ctx.now));
  const rows = await ctx.db
    .select({ id: reminderLog.documentId })
    .from(reminderLog)
    .where(and(eq(reminderLog.accountId, ctx.accountId), eq(reminderLog.step, key), sql`${reminderLog.documentId} IN (SELECT value FROM json_each(${JSON.stringify(documentIds.slice(0, 100))}))`))
    .all();
  return new Set(rows.map((r) => r.id));
}
