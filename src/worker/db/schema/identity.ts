import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

// Directory data: who can sign in, and to which account. When account data moves to shards,
// these tables stay in the directory database (ARCHITECTURE.md, "Scale").

/** A person who signs in. Distinct from the business (account) they work for. */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    emailVerifiedAt: timestamp("email_verified_at"),
    locale: text("locale", { enum: ["fr", "en"] }).notNull().default("fr"),
    /** AES-GCM sealed (lib/crypto/envelope): the row never holds the plain secret. */
    totpSecretSealed: text("totp_secret_sealed"),
    totpEnabledAt: timestamp("totp_enabled_at"),
    /** Last accepted TOTP time step: a code is never accepted twice. */
    totpLastStep: integer("totp_last_step"),
    passwordChangedAt: timestamp("password_changed_at").notNull(),
    /** Marketing consent (policy §4, §9.7): off by default; when given, the time and the wording version shown. */
    marketingOptInAt: timestamp("marketing_opt_in_at"),
    marketingWordingVersion: text("marketing_wording_version"),
    /** The version of the terms of use (privacy/policy.ts TERMS_VERSION) accepted at sign-up, and when. */
    termsVersion: text("terms_version"),
    termsAcceptedAt: timestamp("terms_accepted_at"),
    /** Objection to product analytics (policy §9.6): wins over any cookie consent. */
    analyticsOptOutAt: timestamp("analytics_opt_out_at"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email)],
);

/** Role of a user in an account. Only "owner" today; the table lets multi-user come later. */
export const memberships = sqliteTable(
  "memberships",
  {
    accountId: text("account_id").notNull(),
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["owner"] }).notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] }), index("memberships_user").on(t.userId)],
);

/** Sessions are stored by the SHA-256 of their cookie value so a database read cannot replay them. */
export const sessions = sqliteTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id").notNull(),
    accountId: text("account_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
    lastSeenAt: timestamp("last_seen_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user").on(t.userId), index("sessions_expires").on(t.expiresAt)],
);

/**
 * One-time links (email verification, password reset, email change and its undo): the jti of a
 * signed token. `used_at` is set when a link is used or voided (a newer reset link, an undo).
 */
export const authTokens = sqliteTable(
  "auth_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    purpose: text("purpose", { enum: ["verify_email", "reset_password", "change_email", "undo_email_change"] }).notNull(),
    /** The address the link sets: the new one (change_email), or the old one again (undo_email_change). */
    newEmail: text("new_email"),
    /**
     * The user's email when the link was minted: verification, reset and change links die when the
     * email changes (features/auth/tokens.ts). Null only for undo links, which outlive the change.
     */
    boundEmail: text("bound_email"),
    createdAt: timestamp("created_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
  },
  (t) => [index("auth_tokens_user").on(t.userId), index("auth_tokens_expires").on(t.expiresAt)],
);

/** Two-factor recovery codes, hashed; each works once. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    userId: text("user_id").notNull(),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/**
 * Connection log promised by the privacy policy (§3.3): every sign-in attempt with time, IP, user
 * agent and outcome. The attempted email is kept only as a hash (rate limiting per email).
 */
export const connectionLog = sqliteTable(
  "connection_log",
  {
    id: text("id").primaryKey(),
    at: timestamp("at").notNull(),
    userId: text("user_id"),
    emailHash: text("email_hash").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    outcome: text("outcome", {
      enum: ["success", "bad_credentials", "rate_limited", "totp_required", "totp_failed", "recovery_code_used"],
    }).notNull(),
  },
  (t) => [
    index("connection_log_email_at").on(t.emailHash, t.at),
    index("connection_log_ip_at").on(t.ip, t.at),
    index("connection_log_user_at").on(t.userId, t.at),
  ],
);

export const isFailure = sql`outcome IN ('bad_credentials', 'totp_failed')`;

/**
 * Atomic throttles (http/throttle.ts): one row per rule and hashed subject (an email, an IP, a user,
 * an account), counting hits in a window that opens at the first hit. One upsert increments and
 * reads back the count, so concurrent requests cannot all see "under the limit". Rows hold no plain
 * personal data (the subject is a SHA-256) and the retention cron deletes them once their window closed.
 */
export const throttles = sqliteTable(
  "throttles",
  {
    key: text("key").primaryKey(),
    windowStart: timestamp("window_start").notNull(),
    hits: integer("hits").notNull(),
  },
  (t) => [index("throttles_window_start").on(t.windowStart)],
);
