import assert from "node:assert/strict";
import { getModel } from "../ai/catalog.ts";
import {
  dataUrlLength,
  type ImageLimits,
  prepareImageForVision,
  readImageHeader,
  structureIsWhole,
  toDataUrl,
} from "./image.ts";
import { loadMagick } from "./lazy.ts";
import { fixture, noise, noisePng } from "./test_fixtures.ts";

const vision = getModel("groq", "qwen/qwen3.8-27b");
const GROQ: ImageLimits = { maxBytes: vision.maxImageBytes!, maxPixels: vision.maxImagePixels! };

/** Decodes with ImageMagick, as a check that the output is a real image of the stated size. */
async function decode(bytes: Uint8Array) {
  const magick = await loadMagick();
  return magick.ImageMagick.read(bytes, (image) => ({
    width: image.width,
    height: image.height,
    format: image.format,
  }));
}

/** Encodes `width × height` of smooth-but-busy RGB pixels (like a photo) as a JPEG. */
async function photoJpeg(width: number, height: number): Promise<Uint8Array> {
  const magick = await loadMagick();
  const raw = new Uint8Array(width * height * 3);
  const grain = noise(4096);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      const g = grain[(x * 31 + y * 17) & 4095] >> 3;
      raw[i] = ((x >> 3) + g) & 0xff;
      raw[i + 1] = ((y >> 3) + g) & 0xff;
      raw[i + 2] = ((x ^ y) + g) & 0xff;
    }
  }
  const settings = new magick.MagickReadSettings({
    format: magick.MagickFormat.Rgb,
    width,
    height,
  });
  return magick.ImageMagick.read(raw, settings, (image) => {
    image.quality = 92;
    return image.write(magick.MagickFormat.Jpeg, (data) => data.slice());
  });
}

Deno.test("image: headers give type and size of PNG, JPEG, WebP and GIF", async () => {
  assert.deepEqual(readImageHeader(await fixture("printed-text.png")), {
    mime: "image/png",
    width: 420,
    height: 80,
    animated: false,
  });
  assert.deepEqual(readImageHeader(await fixture("animated.gif")), {
    mime: "image/gif",
    width: 40,
    height: 30,
    animated: true,
  });
  const magick = await loadMagick();
  for (const [format, mime] of [["Jpeg", "image/jpeg"], ["WebP", "image/webp"]] as const) {
    const bytes = magick.ImageMagick.read(
      magick.MagickColors.Gray,
      321,
      123,
      (image) => image.write(magick.MagickFormat[format], (data) => data.slice()),
    );
    assert.deepEqual(readImageHeader(bytes), { mime, width: 321, height: 123, animated: false });
  }
  assert.equal(readImageHeader(new TextEncoder().encode("not an image")), null);
});

Deno.test("image: a small PNG within the limits is passed through untouched", async () => {
  const bytes = await fixture("printed-text.png");
  const result = await prepareImageForVision(bytes, GROQ);
  assert.ok(result.ok);
  assert.equal(result.image.bytes, bytes);
  assert.deepEqual(
    [result.image.mime, result.image.width, result.image.height, result.image.resized],
    ["image/png", 420, 80, false],
  );
  assert.ok(toDataUrl(result.image).startsWith("data:image/png;base64,iVBORw0KGgo"));
  assert.equal(toDataUrl(result.image).length, dataUrlLength(bytes.length, "image/png"));
});

Deno.test("image: a 40-megapixel JPEG is downscaled to fit 33 MP and 4 MB of base64", async () => {
  const [width, height] = [7744, 5164]; // 39.99 MP, 3:2 like a phone camera
  const jpeg = await photoJpeg(width, height);
  const started = performance.now();
  const result = await prepareImageForVision(jpeg, GROQ);
  const elapsedMs = Math.round(performance.now() - started);
  assert.ok(result.ok);
  const { image } = result;
  assert.equal(image.resized, true);
  assert.equal(image.mime, "image/jpeg");
  assert.ok(image.width * image.height <= GROQ.maxPixels);
  assert.ok(dataUrlLength(image.bytes.length, image.mime) <= GROQ.maxBytes);
  assert.ok(image.width >= 2000 && image.height >= 1300, `${image.width}×${image.height}`);
  assert.ok(Math.abs(image.width / image.height - width / height) < 0.01, "aspect ratio kept");
  assert.deepEqual(await decode(image.bytes), {
    width: image.width,
    height: image.height,
    format: "JPEG",
  });
  console.log(
    `40 MP JPEG (${jpeg.length} B) → ${image.width}×${image.height}, ${image.bytes.length} B ` +
      `in ${elapsedMs} ms`,
  );
});

