import { eq } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import { accountDb } from "../../db/client";
import { accounts, users } from "../../db/schema";
import { signUp } from "../auth/verbs";

/** The demo login shown by `npm start` and the README. Local mode only. */
export const DEMO_ACCOUNT = {
  email: "demo@factumo.fr",
  password: "factumo-demo-2026",
  name: "Camille Martin",
  companyName: "Camille Martin Conseil",
} as const;

/**
 * Creates the demo account through the real sign-up verb, verified, with a complete profile of a
 * micro-entrepreneur under the VAT franchise. Idempotent: an existing demo account is left as is.
 */
export async function seedDemo(ctx: VerbCtx): Promise<{ created: boolean; accountId: string }> {
  const existing = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_ACCOUNT.email)).get();
  if (existing) {
    return { created: false, accountId: "" };
  }
  const { userId, accountId } = await signUp(ctx, {
    name: DEMO_ACCOUNT.name,
    email: DEMO_ACCOUNT.email,
    password: DEMO_ACCOUNT.password,
    companyName: DEMO_ACCOUNT.companyName,
  });
  await ctx.db.update(users).set({ emailVerifiedAt: ctx.now }).where(eq(users.id, userId));
  // A fictitious but checksum-valid identity (SIREN 123456782 passes Luhn).
  await accountDb(ctx.env, accountId)
    .update(accounts)
    .set({
      legalForm: "ei",
      siren: "123456782",
      siret: "12345678200010",
      registration: "none",
      addressLine1: "12 rue des Lilas",
      postalCode: "69003",
      city: "Lyon",
      country: "FR",
      contactEmail: DEMO_ACCOUNT.email,
      vatRegime: "franchise",
      paymentTermsDays: 30,
      updatedAt: ctx.now,
    })
    .where(eq(accounts.id, accountId));
  return { created: true, accountId };
}
