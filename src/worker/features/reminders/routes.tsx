import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { accountCtx } from "../../context";
import { documents } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { handleForm, safeNext } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { formFields, jsonBody } from "../../http/validate";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import type { AccountVerbCtx } from "../documents/drafts";
import { documentPath } from "../documents/pages";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldErrors } from "../../http/errors";
import { SendPreviewPage } from "../sending/pages";
import { REMINDER_SETTINGS_PATH, ReminderSettingsPage, reminderNowPath } from "./pages";
import { parseOffsets } from "./plan";
import { getPlan, listReminders, previewReminder, sendReminderNow, setPlan, setReminderPause } from "./verbs";

// The array is bounded here only against abuse; the plan's own limits (6 steps, −30..+120, no
// duplicate) are checked by setPlan, with messages that say which rule failed.
const PlanInput = z.object({ offsets: z.array(z.number()).max(50) });
const PauseInput = z.object({ paused: z.boolean() });
const PlanForm = z.object({ offsets: z.string().max(200).default("") });

async function ownDocument(ctx: AccountVerbCtx, id: string) {
  const doc = await ctx.db.select({ id: documents.id }).from(documents).where(and(eq(documents.id, id), eq(documents.accountId, ctx.accountId))).get();
  if (!doc) throw new AppError("not_found", ctx.t("err.not_found"));
  return doc;
}

/** JSON API: the account's plan, an invoice's reminders, pause/resume, and remind now. */
export const remindersApi = new Hono<AppEnv>()
  .use("/reminders/*", requireAuth)
  .use("/documents/:id/reminders", requireAuth)
  .use("/documents/:id/reminders/*", requireAuth)
  .get("/reminders/plan", async (c) => c.json({ plan: await getPlan(accountCtx(c)) }))
  .put("/reminders/plan", async (c) => {
    const input = await jsonBody(c, PlanInput);
    const offsets = await setPlan(accountCtx(c), input.offsets);
    return c.json({ plan: { offsets, isDefault: false } });
  })
  .get("/documents/:id/reminders", async (c) => {
    const ctx = accountCtx(c);
    const doc = await ownDocument(ctx, c.req.param("id"));
    return c.json({ reminders: await listReminders(ctx, doc.id) });
  })
  .post("/documents/:id/reminders", async (c) => {
    const { reminder, already } = await sendReminderNow(accountCtx(c), c.req.param("id"));
    return c.json({ reminder, already }, already ? 200 : 201);
  })
  .put("/documents/:id/reminders/pause", async (c) => {
    const input = await jsonBody(c, PauseInput);
    return c.json(await setReminderPause(accountCtx(c), c.req.param("id"), input.paused));
  });

/** Pages: the plan editor, and the forms posted from a document's page or the receivables page. */
export const remindersPages = new Hono<AppEnv>()
  .use(REMINDER_SETTINGS_PATH, requireAuth)
  .use("/documents/:id/relancer", requireAuth)
  .use("/documents/:id/relances/*", requireAuth)
  .get(REMINDER_SETTINGS_PATH, async (c) => {
    const plan = await getPlan(accountCtx(c));
    const flash = c.req.query("ok") ? { kind: "success" as const, text: c.var.t("reminders.saved") } : null;
    return render(c, <ReminderSettingsPage ctx={pageContext(c)} offsets={plan.offsets.join(", ")} isDefault={plan.isDefault} flash={flash} />);
  })
  .post(REMINDER_SETTINGS_PATH, (c) =>
    handleForm(
      c,
      PlanForm,
      async (data) => {
        const offsets = parseOffsets(data.offsets);
        await setPlan(accountCtx(c), offsets);
        return c.redirect(`${REMINDER_SETTINGS_PATH}?ok=saved`, 303);
      },
      (values, errors, status) => render(c, <ReminderSettingsPage ctx={pageContext(c)} offsets={values.offsets ?? ""} isDefault={false} errors={errors} />, status),
    ),
  )
  .post("/documents/:id/relances/pause", async (c) => {
    const id = c.req.param("id");
    const values = await formFields(c);
    await setReminderPause(accountCtx(c), id, values.paused === "1");
    return c.redirect(`${documentPath(id)}#relances`, 303);
  })
  .get("/documents/:id/relancer", async (c) => renderReminderPreview(c, c.req.param("id"), { back: c.req.query("retour") }))
  .post("/documents/:id/relancer", async (c) => {
    const id = c.req.param("id");
    const values = await formFields(c);
    // The preview posts its subject and message (a form without them sends the template as is).
    const edits = { ...(values.subject !== undefined ? { subject: values.subject } : {}), ...(values.message !== undefined ? { message: values.message } : {}) };
    try {
      await sendReminderNow(accountCtx(c), id, edits);
    } catch (err) {
      if (err instanceof AppError && err.fields && err.status < 500) return renderReminderPreview(c, id, values, err.fields, err.status);
      throw err;
    }
    return c.redirect(safeNext(values.back, `${documentPath(id)}#relances`), 303);
  });

async function renderReminderPreview(c: Context<AppEnv>, id: string, values: Partial<Record<string, string>>, errors?: FieldErrors, status: ContentfulStatusCode = 200) {
  const ctx = pageContext(c);
  const p = await previewReminder(accountCtx(c), id);
  return render(
    c,
    <SendPreviewPage
      ctx={ctx}
      action={reminderNowPath(id)}
      back={safeNext(values.back, `${documentPath(id)}#relances`)}
      next={values.back ? safeNext(values.back, "") || null : null}
      title={ctx.t("reminders.preview.title", { number: p.number })}
      submit={ctx.t("reminders.preview.send")}
      kind="reminder"
      language={p.language}
      to={null}
      subject={values.subject ?? p.subject}
      message={values.message ?? p.message}
      mandatory={p.mandatory}
      attachment={null}
      requestKey={null}
      notice={p.alreadyToday ? ctx.t("reminders.preview.already") : null}
      errors={errors}
    />,
    status,
  );
}
