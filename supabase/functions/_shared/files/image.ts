// Making an image fit a vision model's limits. Groq takes a base64 image of at most 4 MB and
// 33,177,600 px (facts 2026-11-25, in the catalog as maxImageBytes / maxImagePixels); an image over
// either is downscaled and re-encoded here, never refused for size alone. Dimensions come from the
// headers, so an image that already fits is passed through without loading ImageMagick at all.
import { Buffer } from "node:buffer";
import { loadMagick, type MagickWasmSource } from "./lazy.ts";

export type ImageMime = "image/png" | "image/jpeg" | "image/webp" | "image/gif";

export interface ImageHeader {
  mime: ImageMime;
  width: number;
  height: number;
  /** More than one frame (animated GIF or WebP): only the first is sent. */
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
  /** Re-encoded (scaled, recompressed, or first frame taken); false when passed through as is. */
  resized: boolean;
}

export type PrepareImageResult =
  | { ok: true; image: PreparedImage }
  | { ok: false; code: "unprocessable_file"; reason: "corrupt"; message: string };

export interface PrepareImageOptions {
  /**
   * Pixel count to scale to when an image is over `maxPixels` (capped by it). Defaults to
   * DEFAULT_RESIZE_TARGET_PIXELS.
   */
  resizeTargetPixels?: number;
  /** ImageMagick's wasm, when the npm package's file cannot be read (see lazy.ts). */
  magickWasm?: MagickWasmSource;
}

/**
 * When an image is over the pixel limit it is scaled to at most 12 MP, not to the 33 MP the
 * provider would take: 12 MP (≈ 4240 × 2830) is an A4 page at ~360 dpi, more than reading
 * handwriting needs, and in magick-wasm a 40 MP photo gets there in ~2 s against ~5–6 s for 33 MP,
 * as a JPEG of ~2–3 MB that fits the byte limit at the first quality tried (33 MP gives ~6 MB and
 * more passes). Images already within the limits are not touched, whatever their size.
 */
export const DEFAULT_RESIZE_TARGET_PIXELS = 12_000_000;

/** JPEG qualities tried in order; below 45 text edges blur, so the image shrinks instead. */
const JPEG_QUALITIES = [85, 75, 65, 55, 45] as const;

/** Length of `data:<mime>;base64,<payload>` for a file of `byteLength` bytes. */
export function dataUrlLength(byteLength: number, mime: string): number {
  return `data:${mime};base64,`.length + 4 * Math.ceil(byteLength / 3);
}

/** The data URL sent to the provider as an `image_url`. */
export function toDataUrl(image: { bytes: Uint8Array; mime: string }): string {
  return `data:${image.mime};base64,${Buffer.from(image.bytes).toString("base64")}`;
}

/**
 * Returns an image within `limits`: the same bytes when they already fit (and are a single frame),
 * otherwise a JPEG scaled to fit the pixel limit and recompressed (quality stepping down, then
 * smaller) until its data URL fits the byte limit. EXIF orientation is applied and metadata
 * dropped when re-encoding; transparency is flattened onto white. `corrupt` when the bytes are not
 * a readable PNG, JPEG, WebP or GIF.
 * @example
 * const vision = getModel("groq", "qwen/qwen3.8-27b");
 * const result = await prepareImageForVision(bytes, {
 *   maxBytes: vision.maxImageBytes!, maxPixels: vision.maxImagePixels!,
 * });
 * if (result.ok) messages.push({ type: "image_url", image_url: { url: toDataUrl(result.image) } });
 */
