// Making an image fit a vision model's limits within the worker's budget (issue 12: 256 MB, 2 s of
// CPU per request; we aim at ≤ 200 MB peak and ≤ 1.5 s). Groq takes a base64 image of at most 4 MB
// and 33,177,600 px (facts 2026-11-25, in the catalog as maxImageBytes / maxImagePixels).
// `checkImageForVision` decides from headers and structure alone, in microseconds, whether an image
// is sent as it is, made smaller here, or refused: an image the server cannot shrink within budget
// is refused with a hint to let the client downscale it (shared/ has the helper). Measured costs and
// the envelope are in the README ("Images: limits per kind").
import { Buffer } from "node:buffer";
import {
  applyOrientation,
  boxDownscale,
  decodeJpegScaled,
  encodeJpeg,
  jpegOrientation,
  type Rgba,
} from "./codecs.ts";
import { breathe } from "./heavy_work.ts";
import { decodePngDownscaled, pngRawBytes, readPngInfo } from "./png_decode.ts";
import { unlimitedMeter, WORK_PRICE, WorkLimitExceeded, type WorkMeter } from "./work_meter.ts";

export type ImageMime = "image/png" | "image/jpeg" | "image/webp" | "image/gif";

export interface ImageHeader {
  mime: ImageMime;
  /** For a GIF, the canvas a decoder allocates: the screen, widened by any larger frame. */
  width: number;
  height: number;
  /** More than one frame (animated GIF or WebP). */
  animated: boolean;
}

export interface ImageLimits {
  /**
   * Largest base64 data URL, in characters, as the catalog's `maxImageBytes`: Groq's 4 MB applies
   * to the base64 payload, which is 4/3 of the file, so a file fits when
   * `dataUrlLength(bytes.length, mime) <= maxBytes`, i.e. about 3 MB of JPEG.
   */
  maxBytes: number;
  maxPixels: number;
}

export interface PreparedImage {
  bytes: Uint8Array;
  mime: ImageMime;
  width: number;
  height: number;
  /** Re-encoded (scaled or recompressed); false when passed through as is. */
  resized: boolean;
}

export type PrepareImageResult =
  | { ok: true; image: PreparedImage }
  | {
    ok: false;
    code: "unprocessable_file";
    reason: "corrupt";
    message: string;
    hint?: string;
  };

export type ImageCheck =
  | { ok: true; header: ImageHeader; action: "pass" | "resize" }
  | {
    ok: false;
    code: "payload_too_large" | "unprocessable_file";
    message: string;
    hint: string;
  };

export interface PrepareImageOptions {
  /** Pixel count to scale to when an image must be re-encoded (capped by `maxPixels`). */
  resizeTargetPixels?: number;
  /**
   * The image policy's bound (`_shared/ai/image_policy.ts`): an image with more pixels than this
   * is made smaller even when the provider would take it as it is, if the server can decode it
   * within its envelope (JPEG by DCT scaling, PNG row by row); otherwise it is sent as it is and
   * its tokens are counted as they are.
   */
  policyMaxPixels?: number;
  /** The request's work budget: decoding and encoding are charged to it before they run. */
  meter?: WorkMeter;
}

/**
 * Pixels an image is re-encoded at, at most. 4 MP (2309 × 1732) is an A4 page at ~200 dpi, enough
 * for handwriting; JPEG DCT scaling lands a 12 MP photo on 3 MP and a 40 MP one on 2.5 MP. Encoding
 * is a costly step (jpeg_encode.ts: ~0.17 s for 4 MP of photo, ~0.22 s for 3 MP of pure noise), so
 * the target bounds the CPU of every resize.
 */
export const RESIZE_TARGET_PIXELS = 4_000_000;

/**
 * The bound analysis.ts reserves image tokens at (`imageTokenEstimate`): an image that passes
 * untouched is sent at its own size, up to the model's limit, so the reservation keeps the old
 * 12 MP bound (≈ Qwen-VL's default max_pixels) rather than the smaller re-encode target.
 */
export const DEFAULT_RESIZE_TARGET_PIXELS = 12_000_000;

