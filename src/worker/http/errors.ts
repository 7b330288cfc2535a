import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import type { Locale } from "../ui/i18n";
import { renderErrorPage } from "../ui/error-page";

/** The one list of error codes the API answers with, and their HTTP status. */
export const ERROR_STATUS = {
  invalid: 400,
  /** A new password that is common or appears in a known breach (lib/pwned-passwords.ts). */
  password_compromised: 400,
  unauthorized: 401,
  /** A sign-in after repeated failures for its email needs a Turnstile token (features/auth/verbs.ts). */
  captcha_required: 401,
  forbidden: 403,
  /** The account's email is not verified yet: no email goes to third parties (features/sending/gate.ts). */
  email_unverified: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  /** A resource that existed and is gone for good (an expired export link, a purged archive). */
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** A new account's daily sending quota is used up (features/sending/gate.ts). */
  send_quota_exceeded: 429,
  internal: 500,
  misconfigured: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Field name → human message (French or English, already translated). */
export type FieldErrors = Record<string, string>;

/** The one error class of the app: a stable code, a message for people, optional field errors. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldErrors; requestId: string };
}

/** The generic code of a status: the first listed for it (`forbidden`, not `email_unverified`). */
const STATUS_CODE: Partial<Record<number, ErrorCode>> = Object.fromEntries(
  Object.entries(ERROR_STATUS)
    .reverse()
    .map(([code, status]) => [status, code as ErrorCode]),
);

function fromUnknown(err: unknown, locale: Locale): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const code = STATUS_CODE[err.status] ?? (err.status >= 500 ? "internal" : "invalid");
    return new AppError(code, err.message || defaultMessage(code, locale));
  }
  return new AppError("internal", defaultMessage("internal", locale));
}

// In the reader's language: an English page never says "Page introuvable" (issue #13).
const DEFAULT_MESSAGES: Record<Locale, Partial<Record<ErrorCode, string>> & { other: string }> = {
  fr: {
    not_found: "Page introuvable.",
    payload_too_large: "La requête est trop volumineuse.",
    unauthorized: "Connexion requise.",
    forbidden: "Accès refusé.",
    gone: "Cette ressource n'existe plus : elle a expiré ou a été supprimée.",
    other: "Une erreur inattendue est survenue. Réessayez dans un instant.",
  },
  en: {
    not_found: "Page not found.",
    payload_too_large: "The request is too large.",
    unauthorized: "Please sign in.",
    forbidden: "Access denied.",
    gone: "This resource no longer exists: it has expired or been deleted.",
    other: "Something went wrong. Please try again in a moment.",
  },
};

function defaultMessage(code: ErrorCode, locale: Locale): string {
  const messages = DEFAULT_MESSAGES[locale] ?? DEFAULT_MESSAGES.fr;
  return messages[code] ?? messages.other;
}

/** True when the client wants JSON: API paths, or an explicit Accept without text/html. */
export function wantsJson(c: Context): boolean {
  if (c.req.path.startsWith("/api/") || c.req.path.startsWith("/webhooks/")) return true;
  const accept = c.req.header("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** Maps any thrown value to the house error shape (API) or a friendly page (HTML). */
export function handleError(err: unknown, c: Context<AppEnv>): Response {
  const appErr = fromUnknown(err, c.var.locale ?? "fr");
  const requestId = c.get("requestId") ?? "unknown";
  if (appErr.status >= 500) {
    // Structured log: ids only, never bodies, secrets or personal data.
    console.error(
      JSON.stringify({
        level: "error",
        event: "request_failed",
        requestId,
        code: appErr.code,
        // The route pattern, not the path: paths can carry tokens (/p/:token, /desabonnement/:token).
        route: c.req.routePath,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      }),
    );
  }
  for (const [k, v] of Object.entries(appErr.headers ?? {})) c.header(k, v);
  if (wantsJson(c)) {
    const body: ErrorBody = {
      error: { code: appErr.code, message: appErr.message, ...(appErr.fields ? { fields: appErr.fields } : {}), requestId },
    };
    return c.json(body, appErr.status);
  }
  return c.html(renderErrorPage(c, appErr.status, appErr.message), appErr.status);
}

export function notFound(c: Context<AppEnv>): Response {
  return handleError(new AppError("not_found", defaultMessage("not_found", c.var.locale ?? "fr")), c);
}
