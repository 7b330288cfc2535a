import { describe, expect, it } from "vitest";
import { basisPointsToInput, centsToInput, type EditorLine, parseAllowance, parseLines } from "../../src/client/islands/line-editor";
import { formatMoney } from "../../src/worker/domain/format";
import { lineEditorLabels } from "../../src/worker/features/documents/pages";
import { sha256Hex } from "../../src/worker/lib/crypto/random";
import { translator } from "../../src/worker/ui/i18n";
import { signedUpClient, type TestClient } from "../helpers/client";
import { createDraftVia, draftBody, insertClient, readyAccount, S20 } from "../helpers/invoicing";

const year = new Date().getUTCFullYear();
const fr = translator("fr");

type ApiDoc = { id: string; type: string; status: string; number: string | null; taxInclusiveCents: number; pdfSha256: string | null; note: string | null };
type ApiLine = { description: string; quantity: string; unitCode: string; unitPriceCents: number; discountKind: string | null; discountValue: number | null };

async function apiDoc(client: TestClient, id: string) {
  const res = await client.json("GET", `/api/v1/documents/${id}`);
  return { status: res.status, ...((res.status === 200 ? await res.json() : {}) as { document?: ApiDoc; lines?: ApiLine[] }) };
}

async function apiList(client: TestClient, query = "") {
  return (await (await client.json("GET", `/api/v1/documents${query}`)).json()) as { items: ApiDoc[]; nextCursor: string | null };
}

/** The editor form as the browser posts it: fields plus the island's JSON lines. */
function editorForm(clientId: string, lines: unknown[], extra: Record<string, string> = {}): Record<string, string> {
  return { type: "invoice", clientId, issueDate: "", deliveryDate: "", paymentTermsDays: "", purchaseOrderReference: "", note: "", allowanceKind: "percent", allowanceValue: "", lines: JSON.stringify(lines), ...extra };
}

const line = (extra: Record<string, unknown> = {}) => ({ productId: null, description: "Audit de sécurité", quantity: "2", unitCode: "DAY", unitPriceCents: 65_000, discount: null, exemptionCode: null, ...S20, ...extra });

function idFromLocation(res: Response): string {
  const m = /^\/documents\/([^/?]+)/.exec(res.headers.get("location") ?? "");
  if (!m?.[1]) throw new Error(`no document in location ${res.headers.get("location")}`);
  return decodeURIComponent(m[1]);
}

/** Decodes the HTML-escaped JSON props of the line-editor island. */
function islandProps(html: string): { errors: Record<string, string>; lines: EditorLine[] } {
  const m = /data-island="line-editor" data-props="([^"]*)"/.exec(html);
  if (!m?.[1]) throw new Error("no line-editor island");
  return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")) as { errors: Record<string, string>; lines: EditorLine[] };
}

