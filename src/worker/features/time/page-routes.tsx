import { and, asc, eq, isNull, or } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountCtx } from "../../context";
import { clients, products } from "../../db/schema";
import { durationToInput, formatDuration } from "../../domain/duration";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { formFields, orThrow, readForm, validate } from "../../http/validate";
import type { MessageKey } from "../../ui/i18n";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { hundredthsToInput } from "../clients/fields";
import { type AccountVerbCtx, todayInParis } from "../documents/drafts";
import { clientPickerOf, PICK_LIMIT } from "../documents/page-routes";
import { editPath } from "../documents/pages";
import {
  BILL_PATH,
  BillPage,
  type ClientChoice,
  EditEntryPage,
  FILTER_PARAMS,
  TIME_PATH,
  TIMER_PREFIX,
  TIMER_START_PATH,
  TIMER_STOP_PATH,
  TimePage,
  timeHref,
  type TimerState,
  weekOf,
} from "./pages";
import { listEntries, unbilledEntries } from "./queries";
import { BillInput, TimeEntryInput, TimeListQuery, TimerInput } from "./schemas";
import { billEntries, createEntry, deleteEntry, getEntry, runningTimer, startTimer, stopTimer, type TimeEntryRow, updateEntry } from "./verbs";

type Ctx = Context<AppEnv>;

const OK_FLASHES = {
  created: "time.created",
  saved: "time.saved",
  deleted: "time.deleted",
  started: "time.timer.started",
} as const satisfies Record<string, MessageKey>;

function flashOf(c: Ctx): Flash | null {
  const ok = c.req.query("ok");
  if (ok === "stopped") {
    const minutes = Number(c.req.query("minutes"));
    if (Number.isSafeInteger(minutes) && minutes > 0) return { kind: "success", text: c.var.t("time.timer.stopped", { duration: formatDuration(minutes) }) };
  }
  return ok && ok in OK_FLASHES ? { kind: "success", text: c.var.t(OK_FLASHES[ok as keyof typeof OK_FLASHES]) } : null;
}

/**
 * The account's clients for a select (PICK_LIMIT + 1 at most: one more says "search instead",
 * without a COUNT) and its catalogue services, as the document editor reads them.
 */
async function choicesOf(ctx: AccountVerbCtx, keep: string | null, clientQuery?: string) {
  const [clientRows, productRows] = await Promise.all([
    ctx.db
      .select({ id: clients.id, name: clients.name })
      .from(clients)
      .where(and(eq(clients.accountId, ctx.accountId), keep ? or(isNull(clients.archivedAt), eq(clients.id, keep)) : isNull(clients.archivedAt)))
      .orderBy(asc(clients.searchName), asc(clients.id))
      .limit(PICK_LIMIT + 1)
      .all(),
    ctx.db
      .select({ id: products.id, name: products.name })
      .from(products)
      .where(and(eq(products.accountId, ctx.accountId), isNull(products.archivedAt), eq(products.kind, "service")))
      .orderBy(asc(products.searchName), asc(products.id))
      .limit(PICK_LIMIT)
      .all(),
  ]);
  const choice: ClientChoice =
    clientRows.length > PICK_LIMIT ? { options: [], picker: await clientPickerOf(ctx, clientRows, keep, clientQuery) } : { options: clientRows };
  return { clients: choice, products: productRows.map((p) => ({ value: p.id, label: p.name })) };
}

/** The list filters from the page's query (French names); no range given: this week. */
function listQueryOf(c: Ctx): TimeListQuery {
  const raw = c.req.query();
  const input: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(FILTER_PARAMS)) input[key] = raw[name];
  if (!input.from && !input.to) Object.assign(input, weekOf(todayInParis(Date.now())));
  return orThrow(c, validate(TimeListQuery, input, c.var.locale, c.var.t));
}

function newEntryValues(now: number): Record<string, string> {
  return { workDate: todayInParis(now), duration: "", description: "", clientId: "", productId: "", hourlyRate: "", billable: "on" };
}

