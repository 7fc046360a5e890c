// The image codecs the server uses when an image must be made smaller, chosen by measurement
// (issue 12; table in the README): ImageMagick cost 31 MB of bundle, 0.38 s CPU and ~107 MB just to
// load. Here:
// - JPEG decode: libjpeg-turbo's TurboJPEG compiled to wasm (`@cwasm/jpeg-turbo`, 139 KB of wasm,
//   ~55 KB compressed). `tjDecompress2` scales by 1/8…7/8 inside the IDCT, so a 12 or 40 MP photo
//   is decoded straight to ≤ 4 MP and the full-size pixels never exist (a 12 MP RGBA is 48 MB).
// - JPEG encode: our own baseline 4:2:0 encoder (jpeg_encode.ts, no dependency). jpeg-js wrote its
//   output into a plain JS array (3 MP of noise: 0.69 s and 163 MB of heap, against 0.22 s and
//   ~8 MB here); jsquash's mozjpeg always runs trellis quantisation and measured 2–3× slower.
// - PNG decode: png_decode.ts over node:zlib (native inflate, nothing to bundle).
// The wasm is compiled and instantiated once per worker and its heap reused (wasm memory never
// shrinks; one reused heap is bounded by the envelope's largest decode).

import { encodeBaselineJpeg } from "./jpeg_encode.ts";

/** Decoded pixels, 4 bytes (RGBA) a pixel, rows packed. */
export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

/** TurboJPEG's scaling factors at or below 1, largest first (libjpeg-turbo `turbojpeg.c`). */
const JPEG_SCALES: readonly (readonly [number, number])[] = [
  [1, 1],
  [7, 8],
  [3, 4],
  [5, 8],
  [1, 2],
  [3, 8],
  [1, 4],
  [1, 8],
];

/**
 * The size libjpeg decodes a `width × height` JPEG to when asked for at most `maxPixels`: the
 * largest eighth-scale that fits (1/8 when none does). TJSCALED rounds up.
 */
export function jpegScaledSize(
  width: number,
  height: number,
  maxPixels: number,
) {
  for (const [num, denom] of JPEG_SCALES) {
    const w = Math.ceil((width * num) / denom);
    const h = Math.ceil((height * num) / denom);
    if (w * h <= maxPixels) return { width: w, height: h };
  }
  return { width: Math.ceil(width / 8), height: Math.ceil(height / 8) };
}

let turboModule: Promise<WebAssembly.Module> | undefined;

/** Never called: a literal import puts the package in the module graph (and so in the bundle), and
 * makes `import.meta.resolve` answer a `file:` URL for it on Deno 2.1 (denoland/deno#24174). */
export const includeJpegTurboPackage = () => import("@cwasm/jpeg-turbo");

/** The compiled TurboJPEG wasm, once per worker. Its file sits beside the package's JS entry. */
export function loadJpegTurbo(): Promise<WebAssembly.Module> {
  turboModule ??= (async () => {
    const entry = new URL(import.meta.resolve("@cwasm/jpeg-turbo"));
    const url = new URL("jpeg-turbo.wasm", entry);
    let bytes: Uint8Array;
    if (url.protocol === "file:") bytes = await Deno.readFile(url);
    else if (url.protocol === "https:" || url.protocol === "http:") {
      const response = await fetch(url);
      if (!response.ok) {
        throw new Error(`jpeg-turbo.wasm: HTTP ${response.status}`);
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } else throw new Error(`jpeg-turbo.wasm: cannot read ${url.protocol} URLs`);
    return await WebAssembly.compile(bytes as BufferSource);
  })().catch((error) => {
    turboModule = undefined;
    throw error;
  });
  return turboModule;
}

interface TurboExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDecompressHeader3(
    handle: number,
    jpeg: number,
    size: number,
    width: number,
    height: number,
    subsampling: number,
    colorspace: number,
  ): number;
  tjDecompress2(
    handle: number,
    jpeg: number,
    size: number,
    out: number,
    width: number,
    pitch: number,
    height: number,
    pixelFormat: number,
    flags: number,
  ): number;
  tjDestroy(handle: number): number;
}

