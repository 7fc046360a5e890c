// A PNG decoder that shrinks while it decodes: native inflate (node:zlib), then each row is
// unfiltered, turned into RGBA in a one-row buffer and added into k×k box sums, flattened onto
// white. Memory is the inflated rows (declared size, checked by the caller before) plus the output;
// no full-size RGBA copy is made. Interlaced (Adam7) PNGs are not decoded here: the header check
// sends those back to the client when they need shrinking.
import { concatBytes } from "../bytes.ts";
import { inflateSync } from "node:zlib";
import type { Rgba } from "./codecs.ts";

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** IHDR fields, or null when the header is not a valid PNG's. */
export function readPngInfo(b: Uint8Array): PngInfo | null {
  if (b.length < 33) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const [bitDepth, colorType, , , interlace] = b.subarray(24, 29);
  if (!(colorType in CHANNELS) || ![1, 2, 4, 8, 16].includes(bitDepth)) return null;
  return {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth,
    colorType,
    interlaced: interlace === 1,
  };
}

/** Bytes the inflated image data takes: one filter byte plus the packed samples, per row. */
export function pngRawBytes(info: PngInfo): number {
  return info.height * (1 + Math.ceil((info.width * CHANNELS[info.colorType] * info.bitDepth) / 8));
}

/** Decodes a non-interlaced PNG shrunk by a whole factor `k`, alpha flattened onto white. */
export function decodePngDownscaled(b: Uint8Array, k: number): Rgba {
  const info = readPngInfo(b);
  if (!info || info.interlaced) throw new Error("png: not a non-interlaced PNG");
  const { width, height, bitDepth, colorType } = info;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  for (let at = 8; at + 12 <= b.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...b.subarray(at + 4, at + 8));
    const data = b.subarray(at + 8, at + 8 + length);
    if (type === "IDAT") idat.push(data);
    else if (type === "PLTE") palette = data;
    else if (type === "tRNS") transparency = data;
    else if (type === "IEND") break;
    at += 12 + length;
  }
  if (colorType === 3 && !palette) throw new Error("png: palette missing");
  const expected = pngRawBytes(info);
  // The second cap: inflate stops at the declared size, whatever the stream would expand to.
  const raw = new Uint8Array(
    inflateSync(concatBytes(idat), { maxOutputLength: expected + 1 }) as Uint8Array,
  );
  if (raw.length < expected) throw new Error("png: image data is short");

  const channels = CHANNELS[colorType];
  const bytesPerPixel = Math.max(1, (channels * bitDepth) >> 3);
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const row = new Uint8Array(width * 4);
  const w = Math.max(1, Math.floor(width / k));
  const h = Math.max(1, Math.floor(height / k));
  const out = new Uint8Array(w * h * 4);
  const sums = new Float64Array(w * 3);
  const max = (1 << bitDepth) - 1;
  const transparentGray = transparency && colorType === 0
    ? new DataView(transparency.buffer, transparency.byteOffset).getUint16(0)
    : -1;
  let previous = -1;
  for (let y = 0; y < h * k; y++) {
    const start = y * (stride + 1);
    unfilter(raw, start, stride, previous, bytesPerPixel);
    previous = start + 1;
    const line = raw.subarray(start + 1, start + 1 + stride);
    for (let x = 0; x < width; x++) {
      let r: number, g: number, bl: number, a = 255;
      if (bitDepth < 8) {
        const bit = x * bitDepth;
        const v = (line[bit >> 3] >> (8 - bitDepth - (bit & 7))) & max;
        if (colorType === 3) {
          [r, g, bl] = [palette![v * 3], palette![v * 3 + 1], palette![v * 3 + 2]];
          a = transparency && v < transparency.length ? transparency[v] : 255;
        } else {
          r = g = bl = Math.round((v * 255) / max);
          if (v === transparentGray) a = 0;
        }
      } else {
        const step = bitDepth >> 3; // 16-bit samples: the high byte is enough for a vision model
        const p = x * channels * step;
        const s = (c: number) => line[p + c * step];
        if (colorType === 3) {
          const v = line[x];
          [r, g, bl] = [palette![v * 3], palette![v * 3 + 1], palette![v * 3 + 2]];
          a = transparency && v < transparency.length ? transparency[v] : 255;
        } else if (colorType === 0 || colorType === 4) {
          r = g = bl = s(0);
          if (colorType === 4) a = s(1);
        } else {
          [r, g, bl] = [s(0), s(1), s(2)];
          if (colorType === 6) a = s(3);
        }
      }
      const o = x * 4;
      // Onto white, so a transparent screenshot does not turn black in the JPEG.
      row[o] = (r * a + 255 * (255 - a)) / 255;
      row[o + 1] = (g * a + 255 * (255 - a)) / 255;
      row[o + 2] = (bl * a + 255 * (255 - a)) / 255;
    }
    for (let x = 0; x < w; x++) {
      for (let dx = 0; dx < k; dx++) {
        const i = (x * k + dx) * 4;
        sums[x * 3] += row[i];
        sums[x * 3 + 1] += row[i + 1];
        sums[x * 3 + 2] += row[i + 2];
      }
    }
    if (y % k === k - 1) {
      const o = Math.floor(y / k) * w * 4;
      for (let x = 0; x < w; x++) {
        out[o + x * 4] = Math.round(sums[x * 3] / (k * k));
        out[o + x * 4 + 1] = Math.round(sums[x * 3 + 1] / (k * k));
        out[o + x * 4 + 2] = Math.round(sums[x * 3 + 2] / (k * k));
        out[o + x * 4 + 3] = 255;
      }
      sums.fill(0);
    }
  }
  return { data: out, width: w, height: h };
}

/** Undoes a row's filter in place; `previous` is where the row above's pixels start, or -1. */
function unfilter(raw: Uint8Array, start: number, stride: number, previous: number, bpp: number) {
  const filter = raw[start];
  const at = start + 1;
  const up = (i: number) => (previous < 0 ? 0 : raw[previous + i]);
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < stride; i++) raw[at + i] = (raw[at + i] + raw[at + i - bpp]) & 0xff;
      return;
    case 2:
      if (previous < 0) return;
      for (let i = 0; i < stride; i++) raw[at + i] = (raw[at + i] + raw[previous + i]) & 0xff;
      return;
    case 3:
      for (let i = 0; i < stride; i++) {
        const left = i >= bpp ? raw[at + i - bpp] : 0;
        raw[at + i] = (raw[at + i] + ((left + up(i)) >> 1)) & 0xff;
      }
      return;
    case 4:
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? raw[at + i - bpp] : 0;
        const b = up(i);
        const c = i >= bpp ? up(i - bpp) : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        const predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        raw[at + i] = (raw[at + i] + predictor) & 0xff;
      }
      return;
    default:
      throw new Error(`png: unknown row filter ${filter}`);
  }
}
