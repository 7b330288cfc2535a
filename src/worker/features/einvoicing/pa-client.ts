import { eq } from "drizzle-orm";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { accounts, paConnections } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto/random";
import { aad, sealerFor } from "../../lib/sealer";

/**
 * The one client of the Plateforme Agréée (AFNOR XP Z12-013 Flow Service and Directory Service,
 * ../shared/einvoice/PA-API.md). Every call goes through the global fetch, that is through the
 * outbound allow-list (lib/outbound.ts); tests and `npm start` point it at the local stand-in
 * (test/stand-ins/pa-server.mjs).
 *
 * Usage (an account's verb context):
 *   const pa = paClient(ctx);
 *   await pa.submitFlow({ flowInfo: { flowSyntax: "CDAR", name, processingRule: "NotApplicable", trackingId }, file });
 *   const flows = await pa.searchFlows({ flowType: ["SupplierInvoice"], flowDirection: ["In"], updatedAfter }, 100);
 *   const { bytes } = await pa.download(flowId, "Original");
 *   const lines = await pa.directoryLines(siren);
 *   const up = await pa.healthcheck();
 * Failures throw {@link PaError}: `retryable` says whether a later attempt may succeed (network,
 * timeout, 429, 5xx); `code` is the PA's errorCode or one of ours (not_connected, timeout, network).
 */

export type FlowSyntax = "CII" | "UBL" | "Factur-X" | "CDAR" | "FRR";
export type ProcessingRule = "B2B" | "B2BInt" | "B2C" | "B2G" | "B2GInt" | "OutOfScope" | "B2GOutOfScope" | "ArchiveOnly" | "NotApplicable";
export type DocType = "Metadata" | "Original" | "Converted" | "ReadableView";

export interface FlowInfo {
  flowSyntax: FlowSyntax;
  name: string;
  flowProfile?: "Basic" | "CIUS" | "Extended-CTC-FR";
  processingRule?: ProcessingRule;
  /** Our own reference (≤ 36 characters): the document id, so a lost answer can be found again. */
  trackingId?: string;
  /** Computed from the file when absent. */
  sha256?: string;
}

/** A flow as the PA describes it (unknown fields are kept but not typed: PAs may add some). */
export interface Flow {
  flowId: string;
  submittedAt?: string;
  updatedAt: string;
  trackingId?: string | null;
  name?: string;
  flowSyntax?: FlowSyntax;
  flowProfile?: string | null;
  processingRule?: string | null;
  processingRuleSource?: "Input" | "Computed";
  flowType?: string;
  flowDirection?: "In" | "Out";
  sha256?: string;
  acknowledgement?: { status: "Pending" | "Ok" | "Error"; details?: Array<{ level?: string; item?: string; reasonCode?: string; reasonMessage?: string }> };
}

export interface SearchWhere {
  updatedAfter?: string;
  updatedBefore?: string;
  processingRule?: string[];
  flowType?: string[];
  flowDirection?: Array<"In" | "Out">;
  trackingId?: string;
  ackStatus?: "Pending" | "Ok" | "Error";
}

export type DirectoryLineStatus = "Enabled" | "Disabled" | "Upcoming";

export interface DirectoryLine {
  addressingIdentifier: string;
  siren: string;
  siret?: string | null;
  addressingSuffix?: string | null;
  platformType?: string;
  directoryLineStatus: DirectoryLineStatus;
  startDate?: string | null;
  legalUnit?: { businessName?: string };
}

export interface LegalUnit {
  siren: string;
  businessName?: string;
  entityType?: string;
  administrativeStatus?: string;
}

/** The resolved endpoint of an account: where to call, with which credentials, for which organization. */
export interface PaEndpoint {
  tokenUrl: string;
  flowUrl: string;
  directoryUrl: string;
  clientId: string;
  clientSecret: string;
  /** `Organization-Id` sent with each call (delegation), or null for the client's own organization. */
  organizationId: string | null;
  mode: "platform" | "own";
}

