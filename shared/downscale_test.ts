// The parts of the downscaler that need no browser: sniffing, headers, sizes, and the steps it
// takes against a stand-in canvas. The real decode/resize/encode runs in Chromium in
// tests/browser/downscale_browser.mjs.
import assert from "node:assert/strict";
import { DEFAULT_IMAGE_POLICY } from "../supabase/functions/_shared/ai/image_policy.ts";
import { imageTokensFor } from "../supabase/functions/_shared/ai/image_tokens.ts";
import {
  DEFAULT_VISION_MODEL,
  downscaleImageForUpload,
  readImageHeaderInfo,
  sniffImageType,
  targetSize,
} from "./downscale.ts";
import { analyzeFile, type FunctionsInvoker } from "./invoke.ts";

const u16be = (n: number) => [n >> 8, n & 0xff];
const u32be = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const pad = (bytes: number[], length = 64) =>
  new Uint8Array([...bytes, ...new Array(Math.max(0, length - bytes.length)).fill(0)]);

function png(width: number, height: number) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return pad([
    ...sig,
    0,
    0,
    0,
    13,
    0x49,
    0x48,
    0x44,
    0x52,
    ...u32be(width),
    ...u32be(height),
    8,
    6,
  ]);
}

/** A JPEG header: SOI, an optional EXIF APP1 with Orientation, an APP2 filler, SOF0. */
function jpeg(width: number, height: number, orientation?: number, little = false) {
  const out = [0xff, 0xd8];
  if (orientation) {
    const s = (n: number) => (little ? [n & 0xff, n >> 8] : u16be(n));
    const l = (n: number) => (little ? [...u32be(n)].reverse() : u32be(n));
    const tiff = [
      ...(little ? [0x49, 0x49] : [0x4d, 0x4d]),
      ...s(42),
      ...l(8),
      ...s(2), // two entries: an unrelated one first
      ...s(0x010f),
      ...s(2),
      ...l(1),
      ...l(0),
      ...s(0x0112),
      ...s(3),
      ...l(1),
      ...s(orientation),
      0,
      0,
      ...l(0),
    ];
    const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
    out.push(0xff, 0xe1, ...u16be(payload.length + 2), ...payload);
  }
  out.push(0xff, 0xe2, ...u16be(6), 1, 2, 3, 4); // an APP2 (ICC) segment to step over
  out.push(0xff, 0xc0, ...u16be(17), 8, ...u16be(height), ...u16be(width), 3);
  return pad(out, out.length + 40);
}

