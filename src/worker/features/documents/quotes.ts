import { and, eq, inArray } from "drizzle-orm";
import { depositDeductions, documents } from "../../db/schema";
import type { DocumentSnapshot, LineSnapshot } from "../../domain/document";
import { depositRefusal, depositShareCents, FULL_BP, remainingDepositBp } from "../../domain/quote-chain";
import { AppError } from "../../http/errors";
import { type AccountVerbCtx, createDraft, loadDocument, type DocumentRow, todayInParis } from "./drafts";
import type { DocumentLineInput } from "./schemas";

/** A quote past its validity date is expired, whatever its stored status says. */
export function quoteStatus(doc: Pick<DocumentRow, "type" | "status" | "validUntil">, today: string): DocumentRow["status"] {
  if (doc.type === "quote" && doc.status === "sent" && doc.validUntil && doc.validUntil < today) return "expired";
  return doc.status;
}

/**
 * The status a quote shows: quoteStatus, except that an open quote that never reached its client
 * (not emailed, no link shared) reads "issued" (Émis) rather than "sent" (Envoyé). The verbs keep
 * quoteStatus: an unsent quote can still be answered or converted. `invoiced`: its final invoice is issued.
 */
export function quoteDisplayStatus(doc: Pick<DocumentRow, "type" | "status" | "validUntil" | "sentAt">, today: string, invoiced = false): DocumentRow["status"] | "invoiced" {
  // Its final invoice issued (quoteInvoiced), a quote reads "Facturé", whatever its validity says.
  if (doc.type === "quote" && invoiced) return "invoiced";
  const status = quoteStatus(doc, today);
  return doc.type === "quote" && status === "sent" && doc.sentAt === null ? "issued" : status;
}

/**
 * Records the client's "Bon pour accord" on the public page: who (typed name), when, from which IP,
 * and the SHA-256 of the exact PDF they were shown (LEGAL.md §6). Only a sent, unexpired quote.
 */
export async function acceptQuote(
  ctx: AccountVerbCtx,
  doc: DocumentRow,
  input: { name: string; ip: string | null },
): Promise<void> {
  if (doc.type !== "quote" || quoteStatus(doc, todayInParis(ctx.now)) !== "sent" || !doc.pdfSha256) {
    throw new AppError("conflict", ctx.t("quotes.err.notAcceptable"));
  }
  const done = await ctx.db
    .update(documents)
    .set({ status: "accepted", acceptedAt: ctx.now, acceptedByName: input.name, acceptedIp: input.ip, acceptedPdfSha256: doc.pdfSha256, answeredAt: ctx.now, updatedAt: ctx.now })
    .where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId), eq(documents.status, "sent")))
    .returning({ id: documents.id })
    .get();
  if (!done) throw new AppError("conflict", ctx.t("quotes.err.notAcceptable"));
}

export async function refuseQuote(ctx: AccountVerbCtx, doc: DocumentRow): Promise<void> {
  if (doc.type !== "quote" || quoteStatus(doc, todayInParis(ctx.now)) !== "sent") throw new AppError("conflict", ctx.t("quotes.err.notAcceptable"));
  const done = await ctx.db
    .update(documents)
    .set({ status: "refused", answeredAt: ctx.now, updatedAt: ctx.now })
    .where(and(eq(documents.id, doc.id), eq(documents.accountId, ctx.accountId), eq(documents.status, "sent")))
    .returning({ id: documents.id })
    .get();
  // Answered meanwhile (a second tab, a double click): one answer, one notice to the seller.
  if (!done) throw new AppError("conflict", ctx.t("quotes.err.notAcceptable"));
}

function toLineInput(l: LineSnapshot): DocumentLineInput {
  return {
    productId: null,
    description: l.description,
    quantity: l.quantity,
    unitCode: l.unitCode,
    unitPriceCents: l.unitPriceCents,
    unitPriceE4: l.unitPriceE4 ?? null,
    discount: l.discount ?? null,
    vatCategory: l.vat.category,
    vatRateBp: l.vat.rateBasisPoints,
    exemptionCode: l.vat.exemptionCode ?? null,
    kind: l.kind,
  };
}

/** The deposit line's wording, in the language of the client who reads the invoice (issue #13). */
function depositDescription(quote: DocumentSnapshot, percentBp: number, vatRateBp: number | null): string {
  const en = quote.buyer.language === "en";
  const pct = (bp: number) => `${percentText(bp, en ? "en" : "fr")}${en ? "%" : " %"}`;
  if (en) return `${pct(percentBp)} deposit on quote ${quote.number}${vatRateBp === null ? "" : ` (VAT ${pct(vatRateBp)})`}`;
  return `Acompte de ${pct(percentBp)} sur le devis ${quote.number}${vatRateBp === null ? "" : ` (TVA ${pct(vatRateBp)})`}`;
}

/**
 * Deposit lines for `percentBp` of a quote, after deposits that already asked `beforeBp`: one line
 * per VAT group of the quote, each a share of that group's taxable base (cumulative, so the deposits
 * of a quote add up to its base at 100 %), so the deposit carries the same VAT as the work it pays for.
 */
export function depositLines(quote: DocumentSnapshot, percentBp: number, beforeBp = 0): DocumentLineInput[] {
  const category = quote.operationCategory === "goods" ? "goods" : "service";
  return quote.totals.vatBreakdown
    .map((g) => ({ g, cents: depositShareCents(g.taxableCents, beforeBp, percentBp) }))
    .filter(({ cents }) => cents > 0)
    .map(({ g, cents }) => ({
      productId: null,
      description: depositDescription(quote, percentBp, quote.totals.vatBreakdown.length > 1 ? g.rateBasisPoints : null),
      quantity: "1",
      unitCode: "C62",
      unitPriceCents: cents,
      unitPriceE4: null,
      discount: null,
      vatCategory: g.category,
      vatRateBp: g.rateBasisPoints,
      exemptionCode: g.exemptionCode ?? null,
      kind: category,
    }));
}