export class PaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number | null,
    readonly retryable: boolean,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "PaError";
  }
}

/** What {@link paClient} needs: an account's config and database handle. */
export interface PaCtx {
  config: Config;
  db: Db;
  accountId: string;
}

const TIMEOUT_MS = 15_000;

/** The operator's platform PA, when configured (all five settings). */
export function platformPa(config: Config): Omit<PaEndpoint, "organizationId" | "mode"> | null {
  const { PA_TOKEN_URL, PA_FLOW_URL, PA_DIRECTORY_URL, PA_CLIENT_ID, PA_CLIENT_SECRET } = config;
  if (!PA_TOKEN_URL || !PA_FLOW_URL || !PA_DIRECTORY_URL || !PA_CLIENT_ID || !PA_CLIENT_SECRET) return null;
  return { tokenUrl: PA_TOKEN_URL, flowUrl: PA_FLOW_URL, directoryUrl: PA_DIRECTORY_URL, clientId: PA_CLIENT_ID, clientSecret: PA_CLIENT_SECRET };
}

/**
 * Where an account's PA calls go: its own credentials when it saved some, otherwise the platform PA
 * acting for its SIREN (`Organization-Id`). Null when neither is possible (no SIREN, no platform).
 */
export async function resolveEndpoint(ctx: PaCtx): Promise<PaEndpoint | null> {
  const [conn] = await ctx.db.select().from(paConnections).where(eq(paConnections.accountId, ctx.accountId)).limit(1);
  if (conn?.mode === "own" && conn.tokenUrl && conn.flowUrl && conn.directoryUrl && conn.clientId && conn.clientSecretSealed) {
    const sealer = await sealerFor(ctx.config);
    const clientSecret = await sealer.open(conn.clientSecretSealed, aad.paClientSecret(ctx.accountId));
    return { tokenUrl: conn.tokenUrl, flowUrl: conn.flowUrl, directoryUrl: conn.directoryUrl, clientId: conn.clientId, clientSecret, organizationId: null, mode: "own" };
  }
  const platform = platformPa(ctx.config);
  if (!platform) return null;
  const [account] = await ctx.db.select({ siren: accounts.siren }).from(accounts).where(eq(accounts.id, ctx.accountId)).limit(1);
  if (!account?.siren) return null;
  return { ...platform, organizationId: account.siren, mode: "platform" };
}

// OAuth2 access tokens, per isolate, per (token URL, client id); refreshed a minute before expiry.
const tokens = new Map<string, { token: string; expiresAt: number }>();

async function accessToken(ep: PaEndpoint, fresh = false): Promise<string> {
  const key = `${ep.tokenUrl} ${ep.clientId}`;
  const hit = tokens.get(key);
  if (!fresh && hit && hit.expiresAt > Date.now() + 60_000) return hit.token;
  const res = await send(ep.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: ep.clientId, client_secret: ep.clientSecret }),
  });
  if (res.status === 400 || res.status === 401) throw new PaError("invalid_client", "La plateforme a refusé l'identifiant ou le secret client", res.status, false);
  if (!res.ok) throw httpError(res.status, await res.text().catch(() => ""), res.headers);
  const body = (await res.json()) as { access_token?: string; expires_in?: number };
  if (!body.access_token) throw new PaError("invalid_token_response", "Réponse de jeton sans access_token", res.status, true);
  tokens.set(key, { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 300) * 1000 });
  return body.access_token;
}

/** Forgets the cached tokens (tests, and after a credentials change). */
export function forgetPaTokens(): void {
  tokens.clear();
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const timeout = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    if (err instanceof Error && err.name === "OutboundBlockedError") throw new PaError("blocked_host", err.message, null, false);
    throw new PaError(timeout ? "timeout" : "network", timeout ? "La plateforme n'a pas répondu à temps" : "La plateforme est injoignable", null, true);
  }
}

