import { eq } from "drizzle-orm";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { paConnections } from "../../db/schema";
import type { Bindings } from "../../env";
import { hmacSha256Bytes, utf8Bytes } from "../../lib/crypto/random";
import { type PaCtx, paClient, platformPa } from "./pa-client";

/** What the network code needs from a verb context (AccountVerbCtx satisfies it; so do the cron's). */
export interface NetCtx extends PaCtx {
  env: Bindings;
  now: number;
}

export type ConnectionRow = typeof paConnections.$inferSelect;

/** An account's connection as it applies now: its saved row, or the local default. */
export interface Connection {
  row: ConnectionRow | null;
  mode: "platform" | "own" | null;
  transmit: boolean;
  /** True for the local default (npm start): connected to the stand-in without any saved row. */
  implicit: boolean;
  mandateBy: string | null;
  mandateAt: number | null;
}

/** The mandate text recorded for the local default. */
export const LOCAL_MANDATE = "Environnement local : plateforme de test (stand-in)";

/**
 * The account's connection. Locally (`npm start`, ENVIRONMENT=local) every account without a saved
 * choice is connected to the platform PA — the stand-in — and transmits, so two local accounts
 * exchange invoices with no setup; anywhere else nothing is sent until the user chooses it.
 */
export async function connectionOf(ctx: PaCtx): Promise<Connection> {
  const [row] = await ctx.db.select().from(paConnections).where(eq(paConnections.accountId, ctx.accountId)).limit(1);
  if (row) return { row, mode: row.mode, transmit: row.transmit, implicit: false, mandateBy: row.mandateBy, mandateAt: row.mandateAt };
  if (ctx.config.ENVIRONMENT === "local" && platformPa(ctx.config)) return { row: null, mode: "platform", transmit: true, implicit: true, mandateBy: LOCAL_MANDATE, mandateAt: null };
  return { row: null, mode: null, transmit: false, implicit: false, mandateBy: null, mandateAt: null };
}

/**
 * Makes the local default a saved row (so the cron polls it) and subscribes the webhooks, once.
 * Returns the row. Called at the first transmission.
 */
export async function materialize(ctx: NetCtx, conn: Connection): Promise<ConnectionRow | null> {
  if (conn.row) return conn.row;
  if (!conn.implicit) return null;
  await ctx.db
    .insert(paConnections)
    .values({ accountId: ctx.accountId, mode: "platform", transmit: true, mandateBy: LOCAL_MANDATE, mandateAt: ctx.now, createdAt: ctx.now, updatedAt: ctx.now })
    .onConflictDoNothing();
  await subscribeWebhooks(ctx);
  const [row] = await ctx.db.select().from(paConnections).where(eq(paConnections.accountId, ctx.accountId)).limit(1);
  return row ?? null;
}

/** The HMAC key the PA signs this account's webhooks with (derived: nothing more to store or leak). */
export function webhookKey(config: Config, accountId: string): Promise<Uint8Array> {
  return hmacSha256Bytes(utf8Bytes(config.SESSION_SECRET), utf8Bytes(`pa-webhook:${accountId}`));
}

/** Where the PA posts this account's flows. */
export function webhookUrl(config: Config, accountId: string): string {
  return `${config.APP_URL.replace(/\/+$/, "")}/webhooks/pa/${encodeURIComponent(accountId)}`;
}

/** The flows a seller follows: statuses about its invoices, and the acknowledgements of what it sent. */
const SUBSCRIPTIONS = [
  { flowType: "CustomerInvoiceLC", flowDirection: "In" },
  { flowType: "CustomerInvoice", flowDirection: "Out" },
] as const;

/**
 * Subscribes the account's webhooks at its PA (replacing older ones). Best effort: the poll is
 * the reliable source (PA-API.md §2). Skipped in tests, whose APP_URL no server answers.
 */
export async function subscribeWebhooks(ctx: NetCtx): Promise<boolean> {
  if (ctx.config.ENVIRONMENT === "test") return false;
  const pa = paClient(ctx);
  try {
    const [row] = await ctx.db.select({ webhookId: paConnections.webhookId }).from(paConnections).where(eq(paConnections.accountId, ctx.accountId)).limit(1);
    for (const old of row?.webhookId?.split(" ").filter(Boolean) ?? []) await pa.deleteWebhook(old).catch(() => undefined);
    const key = await webhookKey(ctx.config, ctx.accountId);
    const ids: string[] = [];
    for (const s of SUBSCRIPTIONS) ids.push(await pa.subscribeWebhook({ url: webhookUrl(ctx.config, ctx.accountId), key, ...s }));
    await ctx.db.update(paConnections).set({ webhookId: ids.join(" "), updatedAt: ctx.now }).where(eq(paConnections.accountId, ctx.accountId));
    return true;
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", event: "pa_webhook_subscribe_failed", error: err instanceof Error ? err.message : String(err) }));
    return false;
  }
}

/** Accounts whose statuses the cron polls: every saved connection that transmits. */
export function transmittingAccounts(db: Db) {
  return db.select({ accountId: paConnections.accountId }).from(paConnections).where(eq(paConnections.transmit, true)).all();
}
