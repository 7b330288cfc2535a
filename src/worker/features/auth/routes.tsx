import { Hono } from "hono";
import { directoryCtx } from "../../context";
import type { AppEnv } from "../../env";
import { handleForm, safeNext } from "../../http/forms";
import { clientIp, closeSession, openSession, requireAuth, authOf } from "../../http/session";
import { jsonBody } from "../../http/validate";
import { render } from "../../ui/render";
import { pageContext } from "../../ui/page-context";
import { ForgotPage, LogInPage, ResetPage, SignUpPage, TotpPage, UndoEmailChangePage } from "./pages";
import { EmailOnlyInput, LogInInput, ResetPasswordInput, SignUpInput, TokenInput, TotpLoginInput } from "./schemas";
import {
  completeTotpLogin,
  confirmEmailChange,
  logIn,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  signUp,
  undoEmailChange,
  verifyEmail,
} from "./verbs";
import { tokenUsable } from "./tokens";

const meta = (c: Parameters<typeof clientIp>[0]) => ({ ip: clientIp(c), userAgent: c.req.header("user-agent") ?? null });

/** Sign-up, login (with 2FA), logout, email verification and password reset: pages and API. */
export const authPages = new Hono<AppEnv>()
  .get("/inscription", (c) => (c.var.auth ? c.redirect("/tableau-de-bord", 303) : render(c, <SignUpPage ctx={pageContext(c)} />)))
  .post("/inscription", (c) =>
    handleForm(
      c,
      SignUpInput,
      async (input) => {
        // The same answer whether the email was new or taken (signUp): no session, the new user signs in.
        await signUp(directoryCtx(c), input);
        return c.redirect("/connexion?ok=signup", 303);
      },
      (values, errors, status) => render(c, <SignUpPage ctx={pageContext(c)} values={values} errors={errors} />, status),
    ),
  )
  .get("/connexion", (c) => {
    if (c.var.auth) return c.redirect("/tableau-de-bord", 303);
    const flashKey = c.req.query("ok");
    const flash =
      flashKey === "reset"
        ? { kind: "success" as const, text: c.var.t("auth.reset.done") }
        : flashKey === "signup"
          ? { kind: "success" as const, text: c.var.t("auth.signup.sent") }
          : null;
    return render(c, <LogInPage ctx={pageContext(c)} next={c.req.query("next")} flash={flash} />);
  })
  .post("/connexion", (c) =>
    handleForm(
      c,
      LogInInput,
      async (input, values) => {
        const result = await logIn(directoryCtx(c), input, meta(c));
        if (result.kind === "totp_required") {
          return render(c, <TotpPage ctx={pageContext(c)} challenge={result.challenge} next={values.next} />);
        }
        await openSession(c, result.userId, result.accountId);
        return c.redirect(safeNext(values.next), 303);
      },
      (values, errors, status) =>
        render(
          c,
          <LogInPage ctx={pageContext(c)} values={{ email: values.email ?? "" }} errors={errors} next={values.next} captchaSiteKey={c.var.config.TURNSTILE_SITE_KEY} />,
          status,
        ),
    ),
  )
  .post("/connexion/2fa", (c) =>
    handleForm(
      c,
      TotpLoginInput,
      async (input, values) => {
        const { userId, accountId } = await completeTotpLogin(directoryCtx(c), input, meta(c));
        await openSession(c, userId, accountId);
        return c.redirect(safeNext(values.next), 303);
      },
      (values, errors, status) =>
        render(c, <TotpPage ctx={pageContext(c)} challenge={values.challenge ?? ""} errors={errors} next={values.next} />, status),
    ),
  )
  .post("/deconnexion", async (c) => {
    await closeSession(c);
    return c.redirect("/connexion", 303);
  })
  .get("/verification", async (c) => {
    await verifyEmail(directoryCtx(c), c.req.query("token") ?? "");
    return c.redirect(c.var.auth ? "/tableau-de-bord?ok=verified" : "/connexion?ok=verified", 303);
  })
  .post("/verification/renvoyer", requireAuth, async (c) => {
    await resendVerification(directoryCtx(c), authOf(c).user.id);
    return c.redirect("/tableau-de-bord?ok=resent", 303);
  })
  .get("/email/confirmer", async (c) => {
    await confirmEmailChange(directoryCtx(c), c.req.query("token") ?? "");
    return c.redirect(c.var.auth ? "/parametres/securite?ok=email" : "/connexion", 303);
  })
  .get("/email/annuler", async (c) => {
    const token = c.req.query("token") ?? "";
    return render(c, <UndoEmailChangePage ctx={pageContext(c)} token={token} usable={await tokenUsable(directoryCtx(c), "undo_email_change", token)} />);
  })
  .post("/email/annuler", (c) =>
    handleForm(
      c,
      TokenInput,
      async (input) => {
        const { resetToken } = await undoEmailChange(directoryCtx(c), input.token);
        // The sessions are gone, this one included; the clicker chooses the new password.
        await closeSession(c);
        return c.redirect(`/mot-de-passe/nouveau?token=${encodeURIComponent(resetToken)}&ok=undone`, 303);
      },
      (values, errors, status) =>
        render(c, <UndoEmailChangePage ctx={pageContext(c)} token={values.token ?? ""} usable={false} errors={{ _form: errors._form ?? errors.token ?? c.var.t("err.token") }} />, status),
    ),
  )
  .get("/mot-de-passe/oublie", (c) =>
    render(c, <ForgotPage ctx={pageContext(c)} flash={c.req.query("ok") === "sent" ? { kind: "success", text: c.var.t("auth.forgot.sent") } : null} />),
  )
  .post("/mot-de-passe/oublie", (c) =>
    handleForm(
      c,
      EmailOnlyInput,
      async (input) => {
        await requestPasswordReset(directoryCtx(c), input.email, meta(c));
        // Post/Redirect/Get; the same answer whether or not the address has an account.
        return c.redirect("/mot-de-passe/oublie?ok=sent", 303);
      },
      (values, errors, status) => render(c, <ForgotPage ctx={pageContext(c)} values={values} errors={errors} />, status),
    ),
  )
  .get("/mot-de-passe/nouveau", (c) => {
    const flash = c.req.query("ok") === "undone" ? { kind: "success" as const, text: c.var.t("auth.undo.done") } : null;
    return render(c, <ResetPage ctx={pageContext(c)} token={c.req.query("token") ?? ""} flash={flash} />);
  })
  .post("/mot-de-passe/nouveau", (c) =>
    handleForm(
      c,
      ResetPasswordInput,
      async (input) => {
        await resetPassword(directoryCtx(c), input);
        return c.redirect("/connexion?ok=reset", 303);
      },
      (values, errors, status) => render(c, <ResetPage ctx={pageContext(c)} token={values.token ?? ""} errors={errors} />, status),
    ),
  );

