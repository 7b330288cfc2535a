// A local stand-in for Resend's email API (POST https://api.resend.com/emails), used by the vitest
// globalSetup and reachable by `npm start` users who set RESEND_BASE_URL. It answers like Resend
// does: a Bearer API key is required (401 missing_api_key; 403 invalid_api_key for keys that are not
// `re_…`), `from`, `to`, `subject` and a body are required (422 validation_error), an
// `Idempotency-Key` replays the first answer for the same payload and refuses another payload
// (409 invalid_idempotent_request), and `/_sim/fail` makes the next sends fail (429 or 500) so
// retries and error paths can be tested. It records every accepted email (attachments decoded) for
// the tests to read at `/_sim/emails`. Plain Node, no dependency.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

/** Resend's error body: `{ statusCode, name, message }`. */
const error = (statusCode, name, message) => [statusCode, { statusCode, name, message }];

/** What Resend checks before accepting an email (the subset of its validation Factumo can trip). */
function validationError(body) {
  if (!body || typeof body !== "object") return error(422, "validation_error", "Invalid JSON body.");
  for (const field of ["from", "to", "subject"]) {
    if (body[field] === undefined || body[field] === "" || (Array.isArray(body[field]) && body[field].length === 0)) return error(422, "validation_error", `Missing \`${field}\` field.`);
  }
  if (!body.html && !body.text && !body.react && !body.template) return error(422, "validation_error", "Missing `html` or `text` field.");
  const to = Array.isArray(body.to) ? body.to : [body.to];
  if (to.length > 50) return error(422, "validation_error", "Too many recipients: 50 maximum.");
  if (to.some((a) => typeof a !== "string" || !/^[^\s@<>]+@[^\s@<>]+$/.test(a.replace(/^.*<(.+)>$/, "$1")))) return error(422, "validation_error", "Invalid `to` field.");
  for (const a of body.attachments ?? []) {
    if (!a.filename) return error(422, "validation_error", "Attachments need a `filename`.");
    if (!a.content && !a.path) return error(422, "validation_error", "Attachments need `content` or `path`.");
  }
  return null;
}

/**
 * Starts the stand-in on 127.0.0.1 (random port unless given).
 * @param {{ port?: number }} opts
 */
export async function startResendServer(opts = {}) {
  const emails = [];
  const idempotent = new Map();
  const failures = [];

  function send(body, headers) {
    const auth = headers.authorization ?? "";
    if (!/^Bearer \S+$/.test(auth)) return error(401, "missing_api_key", "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY");
    if (!/^Bearer re_\w+$/.test(auth)) return error(403, "invalid_api_key", "API key is invalid");
    const failure = failures.shift();
    if (failure === 429) return error(429, "rate_limit_exceeded", "Too many requests. You can only make 2 requests per second.");
    if (failure) return error(failure, "application_error", "An unexpected error occurred.");
    const invalid = validationError(body);
    if (invalid) return invalid;
    const id = randomUUID();
    emails.push({
      id,
      from: body.from,
      to: Array.isArray(body.to) ? body.to : [body.to],
      subject: body.subject,
      text: body.text ?? null,
      html: body.html ?? null,
      replyTo: body.reply_to ?? null,
      headers: body.headers ?? {},
      attachments: (body.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.content_type ?? a.contentType ?? null, content: a.content ? Buffer.from(a.content, "base64").toString("base64") : null, size: a.content ? Buffer.from(a.content, "base64").length : 0 })),
      idempotencyKey: headers["idempotency-key"] ?? null,
      createdAt: new Date().toISOString(),
    });
    return [200, { id }];
  }

  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const answer = (status, json) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.method === "GET" && url.pathname === "/_sim/emails") {
        const to = url.searchParams.get("to");
        return answer(200, to ? emails.filter((e) => e.to.includes(to)) : emails);
      }
      if (req.method === "POST" && url.pathname === "/_sim/fail") {
        const { status = 500, times = 1 } = JSON.parse(raw || "{}");
        for (let i = 0; i < times; i++) failures.push(status);
        return answer(200, { queued: failures.length });
      }
      const one = url.pathname.match(/^\/emails\/([\w-]+)$/);
      if (req.method === "GET" && one) {
        const email = emails.find((e) => e.id === one[1]);
        return email ? answer(200, { object: "email", id: email.id, to: email.to, from: email.from, subject: email.subject, created_at: email.createdAt, last_event: "sent" }) : answer(...error(404, "not_found", "Email not found"));
      }
      if (req.method !== "POST" || url.pathname !== "/emails") return answer(...error(404, "not_found", "The requested endpoint does not exist."));
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(...error(422, "validation_error", "Invalid JSON body."));
      }
      const key = req.headers["idempotency-key"];
      if (key) {
        const hit = idempotent.get(key);
        if (hit && hit.raw !== raw) return answer(...error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload. Change your idempotency key or payload."));
        if (hit) return answer(...hit.result);
        const result = send(body, req.headers);
        // Like Resend, only a processed request is remembered (a 5xx or 429 can be retried with the same key).
        if (result[0] < 500 && result[0] !== 429) idempotent.set(key, { raw, result });
        return answer(...result);
      }
      return answer(...send(body, req.headers));
    });
  });
  await new Promise((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    emails,
    workerVars: { RESEND_BASE_URL: url },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** vitest globalSetup: the stand-in's URL handed to the tests as inject("resendApiBase"). */
export default async function setup(project) {
  const server = await startResendServer();
  project.provide("resendApiBase", server.url);
  return () => server.close();
}
