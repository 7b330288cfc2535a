import { eq } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import { accountDb } from "../../db/client";
import { users } from "../../db/schema";
import { createAccount } from "../auth/verbs";
import { ProfileInput } from "../profile/schemas";
import { updateProfile } from "../profile/verbs";
import { type DemoSummary, seedDemoBusiness } from "./demo-business";

/** The demo login shown by `npm start` and the README. Local mode only. */
export const DEMO_ACCOUNT = {
  email: "demo@factumo.fr",
  password: "factumo-demo-2026",
  name: "Camille Martin",
  companyName: "Camille Martin Conseil",
} as const;

/**
 * Creates the demo account through the sign-up's account creation (createAccount), verified, with a complete profile of a
 * micro-entrepreneur under the VAT franchise and a year of business (demo-business.ts), all through
 * the real verbs. Idempotent: an existing demo account is left as is.
 */
export async function seedDemo(ctx: VerbCtx): Promise<{ created: boolean; accountId: string; business?: DemoSummary }> {
  const existing = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_ACCOUNT.email)).get();
  if (existing) {
    return { created: false, accountId: "" };
  }
  const created = await createAccount(ctx, {
    name: DEMO_ACCOUNT.name,
    email: DEMO_ACCOUNT.email,
    password: DEMO_ACCOUNT.password,
    companyName: DEMO_ACCOUNT.companyName,
    acceptTerms: true,
  });
  if (!created) return { created: false, accountId: "" };
  const { userId, accountId } = created;
  await ctx.db.update(users).set({ emailVerifiedAt: ctx.now }).where(eq(users.id, userId));
  const account = { ...ctx, db: accountDb(ctx.env, accountId), accountId, userId };
  // A fictitious but checksum-valid identity (SIREN 123456782 passes Luhn).
  await updateProfile(
    account,
    ProfileInput.parse({
      name: DEMO_ACCOUNT.companyName,
      legalForm: "ei",
      siret: "12345678200010",
      registration: "none",
      addressLine1: "12 rue des Lilas",
      postalCode: "69003",
      city: "Lyon",
      country: "FR",
      contactEmail: DEMO_ACCOUNT.email,
      vatRegime: "franchise",
      paymentTermsDays: "30",
      iban: "FR7630006000011234567890189",
    }),
  );
  const business = await seedDemoBusiness(account);
  return { created: true, accountId, business };
}
