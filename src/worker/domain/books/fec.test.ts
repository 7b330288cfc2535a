import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildFec, FEC_COLUMNS, fecAmount, fecDate, FecError, type FecReceipt, type FecSale, fecText } from "./fec";

const sale = (over: Partial<FecSale> = {}): FecSale => ({
  type: "invoice",
  number: "F-2026-001",
  issueDate: "2026-03-10",
  validatedOn: "2026-03-10",
  clientAccount: "CL1",
  clientName: "Société Cliente SA",
  taxExclusiveCents: 150_000,
  vatCents: 30_000,
  taxInclusiveCents: 180_000,
  prepaidCents: 0,
  goodsNetCents: 50_000,
  servicesNetCents: 100_000,
  ...over,
});

const receipt = (over: Partial<FecReceipt> = {}): FecReceipt => ({
  receivedOn: "2026-04-02",
  recordedOn: "2026-04-02",
  amountCents: 180_000,
  cash: false,
  invoiceNumber: "F-2026-001",
  reference: null,
  clientAccount: "CL1",
  clientName: "Société Cliente SA",
  ...over,
});

const cents = (amount: string) => {
  const [units = "0", hundredths = "00"] = amount.split(",");
  return Number(units) * 100 + Number(hundredths);
};

/** Per EcritureNum: total debits minus total credits. */
function imbalances(text: string): Map<string, number> {
  const [, ...lines] = text.replace(/\r\n$/, "").split("\r\n");
  const out = new Map<string, number>();
  for (const line of lines) {
    const f = line.split("\t");
    const num = f[2]!;
    out.set(num, (out.get(num) ?? 0) + cents(f[11]!) - cents(f[12]!));
  }
  return out;
}

describe("FEC field formats", () => {
  it("writes amounts with a comma decimal and no thousands separator", () => {
    expect(fecAmount(0)).toBe("0,00");
    expect(fecAmount(5)).toBe("0,05");
    expect(fecAmount(123_456_789)).toBe("1234567,89");
    expect(() => fecAmount(-1)).toThrow(FecError);
    expect(() => fecAmount(1.5)).toThrow(FecError);
  });

  it("writes dates as YYYYMMDD and refuses impossible ones", () => {
    expect(fecDate("2026-11-26")).toBe("20261126");
    expect(() => fecDate("2026-02-30")).toThrow(FecError);
  });

  it("turns separators and line breaks in free text into spaces", () => {
    expect(fecText("a\tb|c\r\nd ")).toBe("a b c d");
  });

  it("turns every control character into a space and leaves would-be formulas as recorded (a legal format)", () => {
    expect(fecText("a\u0000b\u0007c\u007fd\u0085e\u2028f")).toBe("a b c d e f");
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => !/[\u0000-\u001f\u007f-\u009f|]/.test(fecText(s))));
    expect(fecText("=HYPERLINK(1)")).toBe("=HYPERLINK(1)");
  });
});

