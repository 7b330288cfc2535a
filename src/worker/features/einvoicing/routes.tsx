import { Hono } from "hono";
import type { Context } from "hono";
import { accountCtx } from "../../context";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { handlePaWebhook } from "./jobs";
import { EINVOICING_SETTINGS_PATH, EinvoicingSettingsPage } from "./pages";
import { SettingsInput, saveSettings, settingsView, testConnection } from "./settings";

async function page(c: Context<AppEnv>, extra: { errors?: Record<string, string>; values?: Record<string, string>; status?: 200 | 400 | 409 } = {}) {
  const ctx = accountCtx(c);
  const view = await settingsView(ctx);
  const ok = c.req.query("ok");
  const test = c.req.query("test");
  const flash =
    ok === "saved"
      ? { kind: "success" as const, text: c.var.t("einv.saved") }
      : test === "ok"
        ? { kind: "success" as const, text: c.var.t("einv.test.ok") }
        : test
          ? { kind: "error" as const, text: c.var.t("einv.test.fail", { message: test.slice(0, 200) }) }
          : null;
  return render(c, <EinvoicingSettingsPage ctx={pageContext(c)} view={view} flash={flash} {...(extra.errors ? { errors: extra.errors } : {})} {...(extra.values ? { values: extra.values } : {})} />, extra.status ?? 200);
}

/** Paramètres → Facturation électronique. */
export const einvoicingPages = new Hono<AppEnv>()
  .use(EINVOICING_SETTINGS_PATH, requireAuth)
  .use(`${EINVOICING_SETTINGS_PATH}/*`, requireAuth)
  .get(EINVOICING_SETTINGS_PATH, (c) => page(c))
  .post(`${EINVOICING_SETTINGS_PATH}/enregistrer`, (c) =>
    handleForm(
      c,
      SettingsInput,
      async (input) => {
        const auth = c.var.auth;
        await saveSettings(accountCtx(c), input, auth ? `${auth.user.name} <${auth.user.email}>` : "?");
        return c.redirect(`${EINVOICING_SETTINGS_PATH}?ok=saved`, 303);
      },
      (values, errors, status) => page(c, { values, errors, status: status === 409 ? 409 : 400 }),
    ),
  )
  .post(`${EINVOICING_SETTINGS_PATH}/tester`, async (c) => {
    const res = await testConnection(accountCtx(c));
    return c.redirect(`${EINVOICING_SETTINGS_PATH}?test=${encodeURIComponent(res.ok ? "ok" : res.message)}`, 303);
  });

/**
 * The PA's webhooks: authenticated by the signature (CSRF-exempt path under /webhooks). The path
 * names the account (its random id) so the right key and shard are found; the signature proves it.
 */
export const einvoicingWebhooks = new Hono<AppEnv>().post("/pa/:token", async (c) => {
  const outcome = await handlePaWebhook(c.env, c.req.param("token"), await c.req.text(), c.req.header("signature"), Date.now());
  if (outcome === "bad_signature") throw new AppError("unauthorized", c.var.locale === "en" ? "Invalid signature." : "Signature invalide.");
  if (outcome === "unknown_account") throw new AppError("not_found", c.var.t("err.not_found"));
  return c.json({ ok: true });
});
