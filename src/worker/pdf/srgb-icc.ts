/**
 * A minimal sRGB ICC v2 display profile, built in code for the PDF/A OutputIntent.
 *
 * Generated here rather than copied from a registry package so that no third-party profile
 * (and its licence) ships with the Worker. It is a matrix/TRC profile: the sRGB primaries
 * adapted to the D50 PCS (Bradford, the values the common sRGB v2 profiles carry) and the
 * IEC 61966-2.1 transfer curve sampled at {@link SRGB_CURVE_POINTS} points. About 2.5 KB.
 */

/** Entries of the sampled sRGB transfer curve shared by rTRC, gTRC and bTRC. */
export const SRGB_CURVE_POINTS = 1024;

/** The D50 illuminant of the ICC profile connection space. */
export const D50 = { x: 0.9642, y: 1.0, z: 0.8249 } as const;

/** sRGB primaries as XYZ under D50 (each column of the RGB→XYZ matrix). */
export const SRGB_PRIMARIES_D50 = {
  red: { x: 0.436065, y: 0.222488, z: 0.013916 },
  green: { x: 0.385147, y: 0.716873, z: 0.097076 },
  blue: { x: 0.143066, y: 0.060608, z: 0.714096 },
} as const;

const DESCRIPTION = "sRGB IEC61966-2.1";
const COPYRIGHT = "No copyright, use freely";
// Fixed so that the same invoice always renders to the same bytes.
const PROFILE_DATE = [2026, 1, 1, 0, 0, 0] as const;

/** IEC 61966-2.1 decoding: encoded value in [0, 1] to linear light in [0, 1]. */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

type Xyz = { readonly x: number; readonly y: number; readonly z: number };

class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v);
  }
  /** s15Fixed16Number, the ICC fixed-point format. */
  s15f16(at: number, v: number): void {
    this.view.setInt32(at, Math.round(v * 65536));
  }
  ascii(at: number, s: string): void {
    for (let i = 0; i < s.length; i++) this.view.setUint8(at + i, s.charCodeAt(i) & 0x7f);
  }
}

type Tag = { signature: string; size: number; write: (w: Writer, at: number) => void };

function xyzTag(signature: string, v: Xyz): Tag {
  return {
    signature,
    size: 20,
    write: (w, at) => {
      w.ascii(at, "XYZ ");
      w.s15f16(at + 8, v.x);
      w.s15f16(at + 12, v.y);
      w.s15f16(at + 16, v.z);
    },
  };
}

// textDescriptionType (v2): ASCII part, then empty Unicode and ScriptCode parts.
function descTag(text: string): Tag {
  const asciiCount = text.length + 1;
  return {
    signature: "desc",
    size: 12 + asciiCount + 8 + 3 + 67,
    write: (w, at) => {
      w.ascii(at, "desc");
      w.u32(at + 8, asciiCount);
      w.ascii(at + 12, text);
      // Unicode language code, Unicode count, ScriptCode code, ScriptCode count and its
      // 67-byte buffer are all zero, which the zero-filled buffer already holds.
    },
  };
}

function textTag(signature: string, text: string): Tag {
  return {
    signature,
    size: 8 + text.length + 1,
    write: (w, at) => {
      w.ascii(at, "text");
      w.ascii(at + 8, text);
    },
  };
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Builds the profile bytes (a fresh copy each call; use {@link srgbIccProfile} to share one). */
export function buildSrgbIccProfile(): Uint8Array {
  const curveSize = 12 + 2 * SRGB_CURVE_POINTS;
  const curve: Tag = {
    signature: "rTRC",
    size: curveSize,
    write: (w, at) => {
      w.ascii(at, "curv");
      w.u32(at + 8, SRGB_CURVE_POINTS);
      for (let i = 0; i < SRGB_CURVE_POINTS; i++) {
        w.u16(at + 12 + 2 * i, Math.round(srgbToLinear(i / (SRGB_CURVE_POINTS - 1)) * 65535));
      }
    },
  };
  const tags: Tag[] = [
    descTag(DESCRIPTION),
    xyzTag("wtpt", D50),
    xyzTag("rXYZ", SRGB_PRIMARIES_D50.red),
    xyzTag("gXYZ", SRGB_PRIMARIES_D50.green),
    xyzTag("bXYZ", SRGB_PRIMARIES_D50.blue),
    curve,
    textTag("cprt", COPYRIGHT),
  ];
  // The three TRC tags point at the same data, which ICC allows and saves 4 KB.
  const sharedCurve = ["gTRC", "bTRC"];

  const tagCount = tags.length + sharedCurve.length;
  const tableEnd = 128 + 4 + 12 * tagCount;
  const offsets: number[] = [];
  let cursor = pad4(tableEnd);
  for (const tag of tags) {
    offsets.push(cursor);
    cursor = pad4(cursor + tag.size);
  }
  const w = new Writer(cursor);

  // Header (ICC.1:2001-04, version 2.1.0).
  w.u32(0, cursor);
  w.u32(8, 0x02100000);
  w.ascii(12, "mntr");
  w.ascii(16, "RGB ");
  w.ascii(20, "XYZ ");
  PROFILE_DATE.forEach((v, i) => w.u16(24 + 2 * i, v));
  w.ascii(36, "acsp");
  w.u32(64, 0); // perceptual rendering intent
  w.s15f16(68, D50.x);
  w.s15f16(72, D50.y);
  w.s15f16(76, D50.z);

  // Tag table.
  w.u32(128, tagCount);
  let entry = 132;
  const curveIndex = tags.indexOf(curve);
  const entries = [
    ...tags.map((t, i) => ({ signature: t.signature, offset: offsets[i] ?? 0, size: t.size })),
    ...sharedCurve.map((signature) => ({ signature, offset: offsets[curveIndex] ?? 0, size: curveSize })),
  ];
  for (const e of entries) {
    w.ascii(entry, e.signature);
    w.u32(entry + 4, e.offset);
    w.u32(entry + 8, e.size);
    entry += 12;
  }
  tags.forEach((t, i) => t.write(w, offsets[i] ?? 0));
  return w.bytes;
}

let cached: Uint8Array | undefined;

/** The profile, built once per isolate. Callers must not mutate it. */
export function srgbIccProfile(): Uint8Array {
  cached ??= buildSrgbIccProfile();
  return cached;
}
