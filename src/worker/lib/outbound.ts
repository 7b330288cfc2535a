import { PROCESSORS } from "../features/privacy/policy";

// Privacy policy §5/§7: the Worker talks only to the processors it declares. Every outbound request
// (ours and the Stripe/Resend SDKs', which call the global fetch) goes through one guard whose
// allow-list is the processors table the policy page renders, so the two cannot drift apart.

/** Hosts of the declared processors: the only third parties a production Worker may call. */
export const PROCESSOR_HOSTS: ReadonlySet<string> = new Set(PROCESSORS.flatMap((p) => p.hosts));

/**
 * Services that receive no personal data, so they are not recipients in the policy's sense: the
 * Pwned Passwords range API gets 5 hex characters of a password's SHA-1 (k-anonymity).
 */
export const NON_PERSONAL_HOSTS: ReadonlySet<string> = new Set(["api.pwnedpasswords.com"]);

/** Raised instead of sending a request to an undeclared host. */
export class OutboundBlockedError extends Error {
  constructor(readonly host: string) {
    super(`Outbound request to undeclared host ${host} refused (privacy policy §5)`);
    this.name = "OutboundBlockedError";
  }
}

type Mode = "production" | "local" | "test";

/**
 * Local and test runs also reach loopback and the reserved `.test` domain (RFC 2606), where the
 * test servers standing in for Stripe and Resend listen; production never does.
 */
export function isAllowedHost(hostname: string, mode: Mode): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (PROCESSOR_HOSTS.has(host) || NON_PERSONAL_HOSTS.has(host)) return true;
  if (mode === "production") return false;
  return host === "localhost" || host === "127.0.0.1" || host === "::1" || host.endsWith(".test");
}

/** Wraps a fetch so that only allowed hosts are reached; anything else fails before leaving. */
export function guardFetch(inner: typeof fetch, mode: () => Mode): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!isAllowedHost(url.hostname, mode())) {
      // Host only: a URL can carry tokens or personal data.
      console.error(JSON.stringify({ level: "error", event: "outbound_blocked", host: url.hostname }));
      return Promise.reject(new OutboundBlockedError(url.hostname));
    }
    return inner(input, init);
  };
}

// Strictest until the environment is known: an isolate that never saw its env stays on production rules.
let mode: Mode = "production";
let installed = false;

/** Records the deployment's environment (from the ENVIRONMENT var) for the guard. */
export function setOutboundEnvironment(environment: unknown): void {
  mode = environment === "local" || environment === "development" ? "local" : environment === "test" ? "test" : "production";
}

/** Replaces the global fetch with the guarded one, once per isolate. */
export function installOutboundGuard(): void {
  if (installed) return;
  installed = true;
  globalThis.fetch = guardFetch(globalThis.fetch.bind(globalThis), () => mode);
}
