import { Hono } from "hono";
import { accountCtx } from "../../context";
import type { AppEnv } from "../../env";
import { requireAuth } from "../../http/session";
import { jsonBody, orThrow, validate } from "../../http/validate";
import { listEntries } from "./queries";
import { BillInput, TimeEntryInput, TimeListQuery, TimerInput } from "./schemas";
import { billEntries, createEntry, deleteEntry, getEntry, runningTimer, startTimer, stopTimer, updateEntry } from "./verbs";

/** JSON API under /api/v1: the signed-in account's time entries, its timer, and billing them. */
export const timeApi = new Hono<AppEnv>()
  .use("/time-entries", requireAuth)
  .use("/time-entries/*", requireAuth)
  .get("/time-entries", async (c) => {
    const query = orThrow(c, validate(TimeListQuery, c.req.query(), c.var.locale, c.var.t));
    return c.json(await listEntries(accountCtx(c), query));
  })
  .post("/time-entries", async (c) => {
    const input = await jsonBody(c, TimeEntryInput);
    return c.json({ entry: await createEntry(accountCtx(c), input) }, 201);
  })
  .get("/time-entries/timer", async (c) => c.json({ entry: await runningTimer(accountCtx(c)) }))
  .post("/time-entries/timer/start", async (c) => {
    const input = await jsonBody(c, TimerInput);
    return c.json({ entry: await startTimer(accountCtx(c), input) }, 201);
  })
  .post("/time-entries/timer/stop", async (c) => c.json({ entry: await stopTimer(accountCtx(c)) }))
  .post("/time-entries/bill", async (c) => {
    const input = await jsonBody(c, BillInput);
    return c.json(await billEntries(accountCtx(c), input.clientId, input.entryIds), 201);
  })
  .get("/time-entries/:timeEntryId", async (c) => c.json({ entry: await getEntry(accountCtx(c), c.req.param("timeEntryId")) }))
  .put("/time-entries/:timeEntryId", async (c) => {
    const ctx = accountCtx(c);
    // An id this account does not have is a 404 whatever the body.
    const { id } = await getEntry(ctx, c.req.param("timeEntryId"));
    const input = await jsonBody(c, TimeEntryInput);
    return c.json({ entry: await updateEntry(ctx, id, input) });
  })
  .delete("/time-entries/:timeEntryId", async (c) => {
    await deleteEntry(accountCtx(c), c.req.param("timeEntryId"));
    return c.body(null, 204);
  });
