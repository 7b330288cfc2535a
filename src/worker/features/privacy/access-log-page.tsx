import { formatDateTime } from "../../domain/format";
import { AppLayout } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";
import { SettingsNav } from "../settings/pages";
import type { listAccessLog } from "./access-log";

export const ACCESS_LOG_PATH = "/parametres/journal";

type Page = Awaited<ReturnType<typeof listAccessLog>>;

/** Paramètres → Journal d'activité: the account's sensitive actions, newest first. */
export function AccessLogPage({ ctx, page, users }: { ctx: PageContext; page: Page; users: Map<string, string> }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("accessLog.title")}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />
      <section class="panel" aria-labelledby="access-log-h">
        <h2 id="access-log-h">{t("accessLog.title")}</h2>
        <p class="muted">{t("accessLog.intro")}</p>
        {page.items.length === 0 ? (
          <p>{t("accessLog.empty")}</p>
        ) : (
          <table class="table access-log">
            <thead>
              <tr>
                <th scope="col">{t("accessLog.col.at")}</th>
                <th scope="col">{t("accessLog.col.action")}</th>
                <th scope="col">{t("accessLog.col.target")}</th>
                <th scope="col">{t("accessLog.col.user")}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{formatDateTime(e.at, ctx.locale)}</td>
                  <td>{t(`accessLog.action.${e.action}`)}</td>
                  <td>{e.target ?? "—"}</td>
                  <td>{(e.userId && users.get(e.userId)) ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.nextCursor ? (
          <p>
            <a class="button" href={`${ACCESS_LOG_PATH}?cursor=${encodeURIComponent(page.nextCursor)}`}>
              {t("accessLog.more")}
            </a>
          </p>
        ) : null}
      </section>
    </AppLayout>
  );
}
