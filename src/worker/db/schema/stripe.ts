import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * An account's Stripe Connect account (account data). The Stripe account id is stored sealed
 * (AES-GCM, privacy policy §8); `stripeAccountHash` is its lookup key in `stripe_account_map`.
 * Factumo never sees card data: Checkout runs on Stripe, on the connected account.
 */
export const stripeConnections = sqliteTable("stripe_connections", {
  accountId: text("account_id").primaryKey(),
  stripeAccountSealed: text("stripe_account_sealed").notNull(),
  stripeAccountHash: text("stripe_account_hash").notNull(),
  /** Stripe's `charges_enabled`: onboarding finished and the account may take payments. */
  chargesEnabled: integer("charges_enabled", { mode: "boolean" }).notNull().default(false),
  /** The seller lets the payer choose an amount below what is still due. */
  allowPartial: integer("allow_partial", { mode: "boolean" }).notNull().default(false),
  createdAt: timestamp("created_at").notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});

/**
 * Directory table: which Factumo account a Stripe account id belongs to, keyed by a SHA-256 of
 * the id (the id itself is only stored sealed). Webhooks carry the Stripe id and nothing else
 * to find the account, and must find its shard before reading any account data.
 */
export const stripeAccountMap = sqliteTable("stripe_account_map", {
  stripeAccountHash: text("stripe_account_hash").primaryKey(),
  accountId: text("account_id").notNull(),
  createdAt: timestamp("created_at").notNull(),
});

/** Stripe event ids already handled for an account: a replayed event does nothing. */
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  type: text("type").notNull(),
  receivedAt: timestamp("received_at").notNull(),
});

/**
 * One row per Stripe payment intent on a connected account: the receipts-book entry it became
 * (`paymentId`) and how much of its refunds has been entered. Keyed by the payment intent, so
 * `checkout.session.completed` and `payment_intent.succeeded` for the same money count once, and
 * a refund that arrives before its payment waits here (`refundedSeenCents`) until the payment lands.
 */
export const stripePayments = sqliteTable(
  "stripe_payments",
  {
    accountId: text("account_id").notNull(),
    paymentIntentId: text("payment_intent_id").notNull(),
    documentId: text("document_id"),
    amountCents: integer("amount_cents"),
    /** payments.id of the entry once recorded; null while pending or refused (e.g. invoice cancelled). */
    paymentId: text("payment_id"),
    /** Set while one request records the payment; a stale claim (crashed request) may be taken over. */
    claimedAt: timestamp("claimed_at"),
    /** Highest cumulative refunded amount Stripe reported (charge.amount_refunded). */
    refundedSeenCents: integer("refunded_seen_cents").notNull().default(0),
    /** Part of it already entered in the receipts book as negative entries. */
    refundedAppliedCents: integer("refunded_applied_cents").notNull().default(0),
    /** Day (YYYY-MM-DD, Paris) of the latest refund seen: the date its negative entry carries. */
    refundedOn: text("refunded_on"),
    /**
     * Day (YYYY-MM-DD, Paris) Stripe reported the checkout's delayed payment (SEPA debit…) failed
     * (checkout.session.async_payment_failed): shown on the invoice, nothing counted as paid.
     */
    failedOn: text("failed_on"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.paymentIntentId] })],
);

/**
 * Every Checkout session Factumo opened (features/stripe/checkout.ts): for which document and what
 * amount. A signed payment event is booked only when it matches one of these (issue #14).
 */
export const stripeCheckouts = sqliteTable(
  "stripe_checkouts",
  {
    accountId: text("account_id").notNull(),
    sessionId: text("session_id").notNull(),
    documentId: text("document_id").notNull(),
    amountCents: integer("amount_cents").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.sessionId] }), index("stripe_checkouts_document").on(t.accountId, t.documentId)],
);

export const STRIPE_ANOMALY_KINDS = ["unknown_checkout", "amount_mismatch", "refund_exceeds_payment", "future_timestamp"] as const;
export type StripeAnomalyKind = (typeof STRIPE_ANOMALY_KINDS)[number];

/**
 * Signed Stripe events that were odd and NOT booked (issue #14): a payment matching no Checkout
 * Factumo opened, or of another amount, a refund beyond its payment, a timestamp in the future.
 * Logged, and shown to the seller on the invoice and the dashboard.
 */
export const stripeAnomalies = sqliteTable(
  "stripe_anomalies",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    documentId: text("document_id"),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    kind: text("kind", { enum: STRIPE_ANOMALY_KINDS }).notNull(),
    /** What the event said (payment or cumulative refund). */
    amountCents: integer("amount_cents"),
    /** What Factumo expected (the Checkout's amount, the payment's amount), when known. */
    expectedCents: integer("expected_cents"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("stripe_anomalies_account").on(t.accountId, t.createdAt), index("stripe_anomalies_document").on(t.accountId, t.documentId)],
);
