import { describe, expect, it } from "vitest";
import { signedUpClient } from "../helpers/client";

// Static guard for sharding (ARCHITECTURE.md, "Scale"): feature code reaches D1 only through the
// handle the request context resolves, never through env.DB.
const sources = import.meta.glob(["/src/worker/features/**/*.{ts,tsx}", "/src/worker/jobs/**/*.ts", "/src/worker/http/**/*.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("data access is ready for sharding", () => {
  it("finds feature, job and http modules to check", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
  });

  it.each(Object.entries(sources).filter(([file]) => !file.endsWith(".test.ts") && !file.endsWith(".test.tsx")))(
    "%s never touches env.DB directly",
    (_file, text) => {
      expect(text).not.toMatch(/\benv\.DB\b|\benv\[["']DB["']\]/);
    },
  );
});

describe("cross-account access", () => {
  it("never shows one account's data to another", async () => {
    const a = await signedUpClient({ companyName: "Atelier Alpha" });
    const b = await signedUpClient({ companyName: "Boutique Beta" });
    const me = (await (await b.client.json("GET", "/api/v1/me")).json()) as { account: { id: string; name: string } };
    expect(me.account.id).toBe(b.accountId);
    expect(me.account.id).not.toBe(a.accountId);
    const page = await (await b.client.get("/tableau-de-bord")).text();
    expect(page).toContain("Boutique Beta");
    expect(page).not.toContain("Atelier Alpha");
    const profile = (await (await b.client.json("GET", "/api/v1/account/profile")).json()) as { profile: { name: string } };
    expect(profile.profile.name).toBe("Boutique Beta");
  });
});
