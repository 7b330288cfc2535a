import { purchasesApi, purchasesPages, purchasesWebhooks } from "./features/purchases/routes";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { ConfigError, loadConfig } from "./config";
import { meterD1 } from "./db/metered";
import type { AppEnv } from "./env";
import { authApi, authPages } from "./features/auth/routes";
import { clientsApi, clientsPages } from "./features/clients/routes";
import { devPages } from "./features/dev/routes";
import { hasOwnBodyLimit } from "./features/data/links";
import { dataApi, dataPages, importBodyLimit } from "./features/data/routes";
import { documentsPages } from "./features/documents/page-routes";
import { documentsApi } from "./features/documents/routes";
import { seriesPages } from "./features/documents/series-page";
import { homePages } from "./features/home/routes";
import { paymentsPages } from "./features/payments/page-routes";
import { booksApi, booksPages } from "./features/books/routes";
import { paymentsApi } from "./features/payments/routes";
import { sendingApi, sendingPages, sendingWebhooks } from "./features/sending/routes";
import { remindersApi, remindersPages } from "./features/reminders/routes";
import { privacyContext } from "./features/privacy/context";
import { privacyPages } from "./features/privacy/routes";
import { rightsApi, rightsPages } from "./features/privacy/rights-routes";
import { publicPages } from "./features/public/routes";
import { productsApi, productsPages } from "./features/products/routes";
import { timeApi } from "./features/time/routes";
import { timePages } from "./features/time/page-routes";
import { profileApi, profilePages } from "./features/profile/routes";
import { settingsApi, settingsPages } from "./features/settings/routes";
import { stockApi, stockPages } from "./features/stock/routes";
import { einvoicingPages, einvoicingWebhooks } from "./features/einvoicing/routes";
import { payPages, stripeSettingsPages, stripeWebhooks } from "./features/stripe/routes";
import { readCookie, LANG_COOKIE } from "./http/cookies";
import { csrf } from "./http/csrf";
import { guardLargeBody } from "./http/large-body";
import { actionUrlFallback } from "./http/action-urls";
import { AppError, handleError, notFound } from "./http/errors";
import { privateNoStore, securityHeaders } from "./http/security";
import { loadSession } from "./http/session";
import { outerRateLimit } from "./http/throttle";
import { translator, type Locale } from "./ui/i18n";
import { operatorApi } from "./features/operator/routes";

/** Largest body accepted anywhere: a 1 MB logo in a multipart form, plus room for the envelope. */
export const MAX_BODY_BYTES = 1_200_000;

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(meterD1);
  app.use(requestId());
  app.use(securityHeaders);
  app.use(privateNoStore);
  app.use(async (c, next) => {
    try {
      c.set("config", loadConfig(c.env));
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(JSON.stringify({ level: "fatal", event: "config_invalid", problems: err.problems }));
        return c.text(`Factumo is misconfigured: ${err.problems.join("; ")}`, 500);
      }
      throw err;
    }
    return next();
  });
  const appBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => {
      throw new AppError("payload_too_large", c.var.locale === "en" ? "The request is too large." : "La requête est trop volumineuse.");
    },
  });
  // The import of an export archive (features/data) sets its own, larger limits: on the form's
  // route, and on the parts of an upload (streamed to R2, never read here).
  app.use((c, next) => (hasOwnBodyLimit(c.req.method, c.req.path) ? next() : appBodyLimit(c, next)));
  app.use(async (c, next) => {
    const cookie = readCookie(c, LANG_COOKIE);
    // French by default; English only by explicit choice (cookie, or the user's stored preference).
    const locale: Locale = cookie === "en" ? "en" : "fr";
    c.set("locale", locale);
    c.set("t", translator(locale));
    return next();
  });
  // Cheap and before any D1 work: the Rate Limiting binding's per-IP flood guard on auth posts.
  app.use(outerRateLimit);
  app.use(loadSession);
  app.use(async (c, next) => {
    // A signed-in user's stored language wins over the browser's.
    const user = c.var.auth?.user;
    if (user) {
      c.set("locale", user.locale);
      c.set("t", translator(user.locale));
    }
    return next();
  });
  // Routes above the app-wide body limit: session, CSRF and declared length checked from the
  // headers before the CSRF check below reads any body.
  app.use(guardLargeBody(importBodyLimit));
  app.use(csrf);
  app.use(privacyContext);

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/", homePages);
  app.route("/", authPages);
  app.route("/", publicPages);
  app.route("/", privacyPages);
  app.route("/", rightsPages);
  app.route("/", dataPages);
  app.route("/", profilePages);
  app.route("/", clientsPages);
  app.route("/", productsPages);
  app.route("/", documentsPages);
  app.route("/", seriesPages);
  app.route("/", settingsPages);
  app.route("/", paymentsPages);
  app.route("/", booksPages);
  app.route("/", sendingPages);
  app.route("/", remindersPages);
  app.route("/", stockPages);
  app.route("/", timePages);
  app.route("/", purchasesPages);
  app.route("/webhooks", purchasesWebhooks);
  app.route("/webhooks", sendingWebhooks);
  app.route("/", stripeSettingsPages);
  app.route("/", payPages);
  app.route("/webhooks", stripeWebhooks);
  app.route("/", einvoicingPages);
  app.route("/webhooks", einvoicingWebhooks);
  app.route("/dev", devPages);
  app.route("/api/v1/auth", authApi);
  app.route("/api/v1", profileApi);
  app.route("/api/v1", dataApi);
  app.route("/api/v1", documentsApi);
  app.route("/api/v1", paymentsApi);
  app.route("/api/v1", booksApi);
  app.route("/api/v1", sendingApi);
  app.route("/api/v1", remindersApi);
  app.route("/api/v1", clientsApi);
  app.route("/api/v1", productsApi);
  app.route("/api/v1", stockApi);
  app.route("/api/v1", timeApi);
  app.route("/api/v1", purchasesApi);
  app.route("/api/v1", settingsApi);
  app.route("/api/v1", rightsApi);
  app.route("/api/v1/operator", operatorApi);

  // A form's action address opened with GET goes back to the form's page (Post/Redirect/Get).
  const fallback = actionUrlFallback(app.routes);
  app.notFound((c) => {
    const page = fallback(c);
    return page ? c.redirect(page, 303) : notFound(c);
  });
  app.onError((err, c) => {
    const page = err instanceof AppError && err.code === "not_found" ? fallback(c, true) : null;
    return page ? c.redirect(page, 303) : handleError(err, c);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
