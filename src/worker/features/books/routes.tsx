import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import { accountCtx } from "../../context";
import { accounts } from "../../db/schema";
import { buildFec, FecError } from "../../domain/books/fec";
import { deadlinesBetween } from "../../domain/books/urssaf";
import { addDays } from "../../domain/mentions";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { formFields, jsonBody, orThrow, validate } from "../../http/validate";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { purchasesRegisterCsv, purchasesRegisterPdf, receiptsCsv, receiptsPdf, type RegisterEntry } from "./exports";
import { ereportingCalendar, ereportingRows, submitEreportingPeriod } from "./ereporting";
import { purchasesBetween } from "../purchases/queries";
import { BOOKS_PATH, BooksOverviewPage, BooksSettingsPage, EREPORTING_PATH, EreportingPage, FEC_PATH, RECEIPTS_PATH, ReceiptsPage, REGISTER_PATH, RegisterPage, SETTINGS_PATH, URSSAF_PATH, UrssafPage } from "./pages";
import { booksSettingsOf, fecSource, receiptsBook, receiptsTotals, saveBooksSettings, thresholdsView, urssafYear } from "./queries";
import { PeriodQuery, SettingsInput, UrssafQuery, YearQuery } from "./schemas";
import { contentDisposition } from "../../http/header-values";

type Ctx = Context<AppEnv>;


/** Query parameters with the current year as the default year. */
function yearQuery(c: Ctx): Record<string, string> {
  const q = c.req.query();
  return { ...q, year: q.year ?? todayInParis(Date.now()).slice(0, 4) };
}

/** The period of the receipts book: the query's, or the current year so far. */
function periodQuery(c: Ctx): Record<string, string> {
  const q = c.req.query();
  const today = todayInParis(Date.now());
  return { from: q.from ?? `${today.slice(0, 4)}-01-01`, to: q.to ?? today };
}

/** The FEC of a year as a download, or a clear error when the profile has no SIREN. */
async function fecResponse(c: Ctx, ctx: AccountVerbCtx, year: number): Promise<Response> {
  const source = await fecSource(ctx, year);
  try {
    const fec = buildFec({ siren: source.siren ?? "", year, sales: source.sales, receipts: source.receipts, purchases: source.purchases });
    return c.body(fec.text, 200, { "content-type": "text/plain; charset=utf-8", "content-disposition": contentDisposition("attachment", fec.fileName), "cache-control": "no-store" });
  } catch (err) {
    if (err instanceof FecError && err.code === "siren") throw new AppError("precondition_failed", ctx.t("books.err.siren"), { siren: ctx.t("books.err.siren") });
    throw err;
  }
}

async function csvResponse(c: Ctx, from: string, to: string): Promise<Response> {
  const ctx = accountCtx(c);
  const entries = await receiptsBook(ctx.db, ctx.accountId, from, to);
  return c.body(receiptsCsv(entries, ctx.t, ctx.locale), 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": contentDisposition("attachment", `livre-des-recettes_${from}_${to}.csv`),
    "cache-control": "no-store",
  });
}

async function pdfResponse(c: Ctx, from: string, to: string): Promise<Response> {
  const ctx = accountCtx(c);
  const [entries, account] = await Promise.all([
    receiptsBook(ctx.db, ctx.accountId, from, to),
    ctx.db.select({ name: accounts.name, siren: accounts.siren }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
  ]);
  const seller = [account?.name ?? "", account?.siren ? `SIREN ${account.siren}` : ""].filter(Boolean).join(" — ");
  const bytes = await receiptsPdf(entries, { from, to, seller, t: ctx.t, locale: ctx.locale, now: new Date(ctx.now) });
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
    "content-type": "application/pdf",
    "content-disposition": contentDisposition("attachment", `livre-des-recettes_${from}_${to}.pdf`),
    "cache-control": "no-store",
  });
}

async function registerEntries(c: Ctx, from: string, to: string): Promise<RegisterEntry[]> {
  const rows = await purchasesBetween(accountCtx(c), from, to);
  return rows.map((p) => ({
    issueDate: p.issueDate,
    supplierName: p.supplierName,
    supplierSiren: p.supplierSiren,
    number: p.number,
    category: p.category,
    taxExclusiveCents: p.taxExclusiveCents,
    vatCents: p.vatCents,
    taxInclusiveCents: p.taxInclusiveCents,
    paidOn: p.paidOn,
    paymentMethod: p.paymentMethod,
  }));
}

