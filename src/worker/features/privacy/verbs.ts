import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { consentProofs, policyAcknowledgements, users } from "../../db/schema";
import { randomId } from "../../lib/crypto/random";
import {
  CONSENT_WORDING_VERSION,
  choiceFor,
  consentExpiresAt,
  type ConsentAction,
  type ConsentChoice,
  type ConsentState,
} from "./consent";
import { CURRENT_POLICY, acceptedPolicyVersion } from "./policy";

export interface PrivacyVerbCtx {
  db: Db;
  now: number;
}

/**
 * Records a cookie choice: a proof row (anonymous id, choice, wording version, time) and the state
 * the `__Host-consent` cookie will carry. A returning visitor keeps their anonymous id, so the
 * proofs of one browser form a history.
 */
export async function recordConsent(
  ctx: PrivacyVerbCtx,
  action: ConsentAction,
  custom: ConsentChoice,
  previousId: string | null,
): Promise<ConsentState> {
  const choice = choiceFor(action, custom);
  const state: ConsentState = {
    consentId: previousId ?? randomId(),
    ...choice,
    wordingVersion: CONSENT_WORDING_VERSION,
    decidedAt: ctx.now,
  };
  await ctx.db.insert(consentProofs).values({
    id: randomId(),
    consentId: state.consentId,
    action,
    performance: state.performance,
    functional: state.functional,
    wordingVersion: state.wordingVersion,
    at: ctx.now,
    expiresAt: consentExpiresAt(ctx.now),
  });
  return state;
}

/** The policy version a user stands on (see acceptedPolicyVersion). */
export async function acceptedVersionOf(db: Db, userId: string): Promise<string | null> {
  const [user, acks] = await db.batch([
    db.select({ createdAt: users.createdAt }).from(users).where(eq(users.id, userId)),
    db.select({ version: policyAcknowledgements.version }).from(policyAcknowledgements).where(eq(policyAcknowledgements.userId, userId)),
  ]);
  if (!user[0]) return null;
  return acceptedPolicyVersion(
    user[0].createdAt,
    acks.map((a) => a.version),
  );
}

/** The user has read the policy in force: the notice stops showing. Idempotent. */
export async function acknowledgePolicy(ctx: PrivacyVerbCtx, userId: string): Promise<void> {
  await ctx.db
    .insert(policyAcknowledgements)
    .values({ userId, version: CURRENT_POLICY.version, at: ctx.now })
    .onConflictDoNothing();
}
