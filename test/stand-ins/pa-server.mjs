// A local, multi-tenant stand-in for a Plateforme Agréée (PA) speaking the AFNOR XP Z12-013 API
// (Flow Service + Directory Service), as ../shared/einvoice/PA-API.md §6 describes it. One process
// plays the issuing (PA-E) and the receiving platform (PA-R), so two Factumo accounts exchange
// invoices and statuses through it. Used by `npm start` (scripts/start.mjs), the vitest globalSetup
// (vitest.config.ts) and the e2e runner. Plain Node: no dependency on the Worker.
//
// Paths: POST /auth/token · /flow-service/v1/… · /directory-service/v1/… · /_sim/… (test hooks).
// What it does NOT simulate is listed in README.md ("The e-invoicing network").
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { STATUS_EMITTER, buildCdar, cdarFacts, invoiceFacts, invoiceXml, isSiren, isWellFormed, readableView, reportFlowType } from "./pa-xml.mjs";

/** The operator's delegated client (platform PA of Factumo): acts for any SIREN via Organization-Id. */
export const PLATFORM_CLIENT = { clientId: "factumo-platform", clientSecret: "standin-platform-secret" };

/** Seed directory: one line per status the Annuaire knows (PA-API.md §3). SIRENs pass Luhn. */
export const SEED_DIRECTORY = [
  { siren: "552081317", name: "ÉNERGIE EXEMPLE SA", lines: [{ status: "Enabled", suffix: null }, { status: "Enabled", suffix: "FACTURES" }] },
  { siren: "542107651", name: "SANS PLATEFORME SARL", lines: [{ status: "Disabled", suffix: null }] },
  { siren: "572015246", name: "BIENTÔT CONNECTÉE SAS", lines: [{ status: "Upcoming", suffix: null, startDate: "2027-09-01" }] },
  { siren: "732829320", name: "SOCIÉTÉ CLIENTE SA", lines: [{ status: "Enabled", suffix: null }] },
];

const DEFAULTS = {
  ackDelayMs: 20,
  tokenTtlSeconds: 3600,
  rateLimitPerMinute: 6000,
  maxFileBytes: 100 * 1024 * 1024,
  webhookRetryBaseMs: 100,
  webhookMaxAttempts: 6,
  webhookDuplicates: false,
};

/**
 * Starts the stand-in on 127.0.0.1 (random port unless given).
 * @param {{ port?: number, config?: Partial<typeof DEFAULTS>, clients?: Array<{ clientId: string, clientSecret: string, siren?: string }> }} opts
 */
