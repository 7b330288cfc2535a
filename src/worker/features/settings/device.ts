import Bowser from "bowser";
import type { Translate } from "../../ui/i18n";

/**
 * A stored user agent as people name their device: "Chrome sur Linux", "Safari sur iOS". Parsed
 * with bowser (MIT, kept, ~8 KiB gzip) rather than by hand; nothing leaves the Worker (no IP
 * geolocation). The raw string stays in the title attribute for whoever wants it.
 */
export function deviceName(userAgent: string | null, t: Translate): string {
  if (!userAgent) return t("security.device.unknown");
  let browser: string | undefined;
  let os: string | undefined;
  try {
    const parsed = Bowser.parse(userAgent);
    browser = parsed.browser.name;
    os = parsed.os.name;
  } catch {
    // A string bowser cannot read: named as unknown below.
  }
  if (browser && os) return t("security.device", { browser, os });
  if (browser) return browser;
  if (os) return t("security.device.os", { os });
  return t("security.device.unknown");
}
