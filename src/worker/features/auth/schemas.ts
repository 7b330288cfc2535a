import * as z from "zod";
import { emailField, requiredText } from "../../http/validate";
import { TURNSTILE_FIELD } from "../../lib/turnstile";

export const passwordField = z
  .string()
  .min(10, "err.password.short")
  .max(256, "err.password.long")
  .refine((p) => new Set(p).size > 3, "err.password.weak");

export const SignUpInput = z.object({
  name: requiredText(120),
  email: emailField,
  password: passwordField,
  companyName: requiredText(200),
  // The box "J'accepte les conditions d'utilisation…" (form: "on"; API: true). Required: the
  // acceptance is recorded with the terms' version (users.terms_version, terms_accepted_at).
  acceptTerms: z.preprocess((v) => v === true || v === "on" || v === "true", z.literal(true, { error: "err.terms.accept" })),
});
export type SignUpInput = z.infer<typeof SignUpInput>;

export const LogInInput = z.object({
  email: emailField,
  // No policy on login: an old password that predates the policy must still work.
  password: z.string().min(1, "form.required").max(256, "err.password.long"),
  /** The Turnstile widget's token, needed after CAPTCHA_AFTER failures for the email (same name in forms and JSON). */
  [TURNSTILE_FIELD]: z.string().max(4096).optional(),
});

export const TotpLoginInput = z.object({
  challenge: z.string().min(1).max(2000),
  code: z.string().trim().min(6, "err.totp").max(20, "err.totp"),
});

export const EmailOnlyInput = z.object({ email: emailField });

/** A form that carries only an emailed link's token (the email-change undo). */
export const TokenInput = z.object({ token: z.string().min(1).max(2000) });

export const ResetPasswordInput = z
  .object({ token: z.string().min(1).max(2000), password: passwordField, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: "err.password.mismatch", path: ["confirm"] });

export const ChangePasswordInput = z
  .object({ current: z.string().min(1, "form.required").max(256), password: passwordField, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: "err.password.mismatch", path: ["confirm"] });

export const ChangeEmailInput = z.object({ email: emailField, current: z.string().min(1, "form.required").max(256) });

export const TotpConfirmInput = z.object({ code: z.string().trim().regex(/^\d{6}$/, "err.totp") });
export const TotpDisableInput = z.object({ current: z.string().min(1, "form.required").max(256) });