/**
 * The server envelope: what `resize` accepts, measured on a fresh Deno 2.1.4 worker (README).
 * - Sequential JPEG (one scan): libjpeg scales while decoding and keeps only a few rows, so memory
 *   is the file plus the ≤ 4 MP output; CPU grows with the file (Huffman decoding): a 40 MP /
 *   16 MB photo took 0.6 s in all. Up to 50 MP and 25 MB.
 * - Progressive or multi-scan JPEG: libjpeg must hold every DCT coefficient (2 bytes a sample,
 *   3–6 bytes a pixel) before the first row comes out: up to 12 MP.
 * - PNG, not interlaced: the inflated rows are held (width × height × bytes a pixel) and shrunk
 *   row by row: up to 64 MB of rows (16 MP of RGBA, 21 MP of RGB) and 50 MP.
 * - GIF, WebP, interlaced PNG: no decoder on the server; sent as they are when within the limits,
 *   otherwise refused with a hint to downscale on the client.
 */
export const ENVELOPE = {
  jpegSequentialPixels: 50_000_000,
  jpegBufferedPixels: 12_000_000,
  jpegBytes: 25_000_000,
  pngRawBytes: 64_000_000,
  pngPixels: 50_000_000,
} as const;

/** JPEG quality of a re-encode, and the one tried once when the first is a little too large. */
const JPEG_QUALITY = 80;
const JPEG_FALLBACK_QUALITY = 60;

/** Length of `data:<mime>;base64,<payload>` for a file of `byteLength` bytes. */
export function dataUrlLength(byteLength: number, mime: string): number {
  return `data:${mime};base64,`.length + 4 * Math.ceil(byteLength / 3);
}

/** The data URL sent to the provider as an `image_url`. */
export function toDataUrl(image: { bytes: Uint8Array; mime: string }): string {
  return `data:${image.mime};base64,${Buffer.from(image.bytes).toString("base64")}`;
}

const DOWNSCALE_HINT = "Let the app downscale it before upload (the shared/ upload helper does), " +
  "or send a JPEG or PNG of at most 12 megapixels and 3 MB.";

/**
 * Decides, from the header and the file's structure only (no decoding), what happens to an image:
 * `pass` (sent untouched: within `limits`, one frame, structurally whole), `resize` (over a limit
 * but inside the server's envelope, see ENVELOPE) or a refusal: 413 `payload_too_large` for what
 * the server cannot shrink within its budget (decompression bombs included), 422
 * `unprocessable_file` for a damaged file or an animation over the limits.
 * @example
 * const check = checkImageForVision(bytes, visionLimits(catalog));
 * if (!check.ok) throw new HttpError(check.code === "payload_too_large" ? 413 : 422, check.code,
 *   check.message, check.hint);
 */
export function checkImageForVision(
  bytes: Uint8Array,
  limits: ImageLimits,
): ImageCheck {
  const header = readImageHeader(bytes);
  if (header === null || header.width === 0 || header.height === 0) {
    return damaged();
  }
  if (!structureIsWhole(bytes, header.mime)) return damaged();
  const { mime, width, height } = header;
  const pixels = width * height;
  const size = `${width}×${height}`;
  if (
    !header.animated && pixels <= limits.maxPixels &&
    dataUrlLength(bytes.length, mime) <= limits.maxBytes
  ) {
    return { ok: true, header, action: "pass" };
  }
  if (header.animated) {
    return {
      ok: false,
      code: "unprocessable_file",
      message: `Animated images over the model's limits cannot be processed (${size}).`,
      hint: "Send one frame as a PNG or JPEG.",
    };
  }
  const tooLarge = (why: string): ImageCheck => ({
    ok: false,
    code: "payload_too_large",
    message: `The image is too large to process on the server (${size}, ${why}).`,
    hint: DOWNSCALE_HINT,
  });
  if (mime === "image/jpeg") {
    if (bytes.length > ENVELOPE.jpegBytes) {
      return tooLarge(`${megabytes(bytes.length)} MB`);
    }
    const buffered = jpegIsBuffered(bytes);
    const max = buffered ? ENVELOPE.jpegBufferedPixels : ENVELOPE.jpegSequentialPixels;
    if (pixels > max) {
      return tooLarge(
        `${megapixels(pixels)} MP${buffered ? ", progressive" : ""}`,
      );
    }
    return { ok: true, header, action: "resize" };
  }
  if (mime === "image/png") {
    const info = readPngInfo(bytes);
    if (info === null) return damaged();
    if (info.interlaced) return tooLarge("interlaced PNG");
    if (
      pixels > ENVELOPE.pngPixels || pngRawBytes(info) > ENVELOPE.pngRawBytes
    ) {
      return tooLarge(`${megapixels(pixels)} MP`);
    }
    return { ok: true, header, action: "resize" };
  }
  return tooLarge(
    `${mime === "image/gif" ? "GIF" : "WebP"} over the model's limits`,
  );
}

