import { Resend } from "resend";
import { type Config, isLocal } from "../config";
import type { Db } from "../db/client";
import { mailLog } from "../db/schema";
import { AppError } from "../http/errors";
import { headerText } from "../http/header-values";
import { randomId } from "./crypto/random";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** A stable template name, kept in the mail log (never the body, in production). */
  template: string;
  accountId?: string | null;
  userId?: string | null;
  replyTo?: string;
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; content: Uint8Array; contentType: string }>;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

/** Plain text → minimal HTML: paragraphs, and links made clickable. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\n{2,}/).map((p) =>
    escapeHtml(p)
      .replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)
      .replace(/\n/g, "<br>"),
  );
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937">${paragraphs
    .map((p) => `<p>${p}</p>`)
    .join("")}</body></html>`;
}

/**
 * The mail with every value that becomes a mail header (subject, reply-to, extra headers,
 * attachment names) stripped of control characters: a seller name or document number holding a
 * CR/LF can never add a header (http/header-values.ts).
 */
export function headerSafeMail(mail: OutgoingMail): OutgoingMail {
  return {
    ...mail,
    to: headerText(mail.to),
    subject: headerText(mail.subject),
    ...(mail.replyTo ? { replyTo: headerText(mail.replyTo) } : {}),
    ...(mail.headers ? { headers: Object.fromEntries(Object.entries(mail.headers).map(([k, v]) => [headerText(k), headerText(v)])) } : {}),
    ...(mail.attachments ? { attachments: mail.attachments.map((a) => ({ ...a, filename: headerText(a.filename) })) } : {}),
  };
}

/**
 * The one way Factumo sends email. With RESEND_API_KEY it goes through Resend's SDK (whose base URL
 * tests point at a local server); without it, in local and test modes only, it lands in the dev
 * outbox (`/dev/outbox`). Every send is recorded in mail_log.
 */
export async function sendMail(config: Config, db: Db, input: OutgoingMail): Promise<{ id: string }> {
  const mail = headerSafeMail(input);
  const id = randomId();
  const html = textToHtml(mail.text);
  const now = Date.now();
  const base = {
    id,
    accountId: mail.accountId ?? null,
    userId: mail.userId ?? null,
    toAddress: mail.to,
    subject: mail.subject,
    template: mail.template,
    attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.byteLength })) ?? null,
    createdAt: now,
  };

  if (!config.RESEND_API_KEY) {
    if (!isLocal(config)) throw new AppError("misconfigured", "Email provider not configured.");
    await db.insert(mailLog).values({ ...base, provider: "outbox", status: "sent", bodyText: mail.text, bodyHtml: html });
    return { id };
  }

  const resend = new Resend(config.RESEND_API_KEY, config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : undefined);
  const { data, error } = await resend.emails.send(
    {
      from: config.MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html,
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      ...(mail.headers ? { headers: mail.headers } : {}),
      ...(mail.attachments
        ? {
            attachments: mail.attachments.map((a) => ({
              filename: a.filename,
              content: btoaBytes(a.content),
              contentType: a.contentType,
            })),
          }
        : {}),
    },
    { idempotencyKey: id },
  );
  await db.insert(mailLog).values({
    ...base,
    provider: "resend",
    providerMessageId: data?.id ?? null,
    status: error ? "failed" : "sent",
  });
  if (error) {
    console.error(JSON.stringify({ level: "error", event: "mail_failed", mailId: id, template: mail.template, code: error.name }));
    throw new AppError("internal", "L'email n'a pas pu être envoyé. Réessayez dans un instant.");
  }
  return { id };
}

function btoaBytes(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
