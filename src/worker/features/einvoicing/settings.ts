import { and, count, eq } from "drizzle-orm";
import * as z from "zod";
import { accounts, paConnections, paSubmissions } from "../../db/schema";
import { isPlatformUrl } from "../../domain/einvoice/platforms";
import { AppError } from "../../http/errors";
import { aad, sealerFor } from "../../lib/sealer";
import type { Translate } from "../../ui/i18n";
import { type Connection, type NetCtx, connectionOf, subscribeWebhooks } from "./connection";
import { type DirectoryLine, type PaEndpoint, forgetPaTokens, paClient, paClientForEndpoint, platformPa, resolveEndpoint } from "./pa-client";

/** The form of Paramètres → Facturation électronique (shared by the page and its tests). */
export const SettingsInput = z.object({
  mode: z.enum(["platform", "own"]),
  tokenUrl: z.string().trim().max(500).optional(),
  flowUrl: z.string().trim().max(500).optional(),
  directoryUrl: z.string().trim().max(500).optional(),
  clientId: z.string().trim().max(200).optional(),
  clientSecret: z.string().max(500).optional(),
  transmit: z.literal("on").optional(),
  mandate: z.literal("on").optional(),
});
export type SettingsInput = z.infer<typeof SettingsInput>;

export interface SettingsView {
  connection: Connection;
  siren: string | null;
  platformAvailable: boolean;
  ownHost: string | null;
  lines: DirectoryLine[] | null;
  linesError: string | null;
  queued: number;
}

/** What the settings page shows: the connection, the directory lines of the account's SIREN, the queue. */
export async function settingsView(ctx: NetCtx): Promise<SettingsView> {
  const connection = await connectionOf(ctx);
  const [account] = await ctx.db.select({ siren: accounts.siren }).from(accounts).where(eq(accounts.id, ctx.accountId)).limit(1);
  const [queue] = await ctx.db
    .select({ n: count() })
    .from(paSubmissions)
    .where(and(eq(paSubmissions.accountId, ctx.accountId), eq(paSubmissions.state, "queued")));
  let lines: DirectoryLine[] | null = null;
  let linesError: string | null = null;
  const siren = account?.siren ?? null;
  if (connection.mode && siren) {
    try {
      lines = await paClient(ctx).directoryLines(siren);
    } catch (err) {
      linesError = err instanceof Error ? err.message : String(err);
    }
  }
  const ownHost = connection.row?.mode === "own" && connection.row.flowUrl ? safeHost(connection.row.flowUrl) : null;
  return { connection, siren, platformAvailable: platformPa(ctx.config) !== null, ownHost, lines, linesError, queued: queue?.n ?? 0 };
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** Production accepts only https URLs of listed PAs; local and test runs also reach their stand-in. */
function acceptableUrl(ctx: NetCtx, url: string | undefined): boolean {
  if (!url) return false;
  if (ctx.config.ENVIRONMENT === "production") return isPlatformUrl(url);
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * Saves the account's choice. Own credentials: URLs checked, secret sealed (AES-GCM, bound to the
 * account). Turning transmission on needs the mandate, recorded with who gave it and when.
 */
export async function saveSettings(ctx: NetCtx & { t: Translate }, input: SettingsInput, who: string): Promise<void> {
  const errors: Record<string, string> = {};
  const [existing] = await ctx.db.select().from(paConnections).where(eq(paConnections.accountId, ctx.accountId)).limit(1);
  if (input.mode === "platform" && !platformPa(ctx.config)) errors.mode = ctx.t("einv.mode.platformUnavailable");
  if (input.mode === "own") {
    for (const k of ["tokenUrl", "flowUrl", "directoryUrl"] as const) if (!acceptableUrl(ctx, input[k])) errors[k] = ctx.t("einv.err.url");
    if (!input.clientId) errors.clientId = ctx.t("einv.err.required");
    if (!input.clientSecret && !(existing?.mode === "own" && existing.clientSecretSealed)) errors.clientSecret = ctx.t("einv.err.secret");
  }
  const transmit = input.transmit === "on";
  const keepMandate = existing?.transmit && existing.mandateBy;
  if (transmit && input.mandate !== "on" && !keepMandate) errors.mandate = ctx.t("einv.err.mandate");
  if (Object.keys(errors).length > 0) throw new AppError("invalid", ctx.t("form.errors"), errors);

  let secretSealed = existing?.mode === "own" ? existing.clientSecretSealed : null;
  if (input.mode === "own" && input.clientSecret) secretSealed = await (await sealerFor(ctx.config)).seal(input.clientSecret, aad.paClientSecret(ctx.accountId));
  const own = input.mode === "own";
  const values = {
    mode: input.mode,
    tokenUrl: own ? (input.tokenUrl ?? null) : null,
    flowUrl: own ? (input.flowUrl ?? null) : null,
    directoryUrl: own ? (input.directoryUrl ?? null) : null,
    clientId: own ? (input.clientId ?? null) : null,
    clientSecretSealed: own ? secretSealed : null,
    transmit,
    mandateBy: transmit ? (input.mandate === "on" ? who : (existing?.mandateBy ?? who)) : null,
    mandateAt: transmit ? (input.mandate === "on" ? ctx.now : (existing?.mandateAt ?? ctx.now)) : null,
    // Another PA, another history: the status cursor starts over.
    ...(existing && (existing.mode !== input.mode || existing.flowUrl !== (own ? input.flowUrl : null)) ? { cursor: null, webhookId: null } : {}),
    updatedAt: ctx.now,
  };
  await ctx.db
    .insert(paConnections)
    .values({ accountId: ctx.accountId, ...values, createdAt: ctx.now })
    .onConflictDoUpdate({ target: paConnections.accountId, set: values });
  forgetPaTokens();
  if (transmit) await subscribeWebhooks(ctx);
  // Reach the PA once for the account's own line: it proves the settings work (and, with the
  // stand-in, enrolls the SIREN as a real PA's onboarding would). Best effort: the page shows errors.
  const [account] = await ctx.db.select({ siren: accounts.siren }).from(accounts).where(eq(accounts.id, ctx.accountId)).limit(1);
  if (account?.siren) await paClient(ctx).directoryLines(account.siren).catch(() => undefined);
}

/** "Tester la connexion": a healthcheck of both services with a token, on the saved settings. */
export async function testConnection(ctx: NetCtx): Promise<{ ok: true } | { ok: false; message: string }> {
  const ep: PaEndpoint | null = await resolveEndpoint(ctx);
  if (!ep) return { ok: false, message: "not_connected" };
  const res = await paClientForEndpoint(ep).healthcheck();
  return res.ok ? res : { ok: false, message: `${res.code} — ${res.message}` };
}
