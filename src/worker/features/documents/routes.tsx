import { Hono } from "hono";
import type { DocumentSnapshot } from "../../domain/document";
import { toUbl } from "../../domain/einvoice/ubl";
import { unitPriceDecimal } from "../../domain/format";
import { MAX_NEXT_NUMBER } from "../../domain/numbering";
import { unitPriceE4Of } from "../../domain/totals";
import { recordAccess } from "../privacy/access-log";
import * as z from "zod";
import { accountCtx } from "../../context";
import { DOCUMENT_TYPES } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { requireAuth } from "../../http/session";
import { jsonBody, orThrow, validate } from "../../http/validate";
import { cancelInvoice } from "./cancel";
import { duplicateDocument } from "./duplicate";
import { createDraft, deleteDraft, loadDocument, updateDraft } from "./drafts";
import { issueDocument, issueFaultsFrom } from "./issue";
import { LIST_STATUSES, listDocuments, verifyIssueChain } from "./queries";
import { convertQuote } from "./quotes";
import { publicUrlOf, revokeShare, shareDocument } from "./share";
import { configureSeries, listSeries } from "./series";
import { DraftInput, IssueInput } from "./schemas";
import { contentDisposition } from "../../http/header-values";
import { transmissionOf } from "../einvoicing/transmit";

const CreateInput = DraftInput.extend({ type: z.enum(DOCUMENT_TYPES), precedingDocumentId: z.string().max(40).optional() });
const ConvertInput = z.object({ to: z.enum(["invoice", "deposit_invoice"]), percentBp: z.number().int().min(1).max(10_000).optional() });
const SeriesInput = z.object({ prefix: z.string().trim().toUpperCase().optional(), nextNumber: z.number().int().min(1).max(MAX_NEXT_NUMBER).optional() });
const ListInput = z.object({
  type: z.enum(DOCUMENT_TYPES).optional(),
  // The list tabs' statuses (derived ones included: paid, overdue, expired…); anything else is a 400 `invalid`.
  status: z.enum(LIST_STATUSES).optional(),
  cursor: z.string().max(200).optional(),
  q: z.string().max(100).optional(),
});

function publicDocument(d: Awaited<ReturnType<typeof loadDocument>>["doc"]) {
  const { accountId: _a, publicTokenHash: _p, publicTokenSealed: _s, ...rest } = d;
  return rest;
}

/** Stored lines with their unit price as a decimal string too ("3.333"), the way PUT takes it back. */
function apiLines(lines: Awaited<ReturnType<typeof loadDocument>>["lines"]) {
  return lines.map((l) => ({ ...l, unitPrice: unitPriceDecimal(unitPriceE4Of(l)) }));
}

