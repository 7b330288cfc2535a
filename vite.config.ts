import { readdirSync } from "node:fs";
import path from "node:path";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

const root = import.meta.dirname;
const entries = Object.fromEntries(
  readdirSync(path.join(root, "src/client/entries"))
    .filter((f) => f.endsWith(".ts") || f.endsWith(".tsx"))
    .map((f) => [f.replace(/\.tsx?$/, ""), path.join(root, "src/client/entries", f)]),
);

// Client build: one module per island (loaded only by the pages that use it) and one stylesheet,
// with stable names so the Worker can reference them without a manifest. Served by Workers Assets.
export default defineConfig({
  plugins: [preact()],
  publicDir: path.join(root, "src/client/public"),
  build: {
    outDir: path.join(root, "dist/client"),
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      input: { ...entries, app: path.join(root, "src/client/styles.css") },
      output: {
        entryFileNames: "islands/[name].js",
        chunkFileNames: "islands/chunks/[name]-[hash].js",
        assetFileNames: (asset) => (asset.names?.some((n) => n.endsWith(".css")) ? "assets/app.css" : "assets/[name]-[hash][extname]"),
      },
    },
  },
});
