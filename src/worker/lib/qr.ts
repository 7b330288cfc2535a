/**
 * QR codes as inline SVG (TOTP enrolment, later payment links), drawn from the module matrix
 * of `uqr`. The output holds only a rect and one path: no script, no external reference,
 * and the encoded text never appears in the markup.
 */

import { encode } from "uqr";

/**
 * Renders `text` as a self-contained `<svg>` with a viewBox in module units, so it scales to
 * any CSS size. Medium error correction and the 4-module quiet zone the standard requires.
 */
export function qrSvg(text: string): string {
  const { data, size } = encode(text, { ecc: "M", border: 4 });
  let path = "";
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/>` +
    `<path d="${path}" fill="#000"/>` +
    `</svg>`
  );
}
