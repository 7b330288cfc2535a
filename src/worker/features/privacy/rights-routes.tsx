import { Hono } from "hono";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod";
import { accountCtx } from "../../context";
import { directoryDb } from "../../db/client";
import { RIGHTS_REQUEST_TYPES } from "../../db/schema";
import type { AppEnv } from "../../env";
import { SESSION_COOKIE, clearCookie } from "../../http/cookies";
import { AppError } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { authOf, requireAuth } from "../../http/session";
import { businessDate, formFields } from "../../http/validate";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { closeAccount, closurePlan } from "./closure";
import { privacyChoicesOf, readUnsubscribeToken, setAnalyticsOptOut, setMarketingConsent, unsubscribe } from "./marketing";
import { controllerOf } from "./policy";
import { freezeAccount, restrictionOf, unfreezeAccount } from "./restriction";
import { ClosedPage, ClosurePage, OperatorRequestsPage, PrivacySettingsPage, RequestsPage, RestrictionPage, UnsubscribePage } from "./rights-pages";
import { closeRightsRequest, isOperator, legalHoldOf, openRightsRequests, recordRightsRequest, rightsRequestsOf } from "./rights";

const ClosureInput = z.object({
  password: z.string().min(1).max(256),
  code: z.string().max(20).optional(),
  confirmation: z.string().min(1).max(50),
});

const FreezeInput = z.object({ reason: z.string().trim().min(1).max(1000) });

const RequestInput = z.object({ type: z.enum(RIGHTS_REQUEST_TYPES), message: z.string().trim().min(1).max(5000) });

const PrivacySettingsInput = z.object({ marketing: z.literal("on").optional(), analyticsOptOut: z.literal("on").optional() });

const OperatorRecordInput = z.object({
  email: z.email().max(254),
  receivedOn: businessDate("err.date"),
  type: z.enum(RIGHTS_REQUEST_TYPES),
  message: z.string().trim().min(1).max(5000),
});

const OperatorCloseInput = z.object({ status: z.enum(["answered", "refused"]) });

const TOKEN = /^[A-Za-z0-9_.-]{10,200}$/;

async function closureView(c: Context<AppEnv>, errors?: Record<string, string>, status: 200 | 400 | 401 | 409 | 429 = 200) {
  const plan = await closurePlan(accountCtx(c));
  return render(c, <ClosurePage ctx={pageContext(c)} plan={plan} totp={authOf(c).user.totpEnabled} errors={errors} />, status);
}

async function restrictionView(c: Context<AppEnv>, errors?: Record<string, string>, status: 200 | 400 | 409 = 200) {
  const state = await restrictionOf(accountCtx(c));
  const flash = c.req.query("ok") ? { kind: "success" as const, text: c.var.t("form.saved") } : null;
  return render(c, <RestrictionPage ctx={pageContext(c)} state={state} errors={errors} flash={flash} />, status);
}

async function requestsView(
  c: Context<AppEnv>,
  extras: { values?: Record<string, string>; errors?: Record<string, string>; sent?: Parameters<typeof RequestsPage>[0]["sent"] } = {},
  status: 200 | 400 = 200,
) {
  const mine = await rightsRequestsOf(directoryDb(c.env), authOf(c).account.id);
  return render(c, <RequestsPage ctx={pageContext(c)} mine={mine} contactEmail={controllerOf(c.env).email} {...extras} />, status);
}

async function privacySettingsView(c: Context<AppEnv>) {
  const choices = await privacyChoicesOf(directoryDb(c.env), authOf(c).user.id);
  const flash = c.req.query("ok") ? { kind: "success" as const, text: c.var.t("form.saved") } : null;
  return render(c, <PrivacySettingsPage ctx={pageContext(c)} choices={choices} flash={flash} />);
}

/** Operators: signed-in users whose verified email is listed in OPERATOR_EMAILS. */
const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  if (!isOperator(c.env.OPERATOR_EMAILS, c.var.auth?.user)) throw new AppError("forbidden", c.var.t("rights.operator.forbidden"));
  return next();
});

async function operatorView(c: Context<AppEnv>, errors?: Record<string, string>, values?: Record<string, string>, status: 200 | 400 = 200) {
  const rows = await openRightsRequests(directoryDb(c.env));
  return render(c, <OperatorRequestsPage ctx={pageContext(c)} rows={rows} now={Date.now()} errors={errors} values={values ?? {}} />, status);
}

/**
 * The user's rights besides export (policy §4, §9.3, §9.4, §9.6–9.8): closure, restriction, rights
 * requests, privacy settings, the one-click unsubscribe and the operator's view of open requests.
 */
