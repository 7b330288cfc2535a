import { Hono } from "hono";
import type { Context } from "hono";
import * as z from "zod";
import { directoryDb } from "../../db/client";
import type { AppEnv } from "../../env";
import { writeCookie } from "../../http/cookies";
import { safeNext } from "../../http/forms";
import { authOf, requireAuth } from "../../http/session";
import { formFields } from "../../http/validate";
import { translator, type Locale } from "../../ui/i18n";
import { type PageContext, pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { CONSENT_COOKIE, consentExpiresAt, encodeConsent } from "./consent";
import { CookiesPage, LegalNoticePage, PolicyPage, TermsPage } from "./pages";
import { controllerOf } from "./policy";
import { acknowledgePolicy, recordConsent } from "./verbs";

const ConsentInput = z.object({
  action: z.enum(["accept_all", "refuse_all", "custom", "closed", "customize"]).catch("closed"),
  performance: z.literal("on").optional().catch(undefined),
  functional: z.literal("on").optional().catch(undefined),
  next: z.string().max(500).optional().catch(undefined),
});

/** A page context in a fixed language, for the English addresses of the legal pages. */
function inLocale(c: Context<AppEnv>, locale: Locale | null): PageContext {
  const ctx = pageContext(c);
  return locale ? { ...ctx, locale, t: translator(locale) } : ctx;
}

function legalPage(c: Context<AppEnv>, locale: Locale | null, Page: typeof PolicyPage) {
  return render(c, <Page ctx={inLocale(c, locale)} controller={controllerOf(c.env)} />);
}

/** Only the app's own pages (never /cookies itself, never an absolute URL). */
const backTo = (next: string | undefined) => {
  const path = safeNext(next, "/");
  return path.startsWith("/cookies") ? "/" : path;
};

/**
 * Privacy pages: the policy, legal notice and terms (French and English addresses), the cookie
 * preferences (which also receive the banner's forms) and the policy acknowledgement.
 */
export const privacyPages = new Hono<AppEnv>()
  .get("/confidentialite", (c) => legalPage(c, null, PolicyPage))
  .get("/privacy", (c) => legalPage(c, "en", PolicyPage))
  .get("/mentions-legales", (c) => legalPage(c, null, LegalNoticePage))
  .get("/legal-notice", (c) => legalPage(c, "en", LegalNoticePage))
  .get("/conditions", (c) => legalPage(c, null, TermsPage))
  .get("/terms", (c) => legalPage(c, "en", TermsPage))
  .get("/cookies", (c) => render(c, <CookiesPage ctx={pageContext(c)} consent={c.var.privacy.consent} next={backTo(c.req.query("next"))} />))
  .post("/cookies", async (c) => {
    const input = ConsentInput.parse(await formFields(c));
    const next = backTo(input.next);
    // Without JavaScript, "Personnaliser" leads to the full preferences page; nothing is stored yet.
    if (input.action === "customize") return c.redirect(`/cookies?next=${encodeURIComponent(next)}`, 303);
    const now = Date.now();
    const state = await recordConsent(
      { db: directoryDb(c.env), now },
      input.action,
      { performance: input.performance === "on", functional: input.functional === "on" },
      c.var.privacy.consent?.consentId ?? null,
    );
    writeCookie(c, CONSENT_COOKIE, encodeConsent(state), Math.floor((consentExpiresAt(now) - now) / 1000));
    if (c.req.header("accept")?.includes("application/json")) {
      return c.json({ consent: { performance: state.performance, functional: state.functional, decidedAt: state.decidedAt } });
    }
    return c.redirect(next, 303);
  })
  .post("/confidentialite/prise-de-connaissance", requireAuth, async (c) => {
    const next = safeNext((await formFields(c)).next);
    await acknowledgePolicy({ db: directoryDb(c.env), now: Date.now() }, authOf(c).user.id);
    return c.redirect(next, 303);
  });