const TJPF_RGBA = 7;

/**
 * Decodes a JPEG at the largest eighth-scale of at most `maxPixels` (DCT scaling). Throws on a
 * damaged file. `expect` is the size the header check read: a file whose frame disagrees is refused
 * before any pixel buffer is allocated.
 */
export async function decodeJpegScaled(
  bytes: Uint8Array,
  maxPixels: number,
  expect: { width: number; height: number },
): Promise<Rgba> {
  const tj = await jpegTurboInstance();
  let input = 0, handle = 0, meta = 0, out = 0;
  try {
    input = tj.malloc(bytes.length);
    handle = tj.tjInitDecompress();
    meta = tj.malloc(16);
    if (handle === 0 || input === 0 || meta === 0) throw decoderError();
    new Uint8Array(tj.memory.buffer, input, bytes.length).set(bytes);
    if (
      tj.tjDecompressHeader3(
        handle,
        input,
        bytes.length,
        meta,
        meta + 4,
        meta + 8,
        meta + 12,
      )
    ) {
      throw decoderError();
    }
    const [width, height] = new Int32Array(tj.memory.buffer, meta, 2);
    if (width !== expect.width || height !== expect.height) {
      throw decoderError();
    }
    const size = jpegScaledSize(width, height, maxPixels);
    out = tj.malloc(size.width * size.height * 4);
    if (out === 0) throw decoderError();
    const status = tj.tjDecompress2(
      handle,
      input,
      bytes.length,
      out,
      size.width,
      0,
      size.height,
      TJPF_RGBA,
      0,
    );
    if (status !== 0) throw decoderError();
    const data = new Uint8Array(
      tj.memory.buffer,
      out,
      size.width * size.height * 4,
    ).slice();
    for (const pointer of [input, meta, out]) tj.free(pointer);
    tj.tjDestroy(handle);
    return { data, width: size.width, height: size.height };
  } catch (error) {
    // libjpeg's error exit unwinds through a JS throw (this build has no setjmp), which can leave
    // the heap half-updated: drop the instance, the next image gets a fresh one.
    turboInstance = undefined;
    throw error;
  }
}

const decoderError = () => new Error("jpeg: the decoder stopped on an error");

let turboInstance: TurboExports | undefined;

/**
 * One TurboJPEG instance per worker, reused: wasm memory never shrinks, so a reused instance keeps
 * at most the largest decode's heap (~25 MB for a 40 MP sequential JPEG, ~50 MB for a 12 MP
 * progressive one) instead of leaving one heap per request for the GC to find.
 */
async function jpegTurboInstance(): Promise<TurboExports> {
  if (turboInstance) return turboInstance;
  const module = await loadJpegTurbo();
  const fail = (): never => {
    throw decoderError();
  };
  const instance = new WebAssembly.Instance(module, {
    env: { setjmp: () => 0, longjmp: fail },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: fail,
      proc_exit: fail,
      fd_close: fail,
      fd_seek: fail,
      fd_write: () => 0, // libjpeg warnings (e.g. a truncated scan) go to stderr: ignore them
    },
  });
  turboInstance = instance.exports as unknown as TurboExports;
  return turboInstance;
}

/**
 * Baseline JPEG (4:2:0) of RGBA pixels (alpha ignored: flatten first) at `quality` 1–100, with our
 * own encoder (jpeg_encode.ts): jpeg-js built its output in a JS array and took a 3 MP noise image's
 * re-encodes to 150–250 MB of heap; this one writes into one growing byte buffer.
 */
export function encodeJpeg(image: Rgba, quality: number): Promise<Uint8Array> {
  // Synchronous work; kept a promise (callers await it) that rejects on a bad size.
  return new Promise((resolve) => resolve(encodeBaselineJpeg(image, quality)));
}

