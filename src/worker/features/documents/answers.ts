import { and, desc, eq, isNotNull, isNull } from "drizzle-orm";
import { directoryDb } from "../../db/client";
import { clients, documents, memberships, users } from "../../db/schema";
import { formatDateTime, formatMoney } from "../../domain/format";
import { sendMail } from "../../lib/mail";
import { translator } from "../../ui/i18n";
import { type AccountVerbCtx, type DocumentRow, loadDocument } from "./drafts";

/** How many unseen answers the dashboard lists (the newest). */
const NOTICE_LIMIT = 10;

export interface QuoteAnswer {
  id: string;
  number: string | null;
  status: "accepted" | "refused";
  answeredAt: number;
  acceptedByName: string | null;
  clientName: string | null;
  taxInclusiveCents: number;
}

/**
 * Tells the seller that their client accepted or refused a quote: an email to each owner of the
 * account, in their own language, with the link to the quote. The answer itself is already
 * recorded (and shows on the dashboard until dismissed), so a failed email is logged, not thrown:
 * the client's answer must not fail because of the seller's mailbox.
 */
export async function notifyQuoteAnswer(ctx: AccountVerbCtx, doc: DocumentRow, answer: "accepted" | "refused", signer: string | null): Promise<void> {
  try {
    const [owners, client] = await Promise.all([
      directoryDb(ctx.env)
        .select({ id: users.id, email: users.email, name: users.name, locale: users.locale })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.accountId, ctx.accountId))
        .all(),
      doc.clientId
        ? ctx.db.select({ name: clients.name }).from(clients).where(and(eq(clients.id, doc.clientId), eq(clients.accountId, ctx.accountId))).get()
        : Promise.resolve(undefined),
    ]);
    for (const owner of owners) {
      const t = translator(owner.locale);
      const vars = {
        name: owner.name,
        number: doc.number ?? "",
        client: client?.name ?? "—",
        signer: signer ?? "",
        amount: formatMoney(doc.taxInclusiveCents, owner.locale),
        date: formatDateTime(ctx.now, owner.locale),
        link: `${ctx.config.APP_URL}/documents/${doc.id}`,
      };
      await sendMail(ctx.config, ctx.db, {
        to: owner.email,
        subject: t(`quotes.answer.mail.subject.${answer}`, vars),
        text: t(`quotes.answer.mail.body.${answer}`, vars),
        template: `quote_${answer}`,
        accountId: ctx.accountId,
        userId: owner.id,
      });
    }
  } catch (err) {
    console.error(JSON.stringify({ level: "error", event: "quote_answer_mail_failed", accountId: ctx.accountId, documentId: doc.id, error: String(err) }));
  }
}

/** Quotes the client answered that the seller has not dismissed yet, newest first (dashboard). */
export async function unseenAnswers(ctx: AccountVerbCtx): Promise<QuoteAnswer[]> {
  const rows = await ctx.db
    .select({
      id: documents.id,
      number: documents.number,
      status: documents.status,
      answeredAt: documents.answeredAt,
      acceptedByName: documents.acceptedByName,
      clientName: clients.name,
      taxInclusiveCents: documents.taxInclusiveCents,
    })
    .from(documents)
    .leftJoin(clients, and(eq(clients.id, documents.clientId), eq(clients.accountId, documents.accountId)))
    .where(and(eq(documents.accountId, ctx.accountId), isNotNull(documents.answeredAt), isNull(documents.answerSeenAt)))
    .orderBy(desc(documents.answeredAt))
    .limit(NOTICE_LIMIT)
    .all();
  return rows.map((r) => ({ ...r, status: r.status === "refused" ? "refused" : "accepted", answeredAt: r.answeredAt ?? 0 }));
}

/** The seller saw the answer: it leaves the dashboard. Another account's id is a 404. */
export async function dismissAnswer(ctx: AccountVerbCtx, id: string): Promise<void> {
  await loadDocument(ctx, id);
  await ctx.db
    .update(documents)
    .set({ answerSeenAt: ctx.now })
    .where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId), isNotNull(documents.answeredAt), isNull(documents.answerSeenAt)));
}
