import type { Context } from "hono";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../env";
import { translator } from "./i18n";
import { PublicLayout } from "./layout";
import { pageContext } from "./page-context";

/** A friendly HTML page for an error; works even when the request failed before locale/CSRF setup. */
export function renderErrorPage(c: Context<AppEnv>, status: number, message: string): string {
  const ctx = pageContext(c);
  const t = ctx.t ?? translator("fr");
  const page = (
    <PublicLayout ctx={{ ...ctx, t }} title={String(status)}>
      <section class="card">
        <h1>{status === 404 ? t("err.not_found") : message}</h1>
        {status === 404 ? null : <p class="muted">Code {status}</p>}
        <p>
          <a href="/">{t("err.back")}</a>
        </p>
      </section>
    </PublicLayout>
  );
  return `<!doctype html>${renderToString(page)}`;
}