/**
 * Shrinks by a whole factor `k` (each output pixel the mean of a k×k block) and flattens alpha onto
 * white, in one pass over the input. `k = 1` only flattens. The cheapest resize there is: text stays
 * sharp enough after a 2–4× box, and no second full-size buffer is made.
 */
export function boxDownscale(image: Rgba, k: number): Rgba {
  const { data, width, height } = image;
  const w = Math.max(1, Math.floor(width / k));
  const h = Math.max(1, Math.floor(height / k));
  const out = new Uint8Array(w * h * 4);
  const sums = new Uint32Array(w * 4);
  const area = Math.min(k, width) * Math.min(k, height);
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let dy = 0; dy < k && y * k + dy < height; dy++) {
      let i = (y * k + dy) * width * 4;
      for (let x = 0; x < w; x++) {
        const s = x * 4;
        for (let dx = 0; dx < k && x * k + dx < width; dx++, i += 4) {
          const a = data[i + 3];
          // Onto white: c·a + 255·(255 − a), in units of 1/255.
          sums[s] += data[i] * a + 255 * (255 - a);
          sums[s + 1] += data[i + 1] * a + 255 * (255 - a);
          sums[s + 2] += data[i + 2] * a + 255 * (255 - a);
        }
      }
    }
    const o = y * w * 4;
    const divisor = area * 255;
    for (let x = 0; x < w * 4; x += 4) {
      out[o + x] = Math.round(sums[x] / divisor);
      out[o + x + 1] = Math.round(sums[x + 1] / divisor);
      out[o + x + 2] = Math.round(sums[x + 2] / divisor);
      out[o + x + 3] = 255;
    }
  }
  return { data: out, width: w, height: h };
}

/** The EXIF Orientation (1–8) of a JPEG's APP1 segment; 1 when absent or unreadable. */
export function jpegOrientation(b: Uint8Array): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1];
    if (marker === 0xda || marker === 0xd9) break; // image data starts: no EXIF before it
    const length = view.getUint16(at + 2);
    if (
      marker === 0xe1 && length >= 16 && at + 2 + length <= b.length &&
      view.getUint32(at + 4) === 0x45786966 // "Exif"
    ) {
      const tiff = at + 10;
      const little = view.getUint16(tiff) === 0x4949;
      const ifd = tiff + view.getUint32(tiff + 4, little);
      if (ifd + 2 > at + 2 + length) return 1;
      const count = view.getUint16(ifd, little);
      for (let e = 0; e < count; e++) {
        const entry = ifd + 2 + e * 12;
        if (entry + 12 > at + 2 + length) break;
        if (view.getUint16(entry, little) === 0x0112) {
          const value = view.getUint16(entry + 8, little);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    at += 2 + length;
  }
  return 1;
}

/** Turns decoded pixels upright for an EXIF orientation (2–8 mirror and/or rotate). */
export function applyOrientation(image: Rgba, orientation: number): Rgba {
  if (orientation <= 1 || orientation > 8) return image;
  const { data, width, height } = image;
  const swap = orientation >= 5;
  const w = swap ? height : width;
  const h = swap ? width : height;
  const src = new Uint32Array(data.buffer, data.byteOffset, width * height);
  const out = new Uint32Array(w * h);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let nx: number, ny: number;
      switch (orientation) {
        case 2:
          [nx, ny] = [width - 1 - x, y];
          break;
        case 3:
          [nx, ny] = [width - 1 - x, height - 1 - y];
          break;
        case 4:
          [nx, ny] = [x, height - 1 - y];
          break;
        case 5:
          [nx, ny] = [y, x];
          break;
        case 6:
          [nx, ny] = [height - 1 - y, x];
          break;
        case 7:
          [nx, ny] = [height - 1 - y, width - 1 - x];
          break;
        default:
          [nx, ny] = [y, width - 1 - x]; // 8
      }
      out[ny * w + nx] = src[y * width + x];
    }
  }
  return { data: new Uint8Array(out.buffer), width: w, height: h };
}
