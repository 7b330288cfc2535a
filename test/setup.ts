import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { setOutboundEnvironment } from "../src/worker/lib/outbound";

// Idempotent: applyD1Migrations skips migrations already recorded in d1_migrations.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// The Worker's entry installs the outbound allow-list guard in this isolate; tests run as "test".
setOutboundEnvironment(env.ENVIRONMENT);