async function registerCsvResponse(c: Ctx, from: string, to: string): Promise<Response> {
  const ctx = accountCtx(c);
  return c.body(purchasesRegisterCsv(await registerEntries(c, from, to), ctx.t, ctx.locale), 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": contentDisposition("attachment", `registre-des-achats_${from}_${to}.csv`),
    "cache-control": "no-store",
  });
}

async function registerPdfResponse(c: Ctx, from: string, to: string): Promise<Response> {
  const ctx = accountCtx(c);
  const account = await ctx.db.select({ name: accounts.name, siren: accounts.siren }).from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  const seller = [account?.name ?? "", account?.siren ? `SIREN ${account.siren}` : ""].filter(Boolean).join(" — ");
  const bytes = await purchasesRegisterPdf(await registerEntries(c, from, to), { from, to, seller, t: ctx.t, locale: ctx.locale, now: new Date(ctx.now) });
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
    "content-type": "application/pdf",
    "content-disposition": contentDisposition("attachment", `registre-des-achats_${from}_${to}.pdf`),
    "cache-control": "no-store",
  });
}

/** JSON API under /api/v1/books: declaration, thresholds, receipts book and its files, FEC, settings. */
export const booksApi = new Hono<AppEnv>()
  .use("/books/*", requireAuth)
  .get("/books/urssaf", async (c) => {
    const q = orThrow(c, validate(UrssafQuery, yearQuery(c), c.var.locale, c.var.t));
    return c.json(await urssafYear(accountCtx(c), q.year, q.frequency));
  })
  .get("/books/thresholds", async (c) => {
    const q = orThrow(c, validate(YearQuery, yearQuery(c), c.var.locale, c.var.t));
    return c.json(await thresholdsView(accountCtx(c), q.year));
  })
  .get("/books/deadlines", async (c) => {
    const ctx = accountCtx(c);
    const settings = await booksSettingsOf(ctx.db, ctx.accountId);
    const today = todayInParis(ctx.now);
    return c.json({ frequency: settings.declarationFrequency, deadlines: deadlinesBetween(today, addDays(today, 365), settings.declarationFrequency) });
  })
  .get("/books/receipts", async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    const ctx = accountCtx(c);
    const entries = await receiptsBook(ctx.db, ctx.accountId, q.from, q.to);
    return c.json({ from: q.from, to: q.to, ...receiptsTotals(entries), entries });
  })
  .get("/books/receipts.csv", async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return csvResponse(c, q.from, q.to);
  })
  .get("/books/receipts.pdf", async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return pdfResponse(c, q.from, q.to);
  })
  .get("/books/purchases-register", async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return c.json({ from: q.from, to: q.to, entries: await registerEntries(c, q.from, q.to) });
  })
  .get("/books/purchases-register.csv", async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return registerCsvResponse(c, q.from, q.to);
  })
  .get("/books/purchases-register.pdf", async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return registerPdfResponse(c, q.from, q.to);
  })
  .get("/books/ereporting", async (c) => c.json({ periods: await ereportingRows(accountCtx(c)) }))
  // The period is in the body, not the path: `{ periodStart: "2027-09-01" }`.
  .post("/books/ereporting", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { periodStart?: unknown } | null;
    const start = typeof body?.periodStart === "string" ? body.periodStart.slice(0, 10) : "";
    return c.json(await submitEreportingPeriod(accountCtx(c), start), 201);
  })
  .get("/books/fec", async (c) => {
    const q = orThrow(c, validate(YearQuery, yearQuery(c), c.var.locale, c.var.t));
    return fecResponse(c, accountCtx(c), q.year);
  })
  .get("/books/settings", async (c) => {
    const ctx = accountCtx(c);
    return c.json(await booksSettingsOf(ctx.db, ctx.accountId));
  })
  .put("/books/settings", async (c) => {
    const input = await jsonBody(c, SettingsInput);
    const ctx = accountCtx(c);
    await saveBooksSettings(ctx, input);
    return c.json(await booksSettingsOf(ctx.db, ctx.accountId));
  });

