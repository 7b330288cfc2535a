import type { VerbCtx } from "../../context";
import { AppError } from "../../http/errors";

/** The 409 every attempt to change an issued document gets: it explains the credit-note way. */
export function immutableError(ctx: VerbCtx, number: string | null): AppError {
  return new AppError("conflict", ctx.t("documents.err.immutable", { number: number ?? "" }));
}

export function notFoundError(ctx: VerbCtx): AppError {
  return new AppError("not_found", ctx.t("err.not_found"));
}
