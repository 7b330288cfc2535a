import { eq } from "drizzle-orm";
import type { VerbCtx } from "../../context";
import { accounts } from "../../db/schema";
import { AppError } from "../../http/errors";
import { aad, sealerFor } from "../../lib/sealer";
import { accessEntry } from "../privacy/access-log";
import { checkLogo, type LogoType, MAX_LOGO_BYTES } from "./logo";
import type { ProfileInput } from "./schemas";

/** A verb context for the signed-in account (what `accountCtx(c)` returns). */
export type AccountCtx = VerbCtx & { accountId: string; userId?: string };

type AccountRow = typeof accounts.$inferSelect;

/** The company profile with the bank details opened; never leaves the server with the sealed columns. */
export type Profile = Omit<AccountRow, "ibanSealed" | "bicSealed" | "frozenAt" | "lastActivityAt" | "createdAt"> & {
  iban: string | null;
  bic: string | null;
};

/** Where an account's logo lives in R2: one object per account, overwritten on upload. */
export const logoKeyOf = (accountId: string) => `accounts/${accountId}/logo`;

async function accountRow(ctx: AccountCtx): Promise<AccountRow> {
  const row = await ctx.db.select().from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  if (!row) throw new AppError("not_found", ctx.t("err.not_found"));
  return row;
}

/** Reads the signed-in account's profile and opens the sealed IBAN and BIC. */
export async function getProfile(ctx: AccountCtx): Promise<Profile> {
  const { ibanSealed, bicSealed, frozenAt: _f, lastActivityAt: _l, createdAt: _c, ...rest } = await accountRow(ctx);
  const sealer = await sealerFor(ctx.config);
  return {
    ...rest,
    iban: ibanSealed ? await sealer.open(ibanSealed, aad.iban(ctx.accountId)) : null,
    bic: bicSealed ? await sealer.open(bicSealed, aad.bic(ctx.accountId)) : null,
  };
}

/**
 * Replaces the profile with a validated input (absent optional fields are cleared, except the bank
 * details when `keep` says so). The IBAN and BIC are sealed before the write: the D1 row never
 * holds them in clear.
 */
export async function updateProfile(
  ctx: AccountCtx,
  input: ProfileInput,
  keep: { keepIban?: boolean; keepBic?: boolean } = {},
): Promise<Profile> {
  const sealer = await sealerFor(ctx.config);
  // The access log names a change of bank details (privacy policy §8): compare with what was held.
  const before = await accountRow(ctx);
  const held = async (sealed: string | null, data: string) => (sealed ? await sealer.open(sealed, data) : null);
  const bankChanged =
    (!keep.keepIban && (await held(before.ibanSealed, aad.iban(ctx.accountId))) !== (input.iban ?? null)) ||
    (!keep.keepBic && (await held(before.bicSealed, aad.bic(ctx.accountId))) !== (input.bic ?? null));
  const bank: Partial<Pick<AccountRow, "ibanSealed" | "bicSealed">> = {};
  if (!keep.keepIban) bank.ibanSealed = input.iban ? await sealer.seal(input.iban, aad.iban(ctx.accountId)) : null;
  if (!keep.keepBic) bank.bicSealed = input.bic ? await sealer.seal(input.bic, aad.bic(ctx.accountId)) : null;
  const updated = await ctx.db
    .update(accounts)
    .set({
      name: input.name,
      legalForm: input.legalForm,
      siren: input.siren ?? null,
      siret: input.siret ?? null,
      registration: input.registration,
      registrationCity: input.registration === "none" ? null : (input.registrationCity ?? null),
      shareCapitalCents: input.shareCapitalCents ?? null,
      addressLine1: input.addressLine1 ?? null,
      addressLine2: input.addressLine2 ?? null,
      postalCode: input.postalCode ?? null,
      city: input.city ?? null,
      country: input.country,
      contactEmail: input.contactEmail ?? null,
      phone: input.phone ?? null,
      vatRegime: input.vatRegime,
      vatNumber: input.vatNumber ?? null,
      vatOnDebits: input.vatOnDebits,
      activityStartDate: input.activityStartDate ?? null,
      paymentTermsDays: input.paymentTermsDays,
      latePenaltyRateBp: input.latePenaltyRateBp ?? null,
      earlyPaymentDiscount: input.earlyPaymentDiscount ?? null,
      ...bank,
      updatedAt: ctx.now,
      lastActivityAt: ctx.now,
    })
    .where(eq(accounts.id, ctx.accountId))
    .returning({ id: accounts.id })
    .get();
  if (!updated) throw new AppError("not_found", ctx.t("err.not_found"));
  await ctx.db.batch([accessEntry(ctx, "profile_changed"), ...(bankChanged ? [accessEntry(ctx, "bank_details_changed")] : [])]);
  return getProfile(ctx);
}

/** "•••• 0189": enough for the owner to recognise the account, nothing an API client could reuse. */
export function maskIban(iban: string): string {
  return `•••• ${iban.slice(-4)}`;
}

/**
 * Stores a new logo after checking its bytes (PNG, JPEG or an inert SVG, 1 MB at most). The field
 * error is keyed `logo` so the form can show it next to the file input.
 */
export async function uploadLogo(ctx: AccountCtx, file: File): Promise<{ type: LogoType }> {
  const fail = (key: "err.logo.size" | "err.logo.type" | "err.logo.svg" | "err.logo.missing") =>
    new AppError("invalid", ctx.t(key), { logo: ctx.t(key) });
  // Checked before reading so a huge upload is not buffered twice.
  if (file.size > MAX_LOGO_BYTES) throw fail("err.logo.size");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const check = checkLogo(bytes);
  if (!check.ok) {
    throw fail(
      check.reason === "empty" ? "err.logo.missing" : check.reason === "size" ? "err.logo.size" : check.reason === "svg" ? "err.logo.svg" : "err.logo.type",
    );
  }
  const key = logoKeyOf(ctx.accountId);
  await ctx.env.FILES.put(key, bytes, { httpMetadata: { contentType: check.type } });
  await ctx.db
    .update(accounts)
    .set({ logoKey: key, logoType: check.type, updatedAt: ctx.now, lastActivityAt: ctx.now })
    .where(eq(accounts.id, ctx.accountId));
  return { type: check.type };
}

/** Deletes the logo from R2 and forgets it on the account. */
export async function removeLogo(ctx: AccountCtx): Promise<void> {
  const row = await accountRow(ctx);
  if (row.logoKey) await ctx.env.FILES.delete(row.logoKey);
  await ctx.db
    .update(accounts)
    .set({ logoKey: null, logoType: null, updatedAt: ctx.now, lastActivityAt: ctx.now })
    .where(eq(accounts.id, ctx.accountId));
}

/** The signed-in account's logo, or null. The R2 key comes from the account row, never from the request. */
export async function getLogo(ctx: AccountCtx): Promise<{ body: ReadableStream; type: string; etag: string } | null> {
  const row = await accountRow(ctx);
  if (!row.logoKey || !row.logoType) return null;
  const object = await ctx.env.FILES.get(row.logoKey);
  if (!object) return null;
  return { body: object.body, type: row.logoType, etag: object.httpEtag };
}
