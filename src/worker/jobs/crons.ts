import { loadConfig } from "../config";
import type { Bindings } from "../env";
import { runPaNetwork } from "../features/einvoicing/jobs";
import { housekeeping } from "./housekeeping";
import { reconcileIssues } from "./reconcile-issues";
import { runReminders } from "./reminders";
import { runRetention } from "./retention";
import { runEreportingReminders } from "./ereporting-reminders";
import { runUrssafReminders } from "./urssaf-reminders";

type Job = (env: Bindings, now: number) => Promise<Record<string, number>>;

/** The books' deadline reminders, URSSAF then e-reporting, in one daily run (each idempotent). */
async function deadlineReminders(env: Bindings, now: number): Promise<Record<string, number>> {
  const urssaf = await runUrssafReminders(env, now);
  const ereporting = await runEreportingReminders(env, now);
  return { ...Object.fromEntries(Object.entries(urssaf).map(([k, v]) => [`urssaf_${k}`, v])), ...Object.fromEntries(Object.entries(ereporting).map(([k, v]) => [`ereporting_${k}`, v])) };
}

/**
 * Every cron of the Worker, listed once. wrangler.toml's [triggers] must list exactly these
 * expressions (a test checks both ways); `scheduled` dispatches on the expression.
 */
export const CRONS = {
  /** Daily at 03:17 UTC: expired sessions and one-time tokens. */
  "17 3 * * *": { name: "housekeeping", run: housekeeping },
  /** Every 10 minutes: finish issues whose number was allocated but whose D1 write never landed. */
  "*/10 * * * *": { name: "issue-reconciler", run: reconcileIssues },
  /** Daily at 02:41 UTC: the retention periods of the privacy policy (§6), domain/retention.ts. */
  "41 2 * * *": { name: "retention", run: runRetention },
  /** Daily at 07:07 UTC (8–9 h in Paris): payment reminders due today, features/reminders. */
  "7 7 * * *": { name: "reminders", run: runReminders },
  /** Daily at 06:23 UTC: URSSAF declaration and e-reporting deadline reminders, 7 days before each deadline. */
  "23 6 * * *": { name: "deadline-reminders", run: deadlineReminders },
  /** Every 5 minutes: the e-invoicing network — queued flows sent with backoff, statuses polled. */
  "*/5 * * * *": { name: "pa-network", run: runPaNetwork },
} as const satisfies Record<string, { name: string; run: Job }>;

export type CronExpression = keyof typeof CRONS;

export function isKnownCron(cron: string): cron is CronExpression {
  return Object.hasOwn(CRONS, cron);
}

/** Runs the job bound to a cron expression and logs a structured summary. */
export async function runScheduled(cron: string, env: Bindings, now: number): Promise<Record<string, number>> {
  loadConfig(env);
  if (!isKnownCron(cron)) {
    console.error(JSON.stringify({ level: "error", event: "unknown_cron", cron }));
    throw new Error(`No job for cron "${cron}"`);
  }
  const job = CRONS[cron];
  const summary = await job.run(env, now);
  console.log(JSON.stringify({ level: "info", event: "cron_done", job: job.name, ...summary }));
  return summary;
}
