import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ApiClient } from "./api.ts";
import { uniqueEmail } from "./browser.ts";

const VALIDATOR = path.resolve(import.meta.dirname, "../../../shared/einvoice/validate.mjs");
const OUT = path.resolve(import.meta.dirname, "../../test-results/issued");

async function account(profile: Record<string, unknown>) {
  const api = new ApiClient();
  const email = uniqueEmail("fx");
  const signup = await api.json("POST", "/api/v1/auth/signup", { name: "E2E", email, password: "une phrase de passe solide", companyName: String(profile.name), acceptTerms: true });
  assert.equal(signup.status, 202);
  // Sign-up opens no session: sign in.
  assert.equal((await api.json("POST", "/api/v1/auth/login", { email, password: "une phrase de passe solide" })).status, 200);
  const p = await api.json("PUT", "/api/v1/account/profile", profile);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  const c = await api.json<{ client: { id: string } }>("POST", "/api/v1/clients", {
    kind: "company",
    name: "Société Cliente SA",
    siret: "73282932000074",
    vatNumber: "FR44732829320",
    addressLine1: "1 place de la Bourse",
    postalCode: "75002",
    city: "Paris",
    country: "FR",
    email: "compta@cliente.fr",
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  return { api, clientId: c.body.client.id };
}

async function issue(api: ApiClient, body: Record<string, unknown>): Promise<{ id: string; number: string }> {
  const draft = await api.json<{ document: { id: string } }>("POST", "/api/v1/documents", body);
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  const issued = await api.json<{ document: { id: string; number: string } }>("POST", `/api/v1/documents/${draft.body.document.id}/issue`, {});
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  return issued.body.document;
}

const line = (extra: Record<string, unknown>) => ({ description: "Conseil — journée", quantity: "2", unitCode: "DAY", unitPriceCents: 65_000, kind: "service", ...extra });

test("issued Factur-X PDFs (B2B VAT, franchise 293 B, credit note, deposit and final invoice) pass the French e-invoicing rules", async (t) => {
  const vat = await account({
    name: "Studio Lumen",
    legalForm: "sas",
    siret: "12345678200010",
    registration: "rcs",
    registrationCity: "Lyon",
    shareCapital: "10000",
    addressLine1: "18 rue de la République",
    postalCode: "69002",
    city: "Lyon",
    country: "FR",
    contactEmail: "facturation@studio-lumen.fr",
    vatRegime: "vat",
    paymentTermsDays: 30,
    iban: "FR7630006000011234567890189",
    bic: "AGRIFRPP",
  });
  const S20 = { vatCategory: "S", vatRateBp: 2000 };
  const invoice = await issue(vat.api, { type: "invoice", clientId: vat.clientId, purchaseOrderReference: "PO-4521", lines: [line(S20), line({ ...S20, description: "Livre", quantity: "3", unitCode: "C62", unitPriceCents: 3_250, vatRateBp: 550, kind: "goods" })] });
  // Unit prices with 3 and 4 decimals (BT-146, BR-FR-DEC-03), line nets rounded to the cent (issue #13).
  const subCent = await issue(vat.api, {
    type: "invoice",
    clientId: vat.clientId,
    lines: [
      line({ ...S20, description: "Farine T80 (vrac)", quantity: "2.5", unitCode: "KGM", unitPrice: "3.333", vatRateBp: 550, kind: "goods" }),
      line({ ...S20, description: "Étiquettes", quantity: "1000", unitCode: "C62", unitPrice: "0.0125", kind: "goods" }),
      line(S20),
    ],
  });
  const credit = await vat.api.json<{ creditNote: { id: string; number: string } }>("POST", `/api/v1/documents/${invoice.id}/cancel`);
  assert.equal(credit.status, 201);

  const quoteDraft = await vat.api.json<{ document: { id: string } }>("POST", "/api/v1/documents", { type: "quote", clientId: vat.clientId, lines: [line(S20)] });
  await vat.api.json("POST", `/api/v1/documents/${quoteDraft.body.document.id}/issue`, {});
  const dep = await vat.api.json<{ document: { id: string } }>("POST", `/api/v1/documents/${quoteDraft.body.document.id}/convert`, { to: "deposit_invoice", percentBp: 3000 });
  const depIssued = await vat.api.json<{ document: { id: string; number: string } }>("POST", `/api/v1/documents/${dep.body.document.id}/issue`, {});
  const fin = await vat.api.json<{ document: { id: string } }>("POST", `/api/v1/documents/${quoteDraft.body.document.id}/convert`, { to: "invoice" });
  const finIssued = await vat.api.json<{ document: { id: string; number: string } }>("POST", `/api/v1/documents/${fin.body.document.id}/issue`, {});

  const franchise = await account({
    name: "Camille Martin",
    legalForm: "ei",
    siret: "12345678200010",
    registration: "none",
    addressLine1: "12 rue des Lilas",
    postalCode: "69003",
    city: "Lyon",
    country: "FR",
    contactEmail: "camille@example.fr",
    vatRegime: "franchise",
    paymentTermsDays: 30,
  });
  const fInvoice = await issue(franchise.api, { type: "invoice", clientId: franchise.clientId, lines: [line({ vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE" })] });

  mkdirSync(OUT, { recursive: true });
  const files: string[] = [];
  const save = async (api: ApiClient, name: string, id: string) => {
    const file = path.join(OUT, `${name}.pdf`);
    writeFileSync(file, await api.bytes(`/api/v1/documents/${id}/pdf`));
    files.push(file);
    const ubl = path.join(OUT, `${name}.ubl.xml`);
    writeFileSync(ubl, await api.bytes(`/api/v1/documents/${id}/ubl`));
    files.push(ubl);
  };
  await save(vat.api, "b2b-vat-invoice", invoice.id);
  await save(vat.api, "credit-note", credit.body.creditNote.id);
  await save(vat.api, "sub-cent-prices-invoice", subCent.id);
  await save(vat.api, "deposit-invoice", depIssued.body.document.id);
  await save(vat.api, "final-invoice", finIssued.body.document.id);
  await save(franchise.api, "franchise-invoice", fInvoice.id);

  if (!existsSync(VALIDATOR)) {
    const msg = `E-INVOICE VALIDATION SKIPPED: ${VALIDATOR} not found (CI has ../shared/einvoice).`;
    console.error(`\n${"!".repeat(78)}\n  ${msg}\n${"!".repeat(78)}\n`);
    if (process.env.CI === "true") assert.fail(msg);
    t.skip(msg);
    return;
  }
  // --json: errors AND warnings fail the test (a warning such as an empty element, PEPPOL-EN16931-R008,
  // is what a receiving platform may refuse next).
  const run = spawnSync(process.execPath, [VALIDATOR, "--json", ...files], { encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  let report: Array<{ file: string; errors: number; warnings: number; problems: Array<{ flag: string; rule: string; text: string }> }>;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    assert.fail(`validator output is not JSON (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  }
  for (const entry of report) console.log(`${path.basename(entry.file)}: ${entry.errors} error(s), ${entry.warnings} warning(s)`);
  assert.deepEqual(report.map((e) => path.basename(e.file)).sort(), files.map((f) => path.basename(f)).sort());
  const problems = report.flatMap((e) => e.problems.map((p) => `${path.basename(e.file)}: ${p.flag} ${p.rule} ${p.text}`));
  assert.deepEqual(problems, [], `validator reported problems:\n${problems.join("\n")}`);
});
