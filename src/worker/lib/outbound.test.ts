import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { PLATFORMS, PLATFORM_HOSTS } from "../domain/einvoice/platforms";
import { PROCESSORS } from "../features/privacy/policy";
import { guardFetch, isAllowedHost, NON_PERSONAL_HOSTS, OutboundBlockedError, PROCESSOR_HOSTS } from "./outbound";

// PRIVACY.md §5 "Recipients": outbound requests only to the declared processors.

describe("§5 outbound allow-list", () => {
  it("is exactly the hosts of the processors the policy page lists", () => {
    expect([...PROCESSOR_HOSTS].sort()).toEqual(PROCESSORS.flatMap((p) => p.hosts).sort());
    expect(PROCESSOR_HOSTS.has("api.stripe.com")).toBe(true);
    expect(PROCESSOR_HOSTS.has("api.resend.com")).toBe(true);
  });

  it("lets production reach only the processors", () => {
    for (const host of PROCESSOR_HOSTS) expect(isAllowedHost(host, "production")).toBe(true);
    for (const host of ["example.com", "127.0.0.1", "localhost", "resend.test", "api.stripe.com.evil.example", "www.google-analytics.com"]) {
      expect(isAllowedHost(host, "production")).toBe(false);
    }
  });

  it("lets local and test runs reach loopback test servers and .test domains as well", () => {
    for (const host of ["127.0.0.1", "localhost", "[::1]", "stripe.test"]) expect(isAllowedHost(host, "test")).toBe(true);
    expect(isAllowedHost("example.com", "local")).toBe(false);
  });

  it("refuses a request to an undeclared host before it leaves, and passes the others through", async () => {
    const inner = vi.fn(async () => new Response("ok"));
    const guarded = guardFetch(inner, () => "production");
    await expect(guarded("https://tracker.example/pixel?u=1")).rejects.toBeInstanceOf(OutboundBlockedError);
    await expect(guarded(new Request("http://127.0.0.1:9999/"))).rejects.toBeInstanceOf(OutboundBlockedError);
    expect(inner).not.toHaveBeenCalled();
    expect(await (await guarded("https://api.stripe.com/v1/charges")).text()).toBe("ok");
    expect(inner).toHaveBeenCalledTimes(1);
  });

  it("guards the Worker's global fetch, which the Stripe and Resend SDKs use", async () => {
    // Loading the Worker's entry installs the guard on this isolate's global fetch.
    expect(exports.default).toBeDefined();
    await import("../index");
    await expect(fetch("https://unknown-host.example/")).rejects.toBeInstanceOf(OutboundBlockedError);
  });
});

describe("§5 recipients by law", () => {
  it("§5 recipients by law: every listed Plateforme Agréée is a declared recipient, reachable in production, and nothing else is exempt but the k-anonymous password check", () => {
    expect(PLATFORM_HOSTS.length).toBeGreaterThan(0);
    const recipients = PROCESSORS.filter((p) => p.hosts.some((h) => PLATFORM_HOSTS.includes(h)));
    // The PA row of the policy's table names every platform host, so the page lists the PA as a recipient.
    expect(recipients.flatMap((p) => p.hosts).sort()).toEqual([...PLATFORM_HOSTS].sort());
    for (const platform of PLATFORMS) for (const host of platform.hosts) expect(isAllowedHost(host, "production")).toBe(true);
    // Hosts allowed without being on the policy receive no personal data: Pwned Passwords' range API only.
    expect([...NON_PERSONAL_HOSTS]).toEqual(["api.pwnedpasswords.com"]);
    // Turnstile (a bot check on login) is a declared processor, not an exemption.
    expect(PROCESSOR_HOSTS.has("challenges.cloudflare.com")).toBe(true);
  });
});