/** Whether the server can shrink this JPEG or PNG within ENVELOPE (the same rules as a resize). */
function withinEnvelope(bytes: Uint8Array, header: ImageHeader): boolean {
  if (header.animated) return false;
  const pixels = header.width * header.height;
  if (header.mime === "image/jpeg") {
    if (bytes.length > ENVELOPE.jpegBytes) return false;
    return pixels <=
      (jpegIsBuffered(bytes) ? ENVELOPE.jpegBufferedPixels : ENVELOPE.jpegSequentialPixels);
  }
  if (header.mime === "image/png") {
    const info = readPngInfo(bytes);
    return info !== null && !info.interlaced && pixels <= ENVELOPE.pngPixels &&
      pngRawBytes(info) <= ENVELOPE.pngRawBytes;
  }
  return false;
}

function damaged(): ImageCheck {
  return {
    ok: false,
    code: "unprocessable_file",
    message: "The image could not be read; it may be damaged or in an unsupported format.",
    hint: "Send the photo again, or export it as JPEG or PNG.",
  };
}

const megapixels = (pixels: number) => (pixels / 1e6).toFixed(1);
const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/**
 * Returns an image within `limits`: the same bytes when `checkImageForVision` says `pass`,
 * otherwise a baseline JPEG of at most RESIZE_TARGET_PIXELS (JPEG: scaled while decoding;
 * PNG: box-shrunk while decoding), EXIF orientation applied, transparency flattened onto white,
 * at quality 80 (60 when a little over), else shrunk once by the factor the first size predicts,
 * until its data URL fits `maxBytes`. `corrupt` when the
 * bytes cannot be read, or when the check refuses them (callers check first; this never starts
 * work the check would refuse).
 * @example
 * const result = await prepareImageForVision(bytes, visionLimits(catalog));
 * if (result.ok) messages.push({ type: "image_url", image_url: { url: toDataUrl(result.image) } });
 */
