import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { hasDevTools } from "../../config";
import { directoryDb } from "../../db/client";
import { mailLog } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { PublicLayout } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { directoryCtx } from "../../context";
import { seedDemo } from "./seed";
import { render } from "../../ui/render";

/**
 * Local-only tools: the outbox where emails land when no Resend key is set, and the demo seed. In
 * production and in tests every path here is a 404, as if it did not exist (config.hasDevTools).
 */
export const devPages = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (!hasDevTools(c.var.config)) throw new AppError("not_found", c.var.t("err.not_found"));
    return next();
  })
  .post("/seed", async (c) => c.json(await seedDemo(directoryCtx(c))))
  .get("/outbox", async (c) => {
    const mails = await directoryDb(c.env)
      .select()
      .from(mailLog)
      .where(eq(mailLog.provider, "outbox"))
      .orderBy(desc(mailLog.createdAt))
      .limit(50)
      .all();
    if (c.req.header("accept")?.includes("application/json")) return c.json({ mails });
    const ctx = pageContext(c);
    return render(
      c,
      <PublicLayout ctx={ctx} title={ctx.t("outbox.title")}>
        <section class="card wide">
          <h1>{ctx.t("outbox.title")}</h1>
          <p class="lead">{ctx.t("outbox.lead")}</p>
          {mails.length === 0 ? <p>{ctx.t("outbox.empty")}</p> : null}
          {mails.map((m) => (
            <article class="mail" key={m.id} data-template={m.template}>
              <h2>{m.subject}</h2>
              <p class="muted">
                → {m.toAddress} · {new Date(m.createdAt).toISOString()} · {m.template}
              </p>
              <pre class="mail-body">{m.bodyText}</pre>
              {(m.attachments ?? []).map((a) => (
                <p class="mail-attachment" key={a.filename}>
                  {ctx.t("outbox.attachment", { name: a.filename, size: Math.max(1, Math.round(a.size / 1024)) })}
                </p>
              ))}
            </article>
          ))}
        </section>
      </PublicLayout>,
    );
  });