describe("the lists", () => {
  it("shows 25 invoices per page with the page total and a cursor link to the next page", async () => {
    const a = await readyAccount();
    for (let i = 0; i < 26; i++) await createDraftVia(a.client, draftBody(a.clientId, { note: `n${i}` }));
    const first = await a.client.get("/factures");
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html.match(/class="doc-number doc-draft"/g)).toHaveLength(25);
    // Drafts bill nothing yet: the page total leaves them out (the issued case: document-lists.test.ts).
    expect(html).toMatch(new RegExp(`${fr("documents.pageTotal")}[\\s\\S]*?<td class="num">${formatMoney(0n, "fr")}</td>`));
    const next = /href="(\/factures\?cursor=[^"]+)" rel="next"/.exec(html)?.[1];
    expect(next).toBeDefined();

    const second = await (await a.client.get((next ?? "").replace(/&amp;/g, "&"))).text();
    expect(second.match(/class="doc-number doc-draft"/g)).toHaveLength(1);
    expect(second).not.toContain('rel="next"');
    expect(second).toContain(fr("documents.first"));
  });

  it("filters by status: issued invoices show their number, drafts say Brouillon", async () => {
    const a = await readyAccount();
    const issued = await createDraftVia(a.client, draftBody(a.clientId));
    await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.postForm(`/documents/${issued}/emettre`, {})).status).toBe(303);

    const onlyIssued = await (await a.client.get("/factures?statut=issued")).text();
    expect(onlyIssued).toContain(`F-${year}-0001`);
    expect(onlyIssued).not.toContain("doc-draft");
    expect(onlyIssued).toMatch(/href="\/factures\?statut=issued" aria-current="page"/);

    const onlyDrafts = await (await a.client.get("/factures?statut=draft")).text();
    expect(onlyDrafts).not.toContain(`F-${year}-0001`);
    expect(onlyDrafts.match(/doc-draft/g)).toHaveLength(1);
  });

  it("keeps quotes and invoices apart", async () => {
    const a = await readyAccount();
    await createDraftVia(a.client, draftBody(a.clientId, { type: "quote", note: "un devis" }));
    await createDraftVia(a.client, draftBody(a.clientId));
    const quotes = await (await a.client.get("/devis")).text();
    expect(quotes.match(/doc-draft/g)).toHaveLength(1);
    expect(quotes).toContain(fr("documents.tab.accepted"));
    const invoices = await (await a.client.get("/factures")).text();
    expect(invoices.match(/doc-draft/g)).toHaveLength(1);
    expect(invoices).toContain(fr("documents.tab.cancelled"));
  });

  it("offers a call to action when there is nothing yet", async () => {
    const a = await signedUpClient();
    const html = await (await a.client.get("/factures")).text();
    expect(html).toContain(fr("documents.empty.invoices"));
    expect(html).toContain('href="/factures/nouvelle" class="button primary"');
    const quotes = await (await a.client.get("/devis")).text();
    expect(quotes).toContain(fr("documents.empty.quotes"));
  });

  it("sends visitors to the login page", async () => {
    const res = await new (await import("../helpers/client")).TestClient().get("/factures");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/connexion/);
  });
});

