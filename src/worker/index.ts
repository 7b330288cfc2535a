import { Hono } from "hono";

export { NumberingObject } from "./numbering/numbering-object";

const app = new Hono<{ Bindings: CloudflareBindings }>();
app.get("/healthz", (c) => c.json({ ok: true }));

export default {
  fetch: app.fetch,
  async scheduled(_controller, _env, _ctx) {},
} satisfies ExportedHandler<CloudflareBindings>;
