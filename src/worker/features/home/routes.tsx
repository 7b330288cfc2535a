import { Hono } from "hono";
import { accountCtx } from "../../context";
import type { AppEnv } from "../../env";
import { authOf, requireAuth } from "../../http/session";
import { ComingSoon, SECTIONS } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { dismissAnswer, unseenAnswers } from "../documents/answers";
import { recentAnomalyCount } from "../stripe/webhook";
import { networkProblems } from "../einvoicing/transmit";
import { DashboardPage } from "./pages";
import { loadProfileSummary, treasury } from "./queries";

export const homePages = new Hono<AppEnv>()
  .get("/", (c) => c.redirect(c.var.auth ? "/tableau-de-bord" : "/connexion", 303))
  .get("/tableau-de-bord", requireAuth, async (c) => {
    const [summary, figures, answers, anomalies, network] = await Promise.all([
      loadProfileSummary(c.var.db, authOf(c).account.id),
      treasury(accountCtx(c)),
      unseenAnswers(accountCtx(c)),
      recentAnomalyCount(accountCtx(c)),
      networkProblems(accountCtx(c)),
    ]);
    const ok = c.req.query("ok");
    const flash =
      ok === "verified"
        ? { kind: "success" as const, text: c.var.t("auth.verify.done") }
        : ok === "resent"
          ? { kind: "info" as const, text: c.var.t("auth.verify.resent") }
          : anomalies > 0
            ? // Signed Stripe events refused as odd (issue #14); each invoice concerned says which.
              { kind: "error" as const, text: c.var.t("stripe.anomaly.dashboard", { count: anomalies }) }
            : null;
    return render(c, <DashboardPage ctx={pageContext(c)} missing={summary.missing} flash={flash} treasury={figures} answers={answers} network={network} />);
  })
  .post("/tableau-de-bord/reponses/:id/vu", requireAuth, async (c) => {
    await dismissAnswer(accountCtx(c), c.req.param("id"));
    return c.redirect("/tableau-de-bord", 303);
  });

// Sections later issues build: an honest "coming soon" page, never fake data.
for (const section of SECTIONS.filter((s) => !s.ready)) {
  homePages.get(section.path, requireAuth, (c) => render(c, <ComingSoon ctx={pageContext(c)} title={c.var.t(section.label)} />));
}
