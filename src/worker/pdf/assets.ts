import bold from "./fonts/DejaVuSans-Bold-Latin.ttf";
import regular from "./fonts/DejaVuSans-Latin.ttf";

/** The Latin cut of DejaVu Sans bundled with the Worker (Data modules), as the renderer wants it. */
export function documentFonts(): { regular: Uint8Array; bold: Uint8Array } {
  return { regular: new Uint8Array(regular), bold: new Uint8Array(bold) };
}
