import { describe, expect, it } from "vitest";
import { signedUpClient } from "../helpers/client";

// Under the VAT franchise the profile hides the VAT number and VAT-on-debits fields (issue #13):
// they sit in a `.vat-only` block that the stylesheet hides while "franchise" is the selected
// regime (CSS :has(), so no script), unless one of them holds an error.

const css = Object.values(import.meta.glob<string>("../../src/client/styles.css", { query: "?raw", import: "default", eager: true }))[0] ?? "";

describe("the profile's VAT fields", () => {
  it("are grouped in the block the stylesheet hides under the franchise", async () => {
    const { client } = await signedUpClient();
    const html = await (await client.get("/parametres/entreprise")).text();
    const block = /<div class="vat-only">([\s\S]*?)<\/div><\/fieldset>/.exec(html)?.[1] ?? "";
    expect(block).toContain('id="f-vatNumber"');
    expect(block).toContain('id="f-vatOnDebits"');
    // The regime select sits in the same fieldset, before the block.
    expect(html).toMatch(/<fieldset>(?:(?!<\/fieldset>)[\s\S])*name="vatRegime"(?:(?!<\/fieldset>)[\s\S])*<div class="vat-only">/);
    expect(css).toMatch(/fieldset:has\(select\[name="vatRegime"\] option\[value="franchise"\]:checked\) \.vat-only:not\(:has\(\.has-error\)\)\s*\{\s*display: none;/);
  });
});
