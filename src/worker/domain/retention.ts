import { plural as pluralOf } from "../ui/i18n";
/**
 * Retention classes (privacy policy §6, §10): the ONE table the retention job enforces and the
 * privacy page displays, so the promise and the behaviour cannot drift. Pure: no I/O, the clock is
 * always passed in. Durations are calendar durations in UTC (12 months back from 31 March is 31 March
 * of the year before; from 29 February it is 28 February).
 */

export interface CalendarDuration {
  months?: number;
  days?: number;
}

/** What a retention period counts from. */
export type RetentionStart =
  | "event"
  | "last_activity"
  | "issue"
  | "transaction"
  | "expiry"
  | "choice"
  | "contract_end"
  | "creation"
  | "answer"
  | "issue_after_closure";

export interface RetentionClass {
  /** Null: kept as long as the start event lasts (e.g. the contract). */
  duration: CalendarDuration | null;
  start: RetentionStart;
  /**
   * Who enforces it: the retention job (`job`), the code path that creates the data (`expiry`: a
   * cookie max-age or a token's TTL), or nobody yet (`pending`, named in the report).
   */
  enforcedBy: "job" | "expiry" | "pending";
}

export const RETENTION_CLASSES = {
  /** §6 "Données de compte actif": during the contract. */
  active_account: { duration: null, start: "contract_end", enforcedBy: "job" },
  /** §6 "Données de compte inactif": 3 years after the last activity, warned 30 days before. */
  inactive_account: { duration: { months: 36 }, start: "last_activity", enforcedBy: "job" },
  /** §6 "Données de facturation": issued invoices, credit notes and their PDF/XML, 10 years. */
  billing_records: { duration: { months: 120 }, start: "issue", enforcedBy: "job" },
  /** §6 "Données de paiement": payment details beyond the accounting entry, 13 months. */
  payment_details: { duration: { months: 13 }, start: "transaction", enforcedBy: "job" },
  /** §6 "Logs de connexion": 12 months maximum. */
  connection_logs: { duration: { months: 12 }, start: "event", enforcedBy: "job" },
  /** Sessions: deleted once expired. */
  sessions: { duration: { days: 0 }, start: "expiry", enforcedBy: "job" },
  /** One-time links (verification, reset): deleted once expired, or a day after use. */
  one_time_tokens: { duration: { days: 0 }, start: "expiry", enforcedBy: "job" },
  /** §9.5 exports: the link is valid 7 days, then the archive is deleted. */
  data_exports: { duration: { days: 7 }, start: "creation", enforcedBy: "job" },
  /** §10 cookie choice: kept 6 months, then asked again. */
  cookie_choice: { duration: { months: 6 }, start: "choice", enforcedBy: "expiry" },
  /**
   * §9.8 rights requests (the operator's record of each request and its answer): kept 3 years after
   * the answer, the CNIL's recommendation for keeping proof that a rights request was handled. Not
   * in the published policy text (/work/shared/seed): a product addition, listed on the page.
   */
  rights_requests: { duration: { months: 36 }, start: "answer", enforcedBy: "job" },
  /**
   * Issued quotes of a closed account (no billing record: LEGAL.md §5's 10 years do not apply). A
   * signed quote is a contract (LEGAL.md §6), so it is kept as evidence while a claim on it can
   * still be brought: 5 years after issue, the commercial prescription (Code de commerce L110-4).
   * While the account is open they are business data kept during the contract (policy §6); a quote
   * an invoice still names (source_quote_id) stays as long as that invoice. Product addition.
   */
  issued_quotes: { duration: { months: 60 }, start: "issue_after_closure", enforcedBy: "job" },
  /**
   * Received supplier invoices (Achats) with their file as received, their lifecycle statuses, and
   * the e-reporting files sent: accounting documents, kept 10 years like issued ones (Code de
   * commerce L123-22), also after closure; counted from the invoice date (the report's period end).
   */
  purchase_records: { duration: { months: 120 }, start: "issue", enforcedBy: "job" },
} as const satisfies Record<string, RetentionClass>;

export type RetentionClassId = keyof typeof RETENTION_CLASSES;
export const RETENTION_CLASS_IDS = Object.keys(RETENTION_CLASSES) as RetentionClassId[];

/** Inactive accounts are warned by email this long before their personal data is erased. */
export const INACTIVITY_WARNING: CalendarDuration = { days: 30 };

/** A used one-time token is kept this long (to explain "link already used"), then deleted. */
export const USED_TOKEN_GRACE: CalendarDuration = { days: 1 };

const DAY_MS = 24 * 3600 * 1000;

/** `t` moved by `sign` × duration, months first (clamped to the month's last day), then days. */
export function shift(t: number, d: CalendarDuration, sign: 1 | -1): number {
  const date = new Date(t);
  const months = (d.months ?? 0) * sign;
  if (months !== 0) {
    const day = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    date.setUTCDate(Math.min(day, lastDay));
  }
  return date.getTime() + (d.days ?? 0) * sign * DAY_MS;
}

export const addDuration = (t: number, d: CalendarDuration) => shift(t, d, 1);
export const subtractDuration = (t: number, d: CalendarDuration) => shift(t, d, -1);

/**
 * The instant before which data of a class is due for deletion at `now`: a row whose start
 * (event, issue, last activity…) is strictly earlier than this has outlived its retention.
 */
export function retentionCutoff(id: RetentionClassId, now: number): number {
  const duration: CalendarDuration | null = RETENTION_CLASSES[id].duration;
  if (!duration) throw new Error(`retention class ${id} has no fixed duration`);
  return subtractDuration(now, duration);
}

/** Accounts whose last activity is earlier than this are warned now (30 days before erasure). */
export function inactivityWarningCutoff(now: number): number {
  return addDuration(retentionCutoff("inactive_account", now), INACTIVITY_WARNING);
}

/** When an account last active at `lastActivityAt` will have its personal data erased. */
export function inactiveErasureAt(lastActivityAt: number): number {
  return addDuration(lastActivityAt, RETENTION_CLASSES.inactive_account.duration);
}

/**
 * A duration in words: "12 mois", "3 ans", "10 years", "7 jours". Two years or more in whole years
 * read as years; 12 months stay "12 mois", as the published policy words it.
 */
export function describeDuration(d: CalendarDuration, locale: "fr" | "en"): string {
  const parts: string[] = [];
  const months = d.months ?? 0;
  const days = d.days ?? 0;
  const plural = (n: number, fr: [string, string], en: [string, string]) => {
    const [one, other] = locale === "fr" ? fr : en;
    return `${n} ${pluralOf(locale, n, { one, other })}`;
  };
  if (months >= 24 && months % 12 === 0) parts.push(plural(months / 12, ["an", "ans"], ["year", "years"]));
  else if (months > 0) parts.push(plural(months, ["mois", "mois"], ["month", "months"]));
  if (days > 0) parts.push(plural(days, ["jour", "jours"], ["day", "days"]));
  return parts.join(locale === "fr" ? " et " : " and ");
}
