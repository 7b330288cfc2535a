// Writes a Factur-X sample PDF through the Worker's own modules, for a check with the
// e-invoice validator:
//   node scripts/facturx-sample.mjs [XML] [OUT.pdf]
//   node ../shared/einvoice/validate.mjs /tmp/facturx-sample.pdf
// Node 24 runs the .ts modules directly (type stripping). The page content is a stand-in:
// what is checked is the PDF/A-3 + Factur-X container around it.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PDFDocument, rgb } from "pdf-lib";
import { toFacturX, guidelineIdOf, conformanceLevelOfGuideline } from "../src/worker/pdf/facturx.ts";
import { embedFonts } from "../src/worker/pdf/fonts.ts";

const require = createRequire(import.meta.url);
const xmlPath = process.argv[2] ?? "../shared/einvoice/examples/factur-x-en16931.xml";
const out = process.argv[3] ?? "/tmp/facturx-sample.pdf";

const xml = readFileSync(xmlPath);
const level = conformanceLevelOfGuideline(guidelineIdOf(xml.toString("utf8")) ?? "");
if (!level) throw new Error(`${xmlPath}: not a BASIC, EN 16931 or EXTENDED CII invoice`);
const number = /<rsm:ExchangedDocument>\s*<ram:ID>([^<]+)</.exec(xml.toString("utf8"))?.[1] ?? "SAMPLE";

const doc = await PDFDocument.create();
const fonts = await embedFonts(doc, {
  regular: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
  bold: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
});
const page = doc.addPage([595.28, 841.89]);
page.drawText(`Facture ${number}`, { x: 50, y: 780, size: 20, font: fonts.bold, color: rgb(0.1, 0.1, 0.3) });
page.drawText("Échéance : 30 jours — pénalités de retard : 3 × le taux légal « BCE »", { x: 50, y: 750, size: 10, font: fonts.regular });
page.drawText("Total TTC : 1 234,56 €  (Œuvre, cœur, Zoë, Łódź)", { x: 50, y: 735, size: 10, font: fonts.regular });

const bytes = await toFacturX(doc, {
  xml,
  title: `Facture ${number}`,
  author: "LE FOURNISSEUR",
  subject: `Facture ${number}`,
  documentNumber: number,
  issueDate: new Date("2026-09-15T00:00:00Z"),
  conformanceLevel: level,
  documentType: "INVOICE",
});
writeFileSync(out, bytes);
console.log(`${out}: ${bytes.length} bytes, ${level}`);
