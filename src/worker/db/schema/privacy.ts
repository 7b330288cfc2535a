import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

// Privacy by construction (PRIVACY.md): consent proofs, policy acknowledgements and the records of
// the retention job. Directory data: none of these rows belongs to one account's business data.

/**
 * Proof of every cookie choice (CNIL): an anonymous id (also in the `__Host-consent` cookie), what was
 * chosen, the wording version shown, and when. No IP, no user id: the proof needs none.
 */
export const consentProofs = sqliteTable(
  "consent_proofs",
  {
    id: text("id").primaryKey(),
    consentId: text("consent_id").notNull(),
    action: text("action", { enum: ["accept_all", "refuse_all", "custom", "closed"] }).notNull(),
    performance: integer("performance", { mode: "boolean" }).notNull(),
    functional: integer("functional", { mode: "boolean" }).notNull(),
    wordingVersion: text("wording_version").notNull(),
    at: timestamp("at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (t) => [index("consent_proofs_consent").on(t.consentId, t.at)],
);

/** A user's acknowledgement of a privacy policy version (policy §11: substantial changes are notified). */
export const policyAcknowledgements = sqliteTable(
  "policy_acknowledgements",
  {
    userId: text("user_id").notNull(),
    version: text("version").notNull(),
    at: timestamp("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.version] })],
);

/**
 * Inactive-account follow-up: the warning sent 30 days before erasure, for a given last activity
 * (newer activity makes the notice stale), then the erasure itself.
 */
export const inactivityNotices = sqliteTable("inactivity_notices", {
  accountId: text("account_id").primaryKey(),
  lastActivityAt: timestamp("last_activity_at").notNull(),
  warnedAt: timestamp("warned_at").notNull(),
  erasedAt: timestamp("erased_at"),
});

/**
 * The one exception to the immutability of issued documents: a row here, written by the retention
 * job once the legal 10 years have passed, lets the database delete that document and its lines
 * (triggers of migration `retention_purge_exception`). Append-only.
 */
export const retentionPurges = sqliteTable(
  "retention_purges",
  {
    documentId: text("document_id").primaryKey(),
    accountId: text("account_id").notNull(),
    type: text("type").notNull(),
    number: text("number"),
    issuedAt: timestamp("issued_at").notNull(),
    purgedAt: timestamp("purged_at").notNull(),
  },
  (t) => [index("retention_purges_account").on(t.accountId)],
);

/** One row per retention run: counts per retention class, for the operator. */
export const retentionRuns = sqliteTable(
  "retention_runs",
  {
    id: text("id").primaryKey(),
    /** The clock the run used (injected in tests), not the wall time. */
    asOf: timestamp("as_of").notNull(),
    summary: text("summary", { mode: "json" }).$type<Record<string, number>>().notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("retention_runs_as_of").on(t.asOf)],
);

export const RIGHTS_REQUEST_TYPES = ["access", "rectification", "erasure", "restriction", "portability", "objection"] as const;
export type RightsRequestType = (typeof RIGHTS_REQUEST_TYPES)[number];

/**
 * Rights requests (policy §9.8), by form or recorded by the operator from an email: each must be
 * answered within one calendar month (`due_at`). Kept after the account closes, as the proof that
 * the request was answered.
 */
export const rightsRequests = sqliteTable(
  "rights_requests",
  {
    id: text("id").primaryKey(),
    /** Null for a request from someone without an account (or received by email from an unknown address). */
    accountId: text("account_id"),
    email: text("email").notNull(),
    type: text("type", { enum: RIGHTS_REQUEST_TYPES }).notNull(),
    message: text("message").notNull(),
    channel: text("channel", { enum: ["form", "email"] }).notNull(),
    createdAt: timestamp("created_at").notNull(),
    dueAt: timestamp("due_at").notNull(),
    status: text("status", { enum: ["open", "answered", "refused"] }).notNull().default("open"),
    answeredAt: timestamp("answered_at"),
  },
  (t) => [index("rights_requests_status_due").on(t.status, t.dueAt), index("rights_requests_account").on(t.accountId, t.createdAt)],
);

/** Each freeze and unfreeze of an account (policy §9.4), with its reason: accounts.frozen_at is the current state. */
export const accountRestrictions = sqliteTable(
  "account_restrictions",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    userId: text("user_id"),
    action: text("action", { enum: ["freeze", "unfreeze"] }).notNull(),
    reason: text("reason"),
    at: timestamp("at").notNull(),
  },
  (t) => [index("account_restrictions_account").on(t.accountId, t.at)],
);
