import { describe, expect, it } from "vitest";
import { MAX_LOGO_BYTES, checkLogo, inspectSvg } from "./logo";

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new TextEncoder().encode(s);
const svg = (inner: string, attrs = "") => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"${attrs}>${inner}</svg>`;

describe("checkLogo", () => {
  it("recognises a PNG by its 8-byte signature", () => {
    expect(checkLogo(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13))).toEqual({ ok: true, type: "image/png" });
  });

  it("recognises a JPEG by its SOI marker", () => {
    expect(checkLogo(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toEqual({ ok: true, type: "image/jpeg" });
  });

  it("refuses text that merely claims to be a PNG", () => {
    expect(checkLogo(utf8("PNG, honestly"))).toEqual({ ok: false, reason: "type" });
  });

  it("refuses a truncated PNG signature", () => {
    expect(checkLogo(bytes(0x89, 0x50, 0x4e, 0x47))).toEqual({ ok: false, reason: "type" });
  });

  it("refuses an empty file and one over 1 MB", () => {
    expect(checkLogo(new Uint8Array(0))).toEqual({ ok: false, reason: "empty" });
    const big = new Uint8Array(MAX_LOGO_BYTES + 1);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(checkLogo(big)).toEqual({ ok: false, reason: "size" });
  });

  it("accepts a plain SVG, with XML declaration, comments and a BOM", () => {
    const source = `\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- logo -->\n${svg('<circle cx="5" cy="5" r="4" fill="#123"/>')}`;
    expect(checkLogo(utf8(source))).toEqual({ ok: true, type: "image/svg+xml" });
  });

  it("refuses bytes that are not UTF-8 and not an image", () => {
    expect(checkLogo(bytes(0xc3, 0x28, 0x00))).toEqual({ ok: false, reason: "type" });
  });

  it("refuses an SVG with a script", () => {
    expect(checkLogo(utf8(svg("<script>alert(1)</script>")))).toEqual({ ok: false, reason: "svg" });
  });
});

describe("inspectSvg", () => {
  it("accepts gradients referenced by fragment, <use> of a local id and inline styles", () => {
    const inner =
      '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient><path id="p" d="M0 0h10"/></defs>' +
      '<rect width="10" height="10" fill="url(#g)" style="fill: url(\'#g\')"/><use href="#p"/><use xlink:href="#p"/>' +
      "<style>.a { fill: red }</style><text>Martin &amp; fils</text>";
    expect(inspectSvg(svg(inner, ' xmlns:xlink="http://www.w3.org/1999/xlink"'))).toBe("safe");
  });

  it("says an HTML page or a plain text file is not an SVG", () => {
    expect(inspectSvg("<html><body>hi</body></html>")).toBe("not_svg");
    expect(inspectSvg("hello <svg></svg>")).toBe("not_svg");
    expect(inspectSvg("")).toBe("not_svg");
  });

  it.each([
    ["a script element", svg("<script>alert(1)</script>")],
    ["a namespaced script element", svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>')],
    ["a script in upper case", svg("<SCRIPT>alert(1)</SCRIPT>")],
    ["a foreignObject", svg("<foreignObject><div>x</div></foreignObject>")],
    ["an onload attribute on the root", svg("", ' onload="alert(1)"')],
    ["an onclick attribute on a child", svg('<rect onclick="alert(1)" width="1" height="1"/>')],
    ["a javascript: link", svg('<a href="javascript:alert(1)"><rect/></a>')],
    ["a javascript: link hidden by entities and spaces", svg('<a href="&#106;ava&#x73;cript :alert(1)"><rect/></a>')],
    ["an external image", svg('<image href="https://evil.example/x.png"/>')],
    ["an external xlink:href", svg('<use xlink:href="other.svg#p"/>', ' xmlns:xlink="http://www.w3.org/1999/xlink"')],
    ["a data: image", svg('<image href="data:image/png;base64,AAAA"/>')],
    ["an entity declaration", `<!DOCTYPE svg [<!ENTITY x "y">]>${svg("<text>&x;</text>")}`],
    ["a doctype", `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">${svg("")}`],
    ["a stylesheet with @import", svg('<style>@import "https://evil.example/a.css";</style>')],
    ["a stylesheet with an external url()", svg("<style>.a { background: url(https://evil.example/t) }</style>")],
    ["a stylesheet in CDATA loading a URL", svg("<style><![CDATA[ .a { background: url(//evil.example/t) } ]]></style>")],
    ["a style attribute with an external url()", svg('<rect style="fill: url(https://evil.example/t)"/>')],
    ["an xml-stylesheet processing instruction", `<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/a.css"?>${svg("")}`],
    ["an animation that rewrites href", svg('<a><animate attributeName="href" to="javascript:alert(1)"/><rect/></a>')],
    ["an animation that sets an event handler", svg('<set attributeName="onmouseover" to="alert(1)"/>')],
    ["an iframe", svg('<iframe src="https://evil.example"/>')],
    ["an unterminated tag", svg('<rect width="1"')],
    ["an attribute without quotes", svg("<rect width=1/>")],
  ])("refuses %s", (_label, source) => {
    expect(inspectSvg(source)).toBe("unsafe");
  });
});
