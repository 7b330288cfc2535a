// End-to-end tests in real Chromium (playwright-core) against `wrangler dev` with a fresh local
// D1/R2/DO state. Without Chromium: a loud skip outside CI, a failure in CI (CI=true).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyMigrations, buildClient, freePort, localSecrets, root, startWrangler } from "../../scripts/lib/dev-server.mjs";
import { assertNode } from "../../scripts/lib/env.mjs";
import { startStripeServer } from "../helpers/stripe-server.mjs";
import { startPaServer } from "../stand-ins/pa-server.mjs";
import { startTurnstileServer } from "../stand-ins/turnstile-server.mjs";
import { startPwnedServer } from "../stand-ins/pwned-server.mjs";

assertNode();
const chromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
if (!chromium) {
  const banner = "!".repeat(78);
  console.error(`\n${banner}\n  E2E SKIPPED: no Chromium found (install it: apt-get install -y chromium,\n  or set CHROMIUM_PATH). The browser tests did NOT run.\n${banner}\n`);
  process.exit(process.env.CI === "true" ? 1 : 0);
}

mkdirSync(path.join(root, "test-results"), { recursive: true });
buildClient();
const persistTo = mkdtempSync(path.join(tmpdir(), "factumo-e2e-"));
applyMigrations(persistTo);
const port = await freePort();
// The local Stripe stand-in: the Worker's SDK calls it, and its Checkout page posts signed webhooks back.
const stripeWebhookSecret = `whsec_e2e_${Date.now().toString(36)}`;
const stripe = await startStripeServer({ webhookUrl: `http://localhost:${port}/webhooks/stripe`, webhookSecret: stripeWebhookSecret });
// The stand-in Plateforme Agréée: the accounts of the e2e tests exchange invoices through it.
const pa = await startPaServer();
const turnstile = await startTurnstileServer();
const pwned = await startPwnedServer();
const server = await startWrangler({
  port,
  persistTo,
  vars: {
    ENVIRONMENT: "local",
    APP_URL: `http://localhost:${port}`,
    ...localSecrets(),
    STRIPE_SECRET_KEY: "sk_test_e2e",
    STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
    STRIPE_API_BASE: stripe.url,
    ...pa.workerVars,
    ...turnstile.workerVars,
    ...pwned.workerVars,
  },
  stdio: ["ignore", "ignore", "inherit"],
});

const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".test.ts"))
  // `node test/e2e/run.mjs invoicing consent` runs only the files whose names contain those words.
  .filter((f) => process.argv.length <= 2 || process.argv.slice(2).some((word) => f.includes(word)))
  .map((f) => path.join(import.meta.dirname, f));
let status = 1;
try {
  const tap = path.join(root, "test-results/e2e.tap");
  // Asynchronous: this process must keep serving the Stripe stand-in while the tests run.
  const child = spawn(
    process.execPath,
    ["--test", "--test-concurrency=1", "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files],
    {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, E2E_BASE_URL: `http://localhost:${port}`, CHROMIUM_PATH: chromium, PA_STANDIN_URL: pa.url },
    },
  );
  status = await new Promise((resolve) => {
    child.on("error", () => resolve(1));
    child.on("exit", (code) => resolve(code ?? 1));
  });
} finally {
  server.stop();
  void stripe.close();
  void pa.close();
  void turnstile.close();
  void pwned.close();
  rmSync(persistTo, { recursive: true, force: true });
}
process.exit(status);
