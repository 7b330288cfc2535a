import { eq } from "drizzle-orm";
import type { Config } from "../../config";
import { accountDb, directoryDb } from "../../db/client";
import { users } from "../../db/schema";
import type { Bindings } from "../../env";
import { sendMail } from "../../lib/mail";
import { translator } from "../../ui/i18n";
import { EXPORT_TTL_MS, signedDownloadPath } from "./links";

/**
 * Emails the requester that their export is ready, with the signed link (which still asks for
 * their session). Sent even for a frozen account: the owner exercising their own right of
 * portability is not processing for a third party (privacy policy §9.4, §9.5).
 */
export async function notifyExportReady(env: Bindings, config: Config, job: { id: string; accountId: string; requestedBy: string }, createdAt = Date.now()): Promise<void> {
  const user = await directoryDb(env).select({ email: users.email, name: users.name, locale: users.locale }).from(users).where(eq(users.id, job.requestedBy)).get();
  if (!user) return;
  const t = translator(user.locale);
  const link = `${config.APP_URL}${await signedDownloadPath(config.SESSION_SECRET, job.id, createdAt + EXPORT_TTL_MS)}`;
  await sendMail(config, accountDb(env, job.accountId), {
    to: user.email,
    subject: t("data.mail.subject"),
    text: t("data.mail.body", { name: user.name, link }),
    template: "data_export_ready",
    accountId: job.accountId,
    userId: job.requestedBy,
  });
}
