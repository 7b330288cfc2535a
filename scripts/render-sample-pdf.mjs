// Renders sample invoices, a quote and a credit note through src/worker/pdf/document-pdf.ts, to
// look at the layout and time it:
//   node scripts/render-sample-pdf.mjs [OUT_DIR]            writes OUT_DIR/*.pdf (default /tmp/factumo-pdf):
//       the scenarios of test/fixtures/documents.ts (Factur-X, XML from toCii), a 60-line invoice,
//       a quote and a document full of characters outside the font
//   node ../shared/einvoice/validate.mjs OUT_DIR/b2bVat.pdf   checks one of them
//   node scripts/render-sample-pdf.mjs --bench [N]          ms per document, N iterations (default 50)
//   pdftoppm -png -r 60 OUT_DIR/invoice-60.pdf OUT_DIR/invoice-60    (poppler-utils) to view pages
// The .ts sources import each other without extensions, which Node's type stripping refuses, so
// they are bundled, dependencies included, with esbuild (from node_modules) into a temporary module.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const bench = args[0] === "--bench";
const iterations = bench ? Number(args[1] ?? 50) : 0;
const outDir = bench ? null : (args[0] ?? "/tmp/factumo-pdf");

const tmp = mkdtempSync(path.join(tmpdir(), "factumo-pdf-"));
const bundle = path.join(tmp, "bundle.mjs");
await build({
  stdin: {
    contents: `export { renderDocumentPdf } from "./src/worker/pdf/document-pdf.ts";
export { toCii } from "./src/worker/domain/einvoice/cii.ts";
export { SCENARIOS, sampleSnapshot } from "./test/fixtures/documents.ts";`,
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "node",
  outfile: bundle,
  logLevel: "warning",
});
const { renderDocumentPdf, toCii, SCENARIOS, sampleSnapshot } = await import(`${bundle}?${Date.now()}`).finally(() =>
  rmSync(tmp, { recursive: true, force: true }),
);

const fonts = {
  regular: new Uint8Array(readFileSync(path.join(root, "src/worker/pdf/fonts/DejaVuSans-Latin.ttf"))),
  bold: new Uint8Array(readFileSync(path.join(root, "src/worker/pdf/fonts/DejaVuSans-Bold-Latin.ttf"))),
};

// ---- sample data: the shared fixtures (test/fixtures/documents.ts) plus stress cases -------

const DESCRIPTIONS = [
  "Conception de l’identité visuelle : logo, palette de couleurs, typographies et déclinaisons pour les supports imprimés et numériques",
  "Développement front-end",
  "Intégration des maquettes (pages d’accueil, catalogue, fiche produit, panier) — responsive, accessibilité RGAA niveau AA",
  "Hébergement annuel",
  "Atelier de cadrage avec l’équipe « marketing »",
  "Licence de police de caractères",
  "Retouche photo (lot de 20 visuels)",
];

/** `n` varied lines: long and short descriptions, decimals, a discount, two VAT rates. */
function lines(n) {
  return Array.from({ length: n }, (_, i) => ({
    position: i + 1,
    description: DESCRIPTIONS[i % 7],
    quantity: ["1", "3.5", "12", "1", "0.5", "2", "20"][i % 7],
    unitCode: ["LS", "DAY", "HUR", "ANN", "DAY", "C62", "C62"][i % 7],
    unitPriceCents: [180000, 55000, 6500, 24000, 55000, 9900, 1250][i % 7] + i,
    discount: i % 7 === 2 ? { kind: "percent", basisPoints: 1000 } : null,
    vat: { category: "S", rateBasisPoints: i % 7 === 5 ? 550 : 2000 },
    kind: i % 7 === 5 ? "goods" : "service",
  }));
}

const samples = {
  ...Object.fromEntries(Object.entries(SCENARIOS).map(([name, build]) => [name, build()])),
  "invoice-60": sampleSnapshot({ lines: lines(60) }),
  quote: sampleSnapshot({ type: "quote", number: "D-2026-0013", deliveryDate: null, purchaseOrderReference: null }),
  unsupported: sampleSnapshot({
    buyer: { name: "株式会社 Ǆemal Ivanović ﬁlms ☃" },
    lines: lines(2),
    note: "Ligne 1\tavec tabulation, 3ᵉ étage, emoji 🎉 et « guillemets » — tout s’imprime.",
  }),
};

/** A small PNG "logo": a navy badge with an orange band, enough to check placement and scaling. */
function samplePng(width = 360, height = 120) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      const inBadge = x < height;
      const band = !inBadge && y > height * 0.42 && y < height * 0.58 && x < width * 0.9;
      const [r, g, b] = inBadge ? (Math.hypot(x - height / 2, y - height / 2) < height * 0.28 ? [242, 140, 40] : [28, 56, 92]) : band ? [28, 56, 92] : [255, 255, 255];
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b;
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2;
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
  ]));
}

const ciiOf = (snap) => new TextEncoder().encode(toCii(snap));
const logo = { bytes: samplePng(), type: "image/png" };
const payUrl = "https://factumo.fr/p/2d3a9c1f7b6e4a8d9e0f1a2b3c4d5e6f";

if (bench) {
  // Warm-up: font parsing (cached per isolate afterwards) and JIT compilation of the hot paths.
  const warm = sampleSnapshot({ lines: lines(10) });
  for (let i = 0; i < 20; i++) await renderDocumentPdf(warm, { fonts, logo, payUrl, xml: ciiOf(warm) });
  for (const n of [1, 10, 100]) {
    const snap = sampleSnapshot({ lines: lines(n) });
    const xml = ciiOf(snap);
    // bare: no logo, no QR code; plain: both, no XML; factur-x: both and the XML.
    for (const variant of ["bare", "plain", "factur-x"]) {
      const bare = variant === "bare";
      const opts = { fonts, logo: bare ? null : logo, payUrl: bare ? null : payUrl, xml: variant === "factur-x" ? xml : null };
      const start = performance.now();
      // CPU time as well as wall time: on a shared machine the wall clock also counts waiting.
      const cpuStart = process.cpuUsage();
      let bytes = 0;
      for (let i = 0; i < iterations; i++) bytes = (await renderDocumentPdf(snap, opts)).length;
      const cpu = process.cpuUsage(cpuStart);
      const ms = (performance.now() - start) / iterations;
      const cpuMs = (cpu.user + cpu.system) / 1000 / iterations;
      console.log(
        `${String(n).padStart(3)} lines ${variant.padEnd(8)} ${ms.toFixed(1).padStart(6)} ms/doc wall ${cpuMs.toFixed(1).padStart(6)} ms CPU  ${(bytes / 1024).toFixed(0)} KiB`,
      );
    }
  }
} else {
  mkdirSync(outDir, { recursive: true });
  for (const [name, snap] of Object.entries(samples)) {
    const isInvoice = snap.type !== "quote";
    const bytes = await renderDocumentPdf(snap, {
      fonts,
      logo: name === "b2bFranchise" || name === "b2c" ? null : logo,
      payUrl: snap.type === "invoice" || snap.type === "deposit_invoice" ? payUrl : null,
      xml: isInvoice ? ciiOf(snap) : null,
    });
    const file = path.join(outDir, `${name}.pdf`);
    writeFileSync(file, bytes);
    console.log(`${file}: ${bytes.length} bytes${isInvoice ? ", Factur-X" : ""}`);
  }
}
