import { describe, expect, it } from "vitest";
import { qrSvg } from "./qr.ts";

const URI = "otpauth://totp/Factumo:marie%40example.fr?secret=JBSWY3DPEHPK3PXP&issuer=Factumo";

function viewBoxSize(svg: string): number {
  const match = /^<svg [^>]*viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  expect(match).not.toBeNull();
  expect(match?.[1]).toBe(match?.[2]);
  return Number(match?.[1]);
}

/** Dark modules drawn by the path, as "x,y". */
function darkModules(svg: string): Set<string> {
  const d = /<path d="([^"]*)"/.exec(svg)?.[1] ?? "";
  return new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
}

describe("qrSvg", () => {
  it("returns a self-contained <svg> with a square viewBox", () => {
    const svg = qrSvg(URI);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(viewBoxSize(svg)).toBeGreaterThan(21);
  });

  it("contains no script, event handler, link or copy of the encoded text", () => {
    const hostile = `"><script>alert(1)</script><a href="javascript:x" onload="y">`;
    for (const text of [URI, hostile]) {
      const svg = qrSvg(text);
      expect(svg).not.toMatch(/<script|\son\w+=|href|javascript:/i);
      expect(svg).not.toContain("JBSWY3DPEHPK3PXP");
      expect(svg).not.toContain("alert");
    }
  });

  it("draws the three finder patterns inside a 4-module quiet zone", () => {
    const svg = qrSvg(URI);
    const size = viewBoxSize(svg);
    const dark = darkModules(svg);
    const symbol = size - 8;
    expect(dark.size).toBeGreaterThan(0);
    for (const [ox, oy] of [
      [4, 4],
      [4 + symbol - 7, 4],
      [4, 4 + symbol - 7],
    ] as const) {
      for (let y = 0; y < 7; y++) {
        for (let x = 0; x < 7; x++) {
          const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
          // Finder: dark outer ring, light ring, dark 3x3 centre.
          expect(dark.has(`${ox + x},${oy + y}`), `finder at ${ox},${oy} module ${x},${y}`).toBe(ring !== 2);
        }
      }
    }
    for (const key of dark) {
      const [x, y] = key.split(",").map(Number) as [number, number];
      expect(x >= 4 && y >= 4 && x < size - 4 && y < size - 4, `module ${key} in quiet zone`).toBe(true);
    }
  });

  it("grows with the amount of data and differs for different text", () => {
    const short = qrSvg("a");
    const long = qrSvg(URI.repeat(4));
    expect(viewBoxSize(short)).toBe(21 + 8);
    expect(viewBoxSize(long)).toBeGreaterThan(viewBoxSize(short));
    expect(qrSvg("payment-1")).not.toBe(qrSvg("payment-2"));
  });
});
