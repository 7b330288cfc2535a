import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deviceName } from "../../src/worker/features/settings/device";
import { totpCode } from "../../src/worker/lib/crypto/totp";
import { translator } from "../../src/worker/ui/i18n";
import { signedUpClient } from "../helpers/client";

// Paramètres → Sécurité (issue #13): devices named as people name them, a confirmation when 2FA
// is turned on, and the recovery codes with a copy button.

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

describe("device names", () => {
  it("names browser and system in the user's language", () => {
    const fr = translator("fr");
    expect(deviceName(CHROME_LINUX, fr)).toBe("Chrome sur Linux");
    expect(deviceName(SAFARI_IOS, fr)).toBe("Safari sur iOS");
    expect(deviceName(FIREFOX_WINDOWS, translator("en"))).toBe("Firefox on Windows");
    expect(deviceName(null, fr)).toBe("Appareil inconnu");
    expect(deviceName("", fr)).toBe("Appareil inconnu");
  });
});

describe("the security page", () => {
  it("lists sessions and sign-ins as “Chrome sur Linux”, the raw string only in a tooltip", async () => {
    const { client, userId } = await signedUpClient();
    await env.DB.prepare("UPDATE sessions SET user_agent = ? WHERE user_id = ?").bind(CHROME_LINUX, userId).run();
    await env.DB.prepare("INSERT INTO connection_log (id, at, user_id, email_hash, ip, user_agent, outcome) VALUES (?, ?, ?, 'h', '203.0.113.9', ?, 'success')")
      .bind(crypto.randomUUID(), Date.now(), userId, SAFARI_IOS)
      .run();
    const html = await (await client.get("/parametres/securite")).text();
    expect(html).toMatch(/<td title="Mozilla[^"]*Chrome\/131[^"]*">Chrome sur Linux<\/td>/);
    expect(html).toMatch(/>Safari sur iOS<\/td>/);
    expect(html).not.toMatch(/>Mozilla\/5\.0/);
  });

  it("confirms that 2FA is on and offers to copy the recovery codes", async () => {
    const { client } = await signedUpClient();
    expect((await client.postForm("/parametres/securite/2fa", {})).status).toBe(303);
    const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(await (await client.get("/parametres/securite")).text())?.[1];
    expect(secret).toBeTruthy();
    const res = await client.postForm("/parametres/securite/2fa/confirmer", { code: await totpCode(secret!, Date.now()) });
    expect(res.status).toBe(303);
    const html = await (await client.get(res.headers.get("location")!)).text();
    expect(html).toContain(translator("fr")("security.totp.enabledNow"));
    const props = /data-island="copy-text" data-props="([^"]*)"/.exec(html)?.[1];
    const parsed = JSON.parse(props!.replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as { text: string; rows: number; labels: { copy: string } };
    expect(parsed.text.split("\n")).toHaveLength(10);
    expect(parsed.rows).toBe(10);
    expect(parsed.labels.copy).toBe("Copier les codes");
    expect(html).toContain('src="/islands/copy-text.js"');
  });
});
