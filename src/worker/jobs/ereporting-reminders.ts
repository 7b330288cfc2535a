import { and, eq, sql } from "drizzle-orm";
import { loadConfig } from "../config";
import { type Db, forEachShard } from "../db/client";
import { ereportReminders, memberships, users } from "../db/schema";
import { type EreportDeadline, type EreportRegime, ereportingDeadlineToRemind } from "../domain/einvoice/ereporting";
import { formatDate } from "../domain/format";
import type { Bindings } from "../env";
import { EREPORTING_PATH } from "../features/books/pages";
import { todayInParis } from "../features/documents/drafts";
import { sendMail } from "../lib/mail";
import { translator } from "../ui/i18n";
import { REMINDER_DAYS_BEFORE } from "./urssaf-reminders";

/** Accounts read per page (keyset on id). */
const PAGE = 500;

interface AccountRow {
  id: string;
  createdAt: number;
  regime: EreportRegime | null;
  /** Kinds (transactions, payments) of the period the PA took or is checking: both → nothing to remind. */
  sentKinds: number;
}

/**
 * Daily, beside the URSSAF reminders: emails each account with a SIREN that is not frozen of its
 * next e-reporting deadline (franchise: every two months; VAT-registered: monthly), once, within
 * {@link REMINDER_DAYS_BEFORE} days of it, unless both files of the period are already sent and
 * not rejected. The (account, period) row of ereport_reminders is claimed before sending, so a run
 * twice sends once; a failed send releases the claim and the next run tries again.
 */
export async function runEreportingReminders(env: Bindings, now: number): Promise<Record<string, number>> {
  const config = loadConfig(env);
  const today = todayInParis(now);
  const due: Record<EreportRegime, EreportDeadline | null> = {
    franchise: ereportingDeadlineToRemind(today, "franchise", REMINDER_DAYS_BEFORE),
    vat: ereportingDeadlineToRemind(today, "vat", REMINDER_DAYS_BEFORE),
  };
  const totals = { accounts: 0, sent: 0, already: 0, done: 0, failed: 0 };
  if (!due.franchise && !due.vat) return totals;

  await forEachShard(env, async (db) => {
    let after = "";
    for (;;) {
      // The e-reports of the due period come with the page (one grouped subquery), not one query per account.
      const page = await db.all<AccountRow>(sql`
        SELECT a.id, a.created_at AS createdAt, a.vat_regime AS regime,
          (SELECT count(DISTINCT e.kind) FROM ereports e WHERE e.account_id = a.id AND e.state != 'error'
            AND e.period_start = CASE WHEN a.vat_regime = 'vat' THEN ${due.vat?.period.start ?? ""} ELSE ${due.franchise?.period.start ?? ""} END) AS sentKinds
        FROM accounts a
        WHERE a.frozen_at IS NULL AND a.siren IS NOT NULL AND a.id > ${after}
        ORDER BY a.id LIMIT ${PAGE}`);
      for (const account of page) {
        const deadline = due[account.regime === "vat" ? "vat" : "franchise"];
        if (!deadline) continue;
        // A period that ended before the account was created has nothing to report here.
        if (deadline.period.end < todayInParis(Number(account.createdAt))) continue;
        totals.accounts++;
        if (Number(account.sentKinds) >= 2) {
          totals.done++;
          continue;
        }
        totals[await remindAccount(db, config, account.id, deadline, now)]++;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]?.id ?? after;
    }
  });
  return totals;
}

async function remindAccount(db: Db, config: ReturnType<typeof loadConfig>, accountId: string, due: EreportDeadline, now: number): Promise<"sent" | "already" | "failed"> {
  const claimed = await db
    .insert(ereportReminders)
    .values({ accountId, periodStart: due.period.start, deadline: due.deadline, sentAt: now })
    .onConflictDoNothing()
    .returning({ accountId: ereportReminders.accountId });
  if (claimed.length === 0) return "already";
  try {
    const owners = await db
      .select({ id: users.id, email: users.email, locale: users.locale })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.accountId, accountId))
      .all();
    for (const owner of owners) {
      const t = translator(owner.locale);
      const period = `${formatDate(due.period.start, owner.locale)} – ${formatDate(due.period.end, owner.locale)}`;
      const date = formatDate(due.deadline, owner.locale);
      await sendMail(config, db, {
        to: owner.email,
        subject: t("books.ereporting.mail.subject", { period, date }),
        text: t("books.ereporting.mail.body", { period, date, link: `${config.APP_URL}${EREPORTING_PATH}` }),
        template: "ereporting_deadline_reminder",
        accountId,
        userId: owner.id,
      });
    }
    return "sent";
  } catch (err) {
    console.error(JSON.stringify({ level: "error", event: "ereporting_reminder_failed", accountId, deadline: due.deadline, error: String(err) }));
    await db.delete(ereportReminders).where(and(eq(ereportReminders.accountId, accountId), eq(ereportReminders.periodStart, due.period.start)));
    return "failed";
  }
}
