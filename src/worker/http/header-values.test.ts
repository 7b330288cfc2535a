import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentDisposition, headerText, isSafeRedirect, safeRedirect } from "./header-values";

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

describe("headerText", () => {
  it("replaces CR, LF, tabs and other control characters so no header can be split", () => {
    expect(headerText("Facture F-1\r\nBcc: victim@example.com")).toBe("Facture F-1 Bcc: victim@example.com");
    expect(headerText("a\u0000b\u007fc\u0085d\u2028e")).toBe("a b c d e");
  });

  it("never leaves a control character, whatever the input", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => !CONTROL.test(headerText(s))));
  });

  it("keeps ordinary text, accents included", () => {
    expect(headerText("Léa Design — Facture F-2026-0001")).toBe("Léa Design — Facture F-2026-0001");
  });
});

describe("safeRedirect", () => {
  it("follows same-origin paths with their query and fragment", () => {
    expect(safeRedirect("/factures?page=2#x", "/")).toBe("/factures?page=2#x");
    expect(safeRedirect("/documents/abc/relances", "/")).toBe("/documents/abc/relances");
  });

  it.each([
    ["protocol-relative", "//evil.example"],
    ["tab between the slashes", "/\t/evil.example"],
    ["newline between the slashes", "/\n/evil.example"],
    ["backslash", "/\\evil.example"],
    ["backslash later", "/a\\..\\\\evil"],
    ["CR/LF header injection", "/ok\r\nSet-Cookie: x=1"],
    ["absolute URL", "https://evil.example/"],
    ["javascript scheme", "javascript:alert(1)"],
    ["relative without a slash", "evil.example"],
    ["empty", ""],
    ["space", "/a b"],
    ["too long", `/${"a".repeat(2000)}`],
    ["NUL", "/a\u0000"],
  ])("refuses a %s target", (_, target) => {
    expect(isSafeRedirect(target)).toBe(false);
    expect(safeRedirect(target, "/tableau-de-bord")).toBe("/tableau-de-bord");
  });

  it("refuses undefined and null", () => {
    expect(safeRedirect(undefined, "/x")).toBe("/x");
    expect(safeRedirect(null, "/x")).toBe("/x");
  });

  it("only ever answers the fallback or a path that stays on our origin, free of control characters", () => {
    const hostile = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string({ unit: fc.constantFrom("/", "\\", "\t", "\r", "\n", " ", ".", "e", ":", "@", "%", "?", "#") }),
    );
    fc.assert(
      fc.property(hostile, (s) => {
        const out = safeRedirect(s, "/fallback");
        if (out === "/fallback") return true;
        const url = new URL(out, "https://factumo.test");
        return url.origin === "https://factumo.test" && !CONTROL.test(out) && !out.startsWith("//") && !out.includes("\\");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("contentDisposition", () => {
  it("gives an ASCII filename and the UTF-8 name as filename* (RFC 6266 / 5987)", () => {
    expect(contentDisposition("attachment", "F-2026-0001.pdf")).toBe(`attachment; filename="F-2026-0001.pdf"; filename*=UTF-8''F-2026-0001.pdf`);
    expect(contentDisposition("inline", "Devis élagage (1).pdf")).toBe(`inline; filename="Devis _lagage (1).pdf"; filename*=UTF-8''Devis%20%C3%A9lagage%20%281%29.pdf`);
  });

  it("cannot be broken out of by quotes, backslashes, CR/LF or slashes", () => {
    const value = contentDisposition("attachment", 'a"\r\nSet-Cookie: x=1\\..\\/b.pdf');
    expect(value).not.toMatch(CONTROL);
    expect(value.match(/"/g)).toHaveLength(2);
    expect(value).toBe(`attachment; filename="a_ Set-Cookie: x=1_..__b.pdf"; filename*=UTF-8''a%22%20Set-Cookie%3A%20x%3D1_..__b.pdf`);
  });

  it("is always a valid header value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (name) => {
        const value = contentDisposition("attachment", name);
        new Headers({ "content-disposition": value });
        return !CONTROL.test(value) && /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!._~-]*$/.test(value) && !/"[^"]*"[^;]*"/.test(value.split(";")[1]!);
      }),
    );
  });
});
