import { and, asc, count, eq, inArray, isNotNull, max, ne } from "drizzle-orm";
import type { Db } from "../../db/client";
import { documents, rightsRequests, type RightsRequestType } from "../../db/schema";
import { AppError } from "../../http/errors";
import { randomId } from "../../lib/crypto/random";
import { addDuration, RETENTION_CLASSES } from "../../domain/retention";

// Rights requests (policy §9.8): recorded with a due date one calendar month after receipt; the
// operator sees the open ones, oldest due first.

/** The answer is due one calendar month after receipt (RGPD art. 12.3): 31 January → 28/29 February. */
export const ANSWER_DELAY = { months: 1 } as const;

export const dueDateOf = (receivedAt: number) => addDuration(receivedAt, ANSWER_DELAY);

/** Document types under the 10-year accounting hold (quotes are not billing records). */
export const HELD_TYPES = ["invoice", "deposit_invoice", "credit_note"] as const;

export interface LegalHold {
  /** Issued invoices, deposit invoices and credit notes of the account. */
  documents: number;
  /** When the last of them may be purged (10 years after the latest issue), or null without any. */
  until: number | null;
}

/** What of an account is under legal hold: issued billing documents, until 10 years after the latest. */
export async function legalHoldOf(db: Db, accountId: string): Promise<LegalHold> {
  const row = await db
    .select({ n: count(), latest: max(documents.issuedAt) })
    .from(documents)
    .where(and(eq(documents.accountId, accountId), inArray(documents.type, [...HELD_TYPES]), ne(documents.status, "draft"), isNotNull(documents.issuedAt)))
    .get();
  const latest = row?.latest ?? null;
  return { documents: row?.n ?? 0, until: latest === null ? null : addDuration(latest, RETENTION_CLASSES.billing_records.duration) };
}

export interface NewRightsRequest {
  accountId: string | null;
  email: string;
  type: RightsRequestType;
  message: string;
  channel: "form" | "email";
  /** When it was received (an emailed request is recorded by the operator after the fact). */
  receivedAt: number;
}

/** Records a request; its answer is due one month after receipt. */
export async function recordRightsRequest(db: Db, input: NewRightsRequest): Promise<{ id: string; dueAt: number }> {
  const id = randomId();
  const dueAt = dueDateOf(input.receivedAt);
  await db.insert(rightsRequests).values({
    id,
    accountId: input.accountId,
    email: input.email.trim().toLowerCase(),
    type: input.type,
    message: input.message,
    channel: input.channel,
    createdAt: input.receivedAt,
    dueAt,
    status: "open",
  });
  return { id, dueAt };
}

/** Open requests across accounts (operator only), oldest due first. */
export function openRightsRequests(db: Db, limit = 200) {
  return db.select().from(rightsRequests).where(eq(rightsRequests.status, "open")).orderBy(asc(rightsRequests.dueAt), asc(rightsRequests.id)).limit(limit).all();
}

/** The requests an account made, newest first. */
export function rightsRequestsOf(db: Db, accountId: string) {
  return db
    .select({ id: rightsRequests.id, type: rightsRequests.type, createdAt: rightsRequests.createdAt, dueAt: rightsRequests.dueAt, status: rightsRequests.status, answeredAt: rightsRequests.answeredAt })
    .from(rightsRequests)
    .where(eq(rightsRequests.accountId, accountId))
    .orderBy(asc(rightsRequests.createdAt))
    .limit(100)
    .all();
}

/** Closes an open request as answered or refused (operator). */
export async function closeRightsRequest(db: Db, id: string, status: "answered" | "refused", now: number): Promise<void> {
  const done = await db
    .update(rightsRequests)
    .set({ status, answeredAt: now })
    .where(and(eq(rightsRequests.id, id), eq(rightsRequests.status, "open")))
    .returning({ id: rightsRequests.id });
  if (done.length === 0) throw new AppError("not_found", "Request not found or already closed.");
}

/** The operator emails of this deployment (OPERATOR_EMAILS, comma-separated), lower-cased. */
export function operatorEmails(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.includes("@"));
}

/** True for a signed-in user whose verified email is an operator's. */
export function isOperator(list: string | undefined, user: { email: string; emailVerified: boolean } | null | undefined): boolean {
  return !!user && user.emailVerified && operatorEmails(list).includes(user.email.trim().toLowerCase());
}
