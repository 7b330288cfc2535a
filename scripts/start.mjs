// `npm start`: build the client, apply local D1 migrations, seed the demo account, serve on :8787.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyMigrations, buildClient, localSecrets, root, startWrangler } from "./lib/dev-server.mjs";
import { assertNode } from "./lib/env.mjs";
import { startStripeServer } from "../test/helpers/stripe-server.mjs";
import { startPaServer } from "../test/stand-ins/pa-server.mjs";
import { startTurnstileServer } from "../test/stand-ins/turnstile-server.mjs";
import { startPwnedServer } from "../test/stand-ins/pwned-server.mjs";

assertNode();
const devVars = path.join(root, ".dev.vars");
if (!existsSync(devVars)) {
  const lines = { ENVIRONMENT: "local", APP_URL: "http://localhost:8787", ...localSecrets() };
  writeFileSync(devVars, `${Object.entries(lines).map(([k, v]) => `${k}=${v}`).join("\n")}\n`, { mode: 0o600 });
  console.log("Wrote .dev.vars with random local secrets.");
} else if (!readFileSync(devVars, "utf8").includes("ENVIRONMENT=local")) {
  console.warn(".dev.vars exists without ENVIRONMENT=local: emails will need RESEND_API_KEY.");
}

console.log("Building the client…");
buildClient();
console.log("Applying local D1 migrations…");
applyMigrations();

const port = Number(process.env.PORT ?? 8787);
// The stand-in Plateforme Agréée: every local account reaches the e-invoicing network through it.
const pa = await startPaServer({ port: Number(process.env.PA_PORT ?? 8790) });
// Turnstile's siteverify stand-in: the login's bot check after repeated failures (test keys pass).
const turnstile = await startTurnstileServer({ port: Number(process.env.TURNSTILE_PORT ?? 8791) });
// Pwned Passwords' range API stand-in: breached passwords refused at sign-up, reset and change.
const pwned = await startPwnedServer({ port: Number(process.env.PWNED_PORT ?? 8792) });
// Stripe's API stand-in (Connect onboarding, Checkout, signed webhooks) unless real keys are set.
const realStripe = /^STRIPE_SECRET_KEY=/m.test(readFileSync(devVars, "utf8"));
const stripeSecret = `whsec_local_${Date.now().toString(36)}`;
mkdirSync(path.join(root, ".wrangler"), { recursive: true });
const stripe = realStripe
  ? null
  : await startStripeServer({
      port: Number(process.env.STRIPE_PORT ?? 8793),
      webhookUrl: `http://127.0.0.1:${port}/webhooks/stripe`,
      webhookSecret: stripeSecret,
      statePath: path.join(root, ".wrangler", "stripe-stand-in.json"),
    });
const stripeVars = stripe ? { STRIPE_SECRET_KEY: "sk_test_local", STRIPE_WEBHOOK_SECRET: stripeSecret, STRIPE_API_BASE: stripe.url } : {};
const server = await startWrangler({ port, vars: { ...pa.workerVars, ...turnstile.workerVars, ...pwned.workerVars, ...stripeVars } });
const { payDemoInvoiceOnline, seedDemo } = await import("./lib/seed.mjs");
const demo = await seedDemo(server.url);
// One invoice of the demo paid by its client through Stripe Checkout, on the first seeding only.
const paidOnline = demo.created && stripe ? await payDemoInvoiceOnline(server.url) : null;
console.log(`
  Factumo is running: http://localhost:${port}
  Demo login: ${demo.email} / ${demo.password}   (${demo.created ? "created" : "already there"})
  Emails land in the dev outbox: http://localhost:${port}/dev/outbox
  Stand-in Plateforme Agréée (e-invoicing network): ${pa.url}  (state: ${pa.url}/_sim/state)
  ${stripe ? `Stand-in Stripe API (Connect, Checkout, webhooks): ${stripe.url}${paidOnline ? `  (${paidOnline.number} paid online)` : ""}` : "Stripe: the keys of .dev.vars"}
  Stand-in Turnstile siteverify (login bot check): ${turnstile.url}
  Stand-in Pwned Passwords range API: ${pwned.url}
  Stop with Ctrl+C.
`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => (server.stop(), void stripe?.close(), void pa.close(), void turnstile.close(), void pwned.close(), process.exit(0)));
server.child.on("exit", (code) => process.exit(code ?? 0));