describe("the editor", () => {
  it("renders the form with the account's clients and the line editor island", async () => {
    const a = await readyAccount();
    const html = await (await a.client.get("/factures/nouvelle")).text();
    expect(html).toContain(`<option value="${a.clientId}">Société Cliente SA</option>`);
    expect(html).toContain('src="/islands/line-editor.js"');
    expect(html).toContain('name="lines"');
    expect(islandProps(html).lines).toEqual([]);
  });

  it("creates a draft from a form post with JSON lines", async () => {
    const a = await readyAccount();
    const lines = [line(), line({ description: "Rapport", quantity: "1,5", unitCode: "HUR", unitPriceCents: 9_000, discount: { kind: "percent", basisPoints: 1000 } })];
    const res = await a.client.postForm("/factures/nouvelle", editorForm(a.clientId, lines, { note: "Merci !", paymentTermsDays: "15", allowanceValue: "5" }));
    expect(res.status).toBe(303);
    const id = idFromLocation(res);
    const { document, lines: saved } = await apiDoc(a.client, id);
    expect(document?.type).toBe("invoice");
    expect(document?.status).toBe("draft");
    expect(document?.note).toBe("Merci !");
    expect(saved?.map((l) => [l.description, l.quantity, l.unitPriceCents, l.discountValue])).toEqual([
      ["Audit de sécurité", "2", 65_000, null],
      ["Rapport", "1.5", 9_000, 1000],
    ]);
    const page = await (await a.client.get(`/documents/${id}?ok=created`)).text();
    expect(page).toContain(fr("documents.created"));
    expect(page).toContain(formatMoney(document?.taxInclusiveCents ?? -1, "fr"));
  });

  it("re-renders invalid lines with their errors next to the fields, and creates nothing", async () => {
    const a = await readyAccount();
    const before = (await apiList(a.client)).items.length;
    const lines = [line(), line({ description: " ", quantity: "abc" })];
    const res = await a.client.postForm("/factures/nouvelle", editorForm(a.clientId, lines, { note: "gardée" }));
    expect(res.status).toBe(400);
    const html = await res.text();
    const props = islandProps(html);
    expect(props.errors["lines.1.quantity"]).toBe(fr("documents.err.quantity"));
    expect(props.errors["lines.1.description"]).toBe(fr("form.required"));
    expect(props.errors["lines.0.quantity"]).toBeUndefined();
    expect(props.lines.map((l) => l.quantity)).toEqual(["2", "abc"]);
    expect(html).toContain("gardée");
    expect((await apiList(a.client)).items.length).toBe(before);
  });

  it("refuses a VAT rate the date does not allow, with the message on that line", async () => {
    const a = await readyAccount();
    const res = await a.client.postForm("/factures/nouvelle", editorForm(a.clientId, [line(), line({ vatRateBp: 1900 })]));
    expect(res.status).toBe(400);
    const props = islandProps(await res.text());
    expect(props.errors["lines.1.vat"]).toBe(fr("documents.le.err.vat"));
    expect((await apiList(a.client)).items).toHaveLength(0);
  });

  it("refuses a client of another account and unreadable lines", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    const foreign = await a.client.postForm("/factures/nouvelle", editorForm(b.clientId, [line()]));
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain(fr("documents.err.client"));
    const garbled = await a.client.postForm("/factures/nouvelle", { ...editorForm(a.clientId, []), lines: "[{" });
    expect(garbled.status).toBe(400);
    expect(await garbled.text()).toContain(fr("documents.err.linesJson"));
    expect((await apiList(a.client)).items).toHaveLength(0);
  });

  it("creates a quote with its validity date", async () => {
    const a = await readyAccount();
    const res = await a.client.postForm("/devis/nouveau", editorForm(a.clientId, [line()], { validUntil: `${year}-12-31` }));
    expect(res.status).toBe(303);
    const { document } = await apiDoc(a.client, idFromLocation(res));
    expect(document?.type).toBe("quote");
    expect((document as unknown as { validUntil: string }).validUntil).toBe(`${year}-12-31`);
  });

  it("edits a draft and refuses to edit an issued document", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const form = await (await a.client.get(`/documents/${id}/modifier`)).text();
    expect(islandProps(form).lines.map((l) => l.description)).toEqual(["Développement — forfait", "Accompagnement"]);
    expect(islandProps(form).lines[1]?.quantity).toBe("2,5");

    const saved = await a.client.postForm(`/documents/${id}/modifier`, editorForm(a.clientId, [line({ description: "Nouvelle ligne" })]));
    expect(saved.status).toBe(303);
    expect((await apiDoc(a.client, id)).lines?.map((l) => l.description)).toEqual(["Nouvelle ligne"]);

    await a.client.postForm(`/documents/${id}/emettre`, {});
    expect((await a.client.get(`/documents/${id}/modifier`)).status).toBe(409);
    const refused = await a.client.postForm(`/documents/${id}/modifier`, editorForm(a.clientId, [line()]));
    expect(refused.status).toBe(409);
    expect((await apiDoc(a.client, id)).lines?.map((l) => l.description)).toEqual(["Nouvelle ligne"]);
  });

  it("creates a credit note only against an issued invoice, prefilled from it", async () => {
    const a = await readyAccount();
    const invoice = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.postForm(`/documents/${invoice}/emettre`, {});
    const prefilled = islandProps(await (await a.client.get(`/factures/nouvelle?type=credit_note&facture=${invoice}`)).text());
    expect(prefilled.lines).toHaveLength(2);

    const without = await a.client.postForm("/factures/nouvelle", editorForm(a.clientId, [line()], { type: "credit_note" }));
    expect(without.status).toBe(400);
    expect(await without.text()).toContain(fr("documents.err.preceding"));
    const res = await a.client.postForm("/factures/nouvelle", editorForm(a.clientId, [line({ quantity: "1" })], { type: "credit_note", precedingDocumentId: invoice }));
    expect(res.status).toBe(303);
    const credit = idFromLocation(res);
    expect((await apiDoc(a.client, credit)).document?.type).toBe("credit_note");
    expect(await (await a.client.get(`/documents/${credit}`)).text()).toContain(`F-${year}-0001`);
  });
});

