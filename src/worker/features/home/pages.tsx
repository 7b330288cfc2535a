import type { MessageKey } from "../../ui/i18n";
import { AppLayout, type Flash } from "../../ui/layout";
import type { PageContext } from "../../ui/page-context";

export function DashboardPage({ ctx, missing, flash }: { ctx: PageContext; missing: MessageKey[]; flash: Flash | null }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("dashboard.title")} flash={flash}>
      <h1>{t("dashboard.welcome", { name: ctx.auth?.user.name ?? "" })}</h1>
      {missing.length > 0 ? (
        <section class="panel panel-warning" aria-labelledby="profile-status">
          <h2 id="profile-status">{t("profile.completeness")}</h2>
          <p>{t("dashboard.profile.incomplete", { count: missing.length })}</p>
          <ul>
            {missing.map((key) => (
              <li key={key}>{t(key)}</li>
            ))}
          </ul>
          <a class="button primary" href="/parametres/entreprise">
            {t("dashboard.profile.cta")}
          </a>
        </section>
      ) : (
        <section class="panel panel-success" aria-labelledby="profile-status">
          <h2 id="profile-status">{t("profile.completeness")}</h2>
          <p>{t("dashboard.profile.complete")}</p>
        </section>
      )}
      <section class="empty-state">
        <h2>{t("soon.title")}</h2>
        <p>{t("soon.body")}</p>
      </section>
    </AppLayout>
  );
}
