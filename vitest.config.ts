import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Unit and integration tests run inside workerd with the real D1, R2 and Durable Object
// bindings of wrangler.toml; migrations are applied by test/setup.ts before each file.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
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
          },
        },
      }),
    ],
    test: {
      include: ["src/**/*.test.ts", "test/integration/**/*.test.ts", "test/unit/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      // A local Stripe API stand-in (Node HTTP), its URL handed to the tests as inject("stripeApiBase").
      globalSetup: ["./test/helpers/stripe-server.mjs"],
      // Generous: the 2-core machines also run workerd and the PDF renderer; no test asserts time.
      testTimeout: 30_000,
    },
  };
});
