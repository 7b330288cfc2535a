import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ArchiveError, csvField, csvLine, findCentralDirectory, isSafeEntryName, jsonClose, jsonPage, parseCentralDirectory, parseRows } from "./archive";

describe("CSV encoding", () => {
  it("quotes a field holding a comma, a quote or a line break, and doubles inner quotes", () => {
    expect(csvField('Conseil, "senior"')).toBe('"Conseil, ""senior"""');
    expect(csvField("Ligne 1\nLigne 2")).toBe('"Ligne 1\nLigne 2"');
    expect(csvField("simple")).toBe("simple");
  });

  it("writes null as an empty field and numbers as they are, one CRLF-terminated record", () => {
    expect(csvLine(["a", null, 1250, " espace"])).toBe('a,,1250," espace"\r\n');
  });

  it("neutralizes text a spreadsheet would run as a formula, never a number", () => {
    expect(csvLine(['=HYPERLINK("http://evil.example")', "@SUM(A1)", -1250])).toBe(`"'=HYPERLINK(""http://evil.example"")",'@SUM(A1),-1250\r\n`);
  });
});

describe("JSON pages", () => {
  it("joins pages written separately into one JSON array of the rows", () => {
    const text = jsonPage([{ id: "a", n: 1 }], true) + jsonPage([{ id: "b", n: null }], false) + jsonPage([], false) + jsonClose();
    expect(JSON.parse(text)).toEqual([
      { id: "a", n: 1 },
      { id: "b", n: null },
    ]);
    expect(JSON.parse(jsonPage([], true) + jsonClose())).toEqual([]);
  });

  it("refuses rows whose cells are neither text, number nor null", () => {
    expect(() => parseRows('[{"id": {"nested": true}}]', ["id"])).toThrow(ArchiveError);
    expect(() => parseRows('{"id": "a"}', ["id"])).toThrow(ArchiveError);
    expect(parseRows('[{"id": "a", "extra": 1}]', ["id", "missing"])).toEqual([{ id: "a", missing: null }]);
  });
});

describe("zip central directory", () => {
  it("finds every entry of a zip, with its sizes and offsets, from the archive's last bytes", () => {
    const zip = zipSync({ "manifest.json": strToU8("{}"), "tables/clients.json": strToU8("[]".repeat(100)) });
    const dir = findCentralDirectory(zip.subarray(Math.max(0, zip.length - 1000)));
    const entries = parseCentralDirectory(zip.subarray(dir.offset, dir.offset + dir.size), dir.entries);
    expect(entries.map((e) => e.name).sort()).toEqual(["manifest.json", "tables/clients.json"]);
    const clients = entries.find((e) => e.name === "tables/clients.json")!;
    expect(clients.size).toBe(200);
    expect(clients.localHeaderOffset).toBeLessThan(dir.offset);
  });

  it("refuses bytes that are not a zip", () => {
    expect(() => findCentralDirectory(strToU8("not a zip at all, just some text long enough"))).toThrow(ArchiveError);
  });
});

describe("entry names", () => {
  it("accepts relative paths and refuses traversal, absolute paths and backslashes", () => {
    expect(isSafeEntryName("files/accounts/abc/documents/x.pdf")).toBe(true);
    for (const bad of ["../etc/passwd", "/abs", "files/../../x", "a\\b", "a//b", "", "a/\u0000"]) expect(isSafeEntryName(bad), bad).toBe(false);
  });
});
