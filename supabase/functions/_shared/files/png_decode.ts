// A PNG decoder that shrinks while it decodes: the runtime's streaming inflate, then each row is
// unfiltered, turned into RGBA in a one-row buffer and added into k×k box sums, flattened onto
// white. Memory is two rows plus the output; no full-size copy of anything is made. Interlaced (Adam7) PNGs are not decoded here: the header check
// sends those back to the client when they need shrinking.
import { concatBytes } from "../bytes.ts";
import type { Rgba } from "./codecs.ts";
import { breathe } from "./heavy_work.ts";
import { inflateChunks } from "./inflate.ts";
import { unlimitedMeter, WORK_PRICE, type WorkMeter } from "./work_meter.ts";

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
  if (!(colorType in CHANNELS) || ![1, 2, 4, 8, 16].includes(bitDepth)) {
    return null;
  }
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
  return info.height *
    (1 +
      Math.ceil((info.width * CHANNELS[info.colorType] * info.bitDepth) / 8));
}

/**
 * Decodes a non-interlaced PNG shrunk by a whole factor `k`, alpha flattened onto white. The image
 * data is inflated as a stream and each row is unfiltered, converted and added into the box sums
 * as soon as it is whole: memory is two rows and the output, whatever the image's size (holding
 * the inflated rows cost a 7071×7071 PNG 50 MB, plus zlib's copy). Each row's work is charged to
 * `meter` before it is done (its filter's price a byte, then a price a pixel), so a PNG whose rows
 * are all Paeth is stopped at the request's budget rather than by the worker's limit.
 */
export async function decodePngDownscaled(
  b: Uint8Array,
  k: number,
  meter: WorkMeter = unlimitedMeter(),
): Promise<Rgba> {
  const info = readPngInfo(b);
  if (!info || info.interlaced) {
    throw new Error("png: not a non-interlaced PNG");
  }
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

  const channels = CHANNELS[colorType];
  const bytesPerPixel = Math.max(1, (channels * bitDepth) >> 3);
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const w = Math.max(1, Math.floor(width / k));
  const h = Math.max(1, Math.floor(height / k));
  const rowsNeeded = h * k;
  // Inflating the rows that are read, and converting each of their pixels, before any of it.
  meter.charge(
    rowsNeeded * (stride + 1) * WORK_PRICE.pngInflateByte +
      rowsNeeded * width * WORK_PRICE.pngPixel,
    "png pixels",
  );
  const row = new Uint8Array(width * 4);
  const out = new Uint8Array(w * h * 4);
  const sums = new Float64Array(w * 3);
  const max = (1 << bitDepth) - 1;
  const transparentGray = transparency && colorType === 0
    ? new DataView(transparency.buffer, transparency.byteOffset).getUint16(0)
    : -1;
  // Two rows: the one being filled and the one above it (filters read it).
  let current = new Uint8Array(stride + 1);
  let above = new Uint8Array(stride + 1);
  let filled = 0;
  let y = 0;

  const finishRow = () => {
    const filter = current[0];
    meter.charge(stride * (WORK_PRICE.pngRowByte[filter] ?? 0), "png rows");
    unfilter(current, 0, stride, y === 0 ? -1 : 0, bytesPerPixel, above);
    const line = current.subarray(1);
    for (let x = 0; x < width; x++) {
      let r: number, g: number, bl: number, a = 255;
      if (bitDepth < 8) {
        const bit = x * bitDepth;
        const v = (line[bit >> 3] >> (8 - bitDepth - (bit & 7))) & max;
        if (colorType === 3) {
          [r, g, bl] = [
            palette![v * 3],
            palette![v * 3 + 1],
            palette![v * 3 + 2],
          ];
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
          [r, g, bl] = [
            palette![v * 3],
            palette![v * 3 + 1],
            palette![v * 3 + 2],
          ];
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
    [current, above] = [above, current];
    filled = 0;
    y++;
  };

  for await (const chunk of inflateChunks(concatBytes(idat), "deflate")) {
    let at = 0;
    while (at < chunk.length && y < rowsNeeded) {
      const n = Math.min(stride + 1 - filled, chunk.length - at);
      current.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === stride + 1) {
        finishRow();
        await breathe();
      }
    }
    if (y >= rowsNeeded) break; // the rows past the last whole box are not read
  }
  if (y < rowsNeeded) throw new Error("png: image data is short");
  return { data: out, width: w, height: h };
}

/** Undoes a row's filter in place; `previous` is where the row above's pixels start in `prior`
 * (`raw` itself when not given), or -1 for the first row. */
function unfilter(
  raw: Uint8Array,
  start: number,
  stride: number,
  previous: number,
  bpp: number,
  prior: Uint8Array = raw,
) {
  const filter = raw[start];
  const at = start + 1;
  const up = (i: number) => (previous < 0 ? 0 : prior[previous + 1 + i]);
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < stride; i++) {
        raw[at + i] = (raw[at + i] + raw[at + i - bpp]) & 0xff;
      }
      return;
    case 2:
      if (previous < 0) return;
      for (let i = 0; i < stride; i++) {
        raw[at + i] = (raw[at + i] + up(i)) & 0xff;
      }
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
