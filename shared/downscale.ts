// Downscaling photos in the browser before upload. Hosted Supabase gives a function 2 s of CPU and
// 256 MB, and a full decode → resize → encode of a 12 MP photo does not fit either
// (/work/shared/facts/image-costs-2026-12.md, measured 2026-12-01); in the browser it costs the
// server nothing. Groq takes base64 images of at most 4 MB (a file of ~3 MB) and 33 MP (facts
// 2026-11-25): an image within the targets here is sent as it is, and where no canvas exists
// (Deno, Node, a worker without OffscreenCanvas) the input is returned and the server decides.
// Pure: no Deno or DOM lib types, so it type-checks under `deno check` and bundles for a browser.

import { DEFAULT_CANDIDATES } from "../supabase/functions/_shared/ai/config.ts";
import {
  type ImagePolicy,
  type ImageTask,
  targetPixels,
} from "../supabase/functions/_shared/ai/image_policy.ts";

/** What `downscaleImageForUpload` aims for; every field has a default. */
export interface DownscaleOptions {
  /**
   * Most pixels kept. 4 MP (2309 × 1732 for a 4:3 photo) is an A4 page at ~200 dpi when it fills
   * the frame, ~160 dpi as phone photos usually frame it: handwriting and 10 pt print read well,
   * and the vision model counts ~5,100 tokens for it against ~15,300 for the 12 MP original.
   */
  maxPixels?: number;
  /**
   * Longest edge kept. Larger than a 4 MP photo needs (2309 px): it only bounds extreme shapes,
   * so that a long scrolling phone screenshot (1170 × 10000) keeps 479 px of width, its text still
   * readable, where a 2048 px rule would leave 239 px.
   */
  maxLongEdge?: number;
  /**
   * Largest output file. Groq's 4 MB limit is on the base64 data URL, 4/3 of the file: 3 MB of
   * file, and 2.5 MB leaves room for the data URL prefix and a margin.
   */
  maxBytes?: number;
  /**
   * The image policy's token ceiling (`_shared/ai/image_policy.ts`, the same one the server
   * applies): at most as many pixels as the vision model that reads the image counts within the
   * task's ceiling (photo 1,600 tokens, scan 4,096 by default). `analyzeFile` sets it (the file
   * is a photo, page images are scans, for the default vision model).
   */
  tokens?: TokenTarget;
}

/** Which model reads the image, for which task, under which policy (default: the default one). */
export interface TokenTarget {
  readonly provider: string;
  readonly model: string;
  readonly task: ImageTask;
  readonly policy?: ImagePolicy;
}

/** The first model of the default vision route: what reads an upload unless the server is
 * configured otherwise (`AI_VISION_MODELS`). */
export const DEFAULT_VISION_MODEL = {
  provider: DEFAULT_CANDIDATES.vision[0].provider,
  model: DEFAULT_CANDIDATES.vision[0].model,
} as const;

/** Most pixels an image of `size` keeps under `target`'s token ceiling. */
export function tokenCeilingPixels(
  size: { width: number; height: number },
  target: TokenTarget,
): number {
  return targetPixels(target.provider, target.model, size, target.task, target.policy);
}

export const DOWNSCALE_DEFAULTS: Readonly<Required<Omit<DownscaleOptions, "tokens">>> = {
  maxPixels: 4_000_000,
  maxLongEdge: 4096,
  maxBytes: 2_500_000,
};

export type SniffedImage =
  | "image/png"
  | "image/jpeg"
  | "image/webp"
  | "image/gif";

/** The image type from the file's first bytes (never its name or declared type), or null. */
export function sniffImageType(head: Uint8Array): SniffedImage | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (at(0, 0xff, 0xd8, 0xff)) return "image/jpeg";
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) {
    return "image/webp";
  }
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (head[4] === 0x37 || head[4] === 0x39)) {
    return "image/gif";
  }
  return null;
}

export interface ImageHeaderInfo {
  type: SniffedImage;
  /** As stored, before EXIF orientation. */
  width: number;
  height: number;
  /** EXIF Orientation (1–8) of a JPEG; 1 when absent. 5–8 show the image turned a quarter. */
  orientation: number;
}

/**
 * Dimensions (and a JPEG's EXIF orientation) from the header bytes, or null when they are not a
 * readable PNG, JPEG, WebP or GIF header.
 */
