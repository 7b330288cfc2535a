/**
 * The archive format of a portability export (privacy policy §9.5), pure helpers with no I/O:
 * CSV and JSON encoding of table rows, and the reading of a zip's central directory so an import
 * can fetch one entry at a time from R2 by byte range instead of loading the whole archive.
 */

import { csvCell } from "../../domain/spreadsheet";

/** Version of the archive layout; an import refuses any other. */
export const ARCHIVE_FORMAT = "factumo-export";
export const ARCHIVE_VERSION = 1;

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

/**
 * One CSV field (RFC 4180, comma-separated): quoted when it holds a comma, quote, CR or LF; null is
 * empty; a text a spreadsheet would run as a formula is neutralized (domain/spreadsheet.ts). The
 * import reads the JSON tables, never the CSV ones, so this changes nothing a re-import sees.
 */
export function csvField(value: Cell): string {
  return csvCell(value, ",");
}

/** One CSV record, CRLF-terminated as RFC 4180 asks. */
export function csvLine(values: readonly Cell[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/**
 * A page of rows as a piece of one JSON array spread over several pages: the first page opens the
 * array, later pages continue it, {@link jsonClose} ends it. One row per line keeps it diffable.
 */
export function jsonPage(rows: readonly Row[], first: boolean): string {
  if (rows.length === 0) return first ? "[" : "";
  const body = rows.map((r) => JSON.stringify(r)).join(",\n");
  return first ? `[\n${body}` : `,\n${body}`;
}

/** Closes the JSON array opened by {@link jsonPage}. */
export function jsonClose(): string {
  return "\n]\n";
}

/** Parses a table JSON file written by the exporter back into rows, checking its shape. */
export function parseRows(text: string, columns: readonly string[]): Row[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) throw new ArchiveError("table_not_array");
  return data.map((item) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw new ArchiveError("row_not_object");
    const row: Row = {};
    for (const col of columns) {
      const v = (item as Record<string, unknown>)[col];
      if (v === undefined || v === null) row[col] = null;
      else if (typeof v === "string" || typeof v === "number") row[col] = v;
      else throw new ArchiveError("cell_type");
    }
    return row;
  });
}

/** Why an archive is refused; the code is stable and shown to the user translated. */
export class ArchiveError extends Error {
  constructor(
    readonly code: string,
    /** The table at fault, when the refusal is about one table's rows. */
    readonly table?: string,
  ) {
    super(table ? `${code}:${table}` : code);
    this.name = "ArchiveError";
  }
}

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** End-of-central-directory record (22 bytes) plus the longest comment a zip may carry. */
export const ZIP_TAIL_BYTES = 22 + 0xffff;

/**
 * Locates the central directory from the archive's last bytes (`tail`, at most
 * {@link ZIP_TAIL_BYTES}): returns its offset and size within the whole archive.
 */
export function findCentralDirectory(tail: Uint8Array): { offset: number; size: number; entries: number } {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) !== EOCD_SIGNATURE) continue;
    return { entries: view.getUint16(i + 10, true), size: view.getUint32(i + 12, true), offset: view.getUint32(i + 16, true) };
  }
  throw new ArchiveError("not_a_zip");
}

/** Parses the central directory bytes into entries. */
export function parseCentralDirectory(bytes: Uint8Array, count: number): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL_SIGNATURE) throw new ArchiveError("corrupt_directory");
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    entries.push({
      method: view.getUint16(p + 10, true),
      crc32: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localHeaderOffset: view.getUint32(p + 42, true),
      name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Length of a local file header (30 bytes + its own name and extra fields), read from its first 30 bytes. */
export function localHeaderLength(head: Uint8Array): number {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 30 || view.getUint32(0, true) !== LOCAL_SIGNATURE) throw new ArchiveError("corrupt_entry");
  return 30 + view.getUint16(26, true) + view.getUint16(28, true);
}

/** Largest uncompressed entry accepted: a zip bomb is refused before inflating. */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** Largest sum of the uncompressed sizes of an archive's entries (what an import writes). */
export const MAX_ARCHIVE_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024;
/**
 * Largest ratio of the entries' total uncompressed size to the archive's size. A real export is
 * mostly PDFs (already compressed, ~1:1) and JSON (~5–20:1); a deflate bomb reaches ~1000:1.
 */
export const MAX_COMPRESSION_RATIO = 100;
/** Entries up to this size are exempt from the per-entry ratio (a small JSON of repeated rows). */
const RATIO_FREE_ENTRY_BYTES = 1024 * 1024;

/**
 * Refuses, from the central directory alone and before any entry is inflated, an archive that
 * would expand beyond the stated limits: one entry over {@link MAX_ENTRY_BYTES} or over the ratio,
 * a total over {@link MAX_ARCHIVE_UNCOMPRESSED_BYTES}, or a whole-archive ratio over
 * {@link MAX_COMPRESSION_RATIO}. The sizes are the declared ones: the inflater holds every entry
 * to its declared size while it streams (import.ts), so they are also the real ones.
 */
export function checkArchiveSizes(entries: readonly ZipEntry[], archiveBytes: number): void {
  let total = 0;
  for (const e of entries) {
    if (e.size > MAX_ENTRY_BYTES) throw new ArchiveError("entry_too_large");
    // Deflate never grows data by more than a few bytes per 64 KB block: more compressed bytes
    // than that for the declared size is a directory that lies (and bytes we would read for nothing).
    if (e.compressedSize > e.size + Math.ceil(e.size / 1000) + 1024) throw new ArchiveError("entry_size_mismatch");
    if (e.size > RATIO_FREE_ENTRY_BYTES && e.size > Math.max(1, e.compressedSize) * MAX_COMPRESSION_RATIO) throw new ArchiveError("compression_ratio");
    total += e.size;
  }
  if (total > MAX_ARCHIVE_UNCOMPRESSED_BYTES) throw new ArchiveError("archive_too_large");
  if (total > RATIO_FREE_ENTRY_BYTES && total > Math.max(1, archiveBytes) * MAX_COMPRESSION_RATIO) throw new ArchiveError("compression_ratio");
}

/**
 * A safe archive path: relative, no `..`, no backslash, no control characters. Entry names come
 * from an uploaded file and become R2 keys on import.
 */
export function isSafeEntryName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 300 &&
    !name.startsWith("/") &&
    !name.includes("\\") &&
    !name.split("/").some((s) => s === ".." || s === "." || s === "") &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f]/.test(name)
  );
}
