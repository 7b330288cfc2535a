import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, neutralizeFormula } from "./spreadsheet";

/** What a spreadsheet runs as a formula once it has unquoted a CSV field. */
const runsAsFormula = (field: string) => {
  const unquoted = field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
  return /^[\s]*[=+\-@]|^[\t\r\n]/.test(unquoted);
};

describe("spreadsheet cells (CSV injection, OWASP)", () => {
  it.each(["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "  =1+1", "=cmd|' /C calc'!A0"])("prefixes %j with a quote", (cell) => {
    expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    expect(runsAsFormula(csvCell(cell, ";"))).toBe(false);
    expect(runsAsFormula(csvCell(cell, ","))).toBe(false);
  });

  it("leaves ordinary text and numbers as they are, a negative number included", () => {
    expect(csvCell("Léa Design", ";")).toBe("Léa Design");
    expect(csvCell("F-2026-0001", ",")).toBe("F-2026-0001");
    expect(csvCell(-125_000, ",")).toBe("-125000");
    expect(csvCell(null, ",")).toBe("");
  });

  it("quotes the separator, quotes and line breaks", () => {
    expect(csvCell('Conseil; "senior"', ";")).toBe('"Conseil; ""senior"""');
    expect(csvCell("a,b", ",")).toBe('"a,b"');
    expect(csvCell("a,b", ";")).toBe("a,b");
  });

  it("never lets a text cell run as a formula, whatever it holds", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", " ", "a", '"', ";", ",", "1") }), fc.constantFrom(",", ";" as const), (text, sep) => !runsAsFormula(csvCell(text, sep as "," | ";"))),
      { numRuns: 2000 },
    );
  });

  it("only ever adds one leading quote: the text reads back unchanged after it", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = neutralizeFormula(text);
        return out === text || out === `'${text}`;
      }),
    );
  });
});
