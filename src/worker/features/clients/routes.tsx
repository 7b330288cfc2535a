import { Hono } from "hono";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountCtx } from "../../context";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { jsonBody, orThrow, validate } from "../../http/validate";
import type { MessageKey } from "../../ui/i18n";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import {
  CLIENTS_PATH,
  ClientDetailPage,
  ClientsListPage,
  clientPath,
  clientValues,
  listHref,
  NEW_CLIENT_PATH,
  NewClientPage,
} from "./pages";
import { ACTIVITY_SECTIONS, type ActivityCursors, clientActivity } from "./activity";
import { type Client, clientBalance, getClient, isClientReferenced, listClients } from "./queries";
import { ClientInput, ListQuery } from "./schemas";
import { archiveClient, createClient, deleteClient, unarchiveClient, updateClient } from "./verbs";

const OK_MESSAGES = {
  created: "clients.created",
  saved: "form.saved",
  archived: "clients.archived.done",
  unarchived: "clients.unarchived.done",
  deleted: "clients.deleted",
} as const satisfies Record<string, MessageKey>;

function flashOf(c: Context<AppEnv>): Flash | null {
  const ok = c.req.query("ok");
  return ok && ok in OK_MESSAGES ? { kind: "success", text: c.var.t(OK_MESSAGES[ok as keyof typeof OK_MESSAGES]) } : null;
}

function listQueryOf(c: Context<AppEnv>): ListQuery {
  return orThrow(c, validate(ListQuery, c.req.query(), c.var.locale, c.var.t));
}

interface DetailState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  flash?: Flash | null;
  status?: ContentfulStatusCode;
}

/** Renders a client's page; submitted values and errors, when given, win over the stored ones. */
async function detailPage(c: Context<AppEnv>, client: Client, state: DetailState = {}): Promise<Response> {
  const ctx = accountCtx(c);
  const cursors: ActivityCursors = {};
  for (const section of ACTIVITY_SECTIONS) {
    const cursor = c.req.query(section);
    if (cursor) cursors[section] = cursor;
  }
  const [referenced, balance, activity] = await Promise.all([isClientReferenced(ctx, client.id), clientBalance(ctx, client.id), clientActivity(ctx, client.id, cursors)]);
  return render(
    c,
    <ClientDetailPage
      ctx={pageContext(c)}
      client={client}
      values={state.values ?? clientValues(client)}
      errors={state.errors}
      referenced={referenced}
      balance={balance}
      activity={activity}
      flash={state.flash !== undefined ? state.flash : state.errors ? null : flashOf(c)}
    />,
    state.status ?? 200,
  );
}

/** Clients pages: list and search, "Nouveau client", details with edit, archive and delete. */
export const clientsPages = new Hono<AppEnv>()
  .use(CLIENTS_PATH, requireAuth)
  .use(`${CLIENTS_PATH}/*`, requireAuth)
  .get(CLIENTS_PATH, async (c) => {
    const query = listQueryOf(c);
    const page = await listClients(accountCtx(c), query);
    return render(c, <ClientsListPage ctx={pageContext(c)} page={page} q={query.q} archived={query.archived} flash={flashOf(c)} />);
  })
  .get(NEW_CLIENT_PATH, (c) => render(c, <NewClientPage ctx={pageContext(c)} values={{ kind: "company", country: "FR", deliveryCountry: "FR", language: "fr" }} />))
  .post(CLIENTS_PATH, (c) =>
    handleForm(
      c,
      ClientInput,
      async (input) => {
        const client = await createClient(accountCtx(c), input);
        return c.redirect(`${clientPath(client.id)}?ok=created`, 303);
      },
      (values, errors, status) => render(c, <NewClientPage ctx={pageContext(c)} values={values} errors={errors} />, status),
    ),
  )
  .get(`${CLIENTS_PATH}/:id`, async (c) => detailPage(c, await getClient(accountCtx(c), c.req.param("id"))))
  .post(`${CLIENTS_PATH}/:id`, async (c) => {
    const ctx = accountCtx(c);
    // Read first: an unknown id is a 404 before any validation, and a rejected form shows the saved client.
    const client = await getClient(ctx, c.req.param("id"));
    return handleForm(
      c,
      ClientInput,
      async (input) => {
        await updateClient(ctx, client.id, input);
        return c.redirect(`${clientPath(client.id)}?ok=saved`, 303);
      },
      (values, errors, status) => detailPage(c, client, { values, errors, status }),
    );
  })
  .post(`${CLIENTS_PATH}/:id/archiver`, async (c) => {
    const client = await archiveClient(accountCtx(c), c.req.param("id"));
    return c.redirect(`${clientPath(client.id)}?ok=archived`, 303);
  })
  .post(`${CLIENTS_PATH}/:id/desarchiver`, async (c) => {
    const client = await unarchiveClient(accountCtx(c), c.req.param("id"));
    return c.redirect(`${clientPath(client.id)}?ok=unarchived`, 303);
  })
  .post(`${CLIENTS_PATH}/:id/supprimer`, async (c) => {
    const ctx = accountCtx(c);
    const id = c.req.param("id");
    try {
      await deleteClient(ctx, id);
    } catch (err) {
      // A document named the client meanwhile: show its page again, offering to archive it.
      if (err instanceof AppError && err.code === "conflict") {
        return detailPage(c, await getClient(ctx, id), { flash: { kind: "error", text: err.message }, status: 409 });
      }
      throw err;
    }
    return c.redirect(listHref(CLIENTS_PATH, { ok: "deleted" }), 303);
  });

/** JSON API under /api/v1: the clients of the signed-in account. */
export const clientsApi = new Hono<AppEnv>()
  .use("/clients", requireAuth)
  .use("/clients/*", requireAuth)
  .get("/clients", async (c) => {
    const { items, nextCursor } = await listClients(accountCtx(c), listQueryOf(c));
    return c.json({ items, nextCursor });
  })
  .post("/clients", async (c) => {
    const input = await jsonBody(c, ClientInput);
    return c.json({ client: await createClient(accountCtx(c), input) }, 201);
  })
  .get("/clients/:id", async (c) => c.json({ client: await getClient(accountCtx(c), c.req.param("id")) }))
  .put("/clients/:id", async (c) => {
    const ctx = accountCtx(c);
    // An id this account does not have is a 404 whatever the body.
    const { id } = await getClient(ctx, c.req.param("id"));
    const input = await jsonBody(c, ClientInput);
    return c.json({ client: await updateClient(ctx, id, input) });
  })
  .delete("/clients/:id", async (c) => {
    await deleteClient(accountCtx(c), c.req.param("id"));
    return c.body(null, 204);
  })
  .post("/clients/:id/archive", async (c) => c.json({ client: await archiveClient(accountCtx(c), c.req.param("id")) }))
  .post("/clients/:id/unarchive", async (c) => c.json({ client: await unarchiveClient(accountCtx(c), c.req.param("id")) }));
