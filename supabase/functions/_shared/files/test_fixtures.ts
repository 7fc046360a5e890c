// Shared by this folder's tests: the committed fixtures (tests/fixtures/files, see its README) and
// builders for inputs too big to commit. Not imported by library code.
import { crc32, deflateSync } from "node:zlib";

const FIXTURES = new URL("../../../../tests/fixtures/files/", import.meta.url);

export function fixture(name: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(name, FIXTURES));
}

export interface Manifest {
  "text-cyrillic.pdf": { pages: string[][] };
  "scanned.pdf": { pageImages: string[]; pages: string[][] };
  "mixed.pdf": {
    textPage: string[];
    pagesWithText: number[];
    pagesWithoutText: number[];
  };
  "essay.docx": { sentences: string[] };
  "printed-text.png": { text: string };
}

export async function manifest(): Promise<Manifest> {
  return JSON.parse(new TextDecoder().decode(await fixture("manifest.json")));
}

/** Deterministic pseudo-random bytes (xorshift32), so generated images are the same every run. */
export function noise(length: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * An RGB PNG of noise, built with zlib directly: noise does not compress, so the file is about
 * width × height × 3 bytes (2000 × 1500 → ~9 MB) without an image library.
 */
export function noisePng(width: number, height: number): Uint8Array {
  const rowLength = 1 + width * 3;
  const raw = noise(rowLength * height);
  for (let y = 0; y < height; y++) raw[y * rowLength] = 0; // filter type "None" on every row
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, no filter set, no interlace
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", new Uint8Array(deflateSync(raw, { level: 1 }))),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/**
 * An RGB PNG of a smooth gradient with a little grain, like a screenshot of a photo: it deflates
 * well, so a picture with tens of megabytes of pixel rows is a few megabytes of file.
 */
export function gradientPng(width: number, height: number): Uint8Array {
  const rowLength = 1 + width * 3;
  const raw = new Uint8Array(rowLength * height);
  const grain = noise(4096);
  for (let y = 0, i = 0; y < height; y++) {
    raw[i++] = 0; // filter type "None"
    for (let x = 0; x < width; x++) {
      const g = grain[(x * 7 + y * 13) & 4095] >> 7;
      raw[i++] = ((x >> 4) + g) & 0xff;
      raw[i++] = ((y >> 4) + g) & 0xff;
      raw[i++] = (((x + y) >> 5) + g) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", new Uint8Array(deflateSync(raw, { level: 6 }))),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeAndData = out.subarray(4, 8 + data.length);
  typeAndData.set(new TextEncoder().encode(type));
  typeAndData.set(data, 4);
  view.setUint32(8 + data.length, crc32(typeAndData));
  return out;
}

/** A ZIP of stored (uncompressed) entries, enough to tell DOCX from other Office files. */
export function storedZip(entries: Record<string, string>): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const nameBytes = enc.encode(name);
    const data = enc.encode(content);
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    local.set(data, 30 + nameBytes.length);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, ...centrals, end]);
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
