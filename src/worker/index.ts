import { createApp } from "./app";
import { runScheduled } from "./jobs/crons";

export { NumberingObject } from "./numbering/numbering-object";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller.cron, env, controller.scheduledTime));
  },
} satisfies ExportedHandler<CloudflareBindings>;
