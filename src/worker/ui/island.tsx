import type { ComponentType } from "preact";

/**
 * Server-renders an island: the component's HTML inside a marker element whose props the client
 * entry (src/client/entries/<name>.ts) reads to hydrate it. The page must list `name` in its layout's
 * `islands` so the script is loaded (with the CSP nonce).
 */
export function Island<P extends object>({ name, component: Component, props }: { name: string; component: ComponentType<P>; props: P }) {
  return (
    <div data-island={name} data-props={JSON.stringify(props)}>
      <Component {...props} />
    </div>
  );
}
