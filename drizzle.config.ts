import { defineConfig } from "drizzle-kit";

// drizzle-kit writes plain SQL files that wrangler applies as D1 migrations (migrations_dir).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/worker/db/schema/index.ts",
  out: "./migrations",
});
