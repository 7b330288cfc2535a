import { CookieBanner, type CookieBannerProps } from "../../../client/islands/cookie-banner";
import type { MessageKey } from "../../ui/i18n";
import { Island } from "../../ui/island";
import type { PageContext } from "../../ui/page-context";
import { COOKIE_CATEGORIES, CURRENT_POLICY } from "./policy";

/** Paths where the banner would only repeat the page itself. */
const NO_BANNER = ["/cookies"];
/**
 * The pages a seller's client opens from a link (the document, "Payer en ligne"): they set no
 * optional cookie, so asking the client for a choice would only get in the way.
 */
const CLIENT_PAGES = ["/p/", "/payer/"];

/** True when the layout must show the cookie banner (and load its island). */
export function showCookieBanner(ctx: PageContext): boolean {
  return !ctx.privacy?.consent && !NO_BANNER.includes(ctx.path) && !CLIENT_PAGES.some((prefix) => ctx.path.startsWith(prefix));
}

/** The categories with their one-line purpose, in the page's language. */
export function cookieCategoryLabels(ctx: PageContext) {
  return COOKIE_CATEGORIES.map((c) => ({
    id: c.id,
    label: ctx.t(`privacy.cat.${c.id}` as MessageKey),
    purpose: ctx.t(`privacy.cat.${c.id}.purpose` as MessageKey),
    optional: c.optional,
  }));
}

/** The server-rendered cookie banner; the `cookie-banner` island takes over when JavaScript runs. */
export function CookieBannerSlot({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  const props: CookieBannerProps = {
    action: "/cookies",
    csrfToken: ctx.csrfToken,
    next: ctx.path,
    policyHref: ctx.locale === "en" ? "/privacy#cookies" : "/confidentialite#cookies",
    labels: {
      region: t("privacy.banner.region"),
      title: t("privacy.banner.title"),
      text: t("privacy.banner.text"),
      more: t("privacy.banner.more"),
      acceptAll: t("privacy.banner.acceptAll"),
      refuseAll: t("privacy.banner.refuseAll"),
      customize: t("privacy.banner.customize"),
      save: t("privacy.banner.save"),
      close: t("privacy.banner.close"),
      alwaysOn: t("privacy.cookies.alwaysOn"),
    },
    categories: cookieCategoryLabels(ctx),
  };
  return <Island name="cookie-banner" component={CookieBanner} props={props} />;
}

/** In the app layout: the policy changed since the user accepted it (policy §11). */
export function PolicyNotice({ ctx }: { ctx: PageContext }) {
  if (!ctx.privacy?.policyNotice) return null;
  const { t } = ctx;
  return (
    <div class="banner policy-notice" role="status">
      <span>{t("privacy.notice.text", { version: CURRENT_POLICY.version })}</span>{" "}
      <a href={ctx.locale === "en" ? "/privacy" : "/confidentialite"}>{t("privacy.notice.read")}</a>
      <form method="post" action="/confidentialite/prise-de-connaissance">
        <input type="hidden" name="_csrf" value={ctx.csrfToken} />
        <input type="hidden" name="next" value={ctx.path} />
        <button type="submit" class="link-button">
          {t("privacy.notice.ack")}
        </button>
      </form>
    </div>
  );
}