function httpError(status: number, text: string, headers: Headers): PaError {
  let code = `http_${status}`;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { errorCode?: string; errorMessage?: string };
    if (body.errorCode) code = body.errorCode;
    if (body.errorMessage) message = body.errorMessage;
  } catch {
    // not JSON: keep the raw text
  }
  const retryAfter = Number(headers.get("retry-after"));
  return new PaError(code, message || `HTTP ${status}`, status, status === 429 || status >= 500, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

/** One authenticated call; a 401 (token revoked or expired early) refreshes the token once. */
async function call(ep: PaEndpoint, url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${await accessToken(ep, attempt > 0)}`);
    headers.set("request-id", crypto.randomUUID());
    if (ep.organizationId) headers.set("organization-id", ep.organizationId);
    const res = await send(url, { ...init, headers });
    if (res.status === 401 && attempt === 0) continue;
    return res;
  }
  throw new PaError("MISSING_TOKEN", "Jeton refusé par la plateforme", 401, false);
}

async function expectJson<T>(res: Response): Promise<T> {
  if (!res.ok) throw httpError(res.status, await res.text().catch(() => ""), res.headers);
  return (await res.json()) as T;
}

const join = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`;

/** The client for an already resolved endpoint (settings' "tester la connexion" uses it on unsaved credentials). */
export function paClientForEndpoint(ep: PaEndpoint) {
  /** GET /v1/flows/{id}: the metadata (a Flow) … */
  async function download(flowId: string, docType: "Metadata"): Promise<Flow>;
  /** … or a file: the original, the converted XML or a readable view. */
  async function download(flowId: string, docType: Exclude<DocType, "Metadata">): Promise<{ bytes: Uint8Array; fileName: string | null }>;
  async function download(flowId: string, docType: DocType): Promise<Flow | { bytes: Uint8Array; fileName: string | null }> {
    const res = await call(ep, join(ep.flowUrl, `/v1/flows/${encodeURIComponent(flowId)}?docType=${docType}`));
    if (docType === "Metadata") return expectJson<Flow>(res);
    if (!res.ok) throw httpError(res.status, await res.text().catch(() => ""), res.headers);
    const disposition = res.headers.get("content-disposition") ?? "";
    return { bytes: new Uint8Array(await res.arrayBuffer()), fileName: disposition.match(/filename="?([^";]+)"?/)?.[1] ?? null };
  }

  return {
    endpoint: ep,

    /** POST /v1/flows (multipart flowInfo + file) → 202 with the flow; the acknowledgement comes later. */
    async submitFlow(input: { flowInfo: FlowInfo; file: Uint8Array; fileName?: string }): Promise<Flow> {
      const flowInfo = { ...input.flowInfo, sha256: input.flowInfo.sha256 ?? (await sha256Hex(input.file)) };
      const form = new FormData();
      form.set("flowInfo", new Blob([JSON.stringify(flowInfo)], { type: "application/json" }));
      form.set("file", new Blob([input.file as Uint8Array<ArrayBuffer>]), input.fileName ?? flowInfo.name);
      const res = await call(ep, join(ep.flowUrl, "/v1/flows"), { method: "POST", body: form });
      if (res.status !== 202 && res.status !== 200 && res.status !== 201) throw httpError(res.status, await res.text().catch(() => ""), res.headers);
      return (await res.json()) as Flow;
    },

    /** POST /v1/flows/search: flows matching every filter, ascending `updatedAt` (≤ 100). */
    async searchFlows(where: SearchWhere, limit = 100): Promise<Flow[]> {
      const res = await call(ep, join(ep.flowUrl, "/v1/flows/search"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ limit, where }) });
      return (await expectJson<{ results?: Flow[] }>(res)).results ?? [];
    },

    download,

    /** GET /v1/healthcheck of both services, with a token: true when the PA answers and accepts us. */
    async healthcheck(): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
      try {
        for (const base of [ep.flowUrl, ep.directoryUrl]) {
          const res = await call(ep, join(base, "/v1/healthcheck"));
          if (!res.ok) throw httpError(res.status, await res.text().catch(() => ""), res.headers);
        }
        return { ok: true };
      } catch (err) {
        if (err instanceof PaError) return { ok: false, code: err.code, message: err.message };
        throw err;
      }
    },

    /** The Annuaire's lines of a SIREN (strict search); [] when it has none. */
    async directoryLines(siren: string): Promise<DirectoryLine[]> {
      const res = await call(ep, join(ep.directoryUrl, "/v1/directory-line/search"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ filters: { siren: { op: "strict", value: siren } }, limit: 100 }),
      });
      if (res.status === 204 || res.status === 404) return [];
      return (await expectJson<{ results?: DirectoryLine[] }>(res)).results ?? [];
    },

    /** The legal unit of a SIREN, or null when the directory does not know it. */
    async legalUnit(siren: string): Promise<LegalUnit | null> {
      const res = await call(ep, join(ep.directoryUrl, `/v1/siren/code-insee:${encodeURIComponent(siren)}`));
      if (res.status === 404 || res.status === 204) return null;
      return expectJson<LegalUnit>(res);
    },

    /** POST /v1/webhooks: the PA posts each matching flow to `url`, signed with `key` (HMAC-SHA256). */
    async subscribeWebhook(input: { url: string; key: Uint8Array; flowType: string; flowDirection: "In" | "Out" }): Promise<string> {
      const body = {
        callback: { url: input.url, signature: { algo: "HS256", key: btoa(String.fromCharCode(...input.key)) } },
        metadata: { flowType: input.flowType, flowDirection: input.flowDirection },
      };
      const res = await call(ep, join(ep.flowUrl, "/v1/webhooks"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return (await expectJson<{ webhookId: string }>(res)).webhookId;
    },

    async listWebhooks(): Promise<string[]> {
      return (await expectJson<{ webhookIds?: string[] }>(await call(ep, join(ep.flowUrl, "/v1/webhooks")))).webhookIds ?? [];
    },

    async deleteWebhook(webhookId: string): Promise<void> {
      const res = await call(ep, join(ep.flowUrl, `/v1/webhooks/${encodeURIComponent(webhookId)}`), { method: "DELETE" });
      if (!res.ok && res.status !== 404) throw httpError(res.status, await res.text().catch(() => ""), res.headers);
    },
  };
}

