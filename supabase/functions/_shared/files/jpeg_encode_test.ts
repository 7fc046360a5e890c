import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { decodeJpegScaled, type Rgba } from "./codecs.ts";
import { encodeBaselineJpeg, quantTable, ZIGZAG } from "./jpeg_encode.ts";
import { noise } from "./test_fixtures.ts";

/** Slow waves, like the light in a photo (smooth at any size): what JPEG is made for. */
function smooth(width: number, height: number): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      data[i] = 128 + 100 * Math.sin(x / 40 + 1);
      data[i + 1] = 128 + 100 * Math.cos(y / 35);
      data[i + 2] = 128 + 100 * Math.sin(x / 20) * Math.cos(y / 30);
      data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

function noisy(width: number, height: number): Rgba {
  const data = noise(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { data, width, height };
}

/** Decoded by libjpeg-turbo (the decoder the server uses), at full size. */
function decode(bytes: Uint8Array, image: { width: number; height: number }) {
  return decodeJpegScaled(bytes, image.width * image.height, image);
}

/** PSNR of the RGB channels, in dB. */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let squares = 0, count = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++, count++) squares += (a[i + c] - b[i + c]) ** 2;
  }
  return 10 * Math.log10((255 * 255) / (squares / count));
}

/** PSNR of the luma (JFIF Y) of two RGBA images, in dB. */
function lumaPsnr(a: Uint8Array, b: Uint8Array): number {
  const luma = (d: Uint8Array, i: number) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  let squares = 0;
  for (let i = 0; i < a.length; i += 4) {
    squares += (luma(a, i) - luma(b, i)) ** 2;
  }
  return 10 * Math.log10((255 * 255) / (squares / (a.length / 4)));
}

/** Where the SOS segment starts. */
function sos(bytes: Uint8Array): number {
  for (let i = 2; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xda) return i;
  }
  return -1;
}

/** Marker segments before the scan, then what follows the scan. */
function markers(bytes: Uint8Array): number[] {
  const found: number[] = [];
  let at = 0;
  while (at + 1 < bytes.length) {
    assert.equal(bytes[at], 0xff, `a marker at ${at}`);
    const marker = bytes[at + 1];
    found.push(marker);
    if (marker === 0xd8) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    at += 2 + length;
    if (marker === 0xda) {
      // Entropy-coded data: every 0xFF is stuffed with a 0x00, up to EOI.
      while (!(bytes[at] === 0xff && bytes[at + 1] !== 0x00)) {
        at += bytes[at] === 0xff ? 2 : 1;
      }
    }
  }
  return found;
}

Deno.test("jpeg_encode: a smooth image survives q80 with PSNR over 30 dB", async () => {
  const image = smooth(641, 479);
  const bytes = encodeBaselineJpeg(image, 80);
  const back = await decode(bytes, image);
  assert.deepEqual([back.width, back.height], [641, 479]);
  const db = psnr(image.data, back.data);
  assert.ok(db > 30, `${db.toFixed(1)} dB`);
});

Deno.test("jpeg_encode: the file is SOI, APP0 JFIF, DQT, SOF0 (4:2:0), DHT, SOS … EOI", () => {
  const bytes = encodeBaselineJpeg(smooth(40, 24), 75);
  assert.deepEqual(markers(bytes), [0xd8, 0xe0, 0xdb, 0xc0, 0xc4, 0xda, 0xd9]);
  assert.equal(new TextDecoder().decode(bytes.subarray(6, 11)), "JFIF\0");
  let sof = 2;
  while (!(bytes[sof] === 0xff && bytes[sof + 1] === 0xc0)) sof++;
  // Precision 8, height 24, width 40, three components: Y 2×2, Cb and Cr 1×1.
  assert.deepEqual(
    Array.from(bytes.subarray(sof + 4, sof + 19)),
    [8, 0, 24, 0, 40, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
  );
  assert.deepEqual(Array.from(bytes.subarray(-2)), [0xff, 0xd9]);
});

Deno.test("jpeg_encode: odd sizes keep their exact dimensions (edges repeated)", async () => {
  for (
    const [width, height] of [[17, 9], [1, 1], [16, 16], [33, 47], [3, 100]]
  ) {
    const image = smooth(width, height);
    const bytes = encodeBaselineJpeg(image, 90);
    const back = await decode(bytes, image);
    assert.deepEqual([back.width, back.height], [width, height]);
    const db = psnr(image.data, back.data);
    assert.ok(db > 25, `${width}×${height}: ${db.toFixed(1)} dB`);
  }
  // One pixel of one colour: only DC, so it comes back within a few levels.
  const pixel = {
    data: new Uint8Array([200, 30, 90, 255]),
    width: 1,
    height: 1,
  };
  const back = await decode(encodeBaselineJpeg(pixel, 90), pixel);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(back.data[c] - pixel.data[c]) <= 4, `${back.data}`);
  }
});

Deno.test("jpeg_encode: the file shrinks as quality drops", () => {
  const image = smooth(256, 256);
  const sizes = [100, 95, 80, 50, 20, 1].map((q) => encodeBaselineJpeg(image, q).length);
  for (let i = 1; i < sizes.length; i++) {
    assert.ok(sizes[i] < sizes[i - 1], `${sizes}`);
  }
});

Deno.test("jpeg_encode: noise (many 0xFF bytes, stuffed) decodes in libjpeg-turbo and jpeg-js", async () => {
  const image = noisy(301, 203);
  for (const [quality, minimumDb] of [[80, 28], [100, 44]]) {
    const bytes = encodeBaselineJpeg(image, quality);
    const scan = bytes.subarray(sos(bytes) + 14, -2);
    assert.ok(
      scan.filter((b) => b === 0xff).length > 20,
      "noise puts 0xFF bytes in the scan",
    );
    const turbo = await decode(bytes, image);
    const js = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    assert.deepEqual([js.width, js.height], [301, 203]);
    // 4:2:0 averages the noise's colour away (and decoders upsample chroma differently), but its
    // luma comes back: a stuffing slip would desynchronise the stream and wreck it.
    for (const back of [turbo.data, js.data]) {
      const db = lumaPsnr(image.data, back);
      assert.ok(db > minimumDb, `q${quality}: ${db.toFixed(1)} dB`);
    }
  }
});

Deno.test("jpeg_encode: quantisation scales Annex K tables as libjpeg does", () => {
  const luma = [16, 11, 10, 16, 24, 40, 51, 61, ...new Array(56).fill(99)]; // K.1's first row
  assert.deepEqual(Array.from(quantTable(luma, 50)), luma);
  assert.deepEqual(Array.from(quantTable(luma, 75)).slice(0, 8), [
    8,
    6,
    5,
    8,
    12,
    20,
    26,
    31,
  ]);
  assert.ok(quantTable(luma, 100).every((q) => q === 1));
  assert.equal(quantTable(luma, 1)[0], 255, "clamped to 8 bits");
  assert.deepEqual(Array.from(ZIGZAG.slice(0, 10)), [
    0,
    1,
    8,
    16,
    9,
    2,
    3,
    10,
    17,
    24,
  ]);
  assert.equal(ZIGZAG[63], 63);
});

Deno.test("jpeg_encode: a size the pixels do not cover is refused", () => {
  assert.throws(() => encodeBaselineJpeg({ data: new Uint8Array(12), width: 2, height: 2 }, 80));
  assert.throws(() => encodeBaselineJpeg({ data: new Uint8Array(0), width: 0, height: 0 }, 80));
});