/** The invoices made from a quote so far: what its conversions must respect. */
async function chainOf(ctx: AccountVerbCtx, quoteId: string) {
  return ctx.db
    .select({ id: documents.id, type: documents.type, status: documents.status, number: documents.number, depositBp: documents.depositBp })
    .from(documents)
    .where(and(eq(documents.accountId, ctx.accountId), eq(documents.sourceQuoteId, quoteId)))
    .all();
}

/** A refusal of migration 0044's quote-chain triggers (a conversion that raced past the checks). */
function chainRaced(err: unknown): boolean {
  const text = String((err as { message?: unknown })?.message ?? err) + String((err as { cause?: { message?: unknown } })?.cause?.message ?? "");
  return /quote_(final_invoice_exists|draft_exists|deposits_exceed_total)/.test(text);
}

const percentText = (bp: number, locale: string) => (bp / 100).toLocaleString(locale === "en" ? "en-GB" : "fr-FR", { maximumFractionDigits: 2 });

/**
 * Turns an accepted (or sent) quote into a draft: the final invoice with the quote's lines and every
 * issued deposit invoice of that quote deducted, or a deposit invoice for a percentage of it. A quote
 * is invoiced once: while a draft of the same kind exists, converting opens it (its id comes back);
 * once its final invoice is issued, nothing more; its deposits ask at most 100 % of it. The checks
 * explain; migration 0044's triggers hold the same limits when two conversions race.
 */
export async function convertQuote(
  ctx: AccountVerbCtx,
  quoteId: string,
  target: { to: "invoice" } | { to: "deposit_invoice"; percentBp: number },
  raced = false,
): Promise<string> {
  const { doc } = await loadDocument(ctx, quoteId);
  const status = quoteStatus(doc, todayInParis(ctx.now));
  if (doc.type !== "quote" || (status !== "accepted" && status !== "sent") || !doc.snapshot || !doc.clientId) {
    throw new AppError("conflict", ctx.t("quotes.err.notConvertible"));
  }
  const chain = await chainOf(ctx, doc.id);
  const final = chain.find((d) => d.type === "invoice" && d.status !== "cancelled");
  if (final && final.status !== "draft") throw new AppError("conflict", ctx.t("quotes.err.invoiced", { number: final.number ?? "" }));
  const quote = doc.snapshot as DocumentSnapshot;
  const base = {
    clientId: doc.clientId,
    issueDate: null,
    deliveryDate: null,
    validUntil: null,
    paymentTermsDays: doc.paymentTermsDays,
    purchaseOrderReference: doc.purchaseOrderReference ?? undefined,
    note: undefined,
  };
  const again = (err: unknown): Promise<string> => {
    if (!raced && chainRaced(err)) return convertQuote(ctx, quoteId, target, true);
    throw err;
  };
  if (target.to === "deposit_invoice") {
    if (!Number.isInteger(target.percentBp) || target.percentBp < 1 || target.percentBp > 10_000) {
      throw new AppError("invalid", ctx.t("quotes.err.percent"), { percent: ctx.t("quotes.err.percent") });
    }
    // A final invoice in progress deducts the deposits issued when it was made: none may come after.
    if (final) throw new AppError("conflict", ctx.t("quotes.err.finalDraft"));
    const open = chain.find((d) => d.type === "deposit_invoice" && d.status === "draft");
    if (open) return open.id;
    const asked = chain.filter((d) => d.type === "deposit_invoice" && d.status !== "cancelled").map((d) => d.depositBp ?? 0);
    const refusal = depositRefusal(asked, target.percentBp);
    if (refusal) {
      const message = refusal.remainingBp === 0 ? ctx.t("quotes.err.depositsFull") : ctx.t("quotes.err.depositsExceed", { remaining: percentText(refusal.remainingBp, ctx.locale) });
      throw new AppError("conflict", message, { percent: message });
    }
    const beforeBp = FULL_BP - remainingDepositBp(asked);
    return createDraft(ctx, "deposit_invoice", { ...base, allowance: null, lines: depositLines(quote, target.percentBp, beforeBp) }, { sourceQuoteId: doc.id, depositBp: target.percentBp }).catch(again);
  }
  if (final) return final.id;
  let id: string;
  try {
    id = await createDraft(
      ctx,
      "invoice",
      {
        ...base,
        allowance: doc.allowanceKind && doc.allowanceValue ? { kind: doc.allowanceKind, value: doc.allowanceValue } : null,
        lines: quote.lines.map(toLineInput),
      },
      { sourceQuoteId: doc.id },
    );
  } catch (err) {
    return again(err);
  }
  const deposits = await ctx.db
    .select({ id: documents.id })
    .from(documents)
    .where(and(eq(documents.accountId, ctx.accountId), eq(documents.sourceQuoteId, doc.id), eq(documents.type, "deposit_invoice"), inArray(documents.status, ["issued"])))
    .all();
  if (deposits.length) {
    await ctx.db
      .insert(depositDeductions)
      .values(deposits.map((d) => ({ accountId: ctx.accountId, finalDocumentId: id, depositDocumentId: d.id })))
      .onConflictDoNothing();
  }
  return id;
}
