/**
 * When a document may be dated (LEGAL.md §3, numbering in chronological order): never after today
 * (an invoice is dated the day it is issued, or earlier when it is issued late), never in a
 * calendar year before the current one (that year's series is closed: its books are done), and never
 * before the last issue date of its series. The numbering object re-checks the last rule under its
 * lock; this module is what the API, the forms and that object agree on.
 */

export type IssueDateRefusal =
  | { code: "issue_date_future"; today: string }
  | { code: "issue_date_past_year"; firstDay: string }
  | { code: "issue_date_before_last"; lastIssueDate: string };

/** The window of dates a document may be issued with today: [min, max], both ISO dates. */
export function issueDateWindow(today: string, lastIssueDate: string | null): { min: string; max: string } {
  const firstDay = `${today.slice(0, 4)}-01-01`;
  const min = lastIssueDate && lastIssueDate > firstDay ? lastIssueDate : firstDay;
  return { min, max: today };
}

/**
 * Why `date` cannot be an issue date today, or null when it can. `lastIssueDate` is the last issue
 * date of the series the document would join (its type, in the current year). ISO dates compare as
 * strings.
 */
export function issueDateRefusal(date: string, today: string, lastIssueDate: string | null): IssueDateRefusal | null {
  if (date > today) return { code: "issue_date_future", today };
  const firstDay = `${today.slice(0, 4)}-01-01`;
  if (date < firstDay) return { code: "issue_date_past_year", firstDay };
  if (lastIssueDate && date < lastIssueDate) return { code: "issue_date_before_last", lastIssueDate };
  return null;
}
