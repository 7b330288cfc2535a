import { and, eq, sql } from "drizzle-orm";
import { loadConfig } from "../config";
import { type Db, forEachShard } from "../db/client";
import { memberships, urssafReminders, users } from "../db/schema";
import {
  type DeclarationFrequency,
  declarationForPeriod,
  type Deadline,
  deadlineToRemind,
  periodRange,
  type ServiceCategory,
  URSSAF_CATEGORIES,
} from "../domain/books/urssaf";
import { formatDate, formatMoney } from "../domain/format";
import type { Bindings } from "../env";
import { DEFAULT_SETTINGS, splitReceiptsBetween } from "../features/books/queries";
import { periodLabel, URSSAF_PATH } from "../features/books/pages";
import { todayInParis } from "../features/documents/drafts";
import { sendMail } from "../lib/mail";
import { translator } from "../ui/i18n";

/** Days before a deadline the reminder goes out (the deadline day included in the window). */
export const REMINDER_DAYS_BEFORE = 7;

/** Accounts read per page (keyset on id), so that a shard of any size is walked in steps. */
const PAGE = 500;

interface AccountRow {
  id: string;
  createdAt: number;
  frequency: DeclarationFrequency | null;
  serviceCategory: ServiceCategory | null;
}

/**
 * Daily: reminds each account that is not frozen of its next URSSAF declaration deadline, once,
 * within {@link REMINDER_DAYS_BEFORE} days of it, with the period's turnover to declare. The
 * (account, deadline) row in urssaf_reminders is claimed before sending, so running the job twice
 * sends nothing twice; if the send fails the claim is released and tomorrow's run tries again.
 * Periods that ended before the account existed are not reminded.
 */
export async function runUrssafReminders(env: Bindings, now: number): Promise<Record<string, number>> {
  const config = loadConfig(env);
  const today = todayInParis(now);
  const due: Record<DeclarationFrequency, Deadline | null> = {
    monthly: deadlineToRemind(today, "monthly", REMINDER_DAYS_BEFORE),
    quarterly: deadlineToRemind(today, "quarterly", REMINDER_DAYS_BEFORE),
  };
  const totals = { accounts: 0, sent: 0, already: 0, failed: 0 };
  if (!due.monthly && !due.quarterly) return totals;

  await forEachShard(env, async (db) => {
    let after = "";
    for (;;) {
      const page = await db.all<AccountRow>(sql`
        SELECT a.id, a.created_at AS createdAt, s.declaration_frequency AS frequency, s.service_category AS serviceCategory
        FROM accounts a LEFT JOIN books_settings s ON s.account_id = a.id
        WHERE a.frozen_at IS NULL AND a.id > ${after}
        ORDER BY a.id LIMIT ${PAGE}`);
      for (const account of page) {
        const frequency = account.frequency ?? DEFAULT_SETTINGS.declarationFrequency;
        const deadline = due[frequency];
        if (!deadline) continue;
        // A period that ended before the account was created has nothing to declare here.
        const createdOn = todayInParis(Number(account.createdAt));
        if (periodRange(deadline.period).to < createdOn) continue;
        totals.accounts++;
        const outcome = await remindAccount(db, config, account, deadline, account.serviceCategory ?? DEFAULT_SETTINGS.serviceCategory, now);
        totals[outcome]++;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]?.id ?? after;
    }
  });
  return totals;
}

async function remindAccount(
  db: Db,
  config: ReturnType<typeof loadConfig>,
  account: AccountRow,
  deadline: Deadline,
  serviceCategory: ServiceCategory,
  now: number,
): Promise<"sent" | "already" | "failed"> {
  const claimed = await db
    .insert(urssafReminders)
    .values({ accountId: account.id, deadline: deadline.deadline, period: deadline.key, sentAt: now })
    .onConflictDoNothing()
    .returning({ accountId: urssafReminders.accountId });
  if (claimed.length === 0) return "already";

  try {
    const { from, to } = periodRange(deadline.period);
    const receipts = await splitReceiptsBetween(db, account.id, from, to, serviceCategory);
    const declaration = declarationForPeriod(receipts, deadline.period);
    const owners = await db
      .select({ id: users.id, email: users.email, locale: users.locale })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.accountId, account.id))
      .all();
    for (const owner of owners) {
      const t = translator(owner.locale);
      const period = periodLabel(deadline.period, t, owner.locale);
      const date = formatDate(deadline.deadline, owner.locale);
      const lines = [
        ...URSSAF_CATEGORIES.map((c) => `- ${t(`books.cat.${c}`)} : ${formatMoney(declaration.euros[c] * 100, owner.locale)}`),
        `- ${t("books.total")} : ${formatMoney(declaration.totalEuros * 100, owner.locale)}`,
      ].join("\n");
      await sendMail(config, db, {
        to: owner.email,
        subject: t("books.mail.subject", { period, date }),
        text: t("books.mail.body", { period, date, lines, link: `${config.APP_URL}${URSSAF_PATH}?year=${deadline.period.year}` }),
        template: "urssaf_deadline_reminder",
        accountId: account.id,
        userId: owner.id,
      });
    }
    return "sent";
  } catch (err) {
    console.error(JSON.stringify({ level: "error", event: "urssaf_reminder_failed", accountId: account.id, deadline: deadline.deadline, error: String(err) }));
    await db.delete(urssafReminders).where(and(eq(urssafReminders.accountId, account.id), eq(urssafReminders.deadline, deadline.deadline)));
    return "failed";
  }
}
