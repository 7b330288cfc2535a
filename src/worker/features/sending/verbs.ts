import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, clients, documents, documentSends, emailSuppressions, mailLog } from "../../db/schema";
import { AppError } from "../../http/errors";
import { hitAll, rateLimited } from "../../http/throttle";
import { randomId } from "../../lib/crypto/random";
import { sendMail } from "../../lib/mail";
import { type AccountVerbCtx, type DocumentRow } from "../documents/drafts";
import { ensureShared, publicUrlOf } from "../documents/share";
import { payUrlForIssue } from "../stripe/checkout";
import { releaseSend, requireThirdPartySend } from "./gate";
import { documentMail, type MailLanguage } from "./templates";

export interface DocumentSend {
  id: string;
  mailId: string;
  toAddress: string;
  language: MailLanguage;
  createdAt: number;
  status: "sent" | "failed" | "delivered" | "bounced" | "complained";
}

/** Why an address gets no automatic email any more (bounce or complaint), or null. */
export async function suppressionOf(db: Db, address: string): Promise<"bounced" | "complained" | null> {
  const row = await db.select({ reason: emailSuppressions.reason }).from(emailSuppressions).where(eq(emailSuppressions.address, address.trim().toLowerCase())).get();
  return row?.reason ?? null;
}

/** For automatic emails (reminders…): false when the address bounced or complained. */
export async function mayEmailAutomatically(db: Db, address: string): Promise<boolean> {
  return (await suppressionOf(db, address)) === null;
}

/**
 * Emails an issued document to its client, in the client's language: the PDF attached, its public
 * link (the live one, else a new one: ensureShared), reply-to the seller's contact address. Each send is recorded.
 * A send typed by the user goes even to a suppressed address; automatic ones must check first.
 */
export async function sendDocument(ctx: AccountVerbCtx, documentId: string, input: { to?: string } = {}): Promise<DocumentSend> {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  if (doc.status === "draft" || !doc.number) throw new AppError("conflict", ctx.t("sending.err.draft"));
  const [account, client] = await Promise.all([
    ctx.db.select({ name: accounts.name, contactEmail: accounts.contactEmail, frozenAt: accounts.frozenAt }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
    doc.clientId
      ? ctx.db.select({ email: clients.email, language: clients.language }).from(clients).where(and(eq(clients.id, doc.clientId), eq(clients.accountId, ctx.accountId))).get()
      : undefined,
  ]);
  if (!account) throw new AppError("not_found", ctx.t("err.not_found"));
  // Privacy policy §9.4: a frozen account processes nothing, emails included.
  if (account.frozenAt !== null) throw new AppError("conflict", ctx.t("sending.err.frozen"));
  const to = (input.to ?? client?.email ?? "").trim().toLowerCase();
  if (!to) throw new AppError("precondition_failed", ctx.t("sending.err.noEmail"), { to: ctx.t("sending.err.noEmail") });
  // Issue #14: a verified owner, and a new account's daily quota (gate.ts), before anything else counts.
  const quota = await requireThirdPartySend(ctx, ctx.accountId);
  // Every account's hourly limit, counted before the email leaves in the same atomic way (a burst of
  // parallel sends cannot pass it); a refusal gives the new-account quota hit back.
  const hourly = await hitAll(ctx.db, [["documentSend", ctx.accountId]], ctx.now);
  if (hourly.some((h) => h.over)) {
    await releaseSend(ctx.db, quota);
    throw rateLimited(ctx.t, hourly);
  }
  const admission = { hits: [...quota.hits, ...hourly] };
  const pdf = doc.pdfKey ? await ctx.env.FILES.get(doc.pdfKey) : null;
  if (!pdf) throw new AppError("conflict", ctx.t("sending.err.noPdf"));
  const bytes = new Uint8Array(await pdf.arrayBuffer());

  const language: MailLanguage = client?.language ?? "fr";
  // The link already given stays valid; the email carries it again (and a quote reads "Envoyé").
  const token = await ensureShared(ctx, doc.id);
  const { subject, text } = documentMail({
    language,
    type: doc.type,
    number: doc.number,
    sellerName: sellerNameOf(doc, account.name),
    amountCents: doc.dueCents,
    dueDate: doc.dueDate,
    validUntil: doc.validUntil,
    link: publicUrlOf(ctx.config, token),
    payLink: await payUrlForIssue(ctx, doc),
  });
  const mail = await sendMail(ctx.config, ctx.db, {
    to,
    subject,
    text,
    template: `document.${doc.type}.${language}`,
    accountId: ctx.accountId,
    ...(account.contactEmail ? { replyTo: account.contactEmail } : {}),
    attachments: [{ filename: `${doc.number}.pdf`, content: bytes, contentType: "application/pdf" }],
  }).catch(async (err: unknown) => {
    // Nothing left: the quota and the hourly hit are given back.
    await releaseSend(ctx.db, admission);
    throw err;
  });
  const send = { id: randomId(), accountId: ctx.accountId, documentId: doc.id, mailId: mail.id, toAddress: to, language, createdAt: ctx.now };
  await ctx.db.insert(documentSends).values(send);
  return { id: send.id, mailId: mail.id, toAddress: to, language, createdAt: send.createdAt, status: "sent" };
}

/** The seller's name as frozen on the document, so the email matches the PDF. */
function sellerNameOf(doc: DocumentRow, fallback: string): string {
  const snap = doc.snapshot as { seller?: { name?: string } } | null;
  return snap?.seller?.name ?? fallback;
}

/** A document's sends, newest first, each with its delivery status from the mail log. */
export async function listSends(ctx: AccountVerbCtx, documentId: string, limit = 20): Promise<DocumentSend[]> {
  const rows = await ctx.db
    .select({
      id: documentSends.id,
      mailId: documentSends.mailId,
      toAddress: documentSends.toAddress,
      language: documentSends.language,
      createdAt: documentSends.createdAt,
      status: mailLog.status,
    })
    .from(documentSends)
    .leftJoin(mailLog, eq(mailLog.id, documentSends.mailId))
    .where(and(eq(documentSends.accountId, ctx.accountId), eq(documentSends.documentId, documentId)))
    .orderBy(desc(documentSends.createdAt), desc(documentSends.id))
    .limit(limit)
    .all();
  return rows.map((r) => ({ ...r, status: r.status ?? "sent" }));
}
