import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { accountCtx, directoryCtx } from "../../context";
import { memberships, users } from "../../db/schema";
import type { AppEnv } from "../../env";
import { writeCookie, LANG_COOKIE } from "../../http/cookies";
import { AppError } from "../../http/errors";
import { putFlash, takeFlash } from "../../http/flash";
import { handleForm, safeNext } from "../../http/forms";
import { authOf, requireAuth } from "../../http/session";
import { formFields, jsonBody, orThrow, validate } from "../../http/validate";
import { qrSvg } from "../../lib/qr";
import { translator } from "../../ui/i18n";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { ChangeEmailInput, ChangePasswordInput, TotpConfirmInput, TotpDisableInput } from "../auth/schemas";
import { changePassword, requestEmailChange } from "../auth/verbs";
import { listAccessLog } from "../privacy/access-log";
import { ACCESS_LOG_PATH, AccessLogPage } from "../privacy/access-log-page";
import { PreferencesPage, SecurityPage, type SecurityPageProps } from "./pages";
import {
  beginTotp,
  confirmTotp,
  disableTotp,
  listSessions,
  pendingTotp,
  recentConnections,
  revokeOtherSessions,
  revokeSession,
  setLocale,
  totpEnabledAt,
} from "./verbs";

const LocaleInput = z.object({ locale: z.enum(["fr", "en"]), next: z.string().max(300).optional() });

const OK_MESSAGES = {
  password: "security.password.done",
  email: "auth.email.changed",
  "email-sent": "security.email.sent",
  revoked: "security.sessions.revoked",
  "totp-off": "security.totp.disabled",
  "totp-on": "security.totp.enabledNow",
  saved: "form.saved",
} as const;

type SecurityExtras = Omit<SecurityPageProps, "ctx" | "sessions" | "connections" | "totpEnabledAt">;

async function securityPage(c: Parameters<typeof pageContext>[0], extras: SecurityExtras = {}, status: 200 | 400 | 401 | 409 | 429 = 200) {
  const ctx = directoryCtx(c);
  const auth = authOf(c);
  const [sessions, connections, enabledAt, pending, codes] = await Promise.all([
    listSessions(ctx, auth.user.id),
    recentConnections(ctx, auth.user.id),
    totpEnabledAt(ctx, auth.user.id),
    // After "Activer" redirects here: the enrolment waiting for its first code (Post/Redirect/Get).
    extras.enrolment === undefined ? pendingTotp(ctx, auth.user.id, auth.user.email) : Promise.resolve(null),
    // After the confirmation redirects here: the recovery codes, handed over once.
    takeFlash<string[]>(c, "recovery-codes"),
  ]);
  const ok = c.req.query("ok") as keyof typeof OK_MESSAGES | undefined;
  const flash = extras.flash ?? (ok && OK_MESSAGES[ok] ? { kind: "success" as const, text: c.var.t(OK_MESSAGES[ok]) } : null);
  return render(
    c,
    <SecurityPage
      ctx={pageContext(c)}
      sessions={sessions}
      connections={connections}
      totpEnabledAt={enabledAt}
      {...(pending ? { enrolment: { secret: pending.secret, qr: qrSvg(pending.uri) } } : {})}
      {...(codes ? { recoveryCodes: codes } : {})}
      {...extras}
      flash={flash}
    />,
    status,
  );
}

