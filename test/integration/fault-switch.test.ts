import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/worker/config";
import { issueFaultsFrom } from "../../src/worker/features/documents/issue";

// The reliability harness's fault switch (FAULT_ISSUE_WRITE_RATE) must never be reachable in production.
describe("the issue fault switch", () => {
  it("is refused by the configuration in production", () => {
    const production = { ...env, ENVIRONMENT: "production", RESEND_API_KEY: "re_test", TURNSTILE_SECRET_KEY: "0x4AAAAAAAproductionSecretForTests", FAULT_ISSUE_WRITE_RATE: "0.1" };
    expect(() => loadConfig(production)).toThrow(/FAULT_ISSUE_WRITE_RATE/);
    const { FAULT_ISSUE_WRITE_RATE: _off, ...withoutFault } = production;
    expect(loadConfig(withoutFault).ENVIRONMENT).toBe("production");
  });

  it("refuses a rate outside 0..1", () => {
    expect(() => loadConfig({ ...env, FAULT_ISSUE_WRITE_RATE: "1.5" })).toThrow(/FAULT_ISSUE_WRITE_RATE/);
  });

  it("injects no fault when the rate is unset", async () => {
    const faults = issueFaultsFrom(loadConfig({ ...env }));
    expect(faults.afterAllocation).toBeUndefined();
  });

  it("fails after allocation exactly when the draw is below the rate", async () => {
    const config = loadConfig({ ...env, FAULT_ISSUE_WRITE_RATE: "0.1" });
    expect(config.FAULT_ISSUE_WRITE_RATE).toBe(0.1);
    await expect(async () => issueFaultsFrom(config, () => 0.05).afterAllocation?.()).rejects.toThrow(/injected fault/);
    expect(issueFaultsFrom(config, () => 0.5).afterAllocation?.()).toBeUndefined();
  });

  it("stays off outside local and test even if a config slipped through", () => {
    const config = { ...loadConfig(env), ENVIRONMENT: "production" as const, FAULT_ISSUE_WRITE_RATE: 1 };
    expect(issueFaultsFrom(config, () => 0).afterAllocation).toBeUndefined();
  });
});