export const rightsPages = new Hono<AppEnv>()
  .use("/mes-donnees/cloture", requireAuth)
  .use("/mes-donnees/restriction", requireAuth)
  .use("/mes-donnees/restriction/*", requireAuth)
  .use("/mes-donnees/demandes", requireAuth)
  .use("/parametres/confidentialite", requireAuth)
  .use("/operateur/*", requireAuth, requireOperator)
  .get("/mes-donnees/cloture", (c) => closureView(c))
  .post("/mes-donnees/cloture", (c) =>
    handleForm(
      c,
      ClosureInput,
      async (input) => {
        const plan = await closeAccount(accountCtx(c), input);
        // Every session of the user is gone with the user row; the cookie follows.
        clearCookie(c, SESSION_COOKIE);
        c.set("auth", null);
        return render(c, <ClosedPage ctx={pageContext(c)} plan={plan} />);
      },
      (_values, errors, status) => closureView(c, errors, status === 409 || status === 401 || status === 429 ? status : 400),
    ),
  )
  .get("/mes-donnees/restriction", (c) => restrictionView(c))
  .post("/mes-donnees/restriction", (c) =>
    handleForm(
      c,
      FreezeInput,
      async (input) => {
        await freezeAccount(accountCtx(c), input.reason);
        return c.redirect("/mes-donnees/restriction?ok=1", 303);
      },
      (_values, errors, status) => restrictionView(c, errors, status === 409 ? 409 : 400),
    ),
  )
  .post("/mes-donnees/restriction/degeler", async (c) => {
    try {
      await unfreezeAccount(accountCtx(c));
    } catch (err) {
      if (err instanceof AppError && err.code === "conflict") return restrictionView(c, { _form: err.message }, 409);
      throw err;
    }
    return c.redirect("/mes-donnees/restriction?ok=1", 303);
  })
  .get("/mes-donnees/demandes", (c) => requestsView(c))
  .post("/mes-donnees/demandes", (c) =>
    handleForm(
      c,
      RequestInput,
      async (input, values) => {
        const auth = authOf(c);
        const now = Date.now();
        const { dueAt } = await recordRightsRequest(directoryDb(c.env), {
          accountId: auth.account.id,
          email: auth.user.email,
          type: input.type,
          message: input.message,
          channel: "form",
          receivedAt: now,
        });
        // An erasure request meets the legal hold at once: recorded, and told what cannot be erased and why.
        const hold = input.type === "erasure" ? await legalHoldOf(c.var.db, auth.account.id) : null;
        return requestsView(c, { values: { type: values.type ?? "access" }, sent: { dueAt, hold: hold && hold.documents > 0 ? hold : null } });
      },
      (values, errors) => requestsView(c, { values, errors }, 400),
    ),
  )
  .get("/parametres/confidentialite", (c) => privacySettingsView(c))
  .post("/parametres/confidentialite", (c) =>
    handleForm(
      c,
      PrivacySettingsInput,
      async (input) => {
        const db = directoryDb(c.env);
        const userId = authOf(c).user.id;
        const now = Date.now();
        const current = await privacyChoicesOf(db, userId);
        // Only a change is written: re-saving keeps the original consent time and wording version.
        const wantsMarketing = input.marketing === "on";
        if (wantsMarketing !== (current.marketingOptInAt !== null)) await setMarketingConsent(db, userId, wantsMarketing, now);
        const objects = input.analyticsOptOut === "on";
        if (objects !== (current.analyticsOptOutAt !== null)) await setAnalyticsOptOut(db, userId, objects, now);
        return c.redirect("/parametres/confidentialite?ok=1", 303);
      },
      () => privacySettingsView(c),
    ),
  )
  .get("/desabonnement/:token", async (c) => {
    const token = c.req.param("token");
    const valid = TOKEN.test(token) && (await readUnsubscribeToken(c.var.config, token)) !== null;
    return render(c, <UnsubscribePage ctx={pageContext(c)} token={token} state={valid ? "ask" : "invalid"} />, valid ? 200 : 404);
  })
  // RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" with no cookie; the HMAC is the proof.
  .post("/desabonnement/:token", async (c) => {
    const token = c.req.param("token");
    const done = TOKEN.test(token) && (await unsubscribe(directoryDb(c.env), c.var.config, token, Date.now()));
    return render(c, <UnsubscribePage ctx={pageContext(c)} token={token} state={done ? "done" : "invalid"} />, done ? 200 : 404);
  })
  .get("/operateur/demandes", (c) => operatorView(c))
  .post("/operateur/demandes", (c) =>
    handleForm(
      c,
      OperatorRecordInput,
      async (input) => {
        await recordRightsRequest(directoryDb(c.env), {
          accountId: null,
          email: input.email,
          type: input.type,
          message: input.message,
          channel: "email",
          // Noon UTC of the day received: the due date lands on the same calendar day a month later.
          receivedAt: Date.parse(`${input.receivedOn}T12:00:00Z`),
        });
        return c.redirect("/operateur/demandes", 303);
      },
      (values, errors) => operatorView(c, errors, values, 400),
    ),
  )
  .post("/operateur/demandes/:id", async (c) => {
    const parsed = OperatorCloseInput.safeParse(await formFields(c));
    if (!parsed.success) throw new AppError("invalid", c.var.t("form.errors"));
    await closeRightsRequest(directoryDb(c.env), c.req.param("id"), parsed.data.status, Date.now());
    return c.redirect("/operateur/demandes", 303);
  });

/** JSON API: the signed-in user's privacy choices and whether this visit may be measured. */
export const rightsApi = new Hono<AppEnv>().use("/me/privacy", requireAuth).get("/me/privacy", async (c) => {
  const choices = await privacyChoicesOf(directoryDb(c.env), authOf(c).user.id);
  return c.json({
    marketing: { optedIn: choices.marketingOptInAt !== null, at: choices.marketingOptInAt, wordingVersion: choices.marketingWordingVersion },
    analytics: { optedOut: choices.analyticsOptOutAt !== null, measured: c.var.privacy.measure ?? false },
  });
});
