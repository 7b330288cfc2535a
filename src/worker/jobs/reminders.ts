import { sql } from "drizzle-orm";
import { loadConfig } from "../config";
import { forEachShard } from "../db/client";
import type { Bindings } from "../env";
import { todayInParis } from "../features/documents/drafts";
import { autoStepKey, DEFAULT_PLAN, dueDateWindow, dueStep } from "../features/reminders/plan";
import { deliverReminder } from "../features/reminders/verbs";

/** Emails sent per shard and run at most; what is left is still due tomorrow (plan.ts catch-up). */
export const MAX_REMINDERS_PER_RUN = 400;

interface Candidate {
  documentId: string;
  accountId: string;
  dueDate: string;
  offsets: string | null;
}

/**
 * The daily reminders (relances). Reads only open invoices (invoice_balances' partial index on
 * outstanding_cents > 0) whose due date lies in the window where a step can fall today, of
 * accounts neither frozen nor closed, on invoices not paused; then their automatic log entries, to
 * know which steps went out. Each due step goes through deliverReminder, which claims the step in
 * reminder_log before sending: running the job twice, or after a crash, sends nothing twice.
 */
export async function runReminders(env: Bindings, now: number): Promise<Record<string, number>> {
  const config = loadConfig(env);
  const today = todayInParis(now);
  const { from, to } = dueDateWindow(today);
  const totals = { candidates: 0, due: 0, sent: 0, skipped: 0, failed: 0, duplicate: 0, stopped: 0 };
  await forEachShard(env, async (db) => {
    const candidates = await db.all<Candidate>(sql`
      SELECT b.document_id AS documentId, b.account_id AS accountId, b.due_date AS dueDate, p.offsets AS offsets
      FROM invoice_balances b
      JOIN accounts a ON a.id = b.account_id
      LEFT JOIN reminder_plans p ON p.account_id = b.account_id
      WHERE b.outstanding_cents > 0 AND b.due_date BETWEEN ${from} AND ${to}
        AND b.reminders_paused_at IS NULL AND a.frozen_at IS NULL AND a.closed_at IS NULL`);
    totals.candidates += candidates.length;
    const done = new Map<string, number[]>();
    // D1 binds at most 100 parameters per statement: ids go as one JSON array instead.
    for (let i = 0; i < candidates.length; i += 500) {
      const ids = JSON.stringify(candidates.slice(i, i + 500).map((c) => c.documentId));
      const rows = await db.all<{ documentId: string; offsetDays: number }>(sql`
        SELECT document_id AS documentId, offset_days AS offsetDays FROM reminder_log
        WHERE kind = 'auto' AND document_id IN (SELECT value FROM json_each(${ids}))`);
      for (const r of rows) done.set(r.documentId, [...(done.get(r.documentId) ?? []), Number(r.offsetDays)]);
    }
    let sentHere = 0;
    for (const c of candidates) {
      if (sentHere >= MAX_REMINDERS_PER_RUN) break;
      const plan = c.offsets ? (JSON.parse(c.offsets) as number[]) : DEFAULT_PLAN;
      const step = dueStep(plan, c.dueDate, today, done.get(c.documentId) ?? []);
      if (step === null) continue;
      totals.due++;
      const outcome = await deliverReminder({ db, config, env }, c.accountId, c.documentId, { kind: "auto", key: autoStepKey(step), offsetDays: step }, now);
      if (outcome.status === "sent") {
        totals.sent++;
        sentHere++;
      } else if (outcome.status === "skipped") totals.skipped++;
      else if (outcome.status === "failed") totals.failed++;
      else if (outcome.status === "duplicate") totals.duplicate++;
      else totals.stopped++;
    }
  });
  return totals;
}
