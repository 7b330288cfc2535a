import { describe, expect, it } from "vitest";

// WCAG 2.2 SC 1.4.11 / 2.4.13: the focus indicator contrasts ≥ 3:1 with what surrounds it. The
// ring is drawn by `--focus` (a box-shadow): every colour it is made of is checked against the
// page and card backgrounds, and its outermost ring against them too (a light inner gap keeps it
// readable on a blue button).

// The stylesheet's text (a plain `?raw` import of a .css file is emptied by Vite's CSS handling).
const css = Object.values(import.meta.glob<string>("../../src/client/styles.css", { query: "?raw", import: "default", eager: true }))[0] ?? "";

function variable(name: string): string {
  const m = new RegExp(`${name}\\s*:\\s*([^;]+);`).exec(css);
  if (!m?.[1]) throw new Error(`${name} is not defined in styles.css`);
  return m[1].trim();
}

function resolve(value: string): string {
  return value.replace(/var\((--[\w-]+)\)/g, (_, name: string) => resolve(variable(name)));
}

/** sRGB relative luminance of a #rrggbb colour (alpha blended over white for rgba()). */
function luminance(color: string): number {
  let rgb: number[];
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  const rgba = /^rgba?\(([^)]+)\)$/i.exec(color);
  if (hex) rgb = [0, 2, 4].map((i) => parseInt(hex[1]!.slice(i, i + 2), 16));
  else if (rgba) {
    const [r, g, b, a = 1] = rgba[1]!.split(",").map((x) => Number(x.trim()));
    rgb = [r!, g!, b!].map((c) => a * c + (1 - a) * 255);
  } else throw new Error(`unreadable colour ${color}`);
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe("the focus ring", () => {
  it("contrasts at least 3:1 with the page and card backgrounds", () => {
    const ring = resolve(variable("--focus"));
    const colors = ring.match(/#[0-9a-f]{6}\b|rgba?\([^)]*\)/gi) ?? [];
    expect(colors.length).toBeGreaterThan(0);
    const outer = colors.at(-1)!;
    for (const bg of [resolve(variable("--bg")), resolve(variable("--surface"))]) {
      expect(contrast(outer, bg), `${outer} on ${bg}`).toBeGreaterThanOrEqual(3);
    }
  });

  it("is what every focusable element shows", () => {
    expect(css).toMatch(/:focus-visible\s*\{[^}]*box-shadow:\s*var\(--focus\)/);
    expect(css).toMatch(/textarea:focus\s*\{[^}]*box-shadow:\s*var\(--focus\)/);
  });
});
