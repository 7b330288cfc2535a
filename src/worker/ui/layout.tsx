import type { ComponentChildren } from "preact";
import { CookieBannerSlot, PolicyNotice, showCookieBanner } from "../features/privacy/banner";
import type { MessageKey } from "./i18n";
import type { PageContext } from "./page-context";

/** The sections of the app, in navigation order. `ready` ones exist; the others say so honestly. */
export const SECTIONS: ReadonlyArray<{ path: string; label: MessageKey; ready: boolean }> = [
  { path: "/tableau-de-bord", label: "nav.dashboard", ready: true },
  { path: "/devis", label: "nav.quotes", ready: true },
  { path: "/factures", label: "nav.invoices", ready: true },
  { path: "/clients", label: "nav.clients", ready: true },
  { path: "/produits", label: "nav.products", ready: true },
  { path: "/paiements", label: "nav.payments", ready: true },
  { path: "/achats", label: "nav.purchases", ready: true },
  { path: "/livres", label: "nav.books", ready: true },
  { path: "/temps", label: "nav.time", ready: true },
  { path: "/stock", label: "nav.stock", ready: true },
  { path: "/mes-donnees", label: "nav.data", ready: true },
  { path: "/parametres", label: "nav.settings", ready: true },
];

export interface Flash {
  kind: "success" | "error" | "info";
  text: string;
}

interface LayoutProps {
  ctx: PageContext;
  title: string;
  children: ComponentChildren;
  flash?: Flash | null;
  /** Island entry names whose scripts this page loads (src/client/islands/<name>.tsx). */
  islands?: string[];
}

function Head({ ctx, title, islands }: Pick<LayoutProps, "ctx" | "title" | "islands">) {
  return (
    <head>
      <meta charSet="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · Factumo`}</title>
      <meta name="csrf-token" content={ctx.csrfToken} />
      <link rel="stylesheet" href="/assets/app.css" />
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      {[...(islands ?? []), ...(showCookieBanner(ctx) ? ["cookie-banner"] : [])].map((name) => (
        <script type="module" src={`/islands/${name}.js`} nonce={ctx.nonce} key={name} />
      ))}
    </head>
  );
}

function LangSwitch({ ctx }: { ctx: PageContext }) {
  const other = ctx.locale === "fr" ? "en" : "fr";
  return (
    <form method="post" action="/preferences/langue" class="lang-switch">
      <input type="hidden" name="_csrf" value={ctx.csrfToken} />
      <input type="hidden" name="locale" value={other} />
      <input type="hidden" name="next" value={ctx.path} />
      <button type="submit" class="link-button" lang={other} aria-label={ctx.t("lang.switch.label")}>
        {ctx.t("lang.switch")}
      </button>
    </form>
  );
}

function Footer({ ctx }: { ctx: PageContext }) {
  return (
    <footer class="site-footer">
      <span>© Factumo</span>
      <a href="/confidentialite">{ctx.t("footer.privacy")}</a>
      <a href="/conditions">{ctx.t("footer.terms")}</a>
      <a href="/mentions-legales">{ctx.t("footer.legal")}</a>
      <a href="/cookies">{ctx.t("footer.cookies")}</a>
      {ctx.isLocal ? <a href="/dev/outbox">{ctx.t("outbox.title")}</a> : null}
    </footer>
  );
}

function FlashMessage({ flash }: { flash: Flash }) {
  return (
    <div class={`flash flash-${flash.kind}`} role={flash.kind === "error" ? "alert" : "status"}>
      {flash.text}
    </div>
  );
}

/** Pages for signed-in users: navigation on the side, content in the main landmark. */
export function AppLayout({ ctx, title, children, flash, islands }: LayoutProps) {
  const auth = ctx.auth;
  return (
    <html lang={ctx.locale}>
      <Head ctx={ctx} title={title} islands={[...(islands ?? []), "nav-menu"]} />
      <body class="app">
        <a href="#main" class="skip-link">
          {ctx.t("nav.skip")}
        </a>
        {showCookieBanner(ctx) ? <CookieBannerSlot ctx={ctx} /> : null}
        <header class="topbar">
          <a href="/tableau-de-bord" class="brand">
            Factumo
          </a>
          <span class="account-name">{auth?.account.name}</span>
          <button type="button" class="nav-toggle" aria-controls="sidenav" aria-expanded="false" hidden>
            {ctx.t("nav.menu")}
          </button>
          <div class="topbar-actions">
            <LangSwitch ctx={ctx} />
            <form method="post" action="/deconnexion">
              <input type="hidden" name="_csrf" value={ctx.csrfToken} />
              <button type="submit" class="link-button">
                {ctx.t("nav.logout")}
              </button>
            </form>
          </div>
        </header>
        <div class="shell">
          <nav class="sidenav" id="sidenav" aria-label={ctx.t("nav.main")}>
            <ul>
              {SECTIONS.map((s) => {
                const current = ctx.path === s.path || ctx.path.startsWith(`${s.path}/`);
                return (
                  <li key={s.path}>
                    <a href={s.path} aria-current={current ? "page" : undefined}>
                      {ctx.t(s.label)}
                    </a>
                  </li>
                );
              })}
              {/* On a phone the top bar's language and sign-out move into the menu. */}
              <li class="nav-extra">
                <LangSwitch ctx={ctx} />
                <form method="post" action="/deconnexion">
                  <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                  <button type="submit" class="link-button">
                    {ctx.t("nav.logout")}
                  </button>
                </form>
              </li>
            </ul>
          </nav>
          <main id="main" tabIndex={-1}>
            {auth && !auth.user.emailVerified ? (
              <div class="banner" role="status">
                <span>{ctx.t("auth.verify.banner")}</span>
                <form method="post" action="/verification/renvoyer">
                  <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                  <button type="submit" class="link-button">
                    {ctx.t("auth.verify.resend")}
                  </button>
                </form>
              </div>
            ) : null}
            {auth?.account.frozen ? (
              <div class="banner frozen-banner" role="status" data-frozen-banner="true">
                <span>{ctx.t("rights.restriction.banner")}</span> <a href="/mes-donnees/restriction">{ctx.t("rights.restriction.banner.link")}</a>
              </div>
            ) : null}
            <PolicyNotice ctx={ctx} />
            {flash ? <FlashMessage flash={flash} /> : null}
            {children}
          </main>
        </div>
        <Footer ctx={ctx} />
      </body>
    </html>
  );
}

/** Pages for visitors (sign-up, login, public pages): a centred card. */
export function PublicLayout({ ctx, title, children, flash, islands }: LayoutProps) {
  return (
    <html lang={ctx.locale}>
      <Head ctx={ctx} title={title} islands={islands} />
      <body class="public">
        <a href="#main" class="skip-link">
          {ctx.t("nav.skip")}
        </a>
        {showCookieBanner(ctx) ? <CookieBannerSlot ctx={ctx} /> : null}
        <header class="public-header">
          <a href="/" class="brand">
            Factumo
          </a>
          <LangSwitch ctx={ctx} />
        </header>
        <main id="main" class="card-page" tabIndex={-1}>
          {flash ? <FlashMessage flash={flash} /> : null}
          {children}
        </main>
        <Footer ctx={ctx} />
      </body>
    </html>
  );
}

/** The honest state of a section another issue will build: no fake data. */
export function ComingSoon({ ctx, title }: { ctx: PageContext; title: string }) {
  return (
    <AppLayout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <section class="empty-state">
        <h2>{ctx.t("soon.title")}</h2>
        <p>{ctx.t("soon.body")}</p>
      </section>
    </AppLayout>
  );
}
