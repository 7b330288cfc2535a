import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { searchKey } from "../clients/search";
import { clients, documents, issueLog, retentionPurges } from "../../db/schema";
import { type ChainEntry, verifyChain } from "../../domain/audit-chain";
import { documentContentHash } from "../../domain/audit-chain";
import { AppError } from "../../http/errors";
import { base64UrlDecode, base64UrlEncode, utf8Bytes } from "../../lib/crypto/random";
import { type AccountVerbCtx, type DocumentType, todayInParis } from "./drafts";
import { quoteStatus } from "./quotes";

export const PAGE_SIZE = 25;

/** LIKE patterns treat % and _ as wildcards; a search for "F_2026" must match them literally. */
function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

export type ListStatus = "draft" | "issued" | "sent" | "accepted" | "refused" | "expired" | "cancelled";

export interface ListQuery {
  types: DocumentType[];
  status?: ListStatus;
  /** Prefix of the document number, or of the client's name (accent- and case-insensitive). */
  q?: string;
  cursor?: string;
  limit?: number;
}

/** Keyset cursor over (created_at, id), shared by every newest-first list. */
export function encodeCursor(createdAt: number, id: string): string {
  return base64UrlEncode(utf8Bytes(`${createdAt}:${id}`));
}

export function decodeCursor(ctx: AccountVerbCtx, cursor: string): { createdAt: number; id: string } {
  try {
    const [at, id] = new TextDecoder().decode(base64UrlDecode(cursor)).split(":");
    const createdAt = Number(at);
    if (!Number.isSafeInteger(createdAt) || !id) throw new Error("cursor");
    return { createdAt, id };
  } catch {
    throw new AppError("invalid", ctx.t("err.unexpected"), { cursor: "invalid cursor" });
  }
}

/** "expired" is derived (a sent quote past validity), so it is a condition, not a stored value. */
function statusCondition(status: ListStatus | undefined, today: string) {
  if (!status) return undefined;
  if (status === "expired") return and(eq(documents.status, "sent"), lt(documents.validUntil, today));
  if (status === "sent") return and(eq(documents.status, "sent"), or(isNull(documents.validUntil), gte(documents.validUntil, today)));
  return eq(documents.status, status);
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
      validUntil: documents.validUntil,
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
        statusCondition(q.status, todayInParis(ctx.now)),
        q.q
          ? or(
              sql`${documents.number} LIKE ${`${escapeLike(q.q.trim().toUpperCase())}%`} ESCAPE '\\'`,
              sql`${clients.searchName} LIKE ${`${escapeLike(searchKey(q.q))}%`} ESCAPE '\\'`,
            )
          : undefined,
        after ? or(lt(documents.createdAt, after.createdAt), and(eq(documents.createdAt, after.createdAt), lt(documents.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(documents.createdAt), desc(documents.id))
    .limit(limit + 1)
    .all();
  const today = todayInParis(ctx.now);
  const items = rows.slice(0, limit).map((r) => ({ ...r, status: quoteStatus(r, today) }));
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
    .select({ entry: issueLog, doc: documents, purgedAt: retentionPurges.purgedAt })
    .from(issueLog)
    .leftJoin(documents, and(eq(documents.id, issueLog.documentId), eq(documents.accountId, issueLog.accountId)))
    .leftJoin(retentionPurges, and(eq(retentionPurges.documentId, issueLog.documentId), eq(retentionPurges.accountId, issueLog.accountId)))
    .where(eq(issueLog.accountId, ctx.accountId))
    .orderBy(asc(issueLog.seq))
    .all();
  const problems: Array<{ seq: number; kind: string }> = verifyChain(rows.map((r) => r.entry as ChainEntry));
  let purged = 0;
  for (const { entry, doc: d, purgedAt } of rows) {
    // A document purged after its 10-year retention is gone by law; its link in the chain still counts.
    if (!d && purgedAt !== null) {
      purged += 1;
      continue;
    }
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
  return { entries: rows.length, purged, ok: problems.length === 0, problems };
}