export type PaClient = ReturnType<typeof paClientForEndpoint>;

/**
 * The PA client of an account. The endpoint is resolved once, at the first call; every method
 * throws PaError "not_connected" when the account has no PA (no own credentials, no SIREN for the
 * platform PA, or no platform PA configured).
 */
export function paClient(ctx: PaCtx): Omit<PaClient, "endpoint"> & { connected(): Promise<boolean> } {
  let resolved: Promise<PaClient | null> | null = null;
  const get = async (): Promise<PaClient> => {
    resolved ??= resolveEndpoint(ctx).then((ep) => (ep ? paClientForEndpoint(ep) : null));
    const client = await resolved;
    if (!client) throw new PaError("not_connected", "Aucune plateforme agréée n'est reliée à ce compte", null, false);
    return client;
  };
  return {
    connected: async () => {
      try {
        await get();
        return true;
      } catch (err) {
        if (err instanceof PaError && err.code === "not_connected") return false;
        throw err;
      }
    },
    submitFlow: async (input) => (await get()).submitFlow(input),
    searchFlows: async (where, limit) => (await get()).searchFlows(where, limit),
    download: (async (flowId: string, docType: DocType) => (await get()).download(flowId, docType as "Metadata")) as PaClient["download"],
    healthcheck: async () => (await get()).healthcheck(),
    directoryLines: async (siren) => (await get()).directoryLines(siren),
    legalUnit: async (siren) => (await get()).legalUnit(siren),
    subscribeWebhook: async (input) => (await get()).subscribeWebhook(input),
    listWebhooks: async () => (await get()).listWebhooks(),
    deleteWebhook: async (id) => (await get()).deleteWebhook(id),
  };
}