interface TimeState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  timerValues?: Record<string, string>;
  timerErrors?: FieldErrors;
  flash?: Flash | null;
  status?: ContentfulStatusCode;
  clientQuery?: string;
}

async function timePage(c: Ctx, state: TimeState = {}): Promise<Response> {
  const ctx = accountCtx(c);
  const query = listQueryOf(c);
  const values = state.values ?? newEntryValues(ctx.now);
  const [choices, timer, page] = await Promise.all([choicesOf(ctx, values.clientId || null, state.clientQuery), runningTimer(ctx), listEntries(ctx, query)]);
  let timerState: TimerState | null = null;
  if (timer) {
    const client = timer.clientId
      ? await ctx.db.select({ name: clients.name }).from(clients).where(and(eq(clients.accountId, ctx.accountId), eq(clients.id, timer.clientId))).get()
      : undefined;
    timerState = { entry: timer, clientName: client?.name ?? null };
  }
  return render(
    c,
    <TimePage
      ctx={pageContext(c)}
      timer={timerState}
      values={values}
      errors={state.errors}
      timerValues={state.timerValues ?? { ...newEntryValues(ctx.now), billable: "on" }}
      timerErrors={state.timerErrors}
      clients={choices.clients}
      products={choices.products}
      query={query}
      page={page}
      flash={state.flash !== undefined ? state.flash : state.errors || state.timerErrors ? null : flashOf(c)}
    />,
    state.status ?? 200,
  );
}

/** An entry as form values, the same shape a submitted form has. */
function entryValues(e: TimeEntryRow, locale: "fr" | "en"): Record<string, string> {
  return {
    workDate: e.workDate,
    duration: durationToInput(e.minutes),
    description: e.description,
    clientId: e.clientId ?? "",
    productId: e.productId ?? "",
    hourlyRate: e.hourlyRateCents === null ? "" : hundredthsToInput(e.hourlyRateCents, locale),
    billable: e.billable ? "on" : "",
  };
}

async function editPage(c: Ctx, entry: TimeEntryRow, values: Record<string, string>, errors?: FieldErrors, status: ContentfulStatusCode = 200, clientQuery?: string) {
  const choices = await choicesOf(accountCtx(c), values.clientId || null, clientQuery);
  return render(c, <EditEntryPage ctx={pageContext(c)} id={entry.id} values={values} errors={errors} clients={choices.clients} products={choices.products} />, status);
}

/** A refusal a page shows as a message (conflict, invalid); anything else is thrown on. */
function refusalFlash(err: unknown): Flash | null {
  return err instanceof AppError && err.status < 500 && err.code !== "forbidden" && err.code !== "not_found" ? { kind: "error", text: err.message } : null;
}

async function billPage(c: Ctx, clientId: string, opts: { checked?: Set<string>; errors?: FieldErrors; status?: ContentfulStatusCode; clientQuery?: string } = {}) {
  const ctx = accountCtx(c);
  const [choices, entries] = await Promise.all([choicesOf(ctx, clientId || null, opts.clientQuery), clientId ? unbilledEntries(ctx, clientId) : Promise.resolve([])]);
  const billable = entries.filter((e) => e.hourlyRateCents !== null);
  const checked = opts.checked ?? new Set(billable.map((e) => e.id));
  return render(
    c,
    <BillPage ctx={pageContext(c)} clients={choices.clients} clientId={clientId} entries={entries} checked={checked} errors={opts.errors} />,
    opts.status ?? 200,
  );
}

