// PDF cost in Node: what one issue spends on the document itself — the CII XML (toCii), the PDF
// render, the Factur-X embedding (renderDocumentPdf with the XML) — for invoices of 1, 10 and 100
// lines, against a floor: pdf-lib writing one page of text with the same font (embedded the same
// way, as a subset through the same fontkit cache). Times are per document over many iterations
// after a warm-up; CPU time is given too, as the wall clock on a shared machine counts waiting.
//   node bench/pdf.mjs [ITERATIONS]     (also called by bench/run.mjs)
// The worker's .ts modules import each other without extensions, so they are bundled with esbuild
// into a temporary module first (as scripts/render-sample-pdf.mjs does).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");

async function load() {
  const tmp = mkdtempSync(path.join(tmpdir(), "factumo-pdf-bench-"));
  const bundle = path.join(tmp, "bundle.mjs");
  await build({
    stdin: {
      contents: `export { renderDocumentPdf } from "./src/worker/pdf/document-pdf.ts";
export { embedFonts } from "./src/worker/pdf/fonts.ts";
export { toCii } from "./src/worker/domain/einvoice/cii.ts";
export { sampleSnapshot } from "./test/fixtures/documents.ts";
export { PDFDocument } from "pdf-lib";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: bundle,
    logLevel: "warning",
  });
  try {
    return await import(`${bundle}?${Date.now()}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `n` invoice lines at 20 %, 10 % and 5.5 %, long and short descriptions. */
function lines(n) {
  const descriptions = ["Développement front-end", "Atelier de cadrage avec l’équipe « marketing » — demi-journée", "Hébergement annuel", "Licence de police de caractères"];
  return Array.from({ length: n }, (_, i) => ({
    position: i + 1,
    description: descriptions[i % descriptions.length],
    quantity: ["1", "3.5", "12", "2"][i % 4],
    unitCode: ["LS", "DAY", "HUR", "C62"][i % 4],
    unitPriceCents: [180000, 55000, 6500, 9900][i % 4] + i,
    discount: null,
    vat: { category: "S", rateBasisPoints: [2000, 1000, 2000, 550][i % 4] },
    kind: i % 4 === 3 ? "goods" : "service",
  }));
}

async function time(iterations, fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < iterations; i++) bytes = (await fn()).length;
  const cpu = process.cpuUsage(cpu0);
  return { msPerDoc: (performance.now() - t0) / iterations, cpuMsPerDoc: (cpu.user + cpu.system) / 1000 / iterations, bytes };
}

/** Times the floor and the three invoice sizes; returns rows with the ratio to the floor. */
export async function pdfCost(iterations = 50) {
  const { renderDocumentPdf, embedFonts, toCii, sampleSnapshot, PDFDocument } = await load();
  const fonts = {
    regular: new Uint8Array(readFileSync(path.join(root, "src/worker/pdf/fonts/DejaVuSans-Latin.ttf"))),
    bold: new Uint8Array(readFileSync(path.join(root, "src/worker/pdf/fonts/DejaVuSans-Bold-Latin.ttf"))),
  };
  const floor = async () => {
    const doc = await PDFDocument.create();
    const { regular } = await embedFonts(doc, fonts);
    const page = doc.addPage([595.28, 841.89]);
    for (let y = 780, i = 0; i < 30; i++, y -= 16) page.drawText(`Ligne ${i + 1} — Développement, 1 234,56 €`, { x: 50, y, size: 10, font: regular });
    return doc.save();
  };
  const issue = (snap) => async () => renderDocumentPdf(snap, { fonts, logo: null, xml: new TextEncoder().encode(toCii(snap)) });
  const snaps = Object.fromEntries([1, 10, 100].map((n) => [n, sampleSnapshot({ lines: lines(n) })]));
  // Warm-up: font parsing (cached afterwards, as in an isolate) and JIT of the hot paths.
  for (let i = 0; i < 10; i++) {
    await floor();
    await issue(snaps[10])();
  }
  const rows = [{ name: "floor: pdf-lib, 1 page of text, same font", ...(await time(iterations, floor)) }];
  for (const n of [1, 10, 100]) rows.push({ name: `Factur-X invoice, ${n} line${n > 1 ? "s" : ""} (XML + PDF + embed)`, ...(await time(n === 100 ? Math.max(5, Math.floor(iterations / 4)) : iterations, issue(snaps[n]))) });
  const base = rows[0].cpuMsPerDoc;
  return rows.map((r) => ({ ...r, xFloor: r.cpuMsPerDoc / base }));
}

export function printPdfCost(rows, iterations) {
  console.log(`\nPDF cost in Node (${iterations} iterations, 100-line case ${Math.max(5, Math.floor(iterations / 4))}):`);
  console.log(`${"document".padEnd(48)} ${"ms wall".padStart(8)} ${"ms CPU".padStart(8)} ${"× floor".padStart(8)} ${"KiB".padStart(6)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(48)} ${r.msPerDoc.toFixed(1).padStart(8)} ${r.cpuMsPerDoc.toFixed(1).padStart(8)} ${r.xFloor.toFixed(1).padStart(8)} ${(r.bytes / 1024).toFixed(0).padStart(6)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const iterations = Number(process.argv[2] ?? 50);
  printPdfCost(await pdfCost(iterations), iterations);
}
