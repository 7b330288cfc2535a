import { and, asc, desc, eq, inArray, lt, or } from "drizzle-orm";
import { clients, documents, issueLog } from "../../db/schema";
import { type ChainEntry, verifyChain } from "../../domain/audit-chain";
import { documentContentHash } from "../../domain/audit-chain";
import { AppError } from "../../http/errors";
import { base64UrlDecode, base64UrlEncode, utf8Bytes } from "../../lib/crypto/random";
import type { AccountVerbCtx, DocumentType } from "./drafts";

export const PAGE_SIZE = 25;

export type ListStatus = "draft" | "issued" | "sent" | "accepted" | "refused" | "expired" | "cancelled";

export interface ListQuery {
  types: DocumentType[];
  status?: ListStatus;
  cursor?: string;
  limit?: number;
}

function encodeCursor(createdAt: number, id: string): string {
  return base64UrlEncode(utf8Bytes(`${createdAt}:${id}`));
}

function decodeCursor(ctx: AccountVerbCtx, cursor: string): { createdAt: number; id: string } {
  try {
    const [at, id] = new TextDecoder().decode(base64UrlDecode(cursor)).split(":");
    const createdAt = Number(at);
    if (!Number.isSafeInteger(createdAt) || !id) throw new Error("cursor");
    return { createdAt, id };
  } catch {
    throw new AppError("invalid", ctx.t("err.unexpected"), { cursor: "invalid cursor" });
  }
}

/**
 * One page of documents, newest first, by keyset (created_at, id): reads page size + 1 rows
 * whatever the account's history (ARCHITECTURE.md: reads proportional to what is shown).
 */
export async function listDocuments(ctx: AccountVerbCtx, q: ListQuery) {
  const limit = Math.min(q.limit ?? PAGE_SIZE, 100);
  const after = q.cursor ? decodeCursor(ctx, q.cursor) : null;
  const rows = await ctx.db
    .select({
      id: documents.id,
      type: documents.type,
      status: documents.status,
      number: documents.number,
      issueDate: documents.issueDate,
      dueDate: documents.dueDate,
      taxExclusiveCents: documents.taxExclusiveCents,
      taxInclusiveCents: documents.taxInclusiveCents,
      dueCents: documents.dueCents,
      createdAt: documents.createdAt,
      clientName: clients.name,
    })
    .from(documents)
    .leftJoin(clients, and(eq(clients.id, documents.clientId), eq(clients.accountId, documents.accountId)))
    .where(
      and(
        eq(documents.accountId, ctx.accountId),
        inArray(documents.type, q.types),
        q.status ? eq(documents.status, q.status) : undefined,
        after ? or(lt(documents.createdAt, after.createdAt), and(eq(documents.createdAt, after.createdAt), lt(documents.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(documents.createdAt), desc(documents.id))
    .limit(limit + 1)
    .all();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

/**
 * Verifies the account's chain of issued documents: every link, and every entry's content hash
 * against the stored document (number, totals, PDF and XML hashes).
 */
export async function verifyIssueChain(ctx: AccountVerbCtx) {
  // One join, not an IN list: D1 caps bound parameters at 100 per statement.
  const rows = await ctx.db
    .select({ entry: issueLog, doc: documents })
    .from(issueLog)
    .leftJoin(documents, and(eq(documents.id, issueLog.documentId), eq(documents.accountId, issueLog.accountId)))
    .where(eq(issueLog.accountId, ctx.accountId))
    .orderBy(asc(issueLog.seq))
    .all();
  const problems: Array<{ seq: number; kind: string }> = verifyChain(rows.map((r) => r.entry as ChainEntry));
  for (const { entry, doc: d } of rows) {
    const expected =
      d && d.number && d.issueDate && d.pdfSha256
        ? documentContentHash({
            type: d.type,
            number: d.number,
            issueDate: d.issueDate,
            taxInclusiveCents: d.taxInclusiveCents,
            dueCents: d.dueCents,
            pdfSha256: d.pdfSha256,
            xmlSha256: d.xmlSha256,
          })
        : null;
    if (expected !== entry.contentHash) problems.push({ seq: entry.seq, kind: "content_mismatch" });
  }
  return { entries: rows.length, ok: problems.length === 0, problems };
}
