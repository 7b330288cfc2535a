import { and, between, desc, eq, gte, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, clients, clientWindowTotals, monthlyTotals, openDueTotals, openTotals } from "../../db/schema";
import { addDays } from "../../domain/mentions";
import type { MessageKey } from "../../ui/i18n";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { profileCompleteness } from "../profile/completeness";

/** What the dashboard shows about the profile: one row read. */
export async function loadProfileSummary(db: Db, accountId: string): Promise<{ missing: MessageKey[] }> {
  const row = await db.select().from(accounts).where(eq(accounts.id, accountId)).get();
  return { missing: row ? profileCompleteness(row) : [] };
}

export const TOP_CLIENTS = 5;

export interface MonthFigures {
  /** YYYY-MM. */
  month: string;
  invoicedCents: number;
  receivedCents: number;
}

export interface Treasury {
  today: string;
  /** The last 12 months, oldest first, current month last; months without activity are zero. */
  months: MonthFigures[];
  invoiced12Cents: number;
  received12Cents: number;
  /** Owed on open invoices (after credit notes and payments). */
  outstandingCents: number;
  openInvoices: number;
  overdueCents: number;
  overdueInvoices: number;
  /** Owed on invoices falling due from today to today + 30/60/90 days (cumulative; overdue apart). */
  expected: { d30: number; d60: number; d90: number };
  /** Most invoiced clients over the same 12 months. */
  topClients: Array<{ clientId: string; name: string | null; invoicedCents: number; receivedCents: number }>;
}

/** "2026-11" → the 12 months ending there, oldest first. */
export function lastTwelveMonths(currentMonth: string): string[] {
  const [y, m] = currentMonth.split("-").map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (11 - i), 1));
    return d.toISOString().slice(0, 7);
  });
}

/**
 * The treasury figures of the dashboard, from maintained aggregates only, so the rows read follow
 * what is shown and not the account's history: monthly_totals (≤ 12 rows), open_totals (1 row),
 * open_due_totals from today on (one row per upcoming due date), client_window_totals for the
 * window ending this month (TOP_CLIENTS rows, by index order) and those clients' names.
 */
export async function treasury(ctx: AccountVerbCtx, opts: { today?: string } = {}): Promise<Treasury> {
  const today = opts.today ?? todayInParis(ctx.now);
  const months = lastTwelveMonths(today.slice(0, 7));
  const first = months[0] ?? today.slice(0, 7);
  const current = months[11] ?? today.slice(0, 7);
  const [monthRows, upcoming, total, top] = await Promise.all([
    ctx.db
      .select({ month: monthlyTotals.month, invoicedCents: monthlyTotals.invoicedCents, receivedCents: monthlyTotals.receivedCents })
      .from(monthlyTotals)
      .where(and(eq(monthlyTotals.accountId, ctx.accountId), between(monthlyTotals.month, first, current)))
      .all(),
    ctx.db
      .select({ dueDate: openDueTotals.dueDate, cents: openDueTotals.outstandingCents, invoices: openDueTotals.invoices })
      .from(openDueTotals)
      .where(and(eq(openDueTotals.accountId, ctx.accountId), gte(openDueTotals.dueDate, today)))
      .all(),
    ctx.db.select({ cents: openTotals.outstandingCents, invoices: openTotals.invoices }).from(openTotals).where(eq(openTotals.accountId, ctx.accountId)).get(),
    ctx.db
      .select({ clientId: clientWindowTotals.clientId, name: clients.name, invoicedCents: clientWindowTotals.invoicedCents, receivedCents: clientWindowTotals.receivedCents })
      .from(clientWindowTotals)
      .leftJoin(clients, and(eq(clients.id, clientWindowTotals.clientId), eq(clients.accountId, clientWindowTotals.accountId)))
      .where(and(eq(clientWindowTotals.accountId, ctx.accountId), eq(clientWindowTotals.windowEnd, current), sql`${clientWindowTotals.invoicedCents} > 0`))
      .orderBy(desc(clientWindowTotals.invoicedCents), desc(clientWindowTotals.clientId))
      .limit(TOP_CLIENTS)
      .all(),
  ]);
  const byMonth = new Map(monthRows.map((r) => [r.month, r]));
  const figures = months.map((month) => ({ month, invoicedCents: byMonth.get(month)?.invoicedCents ?? 0, receivedCents: byMonth.get(month)?.receivedCents ?? 0 }));
  // Overdue = everything owed minus what falls due from today on (and what has no due date):
  // the past-due rows, however many, are never read.
  const notYetDue = upcoming.reduce((s, r) => ({ cents: s.cents + r.cents, invoices: s.invoices + r.invoices }), { cents: 0, invoices: 0 });
  const dueWithin = (days: number) => {
    const until = addDays(today, days);
    return upcoming.filter((r) => r.dueDate <= until).reduce((s, r) => s + r.cents, 0);
  };
  return {
    today,
    months: figures,
    invoiced12Cents: figures.reduce((s, m) => s + m.invoicedCents, 0),
    received12Cents: figures.reduce((s, m) => s + m.receivedCents, 0),
    outstandingCents: total?.cents ?? 0,
    openInvoices: total?.invoices ?? 0,
    overdueCents: (total?.cents ?? 0) - notYetDue.cents,
    overdueInvoices: (total?.invoices ?? 0) - notYetDue.invoices,
    expected: { d30: dueWithin(30), d60: dueWithin(60), d90: dueWithin(90) },
    topClients: top,
  };
}
