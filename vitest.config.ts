import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { experimental_readRawConfig } from "wrangler";
import { freePort } from "./scripts/lib/dev-server.mjs";

// Unit and integration tests run inside workerd with the real D1, R2 and Durable Object
// bindings of wrangler.toml; migrations are applied by test/setup.ts before each file.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // The stand-in PA (test/stand-ins/pa-server.mjs) listens on this port, started by globalSetup in
  // this same process; the Worker gets it as its platform PA, like `npm start` does.
  process.env.PA_STANDIN_PORT ??= String(await freePort());
  const pa = `http://127.0.0.1:${process.env.PA_STANDIN_PORT}`;
  // The Turnstile siteverify stand-in (test/stand-ins/turnstile-server.mjs), on its own port.
  process.env.TURNSTILE_STANDIN_PORT ??= String(await freePort());
  // The Pwned Passwords range API stand-in (test/stand-ins/pwned-server.mjs).
  process.env.PWNED_STANDIN_PORT ??= String(await freePort());
  // wrangler.toml's [alias] (stubs for dependencies the Worker never calls), which the workers pool
  // does not apply by itself: the tests must import what the deployed bundle contains.
  const { rawConfig } = experimental_readRawConfig({ config: path.join(import.meta.dirname, "wrangler.toml") });
  const alias = Object.fromEntries(Object.entries(rawConfig.alias ?? {}).map(([name, to]) => [name, path.resolve(import.meta.dirname, to)]));
  return {
    resolve: { alias },
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ENVIRONMENT: "test",
            APP_URL: "http://localhost:8787",
            TEST_MIGRATIONS: migrations,
            SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789",
            PASSWORD_PEPPER: "test-pepper-0123456789abcdef0123456789abcdef",
            DATA_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            PA_TOKEN_URL: `${pa}/auth/token`,
            PA_FLOW_URL: `${pa}/flow-service`,
            PA_DIRECTORY_URL: `${pa}/directory-service`,
            PA_CLIENT_ID: "factumo-platform",
            PA_CLIENT_SECRET: "standin-platform-secret",
            TURNSTILE_VERIFY_URL: `http://127.0.0.1:${process.env.TURNSTILE_STANDIN_PORT}/turnstile/v0/siteverify`,
            PWNED_PASSWORDS_URL: `http://127.0.0.1:${process.env.PWNED_STANDIN_PORT}`,
          },
        },
      }),
    ],
    test: {
      include: ["src/**/*.test.ts", "test/integration/**/*.test.ts", "test/unit/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      // The stylesheet's text, for test/unit/focus-ring.test.ts (vitest empties CSS imports otherwise).
      css: { include: [/src\/client\/styles\.css/] },
      // A local Stripe API stand-in (Node HTTP), its URL handed to the tests as inject("stripeApiBase").
      // Stand-ins of Resend's API, the PA, Turnstile and Pwned Passwords likewise (test/stand-ins).
      globalSetup: ["./test/helpers/stripe-server.mjs", "./test/stand-ins/resend-server.mjs", "./test/stand-ins/pa-server.mjs", "./test/stand-ins/turnstile-server.mjs", "./test/stand-ins/pwned-server.mjs"],
      // Generous: the 2-core machines also run workerd and the PDF renderer; no test asserts time.
      testTimeout: 30_000,
    },
  };
});
