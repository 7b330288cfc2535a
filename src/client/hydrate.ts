import { type ComponentType, h, hydrate } from "preact";

/**
 * Hydrates every server-rendered `<div data-island="name" data-props="…">` with its component.
 * The server renders the same component with the same props, so the first paint needs no JS.
 */
export function hydrateIslands<P extends object>(name: string, Component: ComponentType<P>): void {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-island="${name}"]`)) {
    const props = JSON.parse(el.dataset.props ?? "{}") as P;
    hydrate(h(Component, props), el);
  }
}
