import { and, eq, notInArray } from "drizzle-orm";
import { Resend } from "resend";
import type { Config } from "../../config";
import { forEachShard } from "../../db/client";
import { emailSuppressions, mailLog, webhookEvents } from "../../db/schema";
import type { Bindings } from "../../env";

/** Delivery events that change a send's status; any other event type is acknowledged and ignored. */
const STATUS_OF = { "email.delivered": "delivered", "email.bounced": "bounced", "email.complained": "complained" } as const;

export type WebhookOutcome = { ok: false; reason: "not_configured" | "bad_signature" } | { ok: true; duplicate: boolean; type: string };

interface ResendEvent {
  type?: string;
  data?: { email_id?: string; to?: string[] | string };
}

/**
 * Handles one Resend delivery webhook: the Svix signature is checked by the Resend SDK (HMAC over
 * id, timestamp and body; a timestamp more than 5 minutes off is refused), then the event is
 * applied once per event id: the send's status changes and a bounce or complaint puts the address
 * on the suppression list. Mail rows live with account data, so every shard is visited.
 */
export async function handleResendWebhook(
  env: Pick<Bindings, "DB">,
  config: Pick<Config, "RESEND_API_KEY" | "RESEND_WEBHOOK_SECRET">,
  payload: string,
  headers: { id: string | undefined; timestamp: string | undefined; signature: string | undefined },
  now: number,
): Promise<WebhookOutcome> {
  if (!config.RESEND_WEBHOOK_SECRET) return { ok: false, reason: "not_configured" };
  let event: ResendEvent;
  try {
    // The API key plays no part in verification; the SDK only refuses to be built without one.
    event = new Resend(config.RESEND_API_KEY ?? "re_verify_only").webhooks.verify({
      payload,
      headers: { id: headers.id ?? "", timestamp: headers.timestamp ?? "", signature: headers.signature ?? "" },
      webhookSecret: config.RESEND_WEBHOOK_SECRET,
    }) as ResendEvent;
  } catch {
    return { ok: false, reason: "bad_signature" };
  }
  const eventId = headers.id ?? "";
  const type = typeof event.type === "string" ? event.type.slice(0, 60) : "unknown";
  const status = type in STATUS_OF ? STATUS_OF[type as keyof typeof STATUS_OF] : null;
  const emailId = event.data?.email_id;
  const recipients = (Array.isArray(event.data?.to) ? event.data.to : event.data?.to ? [event.data.to] : []).map((a) => String(a).trim().toLowerCase()).filter(Boolean);

  const results = await forEachShard(env, async (db) => {
    const seen = await db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.id, eventId)).get();
    if (seen) return true;
    const record = db.insert(webhookEvents).values({ id: eventId, source: "resend", type, receivedAt: now }).onConflictDoNothing();
    const updates = [];
    if (status && emailId) {
      // A late "delivered" never hides an earlier bounce or complaint.
      const keep = status === "delivered" ? (["bounced", "complained"] as const) : (["complained"] as const);
      updates.push(
        db
          .update(mailLog)
          .set({ status })
          .where(and(eq(mailLog.providerMessageId, emailId), notInArray(mailLog.status, [...keep]))),
      );
    }
    if (status === "bounced" || status === "complained") {
      for (const address of recipients) {
        updates.push(
          db
            .insert(emailSuppressions)
            .values({ address, reason: status, eventId, createdAt: now })
            .onConflictDoUpdate({ target: emailSuppressions.address, set: { reason: status, eventId, createdAt: now } }),
        );
      }
    }
    await db.batch([record, ...updates]);
    return false;
  });
  return { ok: true, duplicate: results.every(Boolean), type };
}
