import { describe, expect, it } from "vitest";
import { b2bVatInvoice } from "../../../../test/fixtures/documents.ts";
import type { DocumentSnapshot } from "../../domain/document.ts";
import { depositLines } from "./quotes";

// A deposit invoice's lines are read by the client: in the client's language (issue #13).
describe("deposit lines", () => {
  const quote = (language: "fr" | "en"): DocumentSnapshot => {
    const doc = b2bVatInvoice();
    return { ...doc, type: "quote", number: "D-2026-0004", buyer: { ...doc.buyer, language } };
  };

  it("name the quote and the share in French for a French client, one line per VAT rate", () => {
    expect(depositLines(quote("fr"), 3000).map((l) => l.description)).toEqual([
      "Acompte de 30 % sur le devis D-2026-0004 (TVA 20 %)",
      "Acompte de 30 % sur le devis D-2026-0004 (TVA 5,5 %)",
    ]);
  });

  it("are in English for a client who reads English", () => {
    expect(depositLines(quote("en"), 2550).map((l) => l.description)).toEqual([
      "25.5% deposit on quote D-2026-0004 (VAT 20%)",
      "25.5% deposit on quote D-2026-0004 (VAT 5.5%)",
    ]);
  });
});
