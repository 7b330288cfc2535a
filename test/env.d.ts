import type { D1Migration } from "cloudflare:test";

declare global {
  interface CloudflareBindings {
    TEST_MIGRATIONS: D1Migration[];
  }
}