export function readImageHeaderInfo(bytes: Uint8Array): ImageHeaderInfo | null {
  const type = sniffImageType(bytes);
  if (!type || bytes.length < 30) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = (
    width: number,
    height: number,
    orientation = 1,
  ): ImageHeaderInfo | null =>
    width > 0 && height > 0 ? { type, width, height, orientation } : null;
  switch (type) {
    case "image/png":
      return dims(view.getUint32(16), view.getUint32(20));
    case "image/gif":
      return dims(view.getUint16(6, true), view.getUint16(8, true));
    case "image/webp": {
      const chunk = String.fromCharCode(...bytes.subarray(12, 16));
      if (chunk === "VP8 ") {
        return dims(
          view.getUint16(26, true) & 0x3fff,
          view.getUint16(28, true) & 0x3fff,
        );
      }
      if (chunk === "VP8L") {
        const b = bytes.subarray(21, 25);
        return dims(
          1 + (b[0] | ((b[1] & 0x3f) << 8)),
          1 + ((b[1] >> 6) | (b[2] << 2) | ((b[3] & 0x0f) << 10)),
        );
      }
      if (chunk === "VP8X") {
        const u24 = (i: number) => bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16);
        return dims(1 + u24(24), 1 + u24(27));
      }
      return null;
    }
    case "image/jpeg":
      return readJpeg(bytes, view, dims);
  }
}

function readJpeg(
  bytes: Uint8Array,
  view: DataView,
  dims: (w: number, h: number, o?: number) => ImageHeaderInfo | null,
): ImageHeaderInfo | null {
  let orientation = 1;
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) { // fill byte
      i += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // no length
      i += 2;
      continue;
    }
    const length = view.getUint16(i + 2);
    // SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
    if (
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
      marker !== 0xcc
    ) {
      return dims(view.getUint16(i + 7), view.getUint16(i + 5), orientation);
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data before any frame header
    if (marker === 0xe1) {
      orientation = exifOrientation(bytes, i + 4, length - 2) ?? orientation;
    }
    i += 2 + length;
  }
  return null;
}

/** The Orientation tag (0x0112) of IFD0 in an APP1 segment's payload, if it is EXIF. */
function exifOrientation(
  bytes: Uint8Array,
  start: number,
  length: number,
): number | null {
  const end = Math.min(bytes.length, start + length);
  const exif = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
  if (end - start < 14 || !exif.every((b, k) => bytes[start + k] === b)) {
    return null;
  }
  const tiff = start + 6;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[tiff] === 0x49; // "II" little-endian, "MM" big-endian
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return null;
  const count = view.getUint16(ifd, little);
  for (let n = 0; n < count; n++) {
    const entry = ifd + 2 + n * 12;
    if (entry + 12 > end) return null;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : null;
    }
  }
  return null;
}

/**
 * The size to send, upright (EXIF orientation applied): scaled to fit `maxPixels` and
 * `maxLongEdge`, never up. `scaled` is false when the image already fits both.
 */
export function targetSize(
  header: Pick<ImageHeaderInfo, "width" | "height" | "orientation">,
  options: Pick<Required<DownscaleOptions>, "maxPixels" | "maxLongEdge">,
): { width: number; height: number; scaled: boolean } {
  const turned = header.orientation >= 5;
  const w = turned ? header.height : header.width;
  const h = turned ? header.width : header.height;
  const scale = Math.min(
    1,
    Math.sqrt(options.maxPixels / (w * h)),
    options.maxLongEdge / Math.max(w, h),
  );
  if (scale >= 1) return { width: w, height: h, scaled: false };
  return {
    width: Math.max(1, Math.floor(w * scale)),
    height: Math.max(1, Math.floor(h * scale)),
    scaled: true,
  };
}

// The canvas APIs, typed structurally: Deno's lib has none of them, and a DOM lib reference would
// clash with it under `deno check`.
interface Bitmap {
  readonly width: number;
  readonly height: number;
  close(): void;
}
interface Context2D {
  fillStyle: unknown;
  fillRect(x: number, y: number, w: number, h: number): void;
  drawImage(image: Bitmap, dx: number, dy: number, dw: number, dh: number): void;
}
interface CanvasLike {
  width: number;
  height: number;
  getContext(id: "2d"): Context2D | null;
}
interface Canvas {
  make(width: number, height: number): CanvasLike;
  toBlob(
    canvas: CanvasLike,
    type: string,
    quality: number,
  ): Promise<Blob | null>;
}
type CreateImageBitmap = (
  source: Blob,
  options: {
    resizeWidth: number;
    resizeHeight: number;
    resizeQuality: "high";
    imageOrientation: "from-image";
  },
) => Promise<Bitmap>;

/** OffscreenCanvas where it exists (also in workers), else a DOM <canvas>, else null. */
function findCanvas(): Canvas | null {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.OffscreenCanvas === "function") {
    const Offscreen = g.OffscreenCanvas as new (
      w: number,
      h: number,
    ) => CanvasLike & {
      convertToBlob(o: { type: string; quality: number }): Promise<Blob>;
    };
    return {
      make: (w, h) => new Offscreen(w, h),
      toBlob: (c, type, quality) =>
        (c as InstanceType<typeof Offscreen>).convertToBlob({ type, quality }),
    };
  }
  const doc = g.document as
    | { createElement?(tag: "canvas"): unknown }
    | undefined;
  if (typeof doc?.createElement === "function") {
    type Html = CanvasLike & {
      toBlob(cb: (b: Blob | null) => void, type: string, quality: number): void;
    };
    return {
      make: (w, h) => {
        const c = doc.createElement!("canvas") as Html;
        c.width = w;
        c.height = h;
        return c;
      },
      toBlob: (c, type, quality) =>
        new Promise((resolve) => (c as Html).toBlob(resolve, type, quality)),
    };
  }
  return null;
}

