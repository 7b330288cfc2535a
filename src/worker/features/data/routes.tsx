import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod";
import { accountCtx } from "../../context";
import type { AppEnv } from "../../env";
import { readCookie } from "../../http/cookies";
import { AppError } from "../../http/errors";
import { requireAuth } from "../../http/session";
import { jsonBody, readForm } from "../../http/validate";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { CONSENT_COOKIE, parseConsent } from "../privacy/consent";
import { jobErrorMessage, parseJobError } from "./i18n";
import { DATA_PATH, EXPORTS_PATH, IMPORT_PART_MAX_BODY, IMPORT_PATH, ownBodyLimit, signedDownloadPath } from "./links";
import type { OwnBodyLimit } from "../../http/large-body";
import { DataIndexPage, ExportsPage, type JobView } from "./pages";
import { dataOverview } from "./queries";
import { MAX_UPLOAD_BYTES, cancelImportUpload, completeImportUpload, createImportUpload, uploadImportPart } from "./uploads";
import { type DataJobRow, listDataJobs, loadDataJob, openExportDownload, requestExport, requestImport } from "./verbs";
import { contentDisposition } from "../../http/header-values";

type Ctx = Context<AppEnv>;

/** Seconds between refreshes of a page showing a job in progress (the no-JS progress indicator). */
const REFRESH_SECONDS = 3;

async function jobViews(c: Ctx, rows: DataJobRow[]): Promise<JobView[]> {
  const now = Date.now();
  return Promise.all(
    rows.map(async (row) => ({
      row,
      downloadHref:
        row.kind === "export" && row.status === "ready" && row.expiresAt > now ? await signedDownloadPath(c.var.config.SESSION_SECRET, row.id, row.expiresAt) : null,
    })),
  );
}

/** A page that lists a job still in progress reloads itself: a `Refresh` header, no script needed. */
function refreshWhileRunning(c: Ctx, rows: DataJobRow[]): void {
  if (rows.some((r) => r.status === "queued" || r.status === "running")) c.header("Refresh", String(REFRESH_SECONDS));
}

/** The JSON a client polls for progress; the download URL appears once the archive is ready. */
async function jobJson(c: Ctx, row: DataJobRow) {
  const [view] = await jobViews(c, [row]);
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    step: row.step,
    total: row.total,
    size: row.size,
    sha256: row.sha256,
    /** Stable code of a failure ("dangling_reference"), the table at fault, and the sentence shown. */
    error: parseJobError(row.error)?.code ?? null,
    errorTable: parseJobError(row.error)?.table ?? null,
    errorMessage: jobErrorMessage(c.var.t, row.error, c.var.locale),
    createdAt: row.createdAt,
    readyAt: row.readyAt,
    expiresAt: row.expiresAt,
    downloadUrl: view?.downloadHref ?? null,
  };
}

async function exportsPage(c: Ctx, opts: { status?: 200 | 400 | 409 | 413; errors?: Record<string, string> } = {}) {
  const ctx = accountCtx(c);
  const rows = await listDataJobs(ctx);
  refreshWhileRunning(c, rows);
  const flash = c.req.query("lance") === "export" ? c.var.t("data.exports.started") : c.req.query("lance") === "import" ? c.var.t("data.import.started") : null;
  return render(
    c,
    <ExportsPage ctx={pageContext(c)} jobs={await jobViews(c, rows)} flash={flash ? { kind: "success", text: flash } : null} {...(opts.errors ? { errors: opts.errors } : {})} />,
    opts.status ?? 200,
  );
}

/**
 * Pages of "Mes données": the access page (§9.1), exports and import (§9.5). Routes of the other
 * rights (closure, freeze, requests) live under /mes-donnees/ too, in features/privacy.
 */
