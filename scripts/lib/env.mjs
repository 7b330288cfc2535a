// Environment for every wrangler call: no metrics, no network lookups, no banner.
export const QUIET_WRANGLER = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

export function assertNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    console.error(`Factumo needs Node >= 22.12 (Node 24 LTS recommended, see .nvmrc); this is ${process.version}.`);
    process.exit(1);
  }
}