/** JPEG qualities tried in order; below ~0.55 text edges smear, so the image shrinks instead. */
const QUALITIES = [0.85, 0.75, 0.65, 0.55] as const;
/** Each further try after the qualities keeps this share of the edges (64 % of the pixels). */
const SHRINK = 0.8;
const MAX_SHRINKS = 6;
/** The first bytes read for the header; a JPEG whose frame header lies further is read whole. */
const HEAD_BYTES = 256 * 1024;

/**
 * Returns an image ready to upload: the same Blob when it is not a PNG/JPEG/WebP/GIF (sniffed from
 * its bytes), already fits `maxPixels`, `maxLongEdge` and `maxBytes`, or no canvas exists here;
 * otherwise a JPEG scaled down to fit, upright (EXIF orientation applied), transparency on white,
 * quality stepping down (0.85 … 0.55) and then size until it is at most `maxBytes`. Never scales up; never throws: a
 * file that cannot be decoded comes back as it was, and the server answers it with the right error.
 * A `File` comes back as a `File` with the same name (extension `.jpg`).
 * @example
 * const upload = await downscaleImageForUpload(input.files[0]);
 * await analyzeFile(supabase, { file: upload, platform: "main" }, { downscale: false });
 */
export async function downscaleImageForUpload(
  file: Blob,
  options: DownscaleOptions = {},
): Promise<Blob> {
  const opts = { ...DOWNSCALE_DEFAULTS, ...definedOnly(options) };
  try {
    const createBitmap = (globalThis as { createImageBitmap?: CreateImageBitmap })
      .createImageBitmap;
    const canvas = findCanvas();
    if (typeof createBitmap !== "function" || !canvas) return file;
    let head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
    if (!sniffImageType(head)) return file;
    let header = readImageHeaderInfo(head);
    if (!header && head[0] === 0xff && file.size > HEAD_BYTES) {
      head = new Uint8Array(await file.arrayBuffer());
      header = readImageHeaderInfo(head);
    }
    if (!header) return file;
    const maxPixels = options.tokens
      ? Math.min(opts.maxPixels, tokenCeilingPixels(header, options.tokens))
      : opts.maxPixels;
    const target = targetSize(header, { ...opts, maxPixels });
    if (!target.scaled && file.size <= opts.maxBytes) return file;

    let { width, height } = target;
    for (let shrink = 0; shrink <= MAX_SHRINKS; shrink++) {
      const bitmap = await createBitmap(file, {
        resizeWidth: width,
        resizeHeight: height,
        resizeQuality: "high",
        imageOrientation: "from-image",
      });
      try {
        for (const quality of QUALITIES) {
          const blob = await encodeJpeg(canvas, bitmap, width, height, quality);
          if (!blob) return file;
          if (blob.size <= opts.maxBytes) return named(file, blob);
        }
      } finally {
        bitmap.close();
      }
      width = Math.max(1, Math.floor(width * SHRINK));
      height = Math.max(1, Math.floor(height * SHRINK));
    }
    return file;
  } catch {
    // Not decodable here (corrupt, or a type this browser cannot read): the server decides.
    return file;
  }
}

/** The bitmap drawn at `width` × `height` (a browser that ignores createImageBitmap's resize
 * options still gets the right size, scaled by the canvas) and encoded as JPEG. */
async function encodeJpeg(
  canvas: Canvas,
  bitmap: Bitmap,
  width: number,
  height: number,
  quality: number,
): Promise<Blob | null> {
  const c = canvas.make(width, height);
  const ctx = c.getContext("2d");
  if (!ctx) return null;
  // JPEG has no alpha: transparent pixels would turn black, so they go onto white paper.
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  const blob = await canvas.toBlob(c, "image/jpeg", quality);
  // A canvas that cannot encode JPEG answers PNG: only what was asked for counts.
  return blob && blob.type === "image/jpeg" ? blob : null;
}

function named(original: Blob, blob: Blob): Blob {
  const name = (original as { name?: unknown }).name;
  if (typeof name !== "string" || !name || typeof File !== "function") {
    return blob;
  }
  return new File([blob], name.replace(/\.[A-Za-z0-9]{1,5}$/, "") + ".jpg", { type: blob.type });
}

function definedOnly(options: DownscaleOptions): DownscaleOptions {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => typeof v === "number" && v > 0),
  ) as DownscaleOptions;
}