export async function prepareImageForVision(
  bytes: Uint8Array,
  limits: ImageLimits,
  options: PrepareImageOptions = {},
): Promise<PrepareImageResult> {
  const header = readImageHeader(bytes);
  if (header === null || header.width === 0 || header.height === 0) return corrupt();
  const pixels = header.width * header.height;
  if (
    !header.animated && pixels <= limits.maxPixels &&
    dataUrlLength(bytes.length, header.mime) <= limits.maxBytes
  ) {
    // Sent as it is, so it is never decoded here: check at least that its structure is whole, or
    // the provider would be paid to refuse a broken upload.
    if (!structureIsWhole(bytes, header.mime)) return corrupt();
    const { mime, width, height } = header;
    return { ok: true, image: { bytes, mime, width, height, resized: false } };
  }
  const target = Math.min(
    limits.maxPixels,
    options.resizeTargetPixels ?? DEFAULT_RESIZE_TARGET_PIXELS,
  );
  const magick = await loadMagick(options.magickWasm);
  const settings = new magick.MagickReadSettings();
  // First frame only: animated GIF/WebP, and no decoding of frames we would drop.
  settings.frameIndex = 0;
  settings.frameCount = 1;
  if (header.mime === "image/jpeg" && pixels > target) {
    // libjpeg's DCT scaling decodes straight to the largest eighth (7/8, 6/8, … 1/8) of the size
    // that is not above this hint, several times faster than decoding all 40 MP and resizing; the
    // resize below then has nothing or little left to do (a 40 MP photo lands on 4/8: 10 MP).
    const { width, height } = scaledSize(header.width, header.height, target);
    settings.setDefine(magick.MagickFormat.Jpeg, "size", `${width}x${height}`);
  }
  try {
    return magick.ImageMagick.read(bytes, settings, (image) => {
      image.autoOrient();
      image.strip();
      if (image.hasAlpha) {
        image.backgroundColor = magick.MagickColors.White;
        image.alpha(magick.AlphaAction.Remove);
      }
      if (image.width * image.height > target) {
        const size = scaledSize(image.width, image.height, target);
        image.resize(size.width, size.height, magick.FilterType.Triangle);
      }
      const encode = (quality: number): Uint8Array => {
        image.quality = quality;
        return image.write(magick.MagickFormat.Jpeg, (data) => data.slice());
      };
      for (let round = 0; round < 8; round++) {
        let jpeg = encode(JPEG_QUALITIES[0]);
        for (const quality of JPEG_QUALITIES.slice(1)) {
          // Quality alone roughly halves the size from 85 to 45; past that, shrink at once.
          if (dataUrlLength(jpeg.length, "image/jpeg") > limits.maxBytes * 2.2) break;
          if (dataUrlLength(jpeg.length, "image/jpeg") <= limits.maxBytes) break;
          jpeg = encode(quality);
        }
        const length = dataUrlLength(jpeg.length, "image/jpeg");
        if (length <= limits.maxBytes && image.width * image.height <= limits.maxPixels) {
          return {
            ok: true,
            image: {
              bytes: jpeg,
              mime: "image/jpeg",
              width: image.width,
              height: image.height,
              resized: true,
            },
          };
        }
        // Bytes scale roughly with area: aim 20% under the limit.
        const area = image.width * image.height * Math.min(0.7, (0.8 * limits.maxBytes) / length);
        const size = scaledSize(image.width, image.height, area);
        image.resize(size.width, size.height, magick.FilterType.Triangle);
      }
      throw new Error(`image does not fit ${limits.maxBytes} base64 bytes after 8 rounds`);
    });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("image does not fit")) throw error;
    return corrupt();
  }
}

/** Largest size with the same aspect ratio and at most `maxPixels` pixels (at least 1 × 1). */
function scaledSize(width: number, height: number, maxPixels: number) {
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)));
  return {
    width: Math.max(1, Math.floor(width * scale)),
    height: Math.max(1, Math.floor(height * scale)),
  };
}

function corrupt(): PrepareImageResult {
  return {
    ok: false,
    code: "unprocessable_file",
    reason: "corrupt",
    message: "The image could not be read; it may be damaged or in an unsupported format.",
  };
}

/**
 * Type, dimensions and animation of a PNG, JPEG, WebP or GIF from its headers, or `null`.
 * Dimensions are as stored (a JPEG's EXIF rotation does not change the pixel count).
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const b = bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return {
      mime: "image/png",
      width: view.getUint32(16),
      height: view.getUint32(20),
      animated: false, // APNG shows its first frame to readers that ignore animation
    };
  }
  if (b.length >= 13 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) {
    return {
      mime: "image/gif",
      width: view.getUint16(6, true),
      height: view.getUint16(8, true),
      animated: gifFrameCount(b, 2) > 1,
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
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2; // markers without a length
        continue;
      }
      // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
      if (
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
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

/** Counts a GIF's image descriptors, stopping at `stopAt` (the blocks are walked, not decoded). */
function gifFrameCount(b: Uint8Array, stopAt: number): number {
  let at = 13;
  if (b[10] & 0x80) at += 3 * (1 << ((b[10] & 0x07) + 1)); // global colour table
  let frames = 0;
  const skipSubBlocks = () => {
    while (at < b.length && b[at] !== 0) at += b[at] + 1;
    at++; // block terminator
  };
  while (at < b.length && frames < stopAt) {
    const introducer = b[at];
    if (introducer === 0x3b) break; // trailer
    if (introducer === 0x21) {
      at += 2; // introducer, label
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      frames++;
      const packed = b[at + 9];
      at += 10;
      if (packed & 0x80) at += 3 * (1 << ((packed & 0x07) + 1)); // local colour table
      at++; // LZW minimum code size
      skipSubBlocks();
    } else {
      break; // damaged: judge by what was read
    }
  }
  return frames;
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
      for (let i = 2; i + 1 < end; i++) if (b[i] === 0xff && b[i + 1] === 0xda) return true;
      return false;
    }
    case "image/webp":
      return b.length >= 12 && view.getUint32(4, true) + 8 <= b.length;
    default:
      return false;
  }
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));
}
