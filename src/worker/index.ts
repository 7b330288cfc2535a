import { createApp } from "./app";
import { runScheduled } from "./jobs/crons";
import { installOutboundGuard, setOutboundEnvironment } from "./lib/outbound";

export { NumberingObject } from "./numbering/numbering-object";
export { ExportObject } from "./exports/export-object";

// Before any handler runs: every request leaving the Worker is checked against the processors list.
installOutboundGuard();

const app = createApp();

export default {
  fetch(request, env, ctx) {
    setOutboundEnvironment(env.ENVIRONMENT);
    return app.fetch(request, env, ctx);
  },
  async scheduled(controller, env, ctx) {
    setOutboundEnvironment(env.ENVIRONMENT);
    ctx.waitUntil(runScheduled(controller.cron, env, controller.scheduledTime));
  },
} satisfies ExportedHandler<CloudflareBindings>;