export async function prepareImageForVision(
  bytes: Uint8Array,
  limits: ImageLimits,
  options: PrepareImageOptions = {},
): Promise<PrepareImageResult> {
  const check = checkImageForVision(bytes, limits);
  if (!check.ok) return corrupt(check.message, check.hint);
  const { header } = check;
  const policy = options.policyMaxPixels;
  const overPolicy = policy !== undefined && header.width * header.height > policy &&
    withinEnvelope(bytes, header);
  if (check.action === "pass" && !overPolicy) {
    const { mime, width, height } = header;
    return { ok: true, image: { bytes, mime, width, height, resized: false } };
  }
  const target = Math.min(
    limits.maxPixels,
    options.resizeTargetPixels ?? RESIZE_TARGET_PIXELS,
    policy ?? Infinity,
  );
  const meter = options.meter ?? unlimitedMeter();
  let image: Rgba;
  try {
    if (header.mime === "image/jpeg") {
      // Every scan's entropy decoding, the IDCT and the restart markers, before libjpeg starts.
      meter.charge(jpegWorkUnits(jpegWork(bytes)), "jpeg decode");
      await breathe();
      const decoded = await decodeJpegScaled(bytes, target, header);
      // DCT scaling stops at eighths: a last whole-factor box only when still over the target.
      const k = Math.ceil(Math.sqrt((decoded.width * decoded.height) / target));
      image = applyOrientation(
        k > 1 ? boxDownscale(decoded, k) : decoded,
        jpegOrientation(bytes),
      );
    } else {
      image = await decodePngDownscaled(
        bytes,
        Math.ceil(Math.sqrt((header.width * header.height) / target)),
        meter,
      );
    }
  } catch (error) {
    if (error instanceof WorkLimitExceeded) throw error;
    return corrupt();
  }
  // One encode is nearly always enough: 4:2:0 at q80 is ≤ ~0.7 B a pixel even for pure noise (2 MB
  // for 3 MP, ~0.3 s). When over, the size says what to do next: a little over (≤ 1.3×), q60 (quality
  // alone gains ~1.4×); further, one box shrink by the whole factor the excess asks for (bytes follow
  // pixels; 10 % margin), rather than halving and encoding again until it fits.
  let quality: number = JPEG_QUALITY;
  for (let round = 0; round < 6; round++) {
    meter.charge(
      image.width * image.height * WORK_PRICE.jpegEncodePixel,
      "jpeg encode",
    );
    await breathe();
    const jpeg = await encodeJpeg(image, quality);
    const length = dataUrlLength(jpeg.length, "image/jpeg");
    if (length <= limits.maxBytes) {
      const { width, height } = image;
      return {
        ok: true,
        image: {
          bytes: jpeg,
          mime: "image/jpeg",
          width,
          height,
          resized: true,
        },
      };
    }
    const over = length / limits.maxBytes;
    if (quality === JPEG_QUALITY && over <= 1.3) {
      quality = JPEG_FALLBACK_QUALITY;
    } else {image = boxDownscale(
        image,
        Math.max(2, Math.ceil(Math.sqrt(over * 1.1))),
      );}
  }
  return corrupt("The image could not be compressed to the model's limit.");
}

function corrupt(
  message = "The image could not be read; it may be damaged or in an unsupported format.",
  hint?: string,
): PrepareImageResult {
  return {
    ok: false,
    code: "unprocessable_file",
    reason: "corrupt",
    message,
    hint,
  };
}

/**
 * Scans a JPEG may have. A progressive JPEG from libjpeg, mozjpeg or a phone has 6–12 (libjpeg's
 * default script is 10; mozjpeg's optimised ones stay under 20); each scan makes libjpeg walk every
 * block of its components again, so 2,000 near-empty scans of a 12 MP frame cost seconds.
 */
export const MAX_JPEG_SCANS = 64;

/** What decoding a JPEG costs: blocks (8×8, one component) walked by all scans together, blocks
 * through the IDCT, restart markers, and the number of scans. */
export interface JpegWork {
  scans: number;
  scanBlocks: number;
  blocks: number;
  restarts: number;
}

/**
 * Counts a JPEG's decoding work from its markers alone (no entropy decoding): the frame's
 * components and sampling factors, each scan's components, and the restart markers in the data.
 * @example jpegWork(bytes).scans; // 10 for a libjpeg progressive JPEG
 */