describe("buildFec", () => {
  it("names the file SIRENFECYYYYMMDD.txt after the closing date", () => {
    expect(buildFec({ siren: "123456782", year: 2026, sales: [], receipts: [] }).fileName).toBe("123456782FEC20261231.txt");
  });

  it("refuses to build without a 9-digit SIREN", () => {
    expect(() => buildFec({ siren: "12345678", year: 2026, sales: [], receipts: [] })).toThrow(FecError);
  });

  it("starts with the 18 column names and gives every line exactly 18 fields", () => {
    const fec = buildFec({ siren: "123456782", year: 2026, sales: [sale()], receipts: [receipt()] });
    const lines = fec.text.replace(/\r\n$/, "").split("\r\n");
    expect(lines[0]).toBe(
      "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise",
    );
    expect(FEC_COLUMNS).toHaveLength(18);
    for (const line of lines) expect(line.split("\t")).toHaveLength(18);
  });

  it("books an invoice in VT: client debited, goods and services sales and VAT credited", () => {
    const { rows } = buildFec({ siren: "123456782", year: 2026, sales: [sale()], receipts: [] });
    expect(rows.map((r) => [r.JournalCode, r.EcritureNum, r.CompteNum, r.CompAuxNum, r.Debit, r.Credit])).toEqual([
      ["VT", "VT000001", "411000", "CL1", "1800,00", "0,00"],
      ["VT", "VT000001", "707000", "", "0,00", "500,00"],
      ["VT", "VT000001", "706000", "", "0,00", "1000,00"],
      ["VT", "VT000001", "445710", "", "0,00", "300,00"],
    ]);
    expect(rows[0]).toMatchObject({ EcritureDate: "20260310", PieceRef: "F-2026-001", PieceDate: "20260310", ValidDate: "20260310", Idevise: "" });
  });

  it("books a credit note as the invoice with debits and credits swapped", () => {
    const { rows } = buildFec({ siren: "123456782", year: 2026, sales: [sale({ type: "credit_note", number: "AV-2026-001" })], receipts: [] });
    expect(rows.map((r) => [r.CompteNum, r.Debit, r.Credit])).toEqual([
      ["411000", "0,00", "1800,00"],
      ["707000", "500,00", "0,00"],
      ["706000", "1000,00", "0,00"],
      ["445710", "300,00", "0,00"],
    ]);
  });

  it("books a deposit to 4191 and takes it back on the final invoice", () => {
    const deposit = sale({ type: "deposit_invoice", number: "FA-1", taxExclusiveCents: 50_000, vatCents: 10_000, taxInclusiveCents: 60_000 });
    const final = sale({ number: "F-2", issueDate: "2026-05-01", prepaidCents: 60_000 });
    const { rows } = buildFec({ siren: "123456782", year: 2026, sales: [deposit, final], receipts: [] });
    expect(rows.filter((r) => r.EcritureNum === "VT000001").map((r) => [r.CompteNum, r.Debit, r.Credit])).toEqual([
      ["411000", "600,00", "0,00"],
      ["419100", "0,00", "600,00"],
    ]);
    expect(rows.filter((r) => r.EcritureNum === "VT000002").map((r) => [r.CompteNum, r.Debit, r.Credit])).toEqual([
      ["411000", "1200,00", "0,00"],
      ["419100", "600,00", "0,00"],
      ["707000", "0,00", "500,00"],
      ["706000", "0,00", "1000,00"],
      ["445710", "0,00", "300,00"],
    ]);
  });

  it("books receipts in BQ, cash apart in 531, and a correction with the sides swapped", () => {
    const { rows } = buildFec({
      siren: "123456782",
      year: 2026,
      sales: [],
      receipts: [receipt(), receipt({ cash: true, amountCents: 2_000, receivedOn: "2026-04-03" }), receipt({ amountCents: -180_000, recordedOn: "2026-04-10" })],
    });
    expect(rows.map((r) => [r.EcritureNum, r.CompteNum, r.Debit, r.Credit])).toEqual([
      ["BQ000001", "512000", "1800,00", "0,00"],
      ["BQ000001", "411000", "0,00", "1800,00"],
      ["BQ000002", "512000", "0,00", "1800,00"],
      ["BQ000002", "411000", "1800,00", "0,00"],
      ["BQ000003", "531000", "20,00", "0,00"],
      ["BQ000003", "411000", "0,00", "20,00"],
    ]);
    expect(rows[2]).toMatchObject({ EcritureDate: "20260402", ValidDate: "20260410" });
  });

  it("keeps only the year's documents and receipts, in chronological order", () => {
    const { rows } = buildFec({
      siren: "123456782",
      year: 2026,
      sales: [sale({ issueDate: "2025-12-31" }), sale({ number: "F-late", issueDate: "2026-12-01" }), sale({ number: "F-early", issueDate: "2026-01-05" })],
      receipts: [receipt({ receivedOn: "2027-01-01" }), receipt({ receivedOn: "2026-06-01" })],
    });
    const dates = rows.map((r) => r.EcritureDate);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(rows.map((r) => r.PieceRef))).toEqual(new Set(["F-early", "F-late", "F-2026-001"]));
    expect(new Set(rows.map((r) => r.EcritureNum))).toEqual(new Set(["VT000001", "VT000002", "BQ000001"]));
  });

  it("letters the client lines of an invoice with the receipts that pay it, dated by the last receipt", () => {
    const { rows } = buildFec({
      siren: "123456782",
      year: 2026,
      sales: [sale(), sale({ number: "F-2026-002", issueDate: "2026-03-12" })],
      receipts: [receipt({ amountCents: 100_000 }), receipt({ amountCents: 80_000, receivedOn: "2026-05-06" }), receipt({ invoiceNumber: "F-2026-002", amountCents: 1_000 })],
    });
    const clientLines = rows.filter((r) => r.CompteNum === "411000").map((r) => [r.PieceRef, r.EcritureDate, r.Debit, r.Credit, r.EcritureLet, r.DateLet]);
    expect(clientLines).toEqual([
      ["F-2026-001", "20260310", "1800,00", "0,00", "AA", "20260506"],
      ["F-2026-002", "20260312", "1800,00", "0,00", "", ""],
      ["F-2026-001", "20260402", "0,00", "1000,00", "AA", "20260506"],
      ["F-2026-002", "20260402", "0,00", "10,00", "", ""],
      ["F-2026-001", "20260506", "0,00", "800,00", "AA", "20260506"],
    ]);
    // Only client lines are lettered.
    expect(rows.filter((r) => r.CompteNum !== "411000").every((r) => r.EcritureLet === "" && r.DateLet === "")).toBe(true);
  });

  it("letters a credit note with the invoice it corrects and the receipt of the rest", () => {
    const { rows } = buildFec({
      siren: "123456782",
      year: 2026,
      sales: [
        sale(),
        sale({ type: "credit_note", number: "A-2026-001", issueDate: "2026-03-15", correctsNumber: "F-2026-001", taxExclusiveCents: 50_000, vatCents: 10_000, taxInclusiveCents: 60_000, goodsNetCents: 50_000, servicesNetCents: 0 }),
      ],
      receipts: [receipt({ amountCents: 120_000 })],
    });
    const lettered = rows.filter((r) => r.EcritureLet !== "").map((r) => [r.PieceRef, r.EcritureLet, r.DateLet]);
    expect(lettered).toEqual([
      ["F-2026-001", "AA", "20260402"],
      ["A-2026-001", "AA", "20260402"],
      ["F-2026-001", "AA", "20260402"],
    ]);
  });

  it("letters a deposit invoice with its receipt and the final invoice with the receipt of the balance", () => {
    const { rows } = buildFec({
      siren: "123456782",
      year: 2026,
      sales: [
        sale({ type: "deposit_invoice", number: "F-2026-001", issueDate: "2026-02-01", taxInclusiveCents: 54_000 }),
        sale({ number: "F-2026-002", prepaidCents: 54_000 }),
      ],
      receipts: [receipt({ receivedOn: "2026-02-03", amountCents: 54_000 }), receipt({ invoiceNumber: "F-2026-002", amountCents: 126_000 })],
    });
    const client = rows.filter((r) => r.CompteNum === "411000").map((r) => [r.PieceRef, r.EcritureLet, r.DateLet]);
    expect(client).toEqual([
      ["F-2026-001", "AA", "20260203"],
      ["F-2026-001", "AA", "20260203"],
      ["F-2026-002", "AB", "20260402"],
      ["F-2026-002", "AB", "20260402"],
    ]);
  });

  it("leaves an invoice unlettered when its payment falls in the next year's file", () => {
    const input = { siren: "123456782", sales: [sale({ issueDate: "2026-12-20" })], receipts: [receipt({ receivedOn: "2027-01-05" })] };
    expect(buildFec({ ...input, year: 2026 }).rows.every((r) => r.EcritureLet === "")).toBe(true);
    expect(buildFec({ ...input, year: 2027 }).rows.every((r) => r.EcritureLet === "")).toBe(true);
  });

  it("never letters two clients' lines together", () => {
    const { rows } = buildFec({ siren: "123456782", year: 2026, sales: [sale()], receipts: [receipt({ clientAccount: "CL2" })] });
    expect(rows.every((r) => r.EcritureLet === "")).toBe(true);
  });

  it("balances every entry to the cent and writes 18 fields per line, whatever the documents", () => {
    const sales = fc.array(
      fc.record({
        type: fc.constantFrom("invoice" as const, "deposit_invoice" as const, "credit_note" as const),
        ht: fc.nat(10 ** 8),
        vat: fc.nat(2 * 10 ** 7),
        prepaidShare: fc.nat(100),
        goods: fc.nat(10 ** 8),
        services: fc.nat(10 ** 8),
        day: fc.integer({ min: 0, max: 364 }),
        name: fc.string({ maxLength: 20 }),
      }),
      { maxLength: 20 },
    );
    // `exact` receipts pay what the document numbered `doc` leaves on the client account, so that lettering happens.
    const receipts = fc.array(
      fc.record({ amount: fc.integer({ min: -(10 ** 8), max: 10 ** 8 }), cash: fc.boolean(), day: fc.integer({ min: 0, max: 364 }), doc: fc.nat(24), exact: fc.boolean() }),
      { maxLength: 20 },
    );
    const iso = (day: number) => new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10);
    fc.assert(
      fc.property(sales, receipts, (ss, rs) => {
        const fec = buildFec({
          siren: "123456782",
          year: 2026,
          sales: ss.map((s, i) =>
            sale({
              type: s.type,
              number: `N${i}`,
              issueDate: iso(s.day),
              validatedOn: iso(s.day),
              clientName: s.name,
              taxExclusiveCents: s.ht,
              vatCents: s.vat,
              taxInclusiveCents: s.ht + s.vat,
              prepaidCents: Math.floor(((s.ht + s.vat) * s.prepaidShare) / 100),
              goodsNetCents: s.goods,
              servicesNetCents: s.services,
            }),
          ),
          receipts: rs.map((r) => {
            const s = ss[r.doc];
            const due = !s ? r.amount : s.type === "deposit_invoice" ? s.ht + s.vat : (s.type === "credit_note" ? -1 : 1) * (s.ht + s.vat - Math.floor(((s.ht + s.vat) * s.prepaidShare) / 100));
            return receipt({ invoiceNumber: `N${r.doc}`, amountCents: r.exact ? due : r.amount, cash: r.cash, receivedOn: iso(r.day), recordedOn: iso(r.day) });
          }),
        });
        for (const [num, diff] of imbalances(fec.text)) expect({ num, diff }).toEqual({ num, diff: 0 });
        for (const line of fec.text.replace(/\r\n$/, "").split("\r\n")) expect(line.split("\t")).toHaveLength(18);
        for (const r of fec.rows) expect(r.Debit === "0,00" || r.Credit === "0,00").toBe(true);
        // Every lettering code closes a balanced set of client lines, dated on or after each of them.
        const groups = new Map<string, typeof fec.rows>();
        for (const r of fec.rows) if (r.EcritureLet !== "") groups.set(r.EcritureLet, [...(groups.get(r.EcritureLet) ?? []), r]);
        for (const [code, group] of groups) {
          expect({ code, sum: group.reduce((t, r) => t + cents(r.Debit) - cents(r.Credit), 0) }).toEqual({ code, sum: 0 });
          expect(group.every((r) => r.CompteNum === "411000" && r.DateLet === group[0]?.DateLet && r.EcritureDate <= r.DateLet)).toBe(true);
        }
        expect(fec.rows.every((r) => (r.EcritureLet === "") === (r.DateLet === ""))).toBe(true);
      }),
    );
  });
});
