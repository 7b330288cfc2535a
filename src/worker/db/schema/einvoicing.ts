import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * How an account reaches its Plateforme Agréée (account data, one row per account): Factumo's
 * platform PA by delegation (`Organization-Id` = the account's SIREN) or the user's own PA
 * credentials, whose secret is sealed like the IBAN. The mandate says who authorised Factumo to
 * transmit on the account's behalf, and when (e-invoicing, LEGAL.md §7).
 */
export const paConnections = sqliteTable("pa_connections", {
  accountId: text("account_id").primaryKey(),
  mode: text("mode", { enum: ["platform", "own"] }).notNull(),
  /** Own PA only: OAuth2 token URL, Flow Service and Directory Service base URLs, client id. */
  tokenUrl: text("token_url"),
  flowUrl: text("flow_url"),
  directoryUrl: text("directory_url"),
  clientId: text("client_id"),
  /** Own PA only: the client secret, AES-GCM sealed (aad.paClientSecret). */
  clientSecretSealed: text("client_secret_sealed"),
  /** Issued B2B invoices go through the PA (a per-account choice until 1 Sept 2027). */
  transmit: integer("transmit", { mode: "boolean" }).notNull().default(false),
  /** The mandate: the person (name and email) who authorised the transmission, and when. */
  mandateBy: text("mandate_by"),
  mandateAt: timestamp("mandate_at"),
  /** The PA's webhook subscription for this account (null until subscribed). */
  webhookId: text("webhook_id"),
  /** `updatedAfter` of the incremental status poll: the last `updatedAt` handled. */
  cursor: text("cursor"),
  lastPollAt: timestamp("last_poll_at"),
  createdAt: timestamp("created_at").notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});

/**
 * Every flow Factumo sends to the PA for an account: the Factur-X of an issued invoice (id = the
 * document id, which is also the flow's `trackingId`) or a lifecycle status such as 212 Encaissée.
 * It doubles as the outbox: `state` queued rows are (re)submitted with backoff until the PA takes
 * them, and a lost answer is found again by trackingId before any resubmission.
 * For an invoice row, `statusCode` is the latest lifecycle status, read by the document lists.
 */
export const paSubmissions = sqliteTable(
  "pa_submissions",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    documentId: text("document_id").notNull(),
    kind: text("kind", { enum: ["invoice", "status"] }).notNull(),
    /** For a status flow: its code (212…). */
    code: integer("code"),
    /**
     * queued: to send · sent: the PA answered 202 · acked: ack Ok · error: ack Error (see ackReason) ·
     * skipped: an in-scope invoice that did not go (ackReason says why, e.g. unknown_buyer).
     */
    state: text("state", { enum: ["queued", "sent", "acked", "error", "skipped"] }).notNull(),
    flowId: text("flow_id"),
    sha256: text("sha256").notNull(),
    /** R2 key of the file sent (the invoice's Factur-X, or the CDAR written for a status). */
    fileKey: text("file_key").notNull(),
    fileName: text("file_name").notNull(),
    /** BT-49 put in the invoice from the directory (invoice rows). */
    buyerAddress: text("buyer_address"),
    /** Latest lifecycle status code of an invoice (200, 210, 213…), null before the first. */
    statusCode: integer("status_code"),
    ackReason: text("ack_reason"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [
    index("pa_submissions_due").on(t.state, t.nextAttemptAt),
    index("pa_submissions_document").on(t.accountId, t.documentId),
    // The dashboard's notice: refused or rejected invoices, found without scanning the account.
    index("pa_submissions_status").on(t.accountId, t.statusCode),
  ],
);

/**
 * An issued invoice's lifecycle as the network reported it (append-only): one row per status
 * flow, keyed by the flow id so a status delivered twice (webhook and poll) counts once.
 */
export const transmissionEvents = sqliteTable(
  "transmission_events",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    documentId: text("document_id").notNull(),
    code: integer("code").notNull(),
    reasonCode: text("reason_code"),
    reason: text("reason"),
    /** When the status was issued (the CDAR's date), else when Factumo learnt it. */
    at: timestamp("at").notNull(),
    /** The PA flow that carried it; null for a status Factumo derived itself. */
    flowId: text("flow_id"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [uniqueIndex("transmission_events_flow").on(t.accountId, t.flowId), index("transmission_events_document").on(t.accountId, t.documentId, t.at)],
);