describe("the detail page", () => {
  it("issues a draft and then shows the number, the PDF fingerprint and the frozen mention", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    const draft = await (await a.client.get(`/documents/${id}`)).text();
    expect(draft).toContain(`action="/documents/${id}/emettre"`);
    expect(draft).toContain(`action="/documents/${id}/supprimer"`);

    const res = await a.client.postForm(`/documents/${id}/emettre`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/documents/${id}?ok=issued`);
    const html = await (await a.client.get(`/documents/${id}?ok=issued`)).text();
    const { document } = await apiDoc(a.client, id);
    expect(html).toContain(fr("documents.issued.done", { number: `F-${year}-0001` }));
    expect(html).toContain(`<h1>F-${year}-0001</h1>`);
    expect(html).toContain(`<code>${document?.pdfSha256}</code>`);
    expect(html).toContain("non modifiable");
    expect(html).toContain(`<iframe src="/documents/${id}/apercu.pdf#`);
    expect(html).not.toContain(`action="/documents/${id}/emettre"`);
    expect(html).toContain(`action="/documents/${id}/annuler"`);
  });

  it("lists what is missing with links to fix it when the profile is incomplete (412), on the page the refusal redirects to", async () => {
    const a = await signedUpClient();
    const clientId = await insertClient(a.accountId, { address_line1: "" });
    const id = await createDraftVia(a.client, draftBody(clientId));
    const res = await a.client.postForm(`/documents/${id}/emettre`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/documents/${id}#probleme`);
    const html = await (await a.client.get(`/documents/${id}`)).text();
    expect(html).toContain(fr("documents.missing.title"));
    expect(html).toContain(`href="/parametres/entreprise">${fr("documents.missing.fixProfile")}`);
    expect(html).toContain(fr("documents.missing.clientAddress").replace(/\.$/, ""));
    expect(html).toContain(`href="/clients/${clientId}">${fr("documents.missing.fixClient")}`);
    expect((await apiDoc(a.client, id)).document?.number).toBeNull();
  });

  it("explains a second issue (409) without changing anything", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.postForm(`/documents/${id}/emettre`, {});
    const again = await a.client.postForm(`/documents/${id}/emettre`, {});
    expect(again.status).toBe(303);
    const shown = await (await a.client.get(`/documents/${id}`)).text();
    expect(shown).toContain(fr("documents.err.alreadyIssued", { number: `F-${year}-0001` }));
    // Shown once: a reload of the page no longer repeats the refusal.
    expect(await (await a.client.get(`/documents/${id}`)).text()).not.toContain(fr("documents.err.alreadyIssued", { number: `F-${year}-0001` }));
  });

  it("serves the preview inline, framable by the same origin only, and the downloads as attachments", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    expect((await a.client.get(`/documents/${id}/apercu.pdf`)).status).toBe(404);
    await a.client.postForm(`/documents/${id}/emettre`, {});

    const preview = await a.client.get(`/documents/${id}/apercu.pdf`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get("content-type")).toBe("application/pdf");
    expect(preview.headers.get("content-disposition")).toBe(`inline; filename="F-${year}-0001.pdf"; filename*=UTF-8''F-${year}-0001.pdf`);
    const csp = preview.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("default-src 'none'");
    const bytes = new Uint8Array(await preview.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    expect(await sha256Hex(bytes)).toBe((await apiDoc(a.client, id)).document?.pdfSha256);

    const pdf = await a.client.get(`/documents/${id}/telecharger.pdf`);
    expect(pdf.headers.get("content-disposition")).toBe(`attachment; filename="F-${year}-0001.pdf"; filename*=UTF-8''F-${year}-0001.pdf`);
    expect(pdf.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    await pdf.arrayBuffer();
    const xml = await a.client.get(`/documents/${id}/telecharger.xml`);
    expect(xml.headers.get("content-disposition")).toBe(`attachment; filename="F-${year}-0001.xml"; filename*=UTF-8''F-${year}-0001.xml`);
    expect(await xml.text()).toContain(`F-${year}-0001`);
  });

  it("cancels an issued invoice by a credit note and shows the credit note", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.postForm(`/documents/${id}/emettre`, {});
    const res = await a.client.postForm(`/documents/${id}/annuler`, {});
    expect(res.status).toBe(303);
    const creditId = idFromLocation(res);
    expect(creditId).not.toBe(id);
    const credit = await apiDoc(a.client, creditId);
    expect(credit.document?.type).toBe("credit_note");
    expect(credit.document?.number).toMatch(/\d{4}-0001$/);
    const html = await (await a.client.get(`/documents/${creditId}?ok=cancelled`)).text();
    expect(html).toContain(fr("documents.cancelled.done"));
    expect(html).toContain(`href="/documents/${id}">F-${year}-0001</a>`);
    expect((await apiDoc(a.client, id)).document?.status).toBe("cancelled");
    expect((await a.client.postForm(`/documents/${id}/annuler`, {})).status).toBe(303);
    expect((await apiDoc(a.client, id)).document?.status).toBe("cancelled");
  });

  it("deletes a draft and goes back to the list", async () => {
    const a = await readyAccount();
    const id = await createDraftVia(a.client, draftBody(a.clientId, { type: "quote" }));
    const res = await a.client.postForm(`/documents/${id}/supprimer`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/devis?ok=deleted");
    expect((await apiDoc(a.client, id)).status).toBe(404);
  });
});

describe("tenancy", () => {
  it("answers 404 to another account on every page route, and lists nothing of it", async () => {
    const a = await readyAccount();
    const b = await readyAccount();
    const draft = await createDraftVia(a.client, draftBody(a.clientId));
    const issued = await createDraftVia(a.client, draftBody(a.clientId));
    await a.client.postForm(`/documents/${issued}/emettre`, {});

    for (const id of [draft, issued]) {
      for (const path of ["", "/modifier", "/apercu.pdf", "/telecharger.pdf", "/telecharger.xml"]) {
        expect((await b.client.get(`/documents/${id}${path}`)).status, `GET ${path}`).toBe(404);
      }
      for (const path of ["/modifier", "/supprimer", "/emettre", "/annuler"]) {
        expect((await b.client.postForm(`/documents/${id}${path}`, editorForm(b.clientId, [line()]))).status, `POST ${path}`).toBe(404);
      }
    }
    expect(await (await b.client.get(`/factures/nouvelle?type=credit_note&facture=${issued}`)).text()).not.toContain(issued);
    expect(await (await b.client.get("/factures")).text()).not.toContain(`/documents/${draft}`);
    expect((await apiDoc(a.client, draft)).document?.status).toBe("draft");
    expect((await apiDoc(a.client, issued)).document?.status).toBe("issued");
  });
});

describe("the line editor's parsing", () => {
  const labels = lineEditorLabels(fr);
  const typed = (extra: Partial<EditorLine> = {}): EditorLine => ({
    productId: null,
    description: "Conseil",
    quantity: "1",
    unitCode: "C62",
    unitPrice: "1 234,50",
    discount: "",
    discountKind: "percent",
    vat: "S:2000",
    kind: "service",
    ...extra,
  });

  it("reads French amounts, decimal commas and percentages into cents, quantities and basis points", () => {
    const { json, errors } = parseLines([typed({ quantity: "1,25", discount: "12,5", vat: "E:VATEX-FR-FRANCHISE" })], labels);
    expect(errors).toEqual({});
    expect(json[0]).toMatchObject({ unitPrice: "1234.50", quantity: "1.25", discount: { kind: "percent", basisPoints: 1250 }, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE" });
  });

  it("reads unit prices with up to 4 decimals and sends them as dot decimals", () => {
    const { json, errors, prices } = parseLines([typed({ unitPrice: "3,333" }), typed({ unitPrice: "0,0125" }), typed({ unitPrice: "650" })], labels);
    expect(errors).toEqual({});
    expect(json.map((l) => l.unitPrice)).toEqual(["3.333", "0.0125", "650.00"]);
    expect(prices).toEqual([33_330, 125, 6_500_000]);
  });

  it("shows stored values back the way they are typed, and reads them back unchanged", () => {
    expect([1000, 1250, 1205, 5].map((bp) => basisPointsToInput(bp, "fr"))).toEqual(["10", "12,5", "12,05", "0,05"]);
    expect([123_450, 7, 0].map((c) => centsToInput(c, "fr"))).toEqual(["1234,50", "0,07", "0,00"]);
    for (const bp of [1, 99, 1000, 1250, 10_000]) expect(parseAllowance("percent", basisPointsToInput(bp, "fr"))).toEqual({ kind: "percent", value: bp });
    expect(parseAllowance("percent", "100,01")).toBe("invalid");
    expect(parseAllowance("amount", "")).toBeNull();
  });

  it("ties each unreadable value to its own field, and sends it so the server refuses it too", () => {
    const { json, errors, numeric } = parseLines([typed(), typed({ unitPrice: "12,34567", discount: "120", description: "" })], labels);
    expect(errors).toEqual({ "lines.1.unitPrice": labels.errPrice, "lines.1.discount": labels.errDiscount, "lines.1.description": labels.errRequired });
    expect(numeric).toEqual([true, false]);
    expect(JSON.parse(JSON.stringify(json[1]))).toMatchObject({ unitPrice: "12,34567", discount: { kind: "percent", basisPoints: null } });
  });
});