Deno.test("image: a 9 MB PNG is recompressed to fit 4 MB of base64", async () => {
  const png = noisePng(2000, 1500);
  assert.ok(png.length > 9_000_000, `${png.length}`);
  const started = performance.now();
  const result = await prepareImageForVision(png, GROQ);
  const elapsedMs = Math.round(performance.now() - started);
  assert.ok(result.ok);
  const { image } = result;
  assert.equal(image.resized, true);
  assert.ok(dataUrlLength(image.bytes.length, image.mime) <= GROQ.maxBytes);
  assert.ok(image.width * image.height <= GROQ.maxPixels);
  assert.ok(image.width >= 800 && Math.abs(image.width / image.height - 4 / 3) < 0.01);
  assert.deepEqual(await decode(image.bytes), {
    width: image.width,
    height: image.height,
    format: "JPEG",
  });
  console.log(
    `9 MB PNG (${png.length} B) → ${image.width}×${image.height}, ` +
      `${image.bytes.length} B in ${elapsedMs} ms`,
  );
});

Deno.test("image: a WebP over tight limits is scaled and compressed until both hold", async () => {
  const magick = await loadMagick();
  const webp = magick.ImageMagick.read(noisePng(600, 400), (image) => {
    image.quality = 100;
    return image.write(magick.MagickFormat.WebP, (data) => data.slice());
  });
  const limits = { maxBytes: 40_000, maxPixels: 100_000 };
  const result = await prepareImageForVision(webp, limits);
  assert.ok(result.ok);
  assert.ok(result.image.width * result.image.height <= limits.maxPixels);
  assert.ok(dataUrlLength(result.image.bytes.length, "image/jpeg") <= limits.maxBytes);
  assert.equal((await decode(result.image.bytes)).format, "JPEG");
});

Deno.test("image: an animated GIF is reduced to its first frame", async () => {
  const result = await prepareImageForVision(await fixture("animated.gif"), GROQ);
  assert.ok(result.ok);
  assert.deepEqual([result.image.mime, result.image.width, result.image.height], [
    "image/jpeg",
    40,
    30,
  ]);
  const magick = await loadMagick();
  const pixel = magick.ImageMagick.read(
    result.image.bytes,
    (image) => image.getPixels((pixels) => Array.from(pixels.getPixel(20, 15))),
  );
  assert.ok(pixel[0] > 200 && pixel[2] < 60, `first frame is red, got ${pixel}`);
});

Deno.test("image: transparency is flattened onto white when re-encoding", async () => {
  const magick = await loadMagick();
  const png = magick.ImageMagick.read(
    magick.MagickColors.Transparent,
    300,
    300,
    (image) => image.write(magick.MagickFormat.Png, (data) => data.slice()),
  );
  const result = await prepareImageForVision(png, { maxBytes: 1_000_000, maxPixels: 10_000 });
  assert.ok(result.ok);
  const pixel = magick.ImageMagick.read(
    result.image.bytes,
    (image) => image.getPixels((pixels) => Array.from(pixels.getPixel(10, 10))),
  );
  assert.ok(pixel.slice(0, 3).every((c) => c > 240), `white, got ${pixel}`);
});

Deno.test("image: bytes that are not a readable image are unprocessable: corrupt", async () => {
  const png = await fixture("printed-text.png");
  const damaged = png.slice(0, 40); // header claims 420×80, data is gone
  const huge = damaged.slice();
  new DataView(huge.buffer).setUint32(16, 10_000); // 10,000 × 10,000: must be decoded to resize
  new DataView(huge.buffer).setUint32(20, 10_000);
  for (const bytes of [new TextEncoder().encode("hello"), huge]) {
    const result = await prepareImageForVision(bytes, GROQ);
    assert.deepEqual(result.ok ? null : [result.code, result.reason], [
      "unprocessable_file",
      "corrupt",
    ]);
  }
});

Deno.test("image: dataUrlLength counts the base64 expansion and the prefix", () => {
  assert.equal(dataUrlLength(3, "image/png"), "data:image/png;base64,".length + 4);
  assert.equal(dataUrlLength(4, "image/png"), "data:image/png;base64,".length + 8);
  assert.equal(dataUrlLength(2_999_976, "image/jpeg"), 4_000_000 - 32 + 23);
});

Deno.test("image: a whole image passes untouched; truncated or garbage insides are corrupt", async () => {
  const limits = { maxBytes: 4_000_000, maxPixels: 33_177_600 };
  for (const name of ["printed-text.png", "animated.gif"]) {
    const bytes = await fixture(name);
    assert.equal(structureIsWhole(bytes, readImageHeader(bytes)!.mime), true, `${name} is whole`);
    const cut = bytes.slice(0, Math.floor(bytes.length * 0.6));
    assert.equal(structureIsWhole(cut, readImageHeader(cut)!.mime), false, `${name} cut short`);
  }
  const gif = new Uint8Array(600);
  gif.set(new TextEncoder().encode("GIF89a\x10\x00\x10\x00"));
  for (let i = 10; i < gif.length; i++) gif[i] = (i * 131 + 7) & 0xff;
  const result = await prepareImageForVision(gif, limits);
  assert.equal(result.ok, false, "a GIF header over random bytes is not sent to a provider");
});
