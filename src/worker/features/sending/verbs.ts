import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, clients, documents, documentSends, emailSuppressions, mailLog } from "../../db/schema";
import { AppError } from "../../http/errors";
import { hitAll, rateLimited } from "../../http/throttle";
import { randomId } from "../../lib/crypto/random";
import { sendMail } from "../../lib/mail";
import { type AccountVerbCtx, type DocumentRow } from "../documents/drafts";
import { currentShareToken, ensureShared, publicUrlOf } from "../documents/share";
import { payUrlForIssue } from "../stripe/checkout";
import { releaseSend, requireThirdPartySend } from "./gate";
import { requireMailText, templateFor } from "./email-templates";
import { documentMail, type MailLanguage, type TemplateKind, templateKindOf } from "./templates";

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

export interface SendInput {
  to?: string;
  /** The subject and message as edited in the preview (or sent to the API): placeholders allowed. */
  subject?: string;
  message?: string;
  /**
   * The send form's key (or the API's Idempotency-Key): the send row is claimed with it before the
   * email leaves, so a double submit or a replayed request sends once and answers the first send.
   */
  requestKey?: string;
}

/** What a send would write, for the preview page: nothing is claimed, shared or sent. */
export interface SendPreview {
  to: string;
  language: MailLanguage;
  kind: TemplateKind;
  number: string;
  subject: string;
  message: string;
  mandatory: string;
  attachment: string;
}

async function loadForSend(ctx: AccountVerbCtx, documentId: string) {
  const doc = await ctx.db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  if (doc.status === "draft" || !doc.number) throw new AppError("conflict", ctx.t("sending.err.draft"));
  const [account, client] = await Promise.all([
    ctx.db.select({ name: accounts.name, contactEmail: accounts.contactEmail, frozenAt: accounts.frozenAt }).from(accounts).where(eq(accounts.id, ctx.accountId)).get(),
    doc.clientId
      ? ctx.db
          .select({ email: clients.email, language: clients.language, name: clients.name })
          .from(clients)
          .where(and(eq(clients.id, doc.clientId), eq(clients.accountId, ctx.accountId)))
          .get()
      : undefined,
  ]);
  if (!account) throw new AppError("not_found", ctx.t("err.not_found"));
  const language: MailLanguage = client?.language ?? "fr";
  const stored = await templateFor(ctx.db, ctx.accountId, templateKindOf(doc.type), language);
  return { doc: { ...doc, number: doc.number }, account, client, language, stored };
}

type Loaded = Awaited<ReturnType<typeof loadForSend>>;

function compose(l: Loaded, input: SendInput, link: string, payLink: string | null) {
  const custom = { ...l.stored, ...(input.subject !== undefined ? { subject: input.subject } : {}), ...(input.message !== undefined ? { body: input.message } : {}) };
  return documentMail(
    {
      language: l.language,
      type: l.doc.type,
      number: l.doc.number,
      sellerName: sellerNameOf(l.doc, l.account.name),
      clientName: l.client?.name ?? "",
      issueDate: l.doc.issueDate,
      amountCents: l.doc.dueCents,
      dueDate: l.doc.dueDate,
      validUntil: l.doc.validUntil,
      link,
      payLink,
    },
    custom,
  );
}

/**
 * The email a send would write, filled from the account's template (or the built-in text). The
 * link reads as the live one when there is one; a new link and the pay link are made at send time.
 */
export async function previewSend(ctx: AccountVerbCtx, documentId: string): Promise<SendPreview> {
  const l = await loadForSend(ctx, documentId);
  const token = await currentShareToken(ctx, l.doc);
  // Without a live link, {lien} stays in the message (filled when sending) and the mandatory part says so.
  const mail = compose(l, {}, token ? publicUrlOf(ctx.config, token) : "{lien}", null);
  const mandatory = mail.mandatory.replace("{lien}", ctx.t("sending.preview.linkAtSend"));
  return { to: l.client?.email ?? "", language: l.language, kind: templateKindOf(l.doc.type), number: l.doc.number, subject: mail.subject, message: mail.message, mandatory, attachment: `${l.doc.number}.pdf` };
}

/**
 * Emails an issued document to its client, in the client's language: the PDF attached, its public
 * link (the live one, else a new one: ensureShared), reply-to the seller's contact address. Each send is recorded.
 * The subject and message may be the user's (placeholders filled); the link and the pay link are
 * always appended. A send typed by the user goes even to a suppressed address; automatic ones must check first.
 */
export async function sendDocument(ctx: AccountVerbCtx, documentId: string, input: SendInput = {}): Promise<DocumentSend & { already: boolean }> {
  const l = await loadForSend(ctx, documentId);
  const { doc, account, language } = l;
  // Privacy policy §9.4: a frozen account processes nothing, emails included.
  if (account.frozenAt !== null) throw new AppError("conflict", ctx.t("sending.err.frozen"));
  const to = (input.to ?? l.client?.email ?? "").trim().toLowerCase();
  if (!to) throw new AppError("precondition_failed", ctx.t("sending.err.noEmail"), { to: ctx.t("sending.err.noEmail") });
  requireMailText(ctx.t, input);

  // The claim comes first: a second request with the same key finds the row and sends nothing.
  const send = { id: randomId(), accountId: ctx.accountId, documentId: doc.id, mailId: "", toAddress: to, language, createdAt: ctx.now, requestKey: input.requestKey ?? null };
  if (input.requestKey) {
    const claimed = await ctx.db.insert(documentSends).values(send).onConflictDoNothing().returning({ id: documentSends.id }).get();
    if (!claimed) {
      const first = await ctx.db
        .select()
        .from(documentSends)
        .where(and(eq(documentSends.accountId, ctx.accountId), eq(documentSends.requestKey, input.requestKey)))
        .get();
      if (!first || first.documentId !== doc.id) throw new AppError("conflict", ctx.t("sending.err.keyReused"));
      return { id: first.id, mailId: first.mailId, toAddress: first.toAddress, language: first.language, createdAt: first.createdAt, status: "sent", already: true };
    }
  }
  const unclaim = () => (input.requestKey ? ctx.db.delete(documentSends).where(and(eq(documentSends.id, send.id), eq(documentSends.accountId, ctx.accountId))) : Promise.resolve());
  try {
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
    if (!pdf) {
      await releaseSend(ctx.db, admission);
      throw new AppError("conflict", ctx.t("sending.err.noPdf"));
    }
    const bytes = new Uint8Array(await pdf.arrayBuffer());

    // The link already given stays valid; the email carries it again (and a quote reads "Envoyé").
    const token = await ensureShared(ctx, doc.id);
    const { subject, text } = compose(l, input, publicUrlOf(ctx.config, token), await payUrlForIssue(ctx, doc));
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
    if (input.requestKey) await ctx.db.update(documentSends).set({ mailId: mail.id }).where(and(eq(documentSends.id, send.id), eq(documentSends.accountId, ctx.accountId)));
    else await ctx.db.insert(documentSends).values({ ...send, mailId: mail.id });
    return { id: send.id, mailId: mail.id, toAddress: to, language, createdAt: send.createdAt, status: "sent", already: false };
  } catch (err) {
    // Nothing left: the key may be used again.
    await unclaim();
    throw err;
  }
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