/** Names of the account's members, for the access log's "by" column (a handful of rows). */
async function accountMembers(c: Parameters<typeof pageContext>[0]): Promise<Map<string, string>> {
  const ctx = directoryCtx(c);
  const rows = await ctx.db
    .select({ id: users.id, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, authOf(c).account.id))
    .all();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Paramètres → Sécurité and Préférences; the language switch works signed in or not. */
export const settingsPages = new Hono<AppEnv>()
  .post("/preferences/langue", async (c) => {
    const parsed = validate(LocaleInput, await formFields(c), c.var.locale, c.var.t);
    const { locale, next } = orThrow(c, parsed);
    // An explicit interface choice: a strictly necessary cookie (CNIL), kept one year.
    writeCookie(c, LANG_COOKIE, locale, 365 * 24 * 3600);
    if (c.var.auth) await setLocale(directoryCtx(c), c.var.auth.user.id, locale);
    c.set("t", translator(locale));
    return c.redirect(safeNext(next, "/"), 303);
  })
  .use("/parametres/*", requireAuth)
  .get("/parametres", (c) => c.redirect("/parametres/entreprise", 303))
  .get("/parametres/preferences", (c) =>
    render(c, <PreferencesPage ctx={pageContext(c)} flash={c.req.query("ok") ? { kind: "success", text: c.var.t("form.saved") } : null} />),
  )
  .get("/parametres/securite", (c) => securityPage(c))
  .get(ACCESS_LOG_PATH, async (c) => {
    const ctx = accountCtx(c);
    const [page, members] = await Promise.all([listAccessLog(ctx, c.req.query("cursor")?.slice(0, 200) || undefined), accountMembers(c)]);
    return render(c, <AccessLogPage ctx={pageContext(c)} page={page} users={members} />);
  })
  .post("/parametres/securite/mot-de-passe", (c) =>
    handleForm(
      c,
      ChangePasswordInput,
      async (input) => {
        const auth = authOf(c);
        await changePassword(directoryCtx(c), auth.user.id, auth.sessionIdHash, input);
        return c.redirect("/parametres/securite?ok=password", 303);
      },
      (_values, errors, status) => securityPage(c, { form: "password", errors }, 400),
    ),
  )
  .post("/parametres/securite/email", (c) =>
    handleForm(
      c,
      ChangeEmailInput,
      async (input) => {
        await requestEmailChange(directoryCtx(c), authOf(c).user.id, input);
        return c.redirect("/parametres/securite?ok=email-sent", 303);
      },
      (values, errors) => securityPage(c, { form: "email", errors, values }, 400),
    ),
  )
  .post("/parametres/securite/sessions/fermer", async (c) => {
    const { id } = orThrow(c, validate(z.object({ id: z.string().regex(/^[0-9a-f]{64}$/) }), await formFields(c), c.var.locale, c.var.t));
    await revokeSession(directoryCtx(c), authOf(c).user.id, id);
    return c.redirect("/parametres/securite?ok=revoked", 303);
  })
  .post("/parametres/securite/sessions/fermer-autres", async (c) => {
    const auth = authOf(c);
    await revokeOtherSessions(directoryCtx(c), auth.user.id, auth.sessionIdHash);
    return c.redirect("/parametres/securite?ok=revoked", 303);
  })
  .post("/parametres/securite/2fa", async (c) => {
    const auth = authOf(c);
    await beginTotp(directoryCtx(c), auth.user.id, auth.user.email);
    // The security page shows the pending enrolment (QR code and secret) for as long as it waits.
    return c.redirect("/parametres/securite#totp-h", 303);
  })
  .post("/parametres/securite/2fa/confirmer", async (c) => {
    const auth = authOf(c);
    const ctx = directoryCtx(c);
    const parsed = validate(TotpConfirmInput, await formFields(c), c.var.locale, c.var.t);
    try {
      if (!parsed.ok) throw new AppError("invalid", c.var.t("err.totp"), parsed.fields);
      const codes = await confirmTotp(ctx, auth.user.id, parsed.data.code);
      // Shown once, on the page this redirects to: a reload neither posts the code again nor loses them.
      await putFlash(c, "recovery-codes", "/parametres/securite", codes);
      return c.redirect("/parametres/securite?ok=totp-on#totp-h", 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const pending = await pendingTotp(ctx, auth.user.id, auth.user.email);
      return securityPage(
        c,
        { form: "totp", errors: err.fields ?? { code: err.message }, enrolment: pending ? { secret: pending.secret, qr: qrSvg(pending.uri) } : null },
        400,
      );
    }
  })
  .post("/parametres/securite/2fa/desactiver", (c) =>
    handleForm(
      c,
      TotpDisableInput,
      async (input) => {
        await disableTotp(directoryCtx(c), authOf(c).user.id, input.current);
        return c.redirect("/parametres/securite?ok=totp-off", 303);
      },
      (_values, errors) => securityPage(c, { form: "totp-off", errors }, 400),
    ),
  );

/** JSON API: the signed-in user, sessions, password, 2FA. */
export const settingsApi = new Hono<AppEnv>()
  .use("/me", requireAuth)
  .use("/me/*", requireAuth)
  .use("/sessions", requireAuth)
  .use("/sessions/*", requireAuth)
  .get("/me", (c) => {
    const auth = authOf(c);
    return c.json({ user: auth.user, account: auth.account });
  })
  .get("/sessions", async (c) => {
    const auth = authOf(c);
    const rows = await listSessions(directoryCtx(c), auth.user.id);
    return c.json({ sessions: rows.map((s) => ({ id: s.idHash, current: s.idHash === auth.sessionIdHash, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, ip: s.ip, userAgent: s.userAgent })) });
  })
  .delete("/sessions/:id", async (c) => {
    await revokeSession(directoryCtx(c), authOf(c).user.id, c.req.param("id"));
    return c.body(null, 204);
  })
  .get("/me/access-log", async (c) => c.json(await listAccessLog(accountCtx(c), c.req.query("cursor")?.slice(0, 200) || undefined)))
  .post("/me/password", async (c) => {
    const auth = authOf(c);
    await changePassword(directoryCtx(c), auth.user.id, auth.sessionIdHash, await jsonBody(c, ChangePasswordInput));
    return c.body(null, 204);
  })
  .post("/me/totp", async (c) => {
    const auth = authOf(c);
    const { secret, uri } = await beginTotp(directoryCtx(c), auth.user.id, auth.user.email);
    return c.json({ secret, otpauthUri: uri }, 201);
  })
  .post("/me/totp/confirm", async (c) => {
    const input = await jsonBody(c, TotpConfirmInput);
    return c.json({ recoveryCodes: await confirmTotp(directoryCtx(c), authOf(c).user.id, input.code) });
  })
  .post("/me/totp/disable", async (c) => {
    const input = await jsonBody(c, TotpDisableInput);
    await disableTotp(directoryCtx(c), authOf(c).user.id, input.current);
    return c.body(null, 204);
  });