/** JSON API for the same verbs (cookie session; CSRF header required on writes). */
export const authApi = new Hono<AppEnv>()
  .post("/signup", async (c) => {
    const input = await jsonBody(c, SignUpInput);
    // 202 and the same body whether the email was new or taken (no account enumeration); then log in.
    await signUp(directoryCtx(c), input);
    return c.json({ status: "verification_sent", message: c.var.t("auth.signup.sent") }, 202);
  })
  .post("/login", async (c) => {
    const input = await jsonBody(c, LogInInput);
    const result = await logIn(directoryCtx(c), input, meta(c));
    if (result.kind === "totp_required") return c.json({ totpRequired: true, challenge: result.challenge });
    await openSession(c, result.userId, result.accountId);
    return c.json({ user: { id: result.userId }, account: { id: result.accountId } });
  })
  .post("/login/totp", async (c) => {
    const input = await jsonBody(c, TotpLoginInput);
    const { userId, accountId } = await completeTotpLogin(directoryCtx(c), input, meta(c));
    await openSession(c, userId, accountId);
    return c.json({ user: { id: userId }, account: { id: accountId } });
  })
  .post("/logout", async (c) => {
    await closeSession(c);
    return c.body(null, 204);
  })
  .post("/password/forgot", async (c) => {
    const input = await jsonBody(c, EmailOnlyInput);
    await requestPasswordReset(directoryCtx(c), input.email, meta(c));
    return c.body(null, 202);
  })
  .post("/password/reset", async (c) => {
    const input = await jsonBody(c, ResetPasswordInput);
    await resetPassword(directoryCtx(c), input);
    return c.body(null, 204);
  });
