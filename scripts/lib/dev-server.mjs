import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { QUIET_WRANGLER } from "./env.mjs";

export const root = path.resolve(import.meta.dirname, "../..");
const bin = (name) => path.join(root, "node_modules/.bin", name);

/** Random local secrets in the shape config.ts expects. */
export function localSecrets() {
  return {
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    PASSWORD_PEPPER: randomBytes(32).toString("base64url"),
    DATA_KEY: randomBytes(32).toString("base64"),
  };
}

export function run(cmd, args, opts = {}) {
  const res = spawnSync(bin(cmd), args, { cwd: root, stdio: "inherit", env: { ...process.env, ...QUIET_WRANGLER }, ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${res.status})`);
}

export function buildClient() {
  run("vite", ["build", "--logLevel", "warn"]);
}

export function applyMigrations(persistTo) {
  run("wrangler", ["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])], {
    env: { ...process.env, ...QUIET_WRANGLER, CI: "true" },
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `wrangler dev` (workerd with local D1/R2/DO) and resolves once /healthz answers.
 * `vars` are passed with --var so no .dev.vars is needed (CI, e2e).
 */
export async function startWrangler({ port, persistTo, vars = {}, stdio = "inherit", cwd = root }) {
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  if (persistTo) args.push("--persist-to", persistTo);
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn(bin("wrangler"), args, {
    cwd,
    stdio,
    env: { ...process.env, ...QUIET_WRANGLER },
    detached: process.platform !== "win32",
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { child, url, stop: () => stop(child) };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  stop(child);
  throw new Error("wrangler dev did not become ready within 90 s");
}

function stop(child) {
  if (child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
}

/** Stops a server from startWrangler and resolves once its process exited (at most `ms`). */
export async function stopAndWait(server, ms = 15_000) {
  const exited = new Promise((resolve) => (server.child.exitCode !== null ? resolve() : server.child.once("exit", resolve)));
  server.stop();
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, ms))]);
}

/**
 * Copies what `wrangler dev` builds from (wrangler.toml, src, migrations, the built client) into
 * `dir`, with node_modules linked, and returns `dir`. The harnesses run the server from there, so
 * edits to the work tree during a long run do not rebuild and restart the Worker mid-request.
 */
export function snapshotTree(dir) {
  mkdirSync(dir, { recursive: true });
  for (const entry of ["wrangler.toml", "package.json", "tsconfig.json", "src", "migrations", "dist/client"]) {
    cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}
