import type { VerbCtx } from "../../context";
import { formatDate } from "../../domain/format";
import type { IssueDateRefusal } from "../../domain/issue-date";
import { regimeRefusal } from "../../domain/vat";
import { AppError } from "../../http/errors";

/** The 409 every attempt to change an issued document gets: it explains the credit-note way. */
export function immutableError(ctx: VerbCtx, number: string | null): AppError {
  return new AppError("conflict", ctx.t("documents.err.immutable", { number: number ?? "" }));
}

export function notFoundError(ctx: VerbCtx): AppError {
  return new AppError("not_found", ctx.t("err.not_found"));
}

/** A refused issue date, as the API and the forms show it: the field and the rule, in words. */
export function issueDateError(ctx: VerbCtx, refusal: IssueDateRefusal): AppError {
  const date = (iso: string) => formatDate(iso, ctx.locale);
  const message =
    refusal.code === "issue_date_future"
      ? ctx.t("documents.err.dateFuture", { date: date(refusal.today) })
      : refusal.code === "issue_date_past_year"
        ? ctx.t("documents.err.datePastYear", { date: date(refusal.firstDay) })
        : ctx.t("documents.err.dateOrder", { date: date(refusal.lastIssueDate) });
  return new AppError(refusal.code === "issue_date_before_last" ? "conflict" : "invalid", message, { issueDate: message });
}


/** The lines that do not fit the seller's VAT regime (domain/vat.ts regimeRefusal), as field errors. */
export function regimeErrors(ctx: VerbCtx, regime: "franchise" | "vat", lines: ReadonlyArray<{ vatRateBp: number; exemptionCode?: string | null }>): AppError | null {
  const fields: Record<string, string> = {};
  lines.forEach((l, i) => {
    const r = regimeRefusal(regime, l);
    if (r) fields[`lines.${i}.vatCategory`] = ctx.t(r === "franchise_charges_vat" ? "documents.err.franchiseVat" : "documents.err.vatFranchise");
  });
  const first = Object.values(fields)[0];
  return first ? new AppError("invalid", first, fields) : null;
}
