import { Hono } from "hono";
import * as z from "zod";
import { accountCtx } from "../../context";
import { DOCUMENT_TYPES } from "../../db/schema";
import { formatDocumentNumber } from "../../domain/numbering";
import type { AppEnv } from "../../env";
import type { FieldErrors } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { CsrfField, Field, FormErrorSummary } from "../../ui/form";
import { AppLayout, type Flash } from "../../ui/layout";
import { type PageContext, pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { SettingsNav } from "../settings/pages";
import { configureSeries, listSeries, type SeriesState } from "./series";

const SeriesForm = z.object({
  type: z.enum(DOCUMENT_TYPES),
  prefix: z.string().trim().toUpperCase().min(1, "series.err.prefix"),
  nextNumber: z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : undefined), z.number("series.err.next").int("series.err.next").min(1, "series.err.next").optional()),
});

function SeriesPage({ ctx, series, flash, errors, errorType }: { ctx: PageContext; series: SeriesState[]; flash?: Flash | null; errors?: FieldErrors; errorType?: string }) {
  const { t } = ctx;
  return (
    <AppLayout ctx={ctx} title={t("series.title")} flash={flash}>
      <h1>{t("settings.title")}</h1>
      <SettingsNav ctx={ctx} />
      <h2>{t("series.title")}</h2>
      <p class="lead">{t("series.lead")}</p>
      {series.map((s) => {
        const locked = s.issued > 0;
        const errs = errorType === s.type ? errors : undefined;
        return (
          <section class="panel" key={s.type} aria-labelledby={`series-${s.type}`}>
            <h3 id={`series-${s.type}`}>{t(`series.type.${s.type}`)}</h3>
            <p class="muted">
              {t("series.example", { number: formatDocumentNumber(s.prefix, `${s.year}-01-01`, s.nextNumber) })}
              {locked ? ` · ${t("series.locked", { count: s.issued, year: s.year })}` : ""}
            </p>
            {locked ? null : (
              <form method="post" action="/parametres/numerotation" novalidate class="form-grid">
                <CsrfField ctx={ctx} />
                <FormErrorSummary ctx={ctx} errors={errs} />
                <input type="hidden" name="type" value={s.type} />
                <Field name="prefix" label={t("series.prefix")} value={s.prefix} errors={errs} maxLength={6} />
                <Field name="nextNumber" type="number" label={t("series.next")} value={String(s.nextNumber)} errors={errs} inputMode="numeric" />
                <div class="field">
                  <button type="submit" class="button primary">
                    {t("form.submit")}
                  </button>
                </div>
              </form>
            )}
          </section>
        );
      })}
    </AppLayout>
  );
}

/** Paramètres → Numérotation: prefixes and the once-only next number of each series. */
export const seriesPages = new Hono<AppEnv>()
  .use("/parametres/numerotation", requireAuth)
  .get("/parametres/numerotation", async (c) => {
    const flash = c.req.query("ok") ? { kind: "success" as const, text: c.var.t("series.saved") } : null;
    return render(c, <SeriesPage ctx={pageContext(c)} series={await listSeries(accountCtx(c))} flash={flash} />);
  })
  .post("/parametres/numerotation", (c) =>
    handleForm(
      c,
      SeriesForm,
      async (input) => {
        await configureSeries(accountCtx(c), input.type, { prefix: input.prefix, ...(input.nextNumber ? { nextNumber: input.nextNumber } : {}) });
        return c.redirect("/parametres/numerotation?ok=saved", 303);
      },
      async (values, errors, status) =>
        render(c, <SeriesPage ctx={pageContext(c)} series={await listSeries(accountCtx(c))} errors={errors} errorType={values.type} />, status),
    ),
  );