/** Pages under /livres. */
export const booksPages = new Hono<AppEnv>()
  .use(BOOKS_PATH, requireAuth)
  .use(`${BOOKS_PATH}/*`, requireAuth)
  .get(BOOKS_PATH, async (c) => {
    const ctx = accountCtx(c);
    const today = todayInParis(ctx.now);
    const year = Number(today.slice(0, 4));
    const settings = await booksSettingsOf(ctx.db, ctx.accountId);
    const data = await urssafYear(ctx, year);
    const thresholds = await thresholdsView(ctx, year, data);
    const deadlines = deadlinesBetween(today, addDays(today, 365), settings.declarationFrequency).slice(0, 4);
    const ereporting = await ereportingCalendar(ctx, today);
    return render(c, <BooksOverviewPage ctx={pageContext(c)} thresholds={thresholds} deadlines={deadlines} ereporting={ereporting} settings={settings} />);
  })
  .get(URSSAF_PATH, async (c) => {
    const q = orThrow(c, validate(UrssafQuery, yearQuery(c), c.var.locale, c.var.t));
    return render(c, <UrssafPage ctx={pageContext(c)} data={await urssafYear(accountCtx(c), q.year, q.frequency)} />);
  })
  .get(RECEIPTS_PATH, async (c) => {
    const raw = periodQuery(c);
    const parsed = validate(PeriodQuery, raw, c.var.locale, c.var.t);
    if (!parsed.ok) return render(c, <ReceiptsPage ctx={pageContext(c)} from={raw.from ?? ""} to={raw.to ?? ""} entries={[]} errors={parsed.fields} />, 400);
    const ctx = accountCtx(c);
    const entries = await receiptsBook(ctx.db, ctx.accountId, parsed.data.from, parsed.data.to);
    return render(c, <ReceiptsPage ctx={pageContext(c)} from={parsed.data.from} to={parsed.data.to} entries={entries} />);
  })
  .get(`${RECEIPTS_PATH}.csv`, async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return csvResponse(c, q.from, q.to);
  })
  .get(`${RECEIPTS_PATH}.pdf`, async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return pdfResponse(c, q.from, q.to);
  })
  .get(REGISTER_PATH, async (c) => {
    const raw = periodQuery(c);
    const parsed = validate(PeriodQuery, raw, c.var.locale, c.var.t);
    if (!parsed.ok) return render(c, <RegisterPage ctx={pageContext(c)} from={raw.from ?? ""} to={raw.to ?? ""} entries={[]} errors={parsed.fields} />, 400);
    return render(c, <RegisterPage ctx={pageContext(c)} from={parsed.data.from} to={parsed.data.to} entries={await registerEntries(c, parsed.data.from, parsed.data.to)} />);
  })
  .get(`${REGISTER_PATH}.csv`, async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return registerCsvResponse(c, q.from, q.to);
  })
  .get(`${REGISTER_PATH}.pdf`, async (c) => {
    const q = orThrow(c, validate(PeriodQuery, periodQuery(c), c.var.locale, c.var.t));
    return registerPdfResponse(c, q.from, q.to);
  })
  .get(EREPORTING_PATH, async (c) => {
    const ctx = accountCtx(c);
    const flash = c.req.query("ok") === "1" ? ({ kind: "success", text: ctx.t("books.ereporting.sent") } as const) : null;
    return render(c, <EreportingPage ctx={pageContext(c)} rows={await ereportingRows(ctx)} flash={flash} />);
  })
  .post(EREPORTING_PATH, async (c) => {
    const ctx = accountCtx(c);
    const values = await formFields(c);
    try {
      await submitEreportingPeriod(ctx, (values.period ?? "").slice(0, 10));
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        return render(c, <EreportingPage ctx={pageContext(c)} rows={await ereportingRows(ctx)} flash={{ kind: "error", text: err.message }} />, err.status);
      }
      throw err;
    }
    return c.redirect(`${EREPORTING_PATH}?ok=1`, 303);
  })
  .get(FEC_PATH, async (c) => {
    const q = orThrow(c, validate(YearQuery, yearQuery(c), c.var.locale, c.var.t));
    return fecResponse(c, accountCtx(c), q.year);
  })
  .get(SETTINGS_PATH, async (c) => {
    const ctx = accountCtx(c);
    const s = await booksSettingsOf(ctx.db, ctx.accountId);
    const flash = c.req.query("enregistre") === "1" && s.confirmed ? ({ kind: "success", text: ctx.t("books.settings.saved") } as const) : null;
    return render(c, <BooksSettingsPage ctx={pageContext(c)} values={{ serviceCategory: s.serviceCategory, declarationFrequency: s.declarationFrequency }} confirmed={s.confirmed} flash={flash} />);
  })
  .post(SETTINGS_PATH, (c) =>
    handleForm(
      c,
      SettingsInput,
      async (input) => {
        const ctx = accountCtx(c);
        await saveBooksSettings(ctx, input);
        return c.redirect(`${SETTINGS_PATH}?enregistre=1`, 303);
      },
      async (values, errors, status) => {
        const ctx = accountCtx(c);
        const s = await booksSettingsOf(ctx.db, ctx.accountId);
        return render(c, <BooksSettingsPage ctx={pageContext(c)} values={values} confirmed={s.confirmed} errors={errors} />, status);
      },
    ),
  );