export function jpegWork(b: Uint8Array): JpegWork {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const blocksOf = new Map<number, number>();
  let scans = 0, scanBlocks = 0, restarts = 0;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) break;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    const length = view.getUint16(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 &&
      marker !== 0xc8 &&
      marker !== 0xcc;
    if (isFrame && at + 10 <= b.length) {
      const height = view.getUint16(at + 5), width = view.getUint16(at + 7);
      const count = b[at + 9];
      const factors: [number, number, number][] = [];
      for (let c = 0; c < count && at + 12 + c * 3 < b.length; c++) {
        const f = b[at + 11 + c * 3];
        factors.push([b[at + 10 + c * 3], f >> 4 || 1, f & 15 || 1]);
      }
      const hMax = Math.max(1, ...factors.map((f) => f[1]));
      const vMax = Math.max(1, ...factors.map((f) => f[2]));
      for (const [id, h, v] of factors) {
        // Whole MCUs are decoded: round up to the MCU grid.
        const mcusX = Math.ceil(width / (8 * hMax)),
          mcusY = Math.ceil(height / (8 * vMax));
        blocksOf.set(id, mcusX * h * mcusY * v);
      }
    }
    at += 2 + length;
    if (marker === 0xda) {
      scans++;
      const count = b[at - length + 2] ?? 0;
      for (let c = 0; c < count; c++) {
        scanBlocks += blocksOf.get(b[at - length + 3 + c * 2]) ?? 0;
      }
      // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte) or a restart marker.
      while (at + 1 < b.length) {
        if (b[at] === 0xff && b[at + 1] !== 0x00) {
          if (b[at + 1] >= 0xd0 && b[at + 1] <= 0xd7) restarts++;
          else break;
        }
        at++;
      }
    }
  }
  let blocks = 0;
  for (const n of blocksOf.values()) blocks += n;
  return { scans, scanBlocks, blocks, restarts };
}

/** The meter's price of decoding a JPEG; Infinity past MAX_JPEG_SCANS. */
export function jpegWorkUnits(work: JpegWork): number {
  if (work.scans > MAX_JPEG_SCANS) return Number.POSITIVE_INFINITY;
  return work.scanBlocks * WORK_PRICE.jpegBlockScan +
    work.blocks * WORK_PRICE.jpegBlockIdct +
    work.restarts * WORK_PRICE.jpegRestart;
}

/**
 * A progressive JPEG (SOF2/6/10/14), or one with several scans: libjpeg holds all its DCT
 * coefficients while decoding, so it costs memory in proportion to its full size.
 */
export function jpegIsBuffered(b: Uint8Array): boolean {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let scans = 0;
  let at = 2;
  // Walk the segments (an EXIF thumbnail inside APP1 has markers of its own: skipped whole).
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return false;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (
      marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce
    ) return true;
    at += 2 + view.getUint16(at + 2);
    if (marker === 0xda) {
      if (++scans > 1) return true;
      // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte) or a restart marker.
      while (
        at + 1 < b.length &&
        !(b[at] === 0xff && b[at + 1] !== 0x00 &&
          (b[at + 1] < 0xd0 || b[at + 1] > 0xd7))
      ) at++;
    }
  }
  return false;
}

