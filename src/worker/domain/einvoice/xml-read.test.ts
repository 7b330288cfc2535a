import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { all, first, readXml, textOf, XmlReadError } from "./xml-read.ts";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof XmlReadError ? error.code : `not XmlReadError: ${String(error)}`;
  }
}

describe("readXml", () => {
  it("reads elements by local name, attributes, text, CDATA and entities", () => {
    const root = readXml(
      `<?xml version="1.0"?><!-- c --><a:Root xmlns:a="urn:a"><a:B schemeID="0002" x='1'>x &amp; y &#233;&#x20AC;</a:B><C><![CDATA[<raw> & ]]></C><D/></a:Root>`,
    );
    expect(root.name).toBe("Root");
    expect(first(root, "B")?.attrs).toEqual({ schemeID: "0002", x: "1" });
    expect(textOf(root, "B")).toBe("x & y é€");
    expect(textOf(root, "C")).toBe("<raw> &");
    expect(first(root, "D")?.children).toEqual([]);
    expect(all(root, "B")).toHaveLength(1);
    expect(textOf(root, "Missing", "Deeper")).toBeNull();
  });

  it("refuses DTDs and entity declarations: no XXE, no billion laughs", () => {
    expect(code(() => readXml('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'))).toBe("doctype");
    expect(code(() => readXml('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>'))).toBe("doctype");
    expect(code(() => readXml("<r>&custom;</r>"))).toBe("malformed");
  });

  it("enforces size, depth and element-count limits", () => {
    expect(code(() => readXml("<r>" + "x".repeat(200) + "</r>", { maxChars: 100, maxDepth: 10, maxElements: 10 }))).toBe("too_large");
    expect(code(() => readXml("<a>".repeat(70) + "</a>".repeat(70)))).toBe("too_deep");
    expect(code(() => readXml("<r>" + "<e/>".repeat(20) + "</r>", { maxChars: 1000, maxDepth: 10, maxElements: 10 }))).toBe("too_many");
  });

  it("refuses malformed documents", () => {
    for (const bad of ["", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "<a x=1/>", "<a>&amp</a>", "<a>&#0;</a>", "<1a/>", "<a><!-- x</a>"]) {
      expect(code(() => readXml(bad)), bad).toBe("malformed");
    }
  });

  it("only ever throws XmlReadError, whatever the input (fuzz)", () => {
    const pieces = fc.constantFrom("<a>", "</a>", "<b x='1'>", "</b>", "<c/>", "&amp;", "&", "<!--", "-->", "<![CDATA[", "]]>", "<?x?>", "<!DOCTYPE", "text", '"', "'", "=", ">", "<");
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(pieces, { maxLength: 40 }).map((p) => p.join(""))), (text) => {
        const result = code(() => readXml(text));
        expect(result === undefined || !result.startsWith("not XmlReadError"), String(result)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
