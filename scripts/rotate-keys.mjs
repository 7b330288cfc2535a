// `npm run keys:rotate -- --url https://factumo.fr`: re-seals every encrypted column under the
// current DATA_KEY (privacy policy §8). Run it after moving the old key to DATA_KEY_PREVIOUS and
// setting a new DATA_KEY (README "Secrets"); remove DATA_KEY_PREVIOUS once it prints remaining = 0.
// Authenticates with the OPERATOR_TOKEN secret, read from the environment (never from argv, which
// lands in shell history). Bounded: stops when done, when a batch makes no progress, or after 1 000 batches.
const args = process.argv.slice(2);
const url = args[args.indexOf("--url") + 1] ?? "";
const token = process.env.OPERATOR_TOKEN;
if (!args.includes("--url") || !/^https?:\/\//.test(url) || !token) {
  console.error("usage: OPERATOR_TOKEN=… npm run keys:rotate -- --url https://your-deployment");
  process.exit(2);
}

let total = 0;
for (let batch = 1; batch <= 1000; batch++) {
  const res = await fetch(new URL("/api/v1/operator/keys/rotate", url), { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    console.error(`batch ${batch}: HTTP ${res.status} ${await res.text()}`);
    process.exit(1);
  }
  const { resealed, remaining, unreadable } = await res.json();
  total += resealed;
  console.log(`batch ${batch}: re-sealed ${resealed}, remaining ${remaining}, unreadable ${unreadable}`);
  if (remaining === 0) {
    console.log(`done: ${total} values re-sealed; DATA_KEY_PREVIOUS can now be removed.`);
    process.exit(0);
  }
  if (resealed === 0) {
    console.error(`stopped: ${remaining} values are sealed under a key neither DATA_KEY nor DATA_KEY_PREVIOUS opens (see the rotation_unreadable log).`);
    process.exit(1);
  }
}
console.error("stopped after 1 000 batches; run again to continue.");
process.exit(1);