/**
 * Type, dimensions and animation of a PNG, JPEG, WebP or GIF from its headers, or `null`.
 * Dimensions are as stored (a JPEG's EXIF rotation does not change the pixel count).
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const b = bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (
    b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e &&
    b[3] === 0x47
  ) {
    return {
      mime: "image/png",
      width: view.getUint32(16),
      height: view.getUint32(20),
      animated: false, // APNG shows its first frame to readers that ignore animation
    };
  }
  if (
    b.length >= 13 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 &&
    b[3] === 0x38
  ) {
    // A frame may be larger than the logical screen, and decoders allocate for it: every frame's
    // descriptor is read (the blocks are walked, not decoded).
    const frames = gifFrames(b);
    return {
      mime: "image/gif",
      width: Math.max(view.getUint16(6, true), frames.width),
      height: Math.max(view.getUint16(8, true), frames.height),
      animated: frames.count > 1,
    };
  }
  if (
    b.length >= 30 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP"
  ) {
    const chunk = ascii(b, 12, 16);
    if (chunk === "VP8 ") {
      return {
        mime: "image/webp",
        width: view.getUint16(26, true) & 0x3fff,
        height: view.getUint16(28, true) & 0x3fff,
        animated: false,
      };
    }
    if (chunk === "VP8L") {
      const bits = view.getUint32(21, true);
      return {
        mime: "image/webp",
        width: (bits & 0x3fff) + 1,
        height: ((bits >>> 14) & 0x3fff) + 1,
        animated: false,
      };
    }
    if (chunk === "VP8X") {
      return {
        mime: "image/webp",
        width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)),
        height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)),
        animated: (b[20] & 0x02) !== 0,
      };
    }
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2;
    while (at + 9 < b.length) {
      if (b[at] !== 0xff) return null;
      const marker = b[at + 1];
      if (marker === 0xff) {
        at++;
        continue;
      }
      if (
        marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)
      ) {
        at += 2; // markers without a length
        continue;
      }
      // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
      if (
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 &&
        marker !== 0xc8 && marker !== 0xcc
      ) {
        return {
          mime: "image/jpeg",
          width: view.getUint16(at + 7),
          height: view.getUint16(at + 5),
          animated: false,
        };
      }
      at += 2 + view.getUint16(at + 2);
    }
    return null;
  }
  return null;
}

/** A GIF's frame count and the extent its frames reach (left + width, top + height). */
function gifFrames(
  b: Uint8Array,
): { count: number; width: number; height: number } {
  let at = 13;
  if (b[10] & 0x80) at += 3 * (1 << ((b[10] & 0x07) + 1)); // global colour table
  let count = 0, width = 0, height = 0;
  const skipSubBlocks = () => {
    while (at < b.length && b[at] !== 0) at += b[at] + 1;
    at++; // block terminator
  };
  while (at + 10 <= b.length) {
    const introducer = b[at];
    if (introducer === 0x3b) break; // trailer
    if (introducer === 0x21) {
      at += 2; // introducer, label
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      count++;
      const u16 = (i: number) => b[at + i] | (b[at + i + 1] << 8);
      width = Math.max(width, u16(1) + u16(5));
      height = Math.max(height, u16(3) + u16(7));
      const packed = b[at + 9];
      at += 10;
      if (packed & 0x80) at += 3 * (1 << ((packed & 0x07) + 1)); // local colour table
      at++; // LZW minimum code size
      skipSubBlocks();
    } else {
      break; // damaged: judge by what was read
    }
  }
  return { count, width, height };
}

/**
 * A cheap check that an image we pass through untouched is whole: PNG chunks chain to IEND, a GIF's
 * blocks chain to its trailer with at least one frame, a JPEG has a scan and ends with EOI, a WebP's
 * RIFF size matches the file. Catches truncated and garbage uploads without a decoder.
 */
export function structureIsWhole(b: Uint8Array, mime: string): boolean {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (mime) {
    case "image/png": {
      let at = 8;
      let sawData = false;
      while (at + 12 <= b.length) {
        const length = view.getUint32(at);
        const type = ascii(b, at + 4, at + 8);
        if (!/^[A-Za-z]{4}$/.test(type)) return false;
        if (type === "IDAT") sawData = true;
        if (type === "IEND") return sawData;
        at += 12 + length;
      }
      return false;
    }
    case "image/gif": {
      let at = 13;
      if (b[10] & 0x80) at += 3 * (1 << ((b[10] & 0x07) + 1));
      let frames = 0;
      const skipSubBlocks = () => {
        while (at < b.length && b[at] !== 0) at += b[at] + 1;
        at++;
      };
      while (at < b.length) {
        const introducer = b[at];
        if (introducer === 0x3b) return frames > 0;
        if (introducer === 0x21) {
          at += 2;
          skipSubBlocks();
        } else if (introducer === 0x2c) {
          frames++;
          const packed = b[at + 9];
          at += 10;
          if (packed & 0x80) at += 3 * (1 << ((packed & 0x07) + 1));
          at++;
          skipSubBlocks();
        } else return false;
      }
      return false;
    }
    case "image/jpeg": {
      let end = b.length;
      while (end > 2 && b[end - 1] === 0x00) end--; // some encoders pad after EOI
      if (end < 4 || b[end - 2] !== 0xff || b[end - 1] !== 0xd9) return false;
      for (let i = 2; i + 1 < end; i++) {
        if (b[i] === 0xff && b[i + 1] === 0xda) return true;
      }
      return false;
    }
    case "image/webp":
      return b.length >= 12 && view.getUint32(4, true) + 8 <= b.length;
    default:
      return false;
  }
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(
    ...bytes.subarray(from, Math.min(to, bytes.length)),
  );
}