export async function startPaServer(opts = {}) {
  const state = {
    config: { ...DEFAULTS, ...opts.config },
    clients: new Map(),
    tokens: new Map(),
    /** siren → { siren, name, lines: [{ addressingIdentifier, suffix, status, startDate }], owner: clientId|null } */
    units: new Map(),
    /** flowId → flow record { flow, tenant, file, name, facts } */
    flows: new Map(),
    /** `${sellerSiren}|${number}|${year}` → invoice record (the PA's register of invoices it handled) */
    invoices: new Map(),
    /** sha256 already accepted per tenant */
    hashes: new Set(),
    webhooks: new Map(),
    deliveries: [],
    requests: [],
    external: [],
    outage: { on: false, count: 0 },
    /** Per-SIREN switches, so parallel test files sharing one stand-in do not disturb each other. */
    tenantOutage: new Map(),
    tenantConfig: new Map(),
    timeouts: new Map(),
    rejectNext: [],
    windows: new Map(),
    pending: new Set(),
    lastTime: 0,
  };
  for (const c of [{ ...PLATFORM_CLIENT, delegated: true }, ...(opts.clients ?? [])]) addClient(c);
  // Seed companies are served by other PAs: invoices to them leave this stand-in (201 Émise).
  for (const u of SEED_DIRECTORY) enroll(u.siren, u.name, null, u.lines).seed = true;

  function addClient(c) {
    state.clients.set(c.clientId, { clientId: c.clientId, clientSecret: c.clientSecret, siren: c.siren ?? null, delegated: Boolean(c.delegated) });
    if (c.siren) enroll(c.siren, c.name ?? null, c.clientId);
  }

  /** Registers a company with this PA-R: its Enabled directory line (what a real PA does at onboarding). */
  function enroll(siren, name, owner, lines = [{ status: "Enabled", suffix: null }]) {
    const existing = state.units.get(siren);
    if (existing) {
      if (name && !existing.name) existing.name = name;
      if (owner && !existing.owner) existing.owner = owner;
      return existing;
    }
    const unit = {
      siren,
      name: name ?? `ENTREPRISE ${siren}`,
      owner: owner ?? null,
      local: true,
      lines: lines.map((l) => ({ addressingIdentifier: l.suffix ? `${siren}_${l.suffix}` : siren, suffix: l.suffix ?? null, status: l.status, startDate: l.startDate ?? null })),
    };
    state.units.set(siren, unit);
    return unit;
  }

  /**
   * A strictly increasing ISO timestamp: `updatedAfter` is strict, so no two changes share one —
   * unless a tenant's `fixedUpdatedAt` (/_sim/config) stamps its flows with one instant, as a real
   * PA's coarse or batched timestamps would (ties then keep their creation order).
   */
  function clock() {
    const t = Math.max(Date.now(), state.lastTime + 1);
    state.lastTime = t;
    return new Date(t).toISOString();
  }

  /** The configuration seen by one tenant: the global one with its overrides. */
  function cfg(siren) {
    return { ...state.config, ...(siren ? state.tenantConfig.get(siren) : null) };
  }

  /** Consumes one failure of an outage switch; true when this request must answer 503. */
  function down(o) {
    if (!o) return false;
    if (o.count > 0) {
      o.count -= 1;
      return true;
    }
    return o.on;
  }

  function track(promise) {
    state.pending.add(promise);
    promise.finally(() => state.pending.delete(promise));
    return promise;
  }

  // ——— flows ———

  function createFlow(tenant, fields, file) {
    const now = cfg(tenant).fixedUpdatedAt ?? clock();
    const flowId = `fl_${randomBytes(10).toString("hex")}`;
    const flow = {
      flowId,
      submittedAt: now,
      updatedAt: now,
      trackingId: fields.trackingId ?? null,
      name: fields.name,
      flowSyntax: fields.flowSyntax,
      flowProfile: fields.flowProfile ?? null,
      processingRule: fields.processingRule ?? (fields.flowSyntax === "CDAR" || fields.flowSyntax === "FRR" ? "NotApplicable" : "B2B"),
      processingRuleSource: fields.processingRule ? "Input" : "Computed",
      flowType: fields.flowType,
      flowDirection: fields.flowDirection,
      sha256: fields.sha256 ?? sha256(file),
      acknowledgement: { status: fields.ackStatus ?? "Pending", details: [] },
    };
    const rec = { flow, tenant, file, facts: fields.facts ?? null };
    state.flows.set(flowId, rec);
    notify(rec);
    return rec;
  }

  function setAck(rec, status, details = []) {
    rec.flow.acknowledgement = { status, details };
    rec.flow.updatedAt = cfg(rec.tenant).fixedUpdatedAt ?? clock();
    notify(rec);
  }

  /** A flow the PA itself creates for a tenant (a status or an invoice to receive), ack Ok at once. */
  function deliverIn(tenant, { flowType, flowSyntax, name, file, facts = null, processingRule }) {
    return createFlow(tenant, { flowType, flowSyntax, name, flowDirection: "In", processingRule: processingRule ?? (flowSyntax === "CDAR" ? "NotApplicable" : "B2B"), ackStatus: "Ok", facts }, file);
  }

  /** Emits a platform status (200–203, 213) about an invoice to its seller, if the seller is ours. */
  function platformStatus(invoice, code, reasonCode = null, reason = null) {
    invoice.lifecycle.push({ code, reasonCode, at: new Date().toISOString() });
    const xml = buildCdar({ code, invoice, issuer: "platform", recipient: "seller", reasonCode, reason });
    if (!state.units.get(invoice.sellerSiren)?.local) return state.external.push({ to: invoice.sellerSiren, code, xml });
    deliverIn(invoice.sellerSiren, { flowType: "CustomerInvoiceLC", flowSyntax: "CDAR", name: `CDV-${code}-${invoice.number}.xml`, file: Buffer.from(xml) });
  }

  const REASONS = {
    DOUBLON: "Facture déjà déposée (même numéro, même année, même vendeur)",
    DEST_INC: "Destinataire inconnu de l'annuaire",
    NON_TRANSMISE: "Destinataire sans plateforme de réception : facture non transmise",
  };

  /** Asynchronous processing of a submitted flow (PA-API.md §6), after the configured delay. */
  async function processFlow(rec) {
    await sleep(cfg(rec.tenant).ackDelayMs);
    const { flow, file, tenant } = rec;
    if (file.length === 0) return setAck(rec, "Error", [detail("EmptyFlow", "Le fichier est vide")]);
    const hashKey = `${tenant} ${flow.sha256}`;
    if (state.hashes.has(hashKey)) return setAck(rec, "Error", [detail("AlreadyExistingFlow", "Ce fichier a déjà été déposé")]);
    if (flow.flowSyntax === "CDAR") return processCdar(rec, hashKey);
    if (flow.flowSyntax === "FRR") {
      const xml = file.toString("utf8");
      const type = isWellFormed(xml) ? reportFlowType(xml) : null;
      if (!type) return setAck(rec, "Error", [detail("InvalidSchema", "Rapport d'e-reporting illisible")]);
      // /_sim/reject-next with flowSyntax FRR: the next report of that tenant is refused with that reason.
      const forcedReport = state.rejectNext.findIndex((r) => r.flowSyntax === "FRR" && (!r.siren || r.siren === tenant));
      if (forcedReport >= 0) {
        const [r] = state.rejectNext.splice(forcedReport, 1);
        return setAck(rec, "Error", [detail(r.reasonCode, r.reason ?? r.reasonCode)]);
      }
      state.hashes.add(hashKey);
      rec.flow.flowType = type;
      return setAck(rec, "Ok");
    }
    const xml = invoiceXml(file);
    const facts = xml && isWellFormed(xml) ? invoiceFacts(xml) : null;
    if (!facts || !facts.number || !facts.issueDate || !facts.sellerSiren) return setAck(rec, "Error", [detail("InvalidSchema", "Facture illisible (XML mal formé ou champs BT-1, BT-2, BT-30 absents)")]);
    if (facts.sellerSiren !== tenant) return setAck(rec, "Error", [detail("InvoiceLCAccessDenied", "Le vendeur de la facture n'est pas l'organisation appelante")]);
    state.hashes.add(hashKey);
    rec.facts = facts;
    setAck(rec, "Ok");
    const key = `${facts.sellerSiren}|${facts.number}|${facts.issueDate.slice(0, 4)}`;
    const invoice = { ...facts, key, lifecycle: [], sellerFlowId: flow.flowId, buyerFlowId: null, buyerSiren: facts.buyerSiren };
    const forced = state.rejectNext.findIndex((r) => r.flowSyntax !== "FRR" && (!r.siren || r.siren === tenant));
    if (forced >= 0) {
      const [r] = state.rejectNext.splice(forced, 1);
      return platformStatus(invoice, 213, r.reasonCode, r.reason ?? REASONS[r.reasonCode] ?? r.reasonCode);
    }
    if (state.invoices.has(key)) return platformStatus(invoice, 213, "DOUBLON", REASONS.DOUBLON);
    const line = facts.buyerAddress ? findLine(facts.buyerAddress) : null;
    if (!line) return platformStatus(invoice, 213, "DEST_INC", REASONS.DEST_INC);
    state.invoices.set(key, invoice);
    invoice.buyerSiren = line.unit.siren;
    invoice.buyerName = facts.buyerName ?? line.unit.name;
    if (line.line.status !== "Enabled") return platformStatus(invoice, 200, "NON_TRANSMISE", REASONS.NON_TRANSMISE);
    platformStatus(invoice, 200);
    if (!line.unit.local || line.unit.seed) {
      // A company of the seed directory: another PA-R receives it (outside this stand-in).
      platformStatus(invoice, 201);
      state.external.push({ to: line.unit.siren, invoice: invoice.number });
      return;
    }
    const inbound = deliverIn(line.unit.siren, { flowType: "SupplierInvoice", flowSyntax: flow.flowSyntax, name: flow.name, file, facts, processingRule: flow.processingRule });
    invoice.buyerFlowId = inbound.flow.flowId;
    platformStatus(invoice, 202);
    platformStatus(invoice, 203);
  }

  function processCdar(rec, hashKey) {
    const xml = rec.file.toString("utf8");
    const facts = isWellFormed(xml) ? cdarFacts(xml) : null;
    if (!facts || !facts.number || !facts.sellerSiren) return setAck(rec, "Error", [detail("InvalidSchema", "Message de statut illisible")]);
    rec.facts = facts;
    if (!facts.code || facts.code < 200 || facts.code > 213) return setAck(rec, "Error", [detail("InvoiceLCInvalidStatus", `Statut ${facts.code} inconnu`)]);
    const invoice = [...state.invoices.values()].find((i) => i.sellerSiren === facts.sellerSiren && i.number === facts.number && (!facts.issueDate || i.issueDate === facts.issueDate));
    const role = !invoice ? null : invoice.buyerSiren === rec.tenant ? "buyer" : invoice.sellerSiren === rec.tenant ? "seller" : null;
    if (!invoice || !role) return setAck(rec, "Error", [detail("InvoiceLCAccessDenied", "Facture inconnue de la plateforme pour cette organisation")]);
    if (STATUS_EMITTER[facts.code] !== role) return setAck(rec, "Error", [detail("InvoiceLCStatusError", `Le statut ${facts.code} ne peut pas être émis par le ${role === "buyer" ? "destinataire" : "vendeur"}`)]);
    if (facts.code === 210 && !facts.reasonCode) return setAck(rec, "Error", [detail("InvoiceLCRuleError", "Un refus (210) exige un code motif")]);
    if (facts.code === 212) {
      const men = facts.characteristics.filter((c) => c.typeCode === "MEN");
      if (men.length === 0 || men.some((c) => c.amount == null || c.percent == null)) return setAck(rec, "Error", [detail("InvoiceLCAmountError", "Un encaissement (212) exige un montant MEN par taux de TVA")]);
    }
    state.hashes.add(hashKey);
    rec.flow.flowType = role === "buyer" ? "SupplierInvoiceLC" : "CustomerInvoiceLC";
    setAck(rec, "Ok");
    invoice.lifecycle.push({ code: facts.code, reasonCode: facts.reasonCode, at: new Date().toISOString() });
    const counterparty = role === "buyer" ? invoice.sellerSiren : invoice.buyerSiren;
    if (!state.units.get(counterparty)?.local || state.units.get(counterparty)?.seed) return state.external.push({ to: counterparty, code: facts.code, xml });
    deliverIn(counterparty, { flowType: role === "buyer" ? "CustomerInvoiceLC" : "SupplierInvoiceLC", flowSyntax: "CDAR", name: rec.flow.name, file: rec.file });
  }

  function findLine(addressingIdentifier) {
    for (const unit of state.units.values()) {
      const line = unit.lines.find((l) => l.addressingIdentifier === addressingIdentifier);
      if (line) return { unit, line };
    }
    return null;
  }

  // ——— webhooks ———

  function notify(rec) {
    for (const hook of state.webhooks.values()) {
      if (hook.tenant !== rec.tenant) continue;
      const m = hook.metadata;
      if (m.flowType !== rec.flow.flowType || m.flowDirection !== rec.flow.flowDirection) continue;
      if (m.processingRule && m.processingRule !== rec.flow.processingRule) continue;
      if (m.ackStatus && m.ackStatus !== rec.flow.acknowledgement.status) continue;
      const body = JSON.stringify(rec.flow);
      const times = cfg(hook.tenant).webhookDuplicates ? 2 : 1;
      for (let i = 0; i < times; i++) track(deliver(hook, body));
    }
  }

  async function deliver(hook, body) {
    const headers = { "content-type": "application/json" };
    for (const h of hook.callback.headers ?? []) headers[h.headerName] = h.headerValue;
    const sig = hook.callback.signature;
    if (sig?.key) headers.Signature = createHmac("sha256", Buffer.from(sig.key, "base64")).update(body).digest("base64");
    const auth = hook.callback.authentication;
    if (auth?.authType === "BASIC") headers.Authorization = `Basic ${Buffer.from(`${auth.userId}:${auth.userPassword}`).toString("base64")}`;
    const { webhookMaxAttempts, webhookRetryBaseMs } = cfg(hook.tenant);
    for (let attempt = 1; attempt <= webhookMaxAttempts; attempt++) {
      let status = 0;
      try {
        const res = await fetch(hook.callback.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch {
        status = 0;
      }
      state.deliveries.push({ webhookId: hook.webhookId, tenant: hook.tenant, attempt, status, flowId: JSON.parse(body).flowId });
      if (status >= 200 && status < 300) return;
      if (attempt < webhookMaxAttempts) await sleep(webhookRetryBaseMs * 2 ** (attempt - 1));
    }
  }

  // ——— HTTP ———

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (url.pathname.startsWith("/_sim/")) return await sim(req, res, url);
      state.requests.push({ method: req.method, path: url.pathname, organizationId: req.headers["organization-id"] ?? null, at: Date.now() });
      if (down(state.outage)) return error(res, 503, "RESOURCE_ERROR", "Service momentanément indisponible");
      if (url.pathname === "/auth/token" && req.method === "POST") return await token(req, res);
      const flowPath = url.pathname.match(/^\/flow-service(\/v1\/.*)$/);
      const dirPath = url.pathname.match(/^\/directory-service(\/v1\/.*)$/);
      if (!flowPath && !dirPath) return error(res, 404, "MISSING_RESOURCE", "Route inconnue");
      const client = authenticate(req);
      if (!client) return error(res, 401, "MISSING_TOKEN", "Jeton absent ou expiré");
      const named = req.headers["organization-id"] ?? client.siren;
      if (down(state.tenantOutage.get(named))) return error(res, 503, "RESOURCE_ERROR", "Service momentanément indisponible");
      if (!allow(client, named)) {
        res.setHeader("Retry-After", "1");
        return error(res, 429, "TOO_MANY_REQUESTS", "Trop de requêtes");
      }
      // Any call naming an organization checks it (403), and enrolls it for the delegated client.
      if (req.headers["organization-id"]) tenantOf(req, client);
      if (dirPath) return await directory(req, res, dirPath[1], url);
      return await flows(req, res, flowPath[1], url, client);
    } catch (err) {
      if (err instanceof HttpError) return error(res, err.status, err.code, err.message);
      return error(res, 500, "INTERNAL_ERROR", String(err?.message ?? err));
    }
  });

  async function token(req, res) {
    const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString("utf8"));
    let id = form.get("client_id");
    let secret = form.get("client_secret");
    const basic = req.headers.authorization?.match(/^Basic (.+)$/);
    if (basic) [id, secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
    const client = id ? state.clients.get(id) : null;
    if (form.get("grant_type") !== "client_credentials") return json(res, 400, { error: "unsupported_grant_type" });
    if (!client || client.clientSecret !== secret) return json(res, 401, { error: "invalid_client" });
    const accessToken = `sat_${randomBytes(24).toString("base64url")}`;
    const ttl = cfg(client.siren).tokenTtlSeconds;
    state.tokens.set(accessToken, { clientId: client.clientId, expiresAt: Date.now() + ttl * 1000 });
    return json(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: ttl });
  }

  function authenticate(req) {
    const m = req.headers.authorization?.match(/^Bearer (.+)$/);
    const t = m ? state.tokens.get(m[1]) : null;
    if (!t || t.expiresAt <= Date.now()) return null;
    return state.clients.get(t.clientId) ?? null;
  }

  /** Fixed one-minute window per client. */
  function allow(client, siren) {
    const minute = Math.floor(Date.now() / 60_000);
    const w = state.windows.get(client.clientId);
    if (!w || w.minute !== minute) {
      state.windows.set(client.clientId, { minute, count: 1 });
      return true;
    }
    w.count += 1;
    return w.count <= cfg(siren).rateLimitPerMinute;
  }

  /** The SIREN a request acts for: the client's own, or (delegated client) its Organization-Id. */
  function tenantOf(req, client) {
    const org = req.headers["organization-id"];
    if (client.delegated) {
      if (!org) throw new HttpError(403, "FORBIDDEN_ACCESS", "En-tête Organization-Id requis pour un compte délégué");
      if (!isSiren(org)) throw new HttpError(403, "FORBIDDEN_ACCESS", "Organization-Id n'est pas un SIREN valide");
      const unit = state.units.get(org);
      if (unit?.owner && unit.owner !== client.clientId) throw new HttpError(403, "FORBIDDEN_ACCESS", "Organisation rattachée à un autre client");
      if (unit?.seed) throw new HttpError(403, "FORBIDDEN_ACCESS", "Organisation servie par une autre plateforme");
      // Onboarding happens out of band with a real PA; here the first delegated call enrolls the SIREN.
      enroll(org, null, client.clientId).owner ??= client.clientId;
      return org;
    }
    if (org && org !== client.siren) throw new HttpError(403, "FORBIDDEN_ACCESS", "Organization-Id étranger à ce client");
    return client.siren;
  }

  async function flows(req, res, p, url, client) {
    if (p === "/v1/healthcheck" && req.method === "GET") return json(res, 200, { status: "UP" });
    if (p === "/v1/flows" && req.method === "POST") return submit(req, res, client);
    if (p === "/v1/flows/search" && req.method === "POST") {
      const tenant = tenantOf(req, client);
      return search(res, tenant, await readJson(req));
    }
    const one = p.match(/^\/v1\/flows\/([\w-]+)$/);
    if (one && req.method === "GET") {
      const tenant = tenantOf(req, client);
      const rec = state.flows.get(one[1]);
      if (!rec || rec.tenant !== tenant) return error(res, 404, "MISSING_RESOURCE", "Flux inconnu");
      const docType = url.searchParams.get("docType") ?? "Metadata";
      if (docType === "Metadata") return json(res, 200, rec.flow);
      if (docType === "Original") return file(res, rec.file, rec.flow.name);
      if (docType === "Converted") {
        const xml = rec.flow.flowSyntax === "Factur-X" ? invoiceXml(rec.file) : rec.file.toString("utf8");
        return file(res, Buffer.from(xml ?? ""), rec.flow.name.replace(/\.\w+$/, "") + ".xml");
      }
      if (docType === "ReadableView") return file(res, Buffer.from(readableView(rec.facts ?? { name: rec.flow.name })), rec.flow.name.replace(/\.\w+$/, "") + ".html");
      return error(res, 400, "INVALID_PARAMETER", "docType doit valoir Metadata, Original, Converted ou ReadableView");
    }
    if (p === "/v1/webhooks" && req.method === "POST") {
      const tenant = tenantOf(req, client);
      const body = await readJson(req);
      if (!body?.callback?.url || !body?.metadata?.flowType || !body?.metadata?.flowDirection) return error(res, 400, "MISSING_REQUIRED_FIELD", "callback.url, metadata.flowType et metadata.flowDirection sont requis");
      const webhookId = randomUUID();
      state.webhooks.set(webhookId, { webhookId, tenant, clientId: client.clientId, callback: body.callback, metadata: body.metadata });
      return json(res, 201, { webhookId });
    }
    if (p === "/v1/webhooks" && req.method === "GET") {
      const tenant = tenantOf(req, client);
      return json(res, 200, { webhookIds: [...state.webhooks.values()].filter((h) => h.tenant === tenant).map((h) => h.webhookId) });
    }
    const hook = p.match(/^\/v1\/webhooks\/([\w-]+)$/);
    if (hook) {
      const tenant = tenantOf(req, client);
      const h = state.webhooks.get(hook[1]);
      if (!h || h.tenant !== tenant) return error(res, 404, "MISSING_RESOURCE", "Abonnement inconnu");
      if (req.method === "GET") return json(res, 200, { webhookId: h.webhookId, callback: h.callback, metadata: h.metadata });
      if (req.method === "PATCH") {
        const body = await readJson(req);
        if (body?.callback) h.callback = { ...h.callback, ...body.callback };
        if (body?.metadata) h.metadata = { ...h.metadata, ...body.metadata };
        return json(res, 200, { webhookId: h.webhookId, callback: h.callback, metadata: h.metadata });
      }
      if (req.method === "DELETE") {
        state.webhooks.delete(h.webhookId);
        res.writeHead(204);
        return res.end();
      }
    }
    return error(res, 404, "MISSING_RESOURCE", "Route inconnue");
  }

  async function submit(req, res, client) {
    const tenant = tenantOf(req, client);
    const { maxFileBytes } = cfg(tenant);
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxFileBytes + 64 * 1024) {
      req.resume();
      return error(res, 413, "FILE_SIZE_EXCEEDED", "Fichier trop volumineux");
    }
    const raw = await readBody(req, maxFileBytes + 64 * 1024);
    let form;
    try {
      form = await new Request("http://standin/", { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "" }, body: raw }).formData();
    } catch {
      return error(res, 400, "MISSING_REQUIRED_FIELD", "Corps multipart/form-data attendu (parties flowInfo et file)");
    }
    const infoPart = form.get("flowInfo");
    const filePart = form.get("file");
    if (infoPart == null || filePart == null || typeof filePart === "string") return error(res, 400, "MISSING_REQUIRED_FIELD", "Parties flowInfo et file requises");
    let info;
    try {
      info = JSON.parse(typeof infoPart === "string" ? infoPart : await infoPart.text());
    } catch {
      return error(res, 400, "MISSING_REQUIRED_FIELD", "flowInfo n'est pas du JSON");
    }
    const syntaxes = ["CII", "UBL", "Factur-X", "CDAR", "FRR"];
    if (!info?.flowSyntax || !syntaxes.includes(info.flowSyntax)) return error(res, 400, "MISSING_REQUIRED_FIELD", `flowSyntax requis (${syntaxes.join(", ")})`);
    if (!info.name || String(info.name).length > 255) return error(res, 400, "MISSING_REQUIRED_FIELD", "name requis (255 caractères au plus)");
    if (info.trackingId != null && String(info.trackingId).length > 36) return error(res, 400, "INVALID_PARAMETER", "trackingId : 36 caractères au plus");
    const bytes = Buffer.from(await filePart.arrayBuffer());
    if (bytes.length > maxFileBytes) return error(res, 413, "FILE_SIZE_EXCEEDED", "Fichier trop volumineux");
    if (info.sha256 != null && !/^[0-9a-f]{64}$/.test(info.sha256)) return error(res, 400, "INVALID_PARAMETER", "sha256 : 64 caractères hexadécimaux minuscules");
    if (info.sha256 && info.sha256 !== sha256(bytes)) return error(res, 422, "UNPROCESSABLE_ENTITY", "sha256 ne correspond pas au fichier (ChecksumMismatch)");
    const flowType = info.flowSyntax === "CDAR" ? "CustomerInvoiceLC" : info.flowSyntax === "FRR" ? "MultiFlowReport" : "CustomerInvoice";
    const rec = createFlow(tenant, { ...info, flowType, flowDirection: "Out" }, bytes);
    track(processFlow(rec));
    if ((state.timeouts.get(tenant) ?? 0) > 0) {
      // Simulated lost answer: the flow is accepted, the caller never hears it (PA-API.md: find it by trackingId).
      state.timeouts.set(tenant, state.timeouts.get(tenant) - 1);
      return req.socket.destroy();
    }
    return json(res, 202, rec.flow);
  }

  function search(res, tenant, body) {
    const limit = body?.limit ?? 25;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(res, 400, "INVALID_PARAMETER", "limit doit être un entier entre 1 et 100");
    const where = body?.where;
    const known = ["updatedAfter", "updatedBefore", "processingRule", "flowType", "flowDirection", "trackingId", "ackStatus"];
    if (!where || typeof where !== "object" || !known.some((k) => where[k] != null)) return error(res, 400, "MISSING_REQUIRED_FIELD", "where doit contenir au moins un filtre");
    const list = (v) => (v == null ? null : Array.isArray(v) ? v : [v]);
    const rules = list(where.processingRule);
    const types = list(where.flowType);
    const dirs = list(where.flowDirection);
    const after = where.updatedAfter ? Date.parse(where.updatedAfter) : null;
    const before = where.updatedBefore ? Date.parse(where.updatedBefore) : null;
    if (Number.isNaN(after) || Number.isNaN(before)) return error(res, 400, "INVALID_PARAMETER", "updatedAfter / updatedBefore : date ISO 8601 attendue");
    const results = [...state.flows.values()]
      .filter((r) => r.tenant === tenant)
      .map((r) => r.flow)
      .filter(
        (f) =>
          (after == null || Date.parse(f.updatedAt) > after) &&
          (before == null || Date.parse(f.updatedAt) < before) &&
          (!rules || rules.includes(f.processingRule)) &&
          (!types || types.includes(f.flowType)) &&
          (!dirs || dirs.includes(f.flowDirection)) &&
          (where.trackingId == null || f.trackingId === where.trackingId) &&
          (where.ackStatus == null || f.acknowledgement.status === where.ackStatus),
      )
      .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt))
      .slice(0, limit);
    return json(res, 200, { limit, filters: where, results });
  }

  // ——— directory ———

  function legalUnit(u) {
    return { siren: u.siren, businessName: u.name, entityType: "PrivateVatRegistered", administrativeStatus: "A", instructions: { isSalesProspectingForbidden: false } };
  }
  function directoryLine(u, l) {
    return {
      addressingIdentifier: l.addressingIdentifier,
      siren: u.siren,
      siret: null,
      addressingSuffix: l.suffix,
      routingCode: null,
      platformType: l.status === "Disabled" ? "DFH" : "WK",
      platformId: l.status === "Disabled" ? "9998" : "9990",
      directoryLineStatus: l.status,
      ...(l.startDate ? { startDate: l.startDate } : {}),
      legalUnit: legalUnit(u),
    };
  }

  /** Reads `filters.<field>` of a directory search: strict SIREN only (a PA need not support more). */
  function sirenFilter(body, field = "siren") {
    const f = body?.filters?.[field];
    if (!f || typeof f.value !== "string") throw new HttpError(422, "UNPROCESSABLE_ENTITY", `filters.${field} requis`);
    if (f.op && f.op !== "strict") throw new HttpError(501, "NOT_IMPLEMENTED", "Seule la recherche stricte est prise en charge");
    if (field === "siren" && !/^\d{9}$/.test(f.value)) throw new HttpError(501, "NOT_IMPLEMENTED", "Recherche par SIREN partiel non prise en charge");
    return f.value;
  }

  async function directory(req, res, p) {
    if (p === "/v1/healthcheck" && req.method === "GET") return json(res, 200, { status: "UP" });
    let m = p.match(/^\/v1\/siren\/code-insee:(\w+)$/);
    if (m && req.method === "GET") {
      const u = state.units.get(m[1]);
      return u ? json(res, 200, legalUnit(u)) : error(res, 404, "MISSING_RESOURCE", "SIREN inconnu");
    }
    m = p.match(/^\/v1\/siret\/code-insee:(\d{14})$/);
    if (m && req.method === "GET") {
      const u = state.units.get(m[1].slice(0, 9));
      return u ? json(res, 200, { siret: m[1], siren: u.siren, name: u.name, administrativeStatus: "A", legalUnit: legalUnit(u) }) : error(res, 404, "MISSING_RESOURCE", "SIRET inconnu");
    }
    m = p.match(/^\/v1\/directory-line\/code:([\w+.-]+)$/);
    if (m && req.method === "GET") {
      const hit = findLine(m[1]);
      return hit ? json(res, 200, directoryLine(hit.unit, hit.line)) : error(res, 404, "MISSING_RESOURCE", "Ligne d'annuaire inconnue");
    }
    if (req.method === "POST" && (p === "/v1/siren/search" || p === "/v1/directory-line/search" || p === "/v1/siret/search")) {
      const body = await readJson(req);
      let results;
      if (p === "/v1/directory-line/search" && body?.filters?.addressingIdentifier) {
        const hit = findLine(String(body.filters.addressingIdentifier.value));
        results = hit ? [directoryLine(hit.unit, hit.line)] : [];
      } else {
        const siren = sirenFilter(body);
        const u = state.units.get(siren);
        results = !u ? [] : p === "/v1/siren/search" ? [legalUnit(u)] : p === "/v1/siret/search" ? [] : u.lines.map((l) => directoryLine(u, l));
      }
      if (results.length === 0) {
        res.writeHead(204);
        return res.end();
      }
      return json(res, 200, { search: body, totalNumberOfResults: results.length, results });
    }
    if (p === "/v1/routing-code/search" && req.method === "POST") {
      res.writeHead(204);
      return res.end();
    }
    return error(res, 404, "MISSING_RESOURCE", "Route inconnue");
  }

  // ——— test hooks ———

  async function sim(req, res, url) {
    const p = url.pathname;
    const body = req.method === "POST" ? await readJson(req).catch(() => ({})) : {};
    if (p === "/_sim/flush") {
      // Waits until every acknowledgement, forwarded status and webhook delivery (retries included) is done.
      while (state.pending.size) await Promise.allSettled([...state.pending]);
      return json(res, 200, { ok: true });
    }
    if (p === "/_sim/config" && req.method === "POST") {
      // { siren?, ...settings }: with a SIREN, the settings apply to that tenant only.
      const { siren, ...settings } = body;
      if (siren) state.tenantConfig.set(siren, { ...state.tenantConfig.get(siren), ...settings });
      else Object.assign(state.config, settings);
      return json(res, 200, cfg(siren));
    }
    if (p === "/_sim/outage" && req.method === "POST") {
      // { on?, count?, siren? }: 503 until switched off, or for the next `count` requests; one tenant or all.
      const o = { on: Boolean(body.on), count: Number(body.count ?? 0) };
      if (body.siren) state.tenantOutage.set(body.siren, o);
      else state.outage = o;
      return json(res, 200, o);
    }
    if (p === "/_sim/timeout-next" && req.method === "POST") {
      // { siren, count? }: the next submissions of that tenant are accepted but get no answer.
      state.timeouts.set(body.siren, Number(body.count ?? 1));
      return json(res, 200, { siren: body.siren, count: state.timeouts.get(body.siren) });
    }
    if (p === "/_sim/reject-next" && req.method === "POST") {
      // { siren?, reasonCode?, reason?, flowSyntax? }: flowSyntax "FRR" refuses the next e-report (ack Error), otherwise the next invoice (213).
      state.rejectNext.push({ siren: body.siren ?? null, reasonCode: body.reasonCode ?? "NON_CONFORME", reason: body.reason ?? null, flowSyntax: body.flowSyntax ?? null });
      return json(res, 200, { queued: state.rejectNext.length });
    }
    if (p === "/_sim/expire-tokens" && req.method === "POST") {
      for (const t of state.tokens.values()) t.expiresAt = 0;
      return json(res, 200, { ok: true });
    }
    if (p === "/_sim/clients" && req.method === "POST") {
      if (!body.clientId || !body.clientSecret || !isSiren(body.siren)) return json(res, 400, { error: "clientId, clientSecret and a valid siren are required" });
      addClient(body);
      return json(res, 201, { clientId: body.clientId, siren: body.siren });
    }
    if (p === "/_sim/directory" && req.method === "POST") {
      if (!isSiren(body.siren)) return json(res, 400, { error: "a valid siren is required" });
      const u = enroll(body.siren, body.name ?? null, null, body.lines ?? [{ status: "Enabled", suffix: null }]);
      if (body.lines) u.lines = body.lines.map((l) => ({ addressingIdentifier: l.suffix ? `${u.siren}_${l.suffix}` : u.siren, suffix: l.suffix ?? null, status: l.status, startDate: l.startDate ?? null }));
      if (body.external) u.seed = true;
      return json(res, 201, { siren: u.siren, lines: u.lines });
    }
    if (p === "/_sim/supplier-invoice" && req.method === "POST") {
      // An invoice from a supplier served by another PA, delivered to a local buyer.
      const bytes = body.contentBase64 ? Buffer.from(body.contentBase64, "base64") : Buffer.from(String(body.xml ?? ""), "utf8");
      const xml = invoiceXml(bytes);
      const facts = xml && isWellFormed(xml) ? invoiceFacts(xml) : null;
      const buyer = body.buyerSiren ?? facts?.buyerSiren;
      if (!facts?.number || !facts.sellerSiren || !isSiren(buyer)) return json(res, 400, { error: "an invoice with BT-1, BT-2, a seller SIREN and a buyer SIREN is required" });
      enroll(buyer, null, null);
      const key = `${facts.sellerSiren}|${facts.number}|${facts.issueDate.slice(0, 4)}`;
      const syntax = bytes.subarray(0, 5).toString("latin1") === "%PDF-" ? "Factur-X" : facts.syntax;
      const rec = deliverIn(buyer, { flowType: "SupplierInvoice", flowSyntax: syntax, name: body.name ?? `${facts.number}.${syntax === "Factur-X" ? "pdf" : "xml"}`, file: bytes, facts });
      if (!state.units.has(facts.sellerSiren)) state.units.set(facts.sellerSiren, { siren: facts.sellerSiren, name: facts.sellerName ?? facts.sellerSiren, owner: null, local: false, lines: [{ addressingIdentifier: facts.sellerSiren, suffix: null, status: "Enabled", startDate: null }] });
      state.invoices.set(key, { ...facts, key, buyerSiren: buyer, lifecycle: [], sellerFlowId: null, buyerFlowId: rec.flow.flowId });
      return json(res, 201, rec.flow);
    }
    if (p === "/_sim/buyer-status" && req.method === "POST") {
      // A status posted by a buyer (local or not) on an invoice a local seller filed.
      const invoice = [...state.invoices.values()].find((i) => i.sellerSiren === body.sellerSiren && i.number === body.number);
      if (!invoice) return json(res, 404, { error: "unknown invoice" });
      const code = Number(body.code);
      if (STATUS_EMITTER[code] !== "buyer") return json(res, 400, { error: "buyer statuses are 204-208, 210, 211" });
      if (code === 210 && !body.reasonCode) return json(res, 400, { error: "210 needs a reasonCode" });
      const xml = buildCdar({ code, invoice, issuer: "buyer", recipient: "seller", reasonCode: body.reasonCode ?? null, reason: body.reason ?? null, amounts: body.amount ? [{ amount: body.amount, percent: null }] : undefined });
      invoice.lifecycle.push({ code, reasonCode: body.reasonCode ?? null, at: new Date().toISOString() });
      const rec = deliverIn(invoice.sellerSiren, { flowType: "CustomerInvoiceLC", flowSyntax: "CDAR", name: `CDV-${code}-${invoice.number}.xml`, file: Buffer.from(xml) });
      return json(res, 201, rec.flow);
    }
    if (p === "/_sim/state" && req.method === "GET") {
      const tenant = url.searchParams.get("siren");
      const flowsOf = [...state.flows.values()].filter((r) => !tenant || r.tenant === tenant).map((r) => ({ ...r.flow, tenant: r.tenant, facts: r.facts }));
      const invoices = [...state.invoices.values()].filter((i) => !tenant || i.sellerSiren === tenant || i.buyerSiren === tenant);
      return json(res, 200, {
        flows: flowsOf,
        invoices,
        deliveries: state.deliveries.filter((d) => !tenant || d.tenant === tenant),
        requests: state.requests.filter((r) => !tenant || r.organizationId === tenant),
        external: state.external,
        webhooks: [...state.webhooks.values()].filter((h) => !tenant || h.tenant === tenant).map((h) => ({ webhookId: h.webhookId, tenant: h.tenant, url: h.callback.url, metadata: h.metadata })),
        units: [...state.units.values()].filter((u) => !tenant || u.siren === tenant),
      });
    }
    if (p === "/_sim/flow-file" && req.method === "GET") {
      const rec = state.flows.get(url.searchParams.get("flowId") ?? "");
      return rec ? file(res, rec.file, rec.flow.name) : json(res, 404, { error: "unknown flow" });
    }
    return json(res, 404, { error: "unknown hook" });
  }

  await new Promise((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    state,
    /** The settings a Worker needs to use this stand-in as its platform PA. */
    workerVars: {
      PA_TOKEN_URL: `${base}/auth/token`,
      PA_FLOW_URL: `${base}/flow-service`,
      PA_DIRECTORY_URL: `${base}/directory-service`,
      PA_CLIENT_ID: PLATFORM_CLIENT.clientId,
      PA_CLIENT_SECRET: PLATFORM_CLIENT.clientSecret,
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const detail = (reasonCode, reasonMessage) => ({ level: "Error", item: "flow", reasonCode, reasonMessage });

function readBody(req, max) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > max) {
        reject(new HttpError(413, "FILE_SIZE_EXCEEDED", "Fichier trop volumineux"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readJson(req) {
  const raw = (await readBody(req, 1024 * 1024)).toString("utf8");
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, "INVALID_PARAMETER", "Corps JSON attendu");
  }
}

function json(res, status, payload) {
  res.writeHead(status, { "content-type": "application/json", "request-id": randomUUID() });
  res.end(JSON.stringify(payload));
}

function error(res, status, errorCode, errorMessage) {
  if (res.headersSent) return res.end();
  return json(res, status, { errorCode, errorMessage, type: `https://standin.pa/errors/${errorCode}`, instance: randomUUID() });
}

function file(res, bytes, name) {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${String(name).replace(/["\\\r\n]/g, "_")}"` });
  res.end(bytes);
}

/** vitest globalSetup: one stand-in for the run, on the port vitest.config.ts chose and gave the Worker. */
export default async function setup(project) {
  const server = await startPaServer({ port: Number(process.env.PA_STANDIN_PORT ?? 0) });
  project.provide("paStandinUrl", server.url);
  return () => server.close();
}

// `node test/stand-ins/pa-server.mjs [port]`: run it alone (a real PA's sandbox, for manual tries).
if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startPaServer({ port: Number(process.argv[2] ?? 8790) });
  console.log(`Stand-in PA listening on ${server.url}`);
  console.log(Object.entries(server.workerVars).map(([k, v]) => `${k}=${v}`).join("\n"));
}