export const dataPages = new Hono<AppEnv>()
  .use(DATA_PATH, requireAuth)
  .use(`${EXPORTS_PATH}`, requireAuth)
  .use(`${EXPORTS_PATH}/*`, requireAuth)
  .use(IMPORT_PATH, requireAuth)
  .get(DATA_PATH, async (c) => {
    const ctx = accountCtx(c);
    const consent = parseConsent(readCookie(c, CONSENT_COOKIE), ctx.now);
    const data = await dataOverview(ctx, consent?.consentId ?? null);
    refreshWhileRunning(c, data.jobs);
    return render(c, <DataIndexPage ctx={pageContext(c)} data={data} jobs={await jobViews(c, data.jobs)} />);
  })
  .get(EXPORTS_PATH, (c) => exportsPage(c))
  .post(EXPORTS_PATH, async (c) => {
    await requestExport(accountCtx(c));
    return c.redirect(`${EXPORTS_PATH}?lance=export`, 303);
  })
  .get(`${EXPORTS_PATH}/:id/telecharger`, async (c) => {
    const { row, object } = await openExportDownload(accountCtx(c), c.req.param("id"), c.req.query("expires"), c.req.query("sig"));
    const day = new Date(row.createdAt).toISOString().slice(0, 10);
    return new Response(object.body, {
      headers: {
        "content-type": "application/zip",
        "content-length": String(object.size),
        "content-disposition": contentDisposition("attachment", `factumo-export-${day}.zip`),
        "cache-control": "private, no-store",
        ...(row.sha256 ? { "x-content-sha256": row.sha256 } : {}),
      },
    });
  })
  .post(
    IMPORT_PATH,
    // The app-wide body limit skips this path (app.tsx): the form's archive may be far above it.
    // Hono reads this form whole (and the CSRF check reads it too): hence its 32 MB cap, enforced
    // with the session and CSRF checks before any read (importBodyLimit below). The page's script
    // sends larger archives in parts instead (the /api/v1/data/imports routes below).
    async (c) => {
      const body = await readForm(c);
      const file = body.archive;
      if (!(file instanceof File)) return exportsPage(c, { status: 400, errors: { archive: c.var.t("data.err.importFile") } });
      try {
        await requestImport(accountCtx(c), file);
      } catch (err) {
        if (err instanceof AppError && (err.code === "invalid" || err.code === "conflict")) {
          return exportsPage(c, { status: err.code === "invalid" ? 400 : 409, errors: err.fields ?? { archive: err.message } });
        }
        throw err;
      }
      return c.redirect(`${EXPORTS_PATH}?lance=import`, 303);
    },
  );

/**
 * The body limits of the import's routes (links.ts ownBodyLimit) with the form's own answer to an
 * archive over its cap: the import page with the error under the file field.
 */
export function importBodyLimit(method: string, path: string): OwnBodyLimit | null {
  const limit = ownBodyLimit(method, path);
  if (!limit || limit.streamed) return limit;
  return { ...limit, tooLarge: (c) => exportsPage(c, { status: 413, errors: { archive: c.var.t("data.err.importSize") } }) };
}

const UploadInput = z.object({ size: z.number().int().positive().max(MAX_UPLOAD_BYTES) }).strict();

/**
 * JSON API: start an export, list jobs, poll one job's progress; upload an import archive in parts
 * (create → PUT each part's raw bytes → complete, or DELETE to cancel), see uploads.ts.
 */
export const dataApi = new Hono<AppEnv>()
  .use("/data/*", requireAuth)
  .post("/data/exports", async (c) => {
    const row = await requestExport(accountCtx(c));
    return c.json({ export: await jobJson(c, row) }, 202);
  })
  .get("/data/exports", async (c) => {
    const rows = await listDataJobs(accountCtx(c));
    return c.json({ items: await Promise.all(rows.map((r) => jobJson(c, r))) });
  })
  .get("/data/exports/:id", async (c) => {
    const row = await loadDataJob(accountCtx(c), c.req.param("id"));
    return c.json({ export: await jobJson(c, row) });
  })
  .post("/data/imports", async (c) => {
    const { size } = await jsonBody(c, UploadInput);
    const { row, partSize, parts } = await createImportUpload(accountCtx(c), size);
    return c.json({ import: { id: row.id, size, partSize, parts } }, 201);
  })
  .put("/data/imports/:id/parts/:part", async (c) => {
    // The body is streamed to R2 as it arrives, never read here (the app-wide body limit skips this
    // route, app.tsx). Its declared length is checked first: over the largest part it is a 413,
    // and uploadImportPart wants it exactly the part's. A chunked body (no length) is refused.
    const length = c.req.raw.headers.has("transfer-encoding") ? undefined : c.req.header("content-length");
    if (length !== undefined && Number(length) > IMPORT_PART_MAX_BODY) throw new AppError("payload_too_large", c.var.t("data.err.partTooLarge", { expected: String(IMPORT_PART_MAX_BODY), got: length }));
    const part = await uploadImportPart(accountCtx(c), c.req.param("id"), c.req.param("part"), length, c.req.raw.body);
    return c.json({ part });
  })
  .post("/data/imports/:id/complete", async (c) => {
    const row = await completeImportUpload(accountCtx(c), c.req.param("id"));
    return c.json({ import: await jobJson(c, row) }, 202);
  })
  .delete("/data/imports/:id", async (c) => {
    await cancelImportUpload(accountCtx(c), c.req.param("id"));
    return c.body(null, 204);
  });