/** /temps: the timer, the add form, the period's entries; edit, delete, and billing to a draft. */
export const timePages = new Hono<AppEnv>()
  .use(TIME_PATH, requireAuth)
  .use(`${TIME_PATH}/*`, requireAuth)
  .get(TIME_PATH, (c) => timePage(c))
  .post(TIME_PATH, async (c) => {
    const ctx = accountCtx(c);
    return handleForm(
      c,
      TimeEntryInput,
      async (input, values) => {
        // The no-JS client search ("Rechercher"): show the matches, keep everything typed.
        if (values._pick === "client") return timePage(c, { values, clientQuery: values.clientQ ?? "" });
        await createEntry(ctx, input);
        return c.redirect(timeHref({ ok: "created" }), 303);
      },
      (values, errors, status) =>
        values._pick === "client" ? timePage(c, { values, clientQuery: values.clientQ ?? "" }) : timePage(c, { values, errors, status }),
    );
  })
  .post(TIMER_START_PATH, async (c) => {
    const form = await formFields(c);
    // The timer form's fields carry a prefix (no id clash with the add form): read them without it.
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (k.startsWith(TIMER_PREFIX)) values[k.slice(TIMER_PREFIX.length)] = v;
    const parsed = validate(TimerInput, values, c.var.locale, c.var.t);
    if (!parsed.ok) return timePage(c, { timerValues: values, timerErrors: parsed.fields, status: 400 });
    try {
      await startTimer(accountCtx(c), parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.code !== "forbidden") {
        return timePage(c, { timerValues: values, timerErrors: err.fields ?? { _form: err.message }, status: err.status });
      }
      throw err;
    }
    return c.redirect(`${TIME_PATH}?ok=started`, 303);
  })
  .post(TIMER_STOP_PATH, async (c) => {
    try {
      const entry = await stopTimer(accountCtx(c));
      return c.redirect(`${TIME_PATH}?ok=stopped&minutes=${entry.minutes}`, 303);
    } catch (err) {
      const flash = refusalFlash(err);
      if (flash) return timePage(c, { flash, status: 409 });
      throw err;
    }
  })
  .get(BILL_PATH, async (c) => {
    const clientId = c.req.query("clientId")?.slice(0, 40) ?? "";
    const pick = c.req.query("_pick") === "client";
    return billPage(c, clientId, pick ? { clientQuery: c.req.query("clientQ") ?? "" } : {});
  })
  .post(BILL_PATH, async (c) => {
    const body = await readForm(c, { all: true });
    const clientId = typeof body.clientId === "string" ? body.clientId : "";
    const raw = body.entryIds;
    const entryIds = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === "string");
    const parsed = validate(BillInput, { clientId, entryIds }, c.var.locale, c.var.t);
    const checked = new Set(entryIds);
    if (!parsed.ok) return billPage(c, clientId, { checked, errors: parsed.fields, status: 400 });
    try {
      const { documentId } = await billEntries(accountCtx(c), parsed.data.clientId, parsed.data.entryIds);
      return c.redirect(editPath(documentId), 303);
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.code !== "forbidden" && err.code !== "not_found") {
        return billPage(c, clientId, { checked, errors: err.fields ?? { _form: err.message }, status: err.status });
      }
      throw err;
    }
  })
  .get(`${TIME_PATH}/:timeEntryId/modifier`, async (c) => {
    const entry = await getEntry(accountCtx(c), c.req.param("timeEntryId"));
    if (entry.documentId !== null || entry.startedAt !== null) return c.redirect(TIME_PATH, 303);
    return editPage(c, entry, entryValues(entry, c.var.locale));
  })
  .post(`${TIME_PATH}/:timeEntryId/modifier`, async (c) => {
    const ctx = accountCtx(c);
    // Read first: an unknown id is a 404 before any validation.
    const entry = await getEntry(ctx, c.req.param("timeEntryId"));
    return handleForm(
      c,
      TimeEntryInput,
      async (input, values) => {
        if (values._pick === "client") return editPage(c, entry, values, undefined, 200, values.clientQ ?? "");
        await updateEntry(ctx, entry.id, input);
        return c.redirect(`${TIME_PATH}?ok=saved`, 303);
      },
      (values, errors, status) => (values._pick === "client" ? editPage(c, entry, values, undefined, 200, values.clientQ ?? "") : editPage(c, entry, values, errors, status)),
    );
  })
  .post(`${TIME_PATH}/:timeEntryId/supprimer`, async (c) => {
    try {
      await deleteEntry(accountCtx(c), c.req.param("timeEntryId"));
    } catch (err) {
      const flash = refusalFlash(err);
      if (flash) return timePage(c, { flash, status: 409 });
      throw err;
    }
    return c.redirect(`${TIME_PATH}?ok=deleted`, 303);
  });

