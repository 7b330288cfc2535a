import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { issueDateRefusal, issueDateWindow } from "./issue-date";
import { addDays } from "./mentions";

const day = fc.integer({ min: 0, max: 365 * 60 }).map((n) => addDays("2000-01-01", n));

describe("issue date rule", () => {
  it("refuses F-2020-0001 and F-2027-0001 in December 2026 (issue #14)", () => {
    expect(issueDateRefusal("2020-03-01", "2026-12-07", null)).toEqual({ code: "issue_date_past_year", firstDay: "2026-01-01" });
    expect(issueDateRefusal("2027-01-02", "2026-12-07", null)).toEqual({ code: "issue_date_future", today: "2026-12-07" });
    expect(issueDateRefusal("2026-12-07", "2026-12-07", "2026-12-07")).toBeNull();
    expect(issueDateRefusal("2026-12-06", "2026-12-07", "2026-12-07")).toEqual({ code: "issue_date_before_last", lastIssueDate: "2026-12-07" });
  });

  it("accepts a date exactly when it lies in the window it publishes", () => {
    fc.assert(
      fc.property(day, day, fc.option(day), (date, today, last) => {
        const { min, max } = issueDateWindow(today, last);
        const inWindow = date >= min && date <= max;
        expect(issueDateRefusal(date, today, last) === null).toBe(inWindow);
      }),
      { numRuns: 2000 },
    );
  });

  it("always accepts today when the series' last date is not later, and never a date of another year", () => {
    fc.assert(
      fc.property(day, fc.option(day), (today, last) => {
        if (!last || last <= today) expect(issueDateRefusal(today, today, last)).toBeNull();
        expect(issueDateRefusal(addDays(`${today.slice(0, 4)}-01-01`, -1), today, last)?.code).toBe("issue_date_past_year");
        expect(issueDateRefusal(addDays(today, 1), today, last)?.code).toBe("issue_date_future");
      }),
    );
  });

  it("names the rule broken first: the future, then a past year, then the series order", () => {
    fc.assert(
      fc.property(day, day, fc.option(day), (date, today, last) => {
        const r = issueDateRefusal(date, today, last);
        if (date > today) expect(r?.code).toBe("issue_date_future");
        else if (date.slice(0, 4) < today.slice(0, 4)) expect(r?.code).toBe("issue_date_past_year");
        else if (last && date < last) expect(r).toEqual({ code: "issue_date_before_last", lastIssueDate: last });
        else expect(r).toBeNull();
      }),
    );
  });
});