Deno.test("sniffImageType names PNG, JPEG, WebP and GIF from their bytes, nothing else", () => {
  assert.equal(sniffImageType(png(10, 10)), "image/png");
  assert.equal(sniffImageType(jpeg(10, 10)), "image/jpeg");
  assert.equal(sniffImageType(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 ")), "image/webp");
  assert.equal(sniffImageType(new TextEncoder().encode("GIF89a")), "image/gif");
  assert.equal(sniffImageType(new TextEncoder().encode("%PDF-1.7")), null);
  assert.equal(sniffImageType(new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt ")), null);
});

Deno.test("readImageHeaderInfo reads dimensions of each type and a JPEG's EXIF orientation", () => {
  assert.deepEqual(readImageHeaderInfo(png(3840, 2160)), {
    type: "image/png",
    width: 3840,
    height: 2160,
    orientation: 1,
  });
  assert.deepEqual(readImageHeaderInfo(jpeg(4000, 3000)), {
    type: "image/jpeg",
    width: 4000,
    height: 3000,
    orientation: 1,
  });
  assert.equal(readImageHeaderInfo(jpeg(4000, 3000, 6))?.orientation, 6);
  assert.equal(readImageHeaderInfo(jpeg(4000, 3000, 8, true))?.orientation, 8);
  const gif = pad([...new TextEncoder().encode("GIF89a"), 0x40, 0x01, 0xf0, 0x00]);
  assert.deepEqual(readImageHeaderInfo(gif), {
    type: "image/gif",
    width: 320,
    height: 240,
    orientation: 1,
  });
  const riff = (chunk: string, body: number[]) =>
    pad([...new TextEncoder().encode(`RIFF\0\0\0\0WEBP${chunk}`), 0, 0, 0, 0, ...body]);
  // VP8: frame tag (3) + start code (3), then 14-bit width and height.
  const vp8 = riff("VP8 ", [0, 0, 0, 0x9d, 0x01, 0x2a, 0xa0, 0x0f, 0xb8, 0x0b]);
  assert.deepEqual(readImageHeaderInfo(vp8)?.width, 4000);
  assert.deepEqual(readImageHeaderInfo(vp8)?.height, 3000);
  // VP8X: flags (4), then width-1 and height-1 as 24-bit little-endian.
  const vp8x = riff("VP8X", [0, 0, 0, 0, 0x9f, 0x0f, 0, 0xb7, 0x0b, 0]);
  assert.deepEqual([readImageHeaderInfo(vp8x)?.width, readImageHeaderInfo(vp8x)?.height], [
    4000,
    3000,
  ]);
  // VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1.
  const w = 99, h = 49; // 100 × 50
  const bits = w | (h << 14);
  const vp8l = riff("VP8L", [
    0x2f,
    bits & 0xff,
    (bits >> 8) & 0xff,
    (bits >> 16) & 0xff,
    bits >>> 24,
  ]);
  assert.deepEqual([readImageHeaderInfo(vp8l)?.width, readImageHeaderInfo(vp8l)?.height], [
    100,
    50,
  ]);
  assert.equal(
    readImageHeaderInfo(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, ...new Array(40).fill(0)])),
    null,
  );
});

Deno.test("targetSize: 12 MP → 4 MP, turned for orientations 5–8, small images unscaled", () => {
  const limits = { maxPixels: 4_000_000, maxLongEdge: 4096 };
  assert.deepEqual(targetSize({ width: 4000, height: 3000, orientation: 1 }, limits), {
    width: 2309,
    height: 1732,
    scaled: true,
  });
  assert.deepEqual(targetSize({ width: 4000, height: 3000, orientation: 6 }, limits), {
    width: 1732,
    height: 2309,
    scaled: true,
  });
  assert.deepEqual(targetSize({ width: 2000, height: 1500, orientation: 1 }, limits), {
    width: 2000,
    height: 1500,
    scaled: false,
  });
  // A long scrolling screenshot is bounded by the long edge, not cut to a sliver.
  assert.deepEqual(targetSize({ width: 1170, height: 10000, orientation: 1 }, limits), {
    width: 479,
    height: 4096,
    scaled: true,
  });
});

Deno.test("in Deno (no canvas) every file is returned as it was, the same object", async () => {
  const big = new Blob([jpeg(4000, 3000), new Uint8Array(3_000_000)]);
  assert.equal(await downscaleImageForUpload(big), big);
});

/** A stand-in for the browser's createImageBitmap and OffscreenCanvas: JPEG "encodes" to a size
 * proportional to pixels × quality, and the calls are recorded. */
async function withFakeCanvas<T>(
  run: (
    calls: { bitmaps: unknown[]; encodes: { w: number; h: number; q: number }[] },
  ) => Promise<T>,
  opts: { bytesPerPixelAtFull?: number; failDecode?: boolean } = {},
): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const saved = { cib: g.createImageBitmap, oc: g.OffscreenCanvas };
  const calls = { bitmaps: [] as unknown[], encodes: [] as { w: number; h: number; q: number }[] };
  g.createImageBitmap = (_: Blob, o: { resizeWidth: number; resizeHeight: number }) => {
    calls.bitmaps.push(o);
    if (opts.failDecode) {
      return Promise.reject(new DOMException("cannot decode", "InvalidStateError"));
    }
    return Promise.resolve({ width: o.resizeWidth, height: o.resizeHeight, close() {} });
  };
  g.OffscreenCanvas = class {
    constructor(public width: number, public height: number) {}
    getContext() {
      return { fillStyle: "", fillRect() {}, drawImage() {} };
    }
    convertToBlob({ type, quality }: { type: string; quality: number }) {
      calls.encodes.push({ w: this.width, h: this.height, q: quality });
      const size = Math.round(
        this.width * this.height * (opts.bytesPerPixelAtFull ?? 0.5) * quality,
      );
      return Promise.resolve(new Blob([new Uint8Array(size)], { type }));
    }
  };
  try {
    return await run(calls);
  } finally {
    g.createImageBitmap = saved.cib;
    g.OffscreenCanvas = saved.oc;
  }
}

Deno.test("with a canvas: a 12 MP photo is resized to 4 MP, upright, as IMG.jpg", async () => {
  await withFakeCanvas(async (calls) => {
    const photo = new File([jpeg(4000, 3000, 6), new Uint8Array(4_000_000)], "IMG.HEIC.jpeg");
    const out = await downscaleImageForUpload(photo);
    assert.deepEqual(calls.bitmaps, [{
      resizeWidth: 1732,
      resizeHeight: 2309,
      resizeQuality: "high",
      imageOrientation: "from-image",
    }]);
    assert.deepEqual(calls.encodes, [{ w: 1732, h: 2309, q: 0.85 }]);
    assert.equal(out.type, "image/jpeg");
    assert.equal((out as File).name, "IMG.HEIC.jpg");
  });
});

Deno.test("with a canvas: quality steps down, then size, until the byte target is met", async () => {
  await withFakeCanvas(async (calls) => {
    const photo = new Blob([jpeg(4000, 3000), new Uint8Array(4_000_000)]);
    const out = await downscaleImageForUpload(photo, { maxBytes: 1_000_000 });
    assert.ok(out.size <= 1_000_000);
    assert.deepEqual(calls.encodes.slice(0, 4).map((e) => e.q), [0.85, 0.75, 0.65, 0.55]);
    assert.deepEqual(calls.bitmaps.length, 2, "one shrink (to 80 % of the edges) was enough");
    assert.deepEqual(calls.encodes.at(-1), { w: 1847, h: 1385, q: 0.65 });
  }, { bytesPerPixelAtFull: 0.6 });
});

Deno.test("with a canvas: small images are untouched; a bulky small one is only re-encoded", async () => {
  await withFakeCanvas(async (calls) => {
    const small = new Blob([jpeg(1600, 1200), new Uint8Array(500_000)]);
    assert.equal(await downscaleImageForUpload(small), small);
    assert.equal(calls.bitmaps.length, 0, "not even decoded");
    const bulky = new Blob([png(1600, 1200), new Uint8Array(3_000_000)]);
    const out = await downscaleImageForUpload(bulky);
    assert.deepEqual(calls.bitmaps.at(-1), {
      resizeWidth: 1600,
      resizeHeight: 1200,
      resizeQuality: "high",
      imageOrientation: "from-image",
    });
    assert.equal(out.type, "image/jpeg");
    const pdf = new Blob(["%PDF-1.7", new Uint8Array(5_000_000)]);
    assert.equal(await downscaleImageForUpload(pdf), pdf);
  });
});

Deno.test("with a canvas: a decoding failure returns the original, never throws", async () => {
  await withFakeCanvas(async () => {
    const broken = new Blob([jpeg(4000, 3000), new Uint8Array(100)]);
    assert.equal(await downscaleImageForUpload(broken), broken);
  }, { failDecode: true });
});

function capturingInvoker(): FunctionsInvoker & { forms: FormData[] } {
  const forms: FormData[] = [];
  return {
    forms,
    functions: {
      invoke(_name, options) {
        forms.push(options?.body as FormData);
        return Promise.resolve({ data: { ok: true }, error: null });
      },
    },
  };
}

Deno.test("analyzeFile downscales the image file and each page image; downscale: false does not", async () => {
  await withFakeCanvas(async () => {
    const photo = new File([jpeg(4000, 3000), new Uint8Array(4_000_000)], "page.jpg");
    const pdf = new File(["%PDF-1.7\n"], "scan.pdf");
    const page = new Blob([png(3000, 4000), new Uint8Array(100)]);
    const supabase = capturingInvoker();

    await analyzeFile(supabase, { file: photo, platform: "main" });
    const sent = supabase.forms[0].get("file") as File;
    assert.ok(sent.size < photo.size);
    assert.equal(sent.name, "page.jpg");

    await analyzeFile(supabase, { file: pdf, platform: "main", page_images: [page, page] });
    const form = supabase.forms[1];
    assert.equal((form.get("file") as File).size, pdf.size, "a PDF is sent as it is");
    const pages = form.getAll("page_images") as File[];
    assert.equal(pages.length, 2);
    assert.ok(pages.every((p) => p.type === "image/jpeg" && p.name.startsWith("page-")));

    await analyzeFile(supabase, { file: photo, platform: "main" }, { downscale: false });
    assert.equal((supabase.forms[2].get("file") as File).size, photo.size);
  });
});

Deno.test("with a canvas and a token target: a 12 MP photo is sized to the photo ceiling, a scan to the scan ceiling", async () => {
  await withFakeCanvas(async (calls) => {
    const photo = new Blob([jpeg(4000, 3000), new Uint8Array(4_000_000)]);
    await downscaleImageForUpload(photo, {
      tokens: { provider: "groq", model: "qwen/qwen3.8-27b", task: "photo" },
    });
    const sized = calls.bitmaps.at(-1) as {
      resizeWidth: number;
      resizeHeight: number;
    };
    const tokens = imageTokensFor("groq", "qwen/qwen3.8-27b", {
      width: sized.resizeWidth,
      height: sized.resizeHeight,
    }).tokens;
    assert.ok(tokens <= 1_600 && tokens > 1_400, `${tokens} tokens`);

    await downscaleImageForUpload(photo, {
      tokens: { provider: "groq", model: "qwen/qwen3.8-27b", task: "scan" },
    });
    const scan = calls.bitmaps.at(-1) as {
      resizeWidth: number;
      resizeHeight: number;
    };
    assert.ok(scan.resizeWidth > sized.resizeWidth);
    assert.ok(scan.resizeWidth * scan.resizeHeight <= 4_000_000);
  });
});

Deno.test("analyzeFile sizes the photo for the default vision model's photo ceiling", async () => {
  await withFakeCanvas(async (calls) => {
    const photo = new File(
      [jpeg(4000, 3000), new Uint8Array(4_000_000)],
      "page.jpg",
    );
    await analyzeFile(capturingInvoker(), { file: photo, platform: "main" });
    const sized = calls.bitmaps.at(-1) as {
      resizeWidth: number;
      resizeHeight: number;
    };
    const { provider, model } = DEFAULT_VISION_MODEL;
    const tokens = imageTokensFor(provider, model, {
      width: sized.resizeWidth,
      height: sized.resizeHeight,
    }).tokens;
    assert.ok(tokens <= DEFAULT_IMAGE_POLICY.photo.maxTokens, `${tokens}`);
  });
});
