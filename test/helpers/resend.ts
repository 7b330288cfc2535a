import { inject } from "vitest";
import type { Config } from "../../src/worker/config";

// The Resend API stand-in (test/stand-ins/resend-server.mjs), started by the vitest globalSetup:
// the Worker's Resend SDK talks to it over HTTP like it talks to api.resend.com.

declare module "vitest" {
  export interface ProvidedContext {
    resendApiBase: string;
  }
}

export const RESEND_BASE = inject("resendApiBase");

/** A config that sends through the stand-in with a valid-looking API key. */
export const viaResend = <C extends Config>(config: C, apiKey = "re_test_key"): C => ({ ...config, RESEND_API_KEY: apiKey, RESEND_BASE_URL: RESEND_BASE });

export type ResendEmail = {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  replyTo: string | string[] | null;
  headers: Record<string, string>;
  attachments: Array<{ filename: string; contentType: string | null; content: string | null; size: number }>;
  idempotencyKey: string | null;
};

/** What the stand-in accepted for an address, oldest first. */
export async function resendEmailsTo(to: string): Promise<ResendEmail[]> {
  return (await (await fetch(`${RESEND_BASE}/_sim/emails?to=${encodeURIComponent(to)}`)).json()) as ResendEmail[];
}

/** Makes the stand-in's next `times` sends fail with `status` (429 or a 5xx). */
export async function failNextResendSends(status: number, times = 1): Promise<void> {
  await fetch(`${RESEND_BASE}/_sim/fail`, { method: "POST", body: JSON.stringify({ status, times }) });
}