/** JSON API for quotes, invoices, deposit invoices and credit notes. */
export const documentsApi = new Hono<AppEnv>()
  .use("/documents", requireAuth)
  .use("/documents/*", requireAuth)
  .use("/audit/*", requireAuth)
  .use("/series", requireAuth)
  .use("/series/*", requireAuth)
  .get("/documents", async (c) => {
    const q = orThrow(c, validate(ListInput, c.req.query(), c.var.locale, c.var.t));
    const page = await listDocuments(accountCtx(c), { types: q.type ? [q.type] : [...DOCUMENT_TYPES], status: q.status, cursor: q.cursor, q: q.q });
    return c.json(page);
  })
  .post("/documents", async (c) => {
    const input = await jsonBody(c, CreateInput);
    const ctx = accountCtx(c);
    const id = await createDraft(ctx, input.type, input, input.precedingDocumentId ? { precedingDocumentId: input.precedingDocumentId } : {});
    const { doc, lines } = await loadDocument(ctx, id);
    return c.json({ document: publicDocument(doc), lines: apiLines(lines) }, 201);
  })
  .get("/documents/:id", async (c) => {
    const ctx = accountCtx(c);
    const { doc, lines } = await loadDocument(ctx, c.req.param("id"));
    // The e-invoicing network's view of the document (issue #12): status and lifecycle.
    const transmission = doc.status === "draft" ? null : await transmissionOf(ctx, doc.id, c.var.locale);
    return c.json({ document: { ...publicDocument(doc), transmission }, lines: apiLines(lines), transmission });
  })
  .put("/documents/:id", async (c) => {
    const ctx = accountCtx(c);
    await updateDraft(ctx, c.req.param("id"), await jsonBody(c, DraftInput));
    const { doc, lines } = await loadDocument(ctx, c.req.param("id"));
    return c.json({ document: publicDocument(doc), lines: apiLines(lines) });
  })
  .delete("/documents/:id", async (c) => {
    await deleteDraft(accountCtx(c), c.req.param("id"));
    return c.body(null, 204);
  })
  .post("/documents/:id/issue", async (c) => {
    const input = await jsonBody(c, IssueInput);
    const ctx = accountCtx(c);
    const doc = await issueDocument(ctx, c.req.param("id"), input, issueFaultsFrom(ctx.config));
    return c.json({ document: publicDocument(doc) });
  })
  .post("/documents/:id/cancel", async (c) => {
    const credit = await cancelInvoice(accountCtx(c), c.req.param("id"));
    return c.json({ creditNote: publicDocument(credit) }, 201);
  })
  .get("/documents/:id/:format{pdf|xml}", async (c) => {
    const ctx = accountCtx(c);
    const { doc } = await loadDocument(ctx, c.req.param("id"));
    const key = c.req.param("format") === "pdf" ? doc.pdfKey : doc.xmlKey;
    if (!key) throw new AppError("not_found", ctx.t("err.not_found"));
    const obj = await ctx.env.FILES.get(key);
    if (!obj) throw new AppError("not_found", ctx.t("err.not_found"));
    const ext = c.req.param("format");
    await recordAccess(ctx, "document_downloaded", `${doc.number}.${ext}`);
    return new Response(obj.body, {
      headers: {
        "content-type": ext === "pdf" ? "application/pdf" : "text/xml; charset=utf-8",
        "content-disposition": contentDisposition("attachment", `${doc.number}.${ext}`),
        "cache-control": "private, max-age=0",
        "x-content-sha256": obj.customMetadata?.sha256 ?? "",
      },
    });
  })
  .post("/documents/:id/share", async (c) => {
    const token = await shareDocument(accountCtx(c), c.req.param("id"));
    return c.json({ url: publicUrlOf(c.var.config, token) }, 201);
  })
  .delete("/documents/:id/share", async (c) => {
    await revokeShare(accountCtx(c), c.req.param("id"));
    return c.body(null, 204);
  })
  .post("/documents/:id/duplicate", async (c) => {
    const ctx = accountCtx(c);
    const id = await duplicateDocument(ctx, c.req.param("id"));
    const { doc, lines } = await loadDocument(ctx, id);
    return c.json({ document: publicDocument(doc), lines: apiLines(lines) }, 201);
  })
  .post("/documents/:id/convert", async (c) => {
    const input = await jsonBody(c, ConvertInput);
    const ctx = accountCtx(c);
    const id = await convertQuote(ctx, c.req.param("id"), input.to === "invoice" ? { to: "invoice" } : { to: "deposit_invoice", percentBp: input.percentBp ?? 0 });
    const { doc, lines } = await loadDocument(ctx, id);
    return c.json({ document: publicDocument(doc), lines: apiLines(lines) }, 201);
  })
  .get("/documents/:id/ubl", async (c) => {
    const ctx = accountCtx(c);
    const { doc } = await loadDocument(ctx, c.req.param("id"));
    if (!doc.snapshot || doc.type === "quote") throw new AppError("not_found", ctx.t("err.not_found"));
    await recordAccess(ctx, "document_downloaded", `${doc.number}-ubl.xml`);
    return c.body(toUbl(doc.snapshot as DocumentSnapshot), 200, {
      "content-type": "application/xml; charset=utf-8",
      "content-disposition": contentDisposition("attachment", `${doc.number}-ubl.xml`),
    });
  })
  .get("/series", async (c) => c.json({ series: await listSeries(accountCtx(c)) }))
  .put("/series/:type", async (c) => {
    const type = orThrow(c, validate(z.enum(DOCUMENT_TYPES), c.req.param("type"), c.var.locale, c.var.t));
    const input = await jsonBody(c, SeriesInput);
    await configureSeries(accountCtx(c), type, input);
    return c.json({ series: await listSeries(accountCtx(c)) });
  })
  .get("/audit/verify", async (c) => c.json(await verifyIssueChain(accountCtx(c))));
